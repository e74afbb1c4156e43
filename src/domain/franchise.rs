//! Brands and their franchisees: who runs a brand, who is invited to, and what unlinking a
//! franchisee ends there.

use serde::{Deserialize, Serialize};

use super::model::{BrandRef, OrganizationKind};
use super::{InvitationId, OrganizationId};

/// What unlinking a franchisee from a brand ends in the franchisee (and only that): the
/// grants of the brand's roles, the brand owner's staff's access at the franchisee's outlets
/// (their external locations there), the API clients holding a brand role, and the brand's
/// management of the franchisee's own people it provisioned (who stay, managed by the
/// franchisee from then on).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnlinkEffect {
    pub brand_role_grants: u32,
    pub external_people: u32,
    pub handed_over: u32,
    pub api_clients: u32,
}

impl UnlinkEffect {
    /// The effect in words, for the confirmation.
    pub fn describe(&self) -> String {
        let plural =
            |n: u32, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        format!(
            "{} of the brand's roles, the access of {} from the brand's owner, {} holding a brand role, and the brand's management of {} (who stay, managed by the franchisee)",
            plural(self.brand_role_grants, "grant", "grants"),
            plural(self.external_people, "person", "people"),
            plural(self.api_clients, "API client", "API clients"),
            plural(self.handed_over, "person", "people"),
        )
    }
}

/// A franchisee running one of the organization's brands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FranchiseeEntry {
    pub organization: OrganizationId,
    pub name: String,
    pub slug: String,
    /// What unlinking it would end.
    pub ends: UnlinkEffect,
}

/// An open invitation to run a brand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationEntry {
    pub id: InvitationId,
    pub brand: BrandRef,
    /// The brand's owner.
    pub inviter: String,
    pub invitee: String,
    pub invitee_slug: String,
    pub created_at: String,
}

/// A brand's franchisees and the organizations invited to become one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandFranchisees {
    pub franchisees: Vec<FranchiseeEntry>,
    pub invited: Vec<InvitationEntry>,
}

/// A brand on the settings page: owned here (with its franchisees and invitations) or run
/// here under its owner (read-only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandCard {
    #[serde(flatten)]
    pub entry: super::me::BrandEntry,
    /// `Some` for a brand this organization owns.
    pub franchise: Option<BrandFranchisees>,
}

/// The brands part of the settings page, loaded at once (one resource, no nested loading).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandsPage {
    /// Only a corporate organization creates brands.
    pub corporate: bool,
    pub brands: Vec<BrandCard>,
}

/// Whether an existing organization may be invited to run another's brand: not the brand's
/// owner itself and not a corporate head office (which owns brands rather than running
/// another's). A franchisee may run several brands; an independent operator that accepts
/// becomes a franchisee.
pub fn may_be_invited(
    owner: OrganizationId,
    invitee: OrganizationId,
    kind: OrganizationKind,
) -> Result<(), &'static str> {
    if owner == invitee {
        Err("That is this organization: invite the franchisee's organization.")
    } else if kind == OrganizationKind::Corporate {
        Err("A corporate organization owns brands; it cannot run another's as a franchisee.")
    } else {
        Ok(())
    }
}

/// The kind an organization becomes when it accepts to run a brand.
pub fn kind_after_joining(kind: OrganizationKind) -> OrganizationKind {
    match kind {
        OrganizationKind::Independent => OrganizationKind::Franchisee,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_another_non_corporate_organization_is_invited_and_an_independent_becomes_a_franchisee()
    {
        let (owner, other) = (OrganizationId::generate(), OrganizationId::generate());
        let cases = [
            (owner, OrganizationKind::Franchisee, false),
            (other, OrganizationKind::Corporate, false),
            (other, OrganizationKind::Franchisee, true),
            (other, OrganizationKind::Independent, true),
        ];
        for (invitee, kind, allowed) in cases {
            assert_eq!(
                may_be_invited(owner, invitee, kind).is_ok(),
                allowed,
                "{kind:?}"
            );
        }
        assert_eq!(
            kind_after_joining(OrganizationKind::Independent),
            OrganizationKind::Franchisee
        );
        assert_eq!(
            kind_after_joining(OrganizationKind::Franchisee),
            OrganizationKind::Franchisee
        );
    }

    #[test]
    fn the_unlink_effect_is_described_in_words() {
        let effect = UnlinkEffect {
            brand_role_grants: 1,
            external_people: 2,
            handed_over: 1,
            api_clients: 0,
        };
        assert_eq!(
            effect.describe(),
            "1 grant of the brand's roles, the access of 2 people from the brand's owner, 0 API clients holding a brand role, and the brand's management of 1 person (who stay, managed by the franchisee)"
        );
    }
}

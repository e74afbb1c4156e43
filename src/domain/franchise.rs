//! Brands and their franchisees: who runs a brand, who is invited to, and what unlinking a
//! franchisee ends there.

use serde::{Deserialize, Serialize};

use super::model::BrandRef;
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

#[cfg(test)]
mod tests {
    use super::*;

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

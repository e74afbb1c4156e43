//! Brands and their franchisees. Only a corporate organization owns brands: it creates and
//! renames them, adds a franchisee (a new organization, its owner invited by mail) or invites an
//! existing organization (whose settings managers accept or decline in the console), and
//! unlinks a franchisee, which ends what the link gave there and nothing else. A franchisee
//! sees its brands with their owner, never changes them.

use crate::domain::audit::AuditAction;
use serde_json::json;

use super::setup::{create_organization, may_manage_settings};
use super::{Context, Principal, Work};
use crate::domain::franchise::{
    BrandCard, BrandFranchisees, BrandsPage, InvitationEntry, UnlinkEffect,
};
use crate::domain::me::BrandEntry;
use crate::domain::organization::{NewOrganization, Slug};
use crate::domain::policy;
use crate::domain::{AppError, BrandId, InvitationId, OrganizationId, PersonName};
use crate::store::{self, audit, franchise as links, organizations};

/// The organization's brands: those it owns (renamable, with their franchisees, what unlinking
/// each would end, and open invitations), then those it runs under their owner.
pub async fn brands_page(context: &Context, who: &Principal) -> Result<BrandsPage, AppError> {
    may_manage_settings(who)?;
    let mut conn = context.read().await?;
    let settings = organizations::settings(&mut conn, who.organization_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut brands = Vec::new();
    for entry in organizations::brands_of(&mut conn, who.organization_id).await? {
        let franchise = match entry.managed_by {
            Some(_) => None,
            None => Some(BrandFranchisees {
                franchisees: links::franchisees_of(&mut conn, entry.brand.id).await?,
                invited: links::invitations_of_brand(&mut conn, entry.brand.id).await?,
            }),
        };
        brands.push(BrandCard { entry, franchise });
    }
    Ok(BrandsPage {
        corporate: policy::may_own_brands(settings.kind).is_ok(),
        brands,
    })
}

fn brand_name_taken(error: sqlx::Error) -> AppError {
    if store::is_unique_violation(&error) {
        AppError::conflict(
            "name_taken",
            "This organization already has a brand with that name.",
        )
    } else {
        AppError::from(error)
    }
}

/// Creates (`brand` `None`) or renames a brand. Only a corporate organization owns brands; a
/// franchisee sees its brands, never changes them.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn save_brand(
    work: &mut Work,
    who: &Principal,
    brand: Option<BrandId>,
    name: &PersonName,
) -> Result<BrandEntry, AppError> {
    may_manage_settings(who)?;
    let settings = organizations::settings(work, who.organization_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let owned = organizations::brands_of(work, who.organization_id).await?;
    let id = match brand {
        None => {
            policy::may_own_brands(settings.kind)
                .map_err(|refusal| super::refused(refusal, true))?;
            organizations::insert_brand(work, who.organization_id, name.as_str())
                .await
                .map_err(brand_name_taken)?
        }
        Some(id) => {
            let entry = owned
                .iter()
                .find(|b| b.brand.id == id)
                .ok_or(AppError::NotFound)?;
            if let Some(owner) = &entry.managed_by {
                return Err(AppError::denied(
                    "not_your_setting",
                    format!("Managed by {owner}: only the brand's owner renames it."),
                ));
            }
            organizations::rename_brand(work, who.organization_id, id, name.as_str())
                .await
                .map_err(brand_name_taken)?;
            id
        }
    };
    let before = owned.into_iter().find(|b| b.brand.id == id);
    let after = organizations::brands_of(work, who.organization_id)
        .await?
        .into_iter()
        .find(|b| b.brand.id == id)
        .ok_or(AppError::Internal)?;
    let event = audit::Event {
        subject: None,
        organization_id: Some(who.organization_id),
        action: if before.is_some() {
            AuditAction::BrandRenamed
        } else {
            AuditAction::BrandCreated
        },
        target_type: "brand",
        target_id: Some(id.0),
        before: before.map(|b| json!(b)),
        after: Some(json!(after)),
    };
    audit::record(work, who.actor, event).await?;
    Ok(after)
}

/// Adds a franchisee to a brand the organization owns by creating the franchisee's
/// organization (kind franchisee, its Owner role held by its owner, who is invited by mail) and
/// linking it to the brand.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn add_franchisee(
    work: &mut Work,
    who: &Principal,
    brand: BrandId,
    new: &NewOrganization,
) -> Result<OrganizationId, AppError> {
    may_manage_settings(who)?;
    let owned = owned_brand(work, who, brand).await?;
    let (franchisee, _) = create_organization(work, who.actor, new).await?;
    organizations::link_franchisee(work, franchisee, brand).await?;
    let event = audit::Event {
        subject: None,
        organization_id: Some(who.organization_id),
        action: AuditAction::FranchiseeAdded,
        target_type: "brand",
        target_id: Some(brand.0),
        before: None,
        after: Some(json!({
            "brand": owned.brand.name, "franchisee": new.name.as_str(), "slug": new.slug.as_str(),
            "owner": new.owner.email.as_str(),
        })),
    };
    audit::record(work, who.actor, event).await?;
    Ok(franchisee)
}

/// The brand, when the caller's organization owns it (else 404: another's brand is absent).
async fn owned_brand(
    work: &mut store::Conn,
    who: &Principal,
    brand: BrandId,
) -> Result<BrandEntry, AppError> {
    organizations::brands_of(work, who.organization_id)
        .await?
        .into_iter()
        .find(|b| b.brand.id == brand && b.managed_by.is_none())
        .ok_or(AppError::NotFound)
}

/// Invites an existing organization (by its slug) to run a brand the caller's organization
/// owns; its settings managers are told by mail and answer in the console.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn invite(
    work: &mut Work,
    who: &Principal,
    brand: BrandId,
    slug: &Slug,
) -> Result<InvitationEntry, AppError> {
    may_manage_settings(who)?;
    let owned = owned_brand(work, who, brand).await?;
    let (invitee, invitee_name, kind) = links::by_slug(work, slug)
        .await?
        .ok_or_else(|| AppError::field("slug", "No organization has this slug."))?;
    policy::may_be_invited(who.organization_id, invitee, kind)
        .map_err(|problem| AppError::field("slug", problem))?;
    if links::is_linked(work, invitee, brand).await? {
        return Err(AppError::conflict(
            "already_linked",
            format!("{invitee_name} already runs {}.", owned.brand.name),
        ));
    }
    let id = links::insert_invitation(work, brand, invitee, who.actor.user_id)
        .await
        .map_err(|error| {
            if store::is_unique_violation(&error) {
                AppError::conflict(
                    "already_invited",
                    format!(
                        "{invitee_name} is already invited to run {}.",
                        owned.brand.name
                    ),
                )
            } else {
                error.into()
            }
        })?;
    let entry = links::invitations_of_brand(work, brand)
        .await?
        .into_iter()
        .find(|i| i.id == id)
        .ok_or(AppError::Internal)?;
    let event = audit::Event {
        subject: None,
        organization_id: Some(who.organization_id),
        action: AuditAction::FranchiseeInvited,
        target_type: "brand",
        target_id: Some(brand.0),
        before: None,
        after: Some(json!(entry)),
    };
    audit::record(work, who.actor, event).await?;
    let link = format!(
        "{}/settings",
        work.settings().public_url.trim_end_matches('/')
    );
    let subject = format!(
        "{} invites {} to run {}",
        entry.inviter, entry.invitee, entry.brand.name
    );
    let text = format!(
        "Hello,\n\n{} invites {} to run the brand {} as its franchisee in Brigade.\n\n\
         Accept or decline on your organization's settings page:\n\n{link}\n\n\
         Accepting lets the brand's owner define roles your organization grants and manage its own staff's access at your outlets of the brand.\n",
        entry.inviter, entry.invitee, entry.brand.name
    );
    for recipient in links::settings_managers(work, invitee).await? {
        work.queue_mail(&recipient, &subject, &text).await?;
    }
    Ok(entry)
}

/// The open invitations the caller's organization has received.
pub async fn invitations(
    context: &Context,
    who: &Principal,
) -> Result<Vec<InvitationEntry>, AppError> {
    may_manage_settings(who)?;
    let mut conn = context.read().await?;
    Ok(links::invitations_received(&mut conn, who.organization_id).await?)
}

/// An invitation's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Accept,
    Decline,
}

/// The invitee answers an open invitation. Accepting links the organization to the brand (an
/// independent operator becomes a franchisee); both organizations record it.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn answer(
    work: &mut Work,
    who: &Principal,
    id: InvitationId,
    answer: Answer,
) -> Result<(), AppError> {
    may_manage_settings(who)?;
    let (brand, invitee, owner) = links::open_invitation(work, id)
        .await?
        .filter(|(_, invitee, _)| *invitee == who.organization_id)
        .ok_or(AppError::NotFound)?;
    let entry = links::invitations_received(work, invitee)
        .await?
        .into_iter()
        .find(|i| i.id == id)
        .ok_or(AppError::NotFound)?;
    let action = match answer {
        Answer::Accept => {
            let settings = organizations::settings(work, invitee)
                .await?
                .ok_or(AppError::NotFound)?;
            policy::may_be_invited(owner, invitee, settings.kind)
                .map_err(|problem| AppError::denied("not_allowed", problem))?;
            if !links::is_linked(work, invitee, brand).await? {
                organizations::link_franchisee(work, invitee, brand).await?;
            }
            let kind = policy::kind_after_joining(settings.kind);
            if kind != settings.kind {
                links::set_kind(work, invitee, kind).await?;
            }
            links::close_invitation(work, id, "accepted").await?;
            AuditAction::FranchiseeJoined
        }
        Answer::Decline => {
            links::close_invitation(work, id, "declined").await?;
            AuditAction::InvitationDeclined
        }
    };
    for organization in [invitee, owner] {
        let event = audit::Event {
            subject: None,
            organization_id: Some(organization),
            action,
            target_type: "brand",
            target_id: Some(brand.0),
            before: Some(json!(entry)),
            after: None,
        };
        audit::record(work, who.actor, event).await?;
    }
    Ok(())
}

/// The brand's owner withdraws an open invitation.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn withdraw(work: &mut Work, who: &Principal, id: InvitationId) -> Result<(), AppError> {
    may_manage_settings(who)?;
    let (brand, _, owner) = links::open_invitation(work, id)
        .await?
        .filter(|(_, _, owner)| *owner == who.organization_id)
        .ok_or(AppError::NotFound)?;
    let entry = links::invitations_of_brand(work, brand)
        .await?
        .into_iter()
        .find(|i| i.id == id)
        .ok_or(AppError::NotFound)?;
    links::close_invitation(work, id, "withdrawn").await?;
    let event = audit::Event {
        subject: None,
        organization_id: Some(owner),
        action: AuditAction::InvitationWithdrawn,
        target_type: "brand",
        target_id: Some(brand.0),
        before: Some(json!(entry)),
        after: None,
    };
    Ok(audit::record(work, who.actor, event).await?)
}

/// The brand's owner unlinks a franchisee, once confirmed: the grants of the brand's roles
/// there, its own staff's access at the franchisee's outlets and API clients holding a brand
/// role there end; the people the brand provisioned into the franchisee stay, as the
/// franchisee's own; the franchisee's people, roles and outlets otherwise stay untouched.
/// Both organizations record it.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn unlink(
    work: &mut Work,
    who: &Principal,
    brand: BrandId,
    franchisee: OrganizationId,
    confirmed: bool,
) -> Result<UnlinkEffect, AppError> {
    may_manage_settings(who)?;
    let owned = owned_brand(work, who, brand).await?;
    if !links::is_linked(work, franchisee, brand).await? {
        return Err(AppError::NotFound);
    }
    let ends = links::unlink_effect(work, franchisee, brand).await?;
    if !confirmed {
        return Err(AppError::field(
            "confirm",
            format!("Confirm the unlink: it ends {}.", ends.describe()),
        ));
    }
    let people = links::external_emails(work, franchisee, brand).await?;
    links::unlink(work, franchisee, brand).await?;
    let name = organizations::settings(work, franchisee)
        .await?
        .map(|s| s.name)
        .unwrap_or_default();
    for organization in [who.organization_id, franchisee] {
        let event = audit::Event {
            subject: None,
            organization_id: Some(organization),
            action: AuditAction::FranchiseeUnlinked,
            target_type: "brand",
            target_id: Some(brand.0),
            before: Some(json!({ "brand": owned.brand.name, "franchisee": name })),
            after: Some(json!({ "ended": ends, "external_access_ended": people })),
        };
        audit::record(work, who.actor, event).await?;
    }
    Ok(ends)
}

//! Rehires: creating a person whose external id or email names a *deactivated* member of the
//! organization brings that membership back (with the access the request gives, none of the
//! earlier), instead of making a second person.

use serde_json::json;
use std::collections::{BTreeSet, HashMap};

use crate::domain::audit::AuditAction;
use crate::domain::model::MembershipStatus;
use crate::domain::users::User;
use crate::domain::{AppError, Email, ExternalId, OrganizationId, Scope};
use crate::service::{Principal, Work};
use crate::store::users::Member;
use crate::store::{self, Conn};

/// Whether a create may bring a deactivated member back. SCIM may not: an identity provider
/// reactivates with `active: true`, and RFC 7644 answers a POST of a known person 409.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rehire {
    Allowed,
    Refused,
}

/// Whom a new person's email and external id name in the organization.
pub(crate) enum Named {
    Nobody,
    /// An active member with this email (the external id, when given, free or theirs).
    Active(Member),
    /// A deactivated member with this email (the external id, when given, free or theirs).
    Returning(Member),
}

pub(super) fn duplicate_email() -> AppError {
    AppError::conflict(
        "duplicate_email",
        "A user with this email already exists in this organization.",
    )
}

pub(crate) fn duplicate_external_id() -> AppError {
    AppError::conflict(
        "duplicate_external_id",
        "Another person of this organization has this external id.",
    )
}

/// The member the email names, checked against the member the external id names: an
/// external id held by someone else is a conflict (409), whatever their status.
pub(crate) async fn named(
    conn: &mut Conn,
    organization: OrganizationId,
    email: &Email,
    external_id: Option<&ExternalId>,
) -> Result<Named, AppError> {
    let by_email = store::users::member_by_email(conn, organization, email.as_str()).await?;
    let by_external = match external_id {
        Some(id) => store::users::member_by_external_id(conn, organization, id.as_str()).await?,
        None => None,
    };
    let active = |member: &Member| member.status == MembershipStatus::Active;
    match (by_external, by_email) {
        (Some(held), Some(member)) if held.user_id != member.user_id => {
            if active(&held) || active(&member) {
                Err(duplicate_external_id())
            } else {
                Err(AppError::conflict(
                    "external_id_mismatch",
                    "This external id and this email belong to two different deactivated people of this organization: reactivate one of them by the external id and email it holds.",
                ))
            }
        }
        (Some(held), None) if active(&held) => Err(duplicate_external_id()),
        (Some(_), None) => Err(AppError::conflict(
            "rehire_email_differs",
            "This external id belongs to a deactivated person with another email address: send their email to reactivate them, or change it on their record first.",
        )),
        (_, Some(member)) if active(&member) => Ok(Named::Active(member)),
        (_, Some(member)) => Ok(Named::Returning(member)),
        (None, None) => Ok(Named::Nobody),
    }
}

/// Brings a deactivated member back, in the caller's unit of work: the caller must manage
/// them as they stand (what `update` checks); the membership is active again, managed by the
/// caller's face, with no connectors, report roles or franchisees' outlets (the earlier access
/// is not revived; the caller then gives the new access). Returns the person before.
pub(crate) async fn bring_back(
    work: &mut Work,
    who: &Principal,
    member: &Member,
) -> Result<User, AppError> {
    super::write::ensure_manageable(work, who, member.user_id)
        .await
        .map_err(unmanageable)?;
    let before = super::load(work, who, &Scope::Organization, member.user_id).await?;
    // As for a new member: people the API provisions belong to a single-brand owner's brand.
    let brand = if who.via_console() {
        None
    } else {
        store::catalog::sole_owned_brand(work, who.organization_id).await?
    };
    store::users::restart_membership(work, member.membership_id, who.manages_as(), brand).await?;
    store::users::set_report_roles(work, member.membership_id, &[]).await?;
    store::users::rewrite_connectors(
        work,
        who.organization_id,
        member.membership_id,
        &BTreeSet::new(),
    )
    .await?;
    super::external::apply_external_locations(
        work,
        who,
        member.user_id,
        None,
        &HashMap::new(),
        &[],
    )
    .await?;
    Ok(before)
}

/// Records a rehire: the person before (deactivated, their earlier access) and after.
pub(crate) async fn record(
    work: &mut Work,
    who: &Principal,
    before: &User,
) -> Result<User, AppError> {
    let after = super::load(work, who, &Scope::Organization, before.id).await?;
    super::audit_user(
        work,
        who,
        who.organization_id,
        AuditAction::UserReactivated,
        before.id,
        Some(json!(before)),
        Some(json!(after)),
    )
    .await?;
    Ok(after)
}

/// A caller who may not manage the returning person as they stand (outside where they
/// manage people, or holding roles above the caller's) cannot bring them back; outside
/// their reach this reads as the duplicate it was before rehires existed.
pub(super) fn unmanageable(error: AppError) -> AppError {
    match error {
        AppError::NotFound => AppError::conflict(
            "duplicate_email",
            "A deactivated person of this organization has this email, outside where you manage people: someone who manages them can reactivate them.",
        ),
        other => other,
    }
}

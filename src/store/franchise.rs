//! Franchise links between a brand and the organizations that run it, the invitations that
//! make them, and what unlinking ends.

use super::{Conn, now};
use crate::domain::franchise::{FranchiseeEntry, InvitationEntry, UnlinkEffect};
use crate::domain::model::{BrandRef, OrganizationKind};
use crate::domain::organization::Slug;
use crate::domain::{BrandId, InvitationId, OrganizationId, Permission, UserId};

/// An organization found by its slug: id, name, kind.
pub async fn by_slug(
    conn: &mut Conn,
    slug: &Slug,
) -> sqlx::Result<Option<(OrganizationId, String, OrganizationKind)>> {
    on!(conn, |c| sqlx::query_as(
        "SELECT id, name, kind FROM organizations WHERE lower(slug) = lower($1)"
    )
    .bind(slug.as_str())
    .fetch_optional(c)
    .await)
}

pub async fn is_linked(
    conn: &mut Conn,
    organization: OrganizationId,
    brand: BrandId,
) -> sqlx::Result<bool> {
    on!(conn, |c| {
        sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM franchisee_brands WHERE organization_id = $1 AND brand_id = $2)",
    )
    .bind(organization)
    .bind(brand)
    .fetch_one(c)
    .await
    })
}

pub async fn set_kind(
    conn: &mut Conn,
    organization: OrganizationId,
    kind: OrganizationKind,
) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "UPDATE organizations SET kind = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(organization)
    .bind(kind)
    .bind(now())
    .execute(c)
    .await)?;
    Ok(())
}

/// A new open invitation; a unique violation when one is already open for the pair.
pub async fn insert_invitation(
    conn: &mut Conn,
    brand: BrandId,
    organization: OrganizationId,
    invited_by: Option<UserId>,
) -> sqlx::Result<InvitationId> {
    let id = InvitationId::generate();
    on!(execute conn, |c| sqlx::query(
        "INSERT INTO franchise_invitations (id, brand_id, organization_id, invited_by, created_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(brand)
    .bind(organization)
    .bind(invited_by)
    .bind(now())
    .execute(c)
    .await)?;
    Ok(id)
}

const INVITATIONS: &str =
    "SELECT i.id, b.id AS brand_id, b.name AS brand_name, owner.name AS inviter,
        invitee.name AS invitee, invitee.slug AS invitee_slug, i.created_at
    FROM franchise_invitations i
    JOIN brands b ON b.id = i.brand_id
    JOIN organizations owner ON owner.id = b.owner_organization_id
    JOIN organizations invitee ON invitee.id = i.organization_id
    WHERE i.answered_at IS NULL AND ";

#[derive(sqlx::FromRow)]
struct InvitationRow {
    id: InvitationId,
    brand_id: BrandId,
    brand_name: String,
    inviter: String,
    invitee: String,
    invitee_slug: String,
    created_at: String,
}

impl From<InvitationRow> for InvitationEntry {
    fn from(row: InvitationRow) -> Self {
        InvitationEntry {
            id: row.id,
            brand: BrandRef {
                id: row.brand_id,
                name: row.brand_name,
            },
            inviter: row.inviter,
            invitee: row.invitee,
            invitee_slug: row.invitee_slug,
            created_at: row.created_at,
        }
    }
}

/// The open invitations an organization has received.
pub async fn invitations_received(
    conn: &mut Conn,
    organization: OrganizationId,
) -> sqlx::Result<Vec<InvitationEntry>> {
    let rows: Vec<InvitationRow> = on!(conn, |c| sqlx::query_as(&format!(
        "{INVITATIONS} i.organization_id = $1 ORDER BY i.id"
    ))
    .bind(organization)
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// The open invitations to run a brand.
pub async fn invitations_of_brand(
    conn: &mut Conn,
    brand: BrandId,
) -> sqlx::Result<Vec<InvitationEntry>> {
    let rows: Vec<InvitationRow> = on!(conn, |c| sqlx::query_as(&format!(
        "{INVITATIONS} i.brand_id = $1 ORDER BY i.id"
    ))
    .bind(brand)
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// An open invitation: its brand, the invitee and the brand's owner.
pub async fn open_invitation(
    conn: &mut Conn,
    id: InvitationId,
) -> sqlx::Result<Option<(BrandId, OrganizationId, OrganizationId)>> {
    on!(conn, |c| sqlx::query_as(
        "SELECT i.brand_id, i.organization_id, b.owner_organization_id
         FROM franchise_invitations i JOIN brands b ON b.id = i.brand_id
         WHERE i.id = $1 AND i.answered_at IS NULL",
    )
    .bind(id)
    .fetch_optional(c)
    .await)
}

/// Closes an open invitation with `answer` (accepted, declined, withdrawn).
pub async fn close_invitation(
    conn: &mut Conn,
    id: InvitationId,
    answer: &str,
) -> sqlx::Result<bool> {
    let done = on!(execute conn, |c| sqlx::query(
        "UPDATE franchise_invitations SET answered_at = $2, answer = $3
         WHERE id = $1 AND answered_at IS NULL",
    )
    .bind(id)
    .bind(now())
    .bind(answer)
    .execute(c)
    .await)?;
    Ok(done == 1)
}

/// The addresses of the active people who manage an organization's settings across it:
/// whom an invitation is mailed to.
pub async fn settings_managers(
    conn: &mut Conn,
    organization: OrganizationId,
) -> sqlx::Result<Vec<String>> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT DISTINCT a.email FROM memberships m
         JOIN user_accounts a ON a.id = m.user_id
         JOIN user_connectors c ON c.membership_id = m.id AND c.type = 'L'
         JOIN role_permissions p ON p.role_id = c.role_id AND p.permission = $2
         WHERE m.organization_id = $1 AND m.status = 'active'
         ORDER BY a.email",
    )
    .bind(organization)
    .bind(Permission::ManageSettings.as_str())
    .fetch_all(c)
    .await)
}

/// The organizations linked to a brand, with what unlinking each would end.
pub async fn franchisees_of(conn: &mut Conn, brand: BrandId) -> sqlx::Result<Vec<FranchiseeEntry>> {
    let rows: Vec<(OrganizationId, String, String)> = on!(conn, |c| {
        sqlx::query_as(
        "SELECT o.id, o.name, o.slug FROM franchisee_brands f JOIN organizations o ON o.id = f.organization_id
         WHERE f.brand_id = $1 ORDER BY lower(o.name)",
    )
    .bind(brand)
    .fetch_all(c)
    .await
    })?;
    let mut entries = Vec::with_capacity(rows.len());
    for (organization, name, slug) in rows {
        let ends = unlink_effect(conn, organization, brand).await?;
        entries.push(FranchiseeEntry {
            organization,
            name,
            slug,
            ends,
        });
    }
    Ok(entries)
}

/// Memberships in the franchisee (`$1`) that the brand (`$2`) manages for its owner's own
/// staff: their external locations there.
/// (One lookup per brand-managed membership, never a list of the owner's members.)
const EXTERNAL: &str = "managed_by_brand_id = $2 AND organization_id = $1 AND EXISTS
    (SELECT 1 FROM memberships h WHERE h.user_id = memberships.user_id
        AND h.organization_id = (SELECT owner_organization_id FROM brands WHERE id = $2))";

/// What unlinking `organization` from `brand` would end there.
pub async fn unlink_effect(
    conn: &mut Conn,
    organization: OrganizationId,
    brand: BrandId,
) -> sqlx::Result<UnlinkEffect> {
    let (grants, external, brand_managed, clients): (i64, i64, i64, i64) = on!(conn, |c| {
        sqlx::query_as(&format!(
        "SELECT
            (SELECT COUNT(*) FROM user_connectors c JOIN roles r ON r.id = c.role_id
              WHERE c.organization_id = $1 AND r.brand_id = $2),
            (SELECT COUNT(*) FROM memberships WHERE {EXTERNAL}),
            (SELECT COUNT(*) FROM memberships WHERE organization_id = $1 AND managed_by_brand_id = $2),
            (SELECT COUNT(*) FROM api_tokens t JOIN roles r ON r.id = t.role_id
              WHERE t.organization_id = $1 AND r.brand_id = $2 AND t.revoked_at IS NULL)"
    ))
    .bind(organization)
    .bind(brand)
    .fetch_one(c)
    .await
    })?;
    let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(UnlinkEffect {
        brand_role_grants: count(grants),
        external_people: count(external),
        handed_over: count(brand_managed - external),
        api_clients: count(clients),
    })
}

/// The emails of the brand owner's staff whose access at the franchisee an unlink ends.
pub async fn external_emails(
    conn: &mut Conn,
    organization: OrganizationId,
    brand: BrandId,
) -> sqlx::Result<Vec<String>> {
    on!(conn, |c| {
        sqlx::query_scalar(&format!(
        "SELECT a.email FROM user_accounts a WHERE a.id IN (SELECT user_id FROM memberships WHERE {EXTERNAL})
         ORDER BY a.email"
    ))
    .bind(organization)
    .bind(brand)
    .fetch_all(c)
    .await
    })
}

/// Ends what the link of `organization` to `brand` gave, and the link: grants of the brand's
/// roles there; the memberships through which the brand's owner's staff reach the
/// franchisee's outlets (their connectors and report roles go with them); API clients holding
/// a brand role there (revoked); the brand's management of the franchisee's own people (they
/// stay, the franchisee's own). Nothing else is touched.
pub async fn unlink(
    conn: &mut Conn,
    organization: OrganizationId,
    brand: BrandId,
) -> sqlx::Result<()> {
    // Their users view changes: incremental syncs (modified_since) must see it.
    on!(execute conn, |c| sqlx::query(
        "UPDATE memberships SET updated_at = $3 WHERE organization_id = $1 AND id IN
            (SELECT c.membership_id FROM user_connectors c JOIN roles r ON r.id = c.role_id
              WHERE c.organization_id = $1 AND r.brand_id = $2)",
    )
    .bind(organization)
    .bind(brand)
    .bind(now())
    .execute(c)
    .await)?;
    on!(execute conn, |c| sqlx::query(
        "DELETE FROM user_connectors WHERE organization_id = $1
            AND role_id IN (SELECT id FROM roles WHERE brand_id = $2)",
    )
    .bind(organization)
    .bind(brand)
    .execute(c)
    .await)?;
    on!(execute conn, |c| sqlx::query(
        "UPDATE api_tokens SET revoked_at = $3 WHERE organization_id = $1 AND revoked_at IS NULL
            AND role_id IN (SELECT id FROM roles WHERE brand_id = $2)",
    )
    .bind(organization)
    .bind(brand)
    .bind(now())
    .execute(c)
    .await)?;
    on!(execute conn, |c| sqlx::query(&format!(
        "DELETE FROM memberships WHERE {EXTERNAL}"
    ))
    .bind(organization)
    .bind(brand)
    .execute(c)
    .await)?;
    on!(execute conn, |c| sqlx::query(
        "UPDATE memberships SET managed_by_brand_id = NULL, updated_at = $3
         WHERE organization_id = $1 AND managed_by_brand_id = $2",
    )
    .bind(organization)
    .bind(brand)
    .bind(now())
    .execute(c)
    .await)?;
    on!(execute conn, |c| sqlx::query(
        "DELETE FROM franchisee_brands WHERE organization_id = $1 AND brand_id = $2"
    )
    .bind(organization)
    .bind(brand)
    .execute(c)
    .await)?;
    Ok(())
}

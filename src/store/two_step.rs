//! Two-step sign-in: each account's sealed TOTP secret, its recovery codes (hashes), and the
//! organizations that require it.

use super::{Conn, now};
use crate::domain::{MembershipId, OrganizationId, UserId};

/// An account's TOTP secret, sealed; `confirmed` once a code proved the enrolment.
#[derive(Debug, sqlx::FromRow)]
pub struct Secret {
    pub sealed_secret: String,
    pub confirmed: bool,
    pub last_step: i64,
}

pub async fn secret(conn: &mut Conn, user: UserId) -> sqlx::Result<Option<Secret>> {
    on!(conn, |c| sqlx::query_as(
        "SELECT sealed_secret, confirmed_at IS NOT NULL AS confirmed, last_step
         FROM two_step_secrets WHERE user_id = $1",
    )
    .bind(user)
    .fetch_optional(c)
    .await)
}

/// Keeps a new, unconfirmed secret; `false` when the account has a confirmed one (which a
/// new enrolment never replaces: it must be turned off first).
pub async fn begin(conn: &mut Conn, user: UserId, sealed: &str) -> sqlx::Result<bool> {
    let changed = on!(execute conn, |c| sqlx::query(
        "INSERT INTO two_step_secrets (user_id, sealed_secret, created_at, last_step)
         VALUES ($1, $2, $3, 0)
         ON CONFLICT (user_id) DO UPDATE
             SET sealed_secret = excluded.sealed_secret, created_at = excluded.created_at, last_step = 0
             WHERE two_step_secrets.confirmed_at IS NULL",
    )
    .bind(user)
    .bind(sealed)
    .bind(now())
    .execute(c)
    .await)?;
    Ok(changed == 1)
}

/// Confirms the unconfirmed secret with the time step of the code that proved it.
pub async fn confirm(conn: &mut Conn, user: UserId, step: i64) -> sqlx::Result<bool> {
    let changed = on!(execute conn, |c| sqlx::query(
        "UPDATE two_step_secrets SET confirmed_at = $2, last_step = $3
         WHERE user_id = $1 AND confirmed_at IS NULL",
    )
    .bind(user)
    .bind(now())
    .bind(step)
    .execute(c)
    .await)?;
    Ok(changed == 1)
}

/// Takes the code of time step `step`: `false` when a code of this step or a later one was
/// already taken (a code is accepted once, even by two sign-ins racing).
pub async fn take_step(conn: &mut Conn, user: UserId, step: i64) -> sqlx::Result<bool> {
    let changed = on!(execute conn, |c| sqlx::query(
        "UPDATE two_step_secrets SET last_step = $2
         WHERE user_id = $1 AND confirmed_at IS NOT NULL AND last_step < $2",
    )
    .bind(user)
    .bind(step)
    .execute(c)
    .await)?;
    Ok(changed == 1)
}

/// Forgets the secret and the recovery codes; `true` when there was a confirmed secret.
pub async fn remove(conn: &mut Conn, user: UserId) -> sqlx::Result<bool> {
    on!(execute conn, |c| sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user)
        .execute(c)
        .await)?;
    let confirmed: Option<bool> = on!(conn, |c| sqlx::query_scalar(
        "DELETE FROM two_step_secrets WHERE user_id = $1 RETURNING confirmed_at IS NOT NULL"
    )
    .bind(user)
    .fetch_optional(c)
    .await)?;
    Ok(confirmed == Some(true))
}

/// Replaces the account's recovery codes with these hashes.
pub async fn replace_recovery_codes(
    conn: &mut Conn,
    user: UserId,
    hashes: &[String],
) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user)
        .execute(c)
        .await)?;
    let at = now();
    for hash in hashes {
        on!(execute conn, |c| sqlx::query(
            "INSERT INTO recovery_codes (code_hash, user_id, created_at) VALUES ($1, $2, $3)"
        )
        .bind(hash)
        .bind(user)
        .bind(&at)
        .execute(c)
        .await)?;
    }
    Ok(())
}

/// Uses up a recovery code: `false` when the account has no unused code with this hash.
pub async fn use_recovery_code(conn: &mut Conn, user: UserId, hash: &str) -> sqlx::Result<bool> {
    let changed = on!(execute conn, |c| sqlx::query(
        "UPDATE recovery_codes SET used_at = $3
         WHERE code_hash = $1 AND user_id = $2 AND used_at IS NULL",
    )
    .bind(hash)
    .bind(user)
    .bind(now())
    .execute(c)
    .await)?;
    Ok(changed == 1)
}

pub async fn recovery_codes_left(conn: &mut Conn, user: UserId) -> sqlx::Result<i64> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL"
    )
    .bind(user)
    .fetch_one(c)
    .await)
}

/// The person's active memberships in organizations that require two-step sign-in, while
/// the account has not enrolled (empty once it has): where a manage permission obliges them
/// to enrol. One read, made on every console request.
pub async fn unmet_requirements(conn: &mut Conn, user: UserId) -> sqlx::Result<Vec<MembershipId>> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT m.id FROM memberships m JOIN organizations o ON o.id = m.organization_id
         WHERE m.user_id = $1 AND m.status = 'active' AND o.require_two_step
           AND NOT EXISTS (SELECT 1 FROM two_step_secrets t
                           WHERE t.user_id = m.user_id AND t.confirmed_at IS NOT NULL)",
    )
    .bind(user)
    .fetch_all(c)
    .await)
}

/// The names of the person's organizations that require two-step sign-in.
pub async fn requiring_organizations(
    conn: &mut Conn,
    user: UserId,
) -> sqlx::Result<Vec<(MembershipId, String)>> {
    on!(conn, |c| sqlx::query_as(
        "SELECT m.id, o.name FROM memberships m JOIN organizations o ON o.id = m.organization_id
         WHERE m.user_id = $1 AND m.status = 'active' AND o.require_two_step
         ORDER BY lower(o.name)",
    )
    .bind(user)
    .fetch_all(c)
    .await)
}

pub async fn required(conn: &mut Conn, organization: OrganizationId) -> sqlx::Result<bool> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT require_two_step FROM organizations WHERE id = $1"
    )
    .bind(organization)
    .fetch_one(c)
    .await)
}

pub async fn set_required(
    conn: &mut Conn,
    organization: OrganizationId,
    required: bool,
) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "UPDATE organizations SET require_two_step = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(organization)
    .bind(required)
    .bind(now())
    .execute(c)
    .await)?;
    Ok(())
}

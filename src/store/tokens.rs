//! Secrets stored only as SHA-256 hashes: API tokens and the one-time links mailed to people.

use super::sql::{DirectRow, direct};
use super::{Conn, Sql, now};
use crate::domain::me::ApiClientEntry;
use crate::domain::model::{ClientKind, display_name};
use crate::domain::{
    Access, MembershipId, OrganizationId, OutletId, Permission, RoleId, TokenId, UserId,
};

/// An active API token's grant.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiTokenGrant {
    pub id: TokenId,
    pub organization_id: OrganizationId,
    pub outlet_id: Option<OutletId>,
    pub last_used_at: Option<String>,
    /// A SCIM connection's role and outlet for the people it creates.
    pub scim_role_id: Option<RoleId>,
    pub scim_outlet_id: Option<OutletId>,
}

/// A client to insert: what it is, its role (at its outlet), and for a SCIM connection the
/// role and outlet of the people it creates.
pub struct NewClient<'a> {
    pub kind: ClientKind,
    pub organization: OrganizationId,
    pub role: RoleId,
    pub outlet: Option<OutletId>,
    pub name: &'a str,
    pub token_hash: &'a str,
    pub created_by: Option<UserId>,
    pub scim_role: Option<RoleId>,
    pub scim_outlet: Option<OutletId>,
}

pub async fn insert_api_token(conn: &mut Conn, new: NewClient<'_>) -> sqlx::Result<TokenId> {
    let id = TokenId::generate();
    on!(execute conn, |c| {
        sqlx::query(
        "INSERT INTO api_tokens (id, organization_id, role_id, outlet_id, name, token_hash, created_at,
             created_by, kind, scim_role_id, scim_outlet_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id)
    .bind(new.organization)
    .bind(new.role)
    .bind(new.outlet)
    .bind(new.name)
    .bind(new.token_hash)
    .bind(now())
    .bind(new.created_by)
    .bind(new.kind)
    .bind(new.scim_role)
    .bind(new.scim_outlet)
    .execute(c)
    .await
    })?;
    Ok(id)
}

/// The grant of a token that exists, is not revoked, and whose role the organization is
/// still offered (a brand role stops working when the franchise link ends).
/// An active token's grant and the access it gives, in one read of one row (every API and
/// SCIM request makes it; on SQLite each row returned crosses from the database's thread, so
/// the role's permissions come aggregated): its role's permissions at its outlet, or nothing
/// when that outlet is archived.
pub async fn active_api_client(
    conn: &mut Conn,
    token_hash: &str,
    kind: ClientKind,
) -> sqlx::Result<Option<(ApiTokenGrant, Access)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        grant: ApiTokenGrant,
        permissions: Option<String>,
        outlet_archived: bool,
    }
    /// The columns in the statement's order.
    impl DirectRow for Row {
        fn from_direct(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
            Ok(Self {
                grant: ApiTokenGrant {
                    id: direct::id(row, 0)?,
                    organization_id: direct::id(row, 1)?,
                    outlet_id: direct::optional_id(row, 2)?,
                    last_used_at: row.get(3)?,
                    scim_role_id: direct::optional_id(row, 4)?,
                    scim_outlet_id: direct::optional_id(row, 5)?,
                },
                permissions: row.get(6)?,
                outlet_archived: row.get(7)?,
            })
        }
    }
    let aggregate = match conn.backend() {
        super::Backend::Sqlite => "group_concat(p.permission, ',')",
        super::Backend::Postgres => "string_agg(p.permission, ',')",
    };
    let row: Option<Row> = Sql::new(format!(
        "SELECT t.id, t.organization_id, t.outlet_id, t.last_used_at, t.scim_role_id,
                t.scim_outlet_id, {aggregate} AS permissions,
                o.archived_at IS NOT NULL AS outlet_archived
         FROM api_tokens t JOIN roles r ON r.id = t.role_id
         LEFT JOIN role_permissions p ON p.role_id = t.role_id
         LEFT JOIN outlets o ON o.id = t.outlet_id
         WHERE t.token_hash = $1 AND t.kind = $2 AND t.revoked_at IS NULL AND {}
         GROUP BY t.id, o.archived_at",
        super::catalog::offered_to("r", "t.organization_id")
    ))
    .bind(token_hash)
    .bind(kind)
    .fetch_optional_read(conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let access = if row.outlet_archived {
        Access::default()
    } else {
        let at = row.grant.outlet_id;
        // A permission this build does not know fails loudly, as `text_enum!` decoding does.
        let held = row
            .permissions
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .filter(|name| !name.is_empty())
            .map(|name| {
                name.parse::<Permission>()
                    .map(|p| (at, Some(p)))
                    .map_err(|_| sqlx::Error::Decode(format!("unknown permission {name:?}").into()))
            })
            .collect::<sqlx::Result<Vec<_>>>()?;
        Access::from_grants(std::iter::once((at, None)).chain(held))
    };
    Ok(Some((row.grant, access)))
}

pub async fn mark_api_token_used(conn: &mut Conn, id: TokenId) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(now())
    .execute(c)
    .await)?;
    Ok(())
}

/// Revokes an active token; returns its organization, or `None` when there was no such
/// active token.
pub async fn revoke_api_token(
    conn: &mut Conn,
    id: TokenId,
) -> sqlx::Result<Option<OrganizationId>> {
    on!(conn, |c| sqlx::query_scalar(
        "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL
         RETURNING organization_id",
    )
    .bind(id)
    .bind(now())
    .fetch_optional(c)
    .await)
}

/// An API token as an administrator sees it (never the secret).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiTokenListing {
    pub id: TokenId,
    pub kind: ClientKind,
    pub name: String,
    pub role: String,
    pub outlet: Option<String>,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

pub async fn list_api_tokens(
    conn: &mut Conn,
    organization: OrganizationId,
) -> sqlx::Result<Vec<ApiTokenListing>> {
    on!(conn, |c| {
        sqlx::query_as(
        "SELECT t.id, t.kind, t.name, r.name AS role, o.number AS outlet, t.created_at, t.last_used_at, t.revoked_at
         FROM api_tokens t JOIN roles r ON r.id = t.role_id LEFT JOIN outlets o ON o.id = t.outlet_id
         WHERE t.organization_id = $1 ORDER BY t.id",
    )
    .bind(organization)
    .fetch_all(c)
    .await
    })
}

/// The organization's API clients as the console lists them, newest first; `only` picks one.
pub async fn api_clients(
    conn: &mut Conn,
    organization: OrganizationId,
    kind: ClientKind,
    only: Option<TokenId>,
) -> sqlx::Result<Vec<ApiClientEntry>> {
    let rows: Vec<ClientRow> = on!(conn, |c| {
        sqlx::query_as(
        "SELECT t.id, t.name, r.name AS role, o.name AS outlet, a.first_name, a.last_name, a.email,
            t.created_at, t.last_used_at, t.revoked_at, sr.name AS people_role,
            so.name AS people_outlet
         FROM api_tokens t JOIN roles r ON r.id = t.role_id
         LEFT JOIN outlets o ON o.id = t.outlet_id
         LEFT JOIN user_accounts a ON a.id = t.created_by
         LEFT JOIN roles sr ON sr.id = t.scim_role_id
         LEFT JOIN outlets so ON so.id = t.scim_outlet_id
         WHERE t.organization_id = $1 AND t.kind = $3 AND ($2 IS NULL OR t.id = $2)
         ORDER BY t.id DESC",
    )
    .bind(organization)
    .bind(only)
    .bind(kind)
    .fetch_all(c)
    .await
    })?;
    Ok(rows.into_iter().map(ApiClientEntry::from).collect())
}

#[derive(sqlx::FromRow)]
struct ClientRow {
    id: TokenId,
    name: String,
    role: String,
    outlet: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    created_at: String,
    last_used_at: Option<String>,
    revoked_at: Option<String>,
    people_role: Option<String>,
    people_outlet: Option<String>,
}

impl From<ClientRow> for ApiClientEntry {
    fn from(row: ClientRow) -> Self {
        let created_by = row.email.map(|email| {
            display_name(
                row.first_name.as_deref().unwrap_or_default(),
                row.last_name.as_deref().unwrap_or_default(),
                &email,
            )
        });
        ApiClientEntry {
            id: row.id,
            name: row.name,
            role: row.role,
            outlet: row.outlet,
            created_by,
            created_at: row.created_at,
            last_used_at: row.last_used_at,
            revoked_at: row.revoked_at,
            people_start: row
                .people_role
                .zip(row.people_outlet)
                .map(|(role, outlet)| format!("{role} at {outlet}")),
        }
    }
}

/// Revokes an active token of the organization; `false` when there is no such active token.
pub async fn revoke_in(
    conn: &mut Conn,
    organization: OrganizationId,
    id: TokenId,
) -> sqlx::Result<bool> {
    let done = on!(execute conn, |c| {
        sqlx::query(
        "UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND organization_id = $2 AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(organization)
    .bind(now())
    .execute(c)
    .await
    })?;
    Ok(done == 1)
}

/// A token's name and creation time (what `GET /me` says of an API client).
pub async fn api_client_facts(
    conn: &mut Conn,
    id: TokenId,
) -> sqlx::Result<Option<(String, String)>> {
    on!(conn, |c| sqlx::query_as(
        "SELECT name, created_at FROM api_tokens WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)
}

/// The one-time links mailed to a person, each kind in its own table; only a link's SHA-256
/// hash is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailedLink {
    /// Verifies the address and sets a first password: it never replaces a password.
    Verification,
    /// Sets a new password for someone who forgot theirs.
    PasswordReset,
}

impl MailedLink {
    fn table(self) -> &'static str {
        match self {
            Self::Verification => "verification_tokens",
            Self::PasswordReset => "password_reset_links",
        }
    }

    /// What must hold of the account (and of the link, `l`), besides the link being unused
    /// and unexpired.
    fn account_condition(self) -> &'static str {
        match self {
            Self::Verification => "AND a.password_hash IS NULL AND l.revoked_at IS NULL",
            Self::PasswordReset => "",
        }
    }

    /// The open links of the kind (a revoked invitation stays revoked, not used).
    fn open_condition(self) -> &'static str {
        match self {
            Self::Verification => "AND revoked_at IS NULL",
            Self::PasswordReset => "",
        }
    }
}

/// Stores a link (its hash) of `kind` for the account.
pub async fn insert_link(
    conn: &mut Conn,
    kind: MailedLink,
    user: UserId,
    token_hash: &str,
    expires_at: &str,
) -> sqlx::Result<()> {
    let sql = format!(
        "INSERT INTO {} (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        kind.table()
    );
    on!(execute conn, |c| sqlx::query(&sql)
        .bind(token_hash)
        .bind(user)
        .bind(now())
        .bind(expires_at)
        .execute(c)
        .await)?;
    Ok(())
}

/// Stores an invitation: a verification link sent for a membership.
pub async fn insert_invitation(
    conn: &mut Conn,
    membership: MembershipId,
    user: UserId,
    token_hash: &str,
    at: &str,
    expires_at: &str,
) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "INSERT INTO verification_tokens (token_hash, user_id, membership_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(token_hash)
    .bind(user)
    .bind(membership)
    .bind(at)
    .bind(expires_at)
    .execute(c)
    .await)?;
    Ok(())
}

/// A membership's latest invitation, as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvitationRow {
    pub membership_id: MembershipId,
    pub created_at: String,
    pub expires_at: String,
    pub used_at: Option<String>,
    pub revoked_at: Option<String>,
    pub has_password: bool,
}

/// The latest invitation of each of these memberships that has one.
pub async fn latest_invitations(
    conn: &mut Conn,
    memberships: &[MembershipId],
) -> sqlx::Result<Vec<InvitationRow>> {
    if memberships.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = super::Sql::new(
        "SELECT v.membership_id, v.created_at, v.expires_at, v.used_at, v.revoked_at,
            a.password_hash IS NOT NULL AS has_password
         FROM verification_tokens v JOIN user_accounts a ON a.id = v.user_id
         WHERE v.created_at = (SELECT MAX(w.created_at) FROM verification_tokens w
                               WHERE w.membership_id = v.membership_id)
           AND ",
    );
    super::push_in(&mut query, "v.membership_id", memberships);
    query.fetch_all(conn).await
}

/// Revokes the membership's open invitations; how many there were.
pub async fn revoke_invitations(
    conn: &mut Conn,
    membership: MembershipId,
    at: &str,
) -> sqlx::Result<u64> {
    on!(execute conn, |c| sqlx::query(
        "UPDATE verification_tokens SET revoked_at = $2
         WHERE membership_id = $1 AND used_at IS NULL AND revoked_at IS NULL"
    )
    .bind(membership)
    .bind(at)
    .execute(c)
    .await)
}

/// The account and email of an unused, unexpired link of `kind` (for a verification link, of
/// an account with no password yet).
pub async fn usable_link(
    conn: &mut Conn,
    kind: MailedLink,
    token_hash: &str,
    now: time::OffsetDateTime,
) -> sqlx::Result<Option<(UserId, String)>> {
    let sql = format!(
        "SELECT a.id, a.email FROM {} l JOIN user_accounts a ON a.id = l.user_id
         WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2 {}",
        kind.table(),
        kind.account_condition()
    );
    on!(conn, |c| sqlx::query_as(&sql)
        .bind(token_hash)
        .bind(super::format_timestamp(now))
        .fetch_optional(c)
        .await)
}

/// Uses up every open link of `kind` of the account.
pub async fn use_up_links(conn: &mut Conn, kind: MailedLink, user: UserId) -> sqlx::Result<()> {
    let sql = format!(
        "UPDATE {} SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL {}",
        kind.table(),
        kind.open_condition()
    );
    on!(execute conn, |c| sqlx::query(&sql)
        .bind(user)
        .bind(now())
        .execute(c)
        .await)?;
    Ok(())
}

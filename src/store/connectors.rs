//! User connectors: the unit of access (membership x scope x role), with the accounts and
//! memberships they hang on. Reads take a policy `Scope`; writes take a transaction.

use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool};
use uuid::Uuid;

use super::{like_fragment, new_id, now, push_outlet_scope};
use crate::domain::Scope;
use crate::domain::model::{Connector, ConnectorType, ConnectorUser, OutletRef, RoleRef};

/// Parsed filters of the connector list.
#[derive(Debug, Clone, Default)]
pub struct ConnectorFilter {
    pub connector_type: Option<ConnectorType>,
    pub email: Option<String>,
    pub role_id: Option<Uuid>,
    pub outlet_id: Option<Uuid>,
    /// Normalised timestamp (see `store::format_timestamp`).
    pub modified_since: Option<String>,
}

const SELECT: &str =
    "SELECT c.id, c.type, c.outlet_id, c.membership_id, c.created_at, c.updated_at,
        a.id AS user_id, a.email, a.username, a.first_name, a.last_name,
        r.id AS role_id, r.name AS role_name, r.type AS role_type,
        o.name AS outlet_name, o.number AS outlet_number
    FROM user_connectors c
    JOIN memberships m ON m.id = c.membership_id
    JOIN user_accounts a ON a.id = m.user_id
    JOIN roles r ON r.id = c.role_id
    LEFT JOIN outlets o ON o.id = c.outlet_id
    WHERE c.organization_id = ";

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    #[sqlx(rename = "type")]
    connector_type: String,
    outlet_id: Option<Uuid>,
    membership_id: Uuid,
    created_at: String,
    updated_at: String,
    user_id: Uuid,
    email: String,
    username: String,
    first_name: String,
    last_name: String,
    role_id: Uuid,
    role_name: String,
    role_type: String,
    outlet_name: Option<String>,
    outlet_number: Option<String>,
}

fn kind(text: &str) -> ConnectorType {
    ConnectorType::parse(text).unwrap_or(ConnectorType::Outlet)
}

impl Row {
    fn into_stored(self) -> StoredConnector {
        let outlet = match (self.outlet_id, self.outlet_name, self.outlet_number) {
            (Some(id), Some(name), Some(number)) => Some(OutletRef { id, name, number }),
            _ => None,
        };
        StoredConnector {
            membership_id: self.membership_id,
            connector: Connector {
                id: self.id,
                connector_type: kind(&self.connector_type),
                user: ConnectorUser {
                    id: self.user_id,
                    email: self.email,
                    username: self.username,
                    first_name: self.first_name,
                    last_name: self.last_name,
                },
                role: RoleRef {
                    id: self.role_id,
                    name: self.role_name,
                    role_type: kind(&self.role_type),
                },
                outlet,
                created_at: self.created_at,
                updated_at: self.updated_at,
            },
        }
    }
}

/// A connector with what writes need besides its public shape.
#[derive(Debug, Clone)]
pub struct StoredConnector {
    pub connector: Connector,
    pub membership_id: Uuid,
}

/// The list query; `prefix` is empty, or `EXPLAIN QUERY PLAN ` to see how it runs.
fn list_query<'a>(
    prefix: &str,
    organization_id: Uuid,
    scope: &Scope,
    filter: &ConnectorFilter,
    after: Option<Uuid>,
    limit: u32,
) -> QueryBuilder<'a, Sqlite> {
    let mut query = QueryBuilder::new(format!("{prefix}{SELECT}"));
    query.push_bind(organization_id);
    push_outlet_scope(&mut query, "c.outlet_id", scope);
    if let Some(kind) = filter.connector_type {
        query.push(" AND c.type = ").push_bind(kind.as_str());
    }
    if let Some(role) = filter.role_id {
        query.push(" AND c.role_id = ").push_bind(role);
    }
    if let Some(outlet) = filter.outlet_id {
        query.push(" AND c.outlet_id = ").push_bind(outlet);
    }
    if let Some(since) = &filter.modified_since {
        query.push(" AND c.updated_at >= ").push_bind(since.clone());
    }
    if let Some(email) = &filter.email {
        query
            .push(" AND a.email LIKE ")
            .push_bind(like_fragment(&email.to_lowercase()))
            .push(" ESCAPE '\\'");
    }
    if let Some(after) = after {
        query.push(" AND c.id > ").push_bind(after);
    }
    query
        .push(" ORDER BY c.id LIMIT ")
        .push_bind(i64::from(limit));
    query
}

/// One keyset page: connectors after `after` (by id), at most `limit`.
pub async fn list(
    pool: &SqlitePool,
    organization_id: Uuid,
    scope: &Scope,
    filter: &ConnectorFilter,
    after: Option<Uuid>,
    limit: u32,
) -> sqlx::Result<Vec<StoredConnector>> {
    let rows: Vec<Row> = list_query("", organization_id, scope, filter, after, limit)
        .build_query_as()
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(Row::into_stored).collect())
}

/// `EXPLAIN QUERY PLAN` of the list query, one detail line per step (tests check index use).
pub async fn explain_list(
    pool: &SqlitePool,
    organization_id: Uuid,
    scope: &Scope,
    filter: &ConnectorFilter,
    after: Option<Uuid>,
) -> sqlx::Result<Vec<String>> {
    let rows: Vec<(i64, i64, i64, String)> = list_query(
        "EXPLAIN QUERY PLAN ",
        organization_id,
        scope,
        filter,
        after,
        50,
    )
    .build_query_as()
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(_, _, _, detail)| detail).collect())
}

/// One connector of the organization (scope is checked by the caller of the service).
pub async fn get(
    conn: &mut SqliteConnection,
    organization_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<StoredConnector>> {
    let row: Option<Row> = sqlx::query_as(&format!("{SELECT}?1 AND c.id = ?2"))
        .bind(organization_id)
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(Row::into_stored))
}

/// An account by email (emails are stored lower-cased; NOCASE also covers old data).
pub async fn account_by_email(
    conn: &mut SqliteConnection,
    email: &str,
) -> sqlx::Result<Option<(Uuid, String, String)>> {
    sqlx::query_as("SELECT id, first_name, last_name FROM user_accounts WHERE email = ?1")
        .bind(email)
        .fetch_optional(conn)
        .await
}

/// Creates an account with no password (it is set through the verification link).
pub async fn insert_account(
    conn: &mut SqliteConnection,
    email: &str,
    username: &str,
    first_name: &str,
    last_name: &str,
) -> sqlx::Result<Uuid> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO user_accounts (id, email, username, first_name, last_name, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )
    .bind(id)
    .bind(email)
    .bind(username)
    .bind(first_name)
    .bind(last_name)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(id)
}

/// Whether a username is taken (case-insensitively).
pub async fn username_taken(conn: &mut SqliteConnection, username: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM user_accounts WHERE username = ?1)")
        .bind(username)
        .fetch_one(conn)
        .await
}

pub async fn update_account_names(
    conn: &mut SqliteConnection,
    user_id: Uuid,
    first_name: Option<&str>,
    last_name: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE user_accounts SET first_name = coalesce(?2, first_name), last_name = coalesce(?3, last_name),
         updated_at = ?4 WHERE id = ?1",
    )
    .bind(user_id)
    .bind(first_name)
    .bind(last_name)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(())
}

/// The membership of a person in the organization, created (active) when missing.
/// Returns `(membership id, created now)`.
pub async fn ensure_membership(
    conn: &mut SqliteConnection,
    organization_id: Uuid,
    user_id: Uuid,
    managed_by: &str,
    managed_by_brand: Option<Uuid>,
    default_outlet: Option<Uuid>,
) -> sqlx::Result<(Uuid, bool)> {
    let existing: Option<Uuid> = sqlx::query_scalar(
        "SELECT id FROM memberships WHERE organization_id = ?1 AND user_id = ?2",
    )
    .bind(organization_id)
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = existing {
        return Ok((id, false));
    }
    let id = new_id();
    sqlx::query(
        "INSERT INTO memberships (id, organization_id, user_id, managed_by, managed_by_brand_id, default_outlet_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    )
    .bind(id)
    .bind(organization_id)
    .bind(user_id)
    .bind(managed_by)
    .bind(managed_by_brand)
    .bind(default_outlet)
    .bind(now())
    .execute(conn)
    .await?;
    Ok((id, true))
}

pub async fn insert(
    conn: &mut SqliteConnection,
    organization_id: Uuid,
    membership_id: Uuid,
    connector_type: ConnectorType,
    outlet_id: Option<Uuid>,
    role_id: Uuid,
) -> sqlx::Result<Uuid> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO user_connectors (id, organization_id, membership_id, type, outlet_id, role_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    )
    .bind(id)
    .bind(organization_id)
    .bind(membership_id)
    .bind(connector_type.as_str())
    .bind(outlet_id)
    .bind(role_id)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(id)
}

/// Sets a connector's role and outlet (its type never changes) and marks it modified.
pub async fn update(
    conn: &mut SqliteConnection,
    id: Uuid,
    role_id: Uuid,
    outlet_id: Option<Uuid>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE user_connectors SET role_id = ?2, outlet_id = ?3, updated_at = ?4 WHERE id = ?1",
    )
    .bind(id)
    .bind(role_id)
    .bind(outlet_id)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks every connector of an account modified (its names changed), so incremental sync
/// with `modified_since` sees the change.
pub async fn touch_for_account(conn: &mut SqliteConnection, user_id: Uuid) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE user_connectors SET updated_at = ?2
         WHERE membership_id IN (SELECT id FROM memberships WHERE user_id = ?1)",
    )
    .bind(user_id)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete(conn: &mut SqliteConnection, id: Uuid) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM user_connectors WHERE id = ?1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

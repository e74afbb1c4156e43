//! SCIM's reads and the few writes that are SCIM's own: the organization's people as SCIM
//! Users (`userName` is the username the organization sees, else the email), a filter turned
//! into SQL (equality on `userName`, `emails` and `externalId` through their indexes), the
//! external id, and the mark of a membership an identity provider deleted.

use super::sql::{DirectRow, direct};
use super::{
    Conn, Sql, VISIBLE_FIRST_NAME, VISIBLE_LAST_NAME, VISIBLE_MOBILE, VISIBLE_USERNAME,
    like_escaped, now, push_outlet_scope,
};
use crate::domain::model::MembershipStatus;
use crate::domain::scim::filter::{Attribute, Condition, Operator};
use crate::domain::{ConnectorId, MembershipId, OrganizationId, OutletId, RoleId, Scope, UserId};

/// A membership as a SCIM User.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ScimRow {
    pub membership_id: MembershipId,
    pub user_id: UserId,
    pub user_name: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub mobile: Option<String>,
    pub status: MembershipStatus,
    pub external_id: Option<String>,
    pub default_outlet_id: Option<OutletId>,
    pub created_at: String,
    pub updated_at: String,
}

/// The columns in [`columns`]' order.
impl DirectRow for ScimRow {
    fn from_direct(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            membership_id: direct::id(row, 0)?,
            user_id: direct::id(row, 1)?,
            user_name: row.get(2)?,
            email: row.get(3)?,
            first_name: row.get(4)?,
            last_name: row.get(5)?,
            mobile: row.get(6)?,
            status: direct::parsed(row, 7)?,
            external_id: row.get(8)?,
            default_outlet_id: direct::optional_id(row, 9)?,
            created_at: row.get(10)?,
            updated_at: row.get(11)?,
        })
    }
}

fn user_name() -> String {
    format!("coalesce({VISIBLE_USERNAME}, a.email)")
}

/// `… FROM … WHERE` the organization's memberships inside `scope` that SCIM has not deleted.
fn from(organization: OrganizationId, scope: &Scope, select: &str) -> Sql {
    let mut query = Sql::new(format!(
        "SELECT {select}
         FROM memberships m JOIN user_accounts a ON a.id = m.user_id
         WHERE m.scim_removed_at IS NULL AND m.organization_id = "
    ));
    query.push_bind(organization);
    if !matches!(scope, Scope::Organization) {
        query.push(" AND EXISTS (SELECT 1 FROM user_connectors sc WHERE sc.membership_id = m.id");
        push_outlet_scope(&mut query, "sc.outlet_id", scope);
        query.push(")");
    }
    query
}

fn columns() -> String {
    format!(
        "m.id AS membership_id, a.id AS user_id, {} AS user_name, a.email,
         {VISIBLE_FIRST_NAME} AS first_name, {VISIBLE_LAST_NAME} AS last_name,
         {VISIBLE_MOBILE} AS mobile, m.status, m.external_id, m.default_outlet_id,
         m.created_at, m.updated_at",
        user_name()
    )
}

/// The column a filter's attribute reads.
fn column(attribute: Attribute) -> String {
    match attribute {
        Attribute::Id => "m.user_id".into(),
        Attribute::UserName => user_name(),
        Attribute::ExternalId => "m.external_id".into(),
        Attribute::Email => "a.email".into(),
        Attribute::GivenName => format!("({VISIBLE_FIRST_NAME})"),
        Attribute::FamilyName => format!("({VISIBLE_LAST_NAME})"),
        Attribute::Active => "m.status".into(),
        // A Group's attribute: no User has it.
        Attribute::DisplayName => "NULL".into(),
    }
}

/// `condition` as SQL on `query`. Equality on `userName` and `emails` first narrows to the
/// accounts found through their lower-case unique indexes, on `externalId` through the
/// organization's index; other comparisons test the organization's members.
fn push_condition(query: &mut Sql, condition: &Condition) {
    match condition {
        Condition::Always => {
            query.push("1 = 1");
        }
        Condition::Active(active) => {
            query.push("m.status = ").push_bind(if *active {
                MembershipStatus::Active
            } else {
                MembershipStatus::Inactive
            });
        }
        Condition::Present(attribute) => {
            let column = column(*attribute);
            query.push(format!("({column} IS NOT NULL"));
            if *attribute != Attribute::Id && *attribute != Attribute::Active {
                query.push(format!(" AND {column} <> ''"));
            }
            query.push(")");
        }
        Condition::Compare(Attribute::Id, operator, value) => {
            let id = UserId::parse(value);
            match (operator, id) {
                (Operator::Eq, Some(id)) => {
                    query.push("m.user_id = ").push_bind(id);
                }
                (Operator::Ne, Some(id)) => {
                    query.push("m.user_id <> ").push_bind(id);
                }
                (Operator::Ne, None) => {
                    query.push("1 = 1");
                }
                _ => {
                    query.push("1 = 0");
                }
            }
        }
        Condition::Compare(attribute, operator, value) => {
            let column = column(*attribute);
            let (left, lower) = if attribute.ignores_case() {
                (format!("lower({column})"), value.to_lowercase())
            } else {
                (column.clone(), value.clone())
            };
            match operator {
                Operator::Eq => {
                    query.push("(");
                    match attribute {
                        Attribute::UserName => {
                            query
                                .push("m.user_id IN (SELECT id FROM user_accounts WHERE lower(username) = ")
                                .push_bind(lower.clone())
                                .push(" UNION ALL SELECT id FROM user_accounts WHERE lower(email) = ")
                                .push_bind(lower.clone())
                                .push(") AND ");
                        }
                        Attribute::Email => {
                            query
                                .push("m.user_id IN (SELECT id FROM user_accounts WHERE lower(email) = ")
                                .push_bind(lower.clone())
                                .push(") AND ");
                        }
                        _ => {}
                    }
                    query.push(format!("{left} = ")).push_bind(lower).push(")");
                }
                Operator::Ne => {
                    query
                        .push(format!("({column} IS NULL OR {left} <> "))
                        .push_bind(lower)
                        .push(")");
                }
                Operator::Contains | Operator::StartsWith | Operator::EndsWith => {
                    let escaped = like_escaped(&value.to_lowercase());
                    let pattern = match operator {
                        Operator::Contains => format!("%{escaped}%"),
                        Operator::StartsWith => format!("{escaped}%"),
                        _ => format!("%{escaped}"),
                    };
                    query
                        .push(format!("lower({column}) LIKE "))
                        .push_bind(pattern)
                        .push(" ESCAPE '\\'");
                }
            }
        }
        Condition::And(items) | Condition::Or(items) => {
            let joiner = if matches!(condition, Condition::And(_)) {
                " AND "
            } else {
                " OR "
            };
            query.push("(");
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    query.push(joiner);
                }
                push_condition(query, item);
            }
            query.push(")");
        }
        Condition::Not(inner) => {
            query.push("NOT (");
            push_condition(query, inner);
            query.push(")");
        }
    }
}

/// One page of the organization's users matching `condition`, by user id (a stable order),
/// starting at `offset`, and how many match in all. A first page shorter than asked is all
/// there is, so a lookup (`userName eq`, what identity providers send before each create) runs
/// one query, not two.
pub async fn list(
    conn: &mut Conn,
    organization: OrganizationId,
    scope: &Scope,
    condition: Option<&Condition>,
    offset: u64,
    count: u64,
) -> sqlx::Result<(i64, Vec<ScimRow>)> {
    let filtered = |select: &str| {
        let mut query = from(organization, scope, select);
        if let Some(condition) = condition {
            query.push(" AND ");
            push_condition(&mut query, condition);
        }
        query
    };
    let rows: Vec<ScimRow> = if count == 0 {
        Vec::new()
    } else {
        let mut query = filtered(&columns());
        query
            .push(" ORDER BY m.user_id LIMIT ")
            .push_bind(i64::try_from(count).unwrap_or(i64::MAX))
            .push(" OFFSET ")
            .push_bind(i64::try_from(offset).unwrap_or(i64::MAX));
        query.fetch_all_read(conn).await?
    };
    let total = if offset == 0 && (rows.len() as u64) < count {
        i64::try_from(rows.len()).unwrap_or(i64::MAX)
    } else {
        filtered("count(*)").scalar(conn).await?
    };
    Ok((total, rows))
}

/// One user of the organization inside `scope`, unless SCIM deleted them.
pub async fn get(
    conn: &mut Conn,
    organization: OrganizationId,
    scope: &Scope,
    user: UserId,
) -> sqlx::Result<Option<ScimRow>> {
    let mut query = from(organization, scope, &columns());
    query.push(" AND m.user_id = ").push_bind(user);
    query.fetch_optional(conn).await
}

/// Marks (or unmarks, `false`) a membership as deleted by its identity provider.
pub async fn set_removed(
    conn: &mut Conn,
    membership: MembershipId,
    removed: bool,
) -> sqlx::Result<()> {
    let at = removed.then(now);
    on!(execute conn, |c| sqlx::query(
        "UPDATE memberships SET scim_removed_at = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(membership)
    .bind(at.clone())
    .bind(now())
    .execute(c)
    .await)?;
    Ok(())
}

/// The membership of the organization that SCIM deleted, of the account with this email.
pub async fn removed_member(
    conn: &mut Conn,
    organization: OrganizationId,
    email: &str,
) -> sqlx::Result<Option<UserId>> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT m.user_id FROM memberships m JOIN user_accounts a ON a.id = m.user_id
         WHERE m.organization_id = $1 AND lower(a.email) = lower($2)
           AND m.scim_removed_at IS NOT NULL"
    )
    .bind(organization)
    .bind(email)
    .fetch_optional(c)
    .await)
}

/// The members of a SCIM Group (a role): the people of the organization inside `scope`, not
/// deleted by SCIM, holding the role across the organization (`library`) or at their default
/// outlet; by user id.
pub async fn group_members(
    conn: &mut Conn,
    organization: OrganizationId,
    scope: &Scope,
    role: RoleId,
    library: bool,
) -> sqlx::Result<Vec<UserId>> {
    let mut query = from(organization, scope, "a.id");
    query
        .push(" AND EXISTS (SELECT 1 FROM user_connectors g WHERE g.membership_id = m.id AND g.role_id = ")
        .push_bind(role)
        .push(if library {
            " AND g.outlet_id IS NULL)"
        } else {
            " AND g.outlet_id = m.default_outlet_id)"
        })
        .push(" ORDER BY m.user_id");
    query.scalars(conn).await
}

/// The connector granting `role` to a membership at `outlet` (`None`: across the
/// organization), if there is one.
pub async fn grant_of(
    conn: &mut Conn,
    membership: MembershipId,
    role: RoleId,
    outlet: Option<OutletId>,
) -> sqlx::Result<Option<ConnectorId>> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT id FROM user_connectors
         WHERE membership_id = $1 AND role_id = $2
           AND (outlet_id = $3 OR ($3 IS NULL AND outlet_id IS NULL))"
    )
    .bind(membership)
    .bind(role)
    .bind(outlet)
    .fetch_optional(c)
    .await)
}

/// When a role was defined and last changed.
pub async fn role_times(conn: &mut Conn, role: RoleId) -> sqlx::Result<(String, String)> {
    on!(conn, |c| sqlx::query_as(
        "SELECT created_at, updated_at FROM roles WHERE id = $1"
    )
    .bind(role)
    .fetch_one(c)
    .await)
}

/// The externalId the organization's identity provider gave a group (a role).
pub async fn group_external_id(
    conn: &mut Conn,
    organization: OrganizationId,
    role: RoleId,
) -> sqlx::Result<Option<String>> {
    on!(conn, |c| {
        sqlx::query_scalar(
        "SELECT external_id FROM scim_group_external_ids WHERE organization_id = $1 AND role_id = $2"
    )
    .bind(organization)
    .bind(role)
    .fetch_optional(c)
    .await
    })
}

/// Sets (or, `None`, clears) the externalId of a group for one organization.
pub async fn set_group_external_id(
    conn: &mut Conn,
    organization: OrganizationId,
    role: RoleId,
    external_id: Option<&str>,
) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "DELETE FROM scim_group_external_ids WHERE organization_id = $1 AND role_id = $2"
    )
    .bind(organization)
    .bind(role)
    .execute(c)
    .await)?;
    if let Some(external_id) = external_id {
        on!(execute conn, |c| sqlx::query(
            "INSERT INTO scim_group_external_ids (organization_id, role_id, external_id) VALUES ($1, $2, $3)"
        )
        .bind(organization)
        .bind(role)
        .bind(external_id)
        .execute(c)
        .await)?;
    }
    Ok(())
}

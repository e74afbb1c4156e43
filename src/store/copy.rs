//! Moving a customer between backends (`brigade copy --from URL --to URL`): every table of
//! the schema, row for row, from one database into an empty one of either kind.
//!
//! Not copied: sessions (their layouts differ by backend; people sign in again), the API's
//! request counts (a minute's rate-limit windows: the copy starts them afresh), the answers
//! kept for `Idempotency-Key` retries (a day's; move with the API stopped), the
//! migration history (each database keeps its own), the indexes a stopped `brigade synth`
//! left to rebuild (rebuilt when the source opens; the copy's own are whole) and what
//! triggers derive (the people list's sort key and SQLite's search index, rebuilt as the
//! rows go in).

use sqlx::Row;
use uuid::Uuid;

use super::{Backend, Conn, Db, Sql, Value};

/// How a column is read and bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Uuid,
    Text,
    Int,
    Bool,
}

use Kind::{Bool, Int, Text};

/// A table: its name, the column that orders it (a unique id, read in pages of that key; or
/// `None`, read whole), and its columns.
struct Table {
    name: &'static str,
    key: Option<&'static str>,
    columns: &'static [(&'static str, Kind)],
}

const ID: (&str, Kind) = ("id", Kind::Uuid);

/// Every table, parents before children (foreign keys hold at each insert).
const TABLES: &[Table] = &[
    Table {
        name: "organizations",
        key: Some("id"),
        columns: &[
            ID,
            ("slug", Text),
            ("name", Text),
            ("kind", Text),
            ("console_edits_unbranded_api_users", Bool),
            ("time_zone", Text),
            ("require_two_step", Bool),
            ("created_at", Text),
            ("updated_at", Text),
        ],
    },
    Table {
        name: "brands",
        key: Some("id"),
        columns: &[
            ID,
            ("owner_organization_id", Kind::Uuid),
            ("name", Text),
            ("console_edits_api_users", Bool),
            ("created_at", Text),
            ("updated_at", Text),
        ],
    },
    Table {
        name: "franchisee_brands",
        key: None,
        columns: &[("organization_id", Kind::Uuid), ("brand_id", Kind::Uuid)],
    },
    Table {
        name: "outlets",
        key: Some("id"),
        columns: &[
            ID,
            ("organization_id", Kind::Uuid),
            ("brand_id", Kind::Uuid),
            ("name", Text),
            ("number", Text),
            ("time_zone", Text),
            ("archived_at", Text),
            ("created_at", Text),
            ("updated_at", Text),
        ],
    },
    Table {
        name: "user_accounts",
        key: Some("id"),
        columns: &[
            ID,
            ("email", Text),
            ("username", Text),
            ("first_name", Text),
            ("last_name", Text),
            ("mobile", Text),
            ("password_hash", Text),
            ("session_version", Int),
            ("last_signed_in_at", Text),
            ("created_at", Text),
            ("updated_at", Text),
        ],
    },
    Table {
        name: "memberships",
        key: Some("id"),
        columns: &[
            ID,
            ("organization_id", Kind::Uuid),
            ("user_id", Kind::Uuid),
            ("status", Text),
            ("managed_by", Text),
            ("managed_by_brand_id", Kind::Uuid),
            ("default_outlet_id", Kind::Uuid),
            ("all_reports_access", Bool),
            ("external_id", Text),
            ("scim_removed_at", Text),
            ("profile_visible", Bool),
            ("created_at", Text),
            ("updated_at", Text),
        ],
    },
    Table {
        name: "roles",
        key: Some("id"),
        columns: &[
            ID,
            ("organization_id", Kind::Uuid),
            ("brand_id", Kind::Uuid),
            ("name", Text),
            ("type", Text),
            ("partner_role", Text),
            ("created_at", Text),
            ("updated_at", Text),
        ],
    },
    Table {
        name: "scim_group_external_ids",
        key: None,
        columns: &[
            ("organization_id", Kind::Uuid),
            ("role_id", Kind::Uuid),
            ("external_id", Text),
        ],
    },
    Table {
        name: "role_permissions",
        key: None,
        columns: &[("role_id", Kind::Uuid), ("permission", Text)],
    },
    Table {
        name: "report_roles",
        key: Some("id"),
        columns: &[
            ID,
            ("organization_id", Kind::Uuid),
            ("name", Text),
            ("created_at", Text),
            ("updated_at", Text),
        ],
    },
    Table {
        name: "membership_report_roles",
        key: None,
        columns: &[
            ("membership_id", Kind::Uuid),
            ("report_role_id", Kind::Uuid),
        ],
    },
    Table {
        name: "outlet_groups",
        key: Some("id"),
        columns: &[
            ID,
            ("organization_id", Kind::Uuid),
            ("name", Text),
            ("created_at", Text),
            ("updated_at", Text),
        ],
    },
    Table {
        name: "outlet_group_outlets",
        key: None,
        columns: &[
            ("group_id", Kind::Uuid),
            ("outlet_id", Kind::Uuid),
            ("organization_id", Kind::Uuid),
        ],
    },
    Table {
        name: "user_connectors",
        key: Some("id"),
        columns: &[
            ID,
            ("organization_id", Kind::Uuid),
            ("membership_id", Kind::Uuid),
            ("type", Text),
            ("outlet_id", Kind::Uuid),
            ("outlet_group_id", Kind::Uuid),
            ("role_id", Kind::Uuid),
            ("created_at", Text),
            ("updated_at", Text),
            ("starts_at", Text),
            ("ends_at", Text),
        ],
    },
    Table {
        name: "connectors",
        key: Some("id"),
        columns: &[
            ID,
            ("organization_id", Kind::Uuid),
            ("name", Text),
            ("kind", Text),
            ("enabled", Bool),
            ("created_at", Text),
            ("updated_at", Text),
        ],
    },
    Table {
        name: "api_tokens",
        key: Some("id"),
        columns: &[
            ID,
            ("organization_id", Kind::Uuid),
            ("role_id", Kind::Uuid),
            ("outlet_id", Kind::Uuid),
            ("name", Text),
            ("token_hash", Text),
            ("created_by", Kind::Uuid),
            ("created_at", Text),
            ("last_used_at", Text),
            ("revoked_at", Text),
            ("kind", Text),
            ("scim_role_id", Kind::Uuid),
            ("scim_outlet_id", Kind::Uuid),
        ],
    },
    Table {
        name: "verification_tokens",
        key: Some("token_hash"),
        columns: &[
            ("token_hash", Text),
            ("user_id", Kind::Uuid),
            ("created_at", Text),
            ("expires_at", Text),
            ("used_at", Text),
            ("membership_id", Kind::Uuid),
            ("revoked_at", Text),
        ],
    },
    Table {
        name: "password_reset_links",
        key: Some("token_hash"),
        columns: &[
            ("token_hash", Text),
            ("user_id", Kind::Uuid),
            ("created_at", Text),
            ("expires_at", Text),
            ("used_at", Text),
        ],
    },
    Table {
        name: "sign_ins",
        key: Some("id"),
        columns: &[
            ID,
            ("user_id", Kind::Uuid),
            ("method", Text),
            ("client_address", Text),
            ("user_agent", Text),
            ("signed_in_at", Text),
            ("last_seen_at", Text),
            ("ended_at", Text),
        ],
    },
    Table {
        name: "two_step_secrets",
        key: Some("user_id"),
        columns: &[
            ("user_id", Kind::Uuid),
            ("sealed_secret", Text),
            ("created_at", Text),
            ("confirmed_at", Text),
            ("last_step", Int),
        ],
    },
    Table {
        name: "recovery_codes",
        key: Some("code_hash"),
        columns: &[
            ("code_hash", Text),
            ("user_id", Kind::Uuid),
            ("created_at", Text),
            ("used_at", Text),
        ],
    },
    Table {
        name: "passkeys",
        key: Some("id"),
        columns: &[
            ID,
            ("user_id", Kind::Uuid),
            ("credential_id", Text),
            ("name", Text),
            ("credential", Text),
            ("created_at", Text),
            ("last_used_at", Text),
        ],
    },
    Table {
        name: "sso_connections",
        key: Some("organization_id"),
        columns: &[
            ("organization_id", Kind::Uuid),
            ("issuer", Text),
            ("client_id", Text),
            ("sealed_client_secret", Text),
            ("display_name", Text),
            ("require_sso", Bool),
            ("created_at", Text),
            ("updated_at", Text),
        ],
    },
    Table {
        name: "sso_domains",
        key: Some("domain"),
        columns: &[
            ("domain", Text),
            ("organization_id", Kind::Uuid),
            ("created_at", Text),
        ],
    },
    Table {
        name: "sso_links",
        key: None,
        columns: &[
            ("issuer", Text),
            ("subject", Text),
            ("user_id", Kind::Uuid),
            ("created_at", Text),
        ],
    },
    Table {
        name: "audit_events",
        key: Some("id"),
        columns: &[
            ("id", Int),
            ("organization_id", Kind::Uuid),
            ("actor_user_id", Kind::Uuid),
            ("actor_token_id", Kind::Uuid),
            ("via", Text),
            ("action", Text),
            ("target_type", Text),
            ("target_id", Kind::Uuid),
            ("subject_user_id", Kind::Uuid),
            ("before_json", Text),
            ("after_json", Text),
            ("created_at", Text),
        ],
    },
    Table {
        name: "sign_in_failures",
        key: None,
        columns: &[("key", Text), ("failed_at", Text)],
    },
    Table {
        name: "mail_queue",
        key: Some("id"),
        columns: &[
            ID,
            ("recipient", Text),
            ("subject", Text),
            ("body", Text),
            ("created_at", Text),
            ("sent_at", Text),
            ("attempts", Int),
            ("last_error", Text),
            ("claimed_until", Text),
        ],
    },
    Table {
        name: "setup_tokens",
        key: Some("token_hash"),
        columns: &[
            ("token_hash", Text),
            ("created_at", Text),
            ("used_at", Text),
        ],
    },
    Table {
        name: "jobs",
        key: Some("id"),
        columns: &[
            ID,
            ("organization_id", Kind::Uuid),
            ("kind", Text),
            ("total", Int),
            ("done", Int),
            ("status", Text),
            ("summary", Text),
            ("created_at", Text),
            ("finished_at", Text),
            ("started_by", Kind::Uuid),
        ],
    },
    Table {
        name: "job_results",
        key: None,
        columns: &[
            ("job_id", Kind::Uuid),
            ("position", Int),
            ("email", Text),
            ("outcome", Text),
            ("reason", Text),
        ],
    },
    Table {
        name: "franchise_invitations",
        key: Some("id"),
        columns: &[
            ID,
            ("brand_id", Kind::Uuid),
            ("organization_id", Kind::Uuid),
            ("invited_by", Kind::Uuid),
            ("created_at", Text),
            ("answered_at", Text),
            ("answer", Text),
        ],
    },
];

/// Rows read and written at a time.
const PAGE: i64 = 2_000;

/// One row, column by column in the table's order.
pub type Values = Vec<Value>;

#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error(
        "the target database already holds data (table {0} is not empty): copy into an empty database"
    )]
    TargetNotEmpty(&'static str),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

fn read_value<'r, R>(row: &'r R, index: usize, kind: Kind) -> sqlx::Result<Value>
where
    R: Row,
    usize: sqlx::ColumnIndex<R>,
    Option<Uuid>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<bool>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(match kind {
        Kind::Uuid => Value::Uuid(row.try_get(index)?),
        Kind::Text => Value::Text(row.try_get(index)?),
        Kind::Int => Value::Int(row.try_get(index)?),
        Kind::Bool => Value::Bool(row.try_get(index)?),
    })
}

/// Up to [`PAGE`] rows of `table` after `after` (its key), in key order; every row when the
/// table has no single key.
async fn read_page(
    conn: &mut Conn,
    table: &Table,
    after: Option<&Value>,
) -> sqlx::Result<Vec<Values>> {
    let columns: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
    let mut query = Sql::new(format_args!(
        "SELECT {} FROM {}",
        columns.join(", "),
        table.name
    ));
    match table.key {
        Some(key) => {
            if let Some(after) = after {
                query
                    .push(format_args!(" WHERE {key} > "))
                    .push_bind(after.clone());
            }
            query
                .push(format_args!(" ORDER BY {key} LIMIT "))
                .push_bind(PAGE);
        }
        None => {
            query.push(format_args!(" ORDER BY {}", columns.join(", ")));
        }
    }
    super::on!(conn, |c| {
        let arguments = query.arguments(&*c);
        let rows = sqlx::query_with(query.text(), arguments)
            .fetch_all(c)
            .await?;
        rows.iter()
            .map(|row| {
                table
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(i, (_, kind))| read_value(row, i, *kind))
                    .collect::<sqlx::Result<Values>>()
            })
            .collect::<sqlx::Result<Vec<Values>>>()
    })
}

/// Every row of `table`, in key order (the copy test compares databases with it).
pub async fn rows(conn: &mut Conn, name: &str) -> sqlx::Result<Option<Vec<Values>>> {
    let Some(table) = TABLES.iter().find(|table| table.name == name) else {
        return Ok(None);
    };
    let mut all = Vec::new();
    loop {
        let page = read_page(
            conn,
            table,
            all.last().map(|row: &Values| key_of(table, row)),
        )
        .await?;
        let done = table.key.is_none() || page.len() < usize::try_from(PAGE).unwrap_or(usize::MAX);
        all.extend(page);
        if done {
            return Ok(Some(all));
        }
    }
}

fn key_of<'r>(table: &Table, row: &'r Values) -> &'r Value {
    let index = table
        .columns
        .iter()
        .position(|(name, _)| Some(*name) == table.key)
        .unwrap_or(0);
    &row[index]
}

/// The names of the tables a copy moves, parents first.
pub fn table_names() -> impl Iterator<Item = &'static str> {
    TABLES.iter().map(|table| table.name)
}

async fn insert(conn: &mut Conn, table: &Table, rows: &[Values]) -> sqlx::Result<()> {
    let columns: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
    // Bound values per statement stay under SQLite's limit (32,766).
    let per_statement = (30_000 / columns.len()).max(1);
    for chunk in rows.chunks(per_statement) {
        let mut query = Sql::new(format_args!(
            "INSERT INTO {} ({}) ",
            table.name,
            columns.join(", ")
        ));
        query.push_values(chunk, |mut tuple, row| {
            for value in row {
                tuple.push_bind(value.clone());
            }
        });
        query.execute(conn).await?;
    }
    Ok(())
}

/// Copies every table from `from` into `to` (migrated and empty), in one transaction on the
/// target: all or nothing. `progress` hears each table's name and row count.
pub async fn copy(
    from: &Db,
    to: &Db,
    mut progress: impl FnMut(&str, u64),
) -> Result<(), CopyError> {
    let mut source = from.read().await?;
    let mut target = to.write().await?;
    for table in TABLES {
        let rows: i64 = Sql::new(format_args!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM {} LIMIT 1) AS any_row",
            table.name
        ))
        .scalar(&mut target)
        .await?;
        if rows > 0 {
            return Err(CopyError::TargetNotEmpty(table.name));
        }
    }
    for table in TABLES {
        let mut copied = 0_u64;
        let mut after: Option<Value> = None;
        loop {
            let page = read_page(&mut source, table, after.as_ref()).await?;
            insert(&mut target, table, &page).await?;
            copied += page.len() as u64;
            let full = table.key.is_some() && page.len() == usize::try_from(PAGE).unwrap_or(0);
            after = page.last().map(|row| key_of(table, row).clone());
            if !full {
                break;
            }
        }
        progress(table.name, copied);
    }
    if to.backend() == Backend::Postgres {
        // The audit trail's identity continues after the copied events.
        Sql::new(
            "SELECT setval(pg_get_serial_sequence('audit_events', 'id'),
                    coalesce((SELECT max(id) FROM audit_events), 0) + 1, false)",
        )
        .execute(&mut target)
        .await?;
    }
    target.commit().await?;
    Ok(())
}

//! User connectors: list, create ("add user"), change role or outlet, revoke.
//! The same rules for the API and the console: scope and permission from the policy, nobody
//! grants (or takes away) a role with permissions they do not hold there, one transaction
//! per change with its audit event.

use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

use super::{Principal, internal, paging, verification};
use crate::domain::model::{
    AccessEntry, Connector, ConnectorQuery, ConnectorType, CreateConnector, Paged, Role, RowChange,
    UpdateConnector,
};
use crate::domain::policy::{
    ApiManagement, ChangeRefusal, ExistingGrant, console_may_edit, may_change_grant,
};
use crate::domain::{AppError, Email, Permission, Scope, Username};
use crate::server::startup::AppState;
use crate::store::{
    self, audit, catalog, connectors::ConnectorFilter, connectors::StoredConnector,
    is_unique_violation,
};

type Problems = BTreeMap<String, String>;

const NAME_MAX: usize = 100;

fn parse_id(
    field: &str,
    raw: Option<&str>,
    unknown: &str,
    problems: &mut Problems,
) -> Option<Uuid> {
    let text = raw.map(str::trim).filter(|s| !s.is_empty())?;
    let id = Uuid::parse_str(text).ok();
    if id.is_none() {
        problems.insert(field.into(), unknown.into());
    }
    id
}

/// The role and outlet ids of a create or update body (`role`, `outlet`).
fn parse_grant_ids(
    role: Option<&str>,
    outlet: Option<&str>,
    problems: &mut Problems,
) -> (Option<Uuid>, Option<Uuid>) {
    let role = parse_id(
        "role",
        role,
        "There is no such role in this organization.",
        problems,
    );
    let outlet = parse_id(
        "outlet",
        outlet,
        "There is no such outlet in this organization.",
        problems,
    );
    (role, outlet)
}

fn parse_name(field: &str, raw: Option<String>, problems: &mut Problems) -> Option<String> {
    let name = raw?.trim().to_string();
    if name.chars().count() > NAME_MAX {
        problems.insert(field.into(), format!("Use at most {NAME_MAX} characters."));
        return None;
    }
    Some(name)
}

fn scope_words(outlet: Option<&crate::domain::model::Outlet>) -> String {
    outlet.map_or("the whole organization".into(), |o| o.name.clone())
}

/// The filtered, keyset-paged list with what writes need to know of each row.
async fn list_stored(
    state: &AppState,
    who: &Principal,
    query: &ConnectorQuery,
) -> Result<Paged<StoredConnector>, AppError> {
    let scope = who.scope_for(Permission::ViewConnectors)?;
    let mut problems = Problems::new();
    let connector_type = query
        .connector_type
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .and_then(|t| {
            let parsed = ConnectorType::parse(&t.to_uppercase());
            if parsed.is_none() {
                problems.insert("type".into(), "Use L (library) or O (outlet).".into());
            }
            parsed
        });
    let email = query
        .email
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let role_id = parse_id(
        "role_id",
        query.role_id.as_deref(),
        "Use a role id (a UUID).",
        &mut problems,
    );
    let outlet_id = parse_id(
        "outlet_id",
        query.outlet_id.as_deref(),
        "Use an outlet id (a UUID).",
        &mut problems,
    );
    let modified_since = query
        .modified_since
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .and_then(|text| {
            match time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
            {
                Ok(at) => Some(store::format_timestamp(at)),
                Err(_) => {
                    problems.insert(
                        "modified_since".into(),
                        "Use an ISO 8601 date-time, e.g. 2026-01-31T09:00:00Z.".into(),
                    );
                    None
                }
            }
        });
    let limit = paging::page_size(query.page_size.as_deref(), &mut problems);
    let after = paging::decode_cursor(query.cursor.as_deref(), &mut problems);
    if let Some(error) = AppError::fields(problems) {
        return Err(error);
    }
    let filter = ConnectorFilter {
        connector_type,
        email,
        role_id,
        outlet_id,
        modified_since,
    };
    let rows = store::connectors::list(
        &state.pool,
        who.organization_id,
        &scope,
        &filter,
        after,
        limit + 1,
    )
    .await
    .map_err(internal)?;
    Ok(paging::page(rows, limit, |c| c.connector.id))
}

/// The connector list with its filters, keyset-paged.
pub async fn list(
    state: &AppState,
    who: &Principal,
    query: &ConnectorQuery,
) -> Result<Paged<Connector>, AppError> {
    Ok(list_stored(state, who, query)
        .await?
        .map(|stored| stored.connector))
}

/// The console's access table: the list, each row with what the viewer may do to it,
/// decided by the same rule the writes apply.
pub async fn list_with_changes(
    state: &AppState,
    who: &Principal,
    query: &ConnectorQuery,
) -> Result<Paged<AccessEntry>, AppError> {
    let page = list_stored(state, who, query).await?;
    let manage = who.access.scope_of(Permission::ManageConnectors);
    let roles: HashMap<Uuid, Role> = catalog::roles(&state.pool, who.organization_id, None)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|role| (role.id, role))
        .collect();
    let memberships: Vec<Uuid> = page.results.iter().map(|s| s.membership_id).collect();
    let mut conn = state.pool.acquire().await.map_err(internal)?;
    let facts = store::settings::api_management_of(&mut conn, &memberships)
        .await
        .map_err(internal)?;
    drop(conn);
    Ok(page.map(|stored| {
        let connector = stored.connector;
        let facts = facts.get(&stored.membership_id);
        // The setting governs the console only.
        let console_facts = facts.filter(|_| who.via_console());
        let verdict = change_verdict(
            who,
            &manage,
            roles.get(&connector.role.id),
            &connector,
            console_facts,
        );
        let change = match verdict {
            Ok(()) => RowChange::Allowed,
            Err(ChangeRefusal::OutsideScope) => RowChange::ViewOnly,
            Err(
                ChangeRefusal::OwnAccess(reason)
                | ChangeRefusal::RoleAboveYours(reason)
                | ChangeRefusal::ManagedThroughApi(reason),
            ) => RowChange::Locked(reason),
        };
        AccessEntry {
            connector,
            change,
            managed_by_brand: facts.and_then(|f| f.brand.as_ref().map(|(name, _)| name.clone())),
        }
    }))
}

/// One connector the principal can see; 404 otherwise.
pub async fn get(state: &AppState, who: &Principal, id: Uuid) -> Result<Connector, AppError> {
    let scope = who.scope_for(Permission::ViewConnectors)?;
    let mut conn = state.pool.acquire().await.map_err(internal)?;
    store::connectors::get(&mut conn, who.organization_id, id)
        .await
        .map_err(internal)?
        .map(|stored| stored.connector)
        .filter(|c| scope.covers(c.outlet.as_ref().map(|o| o.id)))
        .ok_or(AppError::NotFound)
}

/// Resolves the role and outlet a connector would have, as field errors when unknown or
/// outside the principal's reach, and checks that the role's type fits the scope.
async fn resolve_grant(
    state: &AppState,
    who: &Principal,
    role_id: Uuid,
    outlet_id: Option<Uuid>,
) -> Result<(Role, Option<crate::domain::model::Outlet>), AppError> {
    let role = catalog::role(&state.pool, who.organization_id, role_id)
        .await
        .map_err(internal)?
        .ok_or_else(|| AppError::field("role", "There is no such role in this organization."))?;
    let outlet = match outlet_id {
        None => None,
        Some(id) => Some(
            catalog::outlet(&state.pool, who.organization_id, id)
                .await
                .map_err(internal)?
                .filter(|o| who.access.reach().covers(Some(o.id)))
                .ok_or_else(|| {
                    AppError::field("outlet", "There is no such outlet in this organization.")
                })?,
        ),
    };
    match (role.role_type, &outlet) {
        (ConnectorType::Library, Some(_)) => Err(AppError::field(
            "role",
            format!(
                "{} is a library role (L): leave the outlet empty, or choose an outlet role (O).",
                role.name
            ),
        )),
        (ConnectorType::Outlet, None) => Err(AppError::field(
            "outlet",
            format!("{} is an outlet role (O): choose the outlet.", role.name),
        )),
        _ => Ok((role, outlet)),
    }
}

/// Manage permission at the place, and no role beyond what the principal holds there.
fn check_may_grant(
    who: &Principal,
    manage: &Scope,
    role: &Role,
    outlet: Option<&crate::domain::model::Outlet>,
) -> Result<(), AppError> {
    let place = outlet.map(|o| o.id);
    if !manage.covers(place) {
        return Err(AppError::denied(
            "outside_your_scope",
            format!("You cannot manage access to {}.", scope_words(outlet)),
        ));
    }
    if !who.access.may_grant(&role.permissions, place) {
        return Err(AppError::denied(
            "role_exceeds_your_permissions",
            format!(
                "You cannot grant {}: it has permissions you do not hold at {}.",
                role.name,
                scope_words(outlet)
            ),
        ));
    }
    Ok(())
}

/// A free username for a new account: the email's local part, numbered when taken.
async fn free_username(
    conn: &mut sqlx::SqliteConnection,
    email: &Email,
) -> Result<String, AppError> {
    let local: String = email
        .as_str()
        .split('@')
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
        .collect();
    let base = Username::parse(&local)
        .map(String::from)
        .unwrap_or_else(|_| Username::from_email(email).into());
    for n in 1..1000 {
        let candidate = if n == 1 {
            base.clone()
        } else {
            format!("{base}{n}")
        };
        if !store::connectors::username_taken(conn, &candidate)
            .await
            .map_err(internal)?
        {
            return Ok(candidate);
        }
    }
    Ok(email.as_str().to_string())
}

/// Refuses a console grant to an existing API-managed membership when the setting says so.
async fn check_console_edit(
    conn: &mut sqlx::SqliteConnection,
    who: &Principal,
    membership_id: Uuid,
) -> Result<(), AppError> {
    if !who.via_console() {
        return Ok(());
    }
    if let Some(facts) = store::settings::api_management(conn, membership_id)
        .await
        .map_err(internal)?
    {
        console_may_edit(&facts)
            .map_err(|reason| AppError::denied("managed_through_api", reason))?;
    }
    Ok(())
}

fn duplicate(
    connector_email: &str,
    role: &Role,
    outlet: Option<&crate::domain::model::Outlet>,
) -> AppError {
    AppError::conflict(
        "connector_exists",
        format!(
            "{connector_email} already has the role {} at {}.",
            role.name,
            scope_words(outlet)
        ),
    )
}

/// A connector as it stands inside the write transaction (after the change).
async fn reload(
    conn: &mut sqlx::SqliteConnection,
    who: &Principal,
    id: Uuid,
) -> Result<Connector, AppError> {
    store::connectors::get(conn, who.organization_id, id)
        .await
        .map_err(internal)?
        .map(|stored| stored.connector)
        .ok_or(AppError::Internal)
}

/// Records a connector change in the same transaction.
async fn audit_change(
    conn: &mut sqlx::SqliteConnection,
    who: &Principal,
    action: &str,
    id: Uuid,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), AppError> {
    let event = audit::Event {
        organization_id: Some(who.organization_id),
        action,
        target_type: "user_connector",
        target_id: Some(id),
        before,
        after,
    };
    audit::record(conn, who.actor, event)
        .await
        .map_err(internal)
}

/// Adds a person's access: reuses the account with that email (updating the names when
/// given) or creates it, creates the membership if needed, then the connector.
pub async fn create(
    state: &AppState,
    who: &Principal,
    input: CreateConnector,
) -> Result<Connector, AppError> {
    let manage = who.scope_for(Permission::ManageConnectors)?;
    let mut problems = Problems::new();
    let email = match input
        .email
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => {
            problems.insert("email".into(), "Enter an email address.".into());
            None
        }
        Some(raw) => Email::parse(raw)
            .map_err(|message| problems.insert("email".into(), message))
            .ok(),
    };
    let first_name = parse_name("first_name", input.first_name, &mut problems);
    let last_name = parse_name("last_name", input.last_name, &mut problems);
    let (role_id, outlet_id) = parse_grant_ids(
        input.role.as_deref(),
        input.outlet.as_deref(),
        &mut problems,
    );
    if role_id.is_none() && !problems.contains_key("role") {
        problems.insert("role".into(), "Choose a role.".into());
    }
    if let Some(error) = AppError::fields(problems) {
        return Err(error);
    }
    let (Some(email), Some(role_id)) = (email, role_id) else {
        return Err(AppError::Internal);
    };
    let (role, outlet) = resolve_grant(state, who, role_id, outlet_id).await?;
    check_may_grant(who, &manage, &role, outlet.as_ref())?;
    let first_name = first_name.filter(|n| !n.is_empty());
    let last_name = last_name.filter(|n| !n.is_empty());

    let mut tx = store::write_transaction(&state.pool)
        .await
        .map_err(internal)?;
    let existing = store::connectors::account_by_email(&mut tx, email.as_str())
        .await
        .map_err(internal)?;
    let (user_id, account_before) = match existing {
        Some((id, first, last)) => {
            let renamed = first_name.as_deref().is_some_and(|n| n != first)
                || last_name.as_deref().is_some_and(|n| n != last);
            if renamed {
                store::connectors::update_account_names(
                    &mut tx,
                    id,
                    first_name.as_deref(),
                    last_name.as_deref(),
                )
                .await
                .map_err(internal)?;
                store::connectors::touch_for_account(&mut tx, id)
                    .await
                    .map_err(internal)?;
            }
            (id, Some(json!({ "first_name": first, "last_name": last })))
        }
        None => {
            let username = free_username(&mut tx, &email).await?;
            let id = store::connectors::insert_account(
                &mut tx,
                email.as_str(),
                &username,
                first_name.as_deref().unwrap_or_default(),
                last_name.as_deref().unwrap_or_default(),
            )
            .await
            .map_err(internal)?;
            (id, None)
        }
    };
    // API-provisioned members of a single-brand corporate owner are managed by that brand.
    let managed_by_brand = if who.via_console() {
        None
    } else {
        catalog::sole_owned_brand(&mut *tx, who.organization_id)
            .await
            .map_err(internal)?
    };
    let (membership_id, new_membership) = store::connectors::ensure_membership(
        &mut tx,
        who.organization_id,
        user_id,
        who.actor.via,
        managed_by_brand,
        outlet.as_ref().map(|o| o.id),
    )
    .await
    .map_err(internal)?;
    if !new_membership {
        check_console_edit(&mut tx, who, membership_id).await?;
    }
    let id = store::connectors::insert(
        &mut tx,
        who.organization_id,
        membership_id,
        role.role_type,
        outlet.as_ref().map(|o| o.id),
        role.id,
    )
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            duplicate(email.as_str(), &role, outlet.as_ref())
        } else {
            internal(e)
        }
    })?;
    let connector = reload(&mut tx, who, id).await?;
    audit_change(
        &mut tx,
        who,
        "user_connector.created",
        id,
        account_before.map(|names| json!({ "account": names })),
        Some(json!(connector)),
    )
    .await?;
    tx.commit().await.map_err(internal)?;

    if input.send_verification_email {
        // The access is granted whatever happens to the mail; a failure is logged for support.
        if let Err(error) = verification::send_link(state, user_id, &email).await {
            tracing::error!(
                ?error,
                email = email.as_str(),
                "could not send the verification email"
            );
        }
    }
    Ok(connector)
}

/// The policy's verdict on changing or revoking `connector`, whose role is `role` (`None`: a
/// role no longer offered to the organization, e.g. a brand role after the franchise link
/// ended; it is left to whoever still holds it, like a place outside the caller's scope).
fn change_verdict(
    who: &Principal,
    manage: &Scope,
    role: Option<&Role>,
    connector: &Connector,
    console_facts: Option<&ApiManagement>,
) -> Result<(), ChangeRefusal> {
    let role = role.ok_or(ChangeRefusal::OutsideScope)?;
    let grant = ExistingGrant {
        role_name: &role.name,
        role_permissions: &role.permissions,
        place: connector.outlet.as_ref().map(|o| o.id),
        own: who.actor.user_id == Some(connector.user.id),
    };
    may_change_grant(&who.access, manage, grant, console_facts)
}

/// Loads a connector the principal may change: 404 when they cannot see it, 403 when they
/// can see it but not manage it, and the policy's reason when the grant is above theirs or
/// the API User Permissions setting locks it against the console.
async fn connector_to_change(
    conn: &mut sqlx::SqliteConnection,
    state: &AppState,
    who: &Principal,
    manage: &Scope,
    id: Uuid,
) -> Result<StoredConnector, AppError> {
    let stored = store::connectors::get(conn, who.organization_id, id)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    let place = stored.connector.outlet.as_ref().map(|o| o.id);
    let role = catalog::role(&state.pool, who.organization_id, stored.connector.role.id)
        .await
        .map_err(internal)?;
    let console_facts = if who.via_console() {
        store::settings::api_management(conn, stored.membership_id)
            .await
            .map_err(internal)?
    } else {
        None
    };
    let verdict = change_verdict(
        who,
        manage,
        role.as_ref(),
        &stored.connector,
        console_facts.as_ref(),
    );
    match verdict {
        Ok(()) => Ok(stored),
        Err(ChangeRefusal::OutsideScope) => {
            let visible = who
                .access
                .scope_of(Permission::ViewConnectors)
                .covers(place);
            Err(if visible {
                AppError::Forbidden
            } else {
                AppError::NotFound
            })
        }
        Err(ChangeRefusal::OwnAccess(reason)) => Err(AppError::denied("own_access", reason)),
        Err(ChangeRefusal::RoleAboveYours(reason)) => {
            Err(AppError::denied("role_exceeds_your_permissions", reason))
        }
        Err(ChangeRefusal::ManagedThroughApi(reason)) => {
            Err(AppError::denied("managed_through_api", reason))
        }
    }
}

/// Changes a connector's role or outlet and/or the person's names; only what is sent changes.
pub async fn update(
    state: &AppState,
    who: &Principal,
    id: Uuid,
    input: UpdateConnector,
) -> Result<Connector, AppError> {
    let manage = who.scope_for(Permission::ManageConnectors)?;
    let mut problems = Problems::new();
    let (role_id, outlet_id) = parse_grant_ids(
        input.role.as_deref(),
        input.outlet.as_deref(),
        &mut problems,
    );
    let first_name = parse_name("first_name", input.first_name, &mut problems);
    let last_name = parse_name("last_name", input.last_name, &mut problems);
    if let Some(error) = AppError::fields(problems) {
        return Err(error);
    }
    if role_id.is_none() && outlet_id.is_none() && first_name.is_none() && last_name.is_none() {
        return Err(AppError::Invalid {
            message: "Send at least one of role, outlet, first_name, last_name.".into(),
            fields: BTreeMap::new(),
        });
    }

    let mut tx = store::write_transaction(&state.pool)
        .await
        .map_err(internal)?;
    let before = connector_to_change(&mut tx, state, who, &manage, id).await?;
    let current = &before.connector;
    if outlet_id.is_some() && current.connector_type == ConnectorType::Library {
        return Err(AppError::field(
            "outlet",
            "This is a library connector (the whole organization): it has no outlet to move. Add an outlet connector instead.",
        ));
    }
    let new_role_id = role_id.unwrap_or(current.role.id);
    let new_outlet_id = outlet_id.or(current.outlet.as_ref().map(|o| o.id));
    let grant_changes =
        new_role_id != current.role.id || new_outlet_id != current.outlet.as_ref().map(|o| o.id);
    if grant_changes {
        let (role, outlet) = resolve_grant(state, who, new_role_id, new_outlet_id).await?;
        check_may_grant(who, &manage, &role, outlet.as_ref())?;
    }
    if grant_changes {
        store::connectors::update(&mut tx, id, new_role_id, new_outlet_id)
            .await
            .map_err(|e| {
                if is_unique_violation(&e) {
                    AppError::conflict(
                        "connector_exists",
                        format!("{} already has that role there.", current.user.email),
                    )
                } else {
                    internal(e)
                }
            })?;
    }
    if first_name.is_some() || last_name.is_some() {
        store::connectors::update_account_names(
            &mut tx,
            current.user.id,
            first_name.as_deref(),
            last_name.as_deref(),
        )
        .await
        .map_err(internal)?;
        store::connectors::touch_for_account(&mut tx, current.user.id)
            .await
            .map_err(internal)?;
    }
    let after = reload(&mut tx, who, id).await?;
    audit_change(
        &mut tx,
        who,
        "user_connector.updated",
        id,
        Some(json!(current)),
        Some(json!(after)),
    )
    .await?;
    tx.commit().await.map_err(internal)?;
    Ok(after)
}

/// Revokes one connector. The account, its other connectors and its access in other
/// organizations stay.
pub async fn delete(state: &AppState, who: &Principal, id: Uuid) -> Result<(), AppError> {
    let manage = who.scope_for(Permission::ManageConnectors)?;
    let mut tx = store::write_transaction(&state.pool)
        .await
        .map_err(internal)?;
    let before = connector_to_change(&mut tx, state, who, &manage, id).await?;
    store::connectors::delete(&mut tx, id)
        .await
        .map_err(internal)?;
    audit_change(
        &mut tx,
        who,
        "user_connector.deleted",
        id,
        Some(json!(before.connector)),
        None,
    )
    .await?;
    tx.commit().await.map_err(internal)?;
    Ok(())
}

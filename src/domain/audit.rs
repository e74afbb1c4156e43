//! The audit log as it is read: what each recorded change is called, who made it, whom it
//! concerns, and what changed, field by field. Events are written by `store::audit::record`
//! in the transaction of the change; nothing updates or deletes them (the schema refuses).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::UserId;
use super::model::Via;

text_enum!(
    /// What happened. Every change Brigade records is one of these; the log filters by them.
    AuditAction {
        UserCreated => "user.created",
        UserUpdated => "user.updated",
        UserReactivated => "user.reactivated",
        InvitationSent => "user.invitation_sent",
        InvitationRevoked => "user.invitation_revoked",
        UserProvisionedByBrand => "user.provisioned_by_brand",
        UserRemovedByIdentityProvider => "user.removed_by_identity_provider",
        AccountNameChanged => "user_account.name_changed",
        AccountPasswordChanged => "user_account.password_changed",
        AccountPasswordReset => "user_account.password_reset",
        AccountSessionsEnded => "user_account.sessions_ended",
        AccountVerified => "user_account.verified",
        AccountSignedIn => "user_account.signed_in",
        AccountSignInFailed => "user_account.sign_in_failed",
        AccountSessionEnded => "user_account.session_ended",
        AccountTwoStepEnabled => "user_account.two_step_enabled",
        AccountTwoStepDisabled => "user_account.two_step_disabled",
        AccountRecoveryCodesRenewed => "user_account.recovery_codes_renewed",
        AccountRecoveryCodeUsed => "user_account.recovery_code_used",
        AccountPasskeyAdded => "user_account.passkey_added",
        AccountPasskeyRemoved => "user_account.passkey_removed",
        OrganizationSsoConnectionSaved => "organization.sso_connection_saved",
        OrganizationSsoConnectionRemoved => "organization.sso_connection_removed",
        OrganizationSsoDomainsClaimed => "organization.sso_domains_claimed",
        OrganizationSsoRequirementChanged => "organization.sso_requirement_changed",
        OrganizationSsoSignInRefused => "organization.sso_sign_in_refused",
        ConnectorCreated => "user_connector.created",
        ConnectorUpdated => "user_connector.updated",
        ConnectorDeleted => "user_connector.deleted",
        RoleCreated => "role.created",
        RoleUpdated => "role.updated",
        RoleDeleted => "role.deleted",
        ReportRoleCreated => "report_role.created",
        ReportRoleUpdated => "report_role.updated",
        ReportRoleDeleted => "report_role.deleted",
        OutletCreated => "outlet.created",
        OutletUpdated => "outlet.updated",
        OutletArchived => "outlet.archived",
        OutletRestored => "outlet.restored",
        OutletGroupCreated => "outlet_group.created",
        OutletGroupUpdated => "outlet_group.updated",
        OutletGroupDeleted => "outlet_group.deleted",
        OrganizationCreated => "organization.created",
        OrganizationUpdated => "organization.updated",
        TwoStepRequirementChanged => "organization.two_step_requirement_changed",
        ApiUserPermissionsChanged => "api_user_permissions.changed",
        ApiClientCreated => "api_token.created",
        ApiClientRevoked => "api_token.revoked",
        BrandCreated => "brand.created",
        BrandRenamed => "brand.renamed",
        FranchiseeAdded => "brand.franchisee_added",
        FranchiseeInvited => "brand.franchisee_invited",
        FranchiseeJoined => "brand.franchisee_joined",
        FranchiseeUnlinked => "brand.franchisee_unlinked",
        InvitationDeclined => "brand.invitation_declined",
        InvitationWithdrawn => "brand.invitation_withdrawn",
    }
);

impl AuditAction {
    /// How the console names it.
    pub fn label(self) -> &'static str {
        use AuditAction::*;
        match self {
            UserCreated => "Person added",
            UserUpdated => "Person changed",
            UserReactivated => "Person reactivated (rehired)",
            InvitationSent => "Invitation sent",
            InvitationRevoked => "Invitation revoked",
            UserProvisionedByBrand => "Person provisioned by a brand",
            UserRemovedByIdentityProvider => "Person deleted by the identity provider",
            AccountNameChanged => "Own name changed",
            AccountPasswordChanged => "Own password changed",
            AccountPasswordReset => "Password reset through an emailed link",
            AccountSessionsEnded => "Other sessions ended",
            AccountVerified => "Account verified",
            AccountSignedIn => "Signed in",
            AccountSignInFailed => "Sign-in failed",
            AccountSessionEnded => "A session ended by its person",
            AccountTwoStepEnabled => "Two-step sign-in turned on",
            AccountTwoStepDisabled => "Two-step sign-in turned off",
            AccountRecoveryCodesRenewed => "New recovery codes made",
            AccountRecoveryCodeUsed => "Signed in with a recovery code",
            AccountPasskeyAdded => "Passkey added",
            AccountPasskeyRemoved => "Passkey removed",
            OrganizationSsoConnectionSaved => "Single sign-on set up",
            OrganizationSsoConnectionRemoved => "Single sign-on removed",
            OrganizationSsoDomainsClaimed => "Email domains claimed for single sign-on",
            OrganizationSsoRequirementChanged => "Single sign-on requirement changed",
            OrganizationSsoSignInRefused => "Single sign-on refused",
            ConnectorCreated => "Access granted",
            ConnectorUpdated => "Access changed",
            ConnectorDeleted => "Access revoked",
            RoleCreated => "Role created",
            RoleUpdated => "Role changed",
            RoleDeleted => "Role deleted",
            ReportRoleCreated => "Report role created",
            ReportRoleUpdated => "Report role renamed",
            ReportRoleDeleted => "Report role deleted",
            OutletCreated => "Outlet added",
            OutletUpdated => "Outlet changed",
            OutletArchived => "Outlet archived",
            OutletRestored => "Outlet restored",
            OutletGroupCreated => "Outlet group created",
            OutletGroupUpdated => "Outlet group changed",
            OutletGroupDeleted => "Outlet group deleted",
            OrganizationCreated => "Organization created",
            OrganizationUpdated => "Organization settings changed",
            TwoStepRequirementChanged => "Two-step sign-in requirement changed",
            ApiUserPermissionsChanged => "API User Permissions changed",
            ApiClientCreated => "API client issued",
            ApiClientRevoked => "API client revoked",
            BrandCreated => "Brand created",
            BrandRenamed => "Brand renamed",
            FranchiseeAdded => "Franchisee added",
            FranchiseeInvited => "Franchisee invited",
            FranchiseeJoined => "Franchisee joined",
            FranchiseeUnlinked => "Franchisee unlinked",
            InvitationDeclined => "Invitation declined",
            InvitationWithdrawn => "Invitation withdrawn",
        }
    }

    pub fn all() -> &'static [AuditAction] {
        <AuditAction as strum::VariantArray>::VARIANTS
    }
}

text_enum!(
    /// Who made a change: a person (signed in to the console), an API client, the operator
    /// at the command line, or Brigade itself.
    ActorKind { Person => "person", ApiClient => "api_client", Operator => "operator", System => "system" }
);

/// Who made a change. A person's or client's name is as it is now (an event keeps ids).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditActor {
    #[serde(rename = "type")]
    #[cfg_attr(feature = "ssr", schema(value_type = ActorKind))]
    pub kind: ActorKind,
    /// The person's or the API client's id.
    pub id: Option<uuid::Uuid>,
    /// The person's name (or email when they have none), or the API client's name.
    pub name: Option<String>,
    /// The person's email.
    pub email: Option<String>,
}

impl AuditActor {
    /// How the console names the actor.
    pub fn describe(&self) -> String {
        match self.kind {
            ActorKind::Person => self.name.clone().unwrap_or_else(|| "A person".into()),
            ActorKind::ApiClient => {
                format!("API client {}", self.name.as_deref().unwrap_or("(unknown)"))
            }
            ActorKind::Operator => "Operator (command line)".into(),
            ActorKind::System => "Brigade".into(),
        }
    }
}

/// The person a change concerns: theirs is the record, the account or the access changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditPerson {
    #[cfg_attr(feature = "ssr", schema(value_type = uuid::Uuid))]
    pub id: UserId,
    pub email: String,
    /// First and last name (empty when they have none).
    pub name: String,
}

/// What was changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditTarget {
    /// `user`, `user_account`, `user_connector`, `role`, `report_role`, `outlet`,
    /// `organization`, `brand` or `api_token`.
    #[serde(rename = "type")]
    pub kind: String,
    pub id: Option<uuid::Uuid>,
}

/// One field that differs between before and after: a dotted path (`role.name`,
/// `locations[0].outlet`) and each side as text (`None`: absent or null).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditEvent {
    /// Increases with every event of the organization: newer events have greater ids.
    pub id: i64,
    /// When (UTC).
    pub at: String,
    #[cfg_attr(feature = "ssr", schema(value_type = Via))]
    pub via: Via,
    #[cfg_attr(feature = "ssr", schema(value_type = AuditAction))]
    pub action: AuditAction,
    pub actor: AuditActor,
    pub target: AuditTarget,
    /// The person it concerns, if any.
    pub person: Option<AuditPerson>,
    /// The state before (none for a creation).
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub before: Option<Value>,
    /// The state after (none for a deletion).
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub after: Option<Value>,
    /// Before and after, field by field: only what differs.
    pub changes: Vec<FieldChange>,
}

impl AuditEvent {
    /// How the console names what was changed: the person, else the thing's name.
    pub fn target_label(&self) -> String {
        if let Some(person) = &self.person {
            return if person.name.is_empty() {
                person.email.clone()
            } else {
                format!("{} ({})", person.name, person.email)
            };
        }
        let named = |state: &Option<Value>| {
            state
                .as_ref()
                .and_then(|v| v.get("name"))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        named(&self.after)
            .or_else(|| named(&self.before))
            .unwrap_or_else(|| self.target.kind.replace('_', " "))
    }
}

/// The fields that differ between two recorded states, in path order. Objects are walked
/// key by key; lists item by item; other values are compared as they are. A record's
/// `updated_at` is left out: the event's own time says when.
pub fn changes(before: Option<&Value>, after: Option<&Value>) -> Vec<FieldChange> {
    let mut out = Vec::new();
    walk("", before, after, &mut out);
    out.retain(|change| change.field != "updated_at");
    out
}

fn walk(path: &str, before: Option<&Value>, after: Option<&Value>, out: &mut Vec<FieldChange>) {
    let before = before.filter(|v| !v.is_null());
    let after = after.filter(|v| !v.is_null());
    match (before, after) {
        (Some(Value::Object(b)), Some(Value::Object(a))) => {
            let keys: std::collections::BTreeSet<&String> = b.keys().chain(a.keys()).collect();
            for key in keys {
                walk(&join(path, key), b.get(key), a.get(key), out);
            }
        }
        (Some(Value::Object(b)), None) => {
            for (key, value) in b {
                walk(&join(path, key), Some(value), None, out);
            }
        }
        (None, Some(Value::Object(a))) => {
            for (key, value) in a {
                walk(&join(path, key), None, Some(value), out);
            }
        }
        (Some(Value::Array(b)), Some(Value::Array(a))) => {
            for i in 0..b.len().max(a.len()) {
                walk(&format!("{path}[{i}]"), b.get(i), a.get(i), out);
            }
        }
        (None, Some(Value::Array(a))) => {
            for (i, value) in a.iter().enumerate() {
                walk(&format!("{path}[{i}]"), None, Some(value), out);
            }
        }
        (Some(Value::Array(b)), None) => {
            for (i, value) in b.iter().enumerate() {
                walk(&format!("{path}[{i}]"), Some(value), None, out);
            }
        }
        (None, None) => {}
        (b, a) if b == a => {}
        (b, a) => out.push(FieldChange {
            field: if path.is_empty() {
                "value".into()
            } else {
                path.into()
            },
            before: b.map(text),
            after: a.map(text),
        }),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The audit log's filters, as received (query string or console URL); parsed by
/// [`AuditFilter::parse`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    /// A person's or an API client's id.
    pub actor: Option<String>,
    pub action: Option<String>,
    /// The id of the person the events concern.
    pub person: Option<String>,
    /// RFC 3339; events at or after.
    pub since: Option<String>,
    /// RFC 3339; events before (a range that ends before it starts holds nothing).
    pub until: Option<String>,
    pub page_size: Option<String>,
    pub cursor: Option<String>,
}

#[cfg(feature = "ssr")]
pub use parse::{AuditCursor, AuditFilter};

#[cfg(feature = "ssr")]
mod parse {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;

    use super::{AuditAction, AuditQuery};
    use crate::domain::error::Problems;
    use crate::domain::paging::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
    use crate::domain::{AppError, UserId};

    /// Where a page of the log starts: below this event id (pages go newest first).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct AuditCursor(pub i64);

    impl AuditCursor {
        pub fn encode(self) -> String {
            URL_SAFE_NO_PAD.encode(self.0.to_be_bytes())
        }

        pub fn decode(text: &str) -> Option<Self> {
            let bytes: [u8; 8] = URL_SAFE_NO_PAD.decode(text).ok()?.try_into().ok()?;
            Some(Self(i64::from_be_bytes(bytes)))
        }
    }

    /// A page of the audit log, filtered: only valid values.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct AuditFilter {
        pub actor: Option<uuid::Uuid>,
        pub action: Option<AuditAction>,
        pub person: Option<UserId>,
        pub since: Option<OffsetDateTime>,
        pub until: Option<OffsetDateTime>,
        pub size: u32,
        pub before: Option<AuditCursor>,
    }

    fn given(raw: &Option<String>) -> Option<&str> {
        raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }

    fn moment(
        problems: &mut Problems,
        field: &str,
        raw: &Option<String>,
    ) -> Option<OffsetDateTime> {
        given(raw).and_then(|text| {
            problems.check(
                field,
                OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
                    "Use an ISO 8601 date-time, e.g. 2026-01-31T09:00:00Z.".to_string()
                }),
            )
        })
    }

    impl AuditFilter {
        /// Every problem at once, each under its parameter's name (422).
        pub fn parse(query: &AuditQuery) -> Result<Self, AppError> {
            let mut problems = Problems::default();
            let actor = given(&query.actor).and_then(|text| {
                let id = uuid::Uuid::try_parse(text).ok();
                if id.is_none() {
                    problems.add("actor", "Use a person's or an API client's id (a UUID).");
                }
                id
            });
            let action = given(&query.action).and_then(|text| {
                problems.check(
                    "action",
                    text.parse::<AuditAction>()
                        .map_err(|_| "Use one of the actions the contract lists.".to_string()),
                )
            });
            let person = given(&query.person).and_then(|text| {
                let id = UserId::parse(text);
                if id.is_none() {
                    problems.add("person", "Use a person's id (a UUID).");
                }
                id
            });
            let since = moment(&mut problems, "since", &query.since);
            let until = moment(&mut problems, "until", &query.until);
            let size = match given(&query.page_size) {
                None => DEFAULT_PAGE_SIZE,
                Some(text) => match text.parse::<u32>() {
                    Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => n,
                    _ => {
                        problems.add(
                            "page_size",
                            format!("Use a whole number from 1 to {MAX_PAGE_SIZE}."),
                        );
                        DEFAULT_PAGE_SIZE
                    }
                },
            };
            let before = given(&query.cursor).and_then(|text| {
                let cursor = AuditCursor::decode(text);
                if cursor.is_none() {
                    problems.add("cursor", "This cursor is not one Brigade gave out.");
                }
                cursor
            });
            problems.finish()?;
            Ok(Self {
                actor,
                action,
                person,
                since,
                until,
                size,
                before,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn change(field: &str, before: Option<&str>, after: Option<&str>) -> FieldChange {
        FieldChange {
            field: field.into(),
            before: before.map(str::to_string),
            after: after.map(str::to_string),
        }
    }

    #[test]
    fn changes_name_only_the_fields_that_differ() {
        let cases = [
            (
                "a changed name",
                Some(json!({ "first_name": "Ada", "last_name": "Byron", "updated_at": "1" })),
                Some(json!({ "first_name": "Ada", "last_name": "Lovelace", "updated_at": "2" })),
                vec![change("last_name", Some("Byron"), Some("Lovelace"))],
            ),
            (
                "a creation lists every field",
                None,
                Some(json!({ "name": "Pier 39", "archived": false })),
                vec![
                    change("archived", None, Some("false")),
                    change("name", None, Some("Pier 39")),
                ],
            ),
            (
                "nested objects and lists get paths",
                Some(json!({ "role": { "name": "Staff" }, "locations": ["HB-001"] })),
                Some(json!({ "role": { "name": "Manager" }, "locations": ["HB-001", "HB-002"] })),
                vec![
                    change("locations[1]", None, Some("HB-002")),
                    change("role.name", Some("Staff"), Some("Manager")),
                ],
            ),
            (
                "null and absent are the same",
                Some(json!({ "mobile": null })),
                Some(json!({})),
                vec![],
            ),
            (
                "a deletion lists what was",
                Some(json!({ "outlet": { "number": "HB-002" } })),
                None,
                vec![change("outlet.number", Some("HB-002"), None)],
            ),
        ];
        for (name, before, after, expected) in cases {
            assert_eq!(changes(before.as_ref(), after.as_ref()), expected, "{name}");
        }
    }

    #[test]
    fn every_action_has_a_label_and_round_trips() {
        for action in AuditAction::all() {
            assert!(!action.label().is_empty());
            assert_eq!(action.as_str().parse::<AuditAction>(), Ok(*action));
        }
    }
}

//! Shared vocabulary and the read models the console renders. Serde types compiled for
//! both targets; the server fills them, the browser only displays them.

use serde::{Deserialize, Serialize};

use super::ids::{BrandId, ConnectorId, OrganizationId, OutletGroupId, OutletId, RoleId, UserId};

text_enum!(
    /// Scope type of a connector and of a role: the whole organization or one outlet.
    ConnectorType { Library => "L", Outlet => "O" }
);
text_enum!(
    /// How a role shows in the partner-style API.
    PartnerRole { Manager => "manager", Viewer => "viewer", Api => "api" }
);
text_enum!(
    MembershipStatus { Active => "active", Inactive => "inactive" }
);
text_enum!(
    /// Where a connector stands in its dates: not yet granting, granting, no longer granting.
    ConnectorState { Scheduled => "scheduled", Active => "active", Ended => "ended" }
);

impl ConnectorState {
    /// The state at `now`, for a window from `starts_at` (inclusive) to `ends_at` (exclusive),
    /// each open when absent (ISO 8601 UTC texts, as stored: they compare as text).
    pub fn at(starts_at: Option<&str>, ends_at: Option<&str>, now: &str) -> Self {
        if starts_at.is_some_and(|start| start > now) {
            Self::Scheduled
        } else if ends_at.is_some_and(|end| end <= now) {
            Self::Ended
        } else {
            Self::Active
        }
    }
}
text_enum!(
    /// Which channel owns a membership's data.
    ManagedBy { Console => "console", Api => "api", Scim => "scim" }
);
text_enum!(
    /// What an API client's token opens: the REST API (`/api/v1`) or SCIM (`/scim/v2`).
    ClientKind { Api => "api", Scim => "scim" }
);
text_enum!(
    OrganizationKind { Corporate => "corporate", Franchisee => "franchisee", Independent => "independent" }
);
text_enum!(
    /// Through which face of the product a change was made.
    Via { Console => "console", Api => "api", Scim => "scim", Cli => "cli", System => "system" }
);

impl ManagedBy {
    /// Managed by a system outside Brigade (the API today, SCIM next): the API User
    /// Permissions setting decides whether the console may edit such people.
    pub fn is_external(self) -> bool {
        !matches!(self, ManagedBy::Console)
    }
}

/// An organization the signed-in person can switch to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationChoice {
    pub id: OrganizationId,
    pub name: String,
    pub slug: String,
}

/// Who is signed in, where, and what the console may offer them (a mirror of the policy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub user_id: UserId,
    pub display_name: String,
    pub email: String,
    pub organization: OrganizationChoice,
    pub organizations: Vec<OrganizationChoice>,
    pub permissions: Vec<crate::domain::Permission>,
    /// Those held across the whole organization (what organization-wide pages need).
    pub organization_wide: Vec<crate::domain::Permission>,
}

impl Viewer {
    pub fn holds(&self, permission: crate::domain::Permission) -> bool {
        self.permissions.contains(&permission)
    }

    /// Held across the whole organization: what the organization's settings, outlets and audit
    /// log ask (a mirror of `Access::required_organization_wide`).
    pub fn holds_everywhere(&self, permission: crate::domain::Permission) -> bool {
        self.organization_wide.contains(&permission)
    }

    /// Where the person starts: the first console page their permissions open, else their
    /// own page.
    pub fn home(&self) -> &'static str {
        use crate::domain::Permission::*;
        if self.holds(ViewUsers) {
            "/users"
        } else if self.holds(ViewConnectors) {
            "/connectors"
        } else if [ManageRoles, ManageApiTokens, ManageConnectors]
            .iter()
            .any(|p| self.holds(*p))
        {
            "/security"
        } else {
            "/me"
        }
    }
}

/// One row of the people list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRow {
    pub id: UserId,
    pub name: String,
    pub email: String,
    /// `None` when the organization does not see the account's profile (see `PersonRecord`).
    pub username: Option<String>,
    pub status: MembershipStatus,
    pub managed_by: ManagedBy,
    pub managed_by_brand: Option<String>,
    pub roles: Vec<String>,
    /// The account's last completed sign-in; `None`: never.
    pub last_signed_in_at: Option<String>,
    /// The organization's latest invitation of the person, if it sent one.
    pub invitation: Option<super::invitations::Invitation>,
}

/// A page of the people list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeoplePage {
    pub rows: Vec<PersonRow>,
    pub page_size: u32,
    /// How many people match, counted up to a cap (`total_capped`: more than that).
    pub total: u32,
    pub total_capped: bool,
    /// Whether this is a later page (a "first page" link is offered).
    pub later: bool,
    /// The cursor of the next page (the last row's membership), when there is one.
    pub next: Option<String>,
    /// The brands whose people the organization may hold (for the "managed by" filter).
    pub brands: Vec<BrandRef>,
}

impl PeoplePage {
    /// "15 of 20 people", "15 of more than 1,000 people".
    pub fn caption(&self) -> String {
        let total = if self.total_capped {
            format!("more than {}", self.total)
        } else {
            self.total.to_string()
        };
        format!("Showing {} of {total} people", self.rows.len())
    }
}

/// One connector as shown on a person's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorSummary {
    pub id: ConnectorId,
    pub connector_type: ConnectorType,
    /// `None` for a library connector (the whole organization).
    pub outlet: Option<String>,
    pub role: String,
}

/// What one grant lets a person do now: its place, its role (and the brand whose role it is),
/// the role's permissions, and when it stops.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EffectiveGrant {
    /// `None`: every outlet of the organization.
    pub place: Option<String>,
    pub role: String,
    /// The brand whose role this is (a franchisee's people hold their brand's roles).
    pub brand: Option<String>,
    /// The outlet group the grant comes through, when it does.
    pub group: Option<String>,
    /// Permission codes, sorted.
    pub permissions: Vec<String>,
    pub ends_at: Option<String>,
}

/// The record of one person in the current organization, as the viewer may see it.
///
/// An account that existed before this organization added it (someone who also works
/// elsewhere) keeps its profile to itself: the organization sees the email it gave, not the
/// names or username another organization or the person set (`first_name` and `last_name`
/// empty, `username` `None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRecord {
    pub id: UserId,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub username: Option<String>,
    pub mobile: Option<String>,
    pub status: MembershipStatus,
    pub managed_by: ManagedBy,
    pub managed_by_brand: Option<String>,
    /// The default outlet, when it is within the viewer's reach.
    pub default_outlet: Option<String>,
    /// Organization-wide settings of the membership: only for viewers of the whole organization.
    pub organization_details: Option<OrganizationDetails>,
    /// The person's connectors within the viewer's reach.
    pub connectors: Vec<ConnectorSummary>,
    /// What those connectors let the person do now (none while deactivated), and whence.
    pub effective: Vec<EffectiveGrant>,
    /// The account's last completed sign-in; `None`: never.
    pub last_signed_in_at: Option<String>,
    /// The organization's latest invitation of the person, if it sent one.
    pub invitation: Option<super::invitations::Invitation>,
    pub created_at: String,
    pub updated_at: String,
}

/// What only a viewer of the whole organization sees of a membership.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationDetails {
    pub external_id: Option<String>,
    pub all_reports_access: bool,
    pub report_roles: Vec<String>,
}

/// "First Last", or the email when both names are empty.
pub fn display_name(first: &str, last: &str, email: &str) -> String {
    let name = format!("{first} {last}").trim().to_string();
    if name.is_empty() {
        email.to_string()
    } else {
        name
    }
}

/// A reference to a brand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BrandRef {
    pub id: BrandId,
    pub name: String,
}

/// An outlet as the API lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Outlet {
    pub id: OutletId,
    pub name: String,
    pub number: String,
    pub brand: Option<BrandRef>,
    /// Its own time zone, or the organization's default.
    pub time_zone: String,
    /// An archived outlet grants no access; it can be restored.
    pub archived: bool,
}

/// A role as the API lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Role {
    pub id: RoleId,
    pub name: String,
    #[serde(rename = "type")]
    pub role_type: ConnectorType,
    pub partner_role: PartnerRole,
    pub permissions: Vec<crate::domain::Permission>,
    /// Set for a brand role: defined by the brand's owner, read-only elsewhere.
    pub brand: Option<BrandRef>,
}

/// The person a connector grants access to, as the caller's organization sees them: an
/// account that existed before the organization added it shows no names and no username
/// (see `PersonRecord`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ConnectorUser {
    pub id: UserId,
    pub email: String,
    pub username: Option<String>,
    pub first_name: String,
    pub last_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RoleRef {
    pub id: RoleId,
    pub name: String,
    #[serde(rename = "type")]
    pub role_type: ConnectorType,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OutletRef {
    pub id: OutletId,
    pub name: String,
    pub number: String,
}

/// A named group of an organization's outlets (a district, a region). A connector scoped to
/// it grants its outlet role at every outlet in the group when access is decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OutletGroup {
    pub id: OutletGroupId,
    pub name: String,
    /// Its outlets, by name.
    pub outlets: Vec<OutletRef>,
    /// How many connectors grant access through it.
    pub connectors: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// An outlet group as a connector names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OutletGroupRef {
    pub id: OutletGroupId,
    pub name: String,
}

/// A user connector: one person's access (a role) to the organization (`L`), one outlet
/// (`O` with `outlet`) or every outlet of a group (`O` with `outlet_group`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Connector {
    pub id: ConnectorId,
    #[serde(rename = "type")]
    pub connector_type: ConnectorType,
    pub user: ConnectorUser,
    pub role: RoleRef,
    pub outlet: Option<OutletRef>,
    /// The outlet group it grants at (an outlet role at each of the group's outlets).
    pub outlet_group: Option<OutletGroupRef>,
    /// When the access starts (RFC 3339, UTC); `null`: already.
    pub starts_at: Option<String>,
    /// When the access ends (RFC 3339, UTC; the first instant without it); `null`: never.
    pub ends_at: Option<String>,
    /// Where it stands now: `scheduled` (not yet granting), `active`, `ended`.
    pub state: ConnectorState,
    pub created_at: String,
    pub updated_at: String,
}

/// What the viewer may do with one row of the console's access table, decided on the server
/// by `policy::may_change_grant` (the write paths ask the same rule again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RowChange {
    /// Change role, move, revoke.
    Allowed,
    /// The viewer does not manage access here: no actions, nothing to explain.
    ViewOnly,
    /// The viewer manages access here, but not this grant; the reason is shown.
    Locked(String),
}

/// A connector in the console's access table, with what the viewer may do to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessEntry {
    pub connector: Connector,
    /// The version of `connector` the row was shown with (its forms send it back; a change
    /// to a connector changed since is refused).
    pub version: String,
    pub change: RowChange,
    /// The brand whose API manages the person ("User managed by <brand>", shown wherever
    /// the membership appears).
    pub managed_by_brand: Option<String>,
}

/// One page of a keyset-paged list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Paged<T> {
    pub results: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Paged<T> {
    /// The same page with each result turned into something else.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged {
            results: self.results.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

/// Filters of the connector list, as received (query string or console URL); parsed by the service.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorQuery {
    #[serde(rename = "type")]
    pub connector_type: Option<String>,
    /// `scheduled`, `active` or `ended`.
    #[serde(default)]
    pub state: Option<String>,
    pub email: Option<String>,
    pub role_id: Option<String>,
    pub outlet_id: Option<String>,
    /// Connectors scoped to this outlet group.
    #[serde(default)]
    pub outlet_group_id: Option<String>,
    pub modified_since: Option<String>,
    pub page_size: Option<String>,
    pub cursor: Option<String>,
}

/// "Add user": create a connector, and the account and membership when they do not exist.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(example = json!({"email": "noor.haddad@harbor.example", "first_name": "Noor", "last_name": "Haddad", "role": "0193a5c2-7e4f-7d21-9c3b-5a1e2f3d4c5b", "outlet": "0193a5c2-7e4f-7d21-9c3b-5a1e2f3d4c5c", "send_verification_email": true})))]
pub struct CreateConnector {
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Role id.
    pub role: Option<String>,
    /// Outlet id; absent for a library connector.
    pub outlet: Option<String>,
    /// Outlet group id, instead of `outlet`: the outlet role at every outlet of the group,
    /// including outlets added to it later.
    #[serde(default)]
    pub outlet_group: Option<String>,
    /// When the access starts (RFC 3339); absent: at once. A borrow: both dates.
    #[serde(default)]
    pub starts_at: Option<String>,
    /// When the access ends (RFC 3339, the first instant without it); absent: never.
    #[serde(default)]
    pub ends_at: Option<String>,
    /// The person's employee or payroll number in the organization (unique in it). When it
    /// or the email names a deactivated person, they are brought back (a rehire) with this
    /// access only.
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub send_verification_email: bool,
}

/// What adding access did: the connector, and whether it brought a deactivated person back
/// (a rehire: active again with this access only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddedAccess {
    pub connector: Connector,
    pub reactivated: bool,
}

/// A partial change of a connector: only what is sent changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(example = json!({"role": "0193a5c2-7e4f-7d21-9c3b-5a1e2f3d4c5b"})))]
pub struct UpdateConnector {
    pub role: Option<String>,
    pub outlet: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

/// A transfer: from `on`, the access moves to `outlet` (the old outlet's ends, the new one's
/// starts, as one change).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(example = json!({"outlet": "0193a5c2-7e4f-7d21-9c3b-5a1e2f3d4c5c", "on": "2026-12-14T00:00:00Z"})))]
pub struct TransferConnector {
    /// The outlet the access moves to (its id).
    pub outlet: Option<String>,
    /// When (RFC 3339); absent or past: now.
    #[serde(default)]
    pub on: Option<String>,
}

/// What the console's access page offers the caller: roles, and outlets to filter by and to
/// grant at (a mirror of the policy; the server checks again on every change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessOptions {
    pub roles: Vec<Role>,
    /// Whether the caller manages access anywhere (at an outlet or across the organization).
    /// Outlets themselves are found as the caller types (`OutletPicker`): an organization may
    /// have thousands.
    pub manages_access: bool,
    /// Whether the caller can manage access to the whole organization (library connectors).
    pub manages_library: bool,
    /// Whether the caller is offered outlet groups (they may read them and there is one): a
    /// filter, and grants through one for who manages library access. Groups, too, are found
    /// as the caller types (`GroupPicker`): a restaurant group may have hundreds of districts.
    pub offers_outlet_groups: bool,
}

/// How the outlet pickers show an outlet: "Name (NUMBER)".
pub fn outlet_label(name: &str, number: &str) -> String {
    format!("{name} ({number})")
}

/// What a person typed in an outlet picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutletReference {
    /// Nothing: no outlet (the whole organization, or no filter).
    Empty,
    Id(super::OutletId),
    /// An outlet number: the text itself, or the one in the label's last parentheses.
    Number(String),
}

impl OutletReference {
    pub fn parse(text: &str) -> Self {
        let text = text.trim();
        if text.is_empty() {
            return OutletReference::Empty;
        }
        if let Some(id) = super::OutletId::parse(text) {
            return OutletReference::Id(id);
        }
        let number = text
            .strip_suffix(')')
            .and_then(|rest| rest.rsplit_once('('))
            .map(|(_, number)| number.trim())
            .filter(|number| !number.is_empty())
            .unwrap_or(text);
        OutletReference::Number(number.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outlet_is_named_by_its_label_its_number_or_its_id() {
        let id = crate::domain::OutletId::generate();
        let cases = [
            ("", OutletReference::Empty),
            ("   ", OutletReference::Empty),
            ("HB-001", OutletReference::Number("HB-001".into())),
            (" hb-001 ", OutletReference::Number("hb-001".into())),
            (
                "Harbor Burger Pier 39 (HB-001)",
                OutletReference::Number("HB-001".into()),
            ),
            (
                "Café (Old) Town (CT-2)",
                OutletReference::Number("CT-2".into()),
            ),
            ("Odd ()", OutletReference::Number("Odd ()".into())),
            (&id.to_string(), OutletReference::Id(id)),
        ];
        for (text, expected) in cases {
            assert_eq!(OutletReference::parse(text), expected, "{text:?}");
        }
        assert_eq!(
            outlet_label("Harbor Burger Pier 39", "HB-001"),
            "Harbor Burger Pier 39 (HB-001)"
        );
    }
}

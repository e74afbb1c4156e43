//! Shared vocabulary and the read models the console renders. Serde types compiled for
//! both targets; the server fills them, the browser only displays them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

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
    /// Which channel owns a membership's data.
    ManagedBy { Console => "console", Api => "api", Scim => "scim" }
);
text_enum!(
    OrganizationKind { Corporate => "corporate", Franchisee => "franchisee", Independent => "independent" }
);

/// An organization the signed-in person can switch to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationChoice {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
}

/// Who is signed in, where, and what the console may offer them (a mirror of the policy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub user_id: Uuid,
    pub display_name: String,
    pub email: String,
    pub organization: OrganizationChoice,
    pub organizations: Vec<OrganizationChoice>,
    pub permissions: Vec<crate::domain::Permission>,
}

impl Viewer {
    pub fn holds(&self, permission: crate::domain::Permission) -> bool {
        self.permissions.contains(&permission)
    }
}

/// One row of the people list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRow {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub username: String,
    pub status: MembershipStatus,
    pub managed_by: ManagedBy,
    pub managed_by_brand: Option<String>,
    pub roles: Vec<String>,
}

/// A page of the people list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeoplePage {
    pub rows: Vec<PersonRow>,
    pub page: u32,
    pub page_size: u32,
    pub total: u32,
}

impl PeoplePage {
    pub fn page_count(&self) -> u32 {
        self.total.div_ceil(self.page_size.max(1)).max(1)
    }
}

/// One connector as shown on a person's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorSummary {
    pub id: Uuid,
    pub connector_type: ConnectorType,
    /// `None` for a library connector (the whole organization).
    pub outlet: Option<String>,
    pub role: String,
}

/// The read-only record of one person in the current organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRecord {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub username: String,
    pub mobile: Option<String>,
    pub status: MembershipStatus,
    pub managed_by: ManagedBy,
    pub managed_by_brand: Option<String>,
    pub external_id: Option<String>,
    pub default_outlet: Option<String>,
    pub all_reports_access: bool,
    pub report_roles: Vec<String>,
    pub connectors: Vec<ConnectorSummary>,
    pub created_at: String,
    pub updated_at: String,
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
pub struct BrandRef {
    pub id: Uuid,
    pub name: String,
}

/// An outlet as the API lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outlet {
    pub id: Uuid,
    pub name: String,
    pub number: String,
    pub brand: Option<BrandRef>,
}

/// A role as the API lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub id: Uuid,
    pub name: String,
    #[serde(rename = "type")]
    pub role_type: ConnectorType,
    pub partner_role: PartnerRole,
    pub permissions: Vec<crate::domain::Permission>,
    /// Set for a brand role: defined by the brand's owner, read-only elsewhere.
    pub brand: Option<BrandRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorUser {
    pub id: Uuid,
    pub email: String,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleRef {
    pub id: Uuid,
    pub name: String,
    #[serde(rename = "type")]
    pub role_type: ConnectorType,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutletRef {
    pub id: Uuid,
    pub name: String,
    pub number: String,
}

/// A user connector: one person's access (a role) to the organization (`L`) or one outlet (`O`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connector {
    pub id: Uuid,
    #[serde(rename = "type")]
    pub connector_type: ConnectorType,
    pub user: ConnectorUser,
    pub role: RoleRef,
    pub outlet: Option<OutletRef>,
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
    pub change: RowChange,
    /// The brand whose API manages the person ("User managed by <brand>", shown wherever
    /// the membership appears).
    pub managed_by_brand: Option<String>,
}

/// One page of a keyset-paged list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    pub email: Option<String>,
    pub role_id: Option<String>,
    pub outlet_id: Option<String>,
    pub modified_since: Option<String>,
    pub page_size: Option<String>,
    pub cursor: Option<String>,
}

/// "Add user": create a connector, and the account and membership when they do not exist.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateConnector {
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Role id.
    pub role: Option<String>,
    /// Outlet id; absent for a library connector.
    pub outlet: Option<String>,
    #[serde(default)]
    pub send_verification_email: bool,
}

/// A partial change of a connector: only what is sent changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateConnector {
    pub role: Option<String>,
    pub outlet: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

/// What the console's access page offers the caller: roles, and outlets to filter by and to
/// grant at (a mirror of the policy; the server checks again on every change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessOptions {
    pub roles: Vec<Role>,
    /// Outlets whose connectors the caller can see.
    pub visible_outlets: Vec<Outlet>,
    /// Outlets where the caller can manage access.
    pub manageable_outlets: Vec<Outlet>,
    /// Whether the caller can manage access to the whole organization (library connectors).
    pub manages_library: bool,
}

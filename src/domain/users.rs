//! The users view (the R365 shape): a membership of the caller's organization, derived from
//! its connectors (`all_location_access` ⇔ a library connector, `locations` = the outlets of
//! its outlet connectors, `user_roles` = their distinct roles), and the raw input that writes
//! it. Compiled for both targets: the console shows the same facts.

use serde::{Deserialize, Deserializer, Serialize};

use super::ids::{OutletId, ReportRoleId, RoleId, UserId};
use super::model::{BrandRef, ManagedBy, OutletRef};

/// A user role as the users view names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserRoleRef {
    pub id: RoleId,
    pub name: String,
}

/// A report role (which reports a person sees).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReportRole {
    pub id: ReportRoleId,
    pub name: String,
}

/// An outlet of a franchisee organization where a corporate brand-managed person has access.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ExternalLocation {
    pub id: OutletId,
    pub name: String,
    pub number: String,
    /// The franchisee organization's name.
    pub organization: String,
}

/// A user: one membership of the caller's organization. `locations` is absent when
/// `all_location_access` is true, `report_roles` when `all_reports_access` is true (or when
/// the caller does not see the organization as a whole), `external_locations` when empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct User {
    pub id: UserId,
    /// `None` when the organization does not see the account's profile (it existed before
    /// the organization added it).
    pub username: Option<String>,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub mobile_number: Option<String>,
    /// The organization's own number for the person (employee or payroll number); unique
    /// in the organization. SCIM's `externalId`.
    pub external_id: Option<String>,
    pub default_location: Option<OutletRef>,
    pub inactive: bool,
    pub all_location_access: bool,
    pub all_reports_access: bool,
    pub user_roles: Vec<UserRoleRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_roles: Option<Vec<ReportRole>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locations: Option<Vec<OutletRef>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_locations: Vec<ExternalLocation>,
    pub managed_by: ManagedBy,
    pub managed_by_brand: Option<BrandRef>,
    pub created_at: String,
    pub updated_at: String,
}

/// A reference by id, as `{"id": "…"}` (the shape the API answers) or a plain id string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum IdInput {
    Object { id: String },
    Plain(String),
}

impl IdInput {
    pub fn text(&self) -> &str {
        match self {
            IdInput::Object { id } | IdInput::Plain(id) => id,
        }
    }
}

/// A field that may be sent as `null` (to clear it) or left out (to keep it):
/// `None` absent, `Some(None)` null, `Some(Some(v))` a value.
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// One user as received: an item of `POST /api/v1/users`, a `PATCH` body, or the console's
/// edit form. Parsed into `NewUser` / `UserChange` (server only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(example = json!({"username": "noor.haddad", "email": "noor.haddad@harbor.example", "first_name": "Noor", "last_name": "Haddad", "default_location": {"id": "0193a5c2-7e4f-7d21-9c3b-5a1e2f3d4c5c"}, "user_roles": [{"id": "0193a5c2-7e4f-7d21-9c3b-5a1e2f3d4c5b"}], "locations": [{"id": "0193a5c2-7e4f-7d21-9c3b-5a1e2f3d4c5c"}]})))]
pub struct UserInput {
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub mobile_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub external_id: Option<Option<String>>,
    #[serde(default)]
    pub default_location: Option<IdInput>,
    #[serde(default)]
    pub inactive: Option<bool>,
    #[serde(default)]
    pub all_location_access: Option<bool>,
    #[serde(default)]
    pub all_reports_access: Option<bool>,
    #[serde(default)]
    pub user_roles: Option<Vec<IdInput>>,
    #[serde(default)]
    pub report_roles: Option<Vec<IdInput>>,
    #[serde(default)]
    pub locations: Option<Vec<IdInput>>,
    #[serde(default)]
    pub external_locations: Option<Vec<IdInput>>,
    #[serde(default, deserialize_with = "present")]
    pub managed_by_brand: Option<Option<IdInput>>,
}

/// A brand's "Allow editing of API-managed users in Brigade" toggle, or the organization's
/// own one for API-managed people of no brand (`brand` `None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiEditToggle {
    pub brand: Option<BrandRef>,
    pub allowed: bool,
    /// `None` when the viewer may switch it; otherwise why not (e.g. "Managed by Harbor
    /// Kitchen Group" in a franchisee organization).
    pub locked: Option<String>,
    /// How many of the organization's people it governs.
    pub people: u32,
}

/// The API User Permissions tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiUserPermissions {
    pub toggles: Vec<ApiEditToggle>,
}

/// What the console's edit form of a person offers, besides the person: choices limited to
/// what the viewer may grant, and whether (and why not) the person can be edited here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonEditing {
    pub user: User,
    /// The version of `user` the form was opened on (sent back with each change, which is
    /// refused if the person changed since).
    pub version: String,
    /// `None`: editable by the viewer; otherwise the reason shown above a read-only record.
    pub locked: Option<String>,
    /// The viewer may change names, username, email and mobile (not shared elsewhere).
    pub profile_editable: bool,
    /// The viewer may change report roles (they see the organization as a whole).
    pub reports_editable: bool,
    pub roles: Vec<crate::domain::model::Role>,
    /// The person's locations (outlets of their outlet roles); more are added by picking.
    pub outlets: Vec<crate::domain::model::Outlet>,
    pub report_roles: Vec<ReportRole>,
}

/// Filters of the console's people list (each may be left out: all).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PeopleFilter {
    pub search: String,
    /// `console`, `api`, `scim`, or `brand:<id>`; empty for all.
    pub managed: String,
    /// `active`, `inactive`; empty for all.
    pub status: String,
    /// `never`, or a number of days N (not signed in for N days); empty for all.
    #[serde(default)]
    pub sign_in: String,
}

/// The Security & Permissions page: the roles and report roles offered to the organization,
/// and the API User Permissions toggles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityOverview {
    pub roles: Vec<RoleEntry>,
    pub report_roles: Vec<ReportRole>,
    pub api_user_permissions: ApiUserPermissions,
    /// The viewer defines roles and report roles here (the server checks each change again).
    pub may_define: bool,
    /// Brands the organization owns: a role may be a brand role of one of them.
    pub owned_brands: Vec<crate::domain::model::BrandRef>,
}

/// A role on the Security & Permissions page, with why the viewer may not change it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleEntry {
    pub role: crate::domain::model::Role,
    /// `None`: the viewer may change or delete it.
    pub locked: Option<String>,
}

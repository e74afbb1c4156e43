//! The query parameters of the API's lists, as types: each one documents its parameters in
//! the OpenAPI contract and is what [`super::input::Params`] reads, so the contract and the
//! parser cannot name different parameters. Values arrive as text and are parsed by the
//! domain (which names the field of any problem); the contract states their real type.

use serde::Deserialize;
use utoipa::IntoParams;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

use crate::domain::error::Problems;
use crate::domain::model::ConnectorQuery;
use crate::domain::paging::PageRequest;

/// A list's parameters, with the keyset paging every list takes (`page_size`, `cursor`).
macro_rules! paged_params {
    ($(#[$meta:meta])* pub struct $name:ident { $($(#[$field_meta:meta])* pub $field:ident: $type:ty,)* }) => {
        paged_params!(up_to 200, $(#[$meta])* pub struct $name { $($(#[$field_meta])* pub $field: $type,)* });
    };
    (up_to $max:tt, $(#[$meta:meta])* pub struct $name:ident { $($(#[$field_meta:meta])* pub $field:ident: $type:ty,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Default, Deserialize, IntoParams)]
        #[into_params(parameter_in = Query)]
        pub struct $name {
            $($(#[$field_meta])* pub $field: $type,)*
            /// How many results in one page (default 50).
            #[param(value_type = Option<u32>, minimum = 1, maximum = $max)]
            pub page_size: Option<String>,
            /// Where the next page starts: a list's `next_cursor`, as given.
            #[param(pattern = "^[A-Za-z0-9_-]{21}[AQgw]$")]
            pub cursor: Option<String>,
        }

        impl $name {
            /// The page asked for; problems go under `page_size` and `cursor`. (Lists whose
            /// domain query parses its own paging do not call it.)
            #[allow(dead_code)]
            pub fn page(&self, problems: &mut Problems) -> PageRequest {
                PageRequest::parse(self.page_size.as_deref(), self.cursor.as_deref(), problems)
            }
        }
    };
}

paged_params!(
    /// A list that takes only paging.
    pub struct PageParams {}
);

impl PageParams {
    /// The page asked for, or 422 naming the parameter.
    pub fn only(&self) -> Result<PageRequest, crate::domain::AppError> {
        let mut problems = Problems::default();
        let page = self.page(&mut problems);
        problems.finish()?;
        Ok(page)
    }
}

paged_params!(
    /// `GET /user-roles`
    pub struct RoleFilters {
        /// Only roles of this type: `L` (the whole organization) or `O` (one outlet).
        #[serde(rename = "type")]
        #[param(rename = "type", value_type = Option<crate::domain::model::ConnectorType>)]
        pub role_type: Option<String>,
    }
);

paged_params!(
    /// `GET /user-connectors`
    pub struct ConnectorFilters {
        /// Only connectors of this type: `L` (the whole organization) or `O` (one outlet).
        #[serde(rename = "type")]
        #[param(rename = "type", value_type = Option<crate::domain::model::ConnectorType>)]
        pub connector_type: Option<String>,
        /// People whose email contains this text (case-insensitive).
        #[param(
            max_length = 254,
            pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
        )]
        pub email: Option<String>,
        /// Only connectors with this role.
        #[param(value_type = Option<uuid::Uuid>)]
        pub role_id: Option<String>,
        /// Only connectors at this outlet.
        #[param(value_type = Option<uuid::Uuid>)]
        pub outlet_id: Option<String>,
        /// Only connectors through this outlet group.
        #[param(value_type = Option<uuid::Uuid>)]
        pub outlet_group_id: Option<String>,
        /// Only connectors changed at or after this time (RFC 3339).
        #[param(value_type = Option<String>, format = DateTime)]
        pub modified_since: Option<String>,
        /// Only connectors in this state now: `scheduled` (not yet granting), `active`, `ended`.
        #[param(value_type = Option<crate::domain::model::ConnectorState>)]
        pub state: Option<String>,
    }
);

impl From<ConnectorFilters> for ConnectorQuery {
    fn from(filters: ConnectorFilters) -> Self {
        ConnectorQuery {
            connector_type: filters.connector_type,
            email: filters.email,
            role_id: filters.role_id,
            outlet_id: filters.outlet_id,
            outlet_group_id: filters.outlet_group_id,
            modified_since: filters.modified_since,
            state: filters.state,
            page_size: filters.page_size,
            cursor: filters.cursor,
        }
    }
}

paged_params!(
    up_to 250,
    /// `GET /users`
    pub struct UserFilters {
        /// Only people changed at or after this time (RFC 3339).
        #[param(value_type = Option<String>, format = DateTime)]
        pub modified_since: Option<String>,
        /// Outlet ids, separated by commas: people with access at any of them.
        #[param(value_type = Option<Vec<uuid::Uuid>>, style = Form, explode = false, min_items = 1, max_items = 250)]
        pub location_ids: Option<String>,
        /// Brand names, separated by commas (case-insensitive): people managed by any of these brands.
        #[param(value_type = Option<Vec<BrandName>>, style = Form, explode = false, min_items = 1, max_items = 250)]
        pub brands: Option<String>,
        /// Emails, separated by commas: exactly these people.
        #[param(value_type = Option<Vec<EmailAddress>>, style = Form, explode = false, min_items = 1, max_items = 250)]
        pub emails: Option<String>,
        /// External ids (employee or payroll numbers), separated by commas: exactly the people holding them.
        #[param(value_type = Option<Vec<ExternalIdText>>, style = Form, explode = false, min_items = 1, max_items = 250)]
        pub external_ids: Option<String>,
    }
);

/// The items of the users list's filters, for the contract only: what the server accepts,
/// stated exactly enough that a fuzzer's valid values are accepted and its invalid ones
/// refused.
macro_rules! text_item {
    ($(#[$meta:meta])* $name:ident, $pattern:expr, $max:expr) => {
        $(#[$meta])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .max_length($max)
                    .pattern(Some($pattern))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

text_item!(
    /// An `Idempotency-Key`: 1 to 255 visible ASCII characters, bare or quoted (as a
    /// structured-field string; the same key).
    IdempotencyKeyText,
    r#"^[!-~]{1,255}$|^"[!-~]{1,255}"$"#,
    Some(257)
);

text_item!(
    /// A brand's name: anything but blank, and no comma (which separates them).
    BrandName,
    r"^[^,]*[^\s,][^,]*$",
    None
);

text_item!(
    /// What `Email::parse` accepts: up to 64 characters (no `@`, white space or control
    /// character), `@`, a dotted domain of ASCII letters, digits and hyphens; at most 254
    /// characters; white space around is trimmed.
    EmailAddress,
    r"^\s*[^@\s,\x00-\x1f\x7f-\x9f]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+\s*$",
    Some(254)
);

text_item!(
    /// What `ExternalId::parse` accepts: 1 to 255 characters with no control character (and
    /// no comma, which separates them); white space around is trimmed.
    ExternalIdText,
    r"^\s*[^\s,\x00-\x1f\x7f-\x9f]([^,\x00-\x1f\x7f-\x9f]{0,253}[^\s,\x00-\x1f\x7f-\x9f])?\s*$",
    None
);

/// `GET /audit-events`: newest first; `cursor` is a page's `next_cursor`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilters {
    /// Only changes made by this person or API client (its id).
    #[param(value_type = Option<uuid::Uuid>)]
    pub actor: Option<String>,
    /// Only this kind of change.
    #[param(value_type = Option<crate::domain::audit::AuditAction>)]
    pub action: Option<String>,
    /// Only changes concerning this person (their record, account or access): their id.
    #[param(value_type = Option<uuid::Uuid>)]
    pub person: Option<String>,
    /// Only changes at or after this time (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub since: Option<String>,
    /// Only changes before this time (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub until: Option<String>,
    /// How many events in one page (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub page_size: Option<String>,
    /// Where the next page starts: a page's `next_cursor`, as given.
    #[param(pattern = "^[A-Za-z0-9_-]{10}[AEIMQUYcgkosw048]$")]
    pub cursor: Option<String>,
}

impl From<AuditFilters> for crate::domain::audit::AuditQuery {
    fn from(filters: AuditFilters) -> Self {
        Self {
            actor: filters.actor,
            action: filters.action,
            person: filters.person,
            since: filters.since,
            until: filters.until,
            page_size: filters.page_size,
            cursor: filters.cursor,
        }
    }
}

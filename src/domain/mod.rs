//! The domain core: types that parse input once, the permission catalogue and the access
//! policy. Pure Rust, compiled for both the server and the browser; no I/O lives here.

/// An enum stored and sent as a fixed text (`"L"`, `"active"`, `"users.view"` …): serde,
/// `Display`/`FromStr` (strum) and, on the server, database decoding that fails loudly on a
/// text this build does not know, instead of guessing a plausible value.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize,
            strum::EnumString, strum::IntoStaticStr, strum::Display, strum::VariantArray,
        )]
        pub enum $name { $(#[serde(rename = $text)] #[strum(serialize = $text)] $variant),+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                self.into()
            }
        }

        // The contract names the texts (utoipa's derive cannot read a rename passed through
        // a macro).
        #[cfg(feature = "ssr")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text),+]))
                    .into()
            }
        }

        #[cfg(feature = "ssr")]
        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }

        #[cfg(feature = "ssr")]
        impl<DB: sqlx::Database> sqlx::Type<DB> for $name
        where
            str: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <str as sqlx::Type<DB>>::type_info()
            }
            fn compatible(ty: &DB::TypeInfo) -> bool {
                <str as sqlx::Type<DB>>::compatible(ty)
            }
        }

        #[cfg(feature = "ssr")]
        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $name
        where
            &'r str: sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: <DB as sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <&'r str as sqlx::Decode<'r, DB>>::decode(value)?;
                text.parse().map_err(|_| {
                    format!("unknown {} {text:?} in the database", stringify!($name)).into()
                })
            }
        }

        #[cfg(feature = "ssr")]
        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $name
        where
            &'q str: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&'q str as sqlx::Encode<'q, DB>>::encode_by_ref(&self.as_str(), buf)
            }
        }
    };
}

/// The conversions of a text newtype that parses once (`Email`, `Username`, `PersonName`,
/// `Mobile`):
/// from a `String` through its `parse`, back into a `String`, and `Display`.
macro_rules! text_newtype {
    ($name:ident) => {
        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

pub mod audit;
#[cfg(feature = "ssr")]
pub mod bulk;
#[cfg(feature = "ssr")]
pub mod commands;
pub mod email;
pub mod error;
pub mod franchise;
pub mod ids;
pub mod invitations;
pub mod local_path;
pub mod me;
pub mod mobile;
pub mod model;
pub mod name;
#[cfg(feature = "ssr")]
pub mod organization;
#[cfg(feature = "ssr")]
pub mod outlet_groups;
#[cfg(feature = "ssr")]
pub mod outlets;
#[cfg(feature = "ssr")]
pub mod paging;
pub mod passkeys;
pub mod password;
pub mod permission;
pub mod policy;
#[cfg(feature = "ssr")]
pub mod roles;
#[cfg(feature = "ssr")]
pub mod scim;
pub mod sso;
#[cfg(feature = "ssr")]
pub mod two_step;
#[cfg(feature = "ssr")]
pub mod user_commands;
pub mod username;
pub mod users;

pub use email::Email;
pub use error::AppError;
pub use ids::*;
pub use local_path::LocalPath;
pub use mobile::Mobile;
pub use name::{ExternalId, PersonName};
pub use password::Password;
pub use permission::Permission;
pub use policy::{Access, Scope};
pub use username::Username;

//! Id newtypes: a role id cannot be passed where an outlet id is expected. All are UUIDs
//! (v7, so they sort by creation); JSON and the database see the plain UUID.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! id_types {
    ($($(#[$meta:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(transparent))]
        #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new, time-ordered id.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            /// The id in `text`, if it is a UUID.
            pub fn parse(text: &str) -> Option<Self> {
                Uuid::parse_str(text.trim()).ok().map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }
    )+};
}

id_types!(
    /// A tenant.
    OrganizationId,
    /// A brand owned by a corporate organization.
    BrandId,
    /// An outlet (location, store) of one organization.
    OutletId,
    /// A named group of an organization's outlets (a district, a region).
    OutletGroupId,
    /// A person's account, shared by every organization they belong to.
    UserId,
    /// A person inside one organization.
    MembershipId,
    /// A role of an organization (or of a brand).
    RoleId,
    /// A user connector: one grant of a role.
    ConnectorId,
    /// An API client's token.
    TokenId,
    /// A report role of an organization.
    ReportRoleId,
    /// An invitation to run a brand as its franchisee.
    InvitationId,
    /// A completed sign-in: the console session it started.
    SignInId,
    /// A passkey (WebAuthn credential) of an account.
    PasskeyId,
);

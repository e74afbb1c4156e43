//! Who am I: the caller in the partner API's shape (`GET /api/v1/me`), the signed-in person's
//! own page (`/me`), and the organization's API clients (Security & Permissions).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ids::{OrganizationId, OutletId, TokenId};
use super::model::{Outlet, PartnerRole, Role};

/// The caller as the partner API's User object: exactly these keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Me {
    /// The person's account id, or the API client's id.
    #[serde(rename = "_id")]
    pub id: Uuid,
    /// `None` for an API client (a service user has no mailbox).
    pub email: Option<String>,
    /// The username, or the API client's name.
    pub login: String,
    /// Always `partner`.
    pub role: String,
    pub partner_role: PartnerRole,
    /// The organization's name.
    pub partner: String,
    /// Every outlet the caller can reach, external locations included.
    pub store_ids: Vec<OutletId>,
    pub first_name: String,
    pub last_name: String,
    pub created_at: String,
    pub updated_at: String,
}

/// The roles a person holds in one of their organizations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyOrganization {
    pub id: OrganizationId,
    pub name: String,
    /// "Role — where" for each grant.
    pub roles: Vec<String>,
    pub current: bool,
}

/// The signed-in person's own page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyPage {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub username: String,
    pub organizations: Vec<MyOrganization>,
    /// Whether they reach the whole current organization (a library grant): then its outlets
    /// are counted, not listed (a group may have thousands).
    pub whole_organization: bool,
    /// How many outlets they reach in the current organization.
    pub outlet_count: u32,
    /// The outlets they reach through outlet grants (empty with a library grant).
    pub outlets: Vec<Outlet>,
}

text_enum!(
    /// How a person signed in.
    SignInMethod {
        Password => "password",
        PasswordAndCode => "password_and_code",
        PasswordAndRecoveryCode => "password_and_recovery_code",
        Passkey => "passkey",
        Sso => "sso",
    }
);

impl SignInMethod {
    pub fn label(self) -> &'static str {
        match self {
            Self::Password => "Password",
            Self::PasswordAndCode => "Password and authenticator code",
            Self::PasswordAndRecoveryCode => "Password and recovery code",
            Self::Passkey => "Passkey",
            Self::Sso => "Single sign-on",
        }
    }
}

/// A sign-in as its person sees it on their own page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MySignIn {
    pub id: super::SignInId,
    pub method: SignInMethod,
    pub client_address: Option<String>,
    pub user_agent: Option<String>,
    pub signed_in_at: String,
    /// Its session goes on (not ended, not past its lifetime, used recently).
    pub active: bool,
    /// The session this page is seen in.
    pub current: bool,
}

/// Two-step sign-in as the person's own page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoStepStatus {
    /// A confirmed authenticator: sign-in asks for a code.
    pub enrolled: bool,
    /// Unused recovery codes.
    pub recovery_codes_left: u32,
    /// The person's organizations that require two-step sign-in (of those who manage there).
    pub required_by: Vec<String>,
    /// Whether they must enrol before anything else (they manage where it is required).
    pub must_enrol: bool,
}

/// A new authenticator to confirm: the QR code (SVG, drawn on the server) of its `otpauth://`
/// address, and the secret as text for apps that take it typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoStepEnrolment {
    pub qr_svg: String,
    pub secret: String,
}

/// An API client as the console lists it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiClientEntry {
    pub id: TokenId,
    pub name: String,
    pub role: String,
    pub outlet: Option<String>,
    /// Who issued it: a person's name, or `None` for the command line.
    pub created_by: Option<String>,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
    /// A SCIM connection's start for new people ("Staff at Pier 39"); `None` when it has none
    /// (or for an API client).
    pub people_start: Option<String>,
}

/// The API clients tab (or the SCIM connections tab): the clients, and what a new one may
/// be given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiClientsTab {
    pub clients: Vec<ApiClientEntry>,
    /// Roles of partner role `api`, and roles the viewer holds, that they may give.
    pub roles: Vec<Role>,
    /// For SCIM connections: the roles new people may start with (the server checks the
    /// viewer may grant the one chosen), and the base URL identity providers are given.
    pub people_roles: Vec<Role>,
    pub scim_url: Option<String>,
}

/// A client just issued: its token is shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedClient {
    pub client: ApiClientEntry,
    pub token: String,
}

/// The organization's settings page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationSettings {
    pub name: String,
    /// Fixed once the organization is created.
    pub slug: String,
    pub kind: super::model::OrganizationKind,
    pub time_zone: String,
}

/// The outlets page: a page of the organization's outlets by name (archived ones too), those
/// matching a search when there is one, and the brands an outlet may be put under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutletsPage {
    pub outlets: Vec<Outlet>,
    /// How many outlets match (all of them without a search).
    pub total: u32,
    /// The cursor of the next page, when there is one (the last outlet's id).
    pub next: Option<String>,
    pub brands: Vec<super::model::BrandRef>,
    pub default_time_zone: String,
}

/// A brand as the settings page shows it: owned here (renamable) or run here under its
/// owner (read-only, "Managed by <owner>").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandEntry {
    pub brand: super::model::BrandRef,
    /// `None`: this organization owns it; else the owner's name.
    pub managed_by: Option<String>,
}

/// What importing one CSV row would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportAction {
    Create,
    /// The fields that change.
    Update(Vec<String>),
    Unchanged,
    /// Why the row cannot be imported.
    Error(String),
}

/// One row of an outlet import preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    /// 1-based line of the file (the header is line 1).
    pub line: usize,
    pub number: String,
    pub name: String,
    pub action: ImportAction,
}

/// The preview of an outlet import: per row, what applying it would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPreview {
    pub rows: Vec<ImportRow>,
}

impl ImportPreview {
    /// (create, update, unchanged, error) counts.
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let mut counts = (0, 0, 0, 0);
        for row in &self.rows {
            match row.action {
                ImportAction::Create => counts.0 += 1,
                ImportAction::Update(_) => counts.1 += 1,
                ImportAction::Unchanged => counts.2 += 1,
                ImportAction::Error(_) => counts.3 += 1,
            }
        }
        counts
    }
}

/// A bulk action on people: its progress, and each person's result so far (the first
/// `BulkJob::SHOWN` of them, in the order they were taken).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkJob {
    pub progress: JobProgress,
    pub results: Vec<BulkResult>,
}

impl BulkJob {
    pub const SHOWN: usize = 1_000;
}

/// One person's result: done, or refused with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkResult {
    pub email: String,
    pub refused: Option<String>,
}

/// A running or finished job, as its progress bar shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobProgress {
    pub id: Uuid,
    pub total: u32,
    pub done: u32,
    /// `running`, `finished` or `failed`.
    pub status: String,
    pub summary: Option<String>,
}

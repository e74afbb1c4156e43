//! Single sign-on with OpenID Connect, per organization (`openidconnect`): the connection an
//! organization's admin sets up (its client secret sealed), the email domains the operator
//! claims for it, the authorization-code flow with PKCE, `state` and `nonce`, and the ID token's
//! checks (signature against the issuer's keys, `iss`, `aud`, `exp`, `nonce`).
//!
//! Who signs in: the account linked to the token's (issuer, subject); the first time, the
//! account of the token's email when `email_verified` is true, the email's domain is claimed by
//! this connection's organization and the account has a membership there (then the link is
//! kept). Always with an active membership in the connection's own organization, where the
//! session starts: no membership is ever created by a sign-in, and no organization's identity
//! provider signs anyone into another. Every refusal is audited in that organization.

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreJwsSigningAlgorithm, CoreProviderMetadata,
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, Scope, TokenResponse,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use time::Duration;

use super::auth::{ClientInfo, SessionClaims};
use super::sealing::Sealed;
// The connection's settings are for someone who manages settings across the organization.
use super::setup::may_manage_settings as may_manage;
use super::{Context, Principal, Work};
use crate::domain::audit::AuditAction;
use crate::domain::me::SignInMethod;
use crate::domain::model::Via;
use crate::domain::sso::{EmailDomain, SsoConnection};
use crate::domain::{AppError, Email, OrganizationId, UserId, policy};
use crate::store::{self, audit::Actor};

/// The ID token signatures accepted (asymmetric only: never `none`, never the client secret).
const ALLOWED_ALGS: [CoreJwsSigningAlgorithm; 6] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
];

/// Where identity providers send people back.
pub const CALLBACK_PATH: &str = "/auth/sso/callback";
/// A sign-in must come back from the identity provider this soon.
pub const FLOW_WITHIN: Duration = Duration::minutes(10);

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// What a single sign-on under way remembers between leaving for the identity provider and
/// coming back (kept in the visitor's session, taken once).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pending {
    organization: OrganizationId,
    state: String,
    nonce: String,
    verifier: String,
    began_at: i64,
    /// Where to go after signing in (a local path, checked by the console).
    pub next: Option<String>,
}

fn http() -> Result<openidconnect::reqwest::Client, AppError> {
    openidconnect::reqwest::ClientBuilder::new()
        // Following redirects would expose the flow to SSRF (openidconnect's advice).
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|e| AppError::internal(&e))
}

fn redirect_uri(context: &Context) -> String {
    format!("{}{CALLBACK_PATH}", context.public_url())
}

/// How long a provider's discovery document (with its signing keys) is reused.
const DISCOVERY_REUSED_FOR: std::time::Duration = std::time::Duration::from_secs(300);

/// The providers' discovery documents this server fetched lately, by issuer: a sign-in asks
/// the provider once, not at its start and again at its return.
#[derive(Default)]
pub struct Discoveries(
    std::sync::Mutex<HashMap<String, (std::time::Instant, CoreProviderMetadata)>>,
);

impl Discoveries {
    fn recent(&self, issuer: &str) -> Option<CoreProviderMetadata> {
        let known = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        known
            .get(issuer)
            .filter(|(at, _)| at.elapsed() < DISCOVERY_REUSED_FOR)
            .map(|(_, metadata)| metadata.clone())
    }

    fn keep(&self, issuer: &str, metadata: &CoreProviderMetadata) {
        let mut known = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        known.insert(
            issuer.to_string(),
            (std::time::Instant::now(), metadata.clone()),
        );
    }
}

/// The provider's client, from its discovery document: a recent one unless `fresh` (saving a
/// connection checks the provider live; a token signed by a key the kept document lacks
/// fetches it again).
async fn client(
    context: &Context,
    issuer: &str,
    client_id: &str,
    secret: String,
    fresh: bool,
) -> Result<Client, String> {
    let kept = (!fresh)
        .then(|| context.sso_discoveries().recent(issuer))
        .flatten();
    let metadata = match kept {
        Some(metadata) => metadata,
        None => {
            let url = IssuerUrl::new(issuer.to_string()).map_err(|e| e.to_string())?;
            let http = http().map_err(|e| e.to_string())?;
            let metadata = CoreProviderMetadata::discover_async(url, &http)
                .await
                .map_err(|e| format!("discovery: {e}"))?;
            context.sso_discoveries().keep(issuer, &metadata);
            metadata
        }
    };
    let redirect = RedirectUrl::new(redirect_uri(context)).map_err(|e| e.to_string())?;
    Ok(CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(client_id.to_string()),
        Some(ClientSecret::new(secret)),
    )
    .set_redirect_uri(redirect))
}

/// The client of a stored connection (its secret opened), or `sso_unavailable` when the
/// provider does not answer its discovery.
async fn connected(
    context: &Context,
    connection: &store::sso::Connection,
    fresh: bool,
) -> Result<Client, AppError> {
    let secret = open_secret(context, connection)?;
    client(
        context,
        &connection.issuer,
        &connection.client_id,
        secret,
        fresh,
    )
    .await
    .map_err(|error| {
        tracing::warn!(%error, "an SSO issuer did not answer");
        provider_unreachable(&connection.display_name)
    })
}

fn open_secret(context: &Context, connection: &store::sso::Connection) -> Result<String, AppError> {
    let secret = context.secret_key().open(
        Sealed::SsoClientSecret,
        connection.organization_id.0.as_bytes(),
        &connection.sealed_client_secret,
    )?;
    String::from_utf8(secret).map_err(|e| AppError::internal(&e))
}

/// The organization's connection, as its settings show it.
pub async fn connection(
    context: &Context,
    who: &Principal,
) -> Result<Option<SsoConnection>, AppError> {
    may_manage(who)?;
    let mut conn = context.read().await?;
    let Some(row) = store::sso::connection(&mut conn, who.organization_id).await? else {
        return Ok(None);
    };
    Ok(Some(SsoConnection {
        domains: store::sso::domains(&mut conn, who.organization_id).await?,
        issuer: row.issuer,
        client_id: row.client_id,
        display_name: row.display_name,
        require_sso: row.require_sso,
        redirect_uri: redirect_uri(context),
    }))
}

/// A connection as typed: issuer (checked by [`crate::domain::sso::parse_issuer`]), client id
/// and secret, and the name people see ("Continue with …").
#[derive(Debug, Clone)]
pub struct NewConnection {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    pub display_name: String,
}

/// Creates or replaces the organization's connection, once the issuer's discovery document
/// answers. The secret is sealed and never shown again; audited without it.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn save_connection(
    context: &Context,
    who: &Principal,
    new: &NewConnection,
) -> Result<(), AppError> {
    may_manage(who)?;
    // A provider on this machine (http://localhost…) only for a server that is itself reached
    // on this machine: otherwise an organization's admin could make the server call its own
    // loopback services.
    if new.issuer.starts_with("http://")
        && !crate::domain::sso::on_this_machine(context.public_url())
    {
        return Err(AppError::field(
            "issuer",
            "An identity provider is reached over https://.",
        ));
    }
    if let Err(error) = client(
        context,
        &new.issuer,
        &new.client_id,
        new.client_secret.clone(),
        true,
    )
    .await
    {
        tracing::info!(%error, "an SSO issuer did not answer its discovery");
        return Err(AppError::field(
            "issuer",
            "This issuer did not answer with its OpenID configuration (/.well-known/openid-configuration).",
        ));
    }
    let sealed = context.secret_key().seal(
        Sealed::SsoClientSecret,
        who.organization_id.0.as_bytes(),
        new.client_secret.as_bytes(),
    )?;
    let mut work = context.begin().await?;
    store::sso::save(
        &mut work,
        store::sso::NewConnection {
            organization: who.organization_id,
            issuer: &new.issuer,
            client_id: &new.client_id,
            sealed_client_secret: &sealed,
            display_name: &new.display_name,
        },
    )
    .await?;
    audit(
        &mut work,
        who.actor,
        who.organization_id,
        AuditAction::OrganizationSsoConnectionSaved,
        json!({ "issuer": new.issuer, "client_id": new.client_id, "display_name": new.display_name }),
    )
    .await?;
    work.commit().await
}

/// Claims email domains for the organization's connection (the operator, from the CLI: a
/// console admin cannot prove they own a domain). A domain another organization holds is
/// refused, and nothing is claimed.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn claim_domains(
    work: &mut Work,
    who: &Principal,
    domains: &[EmailDomain],
) -> Result<(), AppError> {
    policy::may_claim_email_domains(who.actor.via)?;
    if store::sso::connection(work, who.organization_id)
        .await?
        .is_none()
    {
        return Err(AppError::field(
            "org",
            "This organization has no SSO connection.",
        ));
    }
    for domain in domains {
        if !store::sso::claim_domain(work, who.organization_id, domain.as_str()).await? {
            return Err(AppError::field(
                "domain",
                format!("{} is claimed by another organization.", domain.as_str()),
            ));
        }
    }
    let claimed: Vec<&str> = domains.iter().map(EmailDomain::as_str).collect();
    audit(
        work,
        who.actor,
        who.organization_id,
        AuditAction::OrganizationSsoDomainsClaimed,
        json!({ "domains": claimed }),
    )
    .await
}

/// Requires (or stops requiring) single sign-on of the people of the claimed domains.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn set_required(
    context: &Context,
    who: &Principal,
    required: bool,
) -> Result<(), AppError> {
    may_manage(who)?;
    let mut work = context.begin().await?;
    if !store::sso::set_required(&mut work, who.organization_id, required).await? {
        return Err(AppError::NotFound);
    }
    audit(
        &mut work,
        who.actor,
        who.organization_id,
        AuditAction::OrganizationSsoRequirementChanged,
        json!({ "require_sso": required }),
    )
    .await?;
    work.commit().await
}

/// Removes the connection and its domains; people sign in with their passwords again.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn remove_connection(context: &Context, who: &Principal) -> Result<(), AppError> {
    may_manage(who)?;
    let mut work = context.begin().await?;
    if !store::sso::remove(&mut work, who.organization_id).await? {
        return Err(AppError::NotFound);
    }
    audit(
        &mut work,
        who.actor,
        who.organization_id,
        AuditAction::OrganizationSsoConnectionRemoved,
        json!({}),
    )
    .await?;
    work.commit().await
}

/// The name of the single sign-on for an email's domain ("Continue with …"), if one claimed it.
pub async fn offered_for(context: &Context, email: &Email) -> Result<Option<String>, AppError> {
    let Some(domain) = EmailDomain::of_email(email.as_str()) else {
        return Ok(None);
    };
    let mut conn = context.read().await?;
    Ok(store::sso::connection_of_domain(&mut conn, domain.as_str())
        .await?
        .map(|connection| connection.display_name))
}

/// Whether password sign-in is refused to this account: its email's domain is claimed by an
/// organization that requires single sign-on, it is active there, and it is not an owner there
/// (owners keep their password and two-step sign-in as a way in when the provider fails).
/// Returns the sign-on's name.
pub(super) async fn required_of(
    conn: &mut store::Conn,
    user: UserId,
    email: &str,
    now: time::OffsetDateTime,
) -> Result<Option<String>, AppError> {
    let Some(domain) = EmailDomain::of_email(email) else {
        return Ok(None);
    };
    let Some(connection) = store::sso::connection_of_domain(conn, domain.as_str()).await? else {
        return Ok(None);
    };
    if !connection.require_sso {
        return Ok(None);
    }
    let memberships = store::accounts::active_organizations(conn, user).await?;
    let Some((_, membership)) = memberships
        .iter()
        .find(|(organization, _)| organization.id == connection.organization_id)
    else {
        return Ok(None);
    };
    let access = store::access::of_membership(conn, *membership, now).await?;
    Ok((!policy::is_owner(&access)).then_some(connection.display_name))
}

/// What password sign-in says to someone who must use single sign-on.
pub fn use_sso_instead(name: &str) -> AppError {
    AppError::denied(
        "sso_required",
        format!(
            "Your organization signs you in with {name}: use “Sign in with single sign-on” below."
        ),
    )
}

/// Begins a single sign-on for `email`: the address to send the browser to, and what to keep
/// until it comes back. Refused when no organization claimed the email's domain.
#[tracing::instrument(skip_all)]
pub async fn begin(
    context: &Context,
    email: &Email,
    next: Option<String>,
) -> Result<(String, Pending), AppError> {
    let domain = EmailDomain::of_email(email.as_str());
    let connection = match &domain {
        Some(domain) => {
            let mut conn = context.read().await?;
            store::sso::connection_of_domain(&mut conn, domain.as_str()).await?
        }
        None => None,
    };
    let Some(connection) = connection else {
        return Err(AppError::denied(
            "sso_not_set_up",
            "No single sign-on is set up for this address. Sign in with your password.",
        ));
    };
    let client = connected(context, &connection, false).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .add_extra_param("login_hint", email.as_str())
        .set_pkce_challenge(challenge)
        .url();
    Ok((
        url.to_string(),
        Pending {
            organization: connection.organization_id,
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            verifier: verifier.secret().clone(),
            began_at: context.now().unix_timestamp(),
            next,
        },
    ))
}

fn provider_unreachable(name: &str) -> AppError {
    tracing::warn!(provider = name, "a single sign-on provider is unavailable");
    AppError::denied(
        "sso_unavailable",
        crate::domain::sso::refusal_message("sso_unavailable").unwrap_or_default(),
    )
}

/// Why a return from the identity provider signs nobody in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The provider answered with an error, or the code could not be exchanged.
    ProviderError,
    /// The ID token's signature, issuer, audience, expiry or nonce did not hold.
    InvalidToken,
    /// No link yet, and the token's email is not verified.
    EmailNotVerified,
    /// No link yet, and the token's email is of a domain this organization did not claim.
    DomainNotClaimed,
    /// No account, or no active membership in this organization.
    NoMembership,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Self::ProviderError => "sso_provider_error",
            Self::InvalidToken => "sso_invalid_token",
            Self::EmailNotVerified => "sso_email_not_verified",
            Self::DomainNotClaimed => "sso_domain_not_claimed",
            Self::NoMembership => "sso_no_membership",
        }
    }

    pub fn message(self) -> &'static str {
        crate::domain::sso::refusal_message(self.code()).unwrap_or("Single sign-on failed.")
    }
}

/// The return from the identity provider: `state` must be the one sent, the code is exchanged
/// (with the PKCE verifier) and the ID token checked; then the person is found (see the
/// module). Returns the claims of the session, in the connection's organization.
#[tracing::instrument(skip_all)]
pub async fn finish(
    context: &Context,
    pending: Pending,
    state: &str,
    code: Option<&str>,
    client_info: &ClientInfo,
) -> Result<SessionClaims, AppError> {
    let now = context.now();
    let age = now.unix_timestamp() - pending.began_at;
    if !(0..FLOW_WITHIN.whole_seconds()).contains(&age) || state != pending.state {
        return Err(AppError::denied(
            "sso_expired",
            "This sign-in is too old or was not started here. Start again.",
        ));
    }
    let organization = pending.organization;
    let connection = {
        let mut conn = context.read().await?;
        store::sso::connection(&mut conn, organization).await?
    }
    .ok_or_else(|| {
        AppError::denied(
            "sso_not_set_up",
            "Single sign-on was turned off. Sign in with your password.",
        )
    })?;
    let refuse = |refusal: Refusal, detail: serde_json::Value| {
        let context = context.clone();
        async move {
            let mut work = context.begin().await?;
            audit(
                &mut work,
                Actor {
                    user_id: None,
                    token_id: None,
                    via: Via::Console,
                },
                organization,
                AuditAction::OrganizationSsoSignInRefused,
                json!({ "reason": refusal.code(), "detail": detail }),
            )
            .await?;
            work.commit().await?;
            Err::<SessionClaims, _>(AppError::denied(refusal.code(), refusal.message()))
        }
    };
    let Some(code) = code else {
        return refuse(Refusal::ProviderError, json!("no code")).await;
    };
    let client = connected(context, &connection, false).await?;
    let http = http()?;
    let exchanged = match client.exchange_code(AuthorizationCode::new(code.to_string())) {
        Ok(request) => request
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
            .request_async(&http)
            .await
            .map_err(|e| e.to_string()),
        Err(error) => Err(error.to_string()),
    };
    let tokens = match exchanged {
        Ok(tokens) => tokens,
        Err(error) => return refuse(Refusal::ProviderError, json!(error)).await,
    };
    let Some(id_token) = tokens.id_token() else {
        return refuse(Refusal::ProviderError, json!("no ID token")).await;
    };
    let verifier = client.id_token_verifier().set_allowed_algs(ALLOWED_ALGS);
    let nonce = Nonce::new(pending.nonce.clone());
    let claims = match id_token.claims(&verifier, &nonce) {
        Ok(claims) => claims.clone(),
        // The provider may have rotated its keys since its document was kept: ask it again,
        // once, before refusing.
        Err(_) => {
            let fresh = connected(context, &connection, true).await?;
            let verifier = fresh.id_token_verifier().set_allowed_algs(ALLOWED_ALGS);
            match id_token.claims(&verifier, &nonce) {
                Ok(claims) => claims.clone(),
                Err(error) => return refuse(Refusal::InvalidToken, json!(error.to_string())).await,
            }
        }
    };
    let subject = claims.subject().as_str().to_string();
    let mut email = claims.email().map(|email| email.as_str().to_string());
    let mut verified = claims.email_verified() == Some(true);
    if email.is_none() {
        // Providers may keep the email out of the ID token (oidc-provider does when an access
        // token is issued): ask the UserInfo endpoint, for this very subject.
        let asked = match client.user_info(
            tokens.access_token().clone(),
            Some(claims.subject().clone()),
        ) {
            Ok(request) => request
                .request_async::<openidconnect::EmptyAdditionalClaims, _, openidconnect::core::CoreGenderClaim>(&http)
                .await
                .map_err(|e| e.to_string()),
            Err(error) => Err(error.to_string()),
        };
        match asked {
            Ok(info) => {
                email = info.email().map(|email| email.as_str().to_string());
                verified = info.email_verified() == Some(true);
            }
            Err(error) => tracing::info!(%error, "the UserInfo endpoint did not answer"),
        }
    }
    let detail = json!({ "subject": subject, "email": email });

    let mut work = context.begin().await?;
    let user = match store::sso::linked_account(&mut work, &connection.issuer, &subject).await? {
        Some(user) => user,
        None => {
            let Some(email) = email.as_deref().and_then(|e| Email::parse(e).ok()) else {
                drop(work);
                return refuse(Refusal::EmailNotVerified, detail).await;
            };
            if !verified {
                drop(work);
                return refuse(Refusal::EmailNotVerified, detail).await;
            }
            let claimed_here = match EmailDomain::of_email(email.as_str()) {
                Some(domain) => store::sso::connection_of_domain(&mut work, domain.as_str())
                    .await?
                    .is_some_and(|c| c.organization_id == organization),
                None => false,
            };
            if !claimed_here {
                drop(work);
                return refuse(Refusal::DomainNotClaimed, detail).await;
            }
            match store::accounts::find_by_email(&mut work, &email).await? {
                Some(user) if member_here(&mut work, user, organization).await? => {
                    store::sso::link(&mut work, &connection.issuer, &subject, user).await?;
                    user
                }
                _ => {
                    drop(work);
                    return refuse(Refusal::NoMembership, detail).await;
                }
            }
        }
    };
    let account = store::accounts::summary(&mut work, user).await?;
    let (Some(account), true) = (account, member_here(&mut work, user, organization).await?) else {
        drop(work);
        return refuse(Refusal::NoMembership, detail).await;
    };
    let sign_in =
        super::auth::record_sign_in(&mut work, user, SignInMethod::Sso, client_info, now).await?;
    work.commit().await?;
    Ok(SessionClaims {
        user,
        organization,
        version: account.session_version,
        signed_in_at: now.unix_timestamp(),
        sign_in: Some(sign_in),
    })
}

async fn member_here(
    conn: &mut store::Conn,
    user: UserId,
    organization: OrganizationId,
) -> Result<bool, AppError> {
    Ok(store::accounts::active_organizations(conn, user)
        .await?
        .iter()
        .any(|(o, _)| o.id == organization))
}

async fn audit(
    conn: &mut store::Conn,
    actor: Actor,
    organization: OrganizationId,
    action: AuditAction,
    after: serde_json::Value,
) -> Result<(), AppError> {
    let event = store::audit::Event {
        organization_id: Some(organization),
        action,
        target_type: "organization",
        target_id: Some(organization.0),
        subject: None,
        before: None,
        after: Some(after),
    };
    Ok(store::audit::record(conn, actor, event).await?)
}

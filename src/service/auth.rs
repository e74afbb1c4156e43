//! The one way to become a principal: from a console session or from an API bearer token.
//! Every face (console, API, later SCIM) asks here. Sign-in, with its throttling, too.

use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use time::{Duration, OffsetDateTime};

use super::passwords::{self, PasswordHash};
use super::{Context, Principal, secrets};
use crate::domain::audit::AuditAction;
use crate::domain::me::SignInMethod;
use crate::domain::model::{ClientKind, Via, Viewer, display_name};
use crate::domain::{AppError, OrganizationId, Password, SignInId, UserId};
use crate::store::{self, audit::Actor};

/// A session lasts this long after sign-in, however active it is …
pub const SESSION_LIFETIME: Duration = Duration::hours(12);
/// … and ends after this long unused.
pub const SESSION_IDLE: Duration = Duration::hours(2);
/// A session's last use is written at most this often.
const SEEN_RESOLUTION: Duration = Duration::minutes(5);
/// Sign-ins the person's own page lists.
pub const RECENT_SIGN_INS: i64 = 10;
/// Failed sign-ins are counted over this window …
pub const THROTTLE_WINDOW: Duration = Duration::minutes(15);
/// … and refused beyond this many for one account (or login name) …
pub const ACCOUNT_FAILURE_LIMIT: i64 = 10;
/// … or this many from one client address (an office or restaurant shares one address).
pub const ADDRESS_FAILURE_LIMIT: i64 = 30;
/// `last_used_at` of an API token is written at most this often, to keep reads cheap.
const LAST_USED_RESOLUTION: Duration = Duration::minutes(1);

pub const WRONG_CREDENTIALS: &str = "Email or password is incorrect.";
pub const DEACTIVATED: &str =
    "Your access has been deactivated. Ask an administrator to reactivate it.";

/// The session key under which a sign-in's [`SessionClaims`] are kept.
pub const SESSION_CLAIMS: &str = "claims";
/// The session key of the claims a right password earned while the second step is pending
/// (no session yet: nothing but the second step reads them).
pub const PENDING_CLAIMS: &str = "pending_claims";

/// What a person who must enrol in two-step sign-in is told by everything else.
pub fn two_step_required() -> AppError {
    AppError::denied(
        "two_step_required",
        "Set up two-step sign-in first: an organization of yours requires it of people who manage there.",
    )
}

/// What a console session remembers of its sign-in. Kept by the session store under
/// [`SESSION_CLAIMS`]; checked on every request by [`resume`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionClaims {
    pub user: UserId,
    /// The organization the person works in now.
    pub organization: OrganizationId,
    /// The account's session version at sign-in: a password change ends older sessions.
    pub version: i64,
    /// When the person signed in (Unix seconds): the session ends [`SESSION_LIFETIME`] later.
    pub signed_in_at: i64,
    /// The sign-in that started the session (`sign_ins`): ending it ends the session.
    #[serde(default)]
    pub sign_in: Option<SignInId>,
}

/// Where a sign-in comes from, as recorded with it.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub address: Option<IpAddr>,
    /// The browser's `User-Agent`, cut to [`USER_AGENT_MAX`] characters.
    pub user_agent: Option<String>,
}

/// The longest user agent kept.
pub const USER_AGENT_MAX: usize = 256;

impl ClientInfo {
    pub fn new(address: Option<IpAddr>, user_agent: Option<&str>) -> Self {
        Self {
            address,
            user_agent: user_agent
                .map(|agent| {
                    agent
                        .chars()
                        .filter(|c| !c.is_control())
                        .take(USER_AGENT_MAX)
                        .collect::<String>()
                })
                .filter(|agent| !agent.trim().is_empty()),
        }
    }

    fn recorded(&self, method: &str) -> serde_json::Value {
        serde_json::json!({
            "method": method,
            "client_address": self.address.map(|a| a.to_string()),
            "user_agent": self.user_agent,
        })
    }
}

/// What one sign-in attempt counts against: the account (or, for nobody's account, the login
/// tried) and the client address. Shared by the password and the second step.
pub(super) struct Attempt {
    account: String,
    address: Option<String>,
}

impl Attempt {
    pub(super) fn on_account(user: UserId, client: &ClientInfo) -> Self {
        Self::keyed(format!("account:{user}"), client)
    }

    fn keyed(account: String, client: &ClientInfo) -> Self {
        Self {
            account,
            address: client.address.map(|address| format!("address:{address}")),
        }
    }

    /// Refuses while the account or the address has too many failures in the window.
    pub(super) async fn allowed(
        &self,
        conn: &mut store::Conn,
        now: OffsetDateTime,
    ) -> Result<(), AppError> {
        throttle(conn, &self.account, ACCOUNT_FAILURE_LIMIT, now).await?;
        if let Some(key) = &self.address {
            throttle(conn, key, ADDRESS_FAILURE_LIMIT, now).await?;
        }
        Ok(())
    }

    /// Counts a failure against both.
    pub(super) async fn failed(
        &self,
        conn: &mut store::Conn,
        now: OffsetDateTime,
    ) -> Result<(), AppError> {
        let keys: Vec<&str> = [Some(self.account.as_str()), self.address.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        store::throttle::record_failure(conn, &keys, now).await?;
        metrics::counter!("brigade_sign_in_failures_total").increment(1);
        Ok(())
    }

    /// Forgives the account's failures (the sign-in succeeded).
    pub(super) async fn succeeded(&self, conn: &mut store::Conn) -> Result<(), AppError> {
        Ok(store::throttle::clear(conn, &self.account).await?)
    }
}

/// Records a completed sign-in (the session it starts) and audits it in each organization of
/// the person; returns its id for the session's claims.
pub(super) async fn record_sign_in(
    conn: &mut store::Conn,
    user: UserId,
    method: SignInMethod,
    client: &ClientInfo,
    now: OffsetDateTime,
) -> Result<SignInId, AppError> {
    let id = SignInId::generate();
    let address = client.address.map(|a| a.to_string());
    store::sign_ins::insert(
        conn,
        store::sign_ins::NewSignIn {
            id,
            user,
            method,
            client_address: address.as_deref(),
            user_agent: client.user_agent.as_deref(),
            at: &store::format_timestamp(now),
        },
    )
    .await?;
    super::audit::record_for_account(
        conn,
        user,
        AuditAction::AccountSignedIn,
        Some(client.recorded(method.as_str())),
    )
    .await?;
    Ok(id)
}

/// Audits a failed attempt on an account (in each organization of the person).
pub(super) async fn record_failure(
    conn: &mut store::Conn,
    user: UserId,
    method: &str,
    client: &ClientInfo,
) -> Result<(), AppError> {
    super::audit::record_for_account(
        conn,
        user,
        AuditAction::AccountSignInFailed,
        Some(client.recorded(method)),
    )
    .await
}

/// A signed-in person in one organization: the principal, and what the console shows.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub principal: Principal,
    pub viewer: Viewer,
    pub claims: SessionClaims,
    /// An organization of theirs requires two-step sign-in of people who manage there, they
    /// do, and they have not enrolled: nothing but enrolling is open to them.
    pub must_enrol_two_step: bool,
}

/// What a right password earns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    /// A session.
    Complete(SessionClaims),
    /// The claims of a session once the second step (a code) is passed: see
    /// [`two_step::second_step`](super::two_step::second_step).
    SecondStep(SessionClaims),
}

/// Checks a sign-in. Throttled per account and per client address before any password is
/// checked; a failure counts against both. An account with two-step sign-in gets no session
/// yet, and its failures are not forgiven until the second step passes too.
#[tracing::instrument(skip_all)]
pub async fn sign_in(
    context: &Context,
    identifier: &str,
    password: &Password,
    client: &ClientInfo,
) -> Result<SignIn, AppError> {
    let now = context.now();
    let mut conn = context.read().await?;
    let candidate = store::accounts::find_by_login(&mut conn, identifier).await?;
    let attempt = match &candidate {
        Some(account) => Attempt::on_account(account.id, client),
        None => Attempt::keyed(
            format!("login:{}", identifier.trim().to_lowercase()),
            client,
        ),
    };
    attempt.allowed(&mut conn, now).await?;
    drop(conn);

    let stored = candidate
        .as_ref()
        .and_then(|c| c.password_hash.clone())
        .map(PasswordHash::from_stored);
    let account = match candidate {
        Some(account) if passwords::verify(password, stored).await? => account,
        _ => {
            let mut work = context.begin().await?;
            attempt.failed(&mut work, now).await?;
            if let Some(account) = &candidate {
                record_failure(&mut work, account.id, "password", client).await?;
            }
            work.commit().await?;
            return Err(AppError::invalid(WRONG_CREDENTIALS));
        }
    };
    let mut work = context.begin().await?;
    if let Some(name) =
        super::sso::required_of(&mut work, account.id, &account.email, context.now()).await?
    {
        return Err(super::sso::use_sso_instead(&name));
    }
    let mut claims = claims_for(&mut work, account.id, account.session_version, now).await?;
    if super::two_step::enrolled(&mut work, account.id).await? {
        return Ok(SignIn::SecondStep(claims));
    }
    attempt.succeeded(&mut work).await?;
    claims.sign_in =
        Some(record_sign_in(&mut work, account.id, SignInMethod::Password, client, now).await?);
    work.commit().await?;
    Ok(SignIn::Complete(claims))
}

/// The claims of a session for a person who proved who they are, in their first active
/// organization; refused when they have none (deactivated everywhere). `sign_in` is set once
/// the sign-in is recorded.
pub(super) async fn claims_for(
    conn: &mut store::Conn,
    user: UserId,
    session_version: i64,
    now: OffsetDateTime,
) -> Result<SessionClaims, AppError> {
    let organizations = store::accounts::active_organizations(conn, user).await?;
    let Some((organization, _)) = organizations.first() else {
        return Err(AppError::invalid(DEACTIVATED));
    };
    Ok(SessionClaims {
        user,
        organization: organization.id,
        version: session_version,
        signed_in_at: now.unix_timestamp(),
        sign_in: None,
    })
}

/// A password check outside sign-in (changing one's password) counts against the same
/// per-account throttle: refused while it is exhausted.
pub(super) async fn password_attempt_allowed(
    context: &Context,
    user: UserId,
) -> Result<(), AppError> {
    let mut conn = context.read().await?;
    throttle(
        &mut conn,
        &format!("account:{user}"),
        ACCOUNT_FAILURE_LIMIT,
        context.now(),
    )
    .await
}

/// Proves the signed-in person's current password outside sign-in (changing it, turning
/// two-step sign-in off): throttled and counted like sign-in; a wrong one is refused at `field`.
pub(super) async fn prove_password(
    context: &Context,
    user: UserId,
    password: &Password,
    field: &str,
) -> Result<(), AppError> {
    password_attempt_allowed(context, user).await?;
    let stored = {
        let mut conn = context.read().await?;
        store::accounts::own(&mut conn, user)
            .await?
            .ok_or(AppError::Unauthenticated)?
            .password_hash
    };
    if !passwords::verify(password, stored.map(PasswordHash::from_stored)).await? {
        password_attempt_failed(context, user).await?;
        return Err(AppError::field(field, "This is not your current password."));
    }
    Ok(())
}

/// Counts a failed password check outside sign-in.
pub(super) async fn password_attempt_failed(
    context: &Context,
    user: UserId,
) -> Result<(), AppError> {
    let mut work = context.begin().await?;
    store::throttle::record_failure(
        &mut work,
        &[format!("account:{user}").as_str()],
        context.now(),
    )
    .await?;
    work.commit().await
}

/// Forgets failed sign-ins that no longer count (housekeeping).
pub async fn forget_old_failures(context: &Context) -> Result<(), AppError> {
    let mut work = context.begin().await?;
    store::throttle::forget_before(&mut work, context.now() - THROTTLE_WINDOW).await?;
    work.commit().await
}

/// What a throttle counts: failed sign-ins, or requests for a password-reset link.
#[derive(Debug, Clone, Copy)]
pub(super) enum Attempts {
    FailedSignIns,
    ResetRequests,
}

impl Attempts {
    fn label(self) -> &'static str {
        match self {
            Self::FailedSignIns => "sign_in",
            Self::ResetRequests => "password_reset",
        }
    }

    fn words(self) -> &'static str {
        match self {
            Self::FailedSignIns => "failed sign-ins",
            Self::ResetRequests => "requests for a reset link",
        }
    }
}

/// Refuses when `key` has `limit` failures in the window, saying when to try again.
async fn throttle(
    conn: &mut store::Conn,
    key: &str,
    limit: i64,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    throttle_attempts(conn, key, limit, now, Attempts::FailedSignIns).await
}

/// Refuses when `key` has `limit` attempts of a kind in the window, saying when to try again.
pub(super) async fn throttle_attempts(
    conn: &mut store::Conn,
    key: &str,
    limit: i64,
    now: OffsetDateTime,
    attempts: Attempts,
) -> Result<(), AppError> {
    let (failures, oldest) =
        store::throttle::failures_since(conn, key, now - THROTTLE_WINDOW).await?;
    if failures < limit {
        return Ok(());
    }
    metrics::counter!("brigade_throttled_requests_total", "what" => attempts.label()).increment(1);
    let oldest = oldest
        .and_then(|at| {
            OffsetDateTime::parse(&at, &time::format_description::well_known::Rfc3339).ok()
        })
        .unwrap_or(now);
    let retry_after = (oldest + THROTTLE_WINDOW - now).whole_seconds().max(1) as u64;
    let minutes = retry_after.div_ceil(60);
    Err(AppError::TooManyRequests {
        retry_after,
        message: format!(
            "Too many {}. Try again in {minutes} minute{}.",
            attempts.words(),
            if minutes == 1 { "" } else { "s" }
        ),
    })
}

/// The person behind a session, in the organization they work in (or their first one when
/// they left it). `None` when the session must end: past its lifetime, the password changed
/// since, or no active membership left.
pub async fn resume(
    context: &Context,
    claims: &SessionClaims,
) -> Result<Option<SignedIn>, AppError> {
    let age = context.now().unix_timestamp() - claims.signed_in_at;
    if !(0..SESSION_LIFETIME.whole_seconds()).contains(&age) {
        return Ok(None);
    }
    let mut conn = context.read().await?;
    let Some(account) = store::accounts::summary(&mut conn, claims.user).await? else {
        return Ok(None);
    };
    if account.session_version != claims.version {
        return Ok(None);
    }
    if let Some(sign_in) = claims.sign_in {
        let Some((ended, last_seen)) =
            store::sign_ins::state(&mut conn, sign_in, claims.user).await?
        else {
            return Ok(None);
        };
        if ended {
            return Ok(None);
        }
        let now = context.now();
        let stale =
            OffsetDateTime::parse(&last_seen, &time::format_description::well_known::Rfc3339)
                .map_or(true, |seen| now - seen >= SEEN_RESOLUTION);
        if stale {
            let mut work = context.begin().await?;
            store::sign_ins::seen(&mut work, sign_in, &store::format_timestamp(now)).await?;
            work.commit().await?;
        }
    }
    let memberships = store::accounts::active_organizations(&mut conn, claims.user).await?;
    let Some((organization, membership)) = memberships
        .iter()
        .find(|(o, _)| o.id == claims.organization)
        .or_else(|| memberships.first())
        .cloned()
    else {
        return Ok(None);
    };
    let access = store::access::of_membership(&mut conn, membership, context.now()).await?;
    let must_enrol_two_step =
        super::two_step::must_enrol(&mut conn, claims.user, context.now()).await?;
    let viewer = Viewer {
        user_id: account.id,
        display_name: display_name(&account.first_name, &account.last_name, &account.email),
        email: account.email,
        organization: organization.clone(),
        organizations: memberships.into_iter().map(|(o, _)| o).collect(),
        permissions: access.held_anywhere().into_iter().collect(),
        organization_wide: crate::domain::Permission::all()
            .iter()
            .copied()
            .filter(|p| access.allows(*p, None))
            .collect(),
    };
    Ok(Some(SignedIn {
        principal: Principal {
            organization_id: organization.id,
            access,
            actor: Actor {
                user_id: Some(account.id),
                token_id: None,
                via: Via::Console,
            },
        },
        viewer,
        claims: SessionClaims {
            organization: organization.id,
            ..claims.clone()
        },
        must_enrol_two_step,
    }))
}

/// The claims for working in another of the person's organizations.
pub fn switch_organization(
    signed_in: &SignedIn,
    organization: OrganizationId,
) -> Result<SessionClaims, AppError> {
    if !signed_in
        .viewer
        .organizations
        .iter()
        .any(|o| o.id == organization)
    {
        return Err(AppError::NotFound);
    }
    Ok(SessionClaims {
        organization,
        ..signed_in.claims.clone()
    })
}

/// The operator at the command line, acting in the organization `slug`: every permission across
/// it (whoever runs the binary on the server holds the database anyway), audited as `cli`.
pub async fn operator(context: &Context, slug: &str) -> Result<Principal, AppError> {
    let mut conn = context.read().await?;
    let organization = store::catalog::organization_by_slug(&mut conn, slug)
        .await?
        .ok_or_else(|| AppError::field("org", format!("No organization has the slug {slug:?}.")))?;
    Ok(Principal {
        organization_id: organization,
        access: crate::domain::Access::from_grants(
            crate::domain::Permission::all()
                .iter()
                .map(|p| (None, Some(*p))),
        ),
        actor: Actor {
            user_id: None,
            token_id: None,
            via: Via::Cli,
        },
    })
}

/// The API client behind an `Authorization` header (`Bearer <token>`, the scheme in any
/// case). Unknown, revoked, a SCIM connection's, or holding a role its organization no longer
/// offers: 401.
pub async fn api_client(
    context: &Context,
    authorization: Option<&str>,
) -> Result<Principal, AppError> {
    Ok(client(context, authorization, ClientKind::Api).await?.0)
}

/// The SCIM connection behind an `Authorization` header: its principal (audited as `scim`) and
/// what the people it creates start with. An API client's token is not one: 401.
pub async fn scim_client(
    context: &Context,
    authorization: Option<&str>,
) -> Result<(Principal, ScimDefaults), AppError> {
    let (principal, grant) = client(context, authorization, ClientKind::Scim).await?;
    Ok((
        principal,
        ScimDefaults {
            role: grant.scim_role_id,
            outlet: grant.scim_outlet_id,
        },
    ))
}

/// The role and outlet a SCIM connection gives the people it creates (unset: it cannot create).
#[derive(Debug, Clone, Copy)]
pub struct ScimDefaults {
    pub role: Option<crate::domain::RoleId>,
    pub outlet: Option<crate::domain::OutletId>,
}

async fn client(
    context: &Context,
    authorization: Option<&str>,
    kind: ClientKind,
) -> Result<(Principal, store::tokens::ApiTokenGrant), AppError> {
    let token = authorization
        .and_then(|value| value.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|token| !token.is_empty())
        .ok_or(AppError::Unauthenticated)?;
    let mut conn = context.read().await?;
    let (grant, access) = store::tokens::active_api_client(&mut conn, &secrets::hash(token), kind)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    drop(conn);
    let stale_before = store::format_timestamp(context.now() - LAST_USED_RESOLUTION);
    if grant
        .last_used_at
        .as_deref()
        .is_none_or(|at| at < stale_before.as_str())
    {
        // Best effort: a failure to record the use must not refuse the request.
        let recorded = async {
            let mut work = context.begin().await?;
            store::tokens::mark_api_token_used(&mut work, grant.id).await?;
            work.commit().await
        };
        if let Err(error) = recorded.await {
            tracing::warn!(%error, "could not record API token use");
        }
    }
    let principal = Principal {
        organization_id: grant.organization_id,
        access,
        actor: Actor {
            user_id: None,
            token_id: Some(grant.id),
            via: match kind {
                ClientKind::Api => Via::Api,
                ClientKind::Scim => Via::Scim,
            },
        },
    };
    Ok((principal, grant))
}

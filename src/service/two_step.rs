//! Two-step sign-in with an authenticator app (TOTP, RFC 6238: SHA-1, six digits, 30-second
//! steps, one step of drift either way). A person enrols on their own page: a new secret,
//! sealed at rest with the server's key, counts once a code from it is confirmed; ten
//! single-use recovery codes are shown then, once, and kept as hashes. Sign-in then asks for
//! a code after the password; the time step of each accepted code is kept, so a code is never
//! taken twice; wrong codes count toward the sign-in throttle.
//!
//! An organization may require it of everyone who holds a manage permission there
//! (`settings.manage` across the organization switches it, audited); such a person is sent to
//! enrol before anything else.

use rand::Rng;
use serde_json::json;
use totp_rs::{Builder, Totp};

use super::auth::{Attempt, ClientInfo, SessionClaims};
use super::sealing::Sealed;
use super::{Context, Principal, Work, secrets};
use crate::domain::audit::AuditAction;
use crate::domain::me::{SignInMethod, TwoStepEnrolment, TwoStepStatus};
use crate::domain::two_step::{
    RECOVERY_ALPHABET, RECOVERY_CODE_CHARS, SecondFactor, format_recovery_code,
};
use crate::domain::{AppError, Password, UserId, policy};
use crate::store::{self, Conn, audit};

/// Recovery codes made at each enrolment.
pub const RECOVERY_CODES: usize = 10;
/// The second step must follow the password within this time.
pub const SECOND_STEP_WITHIN: time::Duration = time::Duration::minutes(5);
const SECRET_BYTES: usize = 20;
const ISSUER: &str = "Brigade";

pub const WRONG_CODE: &str =
    "This code is not right, or it was used already. Wait for the next code and try again.";
pub const WRONG_RECOVERY_CODE: &str = "This recovery code is not right, or it was used already.";
pub const SECOND_STEP_EXPIRED: &str = "Your sign-in took too long. Sign in again.";

fn totp(secret: Vec<u8>, email: &str) -> Result<Totp, AppError> {
    Builder::new()
        .with_secret(secret)
        .with_issuer(Some(ISSUER))
        .with_account_name(email.replace(':', ""))
        .build()
        .map_err(|error| {
            tracing::error!(%error, "a TOTP secret was refused");
            AppError::Internal
        })
}

fn unix(context_now: time::OffsetDateTime) -> u64 {
    u64::try_from(context_now.unix_timestamp()).unwrap_or(0)
}

fn recovery_hash(user: UserId, compact: &str) -> String {
    secrets::hash(&format!("{user}:{compact}"))
}

/// The account's secret, opened, with its state.
async fn open_secret(
    context: &Context,
    conn: &mut Conn,
    user: UserId,
) -> Result<Option<(store::two_step::Secret, Vec<u8>)>, AppError> {
    let Some(row) = store::two_step::secret(conn, user).await? else {
        return Ok(None);
    };
    let secret =
        context
            .secret_key()
            .open(Sealed::TwoStepSecret, user.0.as_bytes(), &row.sealed_secret)?;
    Ok(Some((row, secret)))
}

/// Whether the person must enrol before anything else: an organization of theirs requires it
/// and they manage something there, and they have not enrolled. One read when nothing is
/// required of them (every console request asks).
pub async fn must_enrol(
    conn: &mut Conn,
    user: UserId,
    now: time::OffsetDateTime,
) -> Result<bool, AppError> {
    for membership in store::two_step::unmet_requirements(conn, user).await? {
        let access = store::access::of_membership(conn, membership, now).await?;
        if policy::must_use_two_step(&access) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// What the person's own page shows.
pub async fn status(context: &Context, user: UserId) -> Result<TwoStepStatus, AppError> {
    let mut conn = context.read().await?;
    let enrolled = enrolled(&mut conn, user).await?;
    let recovery_codes_left = store::two_step::recovery_codes_left(&mut conn, user).await?;
    let mut required_by = Vec::new();
    let mut obliged = false;
    for (membership, name) in store::two_step::requiring_organizations(&mut conn, user).await? {
        let access = store::access::of_membership(&mut conn, membership, context.now()).await?;
        if policy::must_use_two_step(&access) {
            obliged = true;
            required_by.push(name);
        }
    }
    Ok(TwoStepStatus {
        enrolled,
        recovery_codes_left: u32::try_from(recovery_codes_left).unwrap_or(0),
        required_by,
        must_enrol: obliged && !enrolled,
    })
}

/// Starts an enrolment: a new secret (replacing an unconfirmed one), its QR code and text.
#[tracing::instrument(skip_all)]
pub async fn begin(context: &Context, who: &Principal) -> Result<TwoStepEnrolment, AppError> {
    let user = who.actor.user_id.ok_or(AppError::Forbidden)?;
    let mut secret = vec![0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill(secret.as_mut_slice());
    let sealed = context
        .secret_key()
        .seal(Sealed::TwoStepSecret, user.0.as_bytes(), &secret)?;
    let mut work = context.begin().await?;
    let email = store::accounts::summary(&mut work, user)
        .await?
        .ok_or(AppError::Unauthenticated)?
        .email;
    if !store::two_step::begin(&mut work, user, &sealed).await? {
        return Err(AppError::refused(
            409,
            "two_step_enrolled",
            "Two-step sign-in is on already. Turn it off first to move it to another app.",
        ));
    }
    work.commit().await?;
    let totp = totp(secret, &email)?;
    let url = totp.to_url().map_err(|_| AppError::Internal)?;
    let qr = qrcode::QrCode::new(url.as_bytes()).map_err(|_| AppError::Internal)?;
    let qr_svg = qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Ok(TwoStepEnrolment {
        qr_svg,
        secret: totp.secret().to_base32(),
    })
}

fn new_recovery_codes(user: UserId) -> (Vec<String>, Vec<String>) {
    let mut rng = rand::rngs::OsRng;
    let compact: Vec<String> = (0..RECOVERY_CODES)
        .map(|_| {
            (0..RECOVERY_CODE_CHARS)
                .map(|_| char::from(RECOVERY_ALPHABET[rng.gen_range(0..RECOVERY_ALPHABET.len())]))
                .collect()
        })
        .collect();
    let hashes = compact
        .iter()
        .map(|code| recovery_hash(user, code))
        .collect();
    let shown = compact
        .iter()
        .map(|code| format_recovery_code(code))
        .collect();
    (shown, hashes)
}

/// Confirms the enrolment with a code from the new secret; returns the recovery codes, shown
/// this once.
#[tracing::instrument(skip_all)]
pub async fn confirm(
    context: &Context,
    who: &Principal,
    code: &str,
) -> Result<Vec<String>, AppError> {
    let user = who.actor.user_id.ok_or(AppError::Forbidden)?;
    let mut work = context.begin().await?;
    let email = store::accounts::summary(&mut work, user)
        .await?
        .ok_or(AppError::Unauthenticated)?
        .email;
    let Some((row, secret)) = open_secret(context, &mut work, user).await? else {
        return Err(AppError::field(
            "code",
            "Start again: no authenticator is waiting to be confirmed.",
        ));
    };
    if row.confirmed {
        return Err(AppError::refused(
            409,
            "two_step_enrolled",
            "Two-step sign-in is on already.",
        ));
    }
    let Some(step) = totp(secret, &email)?.check(code, unix(context.now())) else {
        return Err(AppError::field(
            "code",
            "This code is not right. Check the time on your phone, and enter the code the app shows now.",
        ));
    };
    if !store::two_step::confirm(&mut work, user, step as i64).await? {
        return Err(AppError::refused(
            409,
            "two_step_changed",
            "Two-step sign-in changed meanwhile. Reload the page.",
        ));
    }
    let (shown, hashes) = new_recovery_codes(user);
    store::two_step::replace_recovery_codes(&mut work, user, &hashes).await?;
    super::audit::record_for_account(&mut work, user, AuditAction::AccountTwoStepEnabled, None)
        .await?;
    work.commit().await?;
    Ok(shown)
}

/// Makes new recovery codes (the old ones stop working), proving the password.
#[tracing::instrument(skip_all)]
pub async fn renew_recovery_codes(
    context: &Context,
    who: &Principal,
    password: &Password,
) -> Result<Vec<String>, AppError> {
    let user = who.actor.user_id.ok_or(AppError::Forbidden)?;
    super::auth::prove_password(context, user, password, "password").await?;
    let mut work = context.begin().await?;
    if !enrolled(&mut work, user).await? {
        return Err(AppError::refused(
            409,
            "two_step_not_enrolled",
            "Two-step sign-in is off.",
        ));
    }
    let (shown, hashes) = new_recovery_codes(user);
    store::two_step::replace_recovery_codes(&mut work, user, &hashes).await?;
    super::audit::record_for_account(
        &mut work,
        user,
        AuditAction::AccountRecoveryCodesRenewed,
        None,
    )
    .await?;
    work.commit().await?;
    Ok(shown)
}

/// Turns two-step sign-in off, proving the password. Refused while an organization requires
/// it of the person: they would be sent to enrol again at once.
#[tracing::instrument(skip_all)]
pub async fn turn_off(
    context: &Context,
    who: &Principal,
    password: &Password,
) -> Result<(), AppError> {
    let user = who.actor.user_id.ok_or(AppError::Forbidden)?;
    let required_by = status(context, user).await?.required_by;
    if !required_by.is_empty() {
        return Err(AppError::denied(
            "two_step_required",
            format!(
                "{} requires two-step sign-in of people who manage there, so it stays on.",
                required_by.join(", ")
            ),
        ));
    }
    super::auth::prove_password(context, user, password, "password").await?;
    let mut work = context.begin().await?;
    if !store::two_step::remove(&mut work, user).await? {
        return Err(AppError::refused(
            409,
            "two_step_not_enrolled",
            "Two-step sign-in is off.",
        ));
    }
    super::audit::record_for_account(&mut work, user, AuditAction::AccountTwoStepDisabled, None)
        .await?;
    work.commit().await
}

/// Whether a sign-in with this account must give a code after the password.
pub(super) async fn enrolled(conn: &mut Conn, user: UserId) -> Result<bool, AppError> {
    Ok(store::two_step::secret(conn, user)
        .await?
        .is_some_and(|secret| secret.confirmed))
}

/// The second step of a sign-in: `pending` are the claims the password earned. A code of a
/// time step already taken, a wrong code or a used recovery code is refused and counted
/// against the account and the client address. Returns the claims of the session.
#[tracing::instrument(skip_all)]
pub async fn second_step(
    context: &Context,
    pending: &SessionClaims,
    factor: &SecondFactor,
    client: &ClientInfo,
) -> Result<SessionClaims, AppError> {
    let now = context.now();
    let age = now.unix_timestamp() - pending.signed_in_at;
    if !(0..SECOND_STEP_WITHIN.whole_seconds()).contains(&age) {
        return Err(AppError::denied("sign_in_expired", SECOND_STEP_EXPIRED));
    }
    let user = pending.user;
    let attempt = Attempt::on_account(user, client);
    attempt.allowed(&mut context.read().await?, now).await?;
    let mut work = context.begin().await?;
    let account = store::accounts::summary(&mut work, user)
        .await?
        .filter(|account| account.session_version == pending.version)
        .ok_or_else(|| AppError::denied("sign_in_expired", SECOND_STEP_EXPIRED))?;
    let Some((row, secret)) = open_secret(context, &mut work, user).await? else {
        return Err(AppError::denied("sign_in_expired", SECOND_STEP_EXPIRED));
    };
    let accepted = match factor {
        SecondFactor::Code(code) => match totp(secret, &account.email)?.check(code, unix(now)) {
            Some(step) if row.confirmed => {
                store::two_step::take_step(&mut work, user, step as i64).await?
            }
            _ => false,
        },
        SecondFactor::Recovery(compact) => {
            let used =
                store::two_step::use_recovery_code(&mut work, user, &recovery_hash(user, compact))
                    .await?;
            if used {
                let left = store::two_step::recovery_codes_left(&mut work, user).await?;
                super::audit::record_for_account(
                    &mut work,
                    user,
                    AuditAction::AccountRecoveryCodeUsed,
                    Some(json!({ "recovery_codes_left": left })),
                )
                .await?;
            }
            used
        }
    };
    let (method, wrong) = match factor {
        SecondFactor::Code(_) => (SignInMethod::PasswordAndCode, WRONG_CODE),
        SecondFactor::Recovery(_) => (SignInMethod::PasswordAndRecoveryCode, WRONG_RECOVERY_CODE),
    };
    if !accepted {
        drop(work);
        let mut work = context.begin().await?;
        attempt.failed(&mut work, now).await?;
        super::auth::record_failure(&mut work, user, method.as_str(), client).await?;
        work.commit().await?;
        return Err(AppError::field("code", wrong));
    }
    attempt.succeeded(&mut work).await?;
    let sign_in = super::auth::record_sign_in(&mut work, user, method, client, now).await?;
    work.commit().await?;
    Ok(SessionClaims {
        signed_in_at: now.unix_timestamp(),
        sign_in: Some(sign_in),
        ..pending.clone()
    })
}

/// Requires (or stops requiring) two-step sign-in of everyone who manages something in the
/// organization. Only someone who manages settings across it; audited.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn set_required(
    work: &mut Work,
    who: &Principal,
    required: bool,
) -> Result<(), AppError> {
    super::setup::may_manage_settings(who)?;
    let before = store::two_step::required(work, who.organization_id).await?;
    if before == required {
        return Ok(());
    }
    if required
        && let Some(user) = who.actor.user_id
        && !enrolled(work, user).await?
    {
        return Err(AppError::denied(
            "two_step_enrol_first",
            "Set up two-step sign-in for yourself first (on My profile): once this is on, everyone who manages something here is sent to set it up before anything else.",
        ));
    }
    store::two_step::set_required(work, who.organization_id, required).await?;
    let event = audit::Event {
        subject: None,
        organization_id: Some(who.organization_id),
        action: AuditAction::TwoStepRequirementChanged,
        target_type: "organization",
        target_id: Some(who.organization_id.0),
        before: Some(json!({ "require_two_step": before })),
        after: Some(json!({ "require_two_step": required })),
    };
    Ok(audit::record(work, who.actor, event).await?)
}

/// Whether the organization requires two-step sign-in, for those who manage its settings.
pub async fn required(context: &Context, who: &Principal) -> Result<bool, AppError> {
    super::setup::may_manage_settings(who)?;
    let mut conn = context.read().await?;
    Ok(store::two_step::required(&mut conn, who.organization_id).await?)
}

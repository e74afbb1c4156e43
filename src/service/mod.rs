//! Use-cases shared by every face of the product (console server functions, the REST API,
//! the CLI, later SCIM). The service owns its context (database, mail, settings); it never
//! names the HTTP framework, Leptos or the database driver. A use-case that writes receives
//! the unit of work ([`Work`]) it runs in, asks `domain::policy` inside it, and records its
//! audit event there; mail it causes is queued there and delivered after commit.

pub mod api_tokens;
pub mod audit;
pub mod auth;
pub mod bulk;
pub mod catalog;
pub mod connectors;
pub mod dated;
pub mod demo;
pub mod franchise;
pub mod idempotency;
pub mod invitations;
pub mod mail;
pub mod me;
pub mod measure;
pub mod outlet_groups;
pub mod outlet_import;
pub mod outlets;
pub mod passkeys;
pub mod password_reset;
pub mod passwords;
pub mod people;
pub mod rate_limits;
pub mod reports;
pub mod roles;
pub mod scim;
pub mod scim_groups;
pub mod sealing;
pub mod secrets;
pub mod sessions;
pub mod settings;
pub mod setup;
pub mod sso;
pub mod synth;
pub mod two_step;
pub mod users;
pub mod verification;
pub mod versions;

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use uuid::Uuid;

use crate::domain::model::{ManagedBy, Via};
use crate::domain::policy::Refusal;
use crate::domain::{Access, AppError, OrganizationId, Permission, Scope, UserId};
use crate::store::audit::Actor;
use crate::store::{self, Conn, Db, ReadConn, WriteTx};

/// An organization always keeps an active person holding every permission across it: a change
/// that would leave none (deactivating, demoting or removing the last owner, or taking a
/// permission from the Owner role) is refused inside the transaction that makes it.
pub async fn ensure_an_owner_remains(
    conn: &mut store::Conn,
    organization: OrganizationId,
) -> Result<(), AppError> {
    let all = Permission::all().len() as i64;
    if store::access::owners(conn, organization, all).await? > 0 {
        return Ok(());
    }
    Err(AppError::refused(
        409,
        "last_owner",
        "This would leave the organization with nobody who holds every permission: give someone else the Owner role first.",
    ))
}

/// What the services need from their surroundings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Seals secrets at rest (`BRIGADE_SECRET_KEY`).
    pub secret_key: sealing::SecretKey,
    /// Base of links in mail, e.g. `https://brigade.example`.
    pub public_url: String,
    /// How many API requests a minute a caller may make.
    pub rate_limits: rate_limits::RateLimits,
}

/// The time as the services see it: the system's, shifted in tests that look ahead (a
/// session past its lifetime, a link past its expiry) instead of ageing stored rows.
#[derive(Debug, Clone, Copy, Default)]
pub struct Clock {
    shift: time::Duration,
}

impl Clock {
    pub fn shifted(shift: time::Duration) -> Self {
        Self { shift }
    }

    pub fn now(&self) -> time::OffsetDateTime {
        time::OffsetDateTime::now_utc() + self.shift
    }
}

/// Cookies (the session's, the sign-in page's) are `Secure` when Brigade is reached over https.
pub fn secure_cookies(public_url: &str) -> bool {
    public_url.starts_with("https://")
}

/// The services' context: database, mail transport, clock and settings. Cloned for every
/// request, so all but the clock sits behind one `Arc`.
#[derive(Clone)]
pub struct Context {
    shared: Arc<Shared>,
    clock: Clock,
}

struct Shared {
    db: Db,
    mailer: mail::Mailer,
    settings: Settings,
    rate_limit_leases: rate_limits::Leases,
    /// The WebAuthn relying party of `settings.public_url` (none for an IP address).
    passkeys: Option<webauthn_rs::Webauthn>,
    /// Identity providers' discovery documents fetched lately.
    sso_discoveries: sso::Discoveries,
}

impl Context {
    pub fn new(db: Db, mailer: mail::Mailer, settings: Settings) -> Self {
        Self {
            shared: Arc::new(Shared {
                db,
                mailer,
                passkeys: passkeys::relying_party(&settings.public_url),
                settings,
                rate_limit_leases: rate_limits::Leases::default(),
                sso_discoveries: sso::Discoveries::default(),
            }),
            clock: Clock::default(),
        }
    }

    pub(crate) fn sso_discoveries(&self) -> &sso::Discoveries {
        &self.shared.sso_discoveries
    }

    /// The WebAuthn relying party, when the public address names a host.
    pub(crate) fn passkeys(&self) -> Option<&webauthn_rs::Webauthn> {
        self.shared.passkeys.as_ref()
    }

    /// Whether people can sign in with passkeys here.
    pub fn passkeys_offered(&self) -> bool {
        self.shared.passkeys.is_some()
    }

    /// The numbers of the API rate limits' shared counts this server holds.
    pub(crate) fn rate_limit_leases(&self) -> &rate_limits::Leases {
        &self.shared.rate_limit_leases
    }

    /// The same context on another clock.
    pub fn with_clock(&self, clock: Clock) -> Self {
        Self {
            clock,
            ..self.clone()
        }
    }

    pub fn now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }

    /// The key that seals secrets at rest.
    pub fn secret_key(&self) -> &sealing::SecretKey {
        &self.shared.settings.secret_key
    }

    /// Where Brigade is reached (links in mail, SCIM's resource locations), without a trailing
    /// slash.
    pub fn public_url(&self) -> &str {
        self.shared.settings.public_url.trim_end_matches('/')
    }

    /// Whether cookies are sent `Secure` (the public URL is https): see [`secure_cookies`].
    pub fn secure_cookies(&self) -> bool {
        secure_cookies(&self.shared.settings.public_url)
    }

    pub fn db(&self) -> &Db {
        &self.shared.db
    }

    /// A connection for reads.
    pub async fn read(&self) -> Result<ReadConn, AppError> {
        Ok(self.shared.db.read().await?)
    }

    /// Starts a unit of work: one write transaction, committed by [`Work::commit`].
    pub async fn begin(&self) -> Result<Work, AppError> {
        Ok(Work {
            tx: self.shared.db.write().await?,
            queued_mail: Vec::new(),
            context: self.clone(),
        })
    }
}

/// One unit of work: a write transaction and the mail it queued. Several use-cases may share
/// one; dropped without [`Work::commit`], nothing of it happens (no row, no mail).
pub struct Work {
    tx: WriteTx,
    queued_mail: Vec<Uuid>,
    context: Context,
}

impl Work {
    /// Queues a message, to be delivered once this work commits.
    pub async fn queue_mail(
        &mut self,
        to: &str,
        subject: &str,
        body: &str,
    ) -> Result<(), AppError> {
        let id = crate::store::mail::queue(&mut self.tx, to, subject, body).await?;
        self.queued_mail.push(id);
        Ok(())
    }

    pub fn settings(&self) -> &Settings {
        &self.context.shared.settings
    }

    pub fn now(&self) -> time::OffsetDateTime {
        self.context.now()
    }

    /// Commits, then delivers the mail queued in this work. A delivery failure does not undo
    /// the work: the message stays queued and is retried.
    pub async fn commit(self) -> Result<(), AppError> {
        self.tx.commit().await?;
        if !self.queued_mail.is_empty() {
            mail::deliver(
                &self.context.shared.db,
                &self.context.shared.mailer,
                Some(&self.queued_mail),
            )
            .await;
        }
        Ok(())
    }
}

impl Work {
    /// Commits, then delivers the mail queued in this work from a task of its own: the answer
    /// does not wait for the mail, so its timing does not tell whether there was any.
    pub async fn commit_then_deliver_apart(self) -> Result<(), AppError> {
        self.tx.commit().await?;
        if !self.queued_mail.is_empty() {
            let (context, ids) = (self.context, self.queued_mail);
            tokio::spawn(async move {
                mail::deliver(&context.shared.db, &context.shared.mailer, Some(&ids)).await;
            });
        }
        Ok(())
    }
}

impl Deref for Work {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.tx
    }
}

impl DerefMut for Work {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.tx
    }
}

/// What runs every so often: mail that could not be sent right after its commit (the SMTP
/// server was away) is tried again, failed sign-ins that no longer count are forgotten, and
/// the accounts' search index, split by small writes, is merged a step.
pub async fn housekeeping(context: &Context) {
    mail::deliver(&context.shared.db, &context.shared.mailer, None).await;
    if let Err(error) = auth::forget_old_failures(context).await {
        tracing::warn!(%error, "could not forget old sign-in failures");
    }
    if let Err(error) = merge_search_index(context).await {
        tracing::warn!(%error, "could not merge the accounts' search index");
    }
}

/// One bounded merge step of the accounts' search index, when it holds enough segments to
/// slow searches down (see `store::search_index`).
#[tracing::instrument(skip(context))]
async fn merge_search_index(context: &Context) -> Result<(), AppError> {
    let segments = {
        let mut conn = context.read().await?;
        store::search_index::segments(&mut conn).await?
    };
    if segments < store::search_index::SEGMENTS_BEFORE_MERGE {
        return Ok(());
    }
    let mut work = context.begin().await?;
    store::search_index::merge_step(&mut work).await?;
    work.commit().await
}

/// Whoever acts: a signed-in person or an API client, in one organization, with what they
/// hold there. Made only by [`auth`], from a session or a bearer token.
#[derive(Debug, Clone)]
pub struct Principal {
    pub organization_id: OrganizationId,
    pub access: Access,
    pub actor: Actor,
}

impl Principal {
    /// Where the principal holds `permission`; `Forbidden` when nowhere.
    pub fn scope_for(&self, permission: Permission) -> Result<Scope, AppError> {
        self.access.required_scope(permission)
    }

    pub fn via_console(&self) -> bool {
        self.actor.via == Via::Console
    }

    /// Whether the principal is this person.
    pub fn is(&self, user: UserId) -> bool {
        self.actor.user_id == Some(user)
    }

    /// Who manages the people this principal adds.
    pub(crate) fn manages_as(&self) -> ManagedBy {
        match self.actor.via {
            Via::Api => ManagedBy::Api,
            Via::Scim => ManagedBy::Scim,
            Via::Console | Via::Cli | Via::System => ManagedBy::Console,
        }
    }
}

/// A policy refusal as the caller sees it. `OutsideScope` is a 403 when the caller can see
/// the thing (`visible`) and a 404 otherwise, so nobody learns what lies outside their reach.
fn refused(refusal: Refusal, visible: bool) -> AppError {
    match refusal.reason() {
        Some(reason) => AppError::denied(refusal.code(), reason),
        None if visible => AppError::Forbidden,
        None => AppError::NotFound,
    }
}

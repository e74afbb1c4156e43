//! Builds the whole application once, for `main` and for the integration tests alike.

use super::client_address::TrustedProxies;
use super::health::Health;
use super::sessions::Sessions;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::response::Redirect;
use axum::routing::get;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{ExpiredDeletion, Expiry, SessionManagerLayer};

use super::config::Config;
use super::guards;
use crate::console::{App, shell};
use crate::service::{self, Context, Settings, mail::Mailer};
use crate::store::{Db, OpenError};

/// What every handler and server function can reach.
#[derive(Clone)]
pub struct AppState {
    pub context: Context,
    pub leptos_options: LeptosOptions,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl FromRef<AppState> for Context {
    fn from_ref(state: &AppState) -> Self {
        state.context.clone()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] OpenError),
    #[error("cannot listen: {0}")]
    Listen(#[from] std::io::Error),
    #[error("session store: {0}")]
    Sessions(String),
    #[error("mail: {0}")]
    Mail(#[from] service::mail::MailerError),
    #[error(transparent)]
    SecretKey(#[from] super::secret_key::KeyError),
}

/// A built application: bound to its address, not yet serving.
pub struct Application {
    listener: TcpListener,
    router: Router,
    sessions: Sessions,
    health: Health,
    shutdown_grace: std::time::Duration,
    metrics: Option<TcpListener>,
    pub context: Context,
    pub address: SocketAddr,
    /// Where the Prometheus metrics are served, when `BRIGADE_METRICS_ADDR` is set.
    pub metrics_address: Option<SocketAddr>,
}

/// How often housekeeping runs (see `service::housekeeping`); expired sessions go hourly.
const HOUSEKEEPING_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

impl Application {
    /// The health state (tests begin a shutdown through it).
    pub fn health(&self) -> Health {
        self.health.clone()
    }

    pub async fn serve(self) -> std::io::Result<()> {
        if let Some(listener) = self.metrics {
            let routes = super::metrics::routes(self.context.db().clone());
            tokio::spawn(async move { axum::serve(listener, routes).await });
        }
        tokio::spawn(
            self.sessions
                .clone()
                .continuously_delete_expired(tokio::time::Duration::from_secs(3600)),
        );
        let context = self.context.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(HOUSEKEEPING_EVERY);
            loop {
                tick.tick().await;
                service::housekeeping(&context).await;
            }
        });
        // On SIGTERM or Ctrl-C: ready answers 503 at once, no new connection is taken, and
        // the requests in flight finish with their normal answers; after the grace period the
        // process stops waiting for them.
        let (stopping, stopped) = tokio::sync::oneshot::channel::<()>();
        let health = self.health.clone();
        let signal = async move {
            shutdown_signal().await;
            tracing::info!("shutting down: finishing the requests in flight");
            health.begin_shutdown();
            let _ = stopping.send(());
        };
        let serving = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(signal);
        let grace = self.shutdown_grace;
        tokio::select! {
            served = serving => served,
            () = async {
                if stopped.await.is_ok() {
                    tokio::time::sleep(grace).await;
                } else {
                    std::future::pending::<()>().await;
                }
            } => {
                tracing::warn!("the shutdown grace period is over: stopping with requests in flight");
                Ok(())
            }
        }
    }
}

/// Opens the services' context: the database (migrated) and the mail transport.
pub async fn context(config: &Config) -> Result<Context, StartupError> {
    // The key first: a server that could not open its secrets does not touch the database.
    let secret_key =
        super::secret_key::resolve(config.secret_key.as_deref(), &config.database_url)?;
    let db = Db::open_with(&config.database_url, config.database_pool_size).await?;
    let mailer = Mailer::new(
        &config.mail_from,
        config.smtp_url.as_deref(),
        &config.outbox_dir,
    )?;
    let settings = Settings {
        secret_key,
        public_url: config.public_url.clone(),
        rate_limits: config.rate_limits,
    };
    Ok(Context::new(db, mailer, settings))
}

/// Opens and migrates the database, binds the address and assembles the routes.
pub async fn build(config: Config) -> Result<Application, StartupError> {
    let context = context(&config).await?;
    let context = match config.clock_shift {
        Some(shift) => context.with_clock(crate::service::Clock::shifted(
            time::Duration::try_from(shift).unwrap_or(time::Duration::ZERO),
        )),
        None => context,
    };
    let listener = TcpListener::bind(config.site_addr).await?;
    let address = listener.local_addr()?;

    let leptos_options = LeptosOptions::builder()
        .output_name("brigade")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(address)
        .build();
    let state = AppState {
        context: context.clone(),
        leptos_options,
    };
    let sessions = Sessions::of(context.db()).map_err(StartupError::Sessions)?;
    let health = Health::new(context.db().clone());
    let (metrics, metrics_address) = match config.metrics_addr {
        Some(address) => {
            super::metrics::install();
            let listener = TcpListener::bind(address).await?;
            let address = listener.local_addr()?;
            (Some(listener), Some(address))
        }
        None => (None, None),
    };
    let router = router(
        state,
        sessions.clone(),
        health.clone(),
        config.trusted_proxies.clone(),
        config.secure_cookies(),
        config.operations_layers,
    );
    Ok(Application {
        listener,
        router,
        sessions,
        health,
        shutdown_grace: config.shutdown_grace,
        metrics,
        context,
        address,
        metrics_address,
    })
}

fn router(
    state: AppState,
    sessions: Sessions,
    health: Health,
    proxies: TrustedProxies,
    secure_cookies: bool,
    operations_layers: bool,
) -> Router {
    let session_layer = SessionManagerLayer::new(sessions)
        .with_name("brigade_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure_cookies)
        .with_expiry(Expiry::OnInactivity(service::auth::SESSION_IDLE));

    let routes = console_routes();
    let context = state.context.clone();
    let shell_options = state.leptos_options.clone();
    let router = Router::new()
        .route("/", get(|| async { Redirect::to("/users") }))
        .nest(
            "/api/v1",
            crate::api::router().with_state(state.context.clone()),
        )
        .nest(
            "/scim/v2",
            crate::api::scim::router().with_state(state.context.clone()),
        )
        .nest(
            "/auth/sso",
            crate::console::sso::routes::routes().with_state(state.context.clone()),
        )
        .nest(
            "/exports",
            crate::console::exports::routes().with_state(state.context.clone()),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context.clone()),
            move || shell(shell_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell));
    // Counted under the route that matched (so inside the routing).
    let router = if operations_layers {
        router.layer(axum::middleware::from_fn(super::metrics::track))
    } else {
        router
    };
    let router = router
        .layer(axum::middleware::from_fn(guards::rpc_status))
        .layer(axum::middleware::from_fn_with_state(
            state.context.clone(),
            guards::require_session,
        ))
        .layer(axum::middleware::from_fn(guards::refuse_cross_site))
        .layer(session_layer)
        .layer(axum::middleware::from_fn(guards::limit_body))
        // Our own limit applies (`guards::limit_body`); this one only must not be lower.
        .layer(DefaultBodyLimit::max(guards::API_BODY_LIMIT))
        // Health answers outside sessions and the console's guards.
        .merge(super::health::routes(health))
        // The API reference: public (it holds no data), its assets in the binary.
        .merge(crate::api::reference())
        // No request may hold a connection forever (a stuck render or a slow client).
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            std::time::Duration::from_secs(30),
        ))
        .layer(axum::middleware::from_fn_with_state(
            super::headers::Https(secure_cookies),
            super::headers::secure,
        ));
    // Every log line of a request carries its id (the request span). The span is at the
    // error level so that it is on whatever the log filter lets through, down to errors.
    let router = if operations_layers {
        router.layer(TraceLayer::new_for_http().make_span_with(
            |request: &axum::http::Request<_>| {
                tracing::error_span!(
                    "request",
                    request_id = %super::request_id::of(request),
                    method = %request.method(),
                    path = %request.uri().path(),
                )
            },
        ))
    } else {
        router.layer(TraceLayer::new_for_http())
    };
    let router = router.layer(axum::middleware::from_fn_with_state(
        proxies,
        super::client_address::resolve,
    ));
    let router = if operations_layers {
        router.layer(axum::middleware::from_fn(super::request_id::assign))
    } else {
        router
    };
    router.with_state(state)
}

/// The console's routes, computed once per process. Leptos generates them by rendering the
/// app with resource loading switched off *process-wide*; done again while another app in
/// the same process serves pages (as tests do), it would leave those pages' resources
/// unloaded and their responses hanging. Production also only needs it once.
fn console_routes() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Ctrl-C or SIGTERM (what process managers and orchestrators send).
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

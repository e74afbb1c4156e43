//! Builds the whole application once, for `main` and for the integration tests alike.

use axum::Router;
use axum::extract::FromRef;
use axum::response::Redirect;
use axum::routing::get;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use sqlx::SqlitePool;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{ExpiredDeletion, Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::SqliteStore;

use super::config::Config;
use super::guards;
use super::mailer::Mailer;
use crate::console::{App, shell};
use crate::store;

/// What every handler and server function can reach.
#[derive(Clone)]
pub struct AppState {
    pub pool: SqlitePool,
    pub config: Arc<Config>,
    pub mailer: Arc<Mailer>,
    pub leptos_options: LeptosOptions,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot open the database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot listen: {0}")]
    Listen(#[from] std::io::Error),
    #[error("session store: {0}")]
    Sessions(String),
    #[error("mail: {0}")]
    Mail(String),
}

/// A built application: bound to its address, not yet serving.
pub struct Application {
    listener: TcpListener,
    router: Router,
    pub state: AppState,
    pub address: SocketAddr,
}

impl Application {
    pub async fn serve(self) -> std::io::Result<()> {
        axum::serve(self.listener, self.router.into_make_service())
            .with_graceful_shutdown(shutdown_signal())
            .await
    }
}

/// Opens and migrates the database, binds the address and assembles the routes.
pub async fn build(config: Config) -> Result<Application, StartupError> {
    let pool = store::connect(&config.database_url).await?;
    store::migrate(&pool).await?;
    let listener = TcpListener::bind(config.site_addr).await?;
    let address = listener.local_addr()?;

    let leptos_options = LeptosOptions::builder()
        .output_name("brigade")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(address)
        .build();
    let mailer = Mailer::from_config(&config).map_err(StartupError::Mail)?;
    let state = AppState {
        pool,
        config: Arc::new(config),
        mailer: Arc::new(mailer),
        leptos_options,
    };
    let router = router(state.clone())?;
    Ok(Application {
        listener,
        router,
        state,
        address,
    })
}

fn router(state: AppState) -> Result<Router, StartupError> {
    let sessions = SqliteStore::new(state.pool.clone())
        .with_table_name("sessions")
        .map_err(StartupError::Sessions)?;
    tokio::spawn({
        let sessions = sessions.clone();
        async move {
            if let Err(error) = sessions.delete_expired().await {
                tracing::warn!(%error, "could not delete expired sessions");
            }
        }
    });
    let session_layer = SessionManagerLayer::new(sessions)
        .with_name("brigade_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.secure_cookies())
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(12)));

    let routes = console_routes();
    let context_state = state.clone();
    let shell_options = state.leptos_options.clone();
    Ok(Router::new()
        .route("/", get(|| async { Redirect::to("/users") }))
        .nest("/api/v1", crate::api::router())
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(shell_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guards::require_session,
        ))
        .layer(axum::middleware::from_fn(guards::refuse_cross_site))
        .layer(session_layer)
        // No request may hold a connection forever (a stuck render or a slow client).
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            std::time::Duration::from_secs(30),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state))
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

async fn shutdown_signal() {
    let _ = tokio::signal::ctrl_c().await;
}

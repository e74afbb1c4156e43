//! `GET /health/live` (the process answers) and `GET /health/ready` (the database answers
//! within a second with its schema current, and no shutdown has begun), for load balancers and
//! orchestrators. Unauthenticated and cheap: no session, no write, no data in the answer.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::store::Db;

/// How long the database may take to answer a readiness check.
const READY_WITHIN: Duration = Duration::from_secs(1);

/// What the health routes read: the database, and whether a shutdown has begun.
#[derive(Clone)]
pub struct Health {
    db: Db,
    stopping: Arc<AtomicBool>,
}

impl Health {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            stopping: Arc::new(AtomicBool::new(false)),
        }
    }

    /// From now on ready answers 503: the load balancer sends no new requests here.
    pub fn begin_shutdown(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }
}

pub fn routes<S: Clone + Send + Sync + 'static>(health: Health) -> Router<S> {
    Router::new()
        .route("/health/live", get(live))
        .route("/health/ready", get(ready))
        .with_state(health)
}

async fn live() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

async fn ready(State(health): State<Health>) -> Response {
    let unavailable = |reason: &str| {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "reason": reason })),
        )
            .into_response()
    };
    if health.stopping.load(Ordering::SeqCst) {
        return unavailable("shutting_down");
    }
    match health.db.ready(READY_WITHIN).await {
        Ok(()) => Json(json!({ "status": "ok" })).into_response(),
        Err(not_ready) => {
            tracing::warn!(reason = %not_ready, "not ready");
            unavailable(not_ready.code())
        }
    }
}

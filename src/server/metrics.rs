//! Prometheus metrics, on their own listener (`BRIGADE_METRICS_ADDR`; nothing sensitive on the
//! public port): requests by method, route template and status, their latency, the database
//! pool, and what the services count (sign-in failures, throttled requests, mail). The
//! `metrics` facade records; `metrics-exporter-prometheus` renders.

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

use crate::store::Db;

const DURATION: &str = "brigade_http_request_duration_seconds";

/// The process's recorder, installed once (every app of a test process shares it).
fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full(DURATION.into()),
                &[
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                ],
            )
            .unwrap_or_else(|_| PrometheusBuilder::new());
        match builder.install_recorder() {
            Ok(handle) => handle,
            // Another recorder is already the global one: render this one's (empty) output
            // rather than fail the server.
            Err(_) => PrometheusBuilder::new().build_recorder().handle(),
        }
    })
}

/// Makes sure the recorder exists before the first request is counted.
pub fn install() {
    handle();
}

/// Counts a request under its route template (`/api/v1/users/{id}`, never the raw path, so ids
/// never become series of their own) and times it.
pub async fn track(request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |path| path.as_str().to_string());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("brigade_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!(DURATION, "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

/// The metrics listener's routes: `GET /metrics`.
pub fn routes(db: Db) -> Router {
    Router::new().route("/metrics", get(render)).with_state(db)
}

async fn render(State(db): State<Db>) -> String {
    let (in_use, idle) = db.pool_state();
    metrics::gauge!("brigade_db_pool_connections", "state" => "in_use").set(f64::from(in_use));
    metrics::gauge!("brigade_db_pool_connections", "state" => "idle").set(f64::from(idle));
    let handle = handle();
    handle.run_upkeep();
    handle.render()
}

//! `brigade measure`: the API's list requests run in-process, as `make bench`'s floor. Each
//! request is the same use-case the API route calls, with the same parsed query, on the
//! organization's own rows and with every permission (as an API client of the Integration
//! role has): the same SQL, without HTTP, the token lookup and JSON. The paths it prints are
//! the ones the load generator then sends over HTTP. Beside the lists, the access check a
//! signed-in person's every request starts with: a district manager's session resumed (their
//! access at each outlet of their outlet group, loaded) and `GET /api/v1/me` answered.

use std::time::{Duration, Instant};

use super::Principal;
use super::auth::SessionClaims;
use super::{Context, auth, connectors, me, users};
use crate::domain::AppError;
use crate::domain::commands::ConnectorListQuery;
use crate::domain::model::ConnectorQuery;
use crate::domain::paging::encode_cursor;
use crate::domain::user_commands::{RawUserQuery, UserListQuery};
use crate::store;

/// How deep the "deep" requests start: a thousand pages of fifty.
const DEPTH: i64 = 50_000;

/// Untimed runs of each request before its timed ones, as `make bench` warms the server up
/// before each load: the first runs read the rows into a fresh connection's cache.
const WARM_UP_RUNS: usize = 20;

/// How long each request is run: at least `runs` times and for at least `time` (a floor
/// measured over a fraction of a second swung by half between two runs on this machine; the
/// load it is compared with runs for seconds).
#[derive(Debug, Clone, Copy)]
pub struct Runs {
    pub runs: usize,
    pub time: Duration,
}

/// One request and its in-process timing.
#[derive(Debug, serde::Serialize)]
pub struct Measurement {
    pub name: String,
    /// Path and query, as the API takes it.
    pub path: String,
    /// Whom the HTTP request is sent as: `None` for an API client of the Integration role, or
    /// the address of the person whose console session sends it.
    pub signed_in: Option<String>,
    pub p50_us: f64,
    pub p99_us: f64,
    pub per_second: f64,
}

enum Request {
    Connectors(ConnectorListQuery),
    Users(UserListQuery),
    /// A session of this person (and their address) resumed, then `/me`.
    Me(SessionClaims, String),
}

/// Runs each request as `runs` says, one run after the other, on the organization `slug`,
/// after [`WARM_UP_RUNS`] untimed ones.
#[tracing::instrument(skip(context))]
pub async fn in_process(
    context: &Context,
    slug: &str,
    runs: Runs,
) -> Result<Vec<Measurement>, AppError> {
    let who = auth::operator(context, slug).await?;
    let sample = {
        let mut conn = context.read().await?;
        store::synth::sample(&mut conn, who.organization_id, DEPTH)
            .await?
            .ok_or_else(|| {
                AppError::field("org", format!("{slug} has no outlet grant to measure."))
            })?
    };
    let local_part = sample
        .email
        .split('@')
        .next()
        .unwrap_or_default()
        .to_string();
    let mut requests: Vec<Planned> = vec![
        connector_request("connectors", &[]),
        connector_request("connectors, type O", &[("type", "O".into())]),
        connector_request(
            "connectors, one outlet",
            &[("outlet_id", sample.outlet.to_string())],
        ),
        connector_request(
            "connectors, one role",
            &[("role_id", sample.role.to_string())],
        ),
        connector_request("connectors, email smith", &[("email", "smith".into())]),
        connector_request("connectors, email of one person", &[("email", local_part)]),
        user_request("users", &[]),
    ];
    if let Some(deep) = sample.deep_connector {
        requests.push(connector_request(
            "connectors, 1,000 pages deep",
            &[("cursor", encode_cursor(deep.0))],
        ));
    }
    if let Some(deep) = sample.deep_user {
        requests.push(user_request(
            "users, 1,000 pages deep",
            &[("cursor", encode_cursor(deep.0))],
        ));
    }
    if let Some((group, user, email)) = sample.district {
        requests.push(connector_request(
            "connectors, one outlet group",
            &[("outlet_group_id", group.to_string())],
        ));
        let version = {
            let mut conn = context.read().await?;
            store::accounts::summary(&mut conn, user)
                .await?
                .ok_or(AppError::NotFound)?
                .session_version
        };
        let claims = SessionClaims {
            user,
            organization: who.organization_id,
            version,
            signed_in_at: context.now().unix_timestamp(),
            sign_in: None,
        };
        requests.push((
            "access check: a district manager's /me",
            "/api/v1/me".into(),
            Ok(Request::Me(claims, email)),
        ));
    }
    let mut measurements = Vec::new();
    for (name, path, request) in requests {
        let request = request?;
        let signed_in = match &request {
            Request::Me(_, email) => Some(email.clone()),
            _ => None,
        };
        for _ in 0..WARM_UP_RUNS {
            run(context, &who, &request).await?;
        }
        let mut took = Vec::with_capacity(runs.runs);
        let started = Instant::now();
        while took.len() < runs.runs.max(1) || started.elapsed() < runs.time {
            let one = Instant::now();
            run(context, &who, &request).await?;
            took.push(one.elapsed());
        }
        let total = started.elapsed();
        took.sort();
        measurements.push(Measurement {
            name: name.to_string(),
            path,
            signed_in,
            p50_us: micros(percentile(&took, 50)),
            p99_us: micros(percentile(&took, 99)),
            per_second: took.len() as f64 / total.as_secs_f64().max(1e-9),
        });
    }
    Ok(measurements)
}

type Planned = (&'static str, String, Result<Request, AppError>);

fn path(base: &str, params: &[(&str, String)]) -> String {
    let query: Vec<String> = params
        .iter()
        .map(|(name, value)| format!("{name}={}", urlencoding::encode(value)))
        .collect();
    if query.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", query.join("&"))
    }
}

fn value<'a>(params: &'a [(&str, String)], name: &str) -> Option<&'a String> {
    params.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
}

fn connector_request(name: &'static str, params: &[(&str, String)]) -> Planned {
    let raw = ConnectorQuery {
        connector_type: value(params, "type").cloned(),
        email: value(params, "email").cloned(),
        role_id: value(params, "role_id").cloned(),
        outlet_id: value(params, "outlet_id").cloned(),
        outlet_group_id: value(params, "outlet_group_id").cloned(),
        cursor: value(params, "cursor").cloned(),
        ..Default::default()
    };
    (
        name,
        path("/api/v1/user-connectors", params),
        ConnectorListQuery::try_from(&raw).map(Request::Connectors),
    )
}

fn user_request(name: &'static str, params: &[(&str, String)]) -> Planned {
    let raw = RawUserQuery {
        cursor: value(params, "cursor").map(String::as_str),
        ..Default::default()
    };
    (
        name,
        path("/api/v1/users", params),
        UserListQuery::try_from(raw).map(Request::Users),
    )
}

async fn run(context: &Context, who: &Principal, request: &Request) -> Result<(), AppError> {
    match request {
        Request::Connectors(query) => {
            std::hint::black_box(connectors::list(context, who, query).await?);
        }
        Request::Users(query) => {
            std::hint::black_box(users::list(context, who, query).await?);
        }
        Request::Me(claims, _) => {
            let person = auth::resume(context, claims)
                .await?
                .ok_or(AppError::Unauthenticated)?;
            std::hint::black_box(me::me(context, &person.principal).await?);
        }
    }
    Ok(())
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    let index = (sorted.len() * p).div_ceil(100).saturating_sub(1);
    sorted.get(index).copied().unwrap_or_default()
}

fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}

//! The two addresses of single sign-on that are plain redirects, not pages: leaving for the
//! identity provider (`/auth/sso/start?email=…`) and coming back (`/auth/sso/callback`).
//! Whatever goes wrong sends the person back to `/login?sso_error=<code>`, which the sign-in
//! page words (`domain::sso::refusal_message`).

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use tower_sessions::Session;

use crate::domain::{AppError, Email, LocalPath};
use crate::server::client_address::ClientAddress;
use crate::service::Context;
use crate::service::auth::ClientInfo;
use crate::service::sso::{self, Pending};

/// The session key of a single sign-on under way.
const PENDING: &str = "sso_pending";

pub fn routes() -> Router<Context> {
    Router::new()
        .route("/start", get(start))
        .route("/callback", get(callback))
}

#[derive(Deserialize)]
struct Start {
    #[serde(default)]
    email: String,
    next: Option<String>,
}

fn back_to_login(error: &AppError, email: Option<&str>) -> Response {
    let code = match error {
        AppError::Denied { code, .. } => code.as_str(),
        _ => "sso_provider_error",
    };
    let email = email
        .map(|email| format!("&email={}", urlencoding::encode(email)))
        .unwrap_or_default();
    Redirect::to(&format!("/login?sso_error={code}{email}")).into_response()
}

async fn start(
    State(context): State<Context>,
    session: Session,
    Query(query): Query<Start>,
) -> Response {
    let Ok(email) = Email::parse(&query.email) else {
        let error = AppError::denied("sso_not_set_up", "");
        return back_to_login(&error, None);
    };
    let next = query
        .next
        .as_deref()
        .and_then(LocalPath::parse)
        .map(|path| path.to_string());
    let begun = sso::begin(&context, &email, next).await;
    let stored = match begun {
        Ok((url, pending)) => session
            .insert(PENDING, pending)
            .await
            .map(|()| url)
            .map_err(|e| AppError::internal(&e)),
        Err(error) => Err(error),
    };
    match stored {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(error) => back_to_login(&error, Some(email.as_str())),
    }
}

#[derive(Deserialize)]
struct Callback {
    code: Option<String>,
    #[serde(default)]
    state: String,
    /// The provider's refusal (`access_denied`, …): no code then.
    error: Option<String>,
}

async fn callback(
    State(context): State<Context>,
    session: Session,
    headers: HeaderMap,
    client: Option<axum::Extension<ClientAddress>>,
    Query(query): Query<Callback>,
) -> Response {
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok());
    let client = ClientInfo::new(client.map(|c| c.0.0), agent);
    let pending = match session.remove::<Pending>(PENDING).await {
        Ok(Some(pending)) => pending,
        _ => return back_to_login(&AppError::denied("sso_expired", ""), None),
    };
    let next = pending.next.clone();
    let code = query.code.as_deref().filter(|_| query.error.is_none());
    let signed_in = match sso::finish(&context, pending, &query.state, code, &client).await {
        Ok(claims) => {
            super::super::session::start_session_in(&context, &session, &claims, next).await
        }
        Err(error) => Err(error),
    };
    match signed_in {
        Ok(target) => Redirect::to(&target).into_response(),
        Err(error) => back_to_login(&error, None),
    }
}

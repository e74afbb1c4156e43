//! Safe retries over HTTP: the `Idempotency-Key` header of a `POST` (see
//! `service::idempotency`). A replayed answer is the first one, status, body and `ETag`,
//! marked `Idempotency-Replayed: true`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Serialize;

use super::{ApiError, ApiResult};
use crate::domain::AppError;
use crate::service::idempotency::{self, Answer, Claim, Key};
use crate::service::{Context, Principal, Work, versions};

/// The longest key accepted.
const MAX_KEY: usize = 255;

/// The request's `Idempotency-Key`, if it sent one: 1 to 255 visible ASCII characters (a
/// UUID is the usual choice), bare or quoted as a structured-field string.
pub struct IdempotencyKey(Option<String>);

fn malformed() -> ApiError {
    AppError::bad_request(
        "invalid_idempotency_key",
        "Idempotency-Key must be one value of 1 to 255 visible ASCII characters (a UUID, say).",
    )
    .into()
}

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let mut values = parts.headers.get_all("idempotency-key").iter();
        let Some(value) = values.next() else {
            return Ok(IdempotencyKey(None));
        };
        if values.next().is_some() {
            return Err(malformed());
        }
        let text = value.to_str().map_err(|_| malformed())?.trim();
        let text = text
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .unwrap_or(text);
        let visible = |c: char| c.is_ascii_graphic();
        if text.is_empty() || text.len() > MAX_KEY || !text.chars().all(visible) {
            return Err(malformed());
        }
        Ok(IdempotencyKey(Some(text.to_string())))
    }
}

impl IdempotencyKey {
    /// The key of this caller's `request` (method and path) with this body, if one was sent.
    pub fn of(&self, who: &Principal, request: &str, body: &impl Serialize) -> Option<Key> {
        let key = self.0.clone()?;
        let client = match (who.actor.token_id, who.actor.user_id) {
            (Some(token), _) => format!("token:{token}"),
            (None, Some(user)) => format!("user:{user}"),
            (None, None) => return None,
        };
        Some(Key::new(client, key, request, body))
    }
}

/// An answer as a response; `replayed` marks a retry's.
pub fn respond(answer: Answer, replayed: bool) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let mut response = super::json::json_response(answer.body.into_bytes());
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if let Some(etag) = answer.etag.and_then(|e| HeaderValue::from_str(&e).ok()) {
        headers.insert(header::ETAG, etag);
    }
    if replayed {
        mark_replayed(&mut response);
    }
    response
}

/// Marks a response as a retry's: the first answer, replayed.
pub fn mark_replayed(response: &mut Response) {
    response.headers_mut().insert(
        HeaderName::from_static("idempotency-replayed"),
        HeaderValue::from_static("true"),
    );
}

/// The answer of `value` with `status` (and its `ETag` when `tagged`).
pub fn answer_of<T: Serialize>(status: StatusCode, value: &T, tagged: bool) -> Answer {
    let body = serde_json::to_string(value).unwrap_or_default();
    Answer {
        status: status.as_u16(),
        etag: tagged.then(|| versions::version_of_json(body.as_bytes())),
        body,
    }
}

/// Runs one write in a unit of work, once per key: claimed before it, its answer remembered
/// with it; a retry is answered from what was remembered and writes nothing.
pub async fn once<T: Serialize>(
    context: &Context,
    key: Option<Key>,
    status: StatusCode,
    tagged: bool,
    write: impl AsyncFnOnce(&mut Work) -> Result<T, AppError>,
) -> ApiResult<Response> {
    let mut work = context.begin().await?;
    if let Some(key) = &key
        && let Claim::Replay(answer) = idempotency::claim(&mut work, key, 0).await?
    {
        return Ok(respond(answer, true));
    }
    let value = write(&mut work).await?;
    let answer = answer_of(status, &value, tagged);
    if let Some(key) = &key {
        idempotency::remember(&mut work, key, 0, &answer).await?;
    }
    work.commit().await?;
    Ok(respond(answer, false))
}

//! Every request has an id: a safe incoming `x-request-id` is kept, otherwise one is made. It
//! is on the response, in every error body of the API and of server functions (`request_id`),
//! and on every log line of the request (the `request` span of the trace layer).

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

pub static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The largest error body rewritten to carry the id (errors are a few hundred bytes).
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// An id a client may choose: 1 to 64 letters, digits, `-`, `_` or `.` (nothing that could
/// forge a log line or a header).
fn is_safe(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The request's id (set on the request before anything else runs).
pub fn of(request: &Request) -> &str {
    request
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
}

pub async fn assign(mut request: Request, next: Next) -> Response {
    let id = match request
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|value| value.to_str().ok())
    {
        Some(id) if is_safe(id) => id.to_string(),
        _ => uuid::Uuid::new_v4().to_string(),
    };
    let value = HeaderValue::from_str(&id).unwrap_or(HeaderValue::from_static("invalid"));
    request
        .headers_mut()
        .insert(X_REQUEST_ID.clone(), value.clone());
    let carries_errors = {
        let path = request.uri().path();
        path.starts_with("/api/") || path.starts_with("/rpc/")
    };
    let mut response = next.run(request).await;
    response.headers_mut().insert(X_REQUEST_ID.clone(), value);
    if carries_errors
        && (response.status().is_client_error() || response.status().is_server_error())
    {
        response = with_id_in_body(response, &id).await;
    }
    response
}

/// Adds `request_id` to a JSON error body: inside `error` for the API
/// (`{"error": {…}}`), inside the error's variant for server functions (`{"Denied": {…}}`).
async fn with_id_in_body(response: Response, id: &str) -> Response {
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|kind| kind.starts_with("application/json"));
    if !json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, ERROR_BODY_LIMIT).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let mut value: serde_json::Value = match serde_json::from_slice(&bytes) {
        Ok(value) => value,
        Err(_) => return Response::from_parts(parts, Body::from(bytes)),
    };
    if let Some(object) = value.as_object_mut()
        && object.len() == 1
        && let Some(inner) = object.values_mut().next().and_then(|v| v.as_object_mut())
    {
        inner.insert("request_id".into(), id.into());
    }
    let bytes = serde_json::to_vec(&value).unwrap_or_else(|_| bytes.to_vec());
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::is_safe;

    #[test]
    fn only_a_short_plain_incoming_id_is_kept() {
        let cases = [
            ("3f2c9a1e-7b1d-4c55-9a0e-2d8f1b7c6e11", true),
            ("lb.42_A-7", true),
            ("", false),
            ("a b", false),
            ("id\r\nX-Forged: 1", false),
            ("é", false),
            (&"x".repeat(65), false),
        ];
        for (id, safe) in cases {
            assert_eq!(is_safe(id), safe, "{id:?}");
        }
    }
}

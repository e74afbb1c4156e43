//! Security headers on every answer. Console pages get a Content-Security-Policy with the
//! nonce Leptos puts on its hydration and streaming scripts ([`console_policy`], set by the
//! shell that renders them): no other inline script runs, and nothing loads from elsewhere.
//! Everything else gets a policy that allows nothing (JSON, files, redirects), except the API
//! reference, whose Swagger UI styles its elements inline. No answer may be framed.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The console's policy for one page, given the nonce of its scripts.
pub fn console_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

const REFERENCE_POLICY: &str = "default-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
const NOTHING_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// Whether `Strict-Transport-Security` is sent (the public URL is https).
#[derive(Debug, Clone, Copy)]
pub struct Https(pub bool);

pub async fn secure(State(Https(https)): State<Https>, request: Request, next: Next) -> Response {
    let reference = request.uri().path().starts_with("/api/docs");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        let policy = if reference {
            REFERENCE_POLICY
        } else {
            NOTHING_POLICY
        };
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(policy),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

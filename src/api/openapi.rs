//! The API's contract, generated from the code (utoipa): each handler declares its path,
//! parameters, body and success answers beside its code; this module adds what every
//! operation shares (the bearer scheme, the one error body and the error answers each kind of
//! operation can give), so no operation can forget one. Served at `/api/v1/openapi.json`,
//! read by people at `/api/docs`.

use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi, ToSchema};

/// The one error body of the API.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"error": {"code": "invalid", "message": "email: Use an address like name@example.com.", "fields": {"email": "Use an address like name@example.com."}, "request_id": "0193a5c2-7e4f-7d21-9c3b-5a1e2f3d4c5b"}}))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// What went wrong, for programs: `invalid`, `not_found`, `duplicate_email`, …
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
    /// Invalid input: a message for each field (or parameter) at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, String>>,
    /// The request's id, also in the `x-request-id` header: quote it when asking for help.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Brigade API",
        description = "User and access management for multi-location restaurant groups: \
            people, their access to the whole organization or to single outlets, roles and \
            outlets. Every call is made by an API client (Security & Permissions → API \
            clients) with `Authorization: Bearer <token>`, and sees only its organization, \
            within what its role allows.",
    ),
    servers((url = "/api/v1")),
    security(("bearer" = [])),
    components(schemas(
        ErrorBody,
        super::params::BrandName,
        super::params::EmailAddress,
        super::params::ExternalIdText,
        super::params::IdempotencyKeyText
    )),
    tags(
        (name = "me", description = "The caller."),
        (name = "users", description = "People of the organization, in the users view."),
        (name = "connectors", description = "Access: a role held at the whole organization, at one outlet, or at every outlet of an outlet group."),
        (name = "roles", description = "User roles and their permissions."),
        (name = "report roles", description = "Which reports a person sees."),
        (name = "outlets", description = "The organization's outlets."),
        (name = "outlet groups", description = "Districts and regions: named groups of outlets. A connector through a group grants its outlet role at each of the group's outlets."),
        (name = "audit", description = "The audit log: every change, append-only."),
    )
)]
pub struct ApiDoc;

/// The error answers, each a named response of the contract: (status, name, description).
const ERRORS: [(u16, &str, &str); 8] = [
    (
        400,
        "BadRequest",
        "The query string or the body could not be read (not JSON, or not the expected kind of JSON value).",
    ),
    (
        401,
        "Unauthenticated",
        "Missing, unknown or revoked API token (the `WWW-Authenticate` header says Bearer).",
    ),
    (
        403,
        "Forbidden",
        "The client's role does not allow this, or the target is managed elsewhere.",
    ),
    (
        404,
        "NotFound",
        "No such resource, or outside what this client can reach (the two are not told apart).",
    ),
    (
        409,
        "Conflict",
        "Conflicts with what exists: a duplicate email, username, name or number, or a role still in use.",
    ),
    (
        413,
        "PayloadTooLarge",
        "The body is larger than the 2 MB limit.",
    ),
    (
        422,
        "Invalid",
        "A parameter or a field is invalid or unknown; `fields` names each one.",
    ),
    (
        429,
        "TooManyRequests",
        "Past the rate limit: the API client's requests a minute, or its address's without a valid token. `Retry-After` says when to try again.",
    ),
];

/// The headers of a 429 (the `RateLimit-*` ones are on every counted answer).
const RATE_HEADERS: [(&str, &str); 4] = [
    ("Retry-After", "Seconds until the caller may try again."),
    ("RateLimit-Limit", "Requests a minute this caller may make."),
    (
        "RateLimit-Remaining",
        "Requests left in the current minute.",
    ),
    (
        "RateLimit-Reset",
        "Seconds until the current minute's count ends.",
    ),
];

/// What every operation shares, added to each (once the routes are in) so that none forgets
/// one.
pub struct Shared;

impl Modify for Shared {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API client's token, shown once when it is issued."))
                    .build(),
            ),
        );
        for (status, name, description) in ERRORS {
            let mut response = ResponseBuilder::new().description(description).content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            );
            if status == 429 {
                for (header, meaning) in RATE_HEADERS {
                    response = response.header(
                        header,
                        HeaderBuilder::new()
                            .schema(Some(
                                ObjectBuilder::new()
                                    .schema_type(Type::Integer)
                                    .minimum(Some(0)),
                            ))
                            .description(Some(meaning))
                            .build(),
                    );
                }
            }
            let response = response.build();
            components
                .responses
                .insert(name.to_string(), RefOr::T(response));
        }
        components.responses.insert(
            "Stale".to_string(),
            RefOr::T(
                ResponseBuilder::new()
                    .description(
                        "If-Match named another version: it changed since it was read. Read it \
                         again (its new ETag) and decide again.",
                    )
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("ErrorBody")))
                            .build(),
                    )
                    .build(),
            ),
        );
        components.responses.insert(
            "UriTooLong".to_string(),
            RefOr::T(
                ResponseBuilder::new()
                    .description(
                        "The request line is longer than the server reads (about 64 KB), \
                         answered by the HTTP layer with no body: send fewer filter values \
                         per request.",
                    )
                    .build(),
            ),
        );
        for (path, item) in openapi.paths.paths.iter_mut() {
            let by_id = path.contains('{');
            for (writes, operation) in operations(item) {
                let reads_input = operation.parameters.iter().flatten().any(|p| match p {
                    RefOr::T(p) => matches!(p.parameter_in, ParameterIn::Query),
                    RefOr::Ref(_) => true,
                }) || operation.request_body.is_some();
                let has_body = operation.request_body.is_some();
                let has_query = operation.parameters.iter().flatten().any(|p| match p {
                    RefOr::T(p) => matches!(p.parameter_in, ParameterIn::Query),
                    RefOr::Ref(_) => true,
                });
                let has_if_match = operation.parameters.iter().flatten().any(|p| match p {
                    RefOr::T(p) => p.name == "If-Match",
                    RefOr::Ref(_) => false,
                });
                if has_if_match {
                    operation
                        .responses
                        .responses
                        .entry("412".to_string())
                        .or_insert_with(|| RefOr::Ref(Ref::from_response_name("Stale")));
                }
                if has_query {
                    operation
                        .responses
                        .responses
                        .entry("414".to_string())
                        .or_insert_with(|| RefOr::Ref(Ref::from_response_name("UriTooLong")));
                }
                for (status, name, _) in ERRORS {
                    let applies = match status {
                        400 | 422 => reads_input,
                        404 => by_id,
                        409 => writes,
                        413 => has_body,
                        _ => true,
                    };
                    if applies {
                        operation
                            .responses
                            .responses
                            .entry(status.to_string())
                            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
                    }
                }
            }
        }
    }
}

/// The operations of a path, each with whether it writes.
fn operations(item: &mut PathItem) -> impl Iterator<Item = (bool, &mut Operation)> {
    [
        (false, item.get.as_mut()),
        (true, item.post.as_mut()),
        (true, item.put.as_mut()),
        (true, item.patch.as_mut()),
        (true, item.delete.as_mut()),
    ]
    .into_iter()
    .filter_map(|(writes, operation)| operation.map(|operation| (writes, operation)))
}

//! Bad input always gets a clear 4xx (API: JSON with a machine code; console: the same
//! error, next to its field) and never a 500, a panic or a partial write.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The rows a refused request must leave alone.
async fn snapshot(app: &TestApp) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in [
        "user_accounts",
        "memberships",
        "user_connectors",
        "audit_events",
    ] {
        counts.push(app.count(&format!("SELECT COUNT(*) FROM {table}")).await);
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_is_a_400() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let before = snapshot(&app).await;
    for body in ["{\"email\": ", "[1, 2]", "\"text\"", ""] {
        let reply = app
            .client
            .post(app.url("/api/v1/user-connectors"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), StatusCode::BAD_REQUEST, "{body:?}");
        assert_eq!(
            reply.json::<Value>().await.unwrap()["error"]["code"],
            "malformed_json"
        );
    }
    assert_eq!(snapshot(&app).await, before);
}

/// Sends a body of `size` bytes; the server answers as soon as the limit is passed and
/// closes the connection, so the client may see a broken pipe while still sending and gets
/// the answer on a retry.
async fn send_oversized(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    body: String,
    content_type: &str,
) -> (StatusCode, Value) {
    for _ in 0..5 {
        let mut request = app
            .client
            .post(app.url(path))
            .header("content-type", content_type)
            .header("accept", "application/json")
            .body(body.clone());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Ok(response) = request.send().await {
            let status = response.status();
            return (status, response.json().await.unwrap_or(Value::Null));
        }
    }
    panic!("no answer to an oversized body");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_are_a_413_in_the_usual_shape() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let before = snapshot(&app).await;
    let huge = json!({ "email": "a".repeat(3 * 1024 * 1024) }).to_string();
    let (status, body) = send_oversized(
        &app,
        "/api/v1/user-connectors",
        Some(&token),
        huge,
        "application/json",
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["error"]["code"], "payload_too_large");

    // A sign-in of 3 MB is refused before anything reads it, let alone hashes it.
    let form = format!(
        "identifier={ADMIN}&password={}",
        "p".repeat(3 * 1024 * 1024)
    );
    let (status, body) = send_oversized(
        &app,
        "/rpc/login",
        None,
        form,
        "application/x-www-form-urlencoded",
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["error"]["code"], "payload_too_large");
    assert_eq!(snapshot(&app).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_body_streamed_past_the_limit_is_a_413() {
    let app = spawn_app().await;
    // No Content-Length: the limit is found while reading.
    let chunks = (0..100).map(|_| Ok::<_, std::io::Error>(vec![b'a'; 1024]));
    let response = app
        .client
        .post(app.url("/rpc/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_method_is_a_405_that_lists_the_allowed_ones() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let put = app
        .client
        .put(app.url("/api/v1/user-connectors"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::METHOD_NOT_ALLOWED);
    let allow = put.headers()["allow"].to_str().unwrap().to_string();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    assert_eq!(
        put.json::<Value>().await.unwrap()["error"]["code"],
        "method_not_allowed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_parameter_given_twice_is_refused_rather_than_guessed() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let twice = app
        .api_get("/user-connectors?page_size=abc&page_size=3", &token)
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        twice.body["error"]["fields"]["page_size"],
        "Give this parameter once."
    );
}

/// Query values the contract calls invalid are refused, naming the parameter (cases found by
/// schemathesis: an empty value was read as "no filter", a control character in the email
/// fragment reached the search index and failed as a 500).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_values_outside_the_contract_are_a_422_naming_the_parameter() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let cases = [
        (
            "/user-connectors?role_id=",
            "role_id",
            "Give a value, or leave the parameter out.",
        ),
        (
            "/user-connectors?email=%20",
            "email",
            "Give a value, or leave the parameter out.",
        ),
        (
            "/user-connectors?email=a%00b",
            "email",
            "Use text without control characters.",
        ),
        (
            "/user-connectors?email=a%01b",
            "email",
            "Use text without control characters.",
        ),
        (
            "/users?emails=a%40example.com,,b%40example.com",
            "emails",
            "Leave no empty value between commas.",
        ),
        (
            "/users?location_ids=,",
            "location_ids",
            "Leave no empty value between commas.",
        ),
        (
            "/users?brands=harbor,",
            "brands",
            "Leave no empty value between commas.",
        ),
        (
            "/users?page_size=251",
            "page_size",
            "Use a whole number from 1 to 250.",
        ),
        (
            "/outlets?cursor=R",
            "cursor",
            "This cursor is not one Brigade gave out.",
        ),
    ];
    for (path, field, message) in cases {
        let reply = app.api_get(path, &token).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {}",
            reply.body
        );
        assert_eq!(reply.body["error"]["fields"][field], message, "{path}");
    }
    // The same filters with their values are fine.
    for path in [
        "/user-connectors?email=harbor",
        "/users?emails=admin%40harbor.example&page_size=250",
    ] {
        let reply = app.api_get(path, &token).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_invalid_create_body_is_a_422_naming_its_field() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let staff = app.role_id("harbor", "Staff").await;
    let viewer = app.role_id("harbor", "Viewer").await;
    let pier = app.outlet_id("HB-001").await;
    let other = uuid::Uuid::now_v7();
    let before = snapshot(&app).await;
    let cases = [
        (
            "no email",
            json!({ "role": staff, "outlet": pier }),
            "email",
        ),
        (
            "not an email",
            json!({ "email": "not-an-email", "role": staff, "outlet": pier }),
            "email",
        ),
        (
            "email not a string",
            json!({ "email": 42, "role": staff, "outlet": pier }),
            "email",
        ),
        ("no role", json!({ "email": "x@harbor.example" }), "role"),
        (
            "role not an id",
            json!({ "email": "x@harbor.example", "role": "nope" }),
            "role",
        ),
        (
            "unknown role",
            json!({ "email": "x@harbor.example", "role": other }),
            "role",
        ),
        (
            "library role at an outlet",
            json!({ "email": "x@harbor.example", "role": viewer, "outlet": pier }),
            "role",
        ),
        (
            "outlet role without outlet",
            json!({ "email": "x@harbor.example", "role": staff }),
            "outlet",
        ),
        (
            "unknown outlet",
            json!({ "email": "x@harbor.example", "role": staff, "outlet": other }),
            "outlet",
        ),
        (
            "unknown field",
            json!({ "email": "x@harbor.example", "role": staff, "outlet": pier, "colour": "red" }),
            "colour",
        ),
        (
            "name too long",
            json!({ "email": "x@harbor.example", "first_name": "x".repeat(101), "role": staff, "outlet": pier }),
            "first_name",
        ),
        (
            "control character in a name",
            json!({ "email": "x@harbor.example", "last_name": "a\u{7}b", "role": staff, "outlet": pier }),
            "last_name",
        ),
    ];
    for (name, body, field) in cases {
        let reply = app.api_post("/user-connectors", &token, body).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name}: {}",
            reply.body
        );
        assert_eq!(reply.body["error"]["code"], "invalid", "{name}");
        assert!(
            reply.body["error"]["fields"][field].is_string(),
            "{name} names {field}: {}",
            reply.body
        );
        assert!(reply.body["error"]["message"].is_string(), "{name}");
    }
    assert_eq!(snapshot(&app).await, before, "nothing was written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn granting_a_role_above_your_own_is_a_403_and_writes_nothing() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Area Manager", None).await;
    let owner = app.role_id("harbor", "Owner").await;
    let before = snapshot(&app).await;
    let escalation = app
        .api_post(
            "/user-connectors",
            &token,
            json!({ "email": "x@harbor.example", "role": owner }),
        )
        .await;
    assert_eq!(escalation.status, StatusCode::FORBIDDEN);
    assert_eq!(
        escalation.body["error"]["code"],
        "role_exceeds_your_permissions"
    );
    assert_eq!(snapshot(&app).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_people_cursor_that_is_unknown_or_another_organizations_starts_from_the_first_page() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let (_, first) = app.rpc("list_people", &[("search", "")]).await;
    let northside_member = app
        .id_of(
            "SELECT m.id FROM memberships m JOIN organizations o ON o.id = m.organization_id WHERE o.slug = $1 LIMIT 1",
            "northside",
        )
        .await
        .to_string();
    let unknown = uuid::Uuid::now_v7().to_string();
    for after in [unknown.as_str(), northside_member.as_str()] {
        let (status, body) = app
            .rpc("list_people", &[("search", ""), ("after", after)])
            .await;
        assert_eq!(status, StatusCode::OK, "{after}: {body}");
        assert_eq!(body["rows"], first["rows"], "{after}");
        assert_eq!(body["later"], false);
    }
    let (status, html) = app.page(&format!("/users?after={unknown}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Showing 15 of 20 people"), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreadable_server_function_arguments_are_a_400() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let before = snapshot(&app).await;
    type Form = &'static [(&'static str, &'static str)];
    let cases: [(&str, &str, Form); 6] = [
        ("id not an id", "revoke_connector", &[("id", "garbage")]),
        ("id missing", "revoke_connector", &[]),
        ("change without id", "change_connector", &[("role", "x")]),
        (
            "organization not an id",
            "switch_organization",
            &[("organization_id", "x")],
        ),
        (
            "cursor not an id",
            "list_people",
            &[("search", ""), ("after", "-1")],
        ),
        (
            "cursor of another kind",
            "list_people",
            &[("search", ""), ("after", "page 2")],
        ),
    ];
    for (name, function, form) in cases {
        let (status, body) = app.rpc(function, form).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name}: {body}");
        assert!(
            body.to_string().contains("malformed_request"),
            "{name}: {body}"
        );
    }
    assert_eq!(snapshot(&app).await, before);
}

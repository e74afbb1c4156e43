//! Security headers: a console page's Content-Security-Policy allows only its own nonced
//! scripts; every answer refuses framing and sniffing; HSTS only behind https.

use crate::helpers::*;
use reqwest::StatusCode;

fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response
        .headers()
        .get(name)
        .map(|value| value.to_str().unwrap())
}

#[tokio::test]
async fn a_console_page_runs_only_the_scripts_its_policy_names() {
    let app = spawn_app().await;
    let response = app.get("/login").await;
    assert_eq!(response.status(), StatusCode::OK);
    let policy = header(&response, "content-security-policy")
        .unwrap()
        .to_string();
    let html = response.text().await.unwrap();
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy");
    assert!(nonce.len() >= 16, "{policy}");
    for directive in [
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "style-src 'self'",
        "'wasm-unsafe-eval'",
    ] {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    // Every inline script of the page carries the nonce; none runs without it.
    let scripts: Vec<&str> = html.split("<script").skip(1).collect();
    assert!(!scripts.is_empty());
    for script in scripts {
        let tag = script.split('>').next().unwrap();
        assert!(
            tag.contains(&format!("nonce=\"{nonce}\"")) || tag.contains("src="),
            "a script without the nonce: <script{tag}>"
        );
    }
    // A new page, a new nonce.
    let again = app.get("/login").await;
    assert_ne!(
        header(&again, "content-security-policy").unwrap(),
        policy,
        "the nonce is per response"
    );
}

#[tokio::test]
async fn every_kind_of_answer_refuses_framing_and_sniffing() {
    let app = spawn_app().await;
    for path in [
        "/login",
        "/api/v1/users",
        "/health/live",
        "/api/v1/openapi.json",
        "/api/docs/",
        "/users",
    ] {
        let response = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .get(app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(
            header(&response, "x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(header(&response, "x-frame-options"), Some("DENY"), "{path}");
        assert_eq!(
            header(&response, "referrer-policy"),
            Some("same-origin"),
            "{path}"
        );
        let policy = header(&response, "content-security-policy").unwrap_or_default();
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
        assert!(!policy.contains("*"), "{path}: {policy}");
        assert_eq!(
            header(&response, "strict-transport-security"),
            None,
            "{path}"
        );
    }
}

#[tokio::test]
async fn behind_https_browsers_are_told_to_stay_on_https() {
    let app = spawn_app_with(|config| config.public_url = "https://brigade.example".into()).await;
    let response = app.get("/health/live").await;
    assert_eq!(
        header(&response, "strict-transport-security"),
        Some("max-age=31536000; includeSubDomains")
    );
}

/// Every kind of JSON answer names its type: a list, a representation with its version, a
/// creation, the error bodies, and SCIM's own type.
#[tokio::test]
async fn every_json_answer_says_it_is_json() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let scim = app.scim_connection("harbor", None, None).await;
    let user = app.user_id("manager@harbor.example").await;
    let outlet = app.outlet_id("HB-001").await;
    let cook = app.role_id("harbor", "Staff").await;
    let client = reqwest::Client::new();
    let api = |method: reqwest::Method, path: &str| {
        client
            .request(method, app.url(&format!("/api/v1{path}")))
            .bearer_auth(&token)
    };
    let cases = [
        (
            "a list",
            api(reqwest::Method::GET, "/users"),
            200,
            "application/json",
        ),
        (
            "a representation with its version",
            api(reqwest::Method::GET, &format!("/users/{user}")),
            200,
            "application/json",
        ),
        (
            "a creation",
            api(reqwest::Method::POST, "/user-connectors").json(&serde_json::json!({
                "email": "json.type@example.com", "first_name": "Jay", "last_name": "Son",
                "role": cook, "outlet": outlet})),
            201,
            "application/json",
        ),
        (
            "an error",
            api(
                reqwest::Method::GET,
                &format!("/users/{}", uuid::Uuid::now_v7()),
            ),
            404,
            "application/json",
        ),
        (
            "a refused token",
            client
                .get(app.url("/api/v1/users"))
                .bearer_auth("not-a-token"),
            401,
            "application/json",
        ),
        (
            "a SCIM list",
            client.get(app.url("/scim/v2/Users")).bearer_auth(&scim),
            200,
            "application/scim+json",
        ),
    ];
    for (case, request, status, content_type) in cases {
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{case}");
        assert_eq!(
            header(&response, "content-type"),
            Some(content_type),
            "{case}"
        );
        let body = response.bytes().await.unwrap();
        serde_json::from_slice::<serde_json::Value>(&body)
            .unwrap_or_else(|error| panic!("{case}: {error}"));
    }
}

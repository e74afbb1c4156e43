//! The API's OpenAPI contract: served, valid, complete, in step with the routes, browsable
//! offline; and snapshots of what the API answers (bodies and errors), so a change to the
//! contract is seen in review.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn served_contract(app: &TestApp) -> Value {
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    response.json().await.unwrap()
}

/// Every operation of the contract, as (method, path).
fn operations(contract: &Value) -> Vec<(String, String)> {
    let mut all = Vec::new();
    for (path, item) in contract["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            all.push((method.to_uppercase(), path.clone()));
        }
    }
    all
}

#[tokio::test]
async fn the_contract_is_openapi_3_1_and_matches_its_snapshot() {
    let app = spawn_app().await;
    let contract = served_contract(&app).await;
    assert_eq!(contract["openapi"], "3.1.0");
    insta::assert_json_snapshot!("contract", contract);
}

/// Walks every value of the document: each `$ref` names something that exists, each
/// response has a description (a response without one is invalid OpenAPI).
fn check_document(root: &Value, at: &str, value: &Value, problems: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                let pointer = target.trim_start_matches('#');
                if root.pointer(pointer).is_none() {
                    problems.push(format!("{at}: $ref {target} names nothing"));
                }
            }
            if at.ends_with("/responses") || at == "/components/responses" {
                for (status, response) in map {
                    let described = response.get("$ref").is_some()
                        || response["description"]
                            .as_str()
                            .is_some_and(|d| !d.is_empty());
                    if !described {
                        problems.push(format!("{at}/{status}: no description"));
                    }
                }
            }
            for (key, inner) in map {
                check_document(root, &format!("{at}/{key}"), inner, problems);
            }
        }
        Value::Array(items) => {
            for (index, inner) in items.iter().enumerate() {
                check_document(root, &format!("{at}/{index}"), inner, problems);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn every_reference_resolves_and_every_response_is_described() {
    let app = spawn_app().await;
    let contract = served_contract(&app).await;
    let mut problems = Vec::new();
    check_document(&contract, "", &contract, &mut problems);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[tokio::test]
async fn every_operation_needs_the_bearer_token_and_says_what_it_answers() {
    let app = spawn_app().await;
    let contract = served_contract(&app).await;
    assert_eq!(
        contract["components"]["securitySchemes"]["bearer"],
        json!({"type": "http", "scheme": "bearer", "description": "An API client's token, shown once when it is issued."})
    );
    assert_eq!(contract["security"], json!([{"bearer": []}]));
    let operations = operations(&contract);
    assert!(operations.len() >= 21, "{operations:?}");
    let mut ids = std::collections::BTreeSet::new();
    for (method, path) in &operations {
        let operation = &contract["paths"][path][method.to_lowercase()];
        let responses = operation["responses"].as_object().unwrap();
        let has = |status: &str| responses.contains_key(status);
        assert!(has("401"), "{method} {path}: 401");
        assert!(has("429"), "{method} {path}: 429");
        assert!(
            responses.keys().any(|s| s.starts_with('2')),
            "{method} {path}: a success"
        );
        assert_eq!(has("404"), path.contains('{'), "{method} {path}: 404");
        assert_eq!(
            has("413"),
            operation.get("requestBody").is_some(),
            "{method} {path}: 413 exactly where a body is read"
        );
        let takes_if_match = operation["parameters"].as_array().is_some_and(|ps| {
            ps.iter()
                .any(|p| p["in"] == "header" && p["name"] == "If-Match")
        });
        assert_eq!(
            has("412"),
            takes_if_match,
            "{method} {path}: 412 exactly with If-Match"
        );
        if matches!(
            (method.as_str(), path.as_str()),
            ("PATCH" | "DELETE", "/users/{id}" | "/user-connectors/{id}")
        ) {
            assert!(takes_if_match, "{method} {path}: If-Match");
        }
        let has_query = operation["parameters"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
        assert_eq!(
            has("414"),
            has_query,
            "{method} {path}: 414 exactly where a query string is read"
        );
        assert!(
            operation["summary"].as_str().is_some_and(|s| !s.is_empty()),
            "{method} {path}: a summary"
        );
        let id = operation["operationId"].as_str().unwrap().to_string();
        assert!(ids.insert(id.clone()), "operationId {id} twice");
    }
}

/// The contract and the routes come from one list: every operation it names is served
/// (without a token: 401 in the error body, never 404 or 405), and a method it does not name
/// is 405.
#[tokio::test]
async fn every_operation_of_the_contract_is_served() {
    let app = spawn_app().await;
    let contract = served_contract(&app).await;
    let client = reqwest::Client::new();
    for (method, path) in operations(&contract) {
        let url = app.url(&format!(
            "/api/v1{}",
            path.replace("{id}", &uuid::Uuid::now_v7().to_string())
        ));
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let response = client.request(method.clone(), &url).send().await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{method} {path}"
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unauthenticated", "{method} {path}");
    }
    let response = client.put(app.url("/api/v1/users")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
}

/// `/api/docs` serves the reference page and everything it loads from this server: it works
/// with no internet.
#[tokio::test]
async fn the_reference_page_loads_nothing_from_elsewhere() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let page = client.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    let mut assets = Vec::new();
    for attribute in ["src=\"", "href=\""] {
        for piece in html.split(attribute).skip(1) {
            assets.push(piece.split('"').next().unwrap().to_string());
        }
    }
    assert!(assets.len() >= 3, "{assets:?}");
    for asset in &assets {
        assert!(!asset.contains("//"), "{asset} is loaded from another host");
        let response = client
            .get(app.url(&format!("/api/docs/{}", asset.trim_start_matches("./"))))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{asset}");
    }
    let initializer = client
        .get(app.url("/api/docs/swagger-initializer.js"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        initializer.contains("/api/v1/openapi.json"),
        "{initializer}"
    );
}

/// What changes from run to run (ids, times, request ids) is replaced by its kind.
fn stable(mut value: Value) -> Value {
    fn walk(value: &mut Value) {
        match value {
            Value::Object(map) => {
                for (key, inner) in map.iter_mut() {
                    match (key.as_str(), &inner) {
                        ("id" | "_id" | "request_id", Value::String(_)) => {
                            *inner = json!(format!("[{key}]"))
                        }
                        ("created_at" | "updated_at", Value::String(_)) => *inner = json!("[time]"),
                        _ => walk(inner),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut value);
    value
}

/// Representative answers, successes and errors, in one snapshot per case.
#[tokio::test]
async fn representative_answers_match_their_snapshots() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let outlet = app.outlet_id("HB-001").await;
    let cook = app.role_id("harbor", "Staff").await;
    let created = app
        .api_post(
            "/user-connectors",
            &token,
            json!({"email": "snap.shot@example.com", "first_name": "Snap", "last_name": "Shot",
                   "role": cook, "outlet": outlet}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let user_id = created.body["user"]["id"].as_str().unwrap().to_string();
    let cases: Vec<(&str, Reply)> = vec![
        ("connector_created", created),
        (
            "user",
            app.api_get(&format!("/users/{user_id}"), &token).await,
        ),
        (
            "invalid_field",
            app.api_post(
                "/user-connectors",
                &token,
                json!({"email": "not an address", "role": cook}),
            )
            .await,
        ),
        (
            "unknown_parameter",
            app.api_get("/user-connectors?colour=blue", &token).await,
        ),
        (
            "not_found",
            app.api_get(&format!("/users/{}", uuid::Uuid::now_v7()), &token)
                .await,
        ),
        (
            "unauthenticated",
            app.api_get("/users", "not-a-token").await,
        ),
    ];
    for (name, reply) in cases {
        insta::assert_json_snapshot!(
            format!("answer_{name}"),
            json!({"status": reply.status.as_u16(), "body": stable(reply.body)})
        );
    }
}

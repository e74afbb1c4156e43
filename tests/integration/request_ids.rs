//! Request ids: on every response, in every error body of the API and of server functions,
//! and on every log line of the request (text or JSON logs).

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::Value;

fn id_of(response: &reqwest::Response) -> String {
    response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_has_an_id_and_a_safe_incoming_one_is_kept() {
    let app = spawn_app().await;
    for path in ["/login", "/health/live", "/api/v1/outlets", "/no-such-page"] {
        let response = app.get(path).await;
        let id = id_of(&response);
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "{path}: {id}");
    }
    let cases = [
        ("lb-7f3a.42_x", true),
        ("two words", false),
        ("<script>", false),
    ];
    for (sent, kept) in cases {
        let response = app
            .client
            .get(app.url("/health/live"))
            .header("x-request-id", sent)
            .send()
            .await
            .unwrap();
        assert_eq!(id_of(&response) == sent, kept, "{sent:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_and_server_function_errors_carry_the_request_id() {
    let app = spawn_app().await;
    let refused = app.get("/api/v1/outlets").await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let id = id_of(&refused);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["request_id"], id.as_str(), "{body}");
    assert_eq!(body["error"]["code"], "unauthenticated", "{body}");

    let wrong = app.sign_in(ADMIN, "not-the-password").await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let id = id_of(&wrong);
    let body: Value = wrong.json().await.unwrap();
    let error = body.as_object().unwrap().values().next().unwrap();
    assert_eq!(error["request_id"], id.as_str(), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_are_one_object_per_line_and_carry_the_request_id() {
    use tokio::io::AsyncBufReadExt;
    let dir = tempfile::tempdir().unwrap();
    let database_url = fresh_database(&dir).await;
    let (mut server, address) = serve_binary(
        &dir,
        &database_url,
        &[
            ("BRIGADE_LOG_FORMAT", "json"),
            ("RUST_LOG", "warn,tower_http=debug"),
        ],
        std::process::Stdio::piped(),
    )
    .await;
    let response = reqwest::Client::new()
        .get(format!("http://{address}/api/v1/outlets"))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let mut lines = tokio::io::BufReader::new(server.stderr.take().unwrap()).lines();
    let found = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            let entry: Value = serde_json::from_str(&line)
                .unwrap_or_else(|_| panic!("a log line is not JSON: {line}"));
            if entry["spans"]
                .as_array()
                .is_some_and(|spans| spans.iter().any(|s| s["request_id"] == "trace-me-42"))
            {
                return entry;
            }
        }
        panic!("no log line of the request");
    })
    .await
    .expect("the request's log line comes");
    assert!(
        found["timestamp"].is_string() && found["level"].is_string(),
        "{found}"
    );
    server.kill().await.unwrap();
}

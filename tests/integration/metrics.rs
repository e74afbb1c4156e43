//! Prometheus metrics on their own listener: requests by route template (never the raw path),
//! latency, the database pool, sign-in failures and throttling, mail.

use crate::helpers::*;
use reqwest::StatusCode;

async fn scrape(address: std::net::SocketAddr) -> String {
    let response = reqwest::get(format!("http://{address}/metrics"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_counted_by_route_template_on_the_metrics_listener_only() {
    let app = spawn_app_with(|config| {
        config.metrics_addr = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    let metrics = app.metrics_address.expect("a metrics listener");
    let token = app.api_token("harbor", "Integration", None).await;
    let ids = [
        app.connector_of("lena.moreau@harbor.example").await,
        app.connector_of("jules.martin@harbor.example").await,
    ];
    for id in ids {
        let reply = app.api_get(&format!("/user-connectors/{id}"), &token).await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    app.sign_in(MANAGER, "not-the-password").await;

    let text = scrape(metrics).await;
    let series = r#"brigade_http_requests_total{method="GET",route="/api/v1/user-connectors/{id}",status="200"}"#;
    let line = text
        .lines()
        .find(|line| line.starts_with(series))
        .unwrap_or_else(|| panic!("{series} in:\n{text}"));
    let count: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(count >= 2.0, "both ids counted in one series: {line}");
    for id in ids {
        assert!(!text.contains(&id.to_string()), "no series holds an id");
    }
    for expected in [
        r#"brigade_http_request_duration_seconds_bucket{method="GET",route="/api/v1/user-connectors/{id}""#,
        r#"brigade_db_pool_connections{state="idle"}"#,
        r#"brigade_db_pool_connections{state="in_use"}"#,
        "brigade_sign_in_failures_total",
    ] {
        assert!(text.contains(expected), "{expected} in:\n{text}");
    }
    // Nothing of it on the public port, even signed in.
    app.sign_in_as(ADMIN).await;
    assert_eq!(app.get("/metrics").await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_metrics_address_there_is_no_metrics_listener() {
    let app = spawn_app().await;
    assert!(app.metrics_address.is_none());
    app.sign_in_as(ADMIN).await;
    assert_eq!(app.get("/metrics").await.status(), StatusCode::NOT_FOUND);
}

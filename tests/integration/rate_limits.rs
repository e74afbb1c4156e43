//! API rate limits: per API client, and per address without a valid token; counted in the
//! database, so two servers share one count; every counted answer says where the caller
//! stands, and past the limit it is 429 with `Retry-After`.

use crate::helpers::*;
use brigade::service::rate_limits::RateLimits;
use reqwest::StatusCode;

/// The counts are per one-minute window: start with enough of this minute left that a test's
/// few requests all fall in one window.
async fn with_time_left_in_the_minute() {
    let second = time::OffsetDateTime::now_utc().second();
    if second >= 50 {
        tokio::time::sleep(std::time::Duration::from_secs(u64::from(61 - second))).await;
    }
}

fn limits(per_client: u32, per_address: u32) -> impl FnOnce(&mut brigade::server::Config) {
    move |config| {
        config.rate_limits = RateLimits {
            per_client,
            per_address,
            per_scim_connection: 1_000_000,
        }
    }
}

struct Counted {
    status: StatusCode,
    limit: Option<u32>,
    remaining: Option<u32>,
    reset: Option<u64>,
    retry_after: Option<u64>,
    code: Option<String>,
}

async fn call(app: &TestApp, token: &str) -> Counted {
    let response = reqwest::Client::new()
        .get(app.url("/api/v1/outlets"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let number = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap().parse::<u64>().unwrap())
    };
    let (limit, remaining) = (number("ratelimit-limit"), number("ratelimit-remaining"));
    let (reset, retry_after) = (number("ratelimit-reset"), number("retry-after"));
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap();
    Counted {
        status,
        limit: limit.map(|n| n as u32),
        remaining: remaining.map(|n| n as u32),
        reset,
        retry_after,
        code: body["error"]["code"].as_str().map(str::to_string),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_client_past_its_limit_gets_429_and_when_to_retry_while_others_go_on() {
    let app = spawn_app_with(limits(3, 100)).await;
    let token = app.api_token("harbor", "Integration", None).await;
    let other = app.api_token("harbor", "Integration", None).await;
    with_time_left_in_the_minute().await;
    for remaining in [2, 1, 0] {
        let answer = call(&app, &token).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!((answer.limit, answer.remaining), (Some(3), Some(remaining)));
        assert!(answer.reset.is_some_and(|s| (1..=60).contains(&s)));
        assert_eq!(answer.retry_after, None);
    }
    let refused = call(&app, &token).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.code.as_deref(), Some("too_many_requests"));
    assert_eq!((refused.limit, refused.remaining), (Some(3), Some(0)));
    assert!(refused.retry_after.is_some_and(|s| s >= 1));
    assert_eq!(refused.retry_after, refused.reset);
    // Another client of the same organization has its own count.
    let answer = call(&app, &other).await;
    assert_eq!((answer.status, answer.remaining), (StatusCode::OK, Some(2)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_valid_token_an_address_is_limited_so_tokens_cannot_be_guessed_fast() {
    let app = spawn_app_with(limits(100, 2)).await;
    let token = app.api_token("harbor", "Integration", None).await;
    with_time_left_in_the_minute().await;
    for remaining in [1, 0] {
        let answer = call(&app, "not-a-token").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert_eq!((answer.limit, answer.remaining), (Some(2), Some(remaining)));
    }
    let refused = call(&app, "another-guess").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.retry_after.is_some_and(|s| s >= 1));
    // A client with a valid token is counted as itself, not as its address.
    let answer = call(&app, &token).await;
    assert_eq!((answer.status, answer.limit), (StatusCode::OK, Some(100)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_database_share_one_count() {
    let one = spawn_app_with(limits(4, 100)).await;
    let two = spawn_configured(&one.database_url, &one.dir, limits(4, 100)).await;
    let token = one.api_token("harbor", "Integration", None).await;
    with_time_left_in_the_minute().await;
    let mut statuses = Vec::new();
    for server in [&one, &two, &one, &two, &one] {
        statuses.push(call(server, &token).await.status);
    }
    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_writes_the_shared_count_once_a_block_not_once_a_request() {
    let app = spawn_app_with(limits(1200, 100)).await;
    let token = app.api_token("harbor", "Integration", None).await;
    with_time_left_in_the_minute().await;
    for remaining in (1100..1200).rev() {
        let answer = call(&app, &token).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.remaining, Some(remaining), "each request counts one");
    }
    let stored = app
        .count("SELECT MAX(count) FROM api_request_counts WHERE key LIKE 'client:%'")
        .await;
    assert_eq!(
        stored, 120,
        "five blocks of 24 taken: five writes for 100 requests"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_shares_the_blocks_it_takes_instead_of_each_request_taking_one() {
    // Blocks of 10: were each of 64 simultaneous requests to take its own block, they would
    // take 640 numbers of a limit of 500 and be refused.
    let app = spawn_app_with(limits(500, 100)).await;
    let token = app.api_token("harbor", "Integration", None).await;
    with_time_left_in_the_minute().await;
    let answers = futures_util::future::join_all((0..64).map(|_| call(&app, &token))).await;
    assert!(
        answers.iter().all(|answer| answer.status == StatusCode::OK),
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    let stored = app
        .count("SELECT MAX(count) FROM api_request_counts WHERE key LIKE 'client:%'")
        .await;
    assert!(stored <= 70, "blocks taken as needed: {stored}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scim_connection_past_its_limit_gets_a_scim_429_while_other_connections_go_on() {
    // The default leaves an identity provider room: Entra ID sends up to 25 requests a second.
    let per_minute = RateLimits::default().per_scim_connection;
    assert!(per_minute >= 25 * 60 * 4, "{per_minute} a minute");
    let app = spawn_app_with(|config| {
        config.rate_limits = RateLimits {
            per_client: 1_000_000,
            per_address: 1_000_000,
            per_scim_connection: 3,
        }
    })
    .await;
    let connection = app.scim_connection("harbor", None, None).await;
    let other = app.scim_connection("harbor", None, None).await;
    with_time_left_in_the_minute().await;
    let get = |token: String| {
        let app = &app;
        async move {
            reqwest::Client::new()
                .get(app.url("/scim/v2/Users?count=1"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
        }
    };
    for _ in 0..3 {
        assert_eq!(get(connection.clone()).await.status(), StatusCode::OK);
    }
    let refused = get(connection.clone()).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(
        refused.headers()["content-type"],
        "application/scim+json",
        "a SCIM client reads a SCIM error"
    );
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(
        body["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );
    assert_eq!(body["status"], "429");
    assert_eq!(get(other).await.status(), StatusCode::OK);
}

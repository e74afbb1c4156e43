//! Several app servers on one database (PostgreSQL behind a load balancer, in production):
//! nothing that decides a request lives in one server's memory. Each test starts two servers
//! on the same database and sends a client's requests to both.

use crate::helpers::*;
use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::json;

/// Two servers on one fresh database with the demo data.
async fn two_servers() -> (TestApp, TestApp) {
    let one = spawn_app().await;
    let two = spawn_on(&one.database_url, &one.dir).await;
    (one, two)
}

/// `path` on `server`, with `client`'s cookies (cookies do not tell ports apart, so one
/// client's session goes to both servers, as behind a load balancer).
async fn status_on(client: &reqwest::Client, server: &TestApp, path: &str) -> StatusCode {
    client.get(server.url(path)).send().await.unwrap().status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_made_on_one_server_works_on_the_other_and_a_sign_out_ends_it_on_both() {
    let (one, two) = two_servers().await;
    one.sign_in_as(MANAGER).await;
    assert_eq!(status_on(&one.client, &two, "/users").await, StatusCode::OK);

    let signed_out = one
        .client
        .post(two.url("/rpc/logout"))
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert!(signed_out.status().is_success() || signed_out.status().is_redirection());
    for server in [&one, &two] {
        assert_eq!(
            status_on(&one.client, server, "/users").await,
            StatusCode::SEE_OTHER,
            "signed out on every server"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deactivation_or_a_revocation_on_one_server_is_refused_at_once_on_the_other() {
    let (one, two) = two_servers().await;
    let admin_token = one.api_token("harbor", "Integration", None).await;
    two.sign_in_as(MANAGER).await;
    assert_eq!(status_on(&two.client, &two, "/users").await, StatusCode::OK);

    // Deactivated through the first server: the second ends the session at its next request.
    let path = format!("/users/{}", one.user_id(MANAGER).await);
    let off = one
        .api_patch(&path, &admin_token, json!({"inactive": true}))
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    assert_eq!(
        status_on(&two.client, &two, "/users").await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        two.sign_in(MANAGER, DEMO_PASSWORD).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "and cannot sign in again there"
    );

    // A token revoked through the first server is refused by the second at once.
    let token = one.api_token("harbor", "Integration", None).await;
    assert_eq!(two.api_get("/outlets", &token).await.status, StatusCode::OK);
    let id: uuid::Uuid = one
        .query("SELECT id FROM api_tokens ORDER BY id DESC LIMIT 1")
        .scalar()
        .await
        .unwrap();
    one.revoke_token(&id.to_string()).await;
    assert_eq!(
        two.api_get("/outlets", &token).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_sign_ins_count_across_both_servers() {
    let (one, two) = two_servers().await;
    // Ten failures, alternating between the servers, reach the limit one server alone has.
    for n in 0..10 {
        let server = if n % 2 == 0 { &one } else { &two };
        let wrong = server.sign_in(MANAGER, "not-the-password").await;
        assert_eq!(
            wrong.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "failure {n}"
        );
    }
    for server in [&one, &two] {
        assert_eq!(
            server.sign_in(MANAGER, DEMO_PASSWORD).await.status(),
            StatusCode::TOO_MANY_REQUESTS
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_concurrent_writes_split_over_both_servers_lose_nothing() {
    const WRITES: usize = 64;
    let (one, two) = two_servers().await;
    let token = one.api_token("harbor", "Integration", None).await;
    let staff = one.role_id("harbor", "Staff").await;
    let pier = one.outlet_id("HB-001").await;
    let events_before = one.count("SELECT COUNT(*) FROM audit_events").await;

    let answers = futures_util::stream::iter(0..WRITES)
        .map(|n| {
            let server = if n % 2 == 0 { &one } else { &two };
            let token = &token;
            async move {
                server
                    .api_post(
                        "/user-connectors",
                        token,
                        json!({ "email": format!("split{n}@harbor.example"), "role": staff, "outlet": pier }),
                    )
                    .await
            }
        })
        .buffer_unordered(WRITES)
        .collect::<Vec<_>>()
        .await;

    for answer in &answers {
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    }
    assert_eq!(
        one.count("SELECT COUNT(*) FROM user_accounts WHERE email LIKE 'split%'")
            .await,
        WRITES as i64
    );
    assert_eq!(
        two.count(
            "SELECT COUNT(*) FROM user_connectors c JOIN memberships m ON m.id = c.membership_id
             JOIN user_accounts a ON a.id = m.user_id WHERE a.email LIKE 'split%'"
        )
        .await,
        WRITES as i64
    );
    assert_eq!(
        one.count("SELECT COUNT(*) FROM audit_events").await,
        events_before + WRITES as i64,
        "one audit event per write"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_mail_goes_out_once_when_both_servers_deliver_at_the_same_time() {
    let (one, two) = two_servers().await;
    for n in 0..5 {
        one.query(
            "INSERT INTO mail_queue (id, recipient, subject, body, created_at)
             VALUES ($1, $2, 'Waiting', 'Hello', '2000-01-01T00:00:00.000Z')",
        )
        .bind(uuid::Uuid::now_v7())
        .bind(format!("waiting{n}@harbor.example"))
        .execute()
        .await
        .unwrap();
    }
    // (Each server's own housekeeping may be delivering too: it began when it started.)
    tokio::join!(
        brigade::service::housekeeping(&one.context),
        brigade::service::housekeeping(&two.context),
    );
    for _ in 0..100 {
        let unsent = one
            .count("SELECT COUNT(*) FROM mail_queue WHERE sent_at IS NULL")
            .await;
        if unsent == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(one.outbox().len(), 5, "each message once");
}

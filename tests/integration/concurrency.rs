//! Concurrent writes through the API: every one is answered (no 5xx, no "database is
//! locked"), and the database agrees with every answer.

use crate::helpers::*;
use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::json;

const CHAINS: usize = 64;
const AT_ONCE: usize = 32;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_moves_and_revokes_all_succeed_and_agree_with_the_database() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let staff = app.role_id("harbor", "Staff").await;
    let pier = app.outlet_id("HB-001").await;
    let market = app.outlet_id("HB-002").await;
    let events_before = app.count("SELECT COUNT(*) FROM audit_events").await;

    // Each chain creates a person's access, moves it, and (every other chain) revokes it.
    let chains = futures_util::stream::iter(0..CHAINS)
        .map(|n| {
            let (app, token) = (&app, &token);
            async move {
                let mut statuses = Vec::new();
                let email = format!("rush{n}@harbor.example");
                let created = app
                    .api_post(
                        "/user-connectors",
                        token,
                        json!({ "email": email, "role": staff, "outlet": pier }),
                    )
                    .await;
                statuses.push(created.status);
                let id = created.body["id"].as_str().unwrap_or_default().to_string();
                let moved = app
                    .api_patch(
                        &format!("/user-connectors/{id}"),
                        token,
                        json!({ "outlet": market }),
                    )
                    .await;
                statuses.push(moved.status);
                let kept = n % 2 == 1;
                if !kept {
                    statuses.push(
                        app.api_delete(&format!("/user-connectors/{id}"), token)
                            .await
                            .status,
                    );
                }
                (email, id, kept, statuses)
            }
        })
        .buffer_unordered(AT_ONCE)
        .collect::<Vec<_>>()
        .await;

    let mut writes = 0;
    for (email, id, kept, statuses) in &chains {
        let expected: &[StatusCode] = if *kept {
            &[StatusCode::CREATED, StatusCode::OK]
        } else {
            &[StatusCode::CREATED, StatusCode::OK, StatusCode::NO_CONTENT]
        };
        assert_eq!(statuses, expected, "{email}");
        writes += statuses.len() as i64;
        let outlet: Option<String> = app.query(
            "SELECT o.number FROM user_connectors c JOIN outlets o ON o.id = c.outlet_id WHERE c.id = $1",
        )
        .bind(uuid::Uuid::parse_str(id).unwrap())
        .scalar_optional()
        .await
        .unwrap();
        assert_eq!(outlet.as_deref(), kept.then_some("HB-002"), "{email}");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM user_accounts WHERE email LIKE 'rush%'")
            .await,
        CHAINS as i64
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events").await,
        events_before + writes,
        "one audit event per answered write"
    );
}

//! Sign-in events: every sign-in and failed attempt is audited in each organization of the
//! person, with its method, client address and browser; the own page lists recent sign-ins and
//! the sessions still going, each of which the person can end.

use crate::helpers::*;
use reqwest::{Client, StatusCode};
use serde_json::Value;

const AGENT: &str = "Mozilla/5.0 (Brigade test) Chrome/130";

async fn sign_in_with_agent(
    app: &TestApp,
    client: &Client,
    email: &str,
    password: &str,
) -> StatusCode {
    client
        .post(app.url("/rpc/login"))
        .header("Accept", "application/json")
        .header("User-Agent", AGENT)
        .form(&[("identifier", email), ("password", password)])
        .send()
        .await
        .unwrap()
        .status()
}

async fn events(app: &TestApp, action: &str) -> Vec<Value> {
    let rows: Vec<String> = app
        .query("SELECT after_json FROM audit_events WHERE action = $1 ORDER BY id")
        .bind(action)
        .scalars()
        .await
        .unwrap();
    rows.iter()
        .map(|text| serde_json::from_str(text).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ins_and_failures_are_audited_in_each_organization_with_method_address_and_browser() {
    let app = spawn_app().await;
    let client = browser();
    assert_eq!(
        sign_in_with_agent(&app, &client, ADMIN, "not-the-password").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Nobody's account: nothing to audit, and nowhere to audit it.
    sign_in_with_agent(&app, &client, "nobody@harbor.example", "not-the-password").await;
    let failed = events(&app, "user_account.sign_in_failed").await;
    assert_eq!(
        failed.len(),
        2,
        "Harbor and Northside, the admin's organizations"
    );
    assert_eq!(failed[0]["method"], "password");
    assert_eq!(failed[0]["client_address"], "127.0.0.1");
    assert_eq!(failed[0]["user_agent"], AGENT);

    assert_eq!(
        sign_in_with_agent(&app, &client, ADMIN, DEMO_PASSWORD).await,
        StatusCode::OK
    );
    let signed_in = events(&app, "user_account.signed_in").await;
    assert_eq!(signed_in.len(), 2);
    assert_eq!(signed_in[0]["method"], "password");
    assert_eq!(signed_in[0]["user_agent"], AGENT);
    let organizations: i64 = app
        .query("SELECT COUNT(DISTINCT organization_id) FROM audit_events WHERE action = 'user_account.signed_in'")
        .scalar()
        .await
        .unwrap();
    assert_eq!(organizations, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_own_page_lists_sessions_and_ending_one_signs_it_out_at_its_next_request() {
    let app = spawn_app().await;
    let (here, there) = (browser(), browser());
    sign_in_with_agent(&app, &here, ADMIN, DEMO_PASSWORD).await;
    sign_in_with_agent(&app, &there, ADMIN, DEMO_PASSWORD).await;
    let (status, list) = app.rpc_from(&here, "my_sign_ins", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let list = list.as_array().unwrap().clone();
    assert_eq!(list.len(), 2);
    assert!(
        list.iter()
            .all(|s| s["active"] == true && s["user_agent"] == AGENT)
    );
    let current: Vec<_> = list.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    let mine = current[0]["id"].as_str().unwrap().to_string();
    let other = list.iter().find(|s| s["current"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Its own session is signed out, not ended from the list; another person's is not found.
    let (status, _) = app.rpc_from(&here, "end_session", &[("id", &mine)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let stranger = browser();
    sign_in_with_agent(&app, &stranger, NORTHSIDE_OWNER, DEMO_PASSWORD).await;
    let (status, _) = app
        .rpc_from(&stranger, "end_session", &[("id", &other)])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        there.get(app.url("/users")).send().await.unwrap().status(),
        StatusCode::OK
    );

    let (status, _) = app.rpc_from(&here, "end_session", &[("id", &other)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        there.get(app.url("/users")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        here.get(app.url("/users")).send().await.unwrap().status(),
        StatusCode::OK
    );
    let (_, list) = app.rpc_from(&here, "my_sign_ins", &[]).await;
    let ended = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == other.as_str())
        .unwrap()
        .clone();
    assert_eq!(ended["active"], false);
    assert_eq!(events(&app, "user_account.session_ended").await.len(), 1);

    // "End my other sessions" ends the rest, and the list says so.
    let third = browser();
    sign_in_with_agent(&app, &third, ADMIN, DEMO_PASSWORD).await;
    let (status, _) = app.rpc_from(&here, "end_other_sessions", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = app.rpc_from(&here, "my_sign_ins", &[]).await;
    let active: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["active"] == true)
        .collect();
    assert_eq!(active.len(), 1);
    assert_eq!(active[0]["current"], true);

    // Signing out ends the session's sign-in.
    app.rpc_from(&here, "logout", &[]).await;
    let ended: i64 = app
        .query("SELECT COUNT(*) FROM sign_ins WHERE ended_at IS NOT NULL")
        .scalar()
        .await
        .unwrap();
    assert_eq!(
        ended, 3,
        "the one ended from the list, the one ended with the others, the one signed out"
    );
}

//! API clients issued from the console (Security & Permissions): the token shown once works
//! at once, its use is recorded, revoking it takes effect on the next request; the console
//! and `brigade token create` make the same thing; the rules hold when called directly.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::Value;

async fn issue(app: &TestApp, name: &str, role: &str, outlet: &str) -> (StatusCode, Value) {
    app.rpc(
        "issue_api_client",
        &[("name", name), ("role", role), ("outlet", outlet)],
    )
    .await
}

async fn clients(app: &TestApp) -> Vec<Value> {
    let (status, body) = app.rpc("api_clients", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["clients"].as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_issues_a_client_that_works_at_once_and_stops_when_revoked() {
    let app = spawn_app().await;
    app.api_token("harbor", "Viewer", None).await; // from the command line
    app.sign_in_as(ADMIN).await;
    let (_, page) = app.page("/security").await;
    assert!(
        page.contains("/security?tab=clients"),
        "the tab for who issues clients"
    );
    let integration = app.role_id("harbor", "Integration").await.to_string();
    let (status, issued) = issue(&app, "POS sync", &integration, "").await;
    assert_eq!(status, StatusCode::OK, "{issued}");
    let token = issued["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("brg_"));

    let listed = clients(&app).await;
    assert_eq!(listed.len(), 2);
    let pos = &listed[0];
    assert_eq!(pos["name"], "POS sync");
    assert_eq!(pos["role"], "Integration");
    assert_eq!(pos["created_by"], "Avery Lindqvist");
    assert_eq!(pos["last_used_at"], Value::Null);
    assert_eq!(
        listed[1]["created_by"],
        Value::Null,
        "the command line's client"
    );
    assert!(
        !listed.iter().any(|c| c.to_string().contains(&token)),
        "the secret is never listed"
    );

    let me = app.api_get("/me", &token).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["login"], "POS sync");
    assert!(
        clients(&app).await[0]["last_used_at"].is_string(),
        "use is recorded"
    );

    let (status, body) = app
        .rpc("revoke_api_client", &[("id", pos["id"].as_str().unwrap())])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        app.api_get("/me", &token).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(clients(&app).await[0]["revoked_at"].is_string());
    let events = app
        .count("SELECT COUNT(*) FROM audit_events WHERE action IN ('api_token.created', 'api_token.revoked') AND via = 'console'")
        .await;
    assert_eq!(events, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_gets_an_api_role_or_one_its_issuer_holds_and_never_more() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let viewer = app.role_id("harbor", "Viewer").await.to_string();
    let owner = app.role_id("harbor", "Owner").await.to_string();
    let staff = app.role_id("harbor", "Staff").await.to_string();
    let pier = app.outlet_id("HB-001").await.to_string();
    let before = app.count("SELECT COUNT(*) FROM api_tokens").await;

    let cases = [
        (
            "a role neither api nor held",
            viewer.as_str(),
            "",
            StatusCode::FORBIDDEN,
            "role_not_allowed",
        ),
        (
            "an outlet role without its outlet",
            staff.as_str(),
            "",
            StatusCode::UNPROCESSABLE_ENTITY,
            "outlet",
        ),
        (
            "a library role at an outlet",
            owner.as_str(),
            pier.as_str(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "outlet",
        ),
        (
            "no name",
            owner.as_str(),
            "",
            StatusCode::UNPROCESSABLE_ENTITY,
            "name",
        ),
    ];
    for (case, role, outlet, status, problem) in cases {
        let name = if problem == "name" { " " } else { "client" };
        let (got, body) = issue(&app, name, role, outlet).await;
        assert_eq!(got, status, "{case}: {body}");
        assert!(body.to_string().contains(problem), "{case}: {body}");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM api_tokens").await,
        before,
        "nothing issued"
    );
    let (status, _) = issue(&app, "owner's twin", &owner, "").await;
    assert_eq!(status, StatusCode::OK, "a role the issuer holds");
    let offered: Vec<String> = {
        let (_, body) = app.rpc("api_clients", &[]).await;
        body["roles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(offered.contains(&"Integration".to_string()) && offered.contains(&"Owner".to_string()));
    assert!(!offered.contains(&"Viewer".to_string()), "{offered:?}");

    // Someone who issues clients but holds less than the Integration role cannot give it.
    let issuer = app
        .custom_role(
            "harbor",
            "Token Clerk",
            "L",
            &["api_tokens.manage", "users.view"],
        )
        .await;
    let clerk_email = "clerk@harbor.example";
    let token = app.api_token("harbor", "Integration", None).await;
    app.api_post(
        "/user-connectors",
        &token,
        serde_json::json!({ "email": clerk_email, "role": issuer }),
    )
    .await;
    app.give_password(clerk_email).await;
    let clerk = spawn_on(&app.database_url, &app.dir).await;
    clerk.sign_in_as(clerk_email).await;
    let integration = app.role_id("harbor", "Integration").await.to_string();
    let (status, body) = issue(&clerk, "too much", &integration, "").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body.to_string().contains("role_exceeds_your_permissions"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_organization_cannot_see_or_revoke_a_client() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let integration = app.role_id("harbor", "Integration").await.to_string();
    let (_, issued) = issue(&app, "Harbor POS", &integration, "").await;
    let id = issued["client"]["id"].as_str().unwrap().to_string();
    let token = issued["token"].as_str().unwrap().to_string();

    let northside = spawn_on(&app.database_url, &app.dir).await;
    northside.sign_in_as(NORTHSIDE_OWNER).await;
    assert!(
        clients(&northside)
            .await
            .iter()
            .all(|c| c["name"] != "Harbor POS")
    );
    let (status, _) = northside.rpc("revoke_api_client", &[("id", &id)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.api_get("/me", &token).await.status,
        StatusCode::OK,
        "still works"
    );

    let manager = spawn_on(&app.database_url, &app.dir).await;
    manager.sign_in_as(MANAGER).await;
    let (status, _) = manager.rpc("revoke_api_client", &[("id", &id)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no permission");
}

/// Creates a SCIM connection from the console: its role (at `outlet`, for an outlet role)
/// and where new people start.
async fn connect(
    app: &TestApp,
    name: &str,
    (role, outlet): (&str, &str),
    people: (&str, &str),
) -> (StatusCode, Value) {
    app.rpc(
        "issue_scim_connection",
        &[
            ("name", name),
            ("role", role),
            ("outlet", outlet),
            ("people_role", people.0),
            ("people_outlet", people.1),
        ],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scim_connection_made_in_the_console_provisions_people_where_it_says() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let (_, page) = app.page("/security?tab=scim").await;
    assert!(page.contains("New SCIM connection"), "the tab renders");
    assert!(page.contains("/scim/v2"), "the base URL is shown");
    let integration = app.role_id("harbor", "Integration").await.to_string();
    let staff = app.role_id("harbor", "Staff").await.to_string();
    let (status, issued) = connect(&app, "Okta", (&integration, ""), (&staff, "HB-001")).await;
    assert_eq!(status, StatusCode::OK, "{issued}");
    let token = issued["token"].as_str().unwrap().to_string();

    let (status, tab) = app.rpc("scim_connections", &[]).await;
    assert_eq!(status, StatusCode::OK, "{tab}");
    assert_eq!(tab["clients"].as_array().unwrap().len(), 1);
    let okta = &tab["clients"][0];
    assert_eq!(okta["name"], "Okta");
    assert_eq!(okta["people_start"], "Staff at Harbor Burger Pier 39");
    assert!(tab["scim_url"].as_str().unwrap().ends_with("/scim/v2"));
    assert!(
        clients(&app).await.is_empty(),
        "a SCIM connection is not an API client"
    );
    assert_eq!(
        app.api_get("/me", &token).await.status,
        StatusCode::UNAUTHORIZED,
        "nor does its token open the API"
    );

    let created = app
        .scim(
            reqwest::Method::POST,
            "/Users",
            &token,
            Some(serde_json::json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": "ines.okta@harbor.example",
                "name": { "givenName": "Ines", "familyName": "Okta" },
                "emails": [{ "value": "ines.okta@harbor.example", "primary": true }],
                "active": true
            })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let grants = app
        .count(
            "SELECT COUNT(*) FROM user_connectors c JOIN memberships m ON m.id = c.membership_id \
             JOIN user_accounts a ON a.id = m.user_id \
             JOIN roles r ON r.id = c.role_id JOIN outlets o ON o.id = c.outlet_id \
             WHERE a.email = 'ines.okta@harbor.example' AND r.name = 'Staff' AND o.number = 'HB-001'",
        )
        .await;
    assert_eq!(grants, 1, "new people start where the connection says");

    let (status, body) = app
        .rpc("revoke_api_client", &[("id", okta["id"].as_str().unwrap())])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        app.scim_get("/Users", &token).await.status,
        StatusCode::UNAUTHORIZED,
        "revoked at once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scim_connection_starts_people_only_where_its_issuer_may_grant() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let integration = app.role_id("harbor", "Integration").await.to_string();
    let staff = app.role_id("harbor", "Staff").await.to_string();
    let before = app.count("SELECT COUNT(*) FROM api_tokens").await;
    let cases = [
        (
            "a role without its outlet",
            (staff.as_str(), ""),
            "people_outlet",
        ),
        ("an outlet without its role", ("", "HB-001"), "people_role"),
        (
            "an outlet of no one's",
            (staff.as_str(), "NO-SUCH"),
            "people_outlet",
        ),
    ];
    for (case, people, field) in cases {
        let (status, body) = connect(&app, "IdP", (&integration, ""), people).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{case}: {body}");
        assert!(body.to_string().contains(field), "{case}: {body}");
    }

    // Someone who issues connections across the organization but manages access at one
    // outlet only cannot start people with the owner's role, nor at an outlet they do not
    // manage.
    let token_clerk = app
        .custom_role(
            "harbor",
            "Token Clerk",
            "L",
            &["api_tokens.manage", "users.view"],
        )
        .await
        .to_string();
    let access_clerk = app
        .custom_role(
            "harbor",
            "Access Clerk",
            "O",
            &["users.view", "connectors.manage", "users.manage"],
        )
        .await;
    let clerk_email = "clerk@harbor.example";
    let pier = app.outlet_id("HB-001").await;
    let api = app.api_token("harbor", "Integration", None).await;
    for grant in [
        serde_json::json!({ "email": clerk_email, "role": token_clerk }),
        serde_json::json!({ "email": clerk_email, "role": access_clerk, "outlet": pier }),
    ] {
        let made = app.api_post("/user-connectors", &api, grant).await;
        assert!(made.status.is_success(), "{}", made.body);
    }
    app.give_password(clerk_email).await;
    let clerk = spawn_on(&app.database_url, &app.dir).await;
    clerk.sign_in_as(clerk_email).await;
    let owner = app.role_id("harbor", "Owner").await.to_string();
    for (case, people) in [
        ("a role above the issuer", (owner.as_str(), "HB-001")),
        (
            "an outlet the issuer does not manage",
            (staff.as_str(), "HB-002"),
        ),
    ] {
        let (status, body) = connect(&clerk, "too much", (&token_clerk, ""), people).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{case}: {body}");
        eprintln!("REFUSAL {case}: {body}");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM api_tokens").await,
        before + 1,
        "nothing issued but the test's API token"
    );
    let (status, body) = connect(&clerk, "Entra", (&token_clerk, ""), (&staff, "HB-001")).await;
    assert_eq!(status, StatusCode::OK, "what the clerk may grant: {body}");
}

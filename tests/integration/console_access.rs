//! The console's access changes and the verification link: same service as the API, plus
//! the console-only rule of the API User Permissions setting.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_verification_link_sets_a_password_once() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let staff = app.role_id("harbor", "Staff").await;
    let pier = app.outlet_id("HB-001").await;
    let created = app
        .api_post(
            "/user-connectors",
            &token,
            json!({ "email": "noor@harbor.example", "role": staff, "outlet": pier, "send_verification_email": true }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert!(
        !created.body.to_string().contains("password"),
        "no hash in API output"
    );
    let mails = app.outbox();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].contains("To: noor@harbor.example"));
    let link = verification_link(&mails[0]);
    let secret = link.trim_start_matches("/verify/").to_string();
    let stored: String = app
        .query("SELECT token_hash FROM verification_tokens")
        .scalar()
        .await
        .unwrap();
    assert_ne!(stored, secret, "only a hash is stored");

    let visitor = browser();
    let page = visitor.get(app.url(&link)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK, "the link needs no session");
    assert!(page.text().await.unwrap().contains("noor@harbor.example"));

    let set = |password: &'static str, confirmation: &'static str| {
        let (visitor, url, secret) = (
            visitor.clone(),
            app.url("/rpc/verify_set_password"),
            secret.clone(),
        );
        async move {
            visitor
                .post(url)
                .header("Accept", "application/json")
                .form(&[
                    ("token", secret.as_str()),
                    ("password", password),
                    ("confirmation", confirmation),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let short = set("short", "short").await;
    assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.text().await.unwrap().contains("password"));
    let differ = set("burgers-and-fries", "burgers-and-frie").await;
    assert_eq!(differ.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(differ.text().await.unwrap().contains("confirmation"));
    let done = set("burgers-and-fries", "burgers-and-fries").await;
    assert_eq!(done.status(), StatusCode::OK);
    assert_eq!(done.headers()["location"], "/login?verified=1");

    assert_eq!(
        app.sign_in("noor@harbor.example", "burgers-and-fries")
            .await
            .status(),
        StatusCode::OK
    );
    let again = set("another-password", "another-password").await;
    assert_eq!(again.status(), StatusCode::FORBIDDEN, "the link works once");
    assert_eq!(
        visitor.get(app.url(&link)).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_link_is_refused() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let viewer = app.role_id("harbor", "Viewer").await;
    app.api_post(
        "/user-connectors",
        &token,
        json!({ "email": "late@harbor.example", "role": viewer, "send_verification_email": true }),
    )
    .await;
    let link = verification_link(&app.outbox()[0]);
    let valid_until: String = app
        .query("SELECT expires_at FROM verification_tokens")
        .scalar()
        .await
        .unwrap();
    let in_six_days =
        brigade::store::format_timestamp(time::OffsetDateTime::now_utc() + time::Duration::days(6));
    assert!(valid_until > in_six_days, "valid for 7 days: {valid_until}");
    app.query("UPDATE verification_tokens SET expires_at = '2000-01-01T00:00:00.000Z'")
        .execute()
        .await
        .unwrap();
    assert_eq!(
        browser().get(app.url(&link)).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_changes_use_the_same_rules_and_the_outlet_manager_stays_at_their_outlet() {
    let app = spawn_app().await;
    app.sign_in_as(MANAGER).await;
    let (status, page) = app.rpc("list_connectors", &[]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let results = page["results"].as_array().unwrap();
    assert_eq!(results.len(), 6);
    assert!(
        results
            .iter()
            .all(|e| e["connector"]["outlet"]["number"] == "HB-001")
    );

    let staff = app.role_id("harbor", "Staff").await.to_string();
    let market = app.outlet_id("HB-002").await.to_string();
    let (status, body) = app
        .rpc(
            "add_connector",
            &[
                ("email", "x@harbor.example"),
                ("first_name", ""),
                ("last_name", ""),
                ("role", &staff),
                ("outlet", &market),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let grace_connector: uuid::Uuid = app.connector_of("grace.kim@harbor.example").await;
    let (status, _) = app
        .rpc("revoke_connector", &[("id", &grace_connector.to_string())])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let pier = app.outlet_id("HB-001").await.to_string();
    let (status, body) = app
        .rpc(
            "add_connector",
            &[
                ("email", "x@harbor.example"),
                ("first_name", "X"),
                ("last_name", ""),
                ("role", &staff),
                ("outlet", &pier),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let via: String = app
        .query("SELECT via FROM audit_events WHERE action = 'user_connector.created'")
        .scalar()
        .await
        .unwrap();
    assert_eq!(via, "console");
    let managed_by: String = app.query(
        "SELECT m.managed_by FROM memberships m JOIN user_accounts a ON a.id = m.user_id WHERE a.email = 'x@harbor.example'",
    )
    .scalar()
    .await
    .unwrap();
    assert_eq!(managed_by, "console");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_managed_people_follow_the_api_user_permissions_setting_in_the_console() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let jules: uuid::Uuid = app.connector_of("jules.martin@harbor.example").await;
    let manager = app.role_id("harbor", "Outlet Manager").await.to_string();
    let change = [("id", jules.to_string()), ("role", manager.clone())];
    let form: Vec<(&str, &str)> = change.iter().map(|(k, v)| (*k, v.as_str())).collect();

    app.query("UPDATE brands SET console_edits_api_users = FALSE WHERE name = 'Harbor Burger'")
        .execute()
        .await
        .unwrap();
    let (status, body) = app.rpc("change_connector", &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body.to_string().contains("User managed by Harbor Burger"),
        "{body}"
    );
    // The table shows the row locked, with the same reason, and leaves the others open.
    let (_, page) = app
        .rpc("list_connectors", &[("query[email]", "jules.martin")])
        .await;
    let reason = page["results"][0]["change"]["Locked"]
        .as_str()
        .unwrap_or_default();
    assert!(
        reason.starts_with("User managed by Harbor Burger"),
        "{page}"
    );
    let (_, page) = app
        .rpc("list_connectors", &[("query[email]", "ben.osei")])
        .await;
    assert_eq!(page["results"][0]["change"], "Allowed", "{page}");
    // The API may still change them.
    let token = app.api_token("harbor", "Integration", None).await;
    let reply = app
        .api_patch(
            &format!("/user-connectors/{jules}"),
            &token,
            json!({ "role": manager }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

    app.query("UPDATE brands SET console_edits_api_users = TRUE")
        .execute()
        .await
        .unwrap();
    let staff = app.role_id("harbor", "Staff").await.to_string();
    let (status, body) = app
        .rpc(
            "change_connector",
            &[("id", &jules.to_string()), ("role", &staff)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // In a franchisee, a brand-managed person is never edited through the console.
    let northside = spawn_on(&app.database_url, &app.dir).await;
    northside.sign_in_as(NORTHSIDE_OWNER).await;
    let aiden: uuid::Uuid = app.connector_of("aiden.ross@northside.example").await;
    let (status, body) = northside
        .rpc("revoke_connector", &[("id", &aiden.to_string())])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (_, page) = northside.rpc("list_connectors", &[]).await;
    for entry in page["results"].as_array().unwrap() {
        let email = entry["connector"]["user"]["email"].as_str().unwrap();
        if email == "aiden.ross@northside.example" {
            assert!(
                entry["change"]["Locked"]
                    .as_str()
                    .is_some_and(|r| r.contains("only Harbor Burger's API")),
                "{entry}"
            );
        } else if email != NORTHSIDE_OWNER {
            assert_eq!(entry["change"], "Allowed", "{entry}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_access_table_offers_changes_only_where_the_viewer_may_make_them() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    // An Area Manager manages Harbor but is not above its Owner.
    let area = app.role_id("harbor", "Area Manager").await.to_string();
    let admin_connector = app.connector_in("harbor", ADMIN).await;
    let (status, page) = app.rpc("list_connectors", &[]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    for entry in page["results"].as_array().unwrap() {
        if entry["connector"]["id"] == admin_connector.to_string() {
            assert!(
                entry["change"]["Locked"]
                    .as_str()
                    .is_some_and(|r| r.starts_with("This is your own access")),
                "nobody changes their own access: {entry}"
            );
        } else {
            assert_eq!(
                entry["change"], "Allowed",
                "the Owner may change it: {entry}"
            );
        }
    }
    let (status, body) = app
        .rpc("revoke_connector", &[("id", &admin_connector.to_string())])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.to_string().contains("own_access"), "{body}");

    let (status, body) = app
        .rpc(
            "add_connector",
            &[
                ("email", "area@harbor.example"),
                ("first_name", "Ari"),
                ("last_name", "Area"),
                ("role", &area),
                ("outlet", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.query(
        "UPDATE user_accounts SET password_hash = (SELECT password_hash FROM user_accounts WHERE email = $1)
         WHERE email = 'area@harbor.example'",
    )
    .bind(ADMIN)
    .execute()
    .await
    .unwrap();
    let area_manager = spawn_on(&app.database_url, &app.dir).await;
    area_manager.sign_in_as("area@harbor.example").await;
    let (status, page) = area_manager.rpc("list_connectors", &[]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let rows = page["results"].as_array().unwrap();
    let owner_row = rows
        .iter()
        .find(|e| e["connector"]["id"] == admin_connector.to_string())
        .expect("the Owner's row is visible");
    assert!(
        owner_row["change"]["Locked"]
            .as_str()
            .is_some_and(|r| r.starts_with("Owner has permissions you do not hold")),
        "{owner_row}"
    );
    let (status, body) = area_manager
        .rpc("revoke_connector", &[("id", &admin_connector.to_string())])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grant_of_a_role_no_longer_offered_is_left_alone() {
    let app = spawn_app().await;
    // Northside stops being a Harbor Burger franchisee: the brand's roles are no longer
    // offered there, but Hana still holds Burger Crew Trainer at NS-103.
    app.query(
        "DELETE FROM franchisee_brands
         WHERE organization_id = (SELECT id FROM organizations WHERE slug = 'northside')",
    )
    .execute()
    .await
    .unwrap();
    app.sign_in_as(NORTHSIDE_OWNER).await;
    let (status, page) = app
        .rpc("list_connectors", &[("query[email]", "hana.sato")])
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let rows = page["results"].as_array().unwrap();
    let trainer = rows
        .iter()
        .find(|e| e["connector"]["role"]["name"] == "Burger Crew Trainer")
        .expect("the grant is still listed");
    assert_eq!(trainer["change"], "ViewOnly", "{trainer}");
    let manager = rows
        .iter()
        .find(|e| e["connector"]["role"]["name"] == "Outlet Manager")
        .unwrap();
    assert_eq!(manager["change"], "Allowed", "{manager}");

    let token = app.api_token("northside", "Integration", None).await;
    let path = format!(
        "/user-connectors/{}",
        trainer["connector"]["id"].as_str().unwrap()
    );
    let patch = app
        .api_patch(&path, &token, json!({ "first_name": "Hana" }))
        .await;
    assert_eq!(patch.status, StatusCode::FORBIDDEN, "{}", patch.body);
    let delete = app.api_delete(&path, &token).await;
    assert_eq!(delete.status, StatusCode::FORBIDDEN, "{}", delete.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verification_link_sets_a_first_password_and_never_replaces_one() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let viewer = app.role_id("harbor", "Viewer").await;
    let northside = app.api_token("northside", "Integration", None).await;
    let northside_viewer = app.role_id("northside", "Viewer").await;

    // Asking for a link for someone who already has a password sends nothing, from any
    // organization: a link cannot be used to take over an account.
    for (token, role, email) in [
        (&token, viewer, "manager@harbor.example"),
        (&northside, northside_viewer, "manager@harbor.example"),
    ] {
        let reply = app
            .api_post(
                "/user-connectors",
                token,
                json!({ "email": email, "role": role, "send_verification_email": true }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
    assert!(
        app.outbox().is_empty(),
        "no link for an account with a password"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM verification_tokens").await,
        0
    );

    // A link issued before the person had a password stops working once they have one.
    app.api_post(
        "/user-connectors",
        &token,
        json!({ "email": "new@harbor.example", "role": viewer, "send_verification_email": true }),
    )
    .await;
    let link = verification_link(&app.outbox()[0]);
    assert_eq!(
        browser().get(app.url(&link)).send().await.unwrap().status(),
        StatusCode::OK
    );
    app.give_password("new@harbor.example").await;
    assert_eq!(
        browser().get(app.url(&link)).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let (status, body) = app
        .rpc(
            "verify_set_password",
            &[
                ("token", link.trim_start_matches("/verify/")),
                ("password", "taken-over-now"),
                ("confirmation", "taken-over-now"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.to_string().contains("link_unusable"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setting_the_password_checks_the_link_first_and_bounds_the_password() {
    let app = spawn_app().await;
    let set = |token: &'static str, password: String| {
        let app = &app;
        async move {
            let confirmation = password.clone();
            app.rpc(
                "verify_set_password",
                &[
                    ("token", token),
                    ("password", &password),
                    ("confirmation", &confirmation),
                ],
            )
            .await
        }
    };
    let (status, body) = set("no-such-link", "a-fine-password".into()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.to_string().contains("link_unusable"));
    let (status, body) = set("no-such-link", "p".repeat(257)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("\"password\""), "{body}");

    // Setting the first password ends sessions signed in under the account's old version.
    let token = app.api_token("harbor", "Integration", None).await;
    let viewer = app.role_id("harbor", "Viewer").await;
    app.api_post(
        "/user-connectors",
        &token,
        json!({ "email": "fresh@harbor.example", "role": viewer, "send_verification_email": true }),
    )
    .await;
    let link = verification_link(&app.outbox()[0]);
    let secret = link.trim_start_matches("/verify/").to_string();
    let (status, body) = app
        .rpc(
            "verify_set_password",
            &[
                ("token", &secret),
                ("password", "burgers-and-fries"),
                ("confirmation", "burgers-and-fries"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let version: i64 = app
        .query("SELECT session_version FROM user_accounts WHERE email = 'fresh@harbor.example'")
        .scalar()
        .await
        .unwrap();
    assert_eq!(version, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_access_function_refuses_nobody_a_lower_role_and_another_organization() {
    let app = spawn_app().await;
    let grace = app
        .connector_of("grace.kim@harbor.example")
        .await
        .to_string();
    let staff = app.role_id("harbor", "Staff").await.to_string();
    let market = app.outlet_id("HB-002").await.to_string();
    let add: Vec<(&str, &str)> = vec![
        ("email", "new@harbor.example"),
        ("first_name", ""),
        ("last_name", ""),
        ("role", &staff),
        ("outlet", &market),
    ];
    let functions: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("list_connectors", vec![]),
        ("access_options", vec![]),
        ("add_connector", add),
        ("change_connector", vec![("id", &grace), ("role", &staff)]),
        ("revoke_connector", vec![("id", &grace)]),
        (
            "get_person",
            vec![("id", "00000000-0000-0000-0000-000000000000")],
        ),
        ("list_people", vec![("search", ""), ("page", "1")]),
    ];
    // Lena is Staff at Pier 39: no console permission at all.
    app.give_password("lena.moreau@harbor.example").await;
    let lena = spawn_on(&app.database_url, &app.dir).await;
    lena.sign_in_as("lena.moreau@harbor.example").await;
    let northside = spawn_on(&app.database_url, &app.dir).await;
    northside.sign_in_as(NORTHSIDE_OWNER).await;
    let nobody = spawn_on(&app.database_url, &app.dir).await;
    for (function, form) in &functions {
        let (status, body) = nobody.rpc(function, form).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "nobody {function}: {body}"
        );
        let (status, body) = lena.rpc(function, form).await;
        // A connector outside her reach does not exist for her; everything else is refused.
        let expected = match *function {
            "change_connector" | "revoke_connector" => StatusCode::NOT_FOUND,
            _ => StatusCode::FORBIDDEN,
        };
        assert_eq!(status, expected, "a lower role {function}: {body}");
        let (status, body) = northside.rpc(function, form).await;
        let expected = match *function {
            "list_connectors" | "access_options" | "list_people" => StatusCode::OK,
            // Harbor's role and outlet are not Northside's.
            "add_connector" => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::NOT_FOUND,
        };
        assert_eq!(status, expected, "Northside {function}: {body}");
        assert!(
            !body.to_string().contains("grace.kim"),
            "Northside {function}: {body}"
        );
    }
    assert_eq!(
        app.connector_of("grace.kim@harbor.example")
            .await
            .to_string(),
        grace
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_user_permissions_setting_locks_every_external_manager_not_just_the_api() {
    let app = spawn_app().await;
    app.exec("UPDATE memberships SET managed_by = 'scim' WHERE user_id = (SELECT id FROM user_accounts WHERE email = 'jules.martin@harbor.example')")
        .await;
    app.exec("UPDATE brands SET console_edits_api_users = FALSE WHERE name = 'Harbor Burger'")
        .await;
    app.sign_in_as(ADMIN).await;
    let jules = app
        .connector_of("jules.martin@harbor.example")
        .await
        .to_string();
    let (status, body) = app.rpc("revoke_connector", &[("id", &jules)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body.to_string().contains("User managed by Harbor Burger"),
        "{body}"
    );
}

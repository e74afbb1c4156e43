//! Accounts are shared by every organization a person belongs to, and belong to none of
//! them: adding access never changes an account, an organization sees only what it may of
//! someone it did not create, names change only through the edit path, and nobody touches
//! their own access.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The account's names as stored.
async fn stored_names(app: &TestApp, email: &str) -> (String, String, String) {
    app.query("SELECT first_name, last_name, username FROM user_accounts WHERE email = $1")
        .bind(email)
        .fetch_one()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_access_for_an_existing_account_never_changes_it() {
    let app = spawn_app().await;
    let harbor = app.api_token("harbor", "Integration", None).await;
    let northside = app.api_token("northside", "Integration", None).await;
    let harbor_viewer = app.role_id("harbor", "Viewer").await;
    let northside_viewer = app.role_id("northside", "Viewer").await;
    let cases = [
        // (who adds, token, role, email of an existing account)
        (
            "Harbor renaming its own owner",
            &harbor,
            harbor_viewer,
            "dana.whitfield@harbor.example",
        ),
        (
            "Northside renaming Harbor's people",
            &northside,
            northside_viewer,
            "grace.kim@harbor.example",
        ),
        (
            "Northside renaming someone both share",
            &northside,
            northside_viewer,
            ADMIN,
        ),
    ];
    for (name, token, role, email) in cases {
        let before = stored_names(&app, email).await;
        let events_before = app.count("SELECT COUNT(*) FROM audit_events").await;
        let reply = app
            .api_post(
                "/user-connectors",
                token,
                json!({ "email": email.to_uppercase(), "first_name": "Mallory", "last_name": "Renamed", "role": role }),
            )
            .await;
        assert!(
            matches!(reply.status, StatusCode::CREATED | StatusCode::CONFLICT),
            "{name}: {}",
            reply.body
        );
        assert_eq!(
            stored_names(&app, email).await,
            before,
            "{name}: the account is unchanged"
        );
        assert!(!reply.body.to_string().contains("Mallory"), "{name}");
        assert!(
            app.count("SELECT COUNT(*) FROM audit_events").await <= events_before + 1,
            "{name}: at most the grant is audited"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organization_sees_nothing_of_a_person_it_did_not_create_but_the_email_it_gave() {
    let app = spawn_app().await;
    let northside = app.api_token("northside", "Integration", None).await;
    let staff = app.role_id("northside", "Staff").await;
    let northgate = app.outlet_id("NS-101").await;
    let grace = "grace.kim@harbor.example";
    // Harbor knows her by names and a username that her email does not contain.
    app.exec("UPDATE user_accounts SET last_name = 'Hopper', username = 'ghopper' WHERE email = 'grace.kim@harbor.example'")
        .await;
    let created = app
        .api_post(
            "/user-connectors",
            &northside,
            json!({ "email": grace, "role": staff, "outlet": northgate }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let hidden = json!({
        "id": created.body["user"]["id"],
        "email": grace,
        "username": null,
        "first_name": "",
        "last_name": "",
    });
    assert_eq!(
        created.body["user"], hidden,
        "the answer reveals Harbor's data about Grace"
    );

    // Nor does any other path to the same rows: get, list, filter, the console's pages and search.
    let id = created.body["id"].as_str().unwrap();
    let got = app
        .api_get(&format!("/user-connectors/{id}"), &northside)
        .await;
    assert_eq!(got.body["user"], hidden);
    let listed = app.all_connectors(&northside, "&email=grace").await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["user"], hidden);

    app.sign_in_as(NORTHSIDE_OWNER).await;
    let (_, page) = app
        .rpc("list_connectors", &[("query[email]", "grace")])
        .await;
    assert_eq!(page["results"][0]["connector"]["user"], hidden, "{page}");
    let (_, people) = app
        .rpc("list_people", &[("search", "grace.kim"), ("page", "1")])
        .await;
    assert_eq!(people["rows"][0]["name"], grace, "{people}");
    assert_eq!(people["rows"][0]["username"], Value::Null);
    for (fragment, found) in [
        ("Hopper", false),
        ("ghopper", false),
        ("grace.kim@harbor", true),
    ] {
        let expected: Vec<String> = if found { vec![grace.into()] } else { vec![] };
        assert_eq!(
            app.people_emails(fragment).await,
            expected,
            "searching Northside for {fragment:?}"
        );
    }
    // Nor does the order of the list: Ivy Chen's hidden name sorts before Grace Hopper's, but
    // Northside sees two people without names, ordered by the emails it gave.
    app.api_post(
        "/user-connectors",
        &northside,
        json!({ "email": "ivy.chen@harbor.example", "role": staff, "outlet": northgate }),
    )
    .await;
    let (_, people) = app
        .rpc(
            "list_people",
            &[("search", "@harbor.example"), ("page", "1")],
        )
        .await;
    let order: Vec<&str> = people["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["email"].as_str().unwrap())
        .filter(|e| *e == grace || *e == "ivy.chen@harbor.example")
        .collect();
    assert_eq!(order, [grace, "ivy.chen@harbor.example"], "{people}");

    let user = app.user_id(grace).await;
    let (status, record) = app.rpc("get_person", &[("id", &user.to_string())]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (
            &record["first_name"],
            &record["last_name"],
            &record["username"],
            &record["mobile"]
        ),
        (&json!(""), &json!(""), &Value::Null, &Value::Null)
    );
    let (_, html) = app.page(&format!("/users/{user}")).await;
    assert!(
        !html.contains("Hopper") && !html.contains("ghopper"),
        "{html}"
    );

    // Harbor still sees its own data.
    let harbor = app.api_token("harbor", "Integration", None).await;
    let at_harbor = app.all_connectors(&harbor, "&email=grace").await;
    assert_eq!(at_harbor[0]["user"]["last_name"], "Hopper");
    assert_eq!(at_harbor[0]["user"]["username"], "ghopper");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_change_only_through_the_edit_path_by_someone_who_manages_that_person() {
    let app = spawn_app().await;
    app.custom_role(
        "harbor",
        "Payroll Clerk",
        "L",
        &["users.view", "users.manage", "connectors.view"],
    )
    .await;
    let integration = app.api_token("harbor", "Integration", None).await;
    let clerk = app.api_token("harbor", "Payroll Clerk", None).await;
    let viewer = app.api_token("harbor", "Viewer", None).await;
    let pier_manager = app
        .api_token("harbor", "Outlet Manager", Some("HB-001"))
        .await;
    let northside = app.api_token("northside", "Integration", None).await;
    let lena = app
        .connector_in("harbor", "lena.moreau@harbor.example")
        .await;
    let admin = app.connector_in("harbor", ADMIN).await;
    let kai = app
        .connector_in("northside", "kai.turner@harbor.example")
        .await;
    let sam = app.connector_in("harbor", "sam.patel@harbor.example").await;
    let grace = app.connector_in("harbor", "grace.kim@harbor.example").await;
    let cases: [(&str, &String, uuid::Uuid, StatusCode, &str); 7] = [
        (
            "a person of this organization only",
            &integration,
            lena,
            StatusCode::OK,
            "",
        ),
        (
            "someone who also belongs to Northside",
            &integration,
            admin,
            StatusCode::FORBIDDEN,
            "shared_account",
        ),
        (
            "Northside renaming a person Harbor shares",
            &northside,
            kai,
            StatusCode::FORBIDDEN,
            "shared_account",
        ),
        (
            "someone holding a role above the caller's",
            &clerk,
            sam,
            StatusCode::FORBIDDEN,
            "role_exceeds_your_permissions",
        ),
        (
            "without the right to manage people",
            &viewer,
            lena,
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            "an outlet manager, for someone at another outlet",
            &pier_manager,
            grace,
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "an outlet manager, for their own staff",
            &pier_manager,
            lena,
            StatusCode::OK,
            "",
        ),
    ];
    for (name, token, connector, status, code) in cases {
        let before = app.count("SELECT COUNT(*) FROM audit_events").await;
        let reply = app
            .api_patch(
                &format!("/user-connectors/{connector}"),
                token,
                json!({ "first_name": "Renamed" }),
            )
            .await;
        assert_eq!(reply.status, status, "{name}: {}", reply.body);
        if status == StatusCode::OK {
            assert_eq!(reply.body["user"]["first_name"], "Renamed", "{name}");
            assert_eq!(
                app.count("SELECT COUNT(*) FROM audit_events").await,
                before + 1,
                "{name}"
            );
        } else {
            assert_eq!(reply.body["error"]["code"], code, "{name}: {}", reply.body);
            assert_eq!(
                app.count("SELECT COUNT(*) FROM audit_events").await,
                before,
                "{name}"
            );
        }
    }
    for email in [
        ADMIN,
        "kai.turner@harbor.example",
        "sam.patel@harbor.example",
        "grace.kim@harbor.example",
    ] {
        assert_ne!(
            stored_names(&app, email).await.0,
            "Renamed",
            "{email} is unchanged"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_adds_changes_or_removes_their_own_access() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let viewer = app.role_id("harbor", "Viewer").await.to_string();
    let before = app.count("SELECT COUNT(*) FROM user_connectors").await;
    let (status, body) = app
        .rpc(
            "add_connector",
            &[
                ("email", "Admin@Harbor.example"),
                ("first_name", ""),
                ("last_name", ""),
                ("role", &viewer),
                ("outlet", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.to_string().contains("own_access"), "{body}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM user_connectors").await,
        before
    );

    let mine = app.connector_in("harbor", ADMIN).await.to_string();
    for (function, form) in [
        (
            "change_connector",
            vec![("id", mine.as_str()), ("role", viewer.as_str())],
        ),
        ("revoke_connector", vec![("id", mine.as_str())]),
    ] {
        let (status, body) = app.rpc(function, &form).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{function}: {body}");
        assert!(
            body.to_string().contains("own_access"),
            "{function}: {body}"
        );
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM user_connectors").await,
        before
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_consoles_add_form_never_renames_an_existing_account_either() {
    let app = spawn_app().await;
    app.sign_in_as(NORTHSIDE_OWNER).await;
    let staff = app.role_id("northside", "Staff").await.to_string();
    let northgate = app.outlet_id("NS-101").await.to_string();
    let before = stored_names(&app, "dana.whitfield@harbor.example").await;
    let (status, body) = app
        .rpc(
            "add_connector",
            &[
                ("email", "dana.whitfield@harbor.example"),
                ("first_name", "Mallory"),
                ("last_name", "Renamed"),
                ("role", &staff),
                ("outlet", &northgate),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["connector"]["user"]["first_name"], "", "{body}");
    assert_eq!(body["connector"]["user"]["username"], Value::Null, "{body}");
    assert_eq!(
        stored_names(&app, "dana.whitfield@harbor.example").await,
        before
    );
}

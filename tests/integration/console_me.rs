//! `/me`: where a person without console permissions lands; their organizations, roles and
//! outlets; their own name (even on a shared account); a password change that ends their
//! other sessions; ending their other sessions.

use crate::helpers::*;
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_person_lands_where_their_permissions_open_a_page() {
    let app = spawn_app().await;
    app.give_password("lena.moreau@harbor.example").await;
    let cases = [
        (ADMIN, "/users"),
        (MANAGER, "/users"),
        ("lena.moreau@harbor.example", "/me"), // Staff: no console permission
    ];
    for (email, home) in cases {
        let person = spawn_on(&app.database_url, &app.dir).await;
        let response = person.sign_in(email, DEMO_PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["location"], home, "{email}");
        let root = person.get("/").await;
        assert_eq!(
            root.headers()["location"],
            home,
            "{email}: / leads home too"
        );
    }
    let staff = spawn_on(&app.database_url, &app.dir).await;
    staff.sign_in_as("lena.moreau@harbor.example").await;
    let (status, body) = staff.rpc("my_page", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["organizations"][0]["roles"][0],
        "Staff — Harbor Burger Pier 39"
    );
    assert_eq!(body["outlets"][0]["number"], "HB-001");
    let (status, html) = staff.page("/me").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Harbor Burger Pier 39"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_person_changes_their_own_name_here_for_every_organization() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await; // Harbor owner, also a viewer at Northside
    let (status, body) = app
        .rpc(
            "change_my_name",
            &[("first_name", "Avery J."), ("last_name", "Lindqvist")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, page) = app.rpc("my_page", &[]).await;
    assert_eq!(page["first_name"], "Avery J.");
    assert_eq!(page["organizations"].as_array().unwrap().len(), 2);
    let (status, body) = app
        .rpc(
            "change_my_name",
            &[("first_name", &"x".repeat(101)), ("last_name", "")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["Invalid"]["fields"]["first_name"].is_string());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'user_account.name_changed'")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_the_password_needs_the_current_one_and_ends_the_other_sessions() {
    let app = spawn_app().await;
    let other = spawn_on(&app.database_url, &app.dir).await;
    other.sign_in_as(MANAGER).await;
    app.sign_in_as(MANAGER).await;

    let cases = [
        (
            ("wrong-password", "a-new-password-1", "a-new-password-1"),
            "current_password",
        ),
        ((DEMO_PASSWORD, "short", "short"), "new_password"),
        (
            (DEMO_PASSWORD, "a-new-password-1", "a-new-password-2"),
            "confirmation",
        ),
    ];
    for ((current, new, confirmation), field) in cases {
        let (status, body) = app
            .rpc(
                "change_my_password",
                &[
                    ("current_password", current),
                    ("new_password", new),
                    ("confirmation", confirmation),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {body}");
        assert!(
            body["Invalid"]["fields"][field].is_string(),
            "{field}: {body}"
        );
    }
    assert_eq!(
        other.get("/users").await.status(),
        StatusCode::OK,
        "nothing changed yet"
    );

    let (status, body) = app
        .rpc(
            "change_my_password",
            &[
                ("current_password", DEMO_PASSWORD),
                ("new_password", "a-new-password-1"),
                ("confirmation", "a-new-password-1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        app.get("/users").await.status(),
        StatusCode::OK,
        "this session carries on"
    );
    assert_eq!(
        other.get("/users").await.status(),
        StatusCode::SEE_OTHER,
        "the other one ended"
    );
    let fresh = spawn_on(&app.database_url, &app.dir).await;
    assert_eq!(
        fresh.sign_in(MANAGER, "a-new-password-1").await.status(),
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ending_the_other_sessions_keeps_this_one() {
    let app = spawn_app().await;
    let other = spawn_on(&app.database_url, &app.dir).await;
    other.sign_in_as(ADMIN).await;
    app.sign_in_as(ADMIN).await;
    let (status, _) = app.rpc("end_other_sessions", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.get("/users").await.status(), StatusCode::OK);
    assert_eq!(other.get("/users").await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_current_passwords_are_throttled_like_sign_ins() {
    let app = spawn_app().await;
    app.sign_in_as(MANAGER).await;
    let mut last = StatusCode::OK;
    for attempt in 0..11 {
        let wrong = format!("wrong-{attempt}");
        last = app
            .rpc(
                "change_my_password",
                &[
                    ("current_password", wrong.as_str()),
                    ("new_password", "a-new-password-1"),
                    ("confirmation", "a-new-password-1"),
                ],
            )
            .await
            .0;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

//! Dated access: a connector grants only inside its window (`starts_at` inclusive, `ends_at`
//! exclusive), decided at each request on the service's clock; a borrow is access at another
//! outlet for some days; lists show and filter scheduled / active / ended.

use crate::helpers::*;
use brigade::service::{Clock, auth};
use reqwest::StatusCode;
use serde_json::json;

/// Whether Morgan's console session, resumed as a request does on the given context's clock,
/// reaches outlet `number`.
async fn reaches(app: &TestApp, context: &brigade::service::Context, number: &str) -> bool {
    use brigade::domain::{OutletId, Permission, UserId};
    let version: i64 = app
        .query("SELECT session_version FROM user_accounts WHERE email = $1")
        .bind(MANAGER)
        .scalar()
        .await
        .unwrap();
    let claims = auth::SessionClaims {
        user: UserId(app.user_id(MANAGER).await),
        organization: app.organization("harbor").await,
        version,
        signed_in_at: context.now().unix_timestamp(),
        sign_in: None,
    };
    let signed_in = auth::resume(context, &claims)
        .await
        .unwrap()
        .expect("the session resumes");
    let outlet = OutletId(app.outlet_id(number).await);
    signed_in
        .principal
        .access
        .scope_of(Permission::ViewUsers)
        .covers(Some(outlet))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_borrow_grants_only_inside_its_window_and_ends_with_no_job() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let manager_role = app.role_id("harbor", "Outlet Manager").await;
    let market = app.outlet_id("HB-002").await;
    let now = time::OffsetDateTime::now_utc();
    let at = |days: i64| {
        (now + time::Duration::days(days))
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    // Morgan (manager at Pier 39) is borrowed by Market Street from tomorrow for three days.
    let borrow = app
        .api_post(
            "/user-connectors",
            &token,
            json!({"email": MANAGER, "role": manager_role, "outlet": market,
                   "starts_at": at(1), "ends_at": at(4)}),
        )
        .await;
    assert_eq!(borrow.status, StatusCode::CREATED, "{}", borrow.body);
    assert_eq!(borrow.body["state"], "scheduled");
    assert!(borrow.body["starts_at"].is_string());

    let shifted = |days: i64| {
        app.context
            .with_clock(Clock::shifted(time::Duration::days(days)))
    };
    assert!(
        reaches(&app, &app.context, "HB-001").await,
        "home unchanged"
    );
    assert!(!reaches(&app, &app.context, "HB-002").await, "not yet");
    assert!(
        reaches(&app, &shifted(2), "HB-002").await,
        "during the borrow"
    );
    assert!(reaches(&app, &shifted(2), "HB-001").await, "home still");
    assert!(!reaches(&app, &shifted(5), "HB-002").await, "ended at once");

    // The list shows the state and filters on it.
    let scheduled = app
        .api_get(
            &format!("/user-connectors?state=scheduled&outlet_id={market}"),
            &token,
        )
        .await;
    assert_eq!(scheduled.status, StatusCode::OK);
    assert_eq!(scheduled.body["results"].as_array().unwrap().len(), 1);
    let active = app
        .api_get(
            &format!("/user-connectors?state=active&outlet_id={market}"),
            &token,
        )
        .await;
    assert!(
        active.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["state"] == "active" && c["user"]["email"] != MANAGER)
    );
    let bad = app.api_get("/user-connectors?state=soon", &token).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_window_must_end_after_it_starts_and_not_in_the_past() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let staff = app.role_id("harbor", "Staff").await;
    let market = app.outlet_id("HB-002").await;
    let cases = [
        (
            "ends before it starts",
            json!({"starts_at": "2030-01-05T00:00:00Z", "ends_at": "2030-01-01T00:00:00Z"}),
            "ends_at",
        ),
        (
            "ends in the past",
            json!({"ends_at": "2020-01-01T00:00:00Z"}),
            "ends_at",
        ),
        ("not a time", json!({"starts_at": "tomorrow"}), "starts_at"),
    ];
    for (name, window, field) in cases {
        let mut body = json!({"email": "borrowed@harbor.example", "role": staff, "outlet": market});
        body.as_object_mut()
            .unwrap()
            .extend(window.as_object().unwrap().clone());
        let reply = app.api_post("/user-connectors", &token, body).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name}: {}",
            reply.body
        );
        assert!(
            reply.body["error"]["fields"][field].is_string(),
            "{name}: {}",
            reply.body
        );
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM user_accounts WHERE email = 'borrowed@harbor.example'")
            .await,
        0,
        "nothing written"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_days_are_the_outlets_local_days() {
    let app = spawn_app().await;
    app.exec("UPDATE outlets SET time_zone = 'America/Los_Angeles' WHERE number = 'HB-002'")
        .await;
    app.sign_in_as(ADMIN).await;
    let staff = app.role_id("harbor", "Staff").await.to_string();
    let (status, body) = app
        .rpc(
            "add_connector",
            &[
                ("email", "cook@harbor.example"),
                ("first_name", "Cam"),
                ("last_name", "Cook"),
                ("role", &staff),
                ("outlet", "HB-002"),
                ("starts_on", "2030-07-01"),
                ("ends_on", "2030-07-03"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Midnight in Los Angeles (UTC-7 in July), through the end of the third day.
    assert_eq!(body["connector"]["starts_at"], "2030-07-01T07:00:00.000Z");
    assert_eq!(body["connector"]["ends_at"], "2030-07-04T07:00:00.000Z");
    assert_eq!(body["connector"]["state"], "scheduled");

    let (status, body) = app
        .rpc(
            "add_connector",
            &[
                ("email", "cook2@harbor.example"),
                ("first_name", ""),
                ("last_name", ""),
                ("role", &staff),
                ("outlet", "HB-002"),
                ("starts_on", "2030-07-05"),
                ("ends_on", "2030-07-01"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("ends_at"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transfer_ends_one_outlets_access_and_starts_the_others_on_a_date_as_one_change() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let market = app.outlet_id("HB-002").await;
    let morgan = app.connector_of(MANAGER).await;
    let in_three_days = (time::OffsetDateTime::now_utc() + time::Duration::days(3))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let moved = app
        .api_post(
            &format!("/user-connectors/{morgan}/transfer"),
            &token,
            json!({"outlet": market, "on": in_three_days}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::CREATED, "{}", moved.body);
    assert_eq!(moved.body["outlet"]["number"], "HB-002");
    assert_eq!(moved.body["state"], "scheduled");
    let old = app
        .api_get(&format!("/user-connectors/{morgan}"), &token)
        .await;
    assert_eq!(old.body["state"], "active");
    assert_eq!(old.body["ends_at"], moved.body["starts_at"], "one instant");

    let later = app
        .context
        .with_clock(Clock::shifted(time::Duration::days(4)));
    assert!(reaches(&app, &app.context, "HB-001").await);
    assert!(!reaches(&app, &app.context, "HB-002").await);
    assert!(
        !reaches(&app, &later, "HB-001").await,
        "the old outlet ended"
    );
    assert!(reaches(&app, &later, "HB-002").await, "the new one started");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE action IN ('user_connector.updated', 'user_connector.created') AND via = 'api'")
            .await,
        2,
        "the planned change is recorded when it is made"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transfer_is_refused_where_a_move_would_be() {
    let app = spawn_app().await;
    let market = app.outlet_id("HB-002").await;
    let northgate = app.outlet_id("NS-101").await;
    let lena = app.connector_of("lena.moreau@harbor.example").await;
    let admin = app.connector_in("harbor", ADMIN).await;
    // Morgan's token manages Pier 39 only.
    let pier = app
        .api_token("harbor", "Outlet Manager", Some("HB-001"))
        .await;
    let harbor = app.api_token("harbor", "Integration", None).await;
    let before = app.count("SELECT COUNT(*) FROM user_connectors").await;
    let cases = [
        (
            "to an outlet outside the caller's reach (as for an id that exists nowhere)",
            &pier,
            lena,
            json!({"outlet": market}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "to another organization's outlet",
            &harbor,
            lena,
            json!({"outlet": northgate}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "a library connector",
            &harbor,
            admin,
            json!({"outlet": market}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "no outlet",
            &harbor,
            lena,
            json!({}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "not a time",
            &harbor,
            lena,
            json!({"outlet": market, "on": "monday"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (name, token, connector, body, status) in cases {
        let reply = app
            .api_post(
                &format!("/user-connectors/{connector}/transfer"),
                token,
                body,
            )
            .await;
        assert_eq!(reply.status, status, "{name}: {}", reply.body);
    }
    let northside = app.api_token("northside", "Integration", None).await;
    let reply = app
        .api_post(
            &format!("/user-connectors/{lena}/transfer"),
            &northside,
            json!({"outlet": northgate}),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::NOT_FOUND,
        "another organization's connector"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM user_connectors").await,
        before,
        "nothing written"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM user_connectors WHERE ends_at IS NOT NULL")
            .await,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_consoles_move_with_a_day_is_a_transfer_on_that_local_day() {
    let app = spawn_app().await;
    app.exec("UPDATE outlets SET time_zone = 'Europe/Paris' WHERE number = 'HB-002'")
        .await;
    app.sign_in_as(ADMIN).await;
    let lena = app
        .connector_of("lena.moreau@harbor.example")
        .await
        .to_string();
    let (status, body) = app
        .rpc(
            "change_connector",
            &[("id", &lena), ("outlet", "HB-002"), ("on", "2031-01-10")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Midnight in Paris in January is 23:00 UTC the day before.
    assert_eq!(body["starts_at"], "2031-01-09T23:00:00.000Z");
    assert_eq!(body["outlet"]["number"], "HB-002");
    let ends: String = app
        .query("SELECT ends_at FROM user_connectors WHERE id = $1")
        .bind(uuid::Uuid::parse_str(&lena).unwrap())
        .scalar()
        .await
        .unwrap();
    assert_eq!(ends, "2031-01-09T23:00:00.000Z");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_shows_what_the_person_can_do_now_where_and_through_which_role() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let staff = app.role_id("harbor", "Staff").await;
    let market = app.outlet_id("HB-002").await;
    let in_a_week = (time::OffsetDateTime::now_utc() + time::Duration::days(7))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    // Morgan: Outlet Manager at Pier 39, borrowed as Staff by Market Street for a week, and
    // scheduled as Staff at Mission later (not yet).
    for (outlet, window) in [
        (market, json!({"ends_at": in_a_week})),
        (
            app.outlet_id("HB-003").await,
            json!({"starts_at": in_a_week}),
        ),
    ] {
        let mut body = json!({"email": MANAGER, "role": staff, "outlet": outlet});
        body.as_object_mut()
            .unwrap()
            .extend(window.as_object().unwrap().clone());
        let made = app.api_post("/user-connectors", &token, body).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    }
    app.sign_in_as(ADMIN).await;
    let morgan = app.user_id(MANAGER).await.to_string();
    let (status, record) = app.rpc("get_person", &[("id", &morgan)]).await;
    assert_eq!(status, StatusCode::OK, "{record}");
    let effective = record["effective"].as_array().unwrap();
    let places: Vec<&str> = effective
        .iter()
        .map(|g| g["place"].as_str().unwrap())
        .collect();
    assert_eq!(
        places,
        [
            "Harbor Burger Market Street (HB-002)",
            "Harbor Burger Pier 39 (HB-001)"
        ],
        "the scheduled grant does not count yet"
    );
    let pier = &effective[1];
    assert_eq!(pier["role"], "Outlet Manager");
    assert!(
        pier["permissions"]
            .as_array()
            .unwrap()
            .contains(&json!("users.manage"))
    );
    assert!(effective[0]["ends_at"].is_string());
    assert_eq!(
        effective[0]["permissions"],
        json!([]),
        "Staff grants nothing"
    );

    // Morgan, an outlet manager, sees his own outlet's part only.
    app.sign_in_as(MANAGER).await;
    let lena = app.user_id("lena.moreau@harbor.example").await.to_string();
    let (_, record) = app.rpc("get_person", &[("id", &lena)]).await;
    assert!(
        record["effective"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["place"] == "Harbor Burger Pier 39 (HB-001)"),
        "{record}"
    );

    // Deactivated: nothing.
    app.sign_in_as(ADMIN).await;
    let quinn = app.user_id(INACTIVE).await.to_string();
    let (_, record) = app.rpc("get_person", &[("id", &quinn)]).await;
    assert_eq!(record["effective"], json!([]));
}

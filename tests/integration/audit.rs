//! The audit log: `GET /api/v1/audit-events` and the console's `/audit` read the same events,
//! newest first, with who acted, what happened, whom it concerned and what changed field by
//! field; filters by actor, action, person and time; keyset pages without gaps or repeats;
//! only `audit.view` across the organization reads it, and only its own organization's;
//! nothing secret is ever recorded.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Every event a query finds, walking all pages of `page_size`.
async fn every_event(app: &TestApp, token: &str, query: &str, page_size: u32) -> Vec<Value> {
    let mut events = Vec::new();
    let mut cursor = String::new();
    loop {
        let mut path = format!("/audit-events?page_size={page_size}");
        for part in [format!("cursor={cursor}"), query.to_string()] {
            if !part.is_empty() && part != "cursor=" {
                path = format!("{path}&{part}");
            }
        }
        let reply = app.api_get(&path, token).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        events.extend(reply.body["results"].as_array().unwrap().iter().cloned());
        match reply.body["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => return events,
        }
    }
}

fn actions(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_is_shown_with_who_whom_and_what_changed_field_by_field() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let grace = app.user_id("grace.kim@harbor.example").await;
    let changed = app
        .api_patch(
            &format!("/users/{grace}"),
            &token,
            json!({ "last_name": "Kim-Park" }),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);

    let page = app
        .api_get(&format!("/audit-events?person={grace}"), &token)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let event = &page.body["results"][0];
    assert_eq!(event["action"], "user.updated");
    assert_eq!(event["via"], "api");
    assert_eq!(event["actor"]["type"], "api_client");
    assert_eq!(event["actor"]["name"], "integration test");
    assert_eq!(event["target"]["type"], "user");
    assert_eq!(event["person"]["id"], grace.to_string());
    assert_eq!(event["person"]["email"], "grace.kim@harbor.example");
    assert_eq!(
        event["changes"],
        json!([{ "field": "last_name", "before": "Kim", "after": "Kim-Park" }]),
        "only what differs: {event}"
    );
    assert_eq!(event["before"]["last_name"], "Kim");
    assert_eq!(event["after"]["last_name"], "Kim-Park");

    // The console reads the same event, and shows it as a diff.
    app.sign_in_as(ADMIN).await;
    let (status, body) = app
        .rpc("audit_log", &[("person", &grace.to_string())])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["results"][0], *event);
    let (status, html) = app.page(&format!("/audit?person={grace}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Person changed"), "the action's label");
    assert!(
        html.contains("<del>Kim</del>") && html.contains("<ins>Kim-Park</ins>"),
        "before and after, readable"
    );
    assert!(html.contains("API client integration test"), "who");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_narrow_by_actor_action_person_and_time() {
    let app = spawn_app().await;
    let start = time::OffsetDateTime::now_utc();
    let integration = app.api_token("harbor", "Integration", None).await;
    let client = app
        .query("SELECT id FROM api_tokens ORDER BY created_at DESC, id LIMIT 1")
        .scalar::<uuid::Uuid>()
        .await
        .unwrap();
    let grace = app.user_id("grace.kim@harbor.example").await;
    let lena = app.user_id("lena.moreau@harbor.example").await;
    for (who, name) in [(grace, "Grace"), (lena, "Lena")] {
        let reply = app
            .api_patch(
                &format!("/users/{who}"),
                &integration,
                json!({ "first_name": format!("{name}2") }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    // A change by a person in the console.
    app.sign_in_as(ADMIN).await;
    let admin = app.user_id(ADMIN).await;
    let (status, body) = app
        .rpc(
            "save_organization_settings",
            &[("name", "Harbor Kitchen Group"), ("time_zone", "UTC")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let rfc = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let future = rfc(time::OffsetDateTime::now_utc() + time::Duration::hours(1));
    let cases: [(&str, String, Vec<&str>); 6] = [
        (
            "by the API client",
            format!("actor={client}"),
            vec!["user.updated", "user.updated"],
        ),
        (
            "by the person",
            format!("actor={admin}"),
            // The admin signed in, then changed the settings.
            vec!["organization.updated", "user_account.signed_in"],
        ),
        (
            "one action",
            "action=organization.updated".into(),
            vec!["organization.updated"],
        ),
        (
            "concerning one person",
            format!("person={lena}"),
            vec!["user.updated"],
        ),
        (
            "since the scenario began",
            format!("since={}", rfc(start)),
            vec![
                "organization.updated",
                "user_account.signed_in",
                "user.updated",
                "user.updated",
                "api_token.created",
            ],
        ),
        ("in the future", format!("since={future}"), vec![]),
    ];
    for (name, query, expected) in cases {
        let events = every_event(&app, &integration, &query, 200).await;
        assert_eq!(actions(&events), expected, "{name}");
    }
    let until_start = every_event(&app, &integration, &format!("until={}", rfc(start)), 200).await;
    assert!(
        !actions(&until_start).contains(&"organization.updated"),
        "until excludes what came after"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_go_newest_first_without_gaps_or_repeats() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    for number in 1..=7 {
        let reply = app
            .api_post(
                "/outlets",
                &token,
                json!({ "name": format!("Audit Kitchen {number}"), "number": format!("AK-{number}") }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
    let whole = every_event(&app, &token, "", 200).await;
    let paged = every_event(&app, &token, "", 3).await;
    let ids = |events: &[Value]| -> Vec<i64> {
        events.iter().map(|e| e["id"].as_i64().unwrap()).collect()
    };
    assert_eq!(ids(&paged), ids(&whole), "the same events, page by page");
    assert!(
        ids(&whole).windows(2).all(|w| w[0] > w[1]),
        "newest first, no repeats"
    );
    let expected = app
        .count("SELECT COUNT(*) FROM audit_events e JOIN organizations o ON o.id = e.organization_id WHERE o.slug = 'harbor'")
        .await;
    assert_eq!(whole.len() as i64, expected, "no gaps");
    assert_eq!(whole[0]["after"]["name"], "Audit Kitchen 7");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_filters_are_refused_naming_the_parameter() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let cases = [
        ("action=user.exploded", "action"),
        ("actor=someone", "actor"),
        ("person=42", "person"),
        ("since=yesterday", "since"),
        ("until=2026-13-01T00:00:00Z", "until"),
        ("page_size=0", "page_size"),
        ("cursor=AAAA", "cursor"),
    ];
    for (query, field) in cases {
        let reply = app.api_get(&format!("/audit-events?{query}"), &token).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            reply.body
        );
        assert!(
            reply.body["error"]["fields"][field].is_string(),
            "{query}: {}",
            reply.body
        );
    }
    // The console's days: a message next to the field.
    app.sign_in_as(ADMIN).await;
    let (status, body) = app.rpc("audit_log", &[("from", "31/01/2026")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["Invalid"]["fields"]["from"].is_string(), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_audit_view_across_the_organization_reads_it_and_only_its_own() {
    let app = spawn_app().await;
    let harbor = app.api_token("harbor", "Integration", None).await;
    let made = app
        .api_post(
            "/outlets",
            &harbor,
            json!({ "name": "Secret Kitchen", "number": "SK-1" }),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED);

    let viewer = app.api_token("harbor", "Viewer", None).await;
    assert_eq!(
        app.api_get("/audit-events", &viewer).await.status,
        StatusCode::FORBIDDEN,
        "a view-only client"
    );
    // An outlet role that holds audit.view does not read the organization's log.
    app.custom_role("harbor", "Outlet auditor", "O", &["audit.view"])
        .await;
    let outlet_auditor = app
        .api_token("harbor", "Outlet auditor", Some("HB-001"))
        .await;
    assert_eq!(
        app.api_get("/audit-events", &outlet_auditor).await.status,
        StatusCode::FORBIDDEN
    );
    // Nor a person holding it at an outlet: refused, and no menu entry for it.
    let granted = app
        .api_post(
            "/user-connectors",
            &harbor,
            json!({ "email": "outlet.auditor@harbor.example", "role": app.role_id("harbor", "Outlet auditor").await, "outlet": app.outlet_id("HB-001").await }),
        )
        .await;
    assert_eq!(granted.status, StatusCode::CREATED, "{}", granted.body);
    let auditor = spawn_on(&app.database_url, &app.dir).await;
    app.give_password("outlet.auditor@harbor.example").await;
    auditor.sign_in_as("outlet.auditor@harbor.example").await;
    assert_eq!(auditor.rpc("audit_log", &[]).await.0, StatusCode::FORBIDDEN);
    let (_, html) = auditor.page("/me").await;
    assert!(html.contains("My profile") && !html.contains("href=\"/audit\""));

    // Another organization sees its own log, never Harbor's.
    let northside = app.api_token("northside", "Integration", None).await;
    let theirs = app
        .api_post(
            "/outlets",
            &northside,
            json!({ "name": "Northside Test Kitchen", "number": "NT-1" }),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::CREATED, "{}", theirs.body);
    let theirs = every_event(&app, &northside, "", 200).await;
    assert_eq!(theirs[0]["after"]["name"], "Northside Test Kitchen");
    assert!(
        !theirs
            .iter()
            .any(|e| e.to_string().contains("Secret Kitchen")),
        "no Harbor event in Northside's log"
    );
    let harbor_person = app.user_id("grace.kim@harbor.example").await;
    assert!(
        every_event(&app, &northside, &format!("person={harbor_person}"), 200)
            .await
            .is_empty()
    );

    // The console: the outlet manager is refused; the owner's menu offers the log.
    app.give_password(MANAGER).await;
    app.sign_in_as(MANAGER).await;
    let (status, _) = app.rpc("audit_log", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, html) = app.page("/users").await;
    assert!(!html.contains("href=\"/audit\""), "no menu entry");
    let owner = spawn_on(&app.database_url, &app.dir).await;
    owner.sign_in_as(ADMIN).await;
    let (_, html) = owner.page("/users").await;
    assert!(html.contains("href=\"/audit\""), "the menu entry");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_secret_is_recorded() {
    let app = spawn_app().await;
    // A password changed in the console, an API client issued (its token shown once).
    app.sign_in_as(ADMIN).await;
    let new_password = "a-very-private-passphrase-7";
    let (status, body) = app
        .rpc(
            "change_my_password",
            &[
                ("current_password", DEMO_PASSWORD),
                ("new_password", new_password),
                ("confirmation", new_password),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let integration = app.role_id("harbor", "Integration").await.to_string();
    let (status, issued) = app
        .rpc(
            "issue_api_client",
            &[("name", "Payroll"), ("role", &integration), ("outlet", "")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{issued}");
    let token = issued["token"].as_str().unwrap().to_string();
    // A new person invited, who sets a first password from the link.
    let reply = app
        .api_post(
            "/user-connectors",
            &token,
            json!({ "email": "new.cook@harbor.example", "role": app.role_id("harbor", "Viewer").await }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);

    let secrets = [
        new_password.to_string(),
        DEMO_PASSWORD.to_string(),
        token.clone(),
        token.trim_start_matches("brg_").to_string(),
    ];
    let hashes = app
        .query("SELECT token_hash FROM api_tokens")
        .scalars::<String>()
        .await
        .unwrap();
    let passwords = app
        .query("SELECT password_hash FROM user_accounts WHERE password_hash IS NOT NULL")
        .scalars::<String>()
        .await
        .unwrap();
    let recorded = app
        .query(
            "SELECT coalesce(before_json, '') || ' ' || coalesce(after_json, '') FROM audit_events",
        )
        .scalars::<String>()
        .await
        .unwrap();
    assert!(recorded.len() >= 3);
    for text in &recorded {
        for secret in secrets.iter().chain(&hashes).chain(&passwords) {
            assert!(!text.contains(secret.as_str()), "{text} holds a secret");
        }
        assert!(!text.contains("password_hash") && !text.contains("token_hash"));
    }
    // And the API's answer holds no more than the table.
    let events = every_event(&app, &token, "", 200).await;
    assert!(actions(&events).contains(&"user_account.password_changed"));
    let answered = serde_json::to_string(&events).unwrap();
    for secret in secrets.iter().chain(&hashes).chain(&passwords) {
        assert!(!answered.contains(secret.as_str()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_migrations_backfill_finds_the_same_person_as_recording_does() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let viewer = app.role_id("harbor", "Viewer").await;
    let made = app
        .api_post(
            "/user-connectors",
            &token,
            json!({ "email": "backfill@harbor.example", "role": viewer }),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let revoked = app
        .api_delete(
            &format!("/user-connectors/{}", made.body["id"].as_str().unwrap()),
            &token,
        )
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    // The expression of migrations/*/20261203000002_audit_log.sql, per backend.
    let derived = match app.backend() {
        brigade::store::Backend::Sqlite => {
            "unhex(replace(coalesce(json_extract(after_json, '$.user.id'),
                                    json_extract(before_json, '$.user.id')), '-', ''))"
        }
        brigade::store::Backend::Postgres => {
            "coalesce(after_json::jsonb #>> '{user,id}', before_json::jsonb #>> '{user,id}')::uuid"
        }
    };
    let person = app.user_id("backfill@harbor.example").await;
    let rows = app
        .query(&format!(
            "SELECT COUNT(*) FROM audit_events
              WHERE target_type = 'user_connector' AND subject_user_id = $1
                AND subject_user_id = {derived}"
        ))
        .bind(person)
        .scalar::<i64>()
        .await
        .unwrap();
    assert_eq!(rows, 2, "granted and revoked, both found by the backfill");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_another_organization_created_is_named_by_email_only() {
    let app = spawn_app().await;
    let northside = app.api_token("northside", "Integration", None).await;
    let made = app
        .api_post(
            "/user-connectors",
            &northside,
            json!({ "email": "grace.kim@harbor.example", "role": app.role_id("northside", "Viewer").await }),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let grace = app.user_id("grace.kim@harbor.example").await;
    let events = every_event(&app, &northside, &format!("person={grace}"), 200).await;
    assert_eq!(actions(&events), ["user_connector.created"]);
    assert_eq!(events[0]["person"]["email"], "grace.kim@harbor.example");
    assert_eq!(events[0]["person"]["name"], "");
    assert!(
        !events[0].to_string().contains("Kim\""),
        "Harbor's names of her stay Harbor's: {}",
        events[0]
    );
}

//! Bulk actions on people: one job, each person decided on their own (the policy and the brand
//! lock per person, one audit event per change), a result per person.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::Value;

/// Starts a bulk action as the app's signed-in person and waits for its job to end.
async fn run(app: &TestApp, form: &[(&str, &str)]) -> Value {
    let (status, started) = app.rpc("start_bulk_action", form).await;
    assert_eq!(status, StatusCode::OK, "{started}");
    let id = started["progress"]["id"].as_str().unwrap().to_string();
    for _ in 0..400 {
        let (status, job) = app.rpc("bulk_progress", &[("id", id.as_str())]).await;
        assert_eq!(status, StatusCode::OK, "{job}");
        if job["progress"]["status"] != "running" {
            return job;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the job did not end");
}

/// Each person's result: (email, refusal reason or "done").
fn results(job: &Value) -> Vec<(String, String)> {
    job["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["email"].as_str().unwrap().to_string(),
                r["refused"].as_str().unwrap_or("done").to_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_person_is_decided_on_their_own_and_refusals_say_why() {
    let app = spawn_app().await;
    app.sign_in_as(MANAGER).await;
    let mut ids = Vec::new();
    for email in [
        "lena.moreau@harbor.example", // Staff at Pier 39: Morgan manages her
        "sam.patel@harbor.example",   // also Outlet Manager at Market Street: beyond Morgan
        MANAGER,                      // Morgan themself
    ] {
        ids.push(app.user_id(email).await.to_string());
    }
    let before = app.audited("user.updated").await;
    let job = run(
        &app,
        &[("action", "deactivate"), ("people", &ids.join(","))],
    )
    .await;
    assert_eq!(job["progress"]["status"], "finished");
    assert_eq!(job["progress"]["done"], 3);
    assert_eq!(job["progress"]["summary"], "1 done, 2 refused.");
    let results = results(&job);
    assert_eq!(
        results[0],
        ("lena.moreau@harbor.example".into(), "done".into())
    );
    assert_ne!(results[1].1, "done", "{results:?}");
    assert!(results[2].1.contains("This is you"), "{results:?}");
    assert_eq!(
        app.audited("user.updated").await,
        before + 1,
        "one event per person changed"
    );
    let status: String = app
        .query("SELECT m.status FROM memberships m JOIN user_accounts a ON a.id = m.user_id WHERE a.email = $1")
        .bind("sam.patel@harbor.example")
        .scalar()
        .await
        .unwrap();
    assert_eq!(status, "active", "a refused person is untouched");

    // Someone else's job, or another kind of job, is not theirs to follow.
    let owner = spawn_on(&app.database_url, &app.dir).await;
    owner.sign_in_as(ADMIN).await;
    let id = job["progress"]["id"].as_str().unwrap();
    let (status, _) = owner.rpc("bulk_progress", &[("id", id)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_is_added_to_everyone_a_filter_matches_and_removed_again() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let staff = app.role_id("harbor", "Staff").await.to_string();
    let group = app
        .api_post(
            "/outlet-groups",
            &app.api_token("harbor", "Integration", None).await,
            serde_json::json!({"name": "Market district", "outlets": [app.outlet_id("HB-002").await]}),
        )
        .await;
    let group = group.body["id"].as_str().unwrap().to_string();
    let job = run(
        &app,
        &[
            ("action", "add_role"),
            ("role", &staff),
            ("outlet_group", &group),
            ("all_matching", "true"),
            ("filter[search]", "omar"),
        ],
    )
    .await;
    assert_eq!(
        results(&job),
        [("omar.haddad@harbor.example".to_string(), "done".to_string())]
    );
    let through: i64 = app
        .query("SELECT COUNT(*) FROM user_connectors WHERE outlet_group_id = $1")
        .bind(uuid::Uuid::parse_str(&group).unwrap())
        .scalar()
        .await
        .unwrap();
    assert_eq!(through, 1);

    let omar = app.user_id("omar.haddad@harbor.example").await.to_string();
    let job = run(
        &app,
        &[
            ("action", "remove_role"),
            ("role", &staff),
            ("people", &omar),
        ],
    )
    .await;
    assert_eq!(results(&job)[0].1, "done");
    let left: i64 = app
        .query("SELECT COUNT(*) FROM user_connectors c JOIN memberships m ON m.id = c.membership_id WHERE m.user_id = $1")
        .bind(uuid::Uuid::parse_str(&omar).unwrap())
        .scalar()
        .await
        .unwrap();
    assert_eq!(left, 0, "every Staff grant of his went, each audited");
    let job = run(
        &app,
        &[
            ("action", "remove_role"),
            ("role", &staff),
            ("people", &omar),
        ],
    )
    .await;
    assert_eq!(results(&job)[0].1, "They do not hold this role.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_action_is_refused_before_it_starts_when_it_cannot_be_right() {
    let app = spawn_app().await;
    let northside = app.user_id("owner@northside.example").await.to_string();
    let lena = app.user_id("lena.moreau@harbor.example").await.to_string();
    app.give_password("felix.grant@harbor.example").await;
    let viewer = spawn_on(&app.database_url, &app.dir).await;
    viewer.sign_in_as("felix.grant@harbor.example").await;
    app.sign_in_as(ADMIN).await;
    /// (what, who asks, the form, the answer, a field it names)
    type Case<'a> = (
        &'a str,
        &'a TestApp,
        Vec<(&'a str, &'a str)>,
        StatusCode,
        &'a str,
    );
    let cases: Vec<Case<'_>> = vec![
        (
            "a viewer",
            &viewer,
            vec![("action", "deactivate"), ("people", &lena)],
            StatusCode::FORBIDDEN,
            "",
        ),
        (
            "another organization's person",
            &app,
            vec![("action", "deactivate"), ("people", &northside)],
            StatusCode::UNPROCESSABLE_ENTITY,
            "people",
        ),
        (
            "nobody chosen",
            &app,
            vec![("action", "deactivate"), ("people", "")],
            StatusCode::UNPROCESSABLE_ENTITY,
            "people",
        ),
        (
            "an unknown action",
            &app,
            vec![("action", "delete"), ("people", &lena)],
            StatusCode::UNPROCESSABLE_ENTITY,
            "action",
        ),
        (
            "a role without a role",
            &app,
            vec![("action", "add_role"), ("people", &lena)],
            StatusCode::UNPROCESSABLE_ENTITY,
            "role",
        ),
    ];
    for (what, who, form, status, field) in cases {
        let (got, body) = who.rpc("start_bulk_action", &form).await;
        assert_eq!(got, status, "{what}: {body}");
        assert!(body.to_string().contains(field), "{what}: {body}");
    }
    let jobs: i64 = app
        .query("SELECT COUNT(*) FROM jobs WHERE kind = 'bulk_people'")
        .scalar()
        .await
        .unwrap();
    assert_eq!(jobs, 0, "nothing started");
}

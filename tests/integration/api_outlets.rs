//! Outlets through the API: created, changed, archived and restored by who manages outlets;
//! an archived outlet grants nothing and takes no new grant until restored.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outlets_are_created_changed_archived_and_restored() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let harbor_burger = app
        .id_of("SELECT id FROM brands WHERE name = $1", "Harbor Burger")
        .await;
    let created = app
        .api_post(
            "/outlets",
            &token,
            json!({"name": "Harbor Burger Oakland", "number": "HB-004", "brand": harbor_burger, "time_zone": "america/los_angeles"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["time_zone"], "America/Los_Angeles");
    assert_eq!(created.body["archived"], false);
    assert_eq!(created.body["brand"]["name"], "Harbor Burger");
    let id = created.body["id"].as_str().unwrap().to_string();

    let duplicate = app
        .api_post(
            "/outlets",
            &token,
            json!({"name": "Again", "number": "hb-001"}),
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    assert_eq!(duplicate.body["error"]["code"], "number_taken");
    let northside_brandless = app
        .id_of("SELECT id FROM brands WHERE name = $1", "Saltline Tacos")
        .await;
    for (body, field) in [
        (json!({"number": "X-1"}), "name"),
        (json!({"name": "X", "number": "has spaces"}), "number"),
        (
            json!({"name": "X", "number": "X-2", "time_zone": "Mars/Olympus"}),
            "time_zone",
        ),
        (
            json!({"name": "X", "number": "X-3", "archived": true}),
            "archived",
        ),
    ] {
        let reply = app.api_post("/outlets", &token, body.clone()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            reply.body["error"]["fields"][field].is_string(),
            "{field}: {}",
            reply.body
        );
    }
    let northside = app.api_token("northside", "Integration", None).await;
    let foreign_brand = app
        .api_post(
            "/outlets",
            &northside,
            json!({"name": "X", "number": "NS-900", "brand": northside_brandless}),
        )
        .await;
    assert_eq!(
        foreign_brand.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a brand it does not run"
    );
    let linked = app
        .api_post(
            "/outlets",
            &northside,
            json!({"name": "Harbor Burger Berkeley", "number": "NS-104", "brand": harbor_burger}),
        )
        .await;
    assert_eq!(
        linked.status,
        StatusCode::CREATED,
        "a franchisee opens outlets of its brand"
    );

    let changed = app
        .api_patch(
            &format!("/outlets/{id}"),
            &token,
            json!({"name": "Harbor Burger Jack London", "time_zone": null}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(
        changed.body["time_zone"], "UTC",
        "back to the organization's default"
    );
    assert_eq!(
        app.api_patch(
            &format!("/outlets/{id}"),
            &northside,
            json!({"name": "Mine"})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );

    // Archiving Pier 39: its outlet manager's token reaches nothing, and no new grant goes there.
    let pier = app.outlet_id("HB-001").await;
    let pier_client = app
        .api_token("harbor", "Outlet Manager", Some("HB-001"))
        .await;
    assert_eq!(
        app.api_get("/user-connectors", &pier_client).await.status,
        StatusCode::OK
    );
    let archived = app
        .api_patch(
            &format!("/outlets/{pier}"),
            &token,
            json!({"archived": true}),
        )
        .await;
    assert_eq!(archived.body["archived"], true);
    assert_eq!(
        app.api_get("/user-connectors", &pier_client).await.status,
        StatusCode::FORBIDDEN
    );
    let staff = app.role_id("harbor", "Staff").await;
    let grant = app
        .api_post(
            "/user-connectors",
            &token,
            json!({"email": "new.cook@harbor.example", "role": staff, "outlet": pier}),
        )
        .await;
    assert_eq!(grant.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        grant.body["error"]["fields"]["outlet"]
            .as_str()
            .unwrap()
            .contains("archived")
    );
    app.sign_in_as(MANAGER).await; // Outlet Manager at Pier 39 only
    assert_eq!(app.get("/api/v1/me").await.status(), StatusCode::OK);
    let (status, _) = app
        .rpc("list_people", &[("search", ""), ("page", "1")])
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "access at an archived outlet grants nothing"
    );

    let restored = app
        .api_patch(
            &format!("/outlets/{pier}"),
            &token,
            json!({"archived": false}),
        )
        .await;
    assert_eq!(restored.body["archived"], false);
    assert_eq!(
        app.api_get("/user-connectors", &pier_client).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE action IN ('outlet.created', 'outlet.updated', 'outlet.archived', 'outlet.restored')").await,
        5
    );
    let outlet_manager = app
        .api_token("harbor", "Outlet Manager", Some("HB-002"))
        .await;
    assert_eq!(
        app.api_post(
            "/outlets",
            &outlet_manager,
            json!({"name": "X", "number": "X-9"})
        )
        .await
        .status,
        StatusCode::FORBIDDEN,
        "an outlet manager creates no outlet"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outlets_page_creates_changes_archives_and_restores_through_the_same_service() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let (status, created) = app
        .rpc(
            "save_outlet",
            &[
                ("id", ""),
                ("name", "Harbor Burger Oakland"),
                ("number", "HB-004"),
                ("brand", ""),
                ("time_zone", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let (status, body) = app
        .rpc(
            "save_outlet",
            &[
                ("id", &id),
                ("name", "Harbor Burger Oakland"),
                ("number", "HB-001"),
                ("brand", ""),
                ("time_zone", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, body) = app
        .rpc("set_outlet_archived", &[("id", &id), ("archived", "true")])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["archived"], true);
    let (status, html) = app.page("/outlets").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Harbor Burger Oakland") && html.contains("Archived"));
    let (_, body) = app
        .rpc("set_outlet_archived", &[("id", &id), ("archived", "false")])
        .await;
    assert_eq!(body["archived"], false);

    let manager = spawn_on(&app.database_url, &app.dir).await;
    manager.sign_in_as(MANAGER).await;
    let (status, _) = manager.rpc("outlets_page", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = manager
        .rpc(
            "save_outlet",
            &[("id", ""), ("name", "Mine"), ("number", "M-1")],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "an outlet manager creates no outlet"
    );
}

/// Waits for an import job to end and returns its last progress.
async fn finished(app: &TestApp, job: &serde_json::Value) -> serde_json::Value {
    let id = job["id"].as_str().unwrap().to_string();
    for _ in 0..200 {
        let (status, progress) = app.rpc("outlet_import_progress", &[("id", &id)]).await;
        assert_eq!(status, StatusCode::OK, "{progress}");
        if progress["status"] != "running" {
            return progress;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the import did not finish");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csv_import_previews_applies_as_a_job_and_changes_nothing_the_second_time() {
    let app = spawn_app().await;
    app.sign_in_as(ADMIN).await;
    let mut csv = String::from("number,name,brand,time_zone\n");
    for n in 1..=300 {
        csv.push_str(&format!(
            "SF-{n:03},Harbor Burger SF {n},Harbor Burger,America/Los_Angeles\n"
        ));
    }
    csv.push_str("HB-001,Harbor Burger Pier 39 (renamed),Harbor Burger,\n");
    csv.push_str("HB-002,Harbor Burger Market Street,Harbor Burger,\n");
    csv.push_str("XX-1,Bad brand,Pizza Planet,\n");
    csv.push_str("XX-2,Bad zone,,Mars/Olympus\n");
    csv.push_str("SF-001,Twice,,\n");
    let (status, preview) = app.rpc("preview_outlet_import", &[("csv", &csv)]).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    let actions: Vec<String> = preview["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| serde_json::to_string(&r["action"]).unwrap())
        .collect();
    assert_eq!(actions.iter().filter(|a| *a == "\"Create\"").count(), 300);
    assert_eq!(actions[300], r#"{"Update":["name"]}"#);
    assert_eq!(actions[301], "\"Unchanged\"");
    for (line, reason) in [
        (302, "No brand named Pizza Planet"),
        (303, "time zone"),
        (304, "appears twice"),
    ] {
        assert!(actions[line].contains(reason), "{line}: {}", actions[line]);
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outlets").await,
        10,
        "a preview writes nothing"
    );

    let (status, job) = app.rpc("apply_outlet_import", &[("csv", &csv)]).await;
    assert_eq!(status, StatusCode::OK, "{job}");
    assert_eq!(job["total"], 301);
    let done = finished(&app, &job).await;
    assert_eq!(done["status"], "finished", "{done}");
    assert_eq!(done["done"], 301);
    assert_eq!(done["summary"], "300 created, 1 updated.");
    assert_eq!(app.count("SELECT COUNT(*) FROM outlets").await, 310);

    let (_, again) = app.rpc("apply_outlet_import", &[("csv", &csv)]).await;
    let done = finished(&app, &again).await;
    assert_eq!(
        done["total"], 0,
        "the same file twice changes nothing: {done}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM outlets").await, 310);

    let (status, body) = app
        .rpc("preview_outlet_import", &[("csv", "name,brand\nX,")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["Invalid"]["fields"]["csv"].is_string());
    let manager = spawn_on(&app.database_url, &app.dir).await;
    manager.sign_in_as(MANAGER).await;
    let (status, _) = manager.rpc("apply_outlet_import", &[("csv", &csv)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = manager
        .rpc(
            "outlet_import_progress",
            &[("id", job["id"].as_str().unwrap())],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

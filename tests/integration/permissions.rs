//! Every permission guards what it names: a role holding everything but that one permission
//! is refused each probe of it, and a role holding everything is not. Adding a permission
//! without a feature that checks it fails here (the match is exhaustive).

use crate::helpers::*;
use brigade::domain::Permission;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A request that needs a permission.
enum Probe {
    /// An API call with a token of the role.
    Api(Method, &'static str, Option<Value>),
    /// A console server function, called by a person holding the role.
    Console(&'static str, &'static [(&'static str, &'static str)]),
}

/// The requests that need `permission`. `{lena}` in a path is a connector of Lena Moreau;
/// `{viewer}` and `{integration}` are those roles' ids.
fn probes(permission: Permission) -> Vec<Probe> {
    match permission {
        Permission::ViewUsers => vec![Probe::Console(
            "list_people",
            &[("search", ""), ("page", "1")],
        )],
        Permission::ManageUsers => vec![Probe::Api(
            Method::PATCH,
            "/user-connectors/{lena}",
            Some(json!({ "last_name": "Moreau" })),
        )],
        Permission::ViewConnectors => vec![
            Probe::Api(Method::GET, "/user-connectors", None),
            Probe::Api(Method::GET, "/user-connectors/{lena}", None),
            Probe::Console("list_connectors", &[]),
            Probe::Console("access_options", &[]),
        ],
        Permission::ManageConnectors => vec![
            Probe::Api(
                Method::POST,
                "/user-connectors",
                Some(json!({ "email": "probe.new@harbor.example", "role": "{viewer}" })),
            ),
            Probe::Api(Method::DELETE, "/user-connectors/{lena}", None),
        ],
        Permission::ManageRoles => vec![Probe::Console(
            "switch_api_edits",
            &[("brand", ""), ("allowed", "false")],
        )],
        Permission::ManageOutlets => vec![Probe::Api(
            Method::POST,
            "/outlets",
            Some(json!({ "name": "Probe Kitchen", "number": "PR-1" })),
        )],
        Permission::ManageSettings => vec![
            Probe::Console("organization_settings", &[]),
            Probe::Console(
                "save_organization_settings",
                &[("name", "Harbor Kitchen Group"), ("time_zone", "UTC")],
            ),
        ],
        Permission::ViewAudit => vec![
            Probe::Api(Method::GET, "/audit-events", None),
            Probe::Console("audit_log", &[]),
        ],
        Permission::ManageApiTokens => vec![
            Probe::Console("api_clients", &[]),
            Probe::Console(
                "issue_api_client",
                &[("name", "probe"), ("role", "{integration}"), ("outlet", "")],
            ),
        ],
    }
}

/// The answer to a probe by someone holding `role` (a person for console probes).
async fn answer(app: &TestApp, role: &str, probe: &Probe, lena: &str, viewer: &str) -> StatusCode {
    match probe {
        Probe::Api(method, path, body) => {
            let token = app.api_token("harbor", role, None).await;
            let path = path.replace("{lena}", lena);
            let body = body
                .as_ref()
                .map(|b| serde_json::from_str(&b.to_string().replace("{viewer}", viewer)).unwrap());
            app.api(method.clone(), &path, &token, body).await.status
        }
        Probe::Console(function, form) => {
            let email = format!(
                "probe.{}@harbor.example",
                role.to_lowercase().replace([' ', '.'], "-")
            );
            let integration = app.api_token("harbor", "Integration", None).await;
            let role_id = app.role_id("harbor", role).await;
            app.api_post(
                "/user-connectors",
                &integration,
                json!({ "email": email, "role": role_id }),
            )
            .await;
            app.give_password(&email).await;
            let person = spawn_on(&app.database_url, &app.dir).await;
            person.sign_in_as(&email).await;
            let api_role = app.role_id("harbor", "Integration").await.to_string();
            let form: Vec<(&str, String)> = form
                .iter()
                .map(|(name, value)| (*name, value.replace("{integration}", &api_role)))
                .collect();
            let form: Vec<(&str, &str)> = form.iter().map(|(n, v)| (*n, v.as_str())).collect();
            person.rpc(function, &form).await.0
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_permission_guards_what_it_names() {
    let app = spawn_app().await;
    let lena = app
        .connector_of("lena.moreau@harbor.example")
        .await
        .to_string();
    let viewer = app.role_id("harbor", "Viewer").await.to_string();
    app.custom_role(
        "harbor",
        "Everything",
        "L",
        &Permission::all()
            .iter()
            .map(|p| p.code())
            .collect::<Vec<_>>(),
    )
    .await;
    for permission in Permission::all() {
        let probes = probes(*permission);
        assert!(!probes.is_empty(), "{permission:?} guards nothing");
        let without = format!("Without {}", permission.code());
        let others: Vec<&str> = Permission::all()
            .iter()
            .filter(|p| *p != permission)
            .map(|p| p.code())
            .collect();
        app.custom_role("harbor", &without, "L", &others).await;
        for probe in &probes {
            let refused = answer(&app, &without, probe, &lena, &viewer).await;
            assert_eq!(
                refused,
                StatusCode::FORBIDDEN,
                "{permission:?} must be checked"
            );
            let allowed = answer(&app, "Everything", probe, &lena, &viewer).await;
            assert!(
                allowed.is_success(),
                "{permission:?}: holding it allows the probe ({allowed})"
            );
        }
    }
}

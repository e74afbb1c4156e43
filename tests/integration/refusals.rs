//! Nobody and a revoked token are refused (401) before anything of the request is read: an
//! empty or malformed body gets 401, not 400 or 422. (Every caller against every route, with
//! valid input, is `matrix.rs`.)

use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

const API_ROUTES: [(&str, &str); 15] = [
    ("GET", "/audit-events"),
    ("GET", "/users"),
    ("GET", "/users/0190f6c4-0000-7000-8000-000000000001"),
    ("POST", "/users"),
    ("PATCH", "/users/0190f6c4-0000-7000-8000-000000000001"),
    ("GET", "/report-roles"),
    ("POST", "/report-roles"),
    (
        "PATCH",
        "/report-roles/0190f6c4-0000-7000-8000-000000000001",
    ),
    (
        "DELETE",
        "/report-roles/0190f6c4-0000-7000-8000-000000000001",
    ),
    ("POST", "/user-roles"),
    ("PATCH", "/user-roles/0190f6c4-0000-7000-8000-000000000001"),
    ("DELETE", "/user-roles/0190f6c4-0000-7000-8000-000000000001"),
    ("POST", "/outlets"),
    ("PATCH", "/outlets/0190f6c4-0000-7000-8000-000000000001"),
    ("GET", "/me"),
];

const SERVER_FUNCTIONS: [&str; 23] = [
    "audit_log",
    "security_overview",
    "switch_api_edits",
    "person_editing",
    "update_person",
    "set_person_status",
    "api_clients",
    "issue_api_client",
    "revoke_api_client",
    "scim_connections",
    "issue_scim_connection",
    "my_page",
    "change_my_name",
    "change_my_password",
    "end_other_sessions",
    "create_role",
    "update_role",
    "delete_role",
    "save_report_role",
    "organization_settings",
    "save_organization_settings",
    "outlets_page",
    "save_outlet",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_and_a_revoked_token_are_refused_everywhere() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let id = app
        .id_of(
            "SELECT id FROM api_tokens WHERE name = $1",
            "integration test",
        )
        .await;
    app.revoke_token(&id.to_string()).await;
    for (method, path) in API_ROUTES {
        let method: Method = method.parse().unwrap();
        let body = (method != Method::GET && method != Method::DELETE).then(|| json!({}));
        let revoked = app.api(method.clone(), path, &token, body.clone()).await;
        assert_eq!(
            revoked.status,
            StatusCode::UNAUTHORIZED,
            "revoked: {method} {path}"
        );
        let mut request = app
            .client
            .request(method.clone(), app.url(&format!("/api/v1{path}")));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let nobody = request.send().await.unwrap();
        assert_eq!(
            nobody.status(),
            StatusCode::UNAUTHORIZED,
            "nobody: {method} {path}"
        );
    }
    for function in SERVER_FUNCTIONS.into_iter().chain([
        "add_franchisee",
        "save_brand",
        "organization_brands",
        "preview_outlet_import",
        "apply_outlet_import",
        "outlet_import_progress",
        "set_outlet_archived",
        "delete_report_role",
        "invite_franchisee",
        "withdraw_invitation",
        "unlink_franchisee",
        "franchise_invitations",
        "answer_invitation",
        "outlet_choices",
        "outlet_group_choices",
    ]) {
        let (status, _) = app.rpc(function, &[]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "nobody: {function}");
    }
}

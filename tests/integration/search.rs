//! Fragment search through the trigram index finds exactly what a plain scan finds: the
//! connector list's email filter (API) and the people search (console), over a generated
//! organization and the demo, with fragments short and long, of any case, and holding the
//! characters LIKE and FTS5 treat specially.

use crate::helpers::*;

const FRAGMENTS: [&str; 14] = [
    "smith",
    "SMITH",
    "ana",
    "a.k",
    "mesa-f",
    "zzz",
    "%",
    "_",
    "o\"q",
    "ch",
    "k",
    ".ex",
    "nakamura1",
    "e.example",
];

fn generate(app: &TestApp) {
    let output = app.synth(&[
        "--slug",
        "mesa",
        "--outlets",
        "40",
        "--people",
        "600",
        "--connectors",
        "2000",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connector_email_filter_through_the_index_equals_a_plain_scan() {
    let app = spawn_app().await;
    generate(&app);
    let token = app.api_token("mesa", "Integration", None).await;
    for fragment in FRAGMENTS {
        let found: Vec<String> = app
            .all_connectors(&token, &format!("&email={}", urlencoding::encode(fragment)))
            .await
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect();
        let scanned: Vec<uuid::Uuid> = sqlx::query_scalar(
            "SELECT c.id FROM user_connectors c JOIN memberships m ON m.id = c.membership_id
             JOIN user_accounts a ON a.id = m.user_id JOIN organizations o ON o.id = c.organization_id
             WHERE o.slug = 'mesa' AND instr(lower(a.email), lower(?1)) > 0 ORDER BY c.id",
        )
        .bind(fragment)
        .fetch_all(&app.pool)
        .await
        .unwrap();
        let scanned: Vec<String> = scanned.iter().map(ToString::to_string).collect();
        assert_eq!(found, scanned, "email contains {fragment:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_people_search_through_the_index_equals_a_plain_scan_of_what_the_organization_sees() {
    let app = spawn_app().await;
    // A name the organization does not see (Kai Turner's account was created by Harbor, so
    // Northside sees only the address) must not be found by that name at Northside.
    app.sign_in_as(NORTHSIDE_OWNER).await;
    let mut fragments: Vec<&str> = FRAGMENTS.to_vec();
    fragments.extend([
        "Kai Turner",
        "turner",
        "moreau",
        "or",
        "luis.ortega",
        "Hana S",
    ]);
    for fragment in fragments {
        let found = app.people_emails(fragment).await;
        let mut scanned: Vec<String> = sqlx::query_scalar(
            "SELECT a.email FROM memberships m JOIN user_accounts a ON a.id = m.user_id
             JOIN organizations o ON o.id = m.organization_id
             WHERE o.slug = 'northside' AND (
                instr(lower(a.email), lower(?1)) > 0
                OR (m.profile_visible AND (
                    instr(lower(a.first_name || ' ' || a.last_name), lower(?1)) > 0
                    OR instr(lower(a.username), lower(?1)) > 0)))",
        )
        .bind(fragment)
        .fetch_all(&app.pool)
        .await
        .unwrap();
        scanned.sort();
        assert_eq!(found, scanned, "people matching {fragment:?}");
    }
}

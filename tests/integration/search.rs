//! Fragment search through the trigram index finds exactly what a plain scan finds: the
//! connector list's email filter (API) and the people search (console), over a generated
//! organization and the demo, with fragments short and long, of any case, and holding the
//! characters LIKE and FTS5 treat specially.

use crate::helpers::*;
use reqwest::StatusCode;

const FRAGMENTS: [&str; 15] = [
    "smith",
    // In every generated address, so a walk (the email filter's test gives it to one name too).
    "xample",
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
    app.generated(&[
        "--slug",
        "mesa",
        "--outlets",
        "40",
        "--people",
        "600",
        "--connectors",
        "2000",
        "--owner-password",
        DEMO_PASSWORD,
    ]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connector_email_filter_through_the_index_equals_a_plain_scan() {
    let app = spawn_app().await;
    generate(&app);
    // A name that holds what every other address holds, on an address that does not: the
    // email filter walks for the fragment and must not find this person by the name.
    let renamed = app
        .query(
            "UPDATE user_accounts SET first_name = 'Xample', email = 'district@mesa.test'
                WHERE email = 'district@mesa.example'",
        )
        .execute()
        .await
        .unwrap();
    assert_eq!(renamed, 1);
    let token = app.api_token("mesa", "Integration", None).await;
    // A walk reads each connector's copy of its account's address: the copies follow the
    // address above, a connector made after it, and a connector given to another member.
    let added = app
        .api_post(
            "/user-connectors",
            &token,
            serde_json::json!({
                "email": "district@mesa.test",
                "role": app.role_id("mesa", "Viewer").await,
            }),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    let moved = app
        .query(
            "UPDATE user_connectors SET membership_id = (
                 SELECT m.id FROM memberships m JOIN user_accounts a ON a.id = m.user_id
                  WHERE a.email = 'district@mesa.test')
              WHERE id = (
                 SELECT c.id FROM user_connectors c JOIN memberships m ON m.id = c.membership_id
                   JOIN user_accounts a ON a.id = m.user_id
                  WHERE a.email LIKE '%@mesa.example' AND a.email <> 'owner@mesa.example'
                    AND c.outlet_id IS NOT NULL
                  ORDER BY c.id LIMIT 1)",
        )
        .execute()
        .await
        .unwrap();
    assert_eq!(moved, 1);
    for fragment in FRAGMENTS {
        let found: Vec<String> = app
            .all_connectors(&token, &format!("&email={}", urlencoding::encode(fragment)))
            .await
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect();
        let scanned: Vec<uuid::Uuid> = app.query(&format!(
            "SELECT c.id FROM user_connectors c JOIN memberships m ON m.id = c.membership_id
             JOIN user_accounts a ON a.id = m.user_id JOIN organizations o ON o.id = c.organization_id
             WHERE o.slug = 'mesa' AND {instr}(lower(a.email), lower($1)) > 0 ORDER BY c.id",
            instr = app.instr(),
        ))
        .bind(fragment.to_string())
        .scalars()
        .await
        .unwrap();
        let scanned: Vec<String> = scanned.iter().map(ToString::to_string).collect();
        assert_eq!(found, scanned, "email contains {fragment:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_people_search_through_the_index_equals_a_plain_scan_of_what_the_organization_sees() {
    let app = spawn_app().await;
    // A name the organization does not see must not find the person there: Northside adds by
    // her address alone a person Harbor made, whose names and username (Harbor's, which the
    // trigram index holds) her address does not contain. Kai Turner, in both organizations
    // since the demo, is found by name in each.
    app.exec(
        "UPDATE user_accounts SET last_name = 'Hopper', username = 'ghopper'
         WHERE email = 'grace.kim@harbor.example'",
    )
    .await;
    let added = app
        .api_post(
            "/user-connectors",
            &app.api_token("northside", "Integration", None).await,
            serde_json::json!({
                "email": "grace.kim@harbor.example",
                "role": app.role_id("northside", "Staff").await,
                "outlet": app.outlet_id("NS-101").await,
            }),
        )
        .await;
    assert_eq!(added.status, reqwest::StatusCode::CREATED, "{}", added.body);
    app.sign_in_as(NORTHSIDE_OWNER).await;
    let mut fragments: Vec<&str> = FRAGMENTS.to_vec();
    fragments.extend([
        "Kai Turner",
        "turner",
        "moreau",
        "or",
        "luis.ortega",
        "Hana S",
        "Hopper",
        "ghopper",
        "grace.kim",
    ]);
    assert_people_search_equals_a_scan(&app, "northside", &fragments).await;

    // And over a generated organization, where the common fragments walk the list in order.
    generate(&app);
    app.sign_in_as("owner@mesa.example").await;
    assert_people_search_equals_a_scan(&app, "mesa", &FRAGMENTS).await;

    // Northside again, now that the statistics the load left count the accounts: PostgreSQL
    // gathers a rare fragment's members through its index (before, it knew of no account and
    // walked), and must still test the names Northside sees, not the ones the index holds.
    app.sign_in_as(NORTHSIDE_OWNER).await;
    assert_people_search_equals_a_scan(&app, "northside", &fragments).await;
}

async fn assert_people_search_equals_a_scan(app: &TestApp, slug: &str, fragments: &[&str]) {
    for fragment in fragments {
        let found = app.people_emails(fragment).await;
        let mut scanned: Vec<String> = app
            .query(&format!(
                "SELECT a.email FROM memberships m JOIN user_accounts a ON a.id = m.user_id
             JOIN organizations o ON o.id = m.organization_id
             WHERE o.slug = $2 AND (
                {instr}(lower(a.email), lower($1)) > 0
                OR (m.profile_visible AND (
                    {instr}(lower(a.first_name || ' ' || a.last_name), lower($1)) > 0
                    OR {instr}(lower(a.username), lower($1)) > 0)))",
                instr = app.instr(),
            ))
            .bind(fragment.to_string())
            .bind(slug)
            .scalars()
            .await
            .unwrap();
        scanned.sort();
        assert_eq!(found, scanned, "{slug}: people matching {fragment:?}");
    }
}

/// (fragment, how it is found): `true` through the trigram index.
const PLANS: [(&str, bool); 4] = [
    // Every generated address ends so: walking in order fills a page at once.
    (".example", false),
    // Too short for a trigram.
    ("k", false),
    // Nobody: the index answers without reading one member.
    ("zzq", true),
    ("nakamura1", true),
];

/// How the database runs the first page of the organization's connector list filtered by an
/// email fragment, on `conn`.
async fn connector_email_plan(
    app: &TestApp,
    conn: &mut brigade::store::Conn,
    org: brigade::domain::OrganizationId,
    fragment: &str,
) -> Plan {
    let filter = brigade::domain::commands::ConnectorFilter {
        email: Some(fragment.into()),
        ..Default::default()
    };
    let page = brigade::domain::paging::PageRequest {
        size: 50,
        after: None,
    };
    app.plan(
        brigade::store::connectors::explain_list(
            conn,
            org,
            &brigade::domain::Scope::Organization,
            &filter,
            &page,
        )
        .await
        .unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_common_fragment_walks_the_list_in_order_and_a_rare_one_starts_from_the_index() {
    use brigade::domain::Scope;
    use brigade::domain::user_commands::PeopleSelection;
    let app = spawn_app().await;
    generate(&app);
    let org = app.organization("mesa").await;
    for (fragment, indexed) in PLANS {
        // SQLite decides by one bounded look into its trigram index (`store::fragment_plan`),
        // PostgreSQL by its planner's estimate of the accounts that hold the fragment: a walk
        // for a common or short fragment; for a rare one, the connectors' list gathers the
        // accounts through the trigram index of the address, the people list its members
        // through the trigram index of the address, username and name. (600 addresses are
        // still read faster whole, so only bitmap scans are left to show that a predicate
        // uses an index.)
        let postgres = app.backend() == brigade::store::Backend::Postgres;
        let planner_conn = || async {
            if postgres && indexed {
                app.planner_conn(&["enable_seqscan", "enable_indexscan"])
                    .await
            } else {
                app.plan_conn().await
            }
        };
        let connectors = connector_email_plan(&app, &mut planner_conn().await, org, fragment).await;
        let selection = PeopleSelection {
            search: Some(fragment.into()),
            ..Default::default()
        };
        let people = app.plan(
            brigade::store::people::explain_list(
                &mut planner_conn().await,
                org,
                &Scope::Organization,
                &selection,
            )
            .await
            .unwrap(),
        );
        let (emails, people_index) = if postgres {
            ("user_accounts_email_trgm", "user_accounts_search_trgm")
        } else {
            ("VIRTUAL TABLE INDEX", "VIRTUAL TABLE INDEX")
        };
        let lists = [
            ("connectors", &connectors, "user_connectors_org", emails),
            ("people", &people, "memberships_org_sort", people_index),
        ];
        for (list, plan, in_order, index) in lists {
            let from_index = plan.uses(index);
            // (PostgreSQL may walk the connectors by their key: the same order.)
            let walks_in_order = (plan.uses(in_order) || postgres)
                && !plan.sorts()
                && !plan.scans("user_connectors", "c")
                && !plan.scans("memberships", "m");
            assert_eq!(
                (from_index, walks_in_order),
                (indexed, !indexed),
                "{list} matching {fragment:?}: {plan:?}"
            );
        }
    }
}

/// The email filter's walk tests each connector's own copy of its address, and reads a member
/// and an account only for the rows it keeps. SQLite tests it in the index it walks the
/// connectors by, and reads from the table only the rows it keeps (through an index without
/// the address, every connector walked was read from the table: `smith` walks 1,686 of the
/// bench's million for one page). PostgreSQL tests it on the connectors it walks (through the
/// member and the account, `smith` took 10-14 ms).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_email_filter_s_walk_tests_each_connector_s_own_copy_of_the_address() {
    let app = spawn_app().await;
    generate(&app);
    let org = app.organization("mesa").await;
    // Too short for the trigram index, and a common one: both walk.
    for fragment in ["k", "xample"] {
        let plan = connector_email_plan(&app, &mut app.plan_conn().await, org, fragment).await;
        assert!(!plan.sorts(), "{fragment:?}: {plan:?}");
        if app.backend() == brigade::store::Backend::Postgres {
            // The step that reads the connectors, and its details up to the next step.
            let connectors = plan
                .lines
                .iter()
                .position(|line| line.contains(" on user_connectors c "))
                .unwrap_or_else(|| panic!("{fragment:?} reads the connectors: {plan:?}"));
            let tested_there = plan.lines[connectors + 1..]
                .iter()
                .take_while(|line| !line.trim_start().starts_with("->"))
                .any(|line| line.contains("Filter: ") && line.contains("member_email ~~"));
            assert!(tested_there, "{fragment:?}: {plan:?}");
            continue;
        }
        let walked = plan
            .lines
            .iter()
            .find_map(|line| {
                let index = line.strip_prefix("SEARCH c USING ")?;
                let index = index.strip_prefix("COVERING ").unwrap_or(index);
                index.strip_prefix("INDEX ")?.split(' ').next()
            })
            .unwrap_or_else(|| panic!("{fragment:?} walks an index of c: {plan:?}"));
        let columns: Vec<String> = app
            .query("SELECT name FROM pragma_index_xinfo($1) WHERE key AND name IS NOT NULL")
            .bind(walked.to_string())
            .scalars()
            .await
            .unwrap();
        assert!(
            columns.iter().any(|column| column == "member_email"),
            "{fragment:?} walks {walked} ({columns:?}): {plan:?}"
        );
    }
}

/// SQLite: how many b-tree segments the trigram index holds.
async fn segments(app: &TestApp) -> i64 {
    let mut conn = app.context.read().await.unwrap();
    brigade::store::search_index::segments(&mut conn)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn housekeeping_merges_the_search_index_that_small_writes_split_and_it_still_finds_everyone()
{
    let app = spawn_app().await;
    if app.backend() == brigade::store::Backend::Postgres {
        // pg_trgm's GIN index is kept by PostgreSQL itself: nothing to merge.
        return;
    }
    generate(&app);
    assert_eq!(segments(&app).await, 1, "a bulk load ends with one segment");

    // Accounts made one at a time (each its own transaction) split the index again.
    let mut made = 0;
    while segments(&app).await < brigade::store::search_index::SEGMENTS_BEFORE_MERGE {
        assert!(made < 100, "{made} writes never split the index");
        app.query("INSERT INTO user_accounts (id, email, username, created_at, updated_at) VALUES ($1, $2, $3, 'now', 'now')")
            .bind(uuid::Uuid::new_v4())
            .bind(format!("split{made}@index.example"))
            .bind(format!("split{made}"))
            .execute()
            .await
            .unwrap();
        made += 1;
    }

    for _ in 0..20 {
        if segments(&app).await == 1 {
            break;
        }
        brigade::service::housekeeping(&app.context).await;
    }
    assert_eq!(segments(&app).await, 1, "housekeeping merged the index");

    let found: i64 = app
        .query("SELECT count(*) FROM account_search WHERE account_search MATCH '{email} : \"index.example\"'")
        .scalar()
        .await
        .unwrap();
    assert_eq!(found, made, "every account made one at a time is found");
    app.sign_in_as("owner@mesa.example").await;
    assert_people_search_equals_a_scan(&app, "mesa", &FRAGMENTS).await;
}

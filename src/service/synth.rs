//! `brigade synth`: a realistic organization of a chosen size, for measuring Brigade at
//! restaurant-group scale. A corporate head office with three brands, a franchisee running one
//! of them, roles of both types, and people whose names and addresses look real, managed from
//! the console, an HR integration (API, by brand) or an identity provider (SCIM), some of them
//! deactivated; the head office's outlets in districts (outlet groups), each run by a few
//! district managers who hold their role through the group. Rows are written in batches, one
//! transaction per batch.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::Context;
use super::passwords::PasswordHash;
use super::setup::create_organization;
use crate::domain::model::{ConnectorType, ManagedBy, OrganizationKind, PartnerRole, Via};
use crate::domain::organization::OrganizationForm;
use crate::domain::{
    AppError, BrandId, ConnectorId, MembershipId, OrganizationId, OutletGroupId, OutletId,
    Permission, RoleId, UserId,
};
use crate::store::synth::{AccountRow, ConnectorRow, MembershipRow, OutletRow};
use crate::store::{self, audit, organizations};

/// People written per transaction.
const PEOPLE_PER_BATCH: usize = 25_000;
/// The tables the people batches fill, their secondary indexes dropped for the load.
pub const BULK_TABLES: [&str; 3] = ["user_accounts", "memberships", "user_connectors"];
/// Outlet roles an outlet person may hold: staff mostly, some shift leads, a few managers.
const OUTLET_ROLES: usize = 3;

const FIRST_NAMES: [&str; 40] = [
    "Aiden", "Amara", "Ana", "Ben", "Carla", "Chen", "Chloe", "Dario", "Elena", "Emre", "Fatima",
    "Felix", "Grace", "Hana", "Ivan", "Jade", "Jonas", "Kai", "Lena", "Leo", "Lucia", "Malik",
    "Maya", "Mei", "Nadia", "Noah", "Omar", "Priya", "Quinn", "Rafael", "Rosa", "Sam", "Sofia",
    "Tariq", "Uma", "Victor", "Wen", "Yara", "Yusuf", "Zoe",
];
const LAST_NAMES: [&str; 40] = [
    "Adams", "Alvarez", "Baker", "Bianchi", "Brooks", "Chen", "Costa", "Dubois", "Evans",
    "Fischer", "Garcia", "Haddad", "Hughes", "Ivanova", "Jensen", "Kim", "Kowalski", "Lopez",
    "Martin", "Moreau", "Nakamura", "Nguyen", "Novak", "Okafor", "Ortega", "Patel", "Quinn",
    "Reyes", "Rossi", "Sato", "Schmidt", "Silva", "Smith", "Tanaka", "Turner", "Walker", "Weber",
    "Wong", "Yilmaz", "Zhang",
];
const CITIES: [&str; 12] = [
    "Downtown",
    "Harbor",
    "Airport",
    "Riverside",
    "Old Town",
    "Station",
    "Mall",
    "Campus",
    "Lakeside",
    "Uptown",
    "Market",
    "Park",
];
const BRANDS: [(&str, &str); 3] = [("Burger", "BU"), ("Tacos", "TA"), ("Coffee", "CO")];

/// The size asked for.
#[derive(Debug, Clone)]
pub struct SynthPlan {
    pub slug: String,
    pub outlets: usize,
    pub people: usize,
    pub connectors: usize,
    /// Districts: outlet groups that split the head office's outlets between them.
    pub groups: usize,
    pub seed: u64,
    /// The owner's password; without it the owner is invited by mail.
    pub owner_password: Option<String>,
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct SynthReport {
    pub organization: String,
    pub owner_email: String,
    /// A district manager who signs in with the owner's password (when one was given).
    pub district_manager: Option<String>,
    pub rows: u64,
    /// Where the time went: each phase's name and duration, in order.
    pub phases: Vec<(&'static str, std::time::Duration)>,
}

/// One organization's part of the data set.
struct Side {
    organization: OrganizationId,
    corporate: bool,
    /// The mail domain of its people.
    domain: String,
    /// The brands it owns (the head office).
    brands: Vec<(BrandId, String)>,
    outlets: Vec<(OutletId, Option<BrandId>)>,
    /// Staff, shift lead, outlet manager.
    outlet_roles: [RoleId; OUTLET_ROLES],
    /// Area manager, viewer (the head office).
    library_roles: Vec<RoleId>,
}

impl SynthPlan {
    /// The rows this plan writes (outlets, groups and their outlets, accounts, memberships,
    /// connectors).
    pub fn rows(&self) -> u64 {
        let grouped = if self.groups == 0 {
            0
        } else {
            self.head_office_outlets()
        };
        (self.outlets + self.groups + grouped + 2 * self.people + self.connectors) as u64
    }

    /// The franchisee runs a tenth of the outlets, the head office the rest.
    fn franchised(&self) -> usize {
        (self.outlets / 10).max(1)
    }

    fn head_office_outlets(&self) -> usize {
        self.outlets.saturating_sub(self.franchised())
    }

    fn check(&self) -> Result<(), AppError> {
        let mut problems = crate::domain::error::Problems::default();
        if self.outlets < 2 {
            problems.add(
                "outlets",
                "At least 2 (the franchisee runs a tenth of them).",
            );
        }
        if self.people < 2 {
            problems.add("people", "At least 2.");
        }
        // The franchisee runs a tenth of the outlets: its people must fit in their grants there.
        let franchised = self.franchised();
        if self.groups > self.head_office_outlets() {
            problems.add(
                "groups",
                format!(
                    "At most {} (a district holds at least one of the head office's outlets).",
                    self.head_office_outlets()
                ),
            );
        }
        let library = self.people / 100;
        let outlet_people = self.people.saturating_sub(library).max(1);
        let most = OUTLET_ROLES * franchised * outlet_people + library;
        if self.connectors < self.people {
            problems.add("connectors", "At least one per person.");
        } else if self.connectors > most {
            problems.add(
                "connectors",
                format!("At most {most} for this many outlets and people."),
            );
        }
        problems.finish()
    }
}

/// Fills the database with the plan's organization (and its franchisee); `progress` is told the
/// rows written so far after each batch.
#[tracing::instrument(skip_all, fields(slug = %plan.slug))]
pub async fn generate(
    context: &Context,
    plan: &SynthPlan,
    mut progress: impl FnMut(u64),
) -> Result<SynthReport, AppError> {
    plan.check()?;
    let mut clock = Phases::default();
    let (corporate, franchisee, owner_email, password_hash) =
        organizations_and_roles(context, plan).await?;
    let mut written = 0u64;

    // Outlets: a tenth run by the franchisee under the first brand, the rest by the head office
    // under its three brands in turn.
    let franchised = plan.franchised();
    let brands = corporate.brands.clone();
    let mut sides = [corporate, franchisee];
    let mut rows = Vec::with_capacity(plan.outlets);
    for n in 0..plan.outlets {
        let (side, brand) = if n < franchised {
            (1, 0)
        } else {
            (0, n % brands.len())
        };
        let id = OutletId::generate();
        let (brand_id, brand_name) = &brands[brand];
        rows.push(OutletRow {
            id,
            organization: sides[side].organization,
            brand: Some(*brand_id),
            name: format!("{brand_name} {} {}", CITIES[n % CITIES.len()], n + 1),
            number: format!("{}-{:05}", BRANDS[brand].1, n + 1),
        });
        sides[side].outlets.push((id, Some(*brand_id)));
    }
    let mut work = context.begin().await?;
    store::synth::outlets(&mut work, &rows).await?;
    work.commit().await?;
    written += rows.len() as u64;
    progress(written);

    // Districts: the head office's outlets, in the order they were numbered, split evenly.
    let mut districts = Vec::with_capacity(plan.groups);
    let mut work = context.begin().await?;
    let head_office: Vec<OutletId> = sides[0].outlets.iter().map(|(id, _)| *id).collect();
    for g in 0..plan.groups {
        let outlets = &head_office
            [g * head_office.len() / plan.groups..(g + 1) * head_office.len() / plan.groups];
        let id = store::outlet_groups::insert(
            &mut work,
            sides[0].organization,
            &format!("District {:03}", g + 1),
        )
        .await?;
        store::outlet_groups::add_outlets(&mut work, sides[0].organization, id, outlets).await?;
        districts.push(id);
        written += 1 + outlets.len() as u64;
    }
    work.commit().await?;
    progress(written);
    clock.lap("organizations and outlets");

    // The secondary indexes of the tables being filled are built once at the end, from sorted
    // keys, instead of taking each row into its table's B-trees one at a time (most of the
    // load's time), and on PostgreSQL their foreign keys are checked once at the end, for all
    // rows in one join, instead of row by row (`store::synth::drop_for_load`). Both come back
    // whether the load succeeds or not, and if the process stops first, at the next start of
    // Brigade on this database (`Db::open`).
    let mut work = context.begin().await?;
    for table in BULK_TABLES {
        store::synth::drop_for_load(&mut work, table).await?;
    }
    work.commit().await?;
    // The people are made on a thread of their own, a batch ahead of the one being written:
    // the database's thread and the generator's keep both cores busy.
    let organization_domain = sides[0].domain.clone();
    let mut people = People::new(plan, sides, districts);
    let (sender, mut batches) = tokio::sync::mpsc::channel::<Batch>(1);
    let generator = tokio::task::spawn_blocking(move || {
        for batch in people.by_ref() {
            if sender.blocking_send(batch).is_err() {
                break; // The load stopped.
            }
        }
        people.district_manager
    });
    let loaded: Result<(), AppError> = async {
        while let Some(batch) = batches.recv().await {
            let mut work = context.begin().await?;
            store::synth::prepare_bulk(&mut work).await?;
            store::synth::accounts(&mut work, &batch.accounts).await?;
            store::synth::memberships(&mut work, &batch.memberships).await?;
            store::synth::connectors(&mut work, &batch.connectors).await?;
            work.commit().await?;
            written += batch.rows();
            progress(written);
        }
        Ok(())
    }
    .await;
    drop(batches);
    let district_manager = generator.await?;
    clock.lap("people");
    // PostgreSQL builds the indexes two at a time, each forgotten as it is built; SQLite
    // builds them in the restore's transaction (`store::synth::build_recorded_indexes`).
    store::synth::build_recorded_indexes(context.db()).await?;
    let mut work = context.begin().await?;
    // (SQLite: a page cache that holds the index being built; PostgreSQL: the memory its
    // index builds sort in. See `prepare_bulk`.)
    store::synth::prepare_bulk(&mut work).await?;
    store::synth::restore_after_load(&mut work).await?;
    clock.lap("indexes, keys and copies");
    // The batches left the search index in many segments: one, as a search reads it fastest.
    store::search_index::optimize(&mut work).await?;
    work.commit().await?;
    clock.lap("search index merge");
    // After the commit: PostgreSQL's ANALYZE samples an index column with the statistics
    // target the column had when the transaction began, and the restore set the targets
    // again on indexes it built (`user_accounts_email_trgm`: 100 values instead of 1,000,
    // and `smith` estimated at 20 addresses of 5,038).
    store::synth::analyze(context.db()).await?;
    clock.lap("statistics");
    loaded?;
    let district_manager = match (district_manager, password_hash) {
        (Some((user, email)), Some(hash)) => {
            let mut work = context.begin().await?;
            store::accounts::set_first_password(&mut work, user, hash.as_stored()).await?;
            work.commit().await?;
            Some(email)
        }
        _ => None,
    };
    Ok(SynthReport {
        organization: organization_domain,
        owner_email,
        district_manager,
        rows: written,
        phases: clock.laps,
    })
}

/// The time each phase of a load took.
struct Phases {
    since: std::time::Instant,
    laps: Vec<(&'static str, std::time::Duration)>,
}

impl Default for Phases {
    fn default() -> Self {
        Self {
            since: std::time::Instant::now(),
            laps: Vec::new(),
        }
    }
}

impl Phases {
    fn lap(&mut self, phase: &'static str) {
        let now = std::time::Instant::now();
        self.laps.push((phase, now - self.since));
        self.since = now;
    }
}

/// A role to create: name, type, partner role, permissions.
type RoleSpec = (
    &'static str,
    ConnectorType,
    PartnerRole,
    &'static [Permission],
);

/// A title-case prefix from the slug: `synth-group` gives "Synth".
fn prefix(slug: &str) -> String {
    let word = slug.split('-').next().unwrap_or(slug);
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// Creates the head office (its owner, brands and roles) and the franchisee (its owner,
/// link and roles), as `brigade org create` would; returns both sides, the owner's email and
/// the hash of the owner's password (when one was given).
async fn organizations_and_roles(
    context: &Context,
    plan: &SynthPlan,
) -> Result<(Side, Side, String, Option<PasswordHash>), AppError> {
    let prefix = prefix(&plan.slug);
    let cli = audit::Actor {
        user_id: None,
        token_id: None,
        via: Via::Cli,
    };
    let form =
        |name: String, slug: String, kind: &str, password: Option<&String>| OrganizationForm {
            name,
            email: format!("owner@{slug}.example"),
            slug,
            kind: kind.into(),
            time_zone: "America/New_York".into(),
            first_name: "Olivia".into(),
            last_name: "Owner".into(),
            password: password.map(|p| (p.clone(), p.clone())),
        };
    let corporate_form = form(
        format!("{prefix} Hospitality Group"),
        plan.slug.clone(),
        "corporate",
        plan.owner_password.as_ref(),
    )
    .parse(&[OrganizationKind::Corporate])?;
    let franchisee_form = form(
        format!("{prefix} Franchise Partners"),
        format!("{}-franchise", plan.slug),
        "franchisee",
        None,
    )
    .parse(&[OrganizationKind::Franchisee])?;
    let password_hash = match &corporate_form.owner.password {
        Some(password) => Some(super::passwords::hash(password).await?),
        None => None,
    };
    let mut work = context.begin().await?;
    let (corporate, owner) = create_organization(&mut work, cli, &corporate_form).await?;
    if let Some(hash) = &password_hash {
        store::accounts::set_first_password(&mut work, owner, hash.as_stored()).await?;
    }
    let (franchisee, _) = create_organization(&mut work, cli, &franchisee_form).await?;
    let mut brands = Vec::new();
    for (label, _) in BRANDS {
        let name = format!("{prefix} {label}");
        let id = organizations::insert_brand(&mut work, corporate, &name).await?;
        brands.push((id, name));
    }
    organizations::link_franchisee(&mut work, franchisee, brands[0].0).await?;
    let role =
        |name: &'static str, kind, partner, permissions: &'static [Permission]| -> RoleSpec {
            (name, kind, partner, permissions)
        };
    use ConnectorType::{Library as L, Outlet as O};
    use Permission::*;
    let outlet_admin: &'static [Permission] =
        &[ViewUsers, ManageUsers, ViewConnectors, ManageConnectors];
    let outlet_roles = [
        role("Staff", O, PartnerRole::Viewer, &[]),
        role("Shift Lead", O, PartnerRole::Viewer, &[ViewUsers]),
        role("Outlet Manager", O, PartnerRole::Manager, outlet_admin),
    ];
    let library_roles = [
        role(
            "Area Manager",
            L,
            PartnerRole::Manager,
            &[ViewUsers, ViewConnectors, ManageConnectors],
        ),
        role(
            "Viewer",
            L,
            PartnerRole::Viewer,
            &[ViewUsers, ViewConnectors],
        ),
        role("Integration", L, PartnerRole::Api, Permission::all()),
    ];
    let mut sides = Vec::new();
    for (organization, corporate_side, domain) in [
        (corporate, true, format!("{}.example", plan.slug)),
        (
            franchisee,
            false,
            format!("{}-franchise.example", plan.slug),
        ),
    ] {
        let mut insert = async |roles: &[RoleSpec]| -> Result<Vec<RoleId>, AppError> {
            let mut ids = Vec::new();
            for (name, kind, partner, permissions) in roles {
                ids.push(
                    organizations::insert_role(
                        &mut work,
                        organization,
                        name,
                        *kind,
                        *partner,
                        permissions,
                        None,
                    )
                    .await?,
                );
            }
            Ok(ids)
        };
        let ids = insert(&outlet_roles).await?;
        let mut library = Vec::new();
        if corporate_side {
            library = insert(&library_roles).await?;
            library.pop(); // Integration is for API clients, not people.
            organizations::insert_role(
                &mut work,
                organization,
                &format!("{} Trainer", brands[0].1),
                O,
                PartnerRole::Viewer,
                &[],
                Some(brands[0].0),
            )
            .await?;
        }
        sides.push(Side {
            organization,
            corporate: corporate_side,
            domain,
            brands: if corporate_side {
                brands.clone()
            } else {
                Vec::new()
            },
            outlets: Vec::new(),
            outlet_roles: [ids[0], ids[1], ids[2]],
            library_roles: library,
        });
    }
    work.commit().await?;
    let franchisee_side = sides.pop().ok_or(AppError::Internal)?;
    let corporate_side = sides.pop().ok_or(AppError::Internal)?;
    Ok((
        corporate_side,
        franchisee_side,
        corporate_form.owner.email.as_str().to_string(),
        password_hash,
    ))
}

/// One transaction's worth of people: their accounts, memberships and grants.
struct Batch {
    accounts: Vec<AccountRow>,
    memberships: Vec<MembershipRow>,
    connectors: Vec<ConnectorRow>,
}

impl Batch {
    fn rows(&self) -> u64 {
        (self.accounts.len() + self.memberships.len() + self.connectors.len()) as u64
    }
}

/// The plan's people, [`PEOPLE_PER_BATCH`] at a time. One in twenty works for the franchisee;
/// one in a hundred of the head office's is a library user (one L grant); everyone else holds
/// outlet grants spread over neighbouring outlets, so that the total is exactly the connectors
/// asked for.
struct People {
    rng: StdRng,
    sides: [Side; 2],
    districts: Vec<OutletGroupId>,
    people: usize,
    /// The next person's number.
    next: usize,
    /// Every outlet person holds `base` grants, the first `extra` of them one more.
    base: usize,
    extra: usize,
    outlet_index: usize,
    /// The first district manager made: the account and its address.
    district_manager: Option<(UserId, String)>,
}

impl People {
    fn new(plan: &SynthPlan, sides: [Side; 2], districts: Vec<OutletGroupId>) -> Self {
        let library_people = plan.people / 100;
        let outlet_people = plan.people - library_people;
        let outlet_grants = plan.connectors - library_people;
        Self {
            rng: StdRng::seed_from_u64(plan.seed),
            sides,
            districts,
            people: plan.people,
            next: 0,
            base: outlet_grants / outlet_people,
            extra: outlet_grants % outlet_people,
            outlet_index: 0,
            district_manager: None,
        }
    }

    /// Person `n`: their account, membership and grants.
    fn person(&mut self, n: usize, batch: &mut Batch) {
        // Spread through the people (and so through every page of a list by id).
        let library = n % 100 == 99;
        let side = &self.sides[if !library && n % 20 == 19 { 1 } else { 0 }];
        let first = FIRST_NAMES[self.rng.gen_range(0..FIRST_NAMES.len())];
        let last = LAST_NAMES[self.rng.gen_range(0..LAST_NAMES.len())];
        // Every other library user is a district manager (when there are districts): the
        // Outlet Manager role through one district.
        let district = (library && n % 200 == 199 && !self.districts.is_empty())
            .then(|| self.districts[(n / 200) % self.districts.len()]);
        let user = UserId::generate();
        let handle = if district.is_some() && self.district_manager.is_none() {
            // The first one has a known address (and the owner's password).
            self.district_manager = Some((user, format!("district@{}", side.domain)));
            "district".to_string()
        } else {
            format!("{}.{}{}", first.to_lowercase(), last.to_lowercase(), n + 1)
        };
        let membership = MembershipId::generate();
        let email = format!("{handle}@{}", side.domain);
        // (What the schema's triggers would copy onto each grant and into the membership's
        // sort key: `lower`, which is ASCII's.)
        let member_email = email.to_ascii_lowercase();
        let sort_key = format!(
            "{}\u{1}{}\u{1}{member_email}",
            last.to_ascii_lowercase(),
            first.to_ascii_lowercase()
        );
        batch.accounts.push(AccountRow {
            id: user,
            email,
            username: handle,
            first_name: first,
            last_name: last,
        });
        let mut default_outlet = None;
        let mut home_brand = None;
        if let Some(group) = district {
            batch.connectors.push(ConnectorRow {
                id: ConnectorId::generate(),
                organization: side.organization,
                membership,
                outlet: None,
                group: Some(group),
                role: side.outlet_roles[OUTLET_ROLES - 1],
                member_email,
            });
        } else if library {
            batch.connectors.push(ConnectorRow {
                id: ConnectorId::generate(),
                organization: side.organization,
                membership,
                outlet: None,
                group: None,
                role: side.library_roles[n % side.library_roles.len()],
                member_email,
            });
        } else {
            let grants = self.base + usize::from(self.outlet_index < self.extra);
            self.outlet_index += 1;
            let count = side.outlets.len();
            let first_outlet = self.rng.gen_range(0..count);
            let role_roll: u8 = self.rng.gen_range(0..10);
            let first_role = match role_roll {
                0..7 => 0,
                7..9 => 1,
                _ => 2,
            };
            for j in 0..grants {
                let (outlet, brand) = side.outlets[(first_outlet + j) % count];
                batch.connectors.push(ConnectorRow {
                    id: ConnectorId::generate(),
                    organization: side.organization,
                    membership,
                    outlet: Some(outlet),
                    group: None,
                    role: side.outlet_roles[(first_role + j / count) % OUTLET_ROLES],
                    member_email: member_email.clone(),
                });
                if j == 0 {
                    default_outlet = Some(outlet);
                    home_brand = brand;
                }
            }
        }
        // A fifth come from the HR integration (managed by their outlet's brand at the head
        // office), one in twenty from the identity provider; one in 33 has left. Library users
        // are office staff, managed from the console.
        let (managed_by, brand) = match n % 20 {
            _ if library => (ManagedBy::Console, None),
            1..=4 => (ManagedBy::Api, home_brand.filter(|_| side.corporate)),
            5 => (ManagedBy::Scim, None),
            _ => (ManagedBy::Console, None),
        };
        batch.memberships.push(MembershipRow {
            id: membership,
            organization: side.organization,
            user,
            active: n % 33 != 7,
            managed_by,
            brand,
            default_outlet,
            sort_key,
        });
    }
}

impl Iterator for People {
    type Item = Batch;

    fn next(&mut self) -> Option<Batch> {
        if self.next >= self.people {
            return None;
        }
        let end = (self.next + PEOPLE_PER_BATCH).min(self.people);
        let mut batch = Batch {
            accounts: Vec::with_capacity(end - self.next),
            memberships: Vec::with_capacity(end - self.next),
            connectors: Vec::with_capacity((end - self.next) * (self.base + 1)),
        };
        for n in self.next..end {
            self.person(n, &mut batch);
        }
        self.next = end;
        Some(batch)
    }
}

//! The demo data set: two organizations (a corporate owner of two brands and a franchisee of
//! one), ten outlets, roles of both types, report roles and 28 people. Loaded only into an
//! empty database, in one transaction, so a second start changes nothing.

use std::collections::HashMap;
use uuid::Uuid;

use super::{Conn, Db, now};
use crate::domain::Permission::{self, *};

fn new_id() -> Uuid {
    Uuid::now_v7()
}

pub const DEMO_PASSWORD: &str = "brigade-demo";

/// The demo sign-ins printed at start-up.
pub const DEMO_LOGINS: [(&str, &str); 4] = [
    (
        "admin@harbor.example",
        "Harbor owner, library user (also a viewer at Northside)",
    ),
    (
        "manager@harbor.example",
        "Outlet Manager at Harbor Burger Pier 39 only",
    ),
    ("owner@northside.example", "Northside owner"),
    (
        "lena.moreau@harbor.example",
        "Staff at Harbor Burger Pier 39: no console permissions, lands on My profile",
    ),
];

/// Every permission: what the owner holds.
const ALL: &[Permission] = &[
    ViewUsers,
    ManageUsers,
    ViewConnectors,
    ManageConnectors,
    ManageRoles,
    ManageApiTokens,
    ManageSettings,
    ManageOutlets,
    ViewAudit,
];
/// An outlet manager runs people and access at their outlet; roles and permissions are the
/// organization's.
const OUTLET_ADMIN: &[Permission] = &[ViewUsers, ManageUsers, ViewConnectors, ManageConnectors];

/// The demo roles. An Area Manager runs access across the group but leaves people's
/// details to the owner (and to outlet managers at their outlets), so the owner stays above
/// them: an Area Manager can neither change nor revoke the owner's access.
const ROLES: [(&str, &str, &str, &[Permission]); 6] = [
    ("Owner", "L", "manager", ALL),
    (
        "Area Manager",
        "L",
        "manager",
        &[ViewUsers, ViewConnectors, ManageConnectors],
    ),
    ("Viewer", "L", "viewer", &[ViewUsers, ViewConnectors]),
    ("Outlet Manager", "O", "manager", OUTLET_ADMIN),
    ("Staff", "O", "viewer", &[]),
    ("Integration", "L", "api", ALL),
];

/// A person of the demo: (email, first, last, password?, status, managed_by, brand, grants).
/// A grant is (role, outlet number or "" for the whole organization).
struct Person {
    org: &'static str,
    email: &'static str,
    first: &'static str,
    last: &'static str,
    can_sign_in: bool,
    active: bool,
    managed_by: &'static str,
    brand: Option<&'static str>,
    grants: &'static [(&'static str, &'static str)],
    report_roles: &'static [&'static str],
}

const fn person(
    org: &'static str,
    email: &'static str,
    first: &'static str,
    last: &'static str,
    grants: &'static [(&'static str, &'static str)],
) -> Person {
    Person {
        org,
        email,
        first,
        last,
        can_sign_in: false,
        active: true,
        managed_by: "console",
        brand: None,
        grants,
        report_roles: &[],
    }
}

const fn signs_in(mut p: Person) -> Person {
    p.can_sign_in = true;
    p
}

const fn inactive(mut p: Person) -> Person {
    p.active = false;
    p
}

const fn api_managed(mut p: Person, brand: Option<&'static str>) -> Person {
    p.managed_by = "api";
    p.brand = brand;
    p
}

const fn reports(mut p: Person, report_roles: &'static [&'static str]) -> Person {
    p.report_roles = report_roles;
    p
}

const H: &str = "harbor";
const N: &str = "northside";

const PEOPLE: &[Person] = &[
    reports(
        signs_in(person(
            H,
            "admin@harbor.example",
            "Avery",
            "Lindqvist",
            &[("Owner", "")],
        )),
        &["Finance", "Operations"],
    ),
    signs_in(person(
        N,
        "admin@harbor.example",
        "Avery",
        "Lindqvist",
        &[("Viewer", "")],
    )),
    signs_in(person(
        H,
        "manager@harbor.example",
        "Morgan",
        "Reyes",
        &[("Outlet Manager", "HB-001")],
    )),
    reports(
        signs_in(person(
            N,
            "owner@northside.example",
            "Nia",
            "Okafor",
            &[("Owner", "")],
        )),
        &["Store Reports", "Labor"],
    ),
    reports(
        person(
            H,
            "dana.whitfield@harbor.example",
            "Dana",
            "Whitfield",
            &[("Area Manager", "")],
        ),
        &["Operations"],
    ),
    person(
        H,
        "felix.grant@harbor.example",
        "Felix",
        "Grant",
        &[("Viewer", "")],
    ),
    person(
        H,
        "sam.patel@harbor.example",
        "Sam",
        "Patel",
        &[("Outlet Manager", "HB-002"), ("Staff", "HB-001")],
    ),
    signs_in(person(
        H,
        "lena.moreau@harbor.example",
        "Lena",
        "Moreau",
        &[("Staff", "HB-001")],
    )),
    person(
        H,
        "omar.haddad@harbor.example",
        "Omar",
        "Haddad",
        &[("Staff", "HB-001"), ("Staff", "HB-003")],
    ),
    person(
        H,
        "grace.kim@harbor.example",
        "Grace",
        "Kim",
        &[("Staff", "HB-002")],
    ),
    person(
        H,
        "tomas.silva@harbor.example",
        "Tomás",
        "Silva",
        &[("Outlet Manager", "HB-003")],
    ),
    person(
        H,
        "ivy.chen@harbor.example",
        "Ivy",
        "Chen",
        &[("Staff", "HB-003")],
    ),
    person(
        H,
        "rosa.delgado@saltline.example",
        "Rosa",
        "Delgado",
        &[("Outlet Manager", "ST-001"), ("Outlet Manager", "ST-002")],
    ),
    person(
        H,
        "marco.bianchi@saltline.example",
        "Marco",
        "Bianchi",
        &[("Staff", "ST-001")],
    ),
    person(
        H,
        "keanu.akana@saltline.example",
        "Keanu",
        "Akana",
        &[("Staff", "ST-002"), ("Outlet Manager", "ST-003")],
    ),
    person(
        H,
        "priya.nair@harbor.example",
        "Priya",
        "Nair",
        &[("Staff", "K-001")],
    ),
    api_managed(
        person(
            H,
            "jules.martin@harbor.example",
            "Jules",
            "Martin",
            &[("Staff", "HB-001")],
        ),
        Some("Harbor Burger"),
    ),
    api_managed(
        person(
            H,
            "ben.osei@saltline.example",
            "Ben",
            "Osei",
            &[("Staff", "ST-003")],
        ),
        Some("Saltline Tacos"),
    ),
    api_managed(
        person(
            H,
            "payroll.sync@harbor.example",
            "Payroll",
            "Sync",
            &[("Integration", "")],
        ),
        None,
    ),
    signs_in(inactive(person(
        H,
        "quinn.former@harbor.example",
        "Quinn",
        "Former",
        &[("Staff", "HB-001")],
    ))),
    inactive(person(
        H,
        "ellis.park@saltline.example",
        "Ellis",
        "Park",
        &[("Staff", "ST-002")],
    )),
    person(
        N,
        "jordan.blake@northside.example",
        "Jordan",
        "Blake",
        &[("Area Manager", "")],
    ),
    person(
        N,
        "mia.novak@northside.example",
        "Mia",
        "Novak",
        &[("Outlet Manager", "NS-101")],
    ),
    person(
        N,
        "luis.ortega@northside.example",
        "Luis",
        "Ortega",
        &[("Staff", "NS-101"), ("Staff", "NS-102")],
    ),
    person(
        N,
        "hana.sato@northside.example",
        "Hana",
        "Sato",
        &[
            ("Outlet Manager", "NS-102"),
            ("Burger Crew Trainer", "NS-103"),
        ],
    ),
    person(
        N,
        "chris.doyle@northside.example",
        "Chris",
        "Doyle",
        &[("Staff", "NS-103")],
    ),
    api_managed(
        person(
            N,
            "aiden.ross@northside.example",
            "Aiden",
            "Ross",
            &[("Staff", "NS-102")],
        ),
        Some("Harbor Burger"),
    ),
    inactive(person(
        N,
        "sofia.reyes@northside.example",
        "Sofia",
        "Reyes",
        &[("Staff", "NS-103")],
    )),
    // one person in both organizations besides the admin: a trainer who works for corporate and the franchisee
    person(
        H,
        "kai.turner@harbor.example",
        "Kai",
        "Turner",
        &[("Staff", "HB-002")],
    ),
    person(
        N,
        "kai.turner@harbor.example",
        "Kai",
        "Turner",
        &[("Staff", "NS-101")],
    ),
];

/// Loads the demo data if the database holds no organization yet. Returns whether it loaded.
/// `password_hash` is the PHC string of [`DEMO_PASSWORD`], hashed once by the caller.
pub async fn load_if_empty(db: &Db, password_hash: &str) -> sqlx::Result<bool> {
    // One write transaction: the check and the load must not race another writer.
    let mut tx = db.write().await?;
    let organizations: i64 = on!(&mut *tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM organizations"
    )
    .fetch_one(c)
    .await)?;
    if organizations > 0 {
        return Ok(false);
    }
    Demo::default().load(&mut tx, password_hash).await?;
    tx.commit().await?;
    Ok(true)
}

#[derive(Default)]
struct Demo {
    organizations: HashMap<&'static str, Uuid>,
    brands: HashMap<&'static str, Uuid>,
    outlets: HashMap<&'static str, Uuid>,
    roles: HashMap<(&'static str, &'static str), Uuid>,
    report_roles: HashMap<(&'static str, &'static str), Uuid>,
    accounts: HashMap<&'static str, Uuid>,
}

impl Demo {
    async fn load(mut self, conn: &mut Conn, password_hash: &str) -> sqlx::Result<()> {
        let at = now();
        for (slug, name, kind) in [
            (H, "Harbor Kitchen Group", "corporate"),
            (N, "Northside Foods", "franchisee"),
        ] {
            let id = new_id();
            on!(execute conn, |c| {
                sqlx::query("INSERT INTO organizations (id, slug, name, kind, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)")
                .bind(id).bind(slug).bind(name).bind(kind).bind(&at)
                .execute(c).await
            })?;
            self.organizations.insert(slug, id);
        }
        for brand in ["Harbor Burger", "Saltline Tacos"] {
            let id = new_id();
            on!(execute conn, |c| {
                sqlx::query("INSERT INTO brands (id, owner_organization_id, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)")
                .bind(id).bind(self.organizations[H]).bind(brand).bind(&at)
                .execute(c).await
            })?;
            self.brands.insert(brand, id);
        }
        on!(execute conn, |c| sqlx::query(
            "INSERT INTO franchisee_brands (organization_id, brand_id) VALUES ($1, $2)"
        )
        .bind(self.organizations[N])
        .bind(self.brands["Harbor Burger"])
        .execute(c)
        .await)?;

        let outlets: [(&str, &str, &str, Option<&str>); 10] = [
            (H, "HB-001", "Harbor Burger Pier 39", Some("Harbor Burger")),
            (
                H,
                "HB-002",
                "Harbor Burger Market Street",
                Some("Harbor Burger"),
            ),
            (H, "HB-003", "Harbor Burger Mission", Some("Harbor Burger")),
            (
                H,
                "ST-001",
                "Saltline Tacos Embarcadero",
                Some("Saltline Tacos"),
            ),
            (H, "ST-002", "Saltline Tacos Castro", Some("Saltline Tacos")),
            (H, "ST-003", "Saltline Tacos Sunset", Some("Saltline Tacos")),
            (H, "K-001", "Harbor Commissary Kitchen", None),
            (
                N,
                "NS-101",
                "Harbor Burger Northgate",
                Some("Harbor Burger"),
            ),
            (N, "NS-102", "Harbor Burger Lakeview", Some("Harbor Burger")),
            (N, "NS-103", "Harbor Burger Fremont", Some("Harbor Burger")),
        ];
        for (org, number, name, brand) in outlets {
            let id = new_id();
            on!(execute conn, |c| {
                sqlx::query("INSERT INTO outlets (id, organization_id, brand_id, name, number, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)")
                .bind(id).bind(self.organizations[org]).bind(brand.map(|b| self.brands[b]))
                .bind(name).bind(number).bind(&at)
                .execute(c).await
            })?;
            self.outlets.insert(number, id);
        }

        for org in [H, N] {
            for (name, kind, partner, permissions) in ROLES {
                self.insert_role(conn, org, None, name, kind, partner, permissions, &at)
                    .await?;
            }
            let report_roles: &[&str] = if org == H {
                &["Finance", "Operations", "Food Cost"]
            } else {
                &["Store Reports", "Labor"]
            };
            for name in report_roles {
                let id = new_id();
                on!(execute conn, |c| {
                    sqlx::query("INSERT INTO report_roles (id, organization_id, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)")
                    .bind(id).bind(self.organizations[org]).bind(name).bind(&at)
                    .execute(c).await
                })?;
                self.report_roles.insert((org, name), id);
            }
        }
        // A brand role: defined by the corporate owner, usable (read-only) by its franchisees.
        let trainer = self
            .insert_role(
                conn,
                H,
                Some("Harbor Burger"),
                "Burger Crew Trainer",
                "O",
                "viewer",
                &[ViewUsers],
                &at,
            )
            .await?;
        self.roles.insert((N, "Burger Crew Trainer"), trainer);

        on!(execute conn, |c| {
            sqlx::query("INSERT INTO connectors (id, organization_id, name, kind, created_at, updated_at) VALUES ($1, $2, 'Payroll HR sync', 'hr', $3, $3), ($4, $2, 'Harbor POS', 'pos', $3, $3)")
            .bind(new_id()).bind(self.organizations[H]).bind(&at).bind(new_id())
            .execute(c).await
        })?;

        for person in PEOPLE {
            self.insert_person(conn, person, password_hash, &at).await?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn insert_role(
        &mut self,
        conn: &mut Conn,
        org: &'static str,
        brand: Option<&str>,
        name: &'static str,
        kind: &str,
        partner_role: &str,
        permissions: &[Permission],
        at: &str,
    ) -> sqlx::Result<Uuid> {
        let id = new_id();
        on!(execute conn, |c| {
            sqlx::query("INSERT INTO roles (id, organization_id, brand_id, name, type, partner_role, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)")
            .bind(id).bind(self.organizations[org]).bind(brand.map(|b| self.brands[b]))
            .bind(name).bind(kind).bind(partner_role).bind(at)
            .execute(c).await
        })?;
        for permission in permissions {
            on!(execute conn, |c| sqlx::query(
                "INSERT INTO role_permissions (role_id, permission) VALUES ($1, $2)"
            )
            .bind(id)
            .bind(permission.code())
            .execute(c)
            .await)?;
        }
        self.roles.insert((org, name), id);
        Ok(id)
    }

    async fn insert_person(
        &mut self,
        conn: &mut Conn,
        person: &Person,
        password_hash: &str,
        at: &str,
    ) -> sqlx::Result<()> {
        let account = match self.accounts.get(person.email) {
            Some(id) => *id,
            None => {
                let id = new_id();
                let username = person.email.split('@').next().unwrap_or(person.email);
                on!(execute conn, |c| {
                    sqlx::query("INSERT INTO user_accounts (id, email, username, first_name, last_name, password_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)")
                    .bind(id).bind(person.email).bind(username).bind(person.first).bind(person.last)
                    .bind(person.can_sign_in.then_some(password_hash)).bind(at)
                    .execute(c).await
                })?;
                self.accounts.insert(person.email, id);
                id
            }
        };
        let membership = new_id();
        let organization = self.organizations[person.org];
        let default_outlet = person
            .grants
            .iter()
            .find(|(_, outlet)| !outlet.is_empty())
            .map(|(_, outlet)| self.outlets[outlet]);
        on!(execute conn, |c| {
            sqlx::query("INSERT INTO memberships (id, organization_id, user_id, status, managed_by, managed_by_brand_id, default_outlet_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)")
            .bind(membership).bind(organization).bind(account)
            .bind(if person.active { "active" } else { "inactive" })
            .bind(person.managed_by).bind(person.brand.map(|b| self.brands[b]))
            .bind(default_outlet).bind(at)
            .execute(c).await
        })?;
        for (role, outlet) in person.grants {
            let (kind, outlet) = if outlet.is_empty() {
                ("L", None)
            } else {
                ("O", Some(self.outlets[outlet]))
            };
            on!(execute conn, |c| {
                sqlx::query("INSERT INTO user_connectors (id, organization_id, membership_id, type, outlet_id, role_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)")
                .bind(new_id()).bind(organization).bind(membership).bind(kind).bind(outlet)
                .bind(self.roles[&(person.org, *role)]).bind(at)
                .execute(c).await
            })?;
        }
        for report_role in person.report_roles {
            on!(execute conn, |c| {
                sqlx::query("INSERT INTO membership_report_roles (membership_id, report_role_id) VALUES ($1, $2)")
                .bind(membership).bind(self.report_roles[&(person.org, *report_role)])
                .execute(c).await
            })?;
        }
        Ok(())
    }
}

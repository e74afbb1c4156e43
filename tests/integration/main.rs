//! Integration tests: each starts the real application on a random port with a fresh
//! temporary database holding the demo data, and talks to it over HTTP.
//! One test binary (modules below) keeps linking to once per build.
//! Tests run on a multi-threaded runtime, as the server does in production. Many apps start
//! in this one process while others serve pages, which is why the route list is generated
//! only once per process (see `server::startup::console_routes`).

mod helpers;

mod accounts;
mod api_connectors;
mod api_me;
mod api_outlets;
mod api_roles;
mod api_users;
mod audit;
mod backup;
mod bad_input;
mod bulk;
mod cli;
mod concurrency;
mod configuration;
mod console_access;
mod console_api_clients;
mod console_edit;
mod console_me;
mod console_people;
mod console_roles;
mod console_scale;
mod console_security;
mod console_sign_in;
mod contract;
mod copy;
mod database;
mod dated_access;
mod franchise;
mod headers;
mod health;
mod invitations;
mod lost_updates;
mod matrix;
mod metrics;
mod outlet_groups;
mod owners;
mod passkeys;
mod password_reset;
mod permissions;
mod rate_limits;
mod refusals;
mod rehires;
mod reports;
mod request_ids;
mod retries;
mod scim;
mod scim_groups;
mod search;
mod servers;
mod setup;
mod sign_ins;
mod sso;
mod synth;
mod two_step;

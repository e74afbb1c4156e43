//! The HTTP application: configuration and start-up (one `build` for `main` and the tests),
//! wiring the adapters (`api`, `console`) to the services with sessions and request guards.
//! No rule lives here.

pub mod client_address;
pub mod config;
pub mod guards;
pub mod headers;
pub mod health;
pub mod metrics;
pub mod request_id;
pub mod secret_key;
pub mod sessions;
pub mod startup;

pub use config::Config;
pub use startup::{Application, build};

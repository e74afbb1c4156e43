//! Brigade: user & access management for multi-location restaurant groups.
//!
//! - `domain`: types, validation and the access policy (both targets, no I/O)
//! - `store` (server): all SQL
//! - `service` (server): the use-cases every face shares
//! - adapters: `api` (server), `console` (Leptos pages and server functions), `cli` (server)
//! - `server` (server): wires the adapters to the services (start-up, sessions, guards)
//!
//! See ARCHITECTURE.md for the map and the invariants.

// Leptos views are deeply nested types.
#![recursion_limit = "256"]

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod cli;
pub mod console;
pub mod domain;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_lazy(console::App);
}

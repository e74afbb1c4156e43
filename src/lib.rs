//! Brigade: user & access management for multi-location restaurant groups.
//!
//! - `domain`: types, validation and the access policy (both targets, no I/O)
//! - `console`: the Leptos admin console and its server functions
//! - `store` (server): all SQL
//! - `server` (server): start-up, configuration, sessions and request guards
//!
//! See ARCHITECTURE.md for the map and the invariants.

// Leptos views are deeply nested types.
#![recursion_limit = "256"]

#[cfg(feature = "ssr")]
pub mod api;
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
    leptos::mount::hydrate_body(console::App);
}

//! The HTTP application: configuration, start-up (one `build` for `main` and the tests),
//! sessions and the request guards, and the password hash type.

pub mod caller;
pub mod config;
pub mod guards;
pub mod mailer;
pub mod password;
pub mod startup;

pub use caller::Caller;
pub use config::Config;
pub use startup::{Application, build};

//! The domain core: types that parse input once, the permission catalogue and the access
//! policy. Pure Rust, compiled for both the server and the browser; no I/O lives here.

pub mod email;
pub mod error;
pub mod model;
pub mod permission;
pub mod policy;
pub mod username;

pub use email::Email;
pub use error::AppError;
pub use permission::Permission;
pub use policy::{Access, Scope};
pub use username::Username;

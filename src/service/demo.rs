//! The demo data set, for `brigade serve --demo`.

use super::{Context, passwords};
use crate::domain::AppError;
use crate::store;

pub use crate::store::demo::{DEMO_LOGINS, DEMO_PASSWORD};

/// Loads the demo data into an empty database; returns whether it did.
pub async fn load_if_empty(context: &Context) -> Result<bool, AppError> {
    let hash = tokio::task::spawn_blocking(|| passwords::hash_demo(DEMO_PASSWORD)).await?;
    Ok(store::demo::load_if_empty(context.db(), &hash).await?)
}

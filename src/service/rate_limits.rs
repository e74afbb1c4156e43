//! API rate limits: each API client may make `per_client` requests a minute, and each client
//! address `per_address` requests a minute without a valid token (so guessing tokens is slow
//! too). Requests are counted in the database, in fixed one-minute windows, so several app
//! servers share one count. The answer says where the caller stands (`RateLimit-*` headers);
//! past the limit it is 429 with `Retry-After`, the seconds left in the window.

use std::net::IpAddr;

use super::Context;
use crate::domain::{AppError, TokenId};
use crate::store;

/// Requests a minute (`BRIGADE_API_RATE_LIMIT`, `BRIGADE_API_ANONYMOUS_RATE_LIMIT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    pub per_client: u32,
    pub per_address: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            per_client: 1200,
            per_address: 60,
        }
    }
}

const WINDOW_SECONDS: i64 = 60;

/// Who is counted.
#[derive(Debug, Clone, Copy)]
pub enum Caller {
    Client(TokenId),
    Address(IpAddr),
}

/// Where a caller stands in the current window, after this request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the window ends and the count starts again (at least 1).
    pub reset: u64,
}

/// Counts one request of `caller`: its quota, or 429 past the limit (the quota is then
/// `remaining: 0`, given with the refusal).
#[tracing::instrument(skip(context))]
pub async fn take(context: &Context, caller: Caller) -> Result<Quota, (AppError, Quota)> {
    let limits = context.settings.rate_limits;
    let (key, limit) = match caller {
        Caller::Client(id) => (format!("client:{id}"), limits.per_client),
        Caller::Address(address) => (format!("address:{address}"), limits.per_address),
    };
    let now = context.now().unix_timestamp();
    let window_start = now - now.rem_euclid(WINDOW_SECONDS);
    let reset = u64::try_from(window_start + WINDOW_SECONDS - now)
        .unwrap_or(1)
        .max(1);
    let counted = async {
        let mut work = context.begin().await?;
        let count = store::rate_limits::count(&mut work, &key, window_start).await?;
        if count == 1 {
            store::rate_limits::forget_before(&mut work, &key, window_start).await?;
        }
        work.commit().await?;
        Ok::<i64, AppError>(count)
    };
    let count = counted.await.map_err(|error| {
        let quota = Quota {
            limit,
            remaining: 0,
            reset,
        };
        (error, quota)
    })?;
    let used = u32::try_from(count).unwrap_or(u32::MAX);
    let quota = Quota {
        limit,
        remaining: limit.saturating_sub(used),
        reset,
    };
    if used > limit {
        metrics::counter!("brigade_throttled_requests_total", "what" => "api").increment(1);
        return Err((
            AppError::TooManyRequests {
                retry_after: reset,
                message: format!(
                    "Too many requests: at most {limit} a minute. Try again in {reset} s."
                ),
            },
            quota,
        ));
    }
    Ok(quota)
}

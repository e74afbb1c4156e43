//! API rate limits: each API client may make `per_client` requests a minute, and each client
//! address `per_address` requests a minute without a valid token (so guessing tokens is slow
//! too). Requests are counted in the database, in fixed one-minute windows, so several app
//! servers share one count. The answer says where the caller stands (`RateLimit-*` headers);
//! past the limit it is 429 with `Retry-After`, the seconds left in the window.
//!
//! A server does not write once per request: it counts ahead in blocks of a fiftieth of the
//! limit (at least one), taking a block's numbers from the shared count in one statement and
//! handing them out from memory. Every number is taken once across all servers and none above
//! the limit is let through, so a caller never gets past its limit; with several servers it may
//! be refused up to a block per server early, when those servers hold numbers it did not use.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use super::Context;
use crate::domain::{AppError, TokenId};
use crate::store;

/// Requests a minute (`BRIGADE_API_RATE_LIMIT`, `BRIGADE_API_ANONYMOUS_RATE_LIMIT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    pub per_client: u32,
    pub per_address: u32,
    /// Requests a minute of one SCIM connection (`BRIGADE_SCIM_RATE_LIMIT`): identity
    /// providers send bursts (Entra ID up to 25 a second per tenant), far above an API client.
    pub per_scim_connection: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            per_client: 1200,
            per_address: 60,
            per_scim_connection: 12_000,
        }
    }
}

const WINDOW_SECONDS: i64 = 60;

/// The numbers of a caller's count this server has taken from the database and not handed
/// out yet: `next..=last` of the window starting at `window_start`.
#[derive(Debug, Clone, Copy)]
struct Lease {
    window_start: i64,
    next: i64,
    last: i64,
}

/// This server's leases, by caller key (one `Context` holds them for every request), and
/// the turn to take a new block: requests that find their lease spent at the same moment wait
/// for one of them to take a block and share it, instead of each taking one (a burst of 32
/// would otherwise take 32 blocks, most of the limit, at once).
#[derive(Debug, Default)]
pub struct Leases {
    held: Mutex<HashMap<String, Lease>>,
    refill: tokio::sync::Mutex<()>,
}

impl Leases {
    /// The next number of `key` in the window, if this server holds one.
    fn hand_out(&self, key: &str, window_start: i64) -> Option<i64> {
        let mut leases = self
            .held
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let lease = leases.get_mut(key)?;
        if lease.window_start != window_start || lease.next > lease.last {
            return None;
        }
        lease.next += 1;
        Some(lease.next - 1)
    }

    /// Keeps `first..=last` of the window, the first handed out already; leases of past windows
    /// are dropped.
    fn keep(&self, key: &str, window_start: i64, first: i64, last: i64) {
        let mut leases = self
            .held
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        leases.retain(|_, lease| lease.window_start >= window_start);
        leases.insert(
            key.to_string(),
            Lease {
                window_start,
                next: first + 1,
                last,
            },
        );
    }
}

/// How many numbers a server takes at once for a limit.
fn block(limit: u32) -> i64 {
    i64::from((limit / 50).max(1))
}

/// Who is counted.
#[derive(Debug, Clone, Copy)]
pub enum Caller {
    Client(TokenId),
    Scim(TokenId),
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
    let limits = context.shared.settings.rate_limits;
    let (key, limit) = match caller {
        Caller::Client(id) => (format!("client:{id}"), limits.per_client),
        Caller::Scim(id) => (format!("scim:{id}"), limits.per_scim_connection),
        Caller::Address(address) => (format!("address:{address}"), limits.per_address),
    };
    let now = context.now().unix_timestamp();
    let window_start = now - now.rem_euclid(WINDOW_SECONDS);
    let reset = u64::try_from(window_start + WINDOW_SECONDS - now)
        .unwrap_or(1)
        .max(1);
    let leases = context.rate_limit_leases();
    let counted = async {
        if let Some(number) = leases.hand_out(&key, window_start) {
            return Ok(number);
        }
        let _turn = leases.refill.lock().await;
        // Another request may have taken a block while this one waited for its turn.
        if let Some(number) = leases.hand_out(&key, window_start) {
            return Ok(number);
        }
        let block = block(limit);
        let mut work = context.begin().await?;
        let last = store::rate_limits::count(&mut work, &key, window_start, block).await?;
        let first = last - block + 1;
        if first == 1 {
            store::rate_limits::forget_before(&mut work, &key, window_start).await?;
        }
        work.commit().await?;
        leases.keep(&key, window_start, first, last);
        Ok::<i64, AppError>(first)
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

//! Safe retries: a `POST` sent with an `Idempotency-Key` is answered once. The key is claimed
//! in the unit of work that writes, and the answer recorded there before it commits, so:
//! a retry within 24 hours gets the first answer and writes nothing; a retry that arrives
//! while the first is still running waits for it (SQLite: writers take turns; PostgreSQL: the
//! claim waits on the first one's uncommitted row), on whichever app server; a first attempt
//! that failed left nothing behind, so its retry runs afresh. The same key with another
//! request (method, path or body) is refused (422).

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::Work;
use crate::domain::AppError;
use crate::store;

/// How long an answer is kept for retries.
pub const KEPT_SECONDS: i64 = 24 * 60 * 60;

/// A request's key: whose (an API client), the key it sent, and what it asked.
#[derive(Debug, Clone)]
pub struct Key {
    client: String,
    key: String,
    fingerprint: String,
}

impl Key {
    /// `client` names the caller (an API client's token id), `request` the operation (method
    /// and path), `body` what was sent (as parsed, so spacing and member order do not make
    /// two requests differ).
    pub fn new(client: String, key: String, request: &str, body: &impl Serialize) -> Self {
        let mut hash = Sha256::new();
        hash.update(request.as_bytes());
        hash.update([0]);
        hash.update(serde_json::to_vec(body).unwrap_or_default());
        Key {
            client,
            key,
            fingerprint: hex::encode(hash.finalize()),
        }
    }
}

/// An answer as sent: status, JSON body, entity tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub etag: Option<String>,
}

/// What a claim found.
#[derive(Debug)]
pub enum Claim {
    /// The key is this work's: run the request and [`remember`] its answer.
    Fresh,
    /// The request was answered before: this is its answer.
    Replay(Answer),
}

/// Claims `key` (for `item`: 0 for a request, 1 + index for an item of a bulk request) in
/// `work`.
#[tracing::instrument(skip(work, key), fields(key = %key.key))]
pub async fn claim(work: &mut Work, key: &Key, item: i64) -> Result<Claim, AppError> {
    let now = work.now().unix_timestamp();
    let expired_before = now - KEPT_SECONDS;
    if item <= 1 {
        store::idempotency::forget_before(work, &key.client, expired_before).await?;
    }
    if store::idempotency::claim(
        work,
        &key.client,
        &key.key,
        item,
        &key.fingerprint,
        now,
        expired_before,
    )
    .await?
    {
        return Ok(Claim::Fresh);
    }
    let stored = store::idempotency::stored(work, &key.client, &key.key, item).await?;
    match stored {
        Some((fingerprint, _, _, _)) if fingerprint != key.fingerprint => Err(AppError::refused(
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was used for another request: send a new key for a new request.",
        )),
        Some((_, Some(status), Some(body), etag)) => Ok(Claim::Replay(Answer {
            status: u16::try_from(status).unwrap_or(500),
            body,
            etag,
        })),
        // Claimed and not answered: only a transaction that has not ended holds such a row,
        // and none is visible to another; refuse rather than guess.
        _ => Err(AppError::conflict(
            "idempotency_key_in_use",
            "A request with this key is still being answered: retry in a moment.",
        )),
    }
}

/// Records the answer of a claimed key, in the work that claimed it.
pub async fn remember(
    work: &mut Work,
    key: &Key,
    item: i64,
    answer: &Answer,
) -> Result<(), AppError> {
    store::idempotency::answer(
        work,
        &key.client,
        &key.key,
        item,
        i64::from(answer.status),
        &answer.body,
        answer.etag.as_deref(),
    )
    .await?;
    Ok(())
}

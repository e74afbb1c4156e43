//! Delivering queued mail: over SMTP when configured, otherwise as `.eml` files in an outbox
//! folder (development and tests read them there).

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::Path;

use crate::store::{self, Db, mail::QueuedMail};

/// Attempts before a message is left alone (its last error stays in the queue).
const MAX_ATTEMPTS: i64 = 10;

pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(AsyncFileTransport<Tokio1Executor>),
}

#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    #[error("SMTP_URL: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("sender address {0:?}: {1}")]
    From(String, lettre::address::AddressError),
    #[error("outbox {0}: {1}")]
    Outbox(String, std::io::Error),
}

impl Mailer {
    /// SMTP at `smtp_url`, or files in `outbox` when there is none.
    pub fn new(from: &str, smtp_url: Option<&str>, outbox: &Path) -> Result<Self, MailerError> {
        let from = from
            .parse()
            .map_err(|e| MailerError::From(from.to_string(), e))?;
        let transport = match smtp_url {
            Some(url) => {
                Transport::Smtp(AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?.build())
            }
            None => {
                std::fs::create_dir_all(outbox)
                    .map_err(|e| MailerError::Outbox(outbox.display().to_string(), e))?;
                Transport::Outbox(AsyncFileTransport::new(outbox))
            }
        };
        Ok(Self { from, transport })
    }

    async fn send(&self, mail: &QueuedMail) -> Result<(), String> {
        let to: Mailbox = mail
            .recipient
            .parse()
            .map_err(|e| format!("recipient address: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|e| e.to_string())?;
        match &self.transport {
            Transport::Smtp(smtp) => smtp
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Transport::Outbox(files) => files
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
        }
    }
}

/// How long a server holds the messages it claimed before another may try them.
const CLAIM: time::Duration = time::Duration::minutes(5);

/// Delivers queued mail: the messages `ids`, or with `None` every message that has waited
/// over a minute. The messages are claimed first (any app server may be delivering from the
/// same queue); each attempt is recorded; failures are logged and retried later.
pub(super) async fn deliver(db: &Db, mailer: &Mailer, ids: Option<&[uuid::Uuid]>) {
    let now = time::OffsetDateTime::now_utc();
    let overdue = store::format_timestamp(now - time::Duration::minutes(1));
    let until = store::format_timestamp(now + CLAIM);
    let pending = async {
        let mut tx = db.write().await?;
        let claimed = store::mail::claim(&mut tx, ids, &overdue, MAX_ATTEMPTS, &until).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(claimed)
    }
    .await;
    let pending = match pending {
        Ok(pending) => pending,
        Err(error) => {
            tracing::error!(%error, "cannot read the mail queue");
            return;
        }
    };
    for mail in pending {
        let outcome = mailer.send(&mail).await;
        match &outcome {
            Ok(()) => metrics::counter!("brigade_mail_total", "outcome" => "sent").increment(1),
            Err(error) => {
                metrics::counter!("brigade_mail_total", "outcome" => "failed").increment(1);
                tracing::error!(%error, to = %mail.recipient, "mail not delivered; it stays queued");
            }
        }
        let recorded = async {
            let mut tx = db.write().await?;
            store::mail::mark(&mut tx, mail.id, outcome.as_ref().err().map(String::as_str)).await?;
            tx.commit().await
        };
        if let Err(error) = recorded.await {
            tracing::error!(%error, "cannot record a mail delivery");
        }
    }
}

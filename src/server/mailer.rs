//! The one way mail leaves Brigade: SMTP when `SMTP_URL` is set, otherwise `.eml` files in the
//! outbox folder (development and tests read them there).

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::Config;

pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(AsyncFileTransport<Tokio1Executor>),
}

pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
}

impl Mailer {
    pub fn from_config(config: &Config) -> Result<Self, String> {
        match &config.smtp_url {
            Some(url) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map(|builder| Mailer::Smtp(builder.build()))
                .map_err(|e| format!("SMTP_URL: {e}")),
            None => {
                std::fs::create_dir_all(&config.outbox_dir)
                    .map_err(|e| format!("outbox {}: {e}", config.outbox_dir.display()))?;
                Ok(Mailer::Outbox(AsyncFileTransport::new(&config.outbox_dir)))
            }
        }
    }

    pub async fn send(&self, from: &str, mail: Mail) -> Result<(), String> {
        let from: Mailbox = from.parse().map_err(|e| format!("sender address: {e}"))?;
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| format!("recipient address: {e}"))?;
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.text)
            .map_err(|e| e.to_string())?;
        match self {
            Mailer::Smtp(transport) => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Mailer::Outbox(transport) => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
        }
    }
}

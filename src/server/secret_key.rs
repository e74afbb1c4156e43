//! Where the server's secret key comes from: `BRIGADE_SECRET_KEY`, or on SQLite a key file
//! beside the database (`data/brigade.db.key`), made on first start with mode 0600. On
//! PostgreSQL several servers must share one key, so start-up refuses without the variable.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::service::sealing::SecretKey;
use crate::store::Backend;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{0}")]
    Invalid(String),
    #[error(
        "BRIGADE_SECRET_KEY is required on PostgreSQL: every server must seal and open secrets with the same key. Make one with `openssl rand -base64 32` and give it to every server."
    )]
    MissingOnPostgres,
    #[error("the key file {path}: {error}")]
    File {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("the key file {0} does not hold a key: {1}")]
    FileInvalid(PathBuf, String),
}

/// The key file of a SQLite database: beside it, named after it.
pub fn key_file(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".key");
    PathBuf::from(name)
}

/// The server's key: the variable when set; else, on SQLite, the key file (made when
/// missing); an in-memory database gets a key of its own life.
pub fn resolve(variable: Option<&str>, database_url: &str) -> Result<SecretKey, KeyError> {
    if let Some(text) = variable {
        return SecretKey::parse(text).map_err(KeyError::Invalid);
    }
    if Backend::of_url(database_url) == Some(Backend::Postgres) {
        return Err(KeyError::MissingOnPostgres);
    }
    let Some(database) = Backend::sqlite_file(database_url) else {
        return Ok(SecretKey::generate().0);
    };
    let path = key_file(&database);
    let file_error = |error| KeyError::File {
        path: path.clone(),
        error,
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => SecretKey::parse(&text).map_err(|why| KeyError::FileInvalid(path.clone(), why)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(file_error)?;
            }
            let (key, text) = SecretKey::generate();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            match options.open(&path) {
                Ok(mut file) => {
                    file.write_all(format!("{text}\n").as_bytes())
                        .and_then(|()| file.sync_all())
                        .map_err(file_error)?;
                    tracing::info!(path = %path.display(), "made the secret key file: back it up with the database");
                    Ok(key)
                }
                // Another process made it first: use theirs.
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                    let text = std::fs::read_to_string(&path).map_err(file_error)?;
                    SecretKey::parse(&text).map_err(|why| KeyError::FileInvalid(path.clone(), why))
                }
                Err(error) => Err(file_error(error)),
            }
        }
        Err(error) => Err(file_error(error)),
    }
}

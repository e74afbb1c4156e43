//! The `brigade` binary: see `brigade --help` and `cli`.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    brigade::cli::main().await
}

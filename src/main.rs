//! The `brigade` binary: see `brigade --help` and `cli`.

/// mimalloc for the whole process (its `override` feature serves SQLite's C allocations too).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    brigade::cli::main().await
}

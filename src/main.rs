//! The `brigade` binary: see `brigade --help` and `cli`.

/// mimalloc for the whole process (its `override` feature serves SQLite's C allocations too).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    no_transparent_huge_pages();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the async runtime starts");
    runtime.block_on(brigade::cli::main())
}

/// Keeps the kernel from backing the heap with transparent huge pages, before the runtime's
/// threads start. mimalloc reserves its heap as one large region; where THP is `always` (as
/// on the machines we measure), every page the server touches there was made resident as a
/// whole 2 MB page: after the `make bench` load, 50 of the heap's 65 MB were such pages.
/// The flag (`prctl(PR_SET_THP_DISABLE)`) holds for the whole process and is all it changes.
#[cfg(target_os = "linux")]
fn no_transparent_huge_pages() {
    // SAFETY: `prctl` with `PR_SET_THP_DISABLE` reads no memory of ours; it sets one flag of
    // this process. Its failure (a kernel without it) leaves the default, which is correct.
    let _ = unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
}

#[cfg(not(target_os = "linux"))]
fn no_transparent_huge_pages() {}

//! The `photocheck` command line: a thin layer over the library (see `cli/`).

mod cli;

fn main() -> std::process::ExitCode {
    one_malloc_arena();
    cli::main()
}

/// glibc's allocator gives each thread that allocates an arena of its own (up to 8 per core)
/// and keeps the pages freed in each: the networks load on threads of their own, so a batch
/// kept the freed pages of several arenas resident. One arena keeps peak memory of a one-core
/// batch of 120 suite photos at 61 MB instead of 75 MB (a single photo 51 instead of 60 MB, two
/// cores 68 instead of 88 MB; `tools/vs_peer.sh`), with no measurable loss of speed on two
/// cores: the engine allocates little while it computes. Must run before any thread starts.
/// Other platforms and allocators: nothing to do.
fn one_malloc_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; it is called before any other thread
    // exists, and a refusal (return 0) leaves the default, which is correct too.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

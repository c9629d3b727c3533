//! Shared by the test modules: the CLI as a child process, and the gate that lets a test that
//! measures the machine run alone.

#[cfg(feature = "serve")]
pub mod http;
#[cfg(feature = "serve")]
pub mod serve;
#[cfg(feature = "serve")]
pub mod webdriver;

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// The CLI (the binary cargo built for these tests), in English whatever the machine's
/// locale (the language comes from LANG).
pub fn photocheck() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_photocheck"));
    c.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C");
    c
}

/// Runs `command` with `input` on its stdin; its output.
pub fn output_with_stdin(command: &mut Command, input: &[u8]) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    // From another thread, so that a child that writes much before reading all of its input
    // cannot block on a full pipe.
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().expect("runs");
    writer.join().unwrap().expect("writes stdin");
    out
}

/// Held for reading by every test while it runs, for writing by a test that must run alone.
static MACHINE: RwLock<()> = RwLock::new(());

/// A test's share of the machine: tests holding one run side by side, but not beside a test
/// that holds [`Alone`]. Every test takes it first thing: `let _machine = crate::common::share();`
/// (never twice on one thread: a second read waits behind a waiting writer).
///
/// A plain struct (not the guard itself) so that holding it across `.await` in a
/// `#[tokio::test]` is clearly intended: the test body runs on the test's own thread
/// (`block_on`), and no task of that runtime ever takes the lock.
pub struct Share {
    _guard: RwLockReadGuard<'static, ()>,
}

/// The whole machine, for a test whose figures would be skewed by others running beside it
/// (the service's load test). Waits for the tests running now to finish; tests that start
/// meanwhile wait for it.
pub struct Alone {
    _guard: RwLockWriteGuard<'static, ()>,
}

pub fn share() -> Share {
    // A test that panicked while holding the lock poisons it; the next tests still run.
    Share {
        _guard: MACHINE.read().unwrap_or_else(PoisonError::into_inner),
    }
}

pub fn alone() -> Alone {
    Alone {
        _guard: MACHINE.write().unwrap_or_else(PoisonError::into_inner),
    }
}

//! A 100,000-file batch runs in bounded memory: the heap's peak during the batch does not
//! grow with the number of files. A counting allocator measures live heap bytes; the batch is
//! a synthetic list of repeated fixtures (one real photo per 1,000 entries, the rest files
//! that are not photos, empty files and missing paths, which are cheap to check but make a
//! report each).
//!
//! The counting allocator is the allocator of the whole test binary, so the test measures in
//! a child process of that binary that runs this one test alone (`--exact`, one thread): no
//! other test's allocations are counted.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use photocheck::batch::{BatchOptions, Input, check_inputs};
use photocheck::report::Summary;
use photocheck::{Engine, Spec};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to the system allocator unchanged; only sizes are counted.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Checks `inputs` with 2 jobs, streaming JSON reports to nowhere; returns the peak of live
/// heap bytes above the level at the start, and the number of reports delivered in order.
fn peak_during(engine: &Engine, spec: &Spec, inputs: &[Input]) -> (usize, usize) {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let mut summary = Summary::default();
    let mut out = std::io::sink();
    let mut delivered = 0usize;
    let options = BatchOptions {
        jobs: 2,
        ..Default::default()
    };
    check_inputs(engine, spec, inputs, &options, |r| {
        assert_eq!(
            r.file,
            label(&inputs[delivered]),
            "reports come in input order"
        );
        delivered += 1;
        summary.add(&r);
        serde_json::to_writer(&mut out, &r)?;
        out.write_all(b"\n")
    })
    .expect("batch runs");
    (PEAK.load(Ordering::Relaxed) - base, delivered)
}

fn label(input: &Input) -> String {
    match input {
        Input::File(p) | Input::Missing(p) => p.display().to_string(),
        other => format!("{other:?}"),
    }
}

/// Set in the child process that measures.
const CHILD: &str = "PHOTOCHECK_BATCH_MEMORY_CHILD";

#[test]
fn a_100k_file_batch_runs_in_bounded_memory() {
    if std::env::var_os(CHILD).is_some() {
        measure();
        return;
    }
    let _machine = crate::common::share();
    // This test's name as the harness knows it (`batch_memory::a_100k_...`: the module path
    // without the crate's name).
    let name = concat!(module_path!(), "::a_100k_file_batch_runs_in_bounded_memory")
        .split_once("::")
        .unwrap()
        .1;
    let out = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([name, "--exact", "--test-threads=1", "--nocapture"])
        .env(CHILD, "1")
        .output()
        .expect("runs the test binary");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    // The figures, shown with the harness's output (`--nocapture`, or when the test fails).
    eprint!("{stderr}");
    assert!(
        out.status.success(),
        "the measuring child process failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("test result: ok. 1 passed"),
        "the child process did not run the test:\n{stdout}"
    );
}

/// The measurement, in the child process.
fn measure() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = dir.path().join("notes.jpg");
    std::fs::write(&text, "not a photo\n").unwrap();
    let empty = dir.path().join("empty.jpg");
    std::fs::write(&empty, b"").unwrap();
    let missing = dir.path().join("missing.jpg");
    let photos: Vec<PathBuf> = std::fs::read_dir("fixtures/made")
        .expect("fixtures")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jpg"))
        .collect();
    assert!(!photos.is_empty());
    let list = |n: usize| -> Vec<Input> {
        (0..n)
            .map(|i| {
                let p = match i % 3 {
                    _ if i % 1000 == 0 => photos[(i / 1000) % photos.len()].clone(),
                    0 => text.clone(),
                    1 => empty.clone(),
                    _ => missing.clone(),
                };
                Input::File(p)
            })
            .collect()
    };
    let engine = Engine::new().expect("models");
    let spec = Spec::preset("cn-driving-licence").expect("preset");
    let small = list(2_000);
    let (peak_small, n_small) = peak_during(&engine, &spec, &small);
    let large = list(100_000);
    let (peak_large, n_large) = peak_during(&engine, &spec, &large);
    assert_eq!((n_small, n_large), (2_000, 100_000));
    eprintln!(
        "heap peak above start: {:.1} MB for 2,000 files, {:.1} MB for 100,000 files",
        peak_small as f64 / 1e6,
        peak_large as f64 / 1e6
    );
    // The same photos are in flight in both batches; 50x more files must not cost more
    // memory (a batch that kept reports would need hundreds of MB here).
    assert!(
        peak_large <= peak_small + peak_small / 2 + (1 << 20),
        "peak {peak_large} bytes for 100,000 files vs {peak_small} for 2,000"
    );
}

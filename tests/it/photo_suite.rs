//! Accuracy over the photo suite with hand-measured truth (`../shared/photo-suite`), against
//! the targets of the end-to-end issue. Prints the figures on stderr (shown without
//! `--nocapture`).
//!
//! When the suite is absent the test passes with a `SKIPPED` line on stderr, unless
//! `PHOTOCHECK_REQUIRE_SUITE` is set (`.ci/run` sets it): then a missing suite fails it.

use std::path::Path;

use photocheck::{Engine, Spec};
use rayon::prelude::*;
use serde_json::Value;

const SUITE: &str = "../shared/photo-suite";
/// When set (to anything but `0` or empty), a missing suite fails the test.
const REQUIRE: &str = "PHOTOCHECK_REQUIRE_SUITE";

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

fn share_within(v: &[f64], limit: f64) -> f64 {
    v.iter().filter(|e| **e <= limit).count() as f64 / v.len().max(1) as f64
}

#[test]
fn photo_suite_accuracy() {
    let _machine = crate::common::share();
    let truth_path = Path::new(SUITE).join("truth.jsonl");
    let text = match std::fs::read_to_string(&truth_path) {
        Ok(text) => text,
        Err(e) => {
            let why = format!(
                "{}: {e} (the photo suite lives beside the repository, see ../shared/DESIGN.md)",
                truth_path.display()
            );
            if std::env::var_os(REQUIRE).is_some_and(|v| !v.is_empty() && v != "0") {
                panic!("the photo suite is required ({REQUIRE} is set) but missing: {why}");
            }
            // Straight to stderr: the harness captures `eprintln!` of a passing test, not this.
            use std::io::Write as _;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED photo_suite::photo_suite_accuracy: {why}; set {REQUIRE}=1 to fail instead"
            );
            return;
        }
    };
    let truth: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let engine = Engine::new().unwrap();
    let spec = Spec::preset("cn-driving-licence").unwrap();
    let reports: Vec<(Value, photocheck::FileReport)> = truth
        .par_iter()
        .map(|t| {
            let file = Path::new(SUITE).join(t["file"].as_str().unwrap());
            (t.clone(), engine.check_file(&file, &spec))
        })
        .collect();

    let (mut len_err, mut width_err, mut crown_err, mut chin_err) =
        (vec![], vec![], vec![], vec![]);
    let mut hair_share: Vec<f64> = vec![];
    let rules = [
        ("head_length_ok", "head_length"),
        ("top_margin_ok", "crown_margin"),
        ("white_background_ok", "background_white"),
        ("colour_ok", "colour_photo"),
        ("single_face_ok", "single_face"),
        ("centred_ok", "head_centred"),
    ];
    let mut agree = vec![(0usize, 0usize); rules.len()];
    for (t, r) in &reports {
        assert_ne!(
            r.verdict,
            photocheck::Verdict::Error,
            "{}: {:?}",
            r.file,
            r.error
        );
        let m = r.measurements.as_ref().unwrap();
        let single = t["faces"].as_u64() == Some(1);
        let h = t["height_px"].as_f64().unwrap();
        if single {
            len_err.push((m.head_length_mm.unwrap() - t["head_length_mm"].as_f64().unwrap()).abs());
            crown_err.push((m.crown_y_px.unwrap() - t["crown_y"].as_f64().unwrap()).abs() / h);
            chin_err.push((m.chin_y_px.unwrap() - t["chin_y"].as_f64().unwrap()).abs() / h);
            let skull = m.skull_top_y_px.unwrap();
            hair_share.push((skull - m.crown_y_px.unwrap()) / m.head_length_px.unwrap());
            if let (Some(w), Some(tw)) = (m.head_width_ears_mm, t["ear_outer_width_mm"].as_f64()) {
                width_err.push((w - tw).abs());
            }
        }
        if t["borderline"].as_bool() == Some(true) || t["crown_sensitive"].as_bool() == Some(true) {
            continue;
        }
        for (k, (field, id)) in rules.iter().enumerate() {
            let expected = if *field == "centred_ok" {
                if !single {
                    continue;
                }
                t["shift_frac"].as_f64().unwrap_or(0.0).abs() <= 0.05
            } else {
                t[*field].as_bool().unwrap()
            };
            let got = r.checks.iter().find(|c| c.id == *id).map(|c| {
                matches!(
                    c.status,
                    photocheck::checks::Status::Pass | photocheck::checks::Status::Warn
                )
            });
            agree[k].1 += 1;
            agree[k].0 += usize::from(got == Some(expected));
        }
    }
    let measured_width = width_err.len();
    // Figures go straight to stderr so that CI logs show them (the harness hides println!).
    macro_rules! println {
        ($($t:tt)*) => {{
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), $($t)*);
        }};
    }
    println!("photo suite: {} images", reports.len());
    let p95 = |v: &[f64]| {
        let mut s = v.to_vec();
        s.sort_by(f64::total_cmp);
        s[((s.len() - 1) as f64 * 0.95) as usize]
    };
    println!(
        "  head length MAE {:.3} mm over {} images, p95 {:.3} mm (target <= 0.3)",
        mean(&len_err),
        len_err.len(),
        p95(&len_err)
    );
    println!(
        "  head width (ears) MAE {:.3} mm over {} images, {} with an ear hidden (target <= 0.5)",
        mean(&width_err),
        measured_width,
        len_err.len() - measured_width
    );
    println!(
        "  crown error p95 {:.2} % of height, chin error p95 {:.2} %",
        100.0 * p95(&crown_err),
        100.0 * p95(&chin_err)
    );
    println!(
        "  crown within 1.5 % of height: {:.1} % of images (target >= 95)",
        100.0 * share_within(&crown_err, 0.015)
    );
    println!(
        "  chin within 1.5 % of height: {:.1} % of images (target >= 95)",
        100.0 * share_within(&chin_err, 0.015)
    );
    for ((_, id), (good, n)) in rules.iter().zip(&agree) {
        println!(
            "  {id:<17} agreement {:.1} % ({good}/{n}) (target >= 98)",
            100.0 * *good as f64 / *n as f64
        );
    }
    hair_share.sort_by(f64::total_cmp);
    let median_hair = hair_share[hair_share.len() / 2];
    let plausible = share_within(&hair_share, 0.25);
    println!(
        "  skull-top estimate: hair above it {:.1} % of the head length (median), within 0-25 % on {:.1} % of faces",
        100.0 * median_hair,
        100.0 * plausible
    );
    // Hair on top of an adult head is a few percent of the head length; the estimate must sit
    // inside the head (never above the hair crown) and not implausibly far below it.
    assert!(hair_share[0] >= 0.0);
    assert!((0.02..=0.12).contains(&median_hair), "{median_hair}");
    assert!(plausible >= 0.98, "{plausible}");
    assert!(mean(&len_err) <= 0.3);
    assert!(mean(&width_err) <= 0.5);
    assert!(
        measured_width * 10 >= len_err.len() * 8,
        "ear width measured on too few faces"
    );
    assert!(share_within(&crown_err, 0.015) >= 0.95);
    assert!(share_within(&chin_err, 0.015) >= 0.95);
    for ((_, id), (good, n)) in rules.iter().zip(&agree) {
        assert!(*good as f64 >= 0.98 * *n as f64, "{id}: {good}/{n}");
    }
    // Issue 13: the suite's compliant photos (the five truth rules met; off-centre, smiling
    // and every head width included) pass overall, with every rule of the preset.
    let compliant: Vec<_> = reports
        .iter()
        .filter(|(t, _)| t["expected_pass"].as_bool() == Some(true))
        .collect();
    let passed = compliant
        .iter()
        .filter(|(_, r)| r.verdict == photocheck::Verdict::Pass)
        .count();
    println!(
        "  compliant photos passing overall: {passed} of {} ({:.1} %, target >= 95)",
        compliant.len(),
        100.0 * passed as f64 / compliant.len() as f64
    );
    assert!(
        passed * 100 >= compliant.len() * 95,
        "{passed}/{}",
        compliant.len()
    );
}

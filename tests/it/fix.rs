//! `fix` (issue 14): on the photo suite's one-person photos, the hand-measured crown and chin
//! mapped through `source_to_output` land the head length and the space above the head in
//! their bands, and the fixed photo's own check passes those rules; on the fixtures, the
//! transform and the re-check.

use std::path::Path;

use photocheck::{Engine, Spec, Verdict};
use rayon::prelude::*;
use serde_json::Value;

const SUITE: &str = "../shared/photo-suite";

fn status(r: &photocheck::FileReport, id: &str) -> Option<photocheck::checks::Status> {
    r.checks.iter().find(|c| c.id == id).map(|c| c.status)
}

#[test]
fn fixed_suite_photos_meet_the_frame_rules() {
    let _machine = crate::common::share();
    let Ok(text) = std::fs::read_to_string(Path::new(SUITE).join("truth.jsonl")) else {
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED fix::fixed_suite_photos_meet_the_frame_rules: no photo suite"
        );
        assert!(
            std::env::var_os("PHOTOCHECK_REQUIRE_SUITE").is_none_or(|v| v.is_empty() || v == "0")
        );
        return;
    };
    let truth: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|t: &Value| t["faces"].as_u64() == Some(1))
        // Heads too large for their frame are reported apart: fixed or refused, never
        // stretched.
        .filter(|t: &Value| !t["file"].as_str().unwrap().contains("len_large"))
        .collect();
    let engine = Engine::new().unwrap();
    let spec = Spec::preset("cn-driving-licence").unwrap();
    let (lo, hi) = (19.0, 22.0);
    let (m_lo, m_hi) = (10.0 / 378.0 * 32.0, 20.0 / 378.0 * 32.0);
    // Per photo: (fixed, truth length ok, truth margin ok, re-check length+margin pass,
    // re-check head width pass, what).
    let results: Vec<(bool, bool, bool, bool, bool, String)> = truth
        .par_iter()
        .map(|t| {
            let file = t["file"].as_str().unwrap();
            let bytes = std::fs::read(Path::new(SUITE).join(file)).unwrap();
            let out = engine.fix_bytes(file, &bytes, &spec);
            let Some(plan) = out.plan else {
                return (
                    false,
                    false,
                    false,
                    false,
                    false,
                    format!("{file}: {:?}", out.reason),
                );
            };
            let mm = 32.0 / f64::from(plan.height_px);
            let crown = plan.map(
                t["crown_x"].as_f64().unwrap(),
                t["crown_y"].as_f64().unwrap(),
            );
            let chin = plan.map(t["chin_x"].as_f64().unwrap(), t["chin_y"].as_f64().unwrap());
            let length = (chin.1 - crown.1) * mm;
            let margin = crown.1 * mm;
            let after = out.after.unwrap();
            let rechecked = status(&after, "head_length") == Some(photocheck::checks::Status::Pass)
                && status(&after, "crown_margin") == Some(photocheck::checks::Status::Pass);
            (
                true,
                (lo..=hi).contains(&length),
                (m_lo..=m_hi).contains(&margin),
                rechecked,
                status(&after, "head_width") == Some(photocheck::checks::Status::Pass),
                format!(
                    "{file}: length {length:.2} mm, margin {margin:.2} mm, re-check {rechecked}"
                ),
            )
        })
        .collect();
    let n = results.len();
    let fixed = results.iter().filter(|r| r.0).count();
    let both = results.iter().filter(|r| r.1 && r.2).count();
    let rechecked = results.iter().filter(|r| r.3).count();
    let width = results.iter().filter(|r| r.4).count();
    use std::io::Write as _;
    let mut err = std::io::stderr();
    let _ = writeln!(
        err,
        "fix on the photo suite ({n} one-person photos): {fixed} fixed, {} refused",
        n - fixed
    );
    let _ = writeln!(
        err,
        "  truth head length in 19-22 mm and crown margin in band: {both} of {n} ({:.1} %)",
        100.0 * both as f64 / n as f64
    );
    let _ = writeln!(
        err,
        "  fixed photo's own check passes head_length and crown_margin: {rechecked} of {n} ({:.1} %)",
        100.0 * rechecked as f64 / n as f64
    );
    let _ = writeln!(
        err,
        "  fixed photo's own check passes head_width (a warning in this spec): {width} of {n}"
    );
    for r in results.iter().filter(|r| !(r.1 && r.2 && r.3)).take(12) {
        let _ = writeln!(err, "    {}", r.5);
    }
    assert!(both * 100 >= n * 95, "{both}/{n}");
    assert!(rechecked * 100 >= n * 95, "{rechecked}/{n}");
}

/// `fix` of `fixtures/made/NAME.jpg` under the default spec.
fn fix_fixture(name: &str) -> photocheck::fix::FixOutcome {
    let engine = Engine::new().unwrap();
    let spec = Spec::preset("cn-driving-licence").unwrap();
    let bytes = std::fs::read(format!("fixtures/made/{name}.jpg")).unwrap();
    engine.fix_bytes(name, &bytes, &spec)
}

#[test]
fn a_small_head_is_fixed_and_rechecked() {
    let _machine = crate::common::share();
    let out = fix_fixture("astronaut_head_small");
    assert_eq!(out.before.verdict, Verdict::Fail);
    let plan = out.plan.expect("fixed");
    // The output is the print size at 300 dpi (11.8 px per mm): 260 x 378 px.
    assert_eq!((plan.width_px, plan.height_px), (260, 378));
    // A head 17.2 mm long and 11.4-11.6 mm wide (her covered ears read a little differently
    // from build to build) is enlarged until the width is at its band's lower end (14-14.25
    // mm) while the length keeps its 0.5 mm margin (21.5 mm at most): about 1.25 times. At
    // these proportions the two bands meet only without the fix's margins, and the length
    // keeps its margin at the end nearest the width's band.
    assert!((plan.scale - 14.25 / 11.44).abs() < 0.03, "{}", plan.scale);
    let after = out.after.expect("re-checked");
    // `head_width` is measured at the outer ears, which her bob covers (fixtures/expected.toml):
    // the ear finder's reading of the enlarged photo lands anywhere from 14.4 to 16.6 mm
    // between runs that differ by a JPEG encoding or a landmark window. What the fix must do is
    // scale the head by the planned factor: the face width at the ear roots, which the mesh
    // measures reliably, grows by it.
    let roots = |r: &photocheck::FileReport| {
        r.measurements
            .as_ref()
            .and_then(|m| m.head_width_ear_roots_mm)
            .expect("ear roots measured")
    };
    let (before_roots, after_roots) = (roots(&out.before), roots(&after));
    assert!(
        (after_roots - before_roots * plan.scale).abs() < 0.3,
        "ear roots {before_roots} mm x {} -> {after_roots} mm",
        plan.scale
    );
    for id in ["head_length", "crown_margin", "head_centred", "half_body"] {
        assert_eq!(
            status(&after, id),
            Some(photocheck::checks::Status::Pass),
            "{id}"
        );
    }
    // The fixed JPEG records its print resolution: 378 px over 32 mm is 300 dpi.
    let dpi = after
        .image
        .as_ref()
        .and_then(|i| i.dpi)
        .expect("a recorded dpi");
    assert!(
        (dpi[0] - 300.0).abs() < 0.5 && (dpi[1] - 300.0).abs() < 0.5,
        "{dpi:?}"
    );
    // Source point -> output point -> source point.
    let (x, y) = plan.unmap(plan.map(100.0, 200.0).0, plan.map(100.0, 200.0).1);
    assert!((x - 100.0).abs() < 1e-6 && (y - 200.0).abs() < 1e-6);
}

#[test]
fn a_face_only_crop_is_refused_with_a_reason() {
    let _machine = crate::common::share();
    let out = fix_fixture("astronaut_face_only");
    assert!(out.plan.is_none() && out.image.is_none());
    let reason = out.reason.unwrap();
    assert!(reason.contains("below the chin"), "{reason}");
}

#[test]
fn a_large_head_is_fixed_or_refused_never_stretched() {
    let _machine = crate::common::share();
    let out = fix_fixture("astronaut_head_large");
    match out.plan {
        // A uniform scale: x and y scaled alike (no stretch), and reduced.
        Some(p) => {
            let [a, b, _, d, e, _] = p.source_to_output;
            assert!((a * a + d * d - (b * b + e * e)).abs() < 1e-9 && p.scale < 1.0);
        }
        None => assert!(out.reason.unwrap().contains("below the chin")),
    }
}

#[test]
fn the_fix_command_writes_beside_never_over_and_reports_json() {
    let _machine = crate::common::share();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("small.jpg");
    std::fs::copy("fixtures/made/astronaut_head_small.jpg", &input).unwrap();
    let original = std::fs::read(&input).unwrap();
    let run = || {
        crate::common::photocheck()
            .args(["fix", "--format", "json"])
            .arg(&input)
            .output()
            .unwrap()
    };
    let out = run();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = &v[0];
    let written = dir.path().join("small.fixed.jpg");
    assert_eq!(r["output"].as_str(), Some(written.to_str().unwrap()));
    assert_eq!(r["before"]["verdict"], "fail");
    assert_eq!(r["after"]["verdict"], "pass");
    assert_eq!(
        (
            r["output_width_px"].as_u64(),
            r["output_height_px"].as_u64()
        ),
        (Some(260), Some(378))
    );
    assert_eq!(r["source_to_output"].as_array().unwrap().len(), 6);
    // The input is untouched; a second run does not overwrite the output, and says so.
    assert_eq!(std::fs::read(&input).unwrap(), original);
    let fixed = std::fs::read(&written).unwrap();
    let again = run();
    assert_eq!(again.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert!(
        v[0]["reason"]
            .as_str()
            .unwrap()
            .contains("never overwritten")
    );
    assert_eq!(std::fs::read(&written).unwrap(), fixed);
}

#[test]
fn a_grey_backdrop_is_painted_white_on_request() {
    let _machine = crate::common::share();
    let engine = Engine::new().unwrap();
    let spec = Spec::preset("cn-driving-licence").unwrap();
    let bytes = std::fs::read("fixtures/made/astronaut_grey_backdrop.jpg").unwrap();
    let lightness = |r: &photocheck::FileReport| {
        r.measurements
            .as_ref()
            .and_then(|m| m.background_lightness)
            .unwrap()
    };
    let kept = engine.fix_bytes("grey", &bytes, &spec);
    let white = engine.fix_bytes_with("grey", &bytes, &spec, true);
    let (before, kept, white) = (
        lightness(&white.before),
        lightness(kept.after.as_ref().unwrap()),
        lightness(white.after.as_ref().unwrap()),
    );
    // Without the option the backdrop stays grey; with it, the backdrop is white (L* >= 92,
    // the preset's limit on the mean).
    assert!(before < 85.0 && kept < 85.0, "{before} {kept}");
    assert!(white >= 92.0, "{white}");
}

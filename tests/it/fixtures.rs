//! Runs the CLI on the shipped fixtures and compares with `fixtures/expected.toml`; checks the
//! JSON contract, exit codes and errors for bad input.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::common::photocheck;

/// `fixtures/expected.toml`.
#[derive(Deserialize)]
pub struct Expected {
    /// One entry per photo.
    pub photo: Vec<ExpectedPhoto>,
}

/// One photo's expected results.
#[derive(Deserialize)]
pub struct ExpectedPhoto {
    /// Path under `fixtures/`.
    pub file: String,
    /// Expected verdict.
    pub verdict: String,
    /// Checks that must fail (status fail or not_measured).
    #[serde(default)]
    pub fail: Vec<String>,
    /// Checks that must pass.
    #[serde(default)]
    pub pass: Vec<String>,
}

/// Reads `fixtures/expected.toml`.
pub fn expected() -> Expected {
    let text = std::fs::read_to_string("fixtures/expected.toml").unwrap();
    toml::from_str(&text).unwrap()
}

fn json_reports(args: &[&str]) -> (Vec<Value>, i32) {
    let out = photocheck().args(args).output().expect("runs");
    let code = out.status.code().expect("exit code");
    let v: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    (v.as_array().expect("array").clone(), code)
}

fn statuses(r: &Value) -> HashMap<String, String> {
    r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn fixtures_match_expected_verdicts() {
    let _machine = crate::common::share();
    let expected = expected();
    let (reports, code) = json_reports(&["check", "--format", "json", "fixtures"]);
    assert_eq!(code, 1, "some fixture photos fail, none is unreadable");
    let by_file: HashMap<String, &Value> = reports
        .iter()
        .map(|r| {
            let f = r["file"].as_str().unwrap();
            let rel = Path::new(f).strip_prefix("fixtures").unwrap();
            (rel.to_string_lossy().replace('\\', "/"), r)
        })
        .collect();
    for e in &expected.photo {
        let r = by_file
            .get(&e.file)
            .unwrap_or_else(|| panic!("{} not reported", e.file));
        assert_eq!(r["verdict"], e.verdict.as_str(), "{}: {r}", e.file);
        let status = statuses(r);
        for id in &e.fail {
            let s = status[id].as_str();
            assert!(
                s == "fail" || s == "not_measured",
                "{}: {id} is {s}",
                e.file
            );
        }
        for id in &e.pass {
            assert_eq!(status[id], "pass", "{}: {id}", e.file);
        }
    }
}

#[test]
fn json_report_has_the_contract_fields() {
    let _machine = crate::common::share();
    let (reports, _) = json_reports(&[
        "check",
        "--format",
        "json",
        "fixtures/made/astronaut_licence.jpg",
    ]);
    let r = &reports[0];
    assert_eq!(r["schema_version"], 1);
    assert_eq!(r["spec"], "cn-driving-licence");
    assert!(r["error"].is_null());
    assert_eq!(r["image"]["width_px"], 260);
    assert_eq!(r["image"]["height_px"], 378);
    assert_eq!(r["image"]["format"], "jpeg");
    let m = &r["measurements"];
    assert_eq!(m["faces"], 1);
    // The fixture was composed with the head 236 px long and the crown 15 px below the top, from
    // the crown measured on the original (a dark flag behind the hair, where the crown is found
    // by the mask alone and less precisely): allow 5 px (0.42 mm).
    let len = m["head_length_px"].as_f64().unwrap();
    assert!((len - 236.0).abs() < 6.0, "head length {len} px");
    let crown = m["crown_y_px"].as_f64().unwrap();
    assert!((crown - 15.0).abs() < 5.0, "crown {crown} px");
    for c in r["checks"].as_array().unwrap() {
        for key in ["id", "status", "value", "unit", "min", "max", "message"] {
            assert!(c.get(key).is_some(), "check lacks {key}: {c}");
        }
    }
    let hl = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "head_length")
        .unwrap();
    assert_eq!(hl["unit"], "mm");
    assert_eq!(hl["min"], 19.0);
    assert_eq!(hl["max"], 22.0);
}

#[test]
fn ndjson_gives_one_line_per_photo_in_input_order() {
    let _machine = crate::common::share();
    let args = [
        "check",
        "--format",
        "ndjson",
        "--jobs",
        "2",
        "fixtures/made/astronaut_off_centre.jpg",
        "fixtures/made/astronaut_licence.jpg",
        "fixtures/grace_hopper.jpg",
    ];
    let out = photocheck().args(args).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let files: Vec<String> = text
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["file"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(files, args[5..]);
}

#[test]
fn text_output_names_failed_rules_and_summarises() {
    let _machine = crate::common::share();
    let out = photocheck()
        .args(["check", "fixtures/made/astronaut_head_small.jpg"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("FAIL  fixtures/made/astronaut_head_small.jpg: "),
        "{text}"
    );
    assert!(text.contains("head_length"), "{text}");
    assert!(text.contains("(19-22)"), "{text}");
    assert!(
        text.contains("1 checked: 0 passed, 1 failed, 0 errors"),
        "{text}"
    );
}

#[test]
fn bad_inputs_get_their_own_error_and_the_batch_goes_on() {
    let _machine = crate::common::share();
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("photo.jpg");
    std::fs::write(&fake, b"this is not a photo").unwrap();
    let cut = dir.path().join("cut.jpg");
    let bytes = std::fs::read("fixtures/made/astronaut_licence.jpg").unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let heic = dir.path().join("phone.heic");
    std::fs::write(&heic, b"\0\0\0\x18ftypheic\0\0\0\0mif1heic").unwrap();
    let missing = dir.path().join("missing.jpg");
    let (reports, code) = json_reports(&[
        "check",
        "--format",
        "json",
        fake.to_str().unwrap(),
        cut.to_str().unwrap(),
        heic.to_str().unwrap(),
        missing.to_str().unwrap(),
        "fixtures/made/astronaut_head_small.jpg",
    ]);
    assert_eq!(code, 2, "unreadable inputs give exit code 2");
    let kinds: Vec<&str> = reports
        .iter()
        .map(|r| r["error"]["kind"].as_str().unwrap_or("none"))
        .collect();
    assert_eq!(
        kinds,
        [
            "not_an_image",
            "truncated",
            "unsupported_format",
            "not_found",
            "none"
        ]
    );
    assert_eq!(reports[4]["verdict"], "fail");
}

#[test]
fn folders_skip_hidden_and_non_image_files() {
    let _machine = crate::common::share();
    let dir = tempfile::tempdir().unwrap();
    let src = "fixtures/made/astronaut_licence.jpg";
    std::fs::copy(src, dir.path().join("a.jpg")).unwrap();
    std::fs::copy(src, dir.path().join(".hidden.jpg")).unwrap();
    std::fs::write(dir.path().join("notes.txt"), b"hello").unwrap();
    let (reports, _) = json_reports(&["check", "--format", "json", dir.path().to_str().unwrap()]);
    assert_eq!(reports.len(), 1);
    assert!(reports[0]["file"].as_str().unwrap().ends_with("a.jpg"));
}

#[test]
fn usage_errors_exit_2() {
    let _machine = crate::common::share();
    for args in [
        &["check"][..],
        &[
            "check",
            "--spec",
            "no-such-spec",
            "fixtures/grace_hopper.jpg",
        ],
        &["frobnicate"],
    ] {
        let out = photocheck().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn specs_lists_and_shows_presets() {
    let _machine = crate::common::share();
    let out = photocheck().args(["specs"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("cn-driving-licence"));
    assert!(text.contains("head length 19-22 mm"), "{text}");
    let out = photocheck()
        .args(["specs", "show", "小一寸"])
        .output()
        .unwrap();
    let toml_text = String::from_utf8(out.stdout).unwrap();
    let spec = photocheck::Spec::from_toml(&toml_text, "shown").unwrap();
    assert_eq!(spec.id, "cn-driving-licence");
}

#[test]
fn digital_preset_adds_file_rules() {
    let _machine = crate::common::share();
    let (reports, _) = json_reports(&[
        "check",
        "--format",
        "json",
        "--spec",
        "cn-driving-licence-digital",
        "fixtures/made/astronaut_licence.jpg",
    ]);
    let status = statuses(&reports[0]);
    assert_eq!(status["image_pixels"], "pass");
    assert_eq!(status["file_format"], "pass");
    assert!(status.contains_key("file_size"));
}

/// A large photo (the licence fixture scaled 8x to 2080 x 3024 px, JPEG) is decoded at half
/// size and analysed on a working copy, and measures as the 260 x 378 original does.
#[test]
fn a_large_photo_measures_like_its_small_original() {
    let _machine = crate::common::share();
    use image::imageops;
    let engine = photocheck::Engine::new().unwrap();
    let spec = photocheck::Spec::preset("cn-driving-licence").unwrap();
    let small = std::fs::read("fixtures/made/astronaut_licence.jpg").unwrap();
    let img = image::load_from_memory(&small).unwrap().to_rgb8();
    let big = imageops::resize(&img, 2080, 3024, imageops::FilterType::CatmullRom);
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 92)
        .encode_image(&big)
        .unwrap();
    let a = engine.check_bytes("small.jpg", &small, &spec);
    let b = engine.check_bytes("big.jpg", &bytes, &spec);
    // Every rule but the pose gives the same status; the astronaut's pitch sits at the
    // 10 deg limit (fixtures/expected.toml), so it is compared as a value.
    let statuses = |r: &photocheck::FileReport| {
        r.checks
            .iter()
            .filter(|c| !c.id.starts_with("pose_"))
            .map(|c| format!("{} {:?}", c.id, c.status))
            .collect::<Vec<_>>()
    };
    assert_eq!(statuses(&a), statuses(&b));
    let (ma, mb) = (a.measurements.unwrap(), b.measurements.unwrap());
    let (la, lb) = (ma.head_length_mm.unwrap(), mb.head_length_mm.unwrap());
    assert!((la - lb).abs() < 0.15, "head length {la} mm vs {lb} mm");
    let (wa, wb) = (
        ma.head_width_ears_mm.unwrap(),
        mb.head_width_ears_mm.unwrap(),
    );
    assert!((wa - wb).abs() < 0.3, "head width {wa} mm vs {wb} mm");
    let (pa, pb) = (ma.pitch_deg.unwrap(), mb.pitch_deg.unwrap());
    assert!((pa - pb).abs() < 1.5, "pitch {pa} deg vs {pb} deg");
    assert_eq!(b.image.unwrap().height_px, 3024);
}

//! Spec files from the command line: `--spec-file`, `extends`, errors with file, line and key,
//! `specs show`, and each check naming its rule's source.

use serde_json::Value;

use crate::common::photocheck;

#[test]
fn spec_file_extends_a_preset_and_overrides_a_rule() {
    let _machine = crate::common::share();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("strict.toml");
    std::fs::write(
        &file,
        "id = \"studio-strict\"\nname = \"Studio, stricter head length\"\nextends = \"cn-driving-licence\"\n\n[rules.head_length]\nmin_mm = 20.5\nmax_mm = 21.0\nsource = \"studio house rule\"\n",
    )
    .unwrap();
    let out = photocheck()
        .args(["check", "--format", "json", "--spec-file"])
        .arg(&file)
        .arg("fixtures/made/astronaut_licence.jpg")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "20.3 mm fails 20.5-21 mm");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = &v[0];
    assert_eq!(r["spec"], "studio-strict");
    let hl = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "head_length")
        .unwrap();
    assert_eq!(hl["status"], "fail");
    assert_eq!(hl["min"], 20.5);
    assert_eq!(hl["spec_source"], "studio house rule");
    // Rules not overridden keep the preset's source.
    let bg = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "background_white")
        .unwrap();
    assert_eq!(bg["spec_source"], "GA 482-2012 5.2.3: white background");
}

#[test]
fn bad_spec_file_is_refused_with_file_line_and_key() {
    let _machine = crate::common::share();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(
        &file,
        "id = \"bad\"\nname = \"bad\"\nextends = \"cn-driving-licence\"\n[rules.head_width]\nmin_mm = 16.0\nmax_mm = 14.0\n",
    )
    .unwrap();
    let out = photocheck()
        .args(["check", "--spec-file"])
        .arg(&file)
        .arg("fixtures/made/astronaut_licence.jpg")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("bad.toml"), "{err}");
    assert!(err.contains("line 5"), "{err}");
    assert!(err.contains("rules.head_width.min_mm"), "{err}");
    let missing = photocheck()
        .args([
            "check",
            "--spec-file",
            "no/such/spec.toml",
            "fixtures/grace_hopper.jpg",
        ])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        String::from_utf8(missing.stderr)
            .unwrap()
            .contains("not found")
    );
}

#[test]
fn verbose_text_names_each_rules_source() {
    let _machine = crate::common::share();
    let out = photocheck()
        .args([
            "check",
            "-v",
            "--spec",
            "cn-passport",
            "fixtures/made/astronaut_licence.jpg",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    // A 22:32 photo is not 33:48 and its head is not 28-33 mm of a 48 mm photo.
    assert!(
        text.contains("[出入境证件相片照相指引: 33 x 48 mm]"),
        "{text}"
    );
    assert!(text.contains("background_colour"), "{text}");
    assert!(text.contains("chin_margin"), "{text}");
}

#[test]
fn skull_top_specs_say_the_crown_is_estimated() {
    let _machine = crate::common::share();
    let out = photocheck()
        .args([
            "check",
            "--format",
            "json",
            "--spec",
            "icao-35x45",
            "fixtures/made/astronaut_licence.jpg",
        ])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let hl = v[0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "head_length")
        .unwrap()
        .clone();
    let msg = hl["message"].as_str().unwrap();
    assert!(msg.contains("skull top estimated"), "{msg}");
    let skull = hl["value"].as_f64().unwrap();
    let hair = v[0]["measurements"]["head_length_mm"].as_f64().unwrap();
    // Both in the spec's mm (45 mm photo height): the skull-based length is shorter by the
    // hair on top, a few percent to a quarter of the head.
    assert!(skull < hair && skull > 0.75 * hair, "{skull} vs {hair}");
}

#[test]
fn specs_show_prints_every_preset_as_loadable_toml() {
    let _machine = crate::common::share();
    let list = photocheck().args(["specs"]).output().unwrap();
    let text = String::from_utf8(list.stdout).unwrap();
    for id in [
        "cn-driving-licence",
        "cn-driving-licence-digital",
        "cn-id-card",
        "cn-passport",
        "icao-35x45",
        "eu-schengen",
        "uk-passport",
        "us-passport",
        "ca-passport",
        "in-passport",
        "jp-passport",
        "kr-passport",
        "au-passport",
    ] {
        assert!(text.contains(id), "{id} not listed");
        let out = photocheck().args(["specs", "show", id]).output().unwrap();
        assert!(out.status.success(), "{id}");
        let shown = String::from_utf8(out.stdout).unwrap();
        let spec = photocheck::Spec::from_toml(&shown, id).unwrap();
        assert_eq!(spec, photocheck::Spec::preset(id).unwrap());
    }
}

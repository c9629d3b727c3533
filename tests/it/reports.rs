//! Reports a studio and a CI team can live with (issue 15): the summary on stderr with `-o`,
//! files named like images always reported, `--exclude` on path lists, a photo with no face
//! counted once, CSV with a byte-order mark and in a long layout.

use crate::common::{output_with_stdin, photocheck};

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn with_an_output_file_the_summary_goes_to_stderr() {
    let _machine = crate::common::share();
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let out = photocheck()
        .args(["check", "--format", "json", "-o"])
        .arg(&report)
        .arg("fixtures/made/astronaut_head_small.jpg")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    assert!(
        stderr(&out).contains("1 checked: 0 passed, 1 failed, 0 errors"),
        "{}",
        stderr(&out)
    );
    // --quiet keeps stderr empty.
    let out = photocheck()
        .args(["check", "-q", "--format", "json", "-o"])
        .arg(dir.path().join("quiet.json"))
        .arg("fixtures/made/astronaut_head_small.jpg")
        .output()
        .unwrap();
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn a_file_named_like_an_image_is_always_reported() {
    let _machine = crate::common::share();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fake.jpg"), b"this is not a photo").unwrap();
    std::fs::write(dir.path().join("empty.png"), b"").unwrap();
    std::fs::write(dir.path().join("notes.txt"), b"notes").unwrap();
    std::fs::copy(
        "fixtures/made/astronaut_licence.jpg",
        dir.path().join("good.jpg"),
    )
    .unwrap();
    let out = photocheck().arg("check").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out);
    assert!(text.contains("fake.jpg: not an image"), "{text}");
    assert!(text.contains("empty.png"), "{text}");
    assert!(!text.contains("notes.txt"), "{text}");
    assert!(text.contains("3 checked"), "{text}");
}

#[test]
fn exclude_applies_to_path_lists() {
    let _machine = crate::common::share();
    let list = "fixtures/made/astronaut_licence.jpg\nfixtures/made/astronaut_head_small.jpg\n";
    let out = output_with_stdin(
        photocheck().args(["check", "--exclude", "*small*", "-"]),
        list.as_bytes(),
    );
    let text = stdout(&out);
    assert!(!text.contains("astronaut_head_small"), "{text}");
    assert!(text.contains("1 checked: 1 passed"), "{text}");
    // A path named on the command line is checked whatever --exclude says.
    let out = photocheck()
        .args(["check", "--exclude", "*small*"])
        .arg("fixtures/made/astronaut_head_small.jpg")
        .output()
        .unwrap();
    assert!(stdout(&out).contains("1 checked"), "{}", stdout(&out));
}

#[test]
fn a_photo_with_no_face_counts_once_in_the_summary() {
    let _machine = crate::common::share();
    let out = photocheck()
        .args(["check", "fixtures/appearance/astronaut_upside_down.jpg"])
        .args(["fixtures/made/astronaut_head_small.jpg"])
        .output()
        .unwrap();
    let text = stdout(&out);
    let rules = text
        .lines()
        .find(|l| l.starts_with("failed rules:"))
        .unwrap_or_default();
    assert!(rules.contains("no face found: 1"), "{text}");
    // head_length fails once (the small head), not twice.
    assert!(rules.contains("head_length: 1"), "{rules}");
    assert!(!rules.contains("pose_yaw"), "{rules}");
    // And the photo's own line says what to do.
    assert!(
        text.contains("-> single_face: the photo is upside down"),
        "{text}"
    );
}

#[test]
fn csv_has_a_long_layout_and_a_byte_order_mark() {
    let _machine = crate::common::share();
    let out = photocheck()
        .args([
            "check",
            "--format",
            "csv",
            "--csv-layout",
            "long",
            "--csv-bom",
        ])
        .args(["fixtures/made/astronaut_head_small.jpg", "README.md"])
        .output()
        .unwrap();
    let bytes = out.stdout;
    assert!(bytes.starts_with("\u{feff}".as_bytes()));
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "file", "verdict", "check", "status", "severity", "value", "unit", "min", "max",
            "message", "advice"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let head = rows
        .iter()
        .find(|r| &r[2] == "head_length")
        .expect("a head_length row");
    assert_eq!(
        (&head[3], &head[6], &head[7], &head[8]),
        ("fail", "mm", "19.0000", "22.0000")
    );
    assert!(head[5].parse::<f64>().unwrap() < 19.0);
    assert!(head[10].contains("larger"), "{:?}", head);
    // The file that is not an image: one row with its error.
    let readme: Vec<_> = rows.iter().filter(|r| &r[0] == "README.md").collect();
    assert_eq!(readme.len(), 1);
    assert_eq!((&readme[0][1], &readme[0][3]), ("error", "not_an_image"));
}

/// An expectations file in `dir` for photos of fixtures/made (given relative to it).
fn expectations(dir: &std::path::Path, body: &str) -> std::path::PathBuf {
    let path = dir.join("expected.toml");
    std::fs::write(&path, body).unwrap();
    path
}

#[test]
fn an_expected_photo_missing_from_the_run_fails_in_every_format() {
    let _machine = crate::common::share();
    let dir = tempfile::tempdir().unwrap();
    let made = std::fs::canonicalize("fixtures/made").unwrap();
    let exp = expectations(
        dir.path(),
        &format!(
            "[[photo]]\nfile = {:?}\nverdict = \"pass\"\n[[photo]]\nfile = {:?}\nverdict = \"fail\"\n",
            made.join("astronaut_licence.jpg"),
            made.join("no_such_photo.jpg")
        ),
    );
    let run = |format: &str| {
        photocheck()
            .args(["check", "--format", format, "--expect"])
            .arg(&exp)
            .arg(made.join("astronaut_licence.jpg"))
            .output()
            .unwrap()
    };
    let junit = run("junit");
    assert_eq!(junit.status.code(), Some(1));
    let xml = stdout(&junit);
    let case = xml
        .split("<testcase")
        .find(|c| c.contains("no_such_photo.jpg"))
        .expect("a test case for the missing photo");
    assert!(case.contains("<failure"), "{case}");
    let json: serde_json::Value = serde_json::from_slice(&run("json").stdout).unwrap();
    let missing = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["file"].as_str().unwrap().ends_with("no_such_photo.jpg"))
        .expect("the missing photo in the JSON report");
    assert_eq!(missing["expectation"]["met"], false);
    let text = stdout(&run("text"));
    assert!(text.contains("NOT AS EXPECTED: missing"), "{text}");
}

#[test]
fn with_a_shard_only_the_shards_expectations_are_judged() {
    let _machine = crate::common::share();
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.toml");
    // A baseline of the whole folder, then each shard judged against it.
    let out = photocheck()
        .args(["check", "-q", "--write-expect"])
        .arg(&baseline)
        .arg("fixtures/made")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let mut judged = 0;
    for shard in ["1/2", "2/2"] {
        let out = photocheck()
            .args(["check", "--shard", shard, "--expect"])
            .arg(&baseline)
            .arg("fixtures/made")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{shard}: {}", stderr(&out));
        let err = stderr(&out);
        let line = err
            .lines()
            .find(|l| l.contains("expectations:"))
            .unwrap_or_default();
        assert!(line.contains(", 0 not, 0 missing"), "{shard}: {line}");
        let n: usize = line
            .split(" of ")
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        judged += n;
    }
    let photos = std::fs::read_dir("fixtures/made").unwrap().count();
    assert_eq!(
        judged, photos,
        "the shards' expectations add up to the folder's"
    );
}

#[test]
fn expectation_files_are_checked_at_load_with_line_column_and_the_closest_id() {
    let _machine = crate::common::share();
    let dir = tempfile::tempdir().unwrap();
    let exp = expectations(
        dir.path(),
        "[[photo]]\nfile = \"a.jpg\"\npass = [\"head_length\", \"crown_margn\"]\n",
    );
    let out = photocheck()
        .args(["check", "--expect"])
        .arg(&exp)
        .arg("fixtures/made/astronaut_licence.jpg")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("expectation file"), "{err}");
    assert!(!err.contains("spec error"), "{err}");
    assert!(err.contains("line 3, column 25"), "{err}");
    assert!(err.contains("did you mean `crown_margin`"), "{err}");
}

#[test]
fn write_expect_writes_a_baseline_that_values_are_held_to() {
    let _machine = crate::common::share();
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("small.jpg");
    std::fs::copy("fixtures/made/astronaut_head_small.jpg", &photo).unwrap();
    let baseline = dir.path().join("expected.toml");
    let out = photocheck()
        .args(["check", "-q", "--write-expect"])
        .arg(&baseline)
        .arg(&photo)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = std::fs::read_to_string(&baseline).unwrap();
    assert!(text.contains("file = \"small.jpg\""), "{text}");
    // The baseline holds the value the check measures (17.2 mm), to 0.01 mm.
    let json = photocheck()
        .args(["check", "--format", "json"])
        .arg(&photo)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let files = report.get("files").unwrap_or(&report);
    let measured = files[0]["measurements"]["head_length_mm"].as_f64().unwrap();
    assert!((measured - 17.2).abs() < 0.2, "{measured}");
    assert!(
        text.contains(&format!(
            "head_length_mm = {{ value = {measured:.2}, tolerance = 0.3 }}"
        )),
        "{text}"
    );
    let check = |exp: &std::path::Path| {
        photocheck()
            .args(["check", "--expect"])
            .arg(exp)
            .arg(&photo)
            .output()
            .unwrap()
    };
    assert_eq!(
        check(&baseline).status.code(),
        Some(0),
        "{}",
        stderr(&check(&baseline))
    );
    // A value outside its tolerance is not as expected.
    std::fs::write(
        &baseline,
        text.replace(&format!("value = {measured:.2}"), "value = 18.0"),
    )
    .unwrap();
    let out = check(&baseline);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains(&format!(
            "head_length_mm: expected 18 ± 0.3, got {}",
            format!("{measured:.2}")
                .trim_end_matches('0')
                .trim_end_matches('.')
        )),
        "{}",
        stdout(&out)
    );
}

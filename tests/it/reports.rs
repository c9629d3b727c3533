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

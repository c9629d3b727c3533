//! Batch and CI features of the CLI: golden reports (text, JSON, CSV, JUnit), expectations,
//! path lists, sharding, exclusion, fail-fast, output files, annotated images, languages,
//! completions. Golden files are in `tests/golden/`; `UPDATE_GOLDEN=1 cargo test --release`
//! rewrites them after an intended change (review the diff).

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::common::photocheck;

/// Replaces what changes from run to run (elapsed times).
fn normalise(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut l = line.to_string();
        if let Some(i) = l.find(" errors in ") {
            l = format!("{} errors in <T> s", &l[..i]);
        }
        if let Some(i) = l.find("，用时 ") {
            l = format!("{}，用时 <T> 秒", &l[..i]);
        }
        while let Some(i) = l.find("time=\"") {
            let end = l[i + 6..].find('"').map_or(l.len(), |e| i + 6 + e);
            l = format!("{}time=<T>{}", &l[..i], &l[end + 1..]);
        }
        out.push_str(&l);
        out.push('\n');
    }
    out
}

fn golden(name: &str, actual: &str) {
    let path = Path::new("tests/golden").join(name);
    let actual = normalise(actual);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} missing: run with UPDATE_GOLDEN=1", path.display()));
    if expected != actual {
        let diff: Vec<String> = expected
            .lines()
            .zip(actual.lines())
            .filter(|(a, b)| a != b)
            .take(5)
            .map(|(a, b)| format!("- {a}\n+ {b}"))
            .collect();
        panic!(
            "{name} differs from the golden file (UPDATE_GOLDEN=1 to accept):\n{}",
            diff.join("\n")
        );
    }
}

fn run(args: &[&str]) -> (String, i32) {
    let out = photocheck().args(args).output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap(),
    )
}

#[test]
fn golden_reports_in_every_format() {
    let _machine = crate::common::share();
    for (format, name) in [
        ("text", "made.txt"),
        ("json", "made.json"),
        ("csv", "made.csv"),
        ("junit", "made.junit.xml"),
    ] {
        let (out, code) = run(&["check", "--jobs", "2", "--format", format, "fixtures/made"]);
        assert_eq!(code, 1, "{format}");
        golden(name, &out);
    }
    let (out, _) = run(&[
        "check",
        "-v",
        "--lang",
        "zh",
        "fixtures/made/astronaut_head_small.jpg",
    ]);
    golden("head_small.zh.txt", &out);
}

#[test]
fn junit_has_the_common_schema_shape() {
    let _machine = crate::common::share();
    let (xml, _) = run(&["check", "--format", "junit", "fixtures/made"]);
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut cases, mut failures, mut suite_attrs) = (0, 0, Vec::new());
    let mut stack: Vec<String> = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            ev @ (quick_xml::events::Event::Start(_) | quick_xml::events::Event::Empty(_)) => {
                let (e, empty) = match &ev {
                    quick_xml::events::Event::Start(e) => (e.clone(), false),
                    quick_xml::events::Event::Empty(e) => (e.clone(), true),
                    _ => unreachable!(),
                };
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                let attrs: Vec<String> = e
                    .attributes()
                    .map(|a| String::from_utf8(a.unwrap().key.as_ref().to_vec()).unwrap())
                    .collect();
                match name.as_str() {
                    "testsuite" => suite_attrs = attrs,
                    "testcase" => {
                        assert_eq!(stack.last().map(String::as_str), Some("testsuite"));
                        assert!(
                            attrs.contains(&"name".into()) && attrs.contains(&"classname".into())
                        );
                        cases += 1;
                    }
                    "failure" => {
                        assert_eq!(stack.last().map(String::as_str), Some("testcase"));
                        assert!(
                            attrs.contains(&"message".into()) && attrs.contains(&"type".into())
                        );
                        failures += 1;
                    }
                    _ => {}
                }
                if !empty {
                    stack.push(name);
                }
            }
            quick_xml::events::Event::End(_) => {
                stack.pop();
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(cases, 8);
    assert!(failures >= 7, "{failures}");
    for a in ["name", "tests", "failures", "errors", "time"] {
        assert!(suite_attrs.contains(&a.to_string()), "testsuite lacks {a}");
    }
}

#[test]
fn expectations_decide_the_exit_code_and_show_mismatches() {
    let _machine = crate::common::share();
    let (_, code) = run(&["check", "--expect", "fixtures/expected.toml", "fixtures"]);
    assert_eq!(code, 0, "the shipped fixtures meet their expectations");
    let dir = tempfile::tempdir().unwrap();
    let wrong = dir.path().join("wrong.toml");
    let photo = std::fs::canonicalize("fixtures/made/astronaut_head_small.jpg").unwrap();
    std::fs::write(
        &wrong,
        format!(
            "[[photo]]\nfile = {:?}\nverdict = \"pass\"\npass = [\"head_length\"]\n\n[[photo]]\nfile = \"nowhere.jpg\"\nverdict = \"pass\"\n",
            photo.display().to_string()
        ),
    )
    .unwrap();
    let out = photocheck()
        .args([
            "check",
            "--expect",
            wrong.to_str().unwrap(),
            photo.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("NOT AS EXPECTED: verdict: expected pass, got fail"),
        "{text}"
    );
    assert!(
        text.contains("NOT AS EXPECTED: head_length: expected pass, got fail"),
        "{text}"
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("expected photo not checked: nowhere.jpg"),
        "{err}"
    );
    // JSON carries the outcome per photo.
    let out = photocheck()
        .args([
            "check",
            "--format",
            "json",
            "--expect",
            wrong.to_str().unwrap(),
            photo.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["expectation"]["met"], false);
}

fn files_of(json: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(json).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r["file"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn shards_split_a_batch_into_disjoint_parts_that_cover_it() {
    let _machine = crate::common::share();
    let (all, _) = run(&["check", "--format", "json", "fixtures"]);
    let all: BTreeSet<String> = files_of(&all).into_iter().collect();
    let mut union = BTreeSet::new();
    for i in 1..=3 {
        let (part, _) = run(&[
            "check",
            "--format",
            "json",
            "--shard",
            &format!("{i}/3"),
            "fixtures",
        ]);
        for f in files_of(&part) {
            assert!(union.insert(f.clone()), "{f} in two shards");
        }
    }
    assert_eq!(union, all);
    let (_, code) = run(&["check", "--shard", "4/3", "fixtures"]);
    assert_eq!(code, 2);
}

#[test]
fn paths_from_stdin_and_files_from_nul_lists() {
    let _machine = crate::common::share();
    let list = "fixtures/made/astronaut_licence.jpg\nfixtures/grace_hopper.jpg\n";
    let out = crate::common::output_with_stdin(
        photocheck().args(["check", "--format", "json", "-"]),
        list.as_bytes(),
    );
    assert_eq!(
        files_of(&String::from_utf8(out.stdout).unwrap()),
        [
            "fixtures/made/astronaut_licence.jpg",
            "fixtures/grace_hopper.jpg"
        ]
    );
    let dir = tempfile::tempdir().unwrap();
    let nul = dir.path().join("list");
    std::fs::write(
        &nul,
        "fixtures/grace_hopper.jpg\0fixtures/made/astronaut_licence.jpg\0",
    )
    .unwrap();
    let (out, _) = run(&[
        "check",
        "--format",
        "json",
        "-0",
        "--files-from",
        nul.to_str().unwrap(),
    ]);
    assert_eq!(
        files_of(&out),
        [
            "fixtures/grace_hopper.jpg",
            "fixtures/made/astronaut_licence.jpg"
        ]
    );
}

#[test]
fn exclude_and_fail_fast() {
    let _machine = crate::common::share();
    let (out, _) = run(&[
        "check",
        "--format",
        "json",
        "--exclude",
        "**/exif-orientation/**",
        "--exclude",
        "*.png",
        "fixtures",
    ]);
    let files = files_of(&out);
    assert!(
        files
            .iter()
            .all(|f| !f.contains("exif-orientation") && !f.ends_with(".png")),
        "{files:?}"
    );
    assert_eq!(files.len(), 19);
    let (out, code) = run(&[
        "check",
        "--format",
        "json",
        "--fail-fast",
        "--jobs",
        "1",
        "fixtures/made",
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        files_of(&out).len(),
        1,
        "stops after the first failing photo"
    );
}

#[test]
fn output_file_is_written_and_never_an_input() {
    let _machine = crate::common::share();
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let (stdout, code) = run(&[
        "check",
        "--format",
        "json",
        "-o",
        report.to_str().unwrap(),
        "fixtures/made/astronaut_licence.jpg",
    ]);
    assert_eq!(code, 0);
    assert!(stdout.is_empty());
    assert_eq!(
        files_of(&std::fs::read_to_string(&report).unwrap()).len(),
        1
    );
    let photo = dir.path().join("p.jpg");
    std::fs::copy("fixtures/made/astronaut_licence.jpg", &photo).unwrap();
    let before = std::fs::read(&photo).unwrap();
    let (_, code) = run(&[
        "check",
        "-o",
        photo.to_str().unwrap(),
        photo.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        std::fs::read(&photo).unwrap(),
        before,
        "the input is untouched"
    );
}

#[test]
fn annotated_image_shows_the_measured_crown_line() {
    let _machine = crate::common::share();
    let dir = tempfile::tempdir().unwrap();
    let photo = "fixtures/made/astronaut_head_small.jpg";
    let before = std::fs::read(photo).unwrap();
    let (json, _) = run(&[
        "check",
        "--format",
        "json",
        "--annotate",
        dir.path().to_str().unwrap(),
        photo,
    ]);
    let v: Value = serde_json::from_str(&json).unwrap();
    let crown = v[0]["measurements"]["crown_y_px"].as_f64().unwrap();
    let chin = v[0]["measurements"]["chin_y_px"].as_f64().unwrap();
    let png = dir
        .path()
        .join("fixtures/made/astronaut_head_small.jpg.png");
    let img = image::open(&png).unwrap().into_rgb8();
    // The photo, and a panel below it for the legend and the failures.
    assert_eq!(img.width(), 260);
    assert!(img.height() > 378 + 40, "{}", img.height());
    let colour = photocheck::report::annotate::CROWN_LINE_COLOUR;
    for x in [5, 130, 250] {
        assert_eq!(
            *img.get_pixel(x, crown.round() as u32),
            colour,
            "crown line at x {x}"
        );
        assert_eq!(
            *img.get_pixel(x, chin.round() as u32),
            colour,
            "chin line at x {x}"
        );
    }
    // The legend and the failed rules are on the panel, not on the photo: the photo's
    // bottom-left corner is the photo's own.
    let panel = photocheck::report::annotate::PANEL_COLOUR;
    assert_eq!(*img.get_pixel(1, 379), panel);
    assert_ne!(*img.get_pixel(1, 376), panel);
    // A second run replaces its own image (no `-1` copies), and the input is untouched.
    run(&["check", "--annotate", dir.path().to_str().unwrap(), photo]);
    assert!(png.exists());
    let copies = std::fs::read_dir(png.parent().unwrap()).unwrap().count();
    assert_eq!(copies, 1, "annotated images multiplied");
    assert_eq!(std::fs::read(photo).unwrap(), before);
    // A batch over a folder of annotated images checks none of them.
    let (_, code) = run(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(
        code, 2,
        "no photos: annotated images are not photos to check"
    );
}

#[test]
fn chinese_text_output_and_completions() {
    let _machine = crate::common::share();
    let (out, _) = run(&[
        "check",
        "--lang",
        "zh",
        "fixtures/made/astronaut_head_small.jpg",
    ]);
    assert!(
        out.starts_with("不合格  fixtures/made/astronaut_head_small.jpg: 头部长度"),
        "{out}"
    );
    assert!(out.contains("共检查 1 张"), "{out}");
    let (out, code) = run(&["completions", "bash"]);
    assert_eq!(code, 0);
    assert!(out.contains("photocheck") && out.contains("--spec-file"));
    let (man, code) = run(&["man"]);
    assert_eq!(code, 0);
    assert!(man.contains(".TH"));
}

#[test]
fn chinese_annotated_image_is_written() {
    let _machine = crate::common::share();
    let dir = tempfile::tempdir().unwrap();
    let (_, code) = run(&[
        "check",
        "--lang",
        "zh",
        "--annotate",
        dir.path().to_str().unwrap(),
        "fixtures/made/astronaut_head_small.jpg",
    ]);
    assert_eq!(code, 1);
    let img = image::open(
        dir.path()
            .join("fixtures/made/astronaut_head_small.jpg.png"),
    )
    .unwrap()
    .into_rgb8();
    // The panel under the photo holds light text (legend and failures) on dark.
    let light = (0..img.width())
        .flat_map(|x| (378..img.height()).map(move |y| (x, y)))
        .filter(|&(x, y)| img.get_pixel(x, y)[0] > 200 && img.get_pixel(x, y)[1] > 120)
        .count();
    assert!(light > 100, "{light} text pixels");
}

#[test]
fn junit_with_expectations_fails_only_unmet_photos() {
    let _machine = crate::common::share();
    let (xml, code) = run(&[
        "check",
        "--format",
        "junit",
        "--expect",
        "fixtures/expected.toml",
        "fixtures",
    ]);
    assert_eq!(code, 0);
    assert!(
        xml.contains("failures=\"0\""),
        "{}",
        &xml[..300.min(xml.len())]
    );
    assert!(!xml.contains("<failure"));
}

#[test]
fn empty_shards_and_relative_excludes() {
    let _machine = crate::common::share();
    // One photo and four shards: three shards are empty, and that is not an error.
    let mut nonempty = 0;
    for i in 1..=4 {
        let (out, code) = run(&[
            "check",
            "--format",
            "json",
            "--shard",
            &format!("{i}/4"),
            "fixtures/made/astronaut_licence.jpg",
        ]);
        assert_eq!(code, 0, "shard {i}");
        nonempty += files_of(&out).len();
    }
    assert_eq!(nonempty, 1);
    // A glob relative to the folder given matches the files below it.
    let (out, _) = run(&[
        "check",
        "--format",
        "json",
        "--exclude",
        "made/**",
        "fixtures",
    ]);
    assert!(files_of(&out).iter().all(|f| !f.contains("/made/")));
    // Files named explicitly are never excluded.
    let (out, _) = run(&[
        "check",
        "--format",
        "json",
        "--exclude",
        "*.jpg",
        "fixtures/grace_hopper.jpg",
    ]);
    assert_eq!(files_of(&out), ["fixtures/grace_hopper.jpg"]);
}

#[test]
fn annotated_images_mirror_the_input_paths() {
    let _machine = crate::common::share();
    let dir = tempfile::tempdir().unwrap();
    run(&[
        "check",
        "--annotate",
        dir.path().to_str().unwrap(),
        "fixtures/grace_hopper.jpg",
        "fixtures/exif-orientation/hopper_orient_1.jpg",
    ]);
    assert!(dir.path().join("fixtures/grace_hopper.jpg.png").exists());
    assert!(
        dir.path()
            .join("fixtures/exif-orientation/hopper_orient_1.jpg.png")
            .exists()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("fixtures/grace_hopper.jpg.png"))
            .unwrap()
            .permissions()
            .mode();
        assert_ne!(
            mode & 0o044,
            0,
            "readable beyond the owner (umask permitting): {mode:o}"
        );
    }
}

/// `--output` naming a FIFO (like /dev/null or /dev/stdout, not a regular file) writes to it
/// and leaves it in place, instead of renaming a finished file over it.
#[cfg(unix)]
#[test]
fn output_to_a_fifo_writes_through_it() {
    let _machine = crate::common::share();
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("report.pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let (stdout, code) = run(&[
        "check",
        "--format",
        "json",
        "-o",
        fifo.to_str().unwrap(),
        "fixtures/made/astronaut_licence.jpg",
    ]);
    // Checked before waiting for the reader, which would wait forever had the FIFO been
    // replaced.
    assert!(
        std::fs::metadata(&fifo).unwrap().file_type().is_fifo(),
        "the FIFO is still a FIFO"
    );
    assert_eq!(code, 0);
    assert!(stdout.is_empty());
    assert_eq!(files_of(&reader.join().unwrap()).len(), 1);
}

/// `--output` naming a symbolic link (as /dev/stdout is) writes to the link's target and
/// leaves the link in place.
#[cfg(unix)]
#[test]
fn output_through_a_symlink_keeps_the_link() {
    let _machine = crate::common::share();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target.json");
    std::fs::write(&target, "old").unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let (_, code) = run(&[
        "check",
        "--format",
        "json",
        "-o",
        link.to_str().unwrap(),
        "fixtures/made/astronaut_licence.jpg",
    ]);
    assert_eq!(code, 0);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link is still a link"
    );
    assert_eq!(
        files_of(&std::fs::read_to_string(&target).unwrap()).len(),
        1,
        "the report went to the link's target"
    );
}

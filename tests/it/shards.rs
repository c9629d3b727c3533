//! Past one machine (issue 18): shard processes given their shard by the job runner's
//! environment cover every input exactly once and merge into what one process reports;
//! a run cut off mid-line resumes with every photo checked exactly once.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::photocheck;
use serde_json::Value;

const INPUTS: [&str; 2] = ["fixtures/made", "fixtures/appearance"];

/// file -> (verdict, failed check ids) of an NDJSON or JSON report.
fn verdicts(path: &Path) -> BTreeMap<String, (String, Vec<String>)> {
    let text = std::fs::read_to_string(path).unwrap();
    let reports: Vec<Value> = if text.trim_start().starts_with('[') {
        serde_json::from_str(&text).unwrap()
    } else {
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let mut out = BTreeMap::new();
    for r in reports {
        let failed = r["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["status"] != "pass" && c["status"] != "skipped")
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect();
        let file = r["file"].as_str().unwrap().to_string();
        let before = out.insert(
            file.clone(),
            (r["verdict"].as_str().unwrap().into(), failed),
        );
        assert!(before.is_none(), "{file} is in {} twice", path.display());
    }
    out
}

/// The job runner's environment variables of shard `i` (0-based).
type EnvOf = dyn Fn(u32) -> Vec<(String, String)>;

/// Lines of an NDJSON report's `file` fields, in order (each photo once or more).
fn files_of(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["file"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// The summary lines of a text report (from `N checked:` on), without the time.
fn summary(text: &str) -> Vec<String> {
    text.lines()
        .skip_while(|l| !l.contains(" checked: "))
        .map(|l| l.split(" in ").next().unwrap().to_string())
        .collect()
}

#[test]
fn shards_from_the_job_runner_cover_every_photo_once_and_merge_into_one_run() {
    let _machine = crate::common::share();
    let dir = tempfile::tempdir().unwrap();
    let single = dir.path().join("single.ndjson");
    let out = photocheck()
        .args(["check", "--format", "ndjson", "--jobs", "2", "-q", "-o"])
        .arg(&single)
        .args(INPUTS)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let one_run = verdicts(&single);
    assert!(one_run.len() >= 15, "{}", one_run.len());

    // Kubernetes Indexed Job (0-based index, count in PHOTOCHECK_SHARD_COUNT) and Slurm array
    // (task ids from SLURM_ARRAY_TASK_MIN, count in SLURM_ARRAY_TASK_COUNT).
    let runners: [(&str, u32, Box<EnvOf>); 2] = [
        (
            "k8s",
            3,
            Box::new(|i| {
                vec![
                    ("JOB_COMPLETION_INDEX".into(), i.to_string()),
                    ("PHOTOCHECK_SHARD_COUNT".into(), "3".into()),
                ]
            }),
        ),
        (
            "slurm",
            2,
            Box::new(|i| {
                vec![
                    ("SLURM_ARRAY_TASK_ID".into(), (10 + i).to_string()),
                    ("SLURM_ARRAY_TASK_MIN".into(), "10".into()),
                    ("SLURM_ARRAY_TASK_COUNT".into(), "2".into()),
                ]
            }),
        ),
    ];
    for (runner, n, env) in &runners {
        let mut shards = Vec::new();
        for i in 0..*n {
            let report = dir.path().join(format!("{runner}-{i}.ndjson"));
            let out = photocheck()
                .args([
                    "check", "--shard", "auto", "--format", "ndjson", "--jobs", "1", "-q",
                ])
                .arg("-o")
                .arg(&report)
                .args(INPUTS)
                .envs(env(i))
                .output()
                .unwrap();
            assert!(
                matches!(out.status.code(), Some(0 | 1)),
                "{runner} {i}: {out:?}"
            );
            shards.push(report);
        }
        // The union of the shards is every photo exactly once.
        let mut seen: Vec<String> = shards.iter().flat_map(|s| files_of(s)).collect();
        let total = seen.len();
        seen.sort();
        seen.dedup();
        assert_eq!(total, seen.len(), "{runner}: a photo in two shards");
        assert_eq!(
            seen,
            one_run.keys().cloned().collect::<Vec<_>>(),
            "{runner}: the shards miss photos"
        );
        assert!(
            shards.iter().all(|s| !files_of(s).is_empty()),
            "{runner}: an empty shard"
        );

        // merge: the same verdicts and the same summary as one run.
        let merged = dir.path().join(format!("{runner}-merged.json"));
        let out = photocheck()
            .args(["merge", "--format", "json", "-o"])
            .arg(&merged)
            .args(&shards)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        assert_eq!(verdicts(&merged), one_run, "{runner}");
        let text = |cmd: &mut std::process::Command| {
            String::from_utf8(cmd.output().unwrap().stdout).unwrap()
        };
        let merged_text = text(photocheck().arg("merge").args(&shards));
        let single_text = text(photocheck().args(["check", "-q"]).args(INPUTS));
        assert_eq!(summary(&merged_text), summary(&single_text), "{runner}");
        assert!(!summary(&merged_text).is_empty());
    }

    // Given the inputs, a shard left out shows as missing photos; a shard twice, as photos
    // checked twice.
    let list = dir.path().join("inputs.txt");
    std::fs::write(
        &list,
        one_run.keys().cloned().collect::<Vec<_>>().join("\n"),
    )
    .unwrap();
    let (a, b) = (
        dir.path().join("k8s-0.ndjson"),
        dir.path().join("k8s-1.ndjson"),
    );
    let out = photocheck()
        .args(["merge", "--format", "ndjson", "--inputs"])
        .arg(&list)
        .args([&a, &a, &b])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let missing = files_of(&dir.path().join("k8s-2.ndjson"));
    for f in &missing {
        assert!(
            err.contains(&format!("not checked (no report): {f}")),
            "{err}"
        );
    }
    for f in files_of(&a) {
        assert!(err.contains(&format!("checked 2 times: {f}")), "{err}");
    }
}

#[test]
fn merge_refuses_reports_of_different_specs() {
    let _machine = crate::common::share();
    let dir = tempfile::tempdir().unwrap();
    let photo = "fixtures/made/astronaut_licence.jpg";
    let mut reports = Vec::new();
    for spec in ["cn-driving-licence", "cn-passport"] {
        let report = dir.path().join(format!("{spec}.ndjson"));
        photocheck()
            .args(["check", "--format", "ndjson", "-q", "--spec", spec, "-o"])
            .arg(&report)
            .arg(photo)
            .output()
            .unwrap();
        reports.push(report);
    }
    let out = photocheck().arg("merge").args(&reports).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("different specs"), "{err}");
}

#[test]
fn shard_auto_without_a_job_runner_is_a_usage_error() {
    let _machine = crate::common::share();
    let out = photocheck()
        .args(["check", "--shard", "auto", "fixtures/made"])
        .env_remove("JOB_COMPLETION_INDEX")
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("PARALLEL_SEQ")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("JOB_COMPLETION_INDEX") && err.contains("SLURM_ARRAY_TASK_ID"),
        "{err}"
    );
}

#[test]
fn a_run_cut_off_mid_line_resumes_with_every_photo_checked_once() {
    let _machine = crate::common::share();
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full.ndjson");
    photocheck()
        .args(["check", "--format", "ndjson", "-q", "-o"])
        .arg(&full)
        .args(INPUTS)
        .output()
        .unwrap();
    let whole = verdicts(&full);
    // The run dies while writing its 6th line: five whole lines and half of one.
    let bytes = std::fs::read(&full).unwrap();
    let ends: Vec<usize> = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i + 1)
        .collect();
    let cut = ends[4] + (ends[5] - ends[4]) / 2;
    let partial = dir.path().join("partial.ndjson");
    std::fs::write(&partial, &bytes[..cut]).unwrap();
    let resume = |report: &Path| {
        photocheck()
            .args(["check", "--format", "ndjson", "--resume"])
            .arg(report)
            .args(INPUTS)
            .output()
            .unwrap()
    };
    let out = resume(&partial);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("5 photos already checked"), "{err}");
    let files = files_of(&partial);
    assert_eq!(files.len(), whole.len(), "each photo exactly once");
    assert_eq!(verdicts(&partial), whole);
    // Resuming a finished report checks nothing and adds nothing.
    let before = std::fs::read(&partial).unwrap();
    let out = resume(&partial);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read(&partial).unwrap(), before);
    // A report of another spec, or a format other than NDJSON, is refused.
    let out = photocheck()
        .args([
            "check",
            "--format",
            "ndjson",
            "--spec",
            "cn-passport",
            "--resume",
        ])
        .arg(&partial)
        .args(INPUTS)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cn-passport"));
    let out = photocheck()
        .args(["check", "--resume"])
        .arg(&partial)
        .args(INPUTS)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(&partial).unwrap(), before);
}

//! Issue 13's per-check figures on the committed fixtures: for each appearance rule (and the
//! photo rules fixed with them), of the fixture photos that must fail it, how many it flags
//! (fail or not_measured), and of those that must pass it, how many pass. The expectations
//! are `fixtures/expected.toml`'s; the table goes to stderr so that CI logs show it. The
//! development-set figures (real photos, not in the repository) are in the notes of issue 13.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde_json::Value;

use crate::common::photocheck;

/// The rules issue 13 added or fixed.
const RULES: &[&str] = &[
    "bare_head",
    "half_body",
    "eyes_open",
    "mouth_closed",
    "expression_neutral",
    "lenses_clear",
    "no_glare",
    "even_lighting",
    "exposure",
    "sharpness",
    "colour_photo",
    "single_face",
    "background_white",
];

fn reports() -> HashMap<String, Value> {
    let out = photocheck()
        .args(["check", "--format", "json", "fixtures"])
        .output()
        .expect("runs");
    let v: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    v.as_array()
        .expect("array")
        .iter()
        .map(|r| {
            let f = r["file"].as_str().unwrap();
            let rel = Path::new(f).strip_prefix("fixtures").unwrap();
            (rel.to_string_lossy().replace('\\', "/"), r.clone())
        })
        .collect()
}

fn check<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("{id} missing in {}", r["file"]))
}

#[test]
fn each_rule_flags_the_fixtures_that_break_it_and_passes_the_rest() {
    let _machine = crate::common::share();
    let expected = crate::fixtures::expected();
    let reports = reports();
    // rule -> (flagged, must fail, passed, must pass)
    let mut counts: BTreeMap<&str, [usize; 4]> = RULES.iter().map(|r| (*r, [0; 4])).collect();
    let mut wrong = Vec::new();
    for p in &expected.photo {
        let r = &reports[&p.file];
        for (ids, must_fail) in [(&p.fail, true), (&p.pass, false)] {
            for id in ids.iter().filter(|id| RULES.contains(&id.as_str())) {
                let status = check(r, id)["status"].as_str().unwrap().to_string();
                let n = counts.get_mut(id.as_str()).unwrap();
                let ok = if must_fail {
                    n[1] += 1;
                    matches!(status.as_str(), "fail" | "not_measured")
                } else {
                    n[3] += 1;
                    status == "pass"
                };
                n[usize::from(!must_fail) * 2] += usize::from(ok);
                if !ok {
                    wrong.push(format!("{} {id}: {status}", p.file));
                }
            }
        }
    }
    eprintln!("rule                 flagged / must fail   passed / must pass");
    for (id, [f, nf, p, np]) in &counts {
        eprintln!("{id:<20} {f:>7} / {nf:<9}   {p:>6} / {np}");
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    // Every rule is exercised by at least one photo that must fail it and one that must pass
    // it, except where no licence-clean photo shows the case yet (closed eyes and glare on
    // glasses to fail; a bare head that photocheck can confirm, to pass: the astronaut's
    // highlighted bob reads as "check by eye"): those are measured on the development photos.
    for id in RULES {
        let [_, nf, _, np] = counts[id];
        let needs_fail = !["eyes_open", "no_glare"].contains(id);
        let needs_pass = *id != "bare_head";
        assert!(
            (nf > 0 || !needs_fail) && (np > 0 || !needs_pass),
            "{id}: {nf} must-fail, {np} must-pass photos"
        );
    }
}

#[test]
fn messages_say_what_to_do() {
    let _machine = crate::common::share();
    let reports = reports();
    let message = |file: &str, id: &str| {
        check(&reports[file], id)["message"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let upside = message("appearance/astronaut_upside_down.jpg", "single_face");
    assert!(upside.contains("rotate it 180 degrees"), "{upside}");
    let shade = message("appearance/astronaut_side_shadow.jpg", "even_lighting");
    assert!(
        shade.contains("light the face evenly") && shade.contains("image-right"),
        "{shade}"
    );
    let lens = message("appearance/astronaut_sunglasses.jpg", "lenses_clear");
    assert!(lens.contains("take off sunglasses"), "{lens}");
    let dark = message("appearance/astronaut_dark.jpg", "exposure");
    assert!(dark.contains("under-exposed"), "{dark}");
    let clear = message("appearance/astronaut_transparent.png", "background_white");
    assert!(clear.contains("transparent"), "{clear}");
    let band = message("appearance/astronaut_bottom_band.jpg", "background_white");
    assert!(band.contains("band"), "{band}");
    // The smile shows teeth: a warning in this preset, with what to change.
    let smile = check(&reports["made/astronaut_licence.jpg"], "mouth_closed");
    assert_eq!(
        (smile["status"].as_str(), smile["severity"].as_str()),
        (Some("fail"), Some("warn"))
    );
    assert!(
        smile["message"]
            .as_str()
            .unwrap()
            .contains("close the lips")
    );
}

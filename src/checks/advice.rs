//! Advice (issue 14): what a person can do about each failed or unmeasured rule, in English
//! and Simplified Chinese, and whether `photocheck fix` can repair it.
//!
//! Each rule gives its own advice ([`super::Check::advice`]: by default its
//! [`super::CheckName`] texts; the geometry and pose rules give the direction and the amount).
//! [`advise`] adds it to the results, says "check by eye" for an unmeasured rule, and says
//! "photocheck fix can repair this" only when the rule is one the fix repairs
//! ([`super::Repair`]) and the photo holds what the fix needs ([`crate::fix::plan`] succeeds).

use super::rule::{Advice, Repair};
use super::{CheckInput, CheckResult, Status, fmt};

/// Fills [`CheckResult::advice`] of every failed or unmeasured result (whatever its severity);
/// passed and skipped results get none.
pub fn advise(results: &mut [CheckResult], input: &CheckInput) {
    let mut fix_possible: Option<bool> = None;
    for result in results.iter_mut() {
        if !matches!(result.status, Status::Fail | Status::NotMeasured) {
            continue;
        }
        let Some(mut advice) = input
            .spec
            .rules
            .iter()
            .find(|r| r.ids().iter().any(|n| n.id == result.id))
            .and_then(|r| r.advice(result, input))
        else {
            continue;
        };
        if result.status == Status::NotMeasured {
            advice = Advice {
                en: format!(
                    "could not be measured: check it by eye, and if it is not met, {}",
                    advice.en
                ),
                zh: format!("请人工核对；如不符合：{}", advice.zh),
                fix: Repair::No,
            };
        } else if advice.fix != Repair::No {
            let possible = *fix_possible.get_or_insert_with(|| {
                let facts = &input.analysis.facts;
                crate::fix::plan(input.analysis, input.spec, facts.width_px, facts.height_px)
                    .is_ok()
            });
            match (possible, advice.fix) {
                (false, _) => advice.fix = Repair::No,
                (true, Repair::WhiteBackdrop) => {
                    advice
                        .en
                        .push_str("; `photocheck fix --background white` can repair this");
                    advice
                        .zh
                        .push_str("（可用 photocheck fix --background white 自动修正）");
                }
                (true, _) => {
                    advice.en.push_str("; `photocheck fix` can repair this");
                    advice.zh.push_str("（可用 photocheck fix 自动修正）");
                }
            }
        }
        result.advice = Some(advice);
    }
}

/// How much larger (`> 0`) or smaller (`< 0`) something of size `value` must become to reach
/// `target`, percent, rounded to a whole percent (at least 1).
pub(crate) fn percent_change(value: f64, target: f64) -> f64 {
    let p = (100.0 * (target / value - 1.0)).round();
    if p == 0.0 {
        if target > value { 1.0 } else { -1.0 }
    } else {
        p
    }
}

/// The point of an allowed band `[lo, hi]` a value outside it should move to: the middle of
/// the band (so that a small error of ours or of the retake still lands inside).
pub(crate) fn band_middle(lo: Option<f64>, hi: Option<f64>, value: f64) -> f64 {
    match (lo, hi) {
        (Some(l), Some(h)) => (l + h) / 2.0,
        (Some(l), None) => l.max(value),
        (None, Some(h)) => h.min(value),
        (None, None) => value,
    }
}

/// A distance in mm for a sentence: one decimal, at least 0.1.
pub(crate) fn mm_words(v: f64) -> String {
    fmt((v.abs() * 10.0).round().max(1.0) / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{analysis, px, results};
    use crate::spec::Spec;

    fn advice_of(results: &[CheckResult], id: &str) -> Option<Advice> {
        results.iter().find(|c| c.id == id).unwrap().advice.clone()
    }

    #[test]
    fn passed_rules_have_no_advice_and_failed_ones_say_what_to_do_in_both_languages() {
        let spec = Spec::preset("cn-driving-licence").unwrap();
        // Head length 17 mm: too small by about 20.5 / 17 - 1 = 21 %.
        let crown = px(3.0);
        let a = analysis(crown, crown + px(17.0), 130.0, [40.0, 220.0]);
        let r = results(&a, &spec);
        let length = advice_of(&r, "head_length").expect("advice on a failed head length");
        assert!(length.en.contains("closer"), "{}", length.en);
        assert!(length.en.contains("21 % larger"), "{}", length.en);
        assert!(length.zh.contains("放大约 21%"), "{}", length.zh);
        for c in &r {
            assert_eq!(
                c.advice.is_some(),
                matches!(c.status, Status::Fail | Status::NotMeasured),
                "{}: {:?}",
                c.id,
                c.status
            );
        }
    }

    #[test]
    fn an_unmeasured_rule_says_check_by_eye_and_never_promises_a_fix() {
        let spec = Spec::preset("cn-driving-licence").unwrap();
        let mut a = analysis(px(3.0), px(23.5), 130.0, [40.0, 220.0]);
        a.head = None;
        let r = results(&a, &spec);
        let length = advice_of(&r, "head_length").unwrap();
        assert!(length.en.contains("check it by eye"), "{}", length.en);
        assert!(length.zh.contains("人工核对"), "{}", length.zh);
        assert_eq!(length.fix, Repair::No);
    }

    #[test]
    fn a_face_that_cannot_meet_length_and_width_together_is_told_so_once() {
        let spec = Spec::preset("cn-driving-licence").unwrap();
        let wide = |length_mm: f64| {
            let crown = px(1.2);
            let half = px(9.5);
            analysis(
                crown,
                crown + px(length_mm),
                130.0,
                [130.0 - half, 130.0 + half],
            )
        };
        // Length inside its band, width 19 mm: the width's advice says it, with what fix keeps.
        let r = results(&wide(20.5), &spec);
        assert!(advice_of(&r, "head_length").is_none());
        let width = advice_of(&r, "head_width").unwrap();
        assert!(width.en.contains("no crop gives both"), "{}", width.en);
        assert!(width.en.contains("keeps the head length"), "{}", width.en);
        assert!(width.zh.contains("优先保证头部长度"), "{}", width.zh);
        // Both outside: the length's advice says it, the width's points there.
        let r = results(&wide(17.0), &spec);
        let length = advice_of(&r, "head_length").unwrap();
        assert!(length.en.contains("no crop gives both"), "{}", length.en);
        let width = advice_of(&r, "head_width").unwrap();
        assert!(!width.en.contains("no crop gives both"), "{}", width.en);
        assert!(width.en.contains("see head_length"), "{}", width.en);
    }

    #[test]
    fn pose_advice_gives_the_way_and_the_degrees() {
        let spec = Spec::preset("cn-driving-licence").unwrap();
        let mut a = analysis(px(1.2), px(21.7), 130.0, [45.0, 215.0]);
        a.pose = Some(crate::analysis::Pose {
            yaw_deg: -14.0,
            pitch_deg: 20.0,
            roll_deg: 0.0,
        });
        let r = results(&a, &spec);
        let yaw = advice_of(&r, "pose_yaw").unwrap();
        assert!(yaw.en.contains("14 degrees to your left"), "{}", yaw.en);
        // Positive pitch is chin down: raise it.
        let pitch = advice_of(&r, "pose_pitch").unwrap();
        assert!(
            pitch.en.contains("raise your chin about 20"),
            "{}",
            pitch.en
        );
        assert!(pitch.zh.contains("抬起下巴"), "{}", pitch.zh);
        assert!(advice_of(&r, "pose_roll").is_none());
    }

    #[test]
    fn amounts_are_whole_percent_and_never_zero() {
        assert_eq!(percent_change(17.0, 20.5), 21.0);
        assert_eq!(percent_change(24.0, 20.5), -15.0);
        assert_eq!(percent_change(20.49, 20.5), 1.0);
        assert_eq!(band_middle(Some(19.0), Some(22.0), 17.0), 20.5);
        assert_eq!(mm_words(0.01), "0.1");
    }
}

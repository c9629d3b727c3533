//! Pose rules: the head turned (yaw), nodded (pitch) and tilted (roll), degrees. GA 482-2012
//! 5.2.3 asks for a frontal photo (正面); the limits follow ISO/IEC 39794-5 practice.

use serde::{Deserialize, Serialize};

use super::rule::{Advice, Check, CheckName, Problem, Repair, positive};
use super::{CheckInput, CheckResult, fmt, range_check};
use crate::analysis::Stages;
use crate::spec::{PhotoSize, Severity};

/// `[rules.pose]`: head rotation limits, degrees (checks `pose_yaw`, `pose_pitch`,
/// `pose_roll`; signs: see [`crate::analysis::Pose`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoseLimits {
    /// Largest allowed |yaw| (turn left/right), degrees.
    pub max_yaw_deg: f64,
    /// Largest allowed |pitch| (nod up/down), degrees.
    pub max_pitch_deg: f64,
    /// Largest allowed |roll| (tilt of the eye line), degrees.
    pub max_roll_deg: f64,
}

impl Check for PoseLimits {
    const TABLE: &'static str = "pose";
    const IDS: &'static [CheckName] = &[
        CheckName {
            id: "pose_yaw",
            zh: "左右转头",
            fix_zh: "请正对镜头，不要左右转头",
            fix_en: "face the camera squarely, without turning the head",
            fix_repairs: Repair::No,
        },
        CheckName {
            id: "pose_pitch",
            zh: "抬头低头",
            fix_zh: "请平视镜头，不要抬头或低头",
            fix_en: "look straight into the camera, chin level",
            fix_repairs: Repair::No,
        },
        CheckName {
            id: "pose_roll",
            zh: "歪头",
            fix_zh: "请保持头部端正，不要歪头",
            fix_en: "hold the head upright, eyes level",
            fix_repairs: Repair::Yes,
        },
    ];
    const STAGES: Stages = Stages::POSE;

    fn validate(&self, _photo: &PhotoSize) -> Result<(), Problem> {
        positive("max_yaw_deg", self.max_yaw_deg)?;
        positive("max_pitch_deg", self.max_pitch_deg)?;
        positive("max_roll_deg", self.max_roll_deg)
    }

    /// |angle| in degrees against each limit; the message gives the signed angle.
    fn check(&self, severity: Severity, input: &CheckInput) -> Vec<CheckResult> {
        let m = input.measurements;
        let limits = [
            (m.yaw_deg, self.max_yaw_deg, "head turned (yaw)"),
            (m.pitch_deg, self.max_pitch_deg, "head nodded (pitch)"),
            (m.roll_deg, self.max_roll_deg, "head tilted (roll)"),
        ];
        let direction = [
            (
                "turned to the subject's right",
                "turned to the subject's left",
            ),
            ("chin down", "chin up"),
            ("image-right eye lower", "image-left eye lower"),
        ];
        Self::IDS
            .iter()
            .zip(limits)
            .zip(direction)
            .map(|((name, (v, max, what)), (positive, negative))| {
                let mut r = range_check(
                    name.id,
                    severity,
                    v.map(f64::abs),
                    "deg",
                    None,
                    Some(max),
                    what,
                );
                if let Some(v) = v {
                    // The value is |angle| against the limit; the message keeps the sign.
                    let way = if v >= 0.0 { positive } else { negative };
                    r.message = format!("{} (signed {} deg, {way})", r.message, fmt(v));
                    if matches!(r.status, super::Status::Fail | super::Status::Warn) {
                        r.message
                            .push_str(": face the camera squarely, eyes level, chin level");
                    }
                }
                r
            })
            .collect()
    }

    /// Direction and amount from the signed angle: which way the head is turned, nodded or
    /// tilted and by about how many degrees.
    fn advice(&self, r: &CheckResult, input: &CheckInput) -> Option<Advice> {
        let m = input.measurements;
        let (name, signed) = match r.id.as_str() {
            "pose_yaw" => (&Self::IDS[0], m.yaw_deg),
            "pose_pitch" => (&Self::IDS[1], m.pitch_deg),
            _ => (&Self::IDS[2], m.roll_deg),
        };
        let Some(v) = signed else {
            return Some(Advice::of(name));
        };
        let deg = v.abs().round().max(1.0);
        let (en, zh) = match (name.id, v >= 0.0) {
            ("pose_yaw", right) => {
                let (side, side_zh) = if right {
                    ("right", "右")
                } else {
                    ("left", "左")
                };
                (
                    format!(
                        "face the camera squarely: the head is turned about {deg} degrees to your {side}"
                    ),
                    format!("请正对镜头：头部向{side_zh}转了约 {deg} 度"),
                )
            }
            ("pose_pitch", true) => (
                format!("raise your chin about {deg} degrees and look straight into the camera"),
                format!("请抬起下巴约 {deg} 度，平视镜头"),
            ),
            ("pose_pitch", false) => (
                format!("lower your chin about {deg} degrees and look straight into the camera"),
                format!("请稍收下巴约 {deg} 度，平视镜头"),
            ),
            _ => (
                format!("hold the head upright: the eye line is tilted about {deg} degrees"),
                format!("请保持头部端正：双眼连线倾斜约 {deg} 度"),
            ),
        };
        Some(Advice::new(name, en, zh))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{analysis, status_of};
    use crate::checks::Status;
    use crate::spec::Spec;

    #[test]
    fn pose_limits() {
        let spec = Spec::preset("cn-driving-licence").unwrap();
        let a = analysis(15.0, 255.0, 130.0, [40.0, 220.0]);
        assert_eq!(status_of(&a, &spec, "pose_yaw"), Status::Pass);
        assert_eq!(status_of(&a, &spec, "pose_pitch"), Status::Pass);
        assert_eq!(status_of(&a, &spec, "pose_roll"), Status::Fail);
    }
}

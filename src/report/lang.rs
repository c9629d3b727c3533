//! Languages of the human-readable output (text reporter, annotated images). JSON ids and
//! fields stay English.

use crate::checks::{CheckResult, Status, fmt};

/// Language of human messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// The language a `LANG`/`LC_ALL`/`LC_MESSAGES` value asks for (`zh_CN.UTF-8` -> Chinese).
    pub fn from_locale(locale: &str) -> Lang {
        if locale.to_ascii_lowercase().starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }

    /// The language of the environment (`LC_ALL`, then `LC_MESSAGES`, then `LANG`).
    pub fn from_env() -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
            .map_or(Lang::En, |v| Lang::from_locale(&v))
    }
}

/// The Chinese name of a check id (from [`crate::checks::CHECKS`]; the id itself for
/// unknown ids).
pub fn rule_name_zh(id: &str) -> &str {
    crate::checks::check_name(id).map_or(id, |n| n.zh)
}

fn unit_zh(unit: &str) -> &str {
    match unit {
        "mm" => "毫米",
        "px" => "像素",
        "deg" => "度",
        "days" => "天",
        "count" => "个",
        "share" => "",
        "ratio" => "",
        other => other,
    }
}

/// A status word.
pub fn status_word(status: Status, lang: Lang) -> &'static str {
    match (lang, status) {
        (Lang::En, Status::Pass) => "pass",
        (Lang::En, Status::Fail) => "FAIL",
        (Lang::En, Status::Warn) => "warn",
        (Lang::En, Status::NotMeasured) => "n/m ",
        (Lang::En, Status::Skipped) => "skip",
        (Lang::Zh, Status::Pass) => "合格",
        (Lang::Zh, Status::Fail) => "不合格",
        (Lang::Zh, Status::Warn) => "提醒",
        (Lang::Zh, Status::NotMeasured) => "未测出",
        (Lang::Zh, Status::Skipped) => "跳过",
    }
}

/// A check in a few words: `head_length 17.2 mm (19-22)` or `头部长度 17.2 毫米（应为 19–22）`.
pub fn short(c: &CheckResult, lang: Lang) -> String {
    // Shares read as percentages: "26.9 % (<= 1 %)".
    if c.unit == "share" {
        let pct = CheckResult {
            value: c.value.map(|v| 100.0 * v),
            min: c.min.map(|v| 100.0 * v),
            max: c.max.map(|v| 100.0 * v),
            unit: "%".into(),
            ..c.clone()
        };
        return short(&pct, lang);
    }
    // A photo turned on its side or upside down says so in the short form too.
    if c.id == "single_face"
        && c.value == Some(0.0)
        && let Some(turn) = c.message.split("; rotate it ").nth(1)
    {
        let turn = turn.split(" (").next().unwrap_or(turn);
        return match lang {
            Lang::En => format!("single_face: no upright face, rotate the photo {turn}"),
            Lang::Zh => format!(
                "{}：照片方向不对，请旋转 {}",
                rule_name_zh(&c.id),
                turn.replace(" degrees clockwise", " 度（顺时针）")
                    .replace(" degrees", " 度")
            ),
        };
    }
    let range = match (c.min, c.max) {
        (Some(lo), Some(hi)) if lo == hi => fmt(lo),
        (Some(lo), Some(hi)) if lo < 0.0 && lang == Lang::Zh => {
            format!("{}～{}", fmt(lo), fmt(hi))
        }
        (Some(lo), Some(hi)) if lo < 0.0 => format!("{} to {}", fmt(lo), fmt(hi)),
        (Some(lo), Some(hi)) => format!("{}-{}", fmt(lo), fmt(hi)),
        (Some(lo), None) => format!(">= {}", fmt(lo)),
        (None, Some(hi)) => format!("<= {}", fmt(hi)),
        (None, None) => String::new(),
    };
    match lang {
        Lang::En => match (c.status, c.value) {
            (Status::NotMeasured, _) => format!("{} not measured", c.id),
            (_, Some(v)) if c.unit == "count" => format!("{} {} found ({range})", c.id, fmt(v)),
            (_, Some(v)) if !range.is_empty() && matches!(c.unit.as_str(), "ratio" | "share") => {
                format!("{} {} ({range})", c.id, fmt(v))
            }
            (_, Some(v)) if !range.is_empty() => {
                format!("{} {} {} ({range})", c.id, fmt(v), c.unit)
            }
            _ => format!("{} ({})", c.id, c.message),
        },
        Lang::Zh => {
            let name = rule_name_zh(&c.id);
            let unit = unit_zh(&c.unit);
            match (c.status, c.value) {
                (Status::NotMeasured, _) => format!("{name}未能测出"),
                (Status::Skipped, None) if c.id == "taken_recently" => {
                    format!("{name}（无 EXIF 拍摄日期，未检查）")
                }
                (_, Some(v)) if !range.is_empty() => {
                    format!("{name} {} {unit}（应为 {range}）", fmt(v))
                }
                _ => format!("{name}（{}）", c.message),
            }
        }
    }
}

/// A full line for a check: the message in English; in Chinese the short form, with the
/// advice ([`crate::checks::Advice::zh`]) when the rule failed or could not be measured
/// (else the rule's [`crate::checks::CheckName::fix_zh`], and "请人工核对", check by eye).
pub fn line(c: &CheckResult, lang: Lang) -> String {
    match lang {
        Lang::En => c.message.clone(),
        Lang::Zh => {
            let fix = crate::checks::check_name(&c.id).map(|n| n.fix_zh);
            match (c.status, &c.advice, fix) {
                (Status::Fail | Status::NotMeasured, Some(a), _) => {
                    format!("{}：{}", short(c, lang), a.zh)
                }
                (Status::Fail, None, Some(fix)) => format!("{}：{fix}", short(c, lang)),
                (Status::NotMeasured, None, _) => format!("{}，请人工核对", short(c, lang)),
                _ => short(c, lang),
            }
        }
    }
}

/// The advice of a failed or unmeasured check in `lang`, prefixed with the rule's name
/// (`head_length: move the camera closer ...`, `头部长度：请...`); `None` when it has
/// none.
pub fn advice_line(c: &CheckResult, lang: Lang) -> Option<String> {
    let a = c.advice.as_ref()?;
    Some(match lang {
        Lang::En => format!("{}: {}", c.id, a.en),
        Lang::Zh => format!("{}：{}", rule_name_zh(&c.id), a.zh),
    })
}

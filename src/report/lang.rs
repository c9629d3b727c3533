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

    /// The language of a BCP 47 tag (`zh`, `zh-CN`, `zh-Hans`, `zh_TW`, `en-US`, any case);
    /// `None` for a language photocheck does not speak.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language an HTTP `Accept-Language` header prefers among those photocheck speaks
    /// (`zh-CN,zh;q=0.9,en;q=0.8` -> Chinese; weights honoured, `q=0` excluded); `None` when
    /// it names none of them.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Lang::from_tag) else {
                continue;
            };
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l)
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

/// The Chinese word of a unit (`mm` -> `毫米`, `L*` -> `明度`, `C*ab` -> `彩度`); units without a
/// word (`KB`, `%`) as they are, and none for ratios and shares.
pub fn unit_zh(unit: &str) -> &str {
    match unit {
        "mm" => "毫米",
        "px" => "像素",
        "deg" => "度",
        "days" => "天",
        "count" => "个",
        "L*" => "明度",
        "C*ab" => "彩度",
        "ΔE" | "dE" => "色差",
        "dpi" => "点每英寸",
        "share" => "",
        "ratio" => "",
        other => other,
    }
}

/// A rule's source (`GA 482-2012 5.2.3: white background`) for a Chinese reader: the
/// document it comes from, its English words translated (`ICAO 9303 Part 3 portrait
/// practice` -> `ICAO 9303 第 3 部分人像规范`); standard codes stay as they are.
pub fn source_zh(source: &str) -> String {
    let document = source.split(':').next().unwrap_or(source).trim();
    const WORDS: &[(&str, &str)] = &[
        (" (exit-entry photo guide)", ""),
        (" Part 3 portrait practice", " 第 3 部分人像规范"),
        (" practice (frontal)", " 惯例（正面）"),
        (" photo guide", " 照片指南"),
        ("archive digital photo", "档案数字照片规格"),
        ("photocheck", "photocheck 规则"),
        ("unofficial", "非官方"),
        ("US DoS", "美国国务院"),
        ("HMPO digital", "英国护照署（数字照片）"),
        ("HMPO print", "英国护照署（纸质照片）"),
        ("HMPO", "英国护照署"),
        ("MOFA Korea", "韩国外交部"),
        ("MOFA", "日本外务省"),
        ("Passport Seva", "印度护照服务"),
        ("Schengen", "申根"),
        ("IRCC", "加拿大移民部"),
        ("APO", "澳大利亚护照办公室"),
    ];
    let mut out = document.to_string();
    for (en, zh) in WORDS {
        if out.contains(en) {
            out = out.replacen(en, zh, 1);
        }
    }
    out
}

/// The legend of an annotated image, in the order crown and chin lines, allowed bands, eye
/// line, head width markers, face box, person outline.
pub fn legend(lang: Lang) -> [&'static str; 6] {
    match lang {
        Lang::En => [
            "measured crown and chin",
            "allowed bands (space above the head, head length)",
            "eye line",
            "head width at the ears",
            "face found",
            "outline of the person (the rest is backdrop)",
        ],
        Lang::Zh => [
            "测得的头顶和下颏",
            "允许范围（头顶距上边、头部长度）",
            "眼睛连线",
            "头部宽度（双耳外缘）",
            "检测到的人脸",
            "人像轮廓（其余为背景）",
        ],
    }
}

/// What went wrong with a file that could not be checked, in Chinese (by its kind).
pub fn error_zh(kind: crate::ErrorKind) -> &'static str {
    use crate::ErrorKind as K;
    match kind {
        K::NotFound => "找不到这个文件",
        K::Io => "无法读取这个文件",
        K::NotAnImage => "不是图片文件",
        K::UnsupportedFormat => "不支持的图片格式，请另存为 JPEG 或 PNG",
        K::Truncated => "图片文件不完整（可能没有下载或保存完）",
        K::TooLarge => "图片过大，请缩小后再检查",
        K::Corrupt => "图片文件已损坏",
        K::Model => "模型无法运行（photocheck 内部错误）",
        K::Spec => "规格文件有误",
        K::Timeout => "检查超时",
        K::Internal => "photocheck 内部错误，请报告此问题",
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
                (_, Some(v)) => format!("{name} {} {unit}", fmt(v)),
                (status, None) => format!("{name}（{}）", status_word(status, lang)),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bcp47_tags_and_accept_language() {
        for tag in ["zh", "zh-CN", "zh-Hans", "ZH_tw", "zh-Hans-CN"] {
            assert_eq!(Lang::from_tag(tag), Some(Lang::Zh), "{tag}");
        }
        for tag in ["en", "en-US", "EN-gb"] {
            assert_eq!(Lang::from_tag(tag), Some(Lang::En), "{tag}");
        }
        assert_eq!(Lang::from_tag("fr-FR"), None);
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Some(Lang::Zh)
        );
        assert_eq!(
            Lang::from_accept_language("fr;q=1, en-US;q=0.7, zh;q=0.5"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("zh;q=0, en;q=0.1"),
            Some(Lang::En)
        );
        assert_eq!(Lang::from_accept_language("fr, de"), None);
    }
}

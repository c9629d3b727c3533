//! Text reporter: one line per photo, every check with `verbose`, a summary.

use std::io::Write;

use super::lang::{Lang, advice_line, error_zh, line, rule_name_zh, short, source_zh, status_word};
use super::{FileReport, Reporter, Summary, Verdict};

/// The summary's first line: `3 checked: 1 passed, 2 failed, 0 errors in 0.41 s` (or in
/// Chinese), as the text report ends and as `check -o FILE` prints it on standard error.
pub fn summary_line(s: &Summary, lang: Lang) -> String {
    match lang {
        Lang::En => {
            let errors = if s.errors == 1 { "error" } else { "errors" };
            format!(
                "{} checked: {} passed, {} failed, {} {errors} in {:.2} s",
                s.checked, s.passed, s.failed, s.errors, s.elapsed_s
            )
        }
        Lang::Zh => format!(
            "共检查 {} 张：合格 {}，不合格 {}，错误 {}，用时 {:.2} 秒",
            s.checked, s.passed, s.failed, s.errors, s.elapsed_s
        ),
    }
}

/// Writes `PASS file`, `FAIL file: rule value (range); ...` or `ERROR file: cause` per photo,
/// then what to do about each failed or warned rule (`  -> rule: advice`); with `verbose`
/// every check on its own line (with its rule's source, and its advice under it), then a
/// summary with the counts per verdict and, for failures, per failed rule.
pub struct TextReporter<W: Write> {
    out: W,
    verbose: bool,
    lang: Lang,
}

impl<W: Write> TextReporter<W> {
    /// A reporter writing to `out` in English.
    pub fn new(out: W, verbose: bool) -> Self {
        TextReporter {
            out,
            verbose,
            lang: Lang::En,
        }
    }

    /// The same reporter writing human messages in `lang`.
    pub fn with_lang(mut self, lang: Lang) -> Self {
        self.lang = lang;
        self
    }
}

impl<W: Write> Reporter for TextReporter<W> {
    fn report(&mut self, r: &FileReport) -> std::io::Result<()> {
        let zh = self.lang == Lang::Zh;
        // Warnings: rules of severity `warn` that failed or could not be measured.
        // With no face, every face rule is "not measured": one count says so instead of a list.
        let no_face = r.measurements.as_ref().is_some_and(|m| m.faces == 0);
        let unmeasured = |c: &&crate::checks::CheckResult| {
            no_face && c.status == crate::checks::Status::NotMeasured
        };
        let hidden = r.checks.iter().filter(unmeasured).count();
        let warned: Vec<String> = r
            .checks
            .iter()
            .filter(|c| {
                c.severity == crate::spec::Severity::Warn
                    && matches!(
                        c.status,
                        crate::checks::Status::Fail | crate::checks::Status::NotMeasured
                    )
            })
            .filter(|c| !unmeasured(c))
            .map(|c| short(c, self.lang))
            .collect();
        let warnings = match (warned.is_empty(), zh) {
            (true, _) => String::new(),
            (false, true) => format!("（提醒：{}）", warned.join("；")),
            (false, false) => format!("  (warn: {})", warned.join("; ")),
        };
        match r.verdict {
            Verdict::Pass => {
                let word = if zh { "合格" } else { "PASS" };
                writeln!(self.out, "{word}  {}{warnings}", r.file)?
            }
            Verdict::Fail => {
                let mut failed: Vec<String> = r
                    .failed_checks()
                    .filter(|c| !unmeasured(c))
                    .map(|c| short(c, self.lang))
                    .collect();
                if hidden > 0 {
                    failed.push(if zh {
                        format!("另有 {hidden} 项因未找到人脸而未能测出")
                    } else {
                        format!("{hidden} more rules not measured (no face)")
                    });
                }
                let (word, sep) = if zh {
                    ("不合格", "；")
                } else {
                    ("FAIL", "; ")
                };
                writeln!(
                    self.out,
                    "{word}  {}: {}{warnings}",
                    r.file,
                    failed.join(sep)
                )?
            }
            Verdict::Error => {
                let msg = match (&r.error, zh) {
                    (Some(e), true) => error_zh(e.kind).to_string(),
                    (Some(e), false) => e.message.clone(),
                    (None, _) => String::new(),
                };
                let word = if zh { "错误" } else { "ERROR" };
                writeln!(self.out, "{word} {}: {msg}", r.file)?
            }
        }
        if let Some(o) = r.expectation.as_ref().filter(|o| !o.met) {
            let word = if zh {
                "与预期不符"
            } else {
                "NOT AS EXPECTED"
            };
            for m in &o.mismatches {
                writeln!(self.out, "      {word}: {m}")?;
            }
        }
        if self.verbose {
            for c in &r.checks {
                let tag = status_word(c.shown_status(), self.lang);
                let text = line(c, self.lang);
                let source = c.spec_source.as_deref().map(|src| match self.lang {
                    Lang::Zh => source_zh(src),
                    Lang::En => src.to_string(),
                });
                match &source {
                    Some(src) => writeln!(self.out, "      {tag}  {:<18} {text}  [{src}]", c.id)?,
                    None => writeln!(self.out, "      {tag}  {:<18} {text}", c.id)?,
                }
                // In Chinese the line already ends with the advice.
                if let (Lang::En, Some(a)) = (self.lang, &c.advice) {
                    writeln!(self.out, "            -> {}", a.en)?;
                }
            }
        } else if r.verdict != Verdict::Error {
            // What to do, for each rule that fails the photo or warns (with no face, the
            // single-face advice stands for the rules that could not be measured).
            for c in r.checks.iter().filter(|c| !unmeasured(c)) {
                if let Some(text) = advice_line(c, self.lang) {
                    writeln!(self.out, "      -> {text}")?;
                }
            }
        }
        self.out.flush()
    }

    fn finish(&mut self, s: &Summary) -> std::io::Result<()> {
        let rules = s.failed_rules_by_count();
        match self.lang {
            Lang::En => {
                writeln!(self.out, "{}", summary_line(s, self.lang))?;
                if !rules.is_empty() {
                    let list: Vec<String> = rules
                        .iter()
                        .map(|(id, n)| match *id {
                            super::NO_FACE => format!("no face found: {n}"),
                            id => format!("{id}: {n}"),
                        })
                        .collect();
                    writeln!(self.out, "failed rules: {}", list.join(", "))?;
                }
                if !s.error_kinds.is_empty() {
                    let list: Vec<String> = s
                        .error_kinds
                        .iter()
                        .map(|(k, n)| format!("{k}: {n}"))
                        .collect();
                    writeln!(self.out, "errors: {}", list.join(", "))?;
                }
            }
            Lang::Zh => {
                writeln!(self.out, "{}", summary_line(s, self.lang))?;
                if !rules.is_empty() {
                    let list: Vec<String> = rules
                        .iter()
                        .map(|(id, n)| match *id {
                            super::NO_FACE => format!("未找到人脸 {n}"),
                            id => format!("{} {n}", rule_name_zh(id)),
                        })
                        .collect();
                    writeln!(self.out, "不合格项目：{}", list.join("，"))?;
                }
                if !s.error_kinds.is_empty() {
                    let list: Vec<String> = s
                        .error_kinds
                        .iter()
                        .map(|(k, n)| {
                            let word = serde_json::from_value::<crate::ErrorKind>(
                                serde_json::Value::String(k.clone()),
                            )
                            .map_or_else(|_| k.clone(), |kind| error_zh(kind).to_string());
                            format!("{word} {n}")
                        })
                        .collect();
                    writeln!(self.out, "错误类型：{}", list.join("，"))?;
                }
            }
        }
        self.out.flush()
    }
}

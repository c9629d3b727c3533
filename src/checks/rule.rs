//! The rule machinery: the [`Check`] trait a rule's parameters implement, the generic
//! [`Rule`] (parameters + severity + source), the type-erased [`SpecRule`] a spec holds, the
//! [`RuleKind`] entries of [`super::CHECKS`], and the ordered [`Rules`] of a spec.

use std::any::Any;
use std::fmt::Debug;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{CheckInput, CheckResult};
use crate::analysis::Stages;
use crate::spec::{PhotoSize, Severity, Spec};

/// A check id and its Chinese name (for the text reporter, annotated images and the page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckName {
    /// Stable check id (DESIGN.md), e.g. `head_length`.
    pub id: &'static str,
    /// Simplified Chinese name, e.g. `头部长度`.
    pub zh: &'static str,
    /// What to do when the rule fails, in Simplified Chinese, e.g.
    /// `请重新裁剪，使头顶到下巴的长度符合要求` (the start of [`Advice::zh`] when the rule
    /// gives no advice of its own).
    pub fix_zh: &'static str,
    /// What to do when the rule fails, in English, e.g. `crop the photo so that the face is in
    /// the middle` (the start of [`Advice::en`] when the rule gives no advice of its own).
    pub fix_en: &'static str,
    /// Whether `photocheck fix` ([`crate::fix`]) can repair a failure of this rule.
    pub fix_repairs: Repair,
}

/// Whether `photocheck fix` can repair a failed rule (it crops, scales, levels, re-encodes and,
/// when asked, whitens the backdrop; it never changes the person).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Repair {
    /// No: the photo must be taken again (or the rule is not about the frame).
    No,
    /// Yes, by cropping, scaling, levelling or re-encoding, when the photo holds enough of the
    /// person around the head ([`crate::fix::plan`] succeeds).
    Yes,
    /// Yes with `photocheck fix --background white` (the backdrop replaced through the person
    /// mask).
    WhiteBackdrop,
}

/// What a person can do about a failed or unmeasured check, in English and Simplified Chinese
/// (the `advice` of a [`CheckResult`]). Geometry advice gives the direction and the amount
/// (e.g. "the head should be about 12 % larger").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advice {
    /// What to do, in English.
    pub en: String,
    /// What to do, in Simplified Chinese.
    pub zh: String,
    /// Whether `photocheck fix` can repair it: `no`, `yes`, or `white_backdrop` (with
    /// `--background white`). `yes` is only said when the photo holds what the fix needs.
    pub fix: Repair,
}

impl Advice {
    /// The rule's own advice (its [`CheckName::fix_en`] and [`CheckName::fix_zh`]).
    pub fn of(name: &CheckName) -> Advice {
        Advice {
            en: name.fix_en.to_string(),
            zh: name.fix_zh.to_string(),
            fix: name.fix_repairs,
        }
    }

    /// Advice with the given English and Chinese texts and the rule's repair.
    pub fn new(name: &CheckName, en: impl Into<String>, zh: impl Into<String>) -> Advice {
        Advice {
            en: en.into(),
            zh: zh.into(),
            fix: name.fix_repairs,
        }
    }
}

/// A validation problem in a rule's parameters: the key (in the rule's table) and what is
/// wrong. The spec loader adds the file, line and table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The offending key, e.g. `min_mm`.
    pub key: &'static str,
    /// What is wrong, e.g. `min 23 is larger than max 21`.
    pub message: String,
}

impl Problem {
    /// A problem with `key`.
    pub fn new(key: &'static str, message: impl Into<String>) -> Problem {
        Problem {
            key,
            message: message.into(),
        }
    }
}

/// A rule's parameters, and what the rule does with them. Implemented by one struct per rule
/// table (e.g. [`super::head::HeadLength`] for `[rules.head_length]`); the struct's fields are
/// the table's keys (besides `severity` and `source`, which every rule has).
pub trait Check:
    Serialize + DeserializeOwned + Clone + Debug + PartialEq + Send + Sync + 'static
{
    /// The rule's table in a spec: `[rules.<TABLE>]`.
    const TABLE: &'static str;
    /// The check ids the rule reports, in order (one for most rules; `pose` has three).
    const IDS: &'static [CheckName];
    /// The analysis stages the rule reads.
    const STAGES: Stages;

    /// Checks the parameters against each other and the photo's size.
    ///
    /// Errors: the offending key and what is wrong.
    fn validate(&self, _photo: &PhotoSize) -> Result<(), Problem> {
        Ok(())
    }

    /// The rule's results on a photo, one per id of [`Check::IDS`], built with `severity`
    /// (a rule outside its limits is `fail` when the severity is `error`, `warn` when it is
    /// `warn`). `spec_source` is filled in by [`super::run_checks`].
    fn check(&self, severity: Severity, input: &CheckInput) -> Vec<CheckResult>;

    /// What to do about a failed or unmeasured `result` of this rule: by default the rule's [`CheckName`] advice; geometry rules override it with the
    /// direction and the amount.
    fn advice(&self, result: &CheckResult, _input: &CheckInput) -> Option<Advice> {
        Self::IDS.iter().find(|n| n.id == result.id).map(Advice::of)
    }

    /// One line for `photocheck specs` (e.g. `head length 19-22 mm (top of hair to chin)`),
    /// or `None` for a rule not worth a line there.
    fn summary(&self, _spec: &Spec) -> Option<String> {
        None
    }
}

/// A rule of a spec: its parameters, its severity and its source.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule<C> {
    /// The rule's parameters (its table's keys).
    pub params: C,
    /// Whether a failed rule fails the photo (`error`) or is only reported (`warn`).
    pub severity: Severity,
    /// The standard and clause this rule comes from (shown with the check's result).
    pub source: Option<String>,
}

impl<C> Rule<C> {
    /// A rule of severity `error` with a source.
    pub fn new(params: C, source: impl Into<String>) -> Rule<C> {
        Rule {
            params,
            severity: Severity::Error,
            source: Some(source.into()),
        }
    }
}

/// The rule's table as written in TOML: the parameters' keys, then `severity` and `source`.
#[derive(Serialize)]
struct Flat<'a, C> {
    #[serde(flatten)]
    params: &'a C,
    severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: &'a Option<String>,
}

/// A rule of any kind, as a spec holds it (a [`Rule`] with its [`Check`] erased).
pub trait SpecRule: Debug + Send + Sync {
    /// The rule's table name.
    fn table(&self) -> &'static str;
    /// The check ids it reports.
    fn ids(&self) -> &'static [CheckName];
    /// The analysis stages it reads.
    fn stages(&self) -> Stages;
    /// Its severity.
    fn severity(&self) -> Severity;
    /// Its own source, if it names one.
    fn source(&self) -> Option<&String>;
    /// Its results on a photo (see [`Check::check`]).
    fn run(&self, input: &CheckInput) -> Vec<CheckResult>;
    /// See [`Check::validate`].
    fn validate(&self, photo: &PhotoSize) -> Result<(), Problem>;
    /// See [`Check::advice`].
    fn advice(&self, result: &CheckResult, input: &CheckInput) -> Option<Advice>;
    /// See [`Check::summary`].
    fn summary(&self, spec: &Spec) -> Option<String>;
    /// The rule's table as a TOML value (parameters, `severity`, `source`).
    fn to_toml(&self) -> toml::Value;
    /// For typed access ([`Rules::get`]).
    fn as_any(&self) -> &dyn Any;
    /// A boxed copy.
    fn clone_box(&self) -> Box<dyn SpecRule>;
    /// Equality with a rule of any kind.
    fn same_as(&self, other: &dyn SpecRule) -> bool;
}

impl<C: Check> SpecRule for Rule<C> {
    fn table(&self) -> &'static str {
        C::TABLE
    }
    fn ids(&self) -> &'static [CheckName] {
        C::IDS
    }
    fn stages(&self) -> Stages {
        C::STAGES
    }
    fn severity(&self) -> Severity {
        self.severity
    }
    fn source(&self) -> Option<&String> {
        self.source.as_ref()
    }
    fn run(&self, input: &CheckInput) -> Vec<CheckResult> {
        self.params.check(self.severity, input)
    }
    fn validate(&self, photo: &PhotoSize) -> Result<(), Problem> {
        self.params.validate(photo)
    }
    fn advice(&self, result: &CheckResult, input: &CheckInput) -> Option<Advice> {
        self.params.advice(result, input)
    }
    fn summary(&self, spec: &Spec) -> Option<String> {
        self.params.summary(spec)
    }
    fn to_toml(&self) -> toml::Value {
        let flat = Flat {
            params: &self.params,
            severity: self.severity,
            source: &self.source,
        };
        toml::Value::try_from(flat).unwrap_or_else(|_| toml::Value::Table(toml::Table::new()))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn clone_box(&self) -> Box<dyn SpecRule> {
        Box::new(self.clone())
    }
    fn same_as(&self, other: &dyn SpecRule) -> bool {
        other
            .as_any()
            .downcast_ref::<Rule<C>>()
            .is_some_and(|o| o == self)
    }
}

/// One entry of [`super::CHECKS`]: a kind of rule, able to read its table from a spec.
pub trait RuleKind: Sync {
    /// The rule's table name.
    fn table(&self) -> &'static str;
    /// The check ids it reports.
    fn ids(&self) -> &'static [CheckName];
    /// The analysis stages it reads.
    fn stages(&self) -> Stages;
    /// Reads the rule from its table (parameters, optional `severity` and `source`).
    ///
    /// Errors: a message naming the unknown, missing or mistyped key.
    fn parse(&self, table: toml::Value) -> Result<Box<dyn SpecRule>, String>;
}

/// The [`RuleKind`] of a [`Check`].
pub struct Kind<C>(PhantomData<fn() -> C>);

/// The [`RuleKind`] entry of a check, for [`super::CHECKS`].
pub const fn kind<C: Check>() -> Kind<C> {
    Kind(PhantomData)
}

impl<C: Check> RuleKind for Kind<C> {
    fn table(&self) -> &'static str {
        C::TABLE
    }
    fn ids(&self) -> &'static [CheckName] {
        C::IDS
    }
    fn stages(&self) -> Stages {
        C::STAGES
    }
    fn parse(&self, value: toml::Value) -> Result<Box<dyn SpecRule>, String> {
        let toml::Value::Table(mut table) = value else {
            return Err(format!("`rules.{}` must be a table", C::TABLE));
        };
        let severity = match table.remove("severity") {
            Some(v) => Severity::deserialize(v).map_err(|e| e.message().to_string())?,
            None => Severity::default(),
        };
        let source = match table.remove("source") {
            Some(toml::Value::String(s)) => Some(s),
            Some(_) => return Err("`source` must be a string".into()),
            None => None,
        };
        let params = C::deserialize(toml::Value::Table(table))
            .map_err(|e| format!("{} in `rules.{}`", e.message(), C::TABLE))?;
        Ok(Box::new(Rule {
            params,
            severity,
            source,
        }))
    }
}

/// The rules of a spec, in report order ([`super::CHECKS`]'s order), at most one per kind.
///
/// In TOML each rule is a table `[rules.<table>]` named by its check id (`pose` gives the
/// three `pose_*` checks); a rule a spec leaves out is not checked.
#[derive(Default)]
pub struct Rules {
    rules: Vec<Box<dyn SpecRule>>,
}

impl Rules {
    /// The rule of check `C`, if the spec has it.
    pub fn get<C: Check>(&self) -> Option<&Rule<C>> {
        self.rules
            .iter()
            .find_map(|r| r.as_any().downcast_ref::<Rule<C>>())
    }

    /// Adds a rule, or replaces the spec's rule of that kind.
    pub fn set<C: Check>(&mut self, rule: Rule<C>) {
        self.insert(Box::new(rule));
    }

    /// Removes the rule of check `C`, returning it.
    pub fn remove<C: Check>(&mut self) -> Option<Rule<C>> {
        let i = self.rules.iter().position(|r| r.as_any().is::<Rule<C>>())?;
        let r = self.rules.remove(i);
        r.as_any().downcast_ref::<Rule<C>>().cloned()
    }

    fn insert(&mut self, rule: Box<dyn SpecRule>) {
        let order = |t: &str| super::CHECKS.iter().position(|k| k.table() == t);
        self.rules.retain(|r| r.table() != rule.table());
        let at = self
            .rules
            .iter()
            .position(|r| order(r.table()) > order(rule.table()))
            .unwrap_or(self.rules.len());
        self.rules.insert(at, rule);
    }

    /// The rules, in report order.
    pub fn iter(&self) -> impl Iterator<Item = &dyn SpecRule> {
        self.rules.iter().map(|r| r.as_ref())
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// True when the spec has no rule.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The check ids the rules report, in report order.
    pub fn check_ids(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.rules.iter().flat_map(|r| r.ids()).map(|n| n.id)
    }

    /// The analysis stages the rules read (without prerequisites).
    pub fn stages(&self) -> Stages {
        self.rules
            .iter()
            .fold(Stages::NONE, |s, r| s.union(r.stages()))
    }
}

impl Clone for Rules {
    fn clone(&self) -> Rules {
        Rules {
            rules: self.rules.iter().map(|r| r.clone_box()).collect(),
        }
    }
}

impl PartialEq for Rules {
    fn eq(&self, other: &Rules) -> bool {
        self.rules.len() == other.rules.len()
            && self
                .rules
                .iter()
                .zip(&other.rules)
                .all(|(a, b)| a.same_as(b.as_ref()))
    }
}

impl Debug for Rules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.rules.iter()).finish()
    }
}

impl Serialize for Rules {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.rules.len()))?;
        for r in &self.rules {
            map.serialize_entry(r.table(), &r.to_toml())?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Rules {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Rules, D::Error> {
        use serde::de::Error;
        let tables = toml::Table::deserialize(d)?;
        let mut rules = Rules::default();
        for (name, value) in tables {
            let Some(kind) = super::kind_of_table(&name) else {
                let known: Vec<&str> = super::CHECKS.iter().map(|k| k.table()).collect();
                return Err(D::Error::custom(format!(
                    "unknown rule `{name}`; known rules: {}",
                    known.join(", ")
                )));
            };
            rules.insert(kind.parse(value).map_err(D::Error::custom)?);
        }
        Ok(rules)
    }
}

/// Validation helper: `v` is a finite number above 0.
pub(crate) fn positive(key: &'static str, v: f64) -> Result<(), Problem> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(Problem::new(
            key,
            format!("must be a positive number, got {v}"),
        ))
    }
}

/// Validation helper: `v` is a finite number from `lo` to `hi` (a share 0..1, an L* 0..100).
pub(crate) fn within(key: &'static str, v: f64, lo: f64, hi: f64) -> Result<(), Problem> {
    if v.is_finite() && (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(Problem::new(
            key,
            format!("must be from {lo} to {hi}, got {v}"),
        ))
    }
}

/// Validation helper: both bounds, when given, are finite and not negative, and `lo <= hi`.
pub(crate) fn range(
    lo_key: &'static str,
    lo: Option<f64>,
    hi_key: &'static str,
    hi: Option<f64>,
) -> Result<(), Problem> {
    for (k, v) in [(lo_key, lo), (hi_key, hi)] {
        if let Some(v) = v.filter(|v| !v.is_finite() || *v < 0.0) {
            return Err(Problem::new(k, format!("must not be negative, got {v}")));
        }
    }
    match (lo, hi) {
        (Some(l), Some(h)) if l > h => Err(Problem::new(
            lo_key,
            format!("min {l} is larger than max {h}"),
        )),
        _ => Ok(()),
    }
}

/// Validation helper: a length `v` (mm) fits in the photo's `what` of `limit` mm.
pub(crate) fn inside(
    key: &'static str,
    v: Option<f64>,
    limit: f64,
    what: &str,
) -> Result<(), Problem> {
    match v {
        Some(v) if v > limit => Err(Problem::new(
            key,
            format!("{v} mm is more than the photo's {what} ({limit} mm)"),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::head::{HeadLength, HeadWidth};
    use crate::checks::pose::PoseLimits;

    #[test]
    fn rules_keep_report_order_and_typed_access() {
        let mut rules = Rules::default();
        rules.set(Rule::new(
            PoseLimits {
                max_yaw_deg: 10.0,
                max_pitch_deg: 10.0,
                max_roll_deg: 8.0,
            },
            "ISO/IEC 39794-5",
        ));
        rules.set(Rule::new(
            HeadLength {
                min_mm: 19.0,
                max_mm: 22.0,
                crown: Default::default(),
            },
            "GA 482-2012 5.2.3",
        ));
        let ids: Vec<&str> = rules.check_ids().collect();
        assert_eq!(ids, ["head_length", "pose_yaw", "pose_pitch", "pose_roll"]);
        assert_eq!(rules.get::<HeadLength>().unwrap().params.max_mm, 22.0);
        assert!(rules.get::<HeadWidth>().is_none());
        assert_eq!(rules.stages(), Stages::HEAD | Stages::POSE);
        // Replacing keeps one rule per kind.
        let mut shorter = rules.get::<HeadLength>().unwrap().clone();
        shorter.params.max_mm = 21.0;
        rules.set(shorter);
        assert_eq!(rules.len(), 2);
        assert_eq!(rules.get::<HeadLength>().unwrap().params.max_mm, 21.0);
        assert!(rules.remove::<PoseLimits>().is_some());
        assert_eq!(rules.check_ids().collect::<Vec<_>>(), ["head_length"]);
    }

    #[test]
    fn a_rule_table_round_trips_with_severity_and_source() {
        let text = "[head_length]\nmin_mm = 19.0\nmax_mm = 22.0\nseverity = \"warn\"\nsource = \"GA 482\"\n";
        let rules: Rules = toml::from_str(text).unwrap();
        let rule = rules.get::<HeadLength>().unwrap();
        assert_eq!(rule.severity, Severity::Warn);
        assert_eq!(rule.source.as_deref(), Some("GA 482"));
        let shown = toml::to_string(&rules).unwrap();
        assert_eq!(toml::from_str::<Rules>(&shown).unwrap(), rules);
        // Keys keep the parameter struct's order, then severity and source.
        assert!(shown.find("min_mm") < shown.find("severity"), "{shown}");
        let e = toml::from_str::<Rules>("[head_size]\nmin_mm = 1\n").unwrap_err();
        assert!(e.to_string().contains("unknown rule `head_size`"), "{e}");
        let e = toml::from_str::<Rules>("[head_length]\nminimum_mm = 1\n").unwrap_err();
        assert!(e.to_string().contains("minimum_mm"), "{e}");
    }

    #[test]
    fn every_check_id_is_unique_and_named_in_chinese() {
        let mut seen = std::collections::HashSet::new();
        for kind in crate::checks::CHECKS {
            for name in kind.ids() {
                assert!(seen.insert(name.id), "{} twice", name.id);
                assert!(!name.zh.is_empty() && !name.zh.is_ascii(), "{}", name.id);
                assert!(name.fix_zh.contains('请'), "{}", name.id);
            }
        }
    }
}

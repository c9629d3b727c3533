//! JUnit XML reporter (`--format junit`): one test case per photo, one failure element per
//! failed rule, in the common schema CI systems read (Jenkins, GitLab, GitHub actions).

use std::io::Write;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::{FileReport, Reporter, Summary, Verdict};
use crate::checks::fmt;

/// Collects test cases and writes `<testsuites><testsuite ...>` when the batch ends (the
/// suite's counts come first in the XML). Each case is kept as a small XML fragment.
pub struct JunitReporter<W: Write> {
    out: W,
    suite: String,
    cases: Vec<u8>,
    tests: usize,
    failures: usize,
    errors: usize,
}

impl<W: Write> JunitReporter<W> {
    /// A reporter writing to `out`; `suite` names the test suite (the spec id).
    pub fn new(out: W, suite: &str) -> Self {
        JunitReporter {
            out,
            suite: suite.to_string(),
            cases: Vec::new(),
            tests: 0,
            failures: 0,
            errors: 0,
        }
    }
}

fn io(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

impl<W: Write> Reporter for JunitReporter<W> {
    fn report(&mut self, r: &FileReport) -> std::io::Result<()> {
        let mut w = Writer::new_with_indent(&mut self.cases, b' ', 2);
        let mut case = BytesStart::new("testcase");
        case.push_attribute(("classname", self.suite.as_str()));
        case.push_attribute(("name", r.file.as_str()));
        w.write_event(Event::Start(case)).map_err(io)?;
        self.tests += 1;
        // With expectations (`--expect`), a case fails when the photo is not as expected.
        if let Some(o) = &r.expectation {
            if !o.met {
                self.failures += 1;
            }
            for m in o.mismatches.iter().filter(|_| !o.met) {
                let mut el = BytesStart::new("failure");
                el.push_attribute(("type", "expectation"));
                el.push_attribute(("message", m.as_str()));
                w.write_event(Event::Empty(el)).map_err(io)?;
            }
            w.write_event(Event::End(BytesEnd::new("testcase")))
                .map_err(io)?;
            self.cases.push(b'\n');
            return Ok(());
        }
        match r.verdict {
            Verdict::Pass => {}
            Verdict::Error => {
                self.errors += 1;
                let e = r.error.as_ref();
                let mut el = BytesStart::new("error");
                el.push_attribute(("type", e.map_or("error", |e| e.kind.as_str())));
                el.push_attribute(("message", e.map_or("", |e| e.message.as_str())));
                w.write_event(Event::Empty(el)).map_err(io)?;
            }
            Verdict::Fail => {
                self.failures += 1;
                for c in r.failed_checks() {
                    let mut el = BytesStart::new("failure");
                    el.push_attribute(("type", c.id.as_str()));
                    el.push_attribute(("message", c.message.as_str()));
                    w.write_event(Event::Start(el)).map_err(io)?;
                    let range = match (c.min, c.max) {
                        (Some(lo), Some(hi)) => format!("{} to {}", fmt(lo), fmt(hi)),
                        (Some(lo), None) => format!("at least {}", fmt(lo)),
                        (None, Some(hi)) => format!("at most {}", fmt(hi)),
                        (None, None) => "-".into(),
                    };
                    let body = match c.value {
                        Some(v) => format!(
                            "{}: value {} {}, allowed {} {}",
                            c.id,
                            fmt(v),
                            c.unit,
                            range,
                            c.unit
                        ),
                        None => format!("{}: not measured, allowed {} {}", c.id, range, c.unit),
                    };
                    w.write_event(Event::Text(BytesText::new(&body)))
                        .map_err(io)?;
                    w.write_event(Event::End(BytesEnd::new("failure")))
                        .map_err(io)?;
                }
            }
        }
        w.write_event(Event::End(BytesEnd::new("testcase")))
            .map_err(io)?;
        self.cases.push(b'\n');
        Ok(())
    }

    fn finish(&mut self, s: &Summary) -> std::io::Result<()> {
        let mut w = Writer::new(&mut self.out);
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
            .map_err(io)?;
        self.out.write_all(b"\n")?;
        let mut w = Writer::new(&mut self.out);
        let (tests, failures, errors) = (
            self.tests.to_string(),
            self.failures.to_string(),
            self.errors.to_string(),
        );
        let time = format!("{:.3}", s.elapsed_s);
        let mut suites = BytesStart::new("testsuites");
        suites.push_attribute(("name", "photocheck"));
        suites.push_attribute(("tests", tests.as_str()));
        suites.push_attribute(("failures", failures.as_str()));
        suites.push_attribute(("errors", errors.as_str()));
        suites.push_attribute(("time", time.as_str()));
        w.write_event(Event::Start(suites)).map_err(io)?;
        self.out.write_all(b"\n")?;
        let mut w = Writer::new(&mut self.out);
        let mut suite = BytesStart::new("testsuite");
        suite.push_attribute(("name", self.suite.as_str()));
        suite.push_attribute(("tests", tests.as_str()));
        suite.push_attribute(("failures", failures.as_str()));
        suite.push_attribute(("errors", errors.as_str()));
        suite.push_attribute(("skipped", "0"));
        suite.push_attribute(("time", time.as_str()));
        w.write_event(Event::Start(suite)).map_err(io)?;
        self.out.write_all(b"\n")?;
        self.out.write_all(&self.cases)?;
        self.out.write_all(b"</testsuite>\n</testsuites>\n")?;
        self.out.flush()
    }
}

//! The engine: models loaded once, then photos checked against specs.

use std::path::Path;

use crate::analysis::{Analysis, Stages, analyse};
use crate::checks::{CheckInput, measurements, run_checks};
use crate::decode::{DecodeLimits, Photo, decode_within};
use crate::error::{Error, Result};
use crate::input::read_file;
use crate::report::{FileReport, SCHEMA_VERSION, Verdict};
use crate::runtime::{Models, Optimisation, Runtime};
use crate::spec::Spec;

/// Loads the embedded models once; shareable across threads (`&Engine` is `Sync`).
pub struct Engine {
    models: Models,
    time_limit: Option<std::time::Duration>,
    parallel_stages: bool,
    decode_limits: DecodeLimits,
}

impl Engine {
    /// Loads and optimises the embedded models, each on a thread of its own (70-80 ms until the
    /// last is ready on two cores; `examples/model_time.rs` gives each model's load).
    ///
    /// The networks run on [`Runtime::from_env`]'s runtime: tract, or ONNX Runtime in a
    /// build with the `onnxruntime` feature when `ORT_DYLIB_PATH` is set.
    ///
    /// Errors: [`Error::Model`] if an embedded model cannot be loaded (a build problem), or
    /// ONNX Runtime was asked for and cannot be loaded.
    pub fn new() -> Result<Engine> {
        Ok(Engine::with_models(Models::load()?))
    }

    /// [`Engine::new`] with the networks on the given runtime, whichever [`Runtime::from_env`]
    /// would choose (ONNX Runtime still loads its library from `ORT_DYLIB_PATH`).
    ///
    /// Errors: as [`Engine::new`].
    pub fn on(runtime: Runtime) -> Result<Engine> {
        Ok(Engine::with_models(Models::load_on(
            runtime,
            Optimisation::CodegenOnly,
        )?))
    }

    /// The runtime the networks run on.
    pub fn runtime(&self) -> Runtime {
        self.models.runtime
    }

    /// [`Engine::new`] for a long-running process (`photocheck serve`): tract's declutter
    /// passes run on the segmentation network too ([`Optimisation::Full`]: about 30 ms more
    /// at load and 6 MB more resident; about 0.4 ms less per photo on the rewritten model, a
    /// gain a batch does not earn back in load time).
    ///
    /// Errors: as [`Engine::new`].
    pub fn new_long_running() -> Result<Engine> {
        Ok(Engine::with_models(Models::load_with(Optimisation::Full)?))
    }

    /// Starts loading the models on background threads and returns at once, so that the
    /// first photo's decoding and face detection overlap the loading (what a single-photo
    /// command-line call wants). The first photo that needs a model waits for it; a model that
    /// fails to load makes each photo's report a `model` error.
    ///
    /// Errors: [`Error::Model`] if the face detector's embedded model cannot be read.
    pub fn start() -> Result<Engine> {
        Ok(Engine::with_models(Models::start()?))
    }

    /// An engine over loaded (or loading) models, with no time limit, stages run one after
    /// another and the default decoder limits.
    fn with_models(models: Models) -> Engine {
        Engine {
            models,
            time_limit: None,
            parallel_stages: false,
            decode_limits: DecodeLimits::default(),
        }
    }

    /// Sets a time limit per photo: past it, the photo's report is a `timeout` error. Checked
    /// after decoding and between analysis stages (a stage itself is bounded by the decoder
    /// limits and the fixed model sizes), so a photo can overrun by one stage.
    pub fn with_time_limit(mut self, limit: Option<std::time::Duration>) -> Engine {
        self.time_limit = limit;
        self
    }

    /// Sets the decoder's limits (pixels, bytes allocated) for every photo; default
    /// [`DecodeLimits::default`]. A photo beyond them is a `too_large` error naming the limit.
    pub fn with_decode_limits(mut self, limits: DecodeLimits) -> Engine {
        self.decode_limits = limits;
        self
    }

    /// Runs segmentation on a second thread beside the refining mesh pass of the same photo:
    /// several ms less per photo when a core would otherwise be idle (a single photo, a quiet
    /// server), nothing gained when every core already checks a photo. Results are the same.
    pub fn with_parallel_stages(mut self, parallel: bool) -> Engine {
        self.parallel_stages = parallel;
        self
    }

    /// Measures a decoded photo with every analysis stage: faces, mesh, mask, head geometry,
    /// pose, background, colour.
    ///
    /// Errors: [`Error::Model`] when a network cannot run.
    pub fn analyse(&self, photo: &Photo) -> Result<Analysis> {
        self.analyse_stages(photo, Stages::ALL)
    }

    /// Measures a decoded photo with the given stages (and their prerequisites) only, e.g.
    /// [`Spec::stages`].
    ///
    /// Errors: [`Error::Model`] when a network cannot run.
    pub fn analyse_stages(&self, photo: &Photo, stages: Stages) -> Result<Analysis> {
        analyse(&self.models, photo, stages, None, self.parallel_stages)
    }

    /// Checks an analysed photo against a spec; `file` labels the report. The analysis must
    /// hold the spec's stages ([`Spec::stages`]); a rule whose stage did not run reports
    /// `not_measured`.
    pub fn report(&self, file: &str, analysis: &Analysis, spec: &Spec) -> FileReport {
        let measured = measurements(analysis, spec);
        let input = CheckInput {
            analysis,
            measurements: &measured,
            spec,
            today: chrono::Utc::now().date_naive(),
        };
        let checks = run_checks(&input);
        let verdict = if checks.iter().any(|c| c.fails_photo()) {
            Verdict::Fail
        } else {
            Verdict::Pass
        };
        FileReport {
            schema_version: SCHEMA_VERSION,
            file: file.into(),
            spec: spec.id.clone(),
            verdict,
            error: None,
            image: Some(analysis.facts.clone()),
            measurements: Some(measured),
            checks,
            expectation: None,
        }
    }

    /// Decodes, analyses and checks an image file's bytes, running only the analysis stages
    /// the spec needs. Never fails: a bad file gives a report with verdict `error` and the
    /// cause; a panic inside photocheck or a dependency is caught and reported as an
    /// `internal` error (our bug, never the photo's fault).
    pub fn check_bytes(&self, file: &str, bytes: &[u8], spec: &Spec) -> FileReport {
        self.check_bytes_with(file, bytes, spec, Stages::NONE, |_, _, _| Ok(()))
    }

    /// As [`Engine::check_bytes`], running `extra` stages besides the spec's (e.g.
    /// [`Stages::ALL`] for an annotated image), and hands the decoded photo, its analysis and
    /// the report to `then` before they are dropped. The photo is decoded with
    /// [`crate::decode::decode_reduced`]: a large JPEG's pixels may be a half, quarter or
    /// eighth of its size ([`Photo::pixel_scale`]); the analysis and report are in
    /// full-resolution px. An error from `then` becomes the file's error.
    pub fn check_bytes_with<F>(
        &self,
        file: &str,
        bytes: &[u8],
        spec: &Spec,
        extra: Stages,
        then: F,
    ) -> FileReport
    where
        F: FnOnce(&Photo, &Analysis, &FileReport) -> Result<()>,
    {
        let deadline = self
            .time_limit
            .and_then(|t| std::time::Instant::now().checked_add(t));
        self.check_bytes_until(file, bytes, spec, extra, deadline, then)
    }

    /// As [`Engine::check_bytes_with`], stopping at `deadline` (the earlier of it and the
    /// engine's time limit): past it, at the next stage boundary, the work stops, its memory
    /// is freed and the report is a `timeout` error. The service passes each request's own
    /// deadline, so a check whose client has been answered `timeout` does not run on.
    pub fn check_bytes_until<F>(
        &self,
        file: &str,
        bytes: &[u8],
        spec: &Spec,
        extra: Stages,
        deadline: Option<std::time::Instant>,
        then: F,
    ) -> FileReport
    where
        F: FnOnce(&Photo, &Analysis, &FileReport) -> Result<()>,
    {
        let own = self
            .time_limit
            .and_then(|t| std::time::Instant::now().checked_add(t));
        let deadline = match (deadline, own) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let stages = spec.stages() | extra;
        let work = || -> Result<FileReport> {
            if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
                return Err(Error::Timeout(
                    "the deadline passed before the check began".into(),
                ));
            }
            let photo = decode_within(bytes, true, &self.decode_limits)?;
            let analysis = analyse(&self.models, &photo, stages, deadline, self.parallel_stages)?;
            let report = self.report(file, &analysis, spec);
            then(&photo, &analysis, &report)?;
            Ok(report)
        };
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => FileReport::from_error(file, &spec.id, &e),
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                FileReport::from_error(
                    file,
                    &spec.id,
                    &Error::Internal(format!("panic while checking: {what}")),
                )
            }
        }
    }

    /// Fixes one photo into the spec's frame ([`crate::fix`]): checks it as given, plans the
    /// crop, scale and level, draws it from the full-resolution pixels, encodes it as JPEG
    /// ([`crate::fix::encode_jpeg`]) and checks the encoded photo again. A photo that cannot
    /// be read, or cannot be fixed, has `reason` set and no image.
    pub fn fix_bytes(&self, file: &str, bytes: &[u8], spec: &Spec) -> crate::fix::FixOutcome {
        self.fix_bytes_with(file, bytes, spec, false)
    }

    /// As [`Engine::fix_bytes`]; with `white_backdrop`, the backdrop is also replaced by white
    /// through the person mask ([`crate::fix::render_with`]).
    pub fn fix_bytes_with(
        &self,
        file: &str,
        bytes: &[u8],
        spec: &Spec,
        white_backdrop: bool,
    ) -> crate::fix::FixOutcome {
        let mut outcome = crate::fix::FixOutcome {
            plan: None,
            image: None,
            jpeg: None,
            reason: None,
            before: FileReport::from_error(file, &spec.id, &Error::Internal("not checked".into())),
            after: None,
        };
        let deadline = self
            .time_limit
            .and_then(|t| std::time::Instant::now().checked_add(t));
        let work = || -> Result<(Photo, Analysis, FileReport)> {
            let photo = decode_within(bytes, false, &self.decode_limits)?;
            let analysis = analyse(
                &self.models,
                &photo,
                Stages::ALL,
                deadline,
                self.parallel_stages,
            )?;
            let report = self.report(file, &analysis, spec);
            Ok((photo, analysis, report))
        };
        let (photo, analysis, before) =
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
                Ok(Ok(done)) => done,
                Ok(Err(e)) => {
                    outcome.reason = Some(e.to_string());
                    outcome.before = FileReport::from_error(file, &spec.id, &e);
                    return outcome;
                }
                Err(_) => {
                    let e = Error::Internal("panic while fixing".into());
                    outcome.reason = Some(e.to_string());
                    outcome.before = FileReport::from_error(file, &spec.id, &e);
                    return outcome;
                }
            };
        outcome.before = before;
        let (w, h) = photo.image.dimensions();
        match crate::fix::plan(&analysis, spec, w, h) {
            Err(reason) => outcome.reason = Some(reason),
            Ok(plan) => {
                let white = analysis
                    .person_mask
                    .as_ref()
                    .filter(|_| white_backdrop)
                    .map(|m| (m, analysis.work_scale));
                let image = crate::fix::render_with(&photo.image, &plan, white);
                match crate::fix::encode_jpeg(&image, spec) {
                    Ok(jpeg) => {
                        outcome.after = Some(self.check_bytes(file, &jpeg, spec));
                        outcome.jpeg = Some(jpeg);
                    }
                    Err(e) => outcome.reason = Some(e.to_string()),
                }
                outcome.image = Some(image);
                outcome.plan = Some(plan);
            }
        }
        outcome
    }

    /// Reads and checks one file (only reads it).
    pub fn check_file(&self, path: &Path, spec: &Spec) -> FileReport {
        self.check_file_with(path, spec, Stages::NONE, |_, _, _| Ok(()))
    }

    /// As [`Engine::check_file`], with [`Engine::check_bytes_with`]'s `extra` and `then`.
    pub fn check_file_with<F>(&self, path: &Path, spec: &Spec, extra: Stages, then: F) -> FileReport
    where
        F: FnOnce(&Photo, &Analysis, &FileReport) -> Result<()>,
    {
        let label = path.display().to_string();
        match read_file(path) {
            Ok(bytes) => self.check_bytes_with(&label, &bytes, spec, extra, then),
            Err(e) => FileReport::from_error(&label, &spec.id, &e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    const PHOTO: &str = "fixtures/made/astronaut_licence.jpg";

    #[test]
    fn a_spec_of_file_rules_alone_decodes_and_stops() {
        let spec = Spec::from_toml(
            "id = \"files\"\nname = \"file rules\"\n[photo]\nwidth_mm = 22\nheight_mm = 32\n[rules.file_format]\nformats = [\"jpeg\"]\n",
            "files.toml",
        )
        .unwrap();
        assert_eq!(spec.stages(), Stages::NONE);
        let engine = Engine::start().unwrap();
        let photo = crate::decode::decode_reduced(&read_file(PHOTO.as_ref()).unwrap()).unwrap();
        let a = engine.analyse_stages(&photo, spec.stages()).unwrap();
        assert_eq!(a.stages, Stages::NONE);
        assert!(a.faces.is_empty() && a.mesh.is_none() && a.person_mask.is_none());
        let report = engine.check_file(PHOTO.as_ref(), &spec);
        assert_eq!(report.verdict, Verdict::Pass);
        assert_eq!(report.checks.len(), 1);
        // The whole preset runs every stage and finds the one face.
        let full = engine.check_file(PHOTO.as_ref(), &Spec::preset("小一寸").unwrap());
        assert_eq!(full.measurements.unwrap().faces, 1);
    }

    #[test]
    fn a_panic_while_checking_is_an_internal_error_not_the_photos_fault() {
        let engine = Engine::start().unwrap();
        let spec = Spec::preset("cn-driving-licence").unwrap();
        let report = engine.check_file_with(PHOTO.as_ref(), &spec, Stages::NONE, |_, _, _| {
            panic!("a bug of ours")
        });
        assert_eq!(report.verdict, Verdict::Error);
        let error = report.error.unwrap();
        assert_eq!(error.kind, ErrorKind::Internal);
        assert!(!error.kind.is_bad_photo());
        assert!(
            error.message.contains("please report") && error.message.contains("a bug of ours"),
            "{}",
            error.message
        );
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(json["kind"], "internal");
    }

    /// With the `onnxruntime` feature, an engine on ONNX Runtime gives every fixture photo the
    /// verdict and the rule statuses an engine on tract gives, and the same measured values to
    /// within 0.01 (mm, degrees, shares). Needs `ORT_DYLIB_PATH`.
    #[cfg(feature = "onnxruntime")]
    #[test]
    fn onnxruntime_and_tract_engines_give_the_same_reports() {
        let tract = Engine::on(Runtime::Tract).unwrap();
        let ort = Engine::on(Runtime::OnnxRuntime)
            .expect("set ORT_DYLIB_PATH to an ONNX Runtime library (1.22 or later)");
        assert_eq!(ort.runtime(), Runtime::OnnxRuntime);
        let spec = Spec::preset("cn-driving-licence").unwrap();
        let mut photos = 0;
        for dir in [
            "fixtures/made",
            "fixtures/appearance",
            "fixtures/exif-orientation",
        ] {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                let (a, b) = (tract.check_file(&path, &spec), ort.check_file(&path, &spec));
                assert_eq!(a.verdict, b.verdict, "{}", path.display());
                let a = serde_json::to_value(&a).unwrap();
                let b = serde_json::to_value(&b).unwrap();
                let (ca, cb) = (&a["checks"], &b["checks"]);
                let n = ca.as_array().map_or(0, Vec::len);
                assert_eq!(n, cb.as_array().map_or(0, Vec::len), "{}", path.display());
                for i in 0..n {
                    let (x, y) = (&ca[i], &cb[i]);
                    assert_eq!(x["id"], y["id"]);
                    assert_eq!(x["status"], y["status"], "{} {}", path.display(), x["id"]);
                    if let (Some(p), Some(q)) = (x["value"].as_f64(), y["value"].as_f64()) {
                        assert!(
                            (p - q).abs() <= 0.01,
                            "{} {}: {p} against {q}",
                            path.display(),
                            x["id"]
                        );
                    }
                }
                photos += 1;
            }
        }
        assert!(photos >= 25, "{photos} fixture photos");
    }
}

//! # photocheck
//!
//! Checks ID photos against a document's photo rules and says, rule by rule, what passes,
//! what fails and by how much: head length (crown to chin) and head width in mm, space above
//! the head, centring, white background, colour, one frontal face.
//!
//! Pipeline: [`input`] and [`decode`] (EXIF orientation, DPI, file facts) -> [`analysis`]
//! (face detection, MediaPipe face mesh and person segmentation, head geometry, background,
//! colour, pose; only the stages the spec's rules need) -> [`checks`] against a [`Spec`]
//! (data, not code; one [`checks::Check`] per rule) -> [`report`]ers (text, JSON, NDJSON,
//! CSV, JUnit, annotated images). The networks and the detector run behind [`runtime`]. With
//! the default feature `serve`, `serve` runs the checks as an HTTP service with a web page
//! (`photocheck serve`). ARCHITECTURE.md is the map.
//!
//! Checking one of the shipped sample photos against the Chinese driving licence's rules (the
//! path is relative to the repository root; a file that cannot be read gives a report whose
//! `verdict` is `error` and whose `error` says why, with no checks):
//!
//! ```
//! use photocheck::checks::Status;
//! use photocheck::{Engine, Spec, Verdict};
//!
//! let engine = Engine::new()?;
//! let spec = Spec::preset("cn-driving-licence")?; // or its alias "小一寸"
//! let report = engine.check_file("fixtures/made/astronaut_licence.jpg".as_ref(), &spec);
//! for check in &report.checks {
//!     // e.g. `Pass head_length head length (top of hair to chin) 20.46 mm (allowed 19 to 22 mm)`
//!     println!("{:?} {} {}", check.status, check.id, check.message);
//! }
//! let head = report.checks.iter().find(|c| c.id == "head_length").unwrap();
//! assert_eq!(head.status, Status::Pass);
//! assert_eq!(head.unit, "mm");
//! assert!((19.0..=22.0).contains(&head.value.unwrap()));
//! assert_eq!(report.verdict, Verdict::Pass);
//! # Ok::<(), photocheck::Error>(())
//! ```
//!
//! Coordinates are in the upright image (EXIF orientation applied), px, y down, continuous
//! (pixel i spans [i, i+1)). mm = px x `photo.height_mm` / image height unless the spec pins
//! a DPI.
#![deny(missing_docs)]

pub mod analysis;
pub mod batch;
pub mod checks;
pub mod decode;
mod engine;
mod error;
pub mod expect;
pub mod fix;
pub mod input;
pub mod report;
pub mod runtime;
#[cfg(feature = "serve")]
pub mod serve;
pub mod shards;
pub mod spec;

pub use engine::Engine;
pub use error::{Error, ErrorKind, Result};
pub use input::{MAX_FILE_BYTES, read_file};
pub use report::{FileReport, Verdict};
pub use spec::Spec;

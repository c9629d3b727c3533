//! # photocheck
//!
//! Checks ID photos against a document's photo rules and says, rule by rule, what passes,
//! what fails and by how much: head length (crown to chin) and head width in mm, space above
//! the head, centring, white background, colour, one frontal face.
//!
//! Pipeline: [`decode`] (EXIF orientation, DPI, file facts) -> [`analysis`] (rustface face
//! detection, MediaPipe face mesh and person segmentation run with tract, head geometry) ->
//! [`checks`] against a [`Spec`] (data, not code) -> [`report`]ers (text, JSON, NDJSON).
//! With the default feature `serve`, [`serve`] runs the checks as an HTTP service with a web
//! page (`photocheck serve`).
//!
//! ```no_run
//! use photocheck::{Engine, Spec};
//!
//! let engine = Engine::new()?;
//! let spec = Spec::preset("cn-driving-licence")?;
//! let report = engine.check_file("photo.jpg".as_ref(), &spec);
//! for check in &report.checks {
//!     println!("{:?} {} {}", check.status, check.id, check.message);
//! }
//! println!("verdict: {:?}", report.verdict);
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
pub mod input;
pub mod report;
pub mod runtime;
#[cfg(feature = "serve")]
pub mod serve;
pub mod spec;

pub use engine::Engine;
pub use error::{Error, ErrorKind, Result};
pub use input::{MAX_FILE_BYTES, read_file};
pub use report::{FileReport, Verdict};
pub use spec::Spec;

//! The library's one error type.

use std::path::PathBuf;

/// Everything that can go wrong while reading, analysing or checking a photo.
///
/// Each variant names its cause so that a batch report can say, per file, why the file
/// could not be checked. [`Error::kind`] gives a stable machine-readable code for each.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The path does not exist.
    #[error("not found: {0}")]
    NotFound(PathBuf),
    /// The file exists but could not be read (permissions, I/O error, a directory given as a file...).
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file that could not be read.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The bytes are not an image in any format photocheck knows (for example a text file named `.jpg`).
    #[error("not an image: {0}")]
    NotAnImage(String),
    /// The bytes are an image format photocheck does not decode (HEIC, AVIF, ...).
    #[error("unsupported image format: {0}")]
    UnsupportedFormat(String),
    /// The file stops before the image data ends.
    #[error("truncated image: {0}")]
    Truncated(String),
    /// The image is larger than the decoder limits (100 megapixels, 1 GiB of decoded memory).
    #[error("image too large: {0}")]
    TooLarge(String),
    /// The decoder found corrupt data.
    #[error("corrupt image data: {0}")]
    Corrupt(String),
    /// A neural model failed to load or run (a bug or an out-of-memory condition, never bad input).
    #[error("model error: {0}")]
    Model(String),
    /// A spec (preset or user file) is invalid or unknown.
    #[error("spec error: {0}")]
    Spec(String),
    /// The per-file time limit (`--timeout-per-file`) ran out.
    #[error("timed out: {0}")]
    Timeout(String),
}

impl Error {
    /// A stable, machine-readable code for the error (`not_found`, `io`, `not_an_image`,
    /// `unsupported_format`, `truncated`, `too_large`, `corrupt`, `model`, `spec`, `timeout`).
    pub fn kind(&self) -> &'static str {
        match self {
            Error::NotFound(_) => "not_found",
            Error::Io { .. } => "io",
            Error::NotAnImage(_) => "not_an_image",
            Error::UnsupportedFormat(_) => "unsupported_format",
            Error::Truncated(_) => "truncated",
            Error::TooLarge(_) => "too_large",
            Error::Corrupt(_) => "corrupt",
            Error::Model(_) => "model",
            Error::Spec(_) => "spec",
            Error::Timeout(_) => "timeout",
        }
    }
}

/// Shorthand for `std::result::Result<T, photocheck::Error>`.
pub type Result<T> = std::result::Result<T, Error>;

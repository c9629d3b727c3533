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
    /// An expectations file (`--expect`) is invalid: where, and what is wrong.
    #[error("expectation file {0}")]
    Expectation(String),
    /// The per-file time limit (`--timeout-per-file`) ran out.
    #[error("timed out: {0}")]
    Timeout(String),
    /// A bug in photocheck (a caught panic, a broken invariant): never the photo's fault.
    #[error("internal error, please report it (with the photo if you can): {0}")]
    Internal(String),
}

impl Error {
    /// The stable, machine-readable kind of the error (`not_found`, `io`, `not_an_image`,
    /// `unsupported_format`, `truncated`, `too_large`, `corrupt`, `model`, `spec`, `timeout`,
    /// `internal`).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::NotFound(_) => ErrorKind::NotFound,
            Error::Io { .. } => ErrorKind::Io,
            Error::NotAnImage(_) => ErrorKind::NotAnImage,
            Error::UnsupportedFormat(_) => ErrorKind::UnsupportedFormat,
            Error::Truncated(_) => ErrorKind::Truncated,
            Error::TooLarge(_) => ErrorKind::TooLarge,
            Error::Corrupt(_) => ErrorKind::Corrupt,
            Error::Model(_) => ErrorKind::Model,
            Error::Spec(_) | Error::Expectation(_) => ErrorKind::Spec,
            Error::Timeout(_) => ErrorKind::Timeout,
            Error::Internal(_) => ErrorKind::Internal,
        }
    }
}

/// The kind of an [`Error`]: the `error.kind` of a JSON report (serialised in snake_case, a
/// stable contract) and what the HTTP service maps to a status.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The path does not exist.
    NotFound,
    /// The file could not be read.
    Io,
    /// The bytes are not an image.
    NotAnImage,
    /// An image format photocheck does not decode (HEIC, AVIF, ...).
    UnsupportedFormat,
    /// The file stops before the image data ends.
    Truncated,
    /// Over the decoder or file limits.
    TooLarge,
    /// Corrupt image data.
    Corrupt,
    /// A neural model failed to load or run.
    Model,
    /// An invalid or unknown spec.
    Spec,
    /// The per-file time limit ran out.
    Timeout,
    /// A bug in photocheck.
    Internal,
}

impl ErrorKind {
    /// The kind's stable code, as in JSON (`not_an_image`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "not_found",
            ErrorKind::Io => "io",
            ErrorKind::NotAnImage => "not_an_image",
            ErrorKind::UnsupportedFormat => "unsupported_format",
            ErrorKind::Truncated => "truncated",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::Corrupt => "corrupt",
            ErrorKind::Model => "model",
            ErrorKind::Spec => "spec",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Internal => "internal",
        }
    }

    /// True when the photo's bytes are at fault (not an image, unsupported, truncated, too
    /// large, corrupt): the person can fix it by sending another file. False for our own
    /// failures ([`ErrorKind::Internal`], [`ErrorKind::Model`]), time limits, and file-system
    /// or spec problems.
    pub fn is_bad_photo(self) -> bool {
        matches!(
            self,
            ErrorKind::NotAnImage
                | ErrorKind::UnsupportedFormat
                | ErrorKind::Truncated
                | ErrorKind::TooLarge
                | ErrorKind::Corrupt
        )
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for ErrorKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// Shorthand for `std::result::Result<T, photocheck::Error>`.
pub type Result<T> = std::result::Result<T, Error>;

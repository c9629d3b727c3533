//! Reading input files: only regular files, within a size limit, never written.

use std::path::Path;

use crate::error::{Error, Result};

/// Largest file photocheck reads, bytes (512 MiB; a 100-megapixel image file is far smaller).
pub const MAX_FILE_BYTES: u64 = 512 << 20;

/// Reads a whole file (only reads it).
///
/// Errors: [`Error::NotFound`] for a missing file; [`Error::Io`] for other read failures and
/// for anything that is not a regular file (a directory, FIFO, socket or device would block
/// or mislead); [`Error::TooLarge`] for a file over [`MAX_FILE_BYTES`].
pub fn read_file(path: &Path) -> Result<Vec<u8>> {
    let io = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => Error::NotFound(path.into()),
        _ => Error::Io {
            path: path.into(),
            source: e,
        },
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "is a directory"
        } else {
            "is not a regular file (FIFO, socket or device)"
        };
        return Err(Error::Io {
            path: path.into(),
            source: std::io::Error::other(what),
        });
    }
    // Refuse files far larger than any accepted image could be, before reading them.
    if meta.len() > MAX_FILE_BYTES {
        return Err(Error::TooLarge(format!(
            "{} bytes is over the {} MiB file limit",
            meta.len(),
            MAX_FILE_BYTES >> 20
        )));
    }
    std::fs::read(path).map_err(io)
}

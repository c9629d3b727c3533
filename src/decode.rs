//! Decoding: bytes to an upright RGB photo plus the file's physical facts.
//!
//! The format is recognised from the content (magic bytes), never from the file name.
//! EXIF orientation (all 8 values) is applied, so every later stage sees the photo as a
//! person would: the upright frame, x to the right, y down, in pixels.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, RgbImage};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Largest accepted image, in pixels (100 megapixels); larger images are refused before decoding.
pub const MAX_PIXELS: u64 = 100_000_000;
/// Largest memory the decoder may allocate for one image, in bytes (1 GiB).
pub const MAX_DECODE_BYTES: u64 = 1 << 30;
/// Largest memory the decoder may allocate while reading a file's header and metadata (ICC
/// profile, EXIF, text chunks) before the pixels, bytes (64 MiB): a 1 MB PNG whose ICC chunk
/// inflates to 1 GB is refused here.
pub const MAX_METADATA_BYTES: u64 = 64 << 20;

/// What the decoder may take for one image: pixels and bytes allocated. The command line
/// uses [`DecodeLimits::default`] ([`MAX_PIXELS`], [`MAX_DECODE_BYTES`]); the service sets
/// lower ones (`ServeOptions::max_pixels`, `max_memory`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeLimits {
    /// Largest image, pixels (width x height); refused before decoding.
    pub max_pixels: u64,
    /// Largest memory the decoder may allocate, bytes (chunks such as ICC profiles and
    /// metadata included); refused before allocating.
    pub max_alloc: u64,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        DecodeLimits {
            max_pixels: MAX_PIXELS,
            max_alloc: MAX_DECODE_BYTES,
        }
    }
}

/// Memory a check of `bytes` needs at most, bytes: the decoded pixels at the decoder's own
/// depth (16-bit and alpha included), the 8-bit RGB copy, an alpha-flattened copy, plus the
/// analysis' working set; a photo over `limits.max_pixels`, or whose header cannot be read,
/// needs only the working set (the decoder refuses it before allocating).
pub fn memory_estimate(bytes: &[u8], limits: &DecodeLimits) -> u64 {
    const WORKING_SET: u64 = 96 << 20;
    let Ok(format) = sniff_format(bytes) else {
        return WORKING_SET;
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut l = image::Limits::default();
    l.max_alloc = Some(limits.max_alloc.min(MAX_METADATA_BYTES));
    reader.limits(l);
    let Ok(decoder) = reader.into_decoder() else {
        return WORKING_SET;
    };
    let (w, h) = decoder.dimensions();
    let pixels = u64::from(w) * u64::from(h);
    if pixels > limits.max_pixels {
        return WORKING_SET;
    }
    let depth = u64::from(decoder.color_type().bytes_per_pixel());
    // A JPEG is decoded reduced for checking when large; count it whole (the fix decodes it
    // whole).
    WORKING_SET + pixels * (depth + 3 + 4)
}

/// Physical facts of an image file, as read from its bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageFacts {
    /// Width of the upright image (after EXIF orientation), px.
    pub width_px: u32,
    /// Height of the upright image (after EXIF orientation), px.
    pub height_px: u32,
    /// Container format recognised from the content: `jpeg`, `png`, `webp`, `bmp`, `tiff` or `gif`.
    pub format: String,
    /// File size in bytes.
    pub bytes: u64,
    /// Resolution `[x, y]` in dots per inch as the file states it (EXIF X/YResolution, else JFIF
    /// density, else PNG pHYs); `None` when the file states none.
    pub dpi: Option<[f64; 2]>,
    /// The EXIF orientation tag (1-8) when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exif_orientation: Option<u16>,
    /// EXIF capture date (`DateTimeOriginal`, else `DateTime`) as ISO 8601 local time
    /// (`YYYY-MM-DDTHH:MM:SS`), when present and well-formed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capture_date: Option<String>,
    /// Share of the pixels that are transparent (alpha under 250 of 255), for an image with an
    /// alpha channel; `None` for an opaque format. The pixels are composited on white, and
    /// `background_white` decides whether a transparent backdrop is accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transparent_share: Option<f64>,
}

/// A decoded photo: upright 8-bit RGB pixels and the file's facts.
#[derive(Debug, Clone)]
pub struct Photo {
    /// Upright RGB pixels (EXIF orientation applied; alpha composited on white). Full size from
    /// [`decode`]; from [`decode_reduced`] a large JPEG's pixels may be 1/2, 1/4 or 1/8 of
    /// [`ImageFacts::width_px`] x [`ImageFacts::height_px`] (see [`Photo::pixel_scale`]).
    pub image: RgbImage,
    /// Facts read from the file.
    pub facts: ImageFacts,
}

impl Photo {
    /// Full-resolution px per px of [`Photo::image`] (vertical): 1 unless the photo was decoded
    /// at a reduced size.
    pub fn pixel_scale(&self) -> f64 {
        f64::from(self.facts.height_px) / f64::from(self.image.height().max(1))
    }
}

/// JPEGs whose longest side is at least twice this are decoded at a reduced size by
/// [`decode_reduced`]: the largest DCT scale (1/2, 1/4, 1/8) that keeps the longest side at
/// this many px or more. A face of a fifth of the longest side is then still 200 px wide,
/// which is the working resolution of the analysis (`analysis::WORK_FACE_WIDTH`).
pub const MIN_REDUCED_SIDE: u32 = 1000;

/// Recognises the format from the first bytes. Returns the `image` format for the formats
/// photocheck decodes, [`Error::UnsupportedFormat`] for known image formats it does not
/// decode (HEIC/HEIF, AVIF, JPEG XL, ...) and [`Error::NotAnImage`] otherwise.
pub fn sniff_format(bytes: &[u8]) -> Result<ImageFormat> {
    if bytes.is_empty() {
        return Err(Error::NotAnImage("empty file (0 bytes)".into()));
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        let brand = String::from_utf8_lossy(&bytes[8..12]).to_string();
        let name = match brand.as_str() {
            "avif" | "avis" => "AVIF",
            "heic" | "heix" | "heim" | "heis" | "hevc" | "hevx" | "mif1" | "msf1" => "HEIC/HEIF",
            _ => "ISO media (MP4/MOV/HEIF family)",
        };
        return Err(Error::UnsupportedFormat(format!(
            "{name}; convert it to JPEG or PNG first"
        )));
    }
    if bytes.starts_with(&[0xff, 0x0a]) || bytes.starts_with(b"\0\0\0\x0cJXL ") {
        return Err(Error::UnsupportedFormat(
            "JPEG XL; convert it to JPEG or PNG first".into(),
        ));
    }
    match image::guess_format(bytes) {
        Ok(
            f @ (ImageFormat::Jpeg
            | ImageFormat::Png
            | ImageFormat::WebP
            | ImageFormat::Bmp
            | ImageFormat::Tiff
            | ImageFormat::Gif),
        ) => Ok(f),
        Ok(other) => Err(Error::UnsupportedFormat(format!(
            "{}; convert it to JPEG or PNG first",
            format_name(other)
        ))),
        Err(_) => Err(Error::NotAnImage(
            "the content is not a JPEG, PNG, WebP, BMP, TIFF or GIF image".into(),
        )),
    }
}

/// The lower-case name photocheck reports for a format (`jpeg`, `png`, ...).
pub fn format_name(format: ImageFormat) -> String {
    format
        .extensions_str()
        .first()
        .map(|e| if *e == "jpg" { "jpeg" } else { e })
        .unwrap_or("unknown")
        .to_string()
}

/// Decodes an image file's bytes into an upright [`Photo`].
///
/// Errors: [`Error::NotAnImage`], [`Error::UnsupportedFormat`], [`Error::TooLarge`] (over
/// [`MAX_PIXELS`] or [`MAX_DECODE_BYTES`], refused before the pixels are allocated),
/// [`Error::Truncated`] and [`Error::Corrupt`].
pub fn decode(bytes: &[u8]) -> Result<Photo> {
    decode_with(bytes, false, &DecodeLimits::default())
}

/// As [`decode`] (`reduce` false) or [`decode_reduced`] (`reduce` true), within `limits`.
///
/// Errors: as [`decode`]; [`Error::TooLarge`] names the limit that was reached.
pub fn decode_within(bytes: &[u8], reduce: bool, limits: &DecodeLimits) -> Result<Photo> {
    decode_with(bytes, reduce, limits)
}

/// As [`decode`], but a JPEG of at least twice [`MIN_REDUCED_SIDE`] px on its longest side is
/// decoded at a reduced size with the decoder's DCT scaling (`jpeg-decoder`), which skips
/// most of the inverse transform and all of the full-size pixel work; the facts still give the
/// file's full size. Used for checking: the analysis needs no more resolution. A JPEG the
/// reduced decoder cannot read (CMYK, or damaged data) goes through the full decoder, so the
/// errors are those of [`decode`].
pub fn decode_reduced(bytes: &[u8]) -> Result<Photo> {
    decode_with(bytes, true, &DecodeLimits::default())
}

/// The upright size of a `w` x `h` image shown with EXIF orientation `o`.
fn upright_size(w: u32, h: u32, o: image::metadata::Orientation) -> (u32, u32) {
    use image::metadata::Orientation as O;
    match o {
        O::Rotate90 | O::Rotate270 | O::Rotate90FlipH | O::Rotate270FlipH => (h, w),
        _ => (w, h),
    }
}

/// Decodes a baseline or progressive RGB or greyscale JPEG at 1/2, 1/4 or 1/8 size; `None`
/// when it is not worth it or the reduced decoder cannot read the file.
fn decode_jpeg_scaled(bytes: &[u8], w: u32, h: u32, max_alloc: u64) -> Option<DynamicImage> {
    let longest = w.max(h);
    let factor = [8u32, 4, 2]
        .into_iter()
        .find(|k| longest / k >= MIN_REDUCED_SIDE)?;
    let mut d = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    d.set_max_decoding_buffer_size(usize::try_from(max_alloc).ok()?);
    d.read_info().ok()?;
    let info = d.info()?;
    if (u32::from(info.width), u32::from(info.height)) != (w, h) {
        return None;
    }
    let (sw, sh) = d
        .scale(
            u16::try_from(w.div_ceil(factor)).ok()?,
            u16::try_from(h.div_ceil(factor)).ok()?,
        )
        .ok()?;
    let pixels = d.decode().ok()?;
    let (sw, sh) = (u32::from(sw), u32::from(sh));
    match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => {
            RgbImage::from_raw(sw, sh, pixels).map(DynamicImage::ImageRgb8)
        }
        jpeg_decoder::PixelFormat::L8 => {
            image::GrayImage::from_raw(sw, sh, pixels).map(DynamicImage::ImageLuma8)
        }
        _ => None,
    }
}

fn decode_with(bytes: &[u8], reduce: bool, limits: &DecodeLimits) -> Result<Photo> {
    let format = sniff_format(bytes)?;
    if format == ImageFormat::Jpeg && jpeg_is_truncated(bytes) {
        return Err(Error::Truncated(
            "the JPEG data ends before its end-of-image marker".into(),
        ));
    }
    let too_big = |e| map_image_error(e, limits);
    // The header and metadata first, within MAX_METADATA_BYTES: the size and depth, and any
    // inflating ICC or text chunk refused before the pixels are considered.
    let (w, h, depth) = {
        let mut probe = ImageReader::with_format(Cursor::new(bytes), format);
        let mut l = image::Limits::default();
        l.max_alloc = Some(limits.max_alloc.min(MAX_METADATA_BYTES));
        probe.limits(l);
        let d = probe.into_decoder().map_err(too_big)?;
        let (w, h) = d.dimensions();
        (w, h, u64::from(d.color_type().bytes_per_pixel()))
    };
    if w == 0 || h == 0 {
        return Err(Error::Corrupt(format!("image has zero size ({w}x{h} px)")));
    }
    if u64::from(w) * u64::from(h) > limits.max_pixels {
        return Err(Error::TooLarge(format!(
            "{w}x{h} px is over the {} megapixel limit",
            limits.max_pixels as f64 / 1e6
        )));
    }
    // The pixels: at most what this image's size and depth need, plus its metadata.
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut image_limits = image::Limits::default();
    image_limits.max_alloc = Some(
        limits
            .max_alloc
            .min(u64::from(w) * u64::from(h) * depth.max(1) + MAX_METADATA_BYTES),
    );
    reader.limits(image_limits);
    let mut decoder = reader.into_decoder().map_err(too_big)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let (width_px, height_px) = upright_size(w, h, orientation);
    let scaled = (reduce && format == ImageFormat::Jpeg)
        .then(|| decode_jpeg_scaled(bytes, w, h, limits.max_alloc))
        .flatten();
    let dynamic = match scaled {
        Some(d) => d,
        None => DynamicImage::from_decoder(decoder).map_err(too_big)?,
    };
    let (mut dynamic, transparent_share) = flatten_alpha(dynamic);
    dynamic.apply_orientation(orientation);
    let image = dynamic.into_rgb8();

    let exif = exif::Reader::new()
        .read_from_container(&mut Cursor::new(bytes))
        .ok();
    let exif_orientation = exif
        .as_ref()
        .and_then(|e| e.get_field(exif::Tag::Orientation, exif::In::PRIMARY))
        .and_then(|f| f.value.get_uint(0))
        .and_then(|v| u16::try_from(v).ok());
    let dpi = exif.as_ref().and_then(exif_dpi).or_else(|| match format {
        ImageFormat::Jpeg => jfif_dpi(bytes),
        ImageFormat::Png => png_dpi(bytes),
        _ => None,
    });
    let capture_date = exif.as_ref().and_then(exif_capture_date);

    Ok(Photo {
        facts: ImageFacts {
            width_px,
            height_px,
            format: format_name(format),
            bytes: bytes.len() as u64,
            dpi,
            exif_orientation,
            capture_date,
            transparent_share,
        },
        image,
    })
}

/// Composites images with an alpha channel on white (ID photos are judged on white paper),
/// with the share of pixels that were transparent (alpha under 250); `None` without alpha.
fn flatten_alpha(img: DynamicImage) -> (DynamicImage, Option<f64>) {
    if !img.color().has_alpha() {
        return (img, None);
    }
    let mut rgba = img.into_rgba8();
    let total = (u64::from(rgba.width()) * u64::from(rgba.height())).max(1);
    let transparent = rgba.pixels().filter(|p| p[3] < 250).count() as u64;
    for p in rgba.pixels_mut() {
        let a = u16::from(p[3]);
        for c in 0..3 {
            p[c] = ((u16::from(p[c]) * a + 255 * (255 - a) + 127) / 255) as u8;
        }
        p[3] = 255;
    }
    (
        DynamicImage::ImageRgba8(rgba),
        Some(transparent as f64 / total as f64),
    )
}

fn map_image_error(e: image::ImageError, limits: &DecodeLimits) -> Error {
    use image::ImageError as E;
    match e {
        E::Limits(l) => Error::TooLarge(format!(
            "decoding would exceed the decoder limits ({} MiB): {l}",
            limits.max_alloc >> 20
        )),
        E::Unsupported(u) => Error::UnsupportedFormat(u.to_string()),
        E::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            Error::Truncated(io.to_string())
        }
        E::IoError(io) => Error::Corrupt(io.to_string()),
        E::Decoding(d) => {
            let msg = d.to_string();
            let lower = msg.to_lowercase();
            if lower.contains("eof")
                || lower.contains("end of")
                || lower.contains("truncat")
                || lower.contains("no more bytes")
                || lower.contains("unexpected end")
                || lower.contains("not enough bytes")
            {
                Error::Truncated(msg)
            } else {
                Error::Corrupt(msg)
            }
        }
        other => Error::Corrupt(other.to_string()),
    }
}

/// A JPEG is truncated when no end-of-image marker (FF D9) follows its last start-of-scan.
fn jpeg_is_truncated(bytes: &[u8]) -> bool {
    let last_sos = bytes.windows(2).rposition(|w| w == [0xff, 0xda]);
    match last_sos {
        None => true,
        Some(pos) => !bytes[pos..].windows(2).any(|w| w == [0xff, 0xd9]),
    }
}

fn exif_dpi(exif: &exif::Exif) -> Option<[f64; 2]> {
    let rational = |tag| match &exif.get_field(tag, exif::In::PRIMARY)?.value {
        exif::Value::Rational(v) if !v.is_empty() && v[0].denom != 0 => Some(v[0].to_f64()),
        _ => None,
    };
    let x = rational(exif::Tag::XResolution)?;
    let y = rational(exif::Tag::YResolution).unwrap_or(x);
    let unit = exif
        .get_field(exif::Tag::ResolutionUnit, exif::In::PRIMARY)
        .and_then(|f| f.value.get_uint(0))
        .unwrap_or(2);
    let per_inch = match unit {
        2 => 1.0,
        3 => 2.54,
        _ => return None,
    };
    (x > 0.0 && y > 0.0).then_some([x * per_inch, y * per_inch])
}

fn exif_capture_date(exif: &exif::Exif) -> Option<String> {
    let field = exif
        .get_field(exif::Tag::DateTimeOriginal, exif::In::PRIMARY)
        .or_else(|| exif.get_field(exif::Tag::DateTime, exif::In::PRIMARY))?;
    let exif::Value::Ascii(parts) = &field.value else {
        return None;
    };
    let dt = exif::DateTime::from_ascii(parts.first()?).ok()?;
    if dt.year == 0 || dt.month == 0 || dt.day == 0 {
        return None;
    }
    Some(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second
    ))
}

/// JFIF APP0 density (units 1 = dots per inch, 2 = dots per cm; 0 = aspect ratio only).
fn jfif_dpi(bytes: &[u8]) -> Option<[f64; 2]> {
    if bytes.len() < 20 || bytes[..4] != [0xff, 0xd8, 0xff, 0xe0] || &bytes[6..11] != b"JFIF\0" {
        return None;
    }
    let units = bytes[13];
    let x = f64::from(u16::from_be_bytes([bytes[14], bytes[15]]));
    let y = f64::from(u16::from_be_bytes([bytes[16], bytes[17]]));
    let per_inch = match units {
        1 => 1.0,
        2 => 2.54,
        _ => return None,
    };
    (x > 0.0 && y > 0.0).then_some([x * per_inch, y * per_inch])
}

/// PNG `pHYs` chunk (unit 1 = pixels per metre).
fn png_dpi(bytes: &[u8]) -> Option<[f64; 2]> {
    let mut pos = 8usize;
    while pos + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[pos..pos + 4].try_into().ok()?) as usize;
        let kind = &bytes[pos + 4..pos + 8];
        let data = bytes.get(pos + 8..pos.checked_add(8 + len)?)?;
        match kind {
            b"pHYs" if len == 9 => {
                if data[8] != 1 {
                    return None;
                }
                let x = f64::from(u32::from_be_bytes(data[0..4].try_into().ok()?));
                let y = f64::from(u32::from_be_bytes(data[4..8].try_into().ok()?));
                return (x > 0.0 && y > 0.0).then_some([x * 0.0254, y * 0.0254]);
            }
            b"IDAT" | b"IEND" => return None,
            _ => {}
        }
        pos = pos.checked_add(12 + len)?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_text_are_not_images() {
        assert_eq!(sniff_format(b"").unwrap_err().kind(), "not_an_image");
        assert_eq!(
            sniff_format(b"hello, this is text").unwrap_err().kind(),
            "not_an_image"
        );
    }

    #[test]
    fn heic_is_unsupported() {
        let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";
        let e = sniff_format(heic).unwrap_err();
        assert_eq!(e.kind(), "unsupported_format");
        assert!(e.to_string().contains("HEIC"));
    }

    #[test]
    fn png_roundtrip_reads_phys_dpi() {
        let img = RgbImage::from_pixel(30, 40, image::Rgb([200, 10, 10]));
        let mut buf = Vec::new();
        img.write_to(&mut Cursor::new(&mut buf), ImageFormat::Png)
            .unwrap();
        // Insert a pHYs chunk of 11811 px/m (300 dpi) after IHDR (8 + 25 bytes).
        let mut chunk = Vec::new();
        chunk.extend_from_slice(&9u32.to_be_bytes());
        chunk.extend_from_slice(b"pHYs");
        chunk.extend_from_slice(&11811u32.to_be_bytes());
        chunk.extend_from_slice(&11811u32.to_be_bytes());
        chunk.push(1);
        chunk.extend_from_slice(&[0, 0, 0, 0]); // CRC is not checked by our reader
        buf.splice(33..33, chunk);
        let dpi = png_dpi(&buf).unwrap();
        assert!((dpi[0] - 300.0).abs() < 0.1, "{dpi:?}");
    }

    #[test]
    fn truncated_jpeg_is_reported() {
        let img = RgbImage::from_pixel(64, 64, image::Rgb([90, 120, 200]));
        let mut buf = Vec::new();
        img.write_to(&mut Cursor::new(&mut buf), ImageFormat::Jpeg)
            .unwrap();
        let photo = decode(&buf).unwrap();
        assert_eq!((photo.facts.width_px, photo.facts.height_px), (64, 64));
        assert_eq!(photo.facts.format, "jpeg");
        let cut = &buf[..buf.len() - 40];
        assert_eq!(decode(cut).unwrap_err().kind(), "truncated");
    }
}

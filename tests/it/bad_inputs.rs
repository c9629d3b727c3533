//! Bad inputs: each gets a clear answer (an error of a stated kind, or a report), never a
//! panic or a hang, and the batch goes on. Inputs are generated here where the `image` crate
//! can write them; the rest are in `tests/data/` (made by `tools/make_bad_inputs.py`).

use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::{ImageFormat, Rgb, RgbImage};
use serde_json::Value;

use crate::common::photocheck;

const GOOD: &str = "fixtures/made/astronaut_licence.jpg";

fn good_bytes() -> Vec<u8> {
    std::fs::read(GOOD).unwrap()
}

fn encode(img: image::DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut buf = Vec::new();
    img.write_to(&mut Cursor::new(&mut buf), format).unwrap();
    buf
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn png_chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
    let mut c = (data.len() as u32).to_be_bytes().to_vec();
    c.extend_from_slice(kind);
    c.extend_from_slice(data);
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    c.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    c
}

/// A PNG whose header claims `w` x `h` px with almost no data (a decompression bomb's header).
fn png_header_only(w: u32, h: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    out.extend(png_chunk(b"IHDR", &ihdr));
    out.extend(png_chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    out.extend(png_chunk(b"IEND", &[]));
    out
}

/// A JPEG with an EXIF APP1 segment inserted after SOI.
fn with_exif(jpeg: &[u8], exif_tiff: &[u8], claimed_len: Option<u16>) -> Vec<u8> {
    let mut seg = b"Exif\0\0".to_vec();
    seg.extend_from_slice(exif_tiff);
    let len = claimed_len.unwrap_or((seg.len() + 2) as u16);
    let mut out = vec![0xff, 0xd8, 0xff, 0xe1];
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&seg);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A little-endian TIFF/EXIF block with one IFD entry: Orientation = `value`.
fn exif_orientation(value: u16) -> Vec<u8> {
    let mut t = b"II*\0".to_vec();
    t.extend_from_slice(&8u32.to_le_bytes());
    t.extend_from_slice(&1u16.to_le_bytes());
    t.extend_from_slice(&0x0112u16.to_le_bytes());
    t.extend_from_slice(&3u16.to_le_bytes());
    t.extend_from_slice(&1u32.to_le_bytes());
    t.extend_from_slice(&u32::from(value).to_le_bytes());
    t.extend_from_slice(&0u32.to_le_bytes());
    t
}

struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    /// `Some(kind)`: the file's report is an error of this kind; `None`: it is checked (a
    /// pass or fail report).
    error: Option<&'static str>,
}

fn cases() -> Vec<Case> {
    let good = good_bytes();
    let photo = image::load_from_memory(&good).unwrap();
    let mut corrupt = good.clone();
    let sos = corrupt.windows(2).rposition(|w| w == [0xff, 0xda]).unwrap();
    for b in corrupt[sos + 200..sos + 1200].iter_mut() {
        *b = 0xff;
    }
    let mut bad_crc = encode(photo.clone(), ImageFormat::Png);
    let idat = bad_crc.windows(4).position(|w| w == b"IDAT").unwrap();
    let len = u32::from_be_bytes(bad_crc[idat - 4..idat].try_into().unwrap()) as usize;
    bad_crc[idat + 4 + len] ^= 0xff;
    let mut cases = vec![
        Case {
            name: "empty.jpg",
            bytes: Vec::new(),
            error: Some("not_an_image"),
        },
        Case {
            name: "text.jpg",
            bytes: b"Dear clerk, here is my photo.\n".to_vec(),
            error: Some("not_an_image"),
        },
        Case {
            name: "corrupt_entropy.jpg",
            bytes: corrupt,
            error: None,
        },
        Case {
            name: "progressive.jpg",
            bytes: std::fs::read("tests/data/progressive.jpg").unwrap(),
            error: None,
        },
        Case {
            name: "cmyk.jpg",
            bytes: std::fs::read("tests/data/cmyk.jpg").unwrap(),
            error: None,
        },
        Case {
            name: "ycck.jpg",
            bytes: std::fs::read("tests/data/ycck.jpg").unwrap(),
            error: None,
        },
        Case {
            name: "rgb16.png",
            bytes: encode(
                image::DynamicImage::ImageRgb16(photo.to_rgb16()),
                ImageFormat::Png,
            ),
            error: None,
        },
        Case {
            name: "grey_alpha.png",
            bytes: encode(
                image::DynamicImage::ImageLumaA8(photo.to_luma_alpha8()),
                ImageFormat::Png,
            ),
            error: None,
        },
        Case {
            name: "palette.png",
            bytes: std::fs::read("tests/data/palette.png").unwrap(),
            error: None,
        },
        Case {
            name: "one_pixel.png",
            bytes: encode(
                RgbImage::from_pixel(1, 1, Rgb([255, 255, 255])).into(),
                ImageFormat::Png,
            ),
            error: None,
        },
        Case {
            name: "bomb_20000x20000.png",
            bytes: png_header_only(20_000, 20_000),
            error: Some("too_large"),
        },
        Case {
            name: "animated.gif",
            bytes: std::fs::read("tests/data/animated.gif").unwrap(),
            error: None,
        },
        Case {
            name: "animated.webp",
            bytes: std::fs::read("tests/data/animated.webp").unwrap(),
            error: None,
        },
        Case {
            name: "phone.heic",
            bytes: b"\0\0\0\x18ftypheic\0\0\0\0mif1heic\0\0\0\0".to_vec(),
            error: Some("unsupported_format"),
        },
        Case {
            name: "photo.avif",
            bytes: b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf".to_vec(),
            error: Some("unsupported_format"),
        },
        Case {
            name: "bad_crc.png",
            bytes: bad_crc,
            error: Some("corrupt"),
        },
        Case {
            name: "orientation_99.jpg",
            bytes: with_exif(&good, &exif_orientation(99), None),
            error: None,
        },
        Case {
            name: "exif_overlong.jpg",
            bytes: with_exif(&good, &exif_orientation(6), Some(60_000)),
            error: Some("truncated"),
        },
    ];
    for cut in [3usize, 20, 400, good.len() / 2, good.len() - 3] {
        let name: &'static str = Box::leak(format!("cut_at_{cut}.jpg").into_boxed_str());
        cases.push(Case {
            name,
            bytes: good[..cut].to_vec(),
            error: Some("truncated"),
        });
    }
    cases
}

fn run_json(args: &[&std::ffi::OsStr]) -> (Vec<Value>, i32) {
    let out = photocheck().args(args).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (v.as_array().unwrap().clone(), out.status.code().unwrap())
}

#[test]
fn every_bad_input_gets_its_own_answer_and_the_batch_goes_on() {
    let _machine = crate::common::share();
    let dir = tempfile::tempdir().unwrap();
    let cases = cases();
    let mut args: Vec<std::ffi::OsString> = vec!["check".into(), "--format".into(), "json".into()];
    for c in &cases {
        let p = dir.path().join(c.name);
        std::fs::write(&p, &c.bytes).unwrap();
        args.push(p.into_os_string());
    }
    args.push(GOOD.into());
    let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    let (reports, code) = run_json(&refs);
    assert_eq!(code, 2, "some inputs are unreadable");
    assert_eq!(reports.len(), cases.len() + 1, "one report per input");
    for (c, r) in cases.iter().zip(&reports) {
        let kind = r["error"]["kind"].as_str();
        match c.error {
            Some(want) => {
                assert_eq!(kind, Some(want), "{}: {}", c.name, r["error"]);
                assert_eq!(r["verdict"], "error");
                let msg = r["error"]["message"].as_str().unwrap();
                assert!(!msg.is_empty());
            }
            None => {
                assert_eq!(kind, None, "{}: {}", c.name, r["error"]);
                assert!(
                    r["verdict"] == "pass" || r["verdict"] == "fail",
                    "{}",
                    c.name
                );
                assert!(r["image"]["width_px"].as_u64().unwrap() >= 1);
            }
        }
    }
    assert_eq!(
        reports.last().unwrap()["verdict"],
        "pass",
        "the good photo after them all"
    );
}

#[test]
fn decoded_variants_keep_the_photo() {
    let _machine = crate::common::share();
    // The colour-space and bit-depth variants of the compliant photo decode to the same photo:
    // same size and the same verdict as the original.
    let dir = tempfile::tempdir().unwrap();
    let mut args: Vec<std::ffi::OsString> = vec!["check".into(), "--format".into(), "json".into()];
    for c in cases() {
        if [
            "progressive.jpg",
            "cmyk.jpg",
            "ycck.jpg",
            "rgb16.png",
            "palette.png",
        ]
        .contains(&c.name)
        {
            let p = dir.path().join(c.name);
            std::fs::write(&p, &c.bytes).unwrap();
            args.push(p.into_os_string());
        }
    }
    let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    let (reports, _) = run_json(&refs);
    for r in &reports {
        assert_eq!(r["image"]["width_px"], 260, "{}", r["file"]);
        assert_eq!(r["image"]["height_px"], 378, "{}", r["file"]);
        let len = r["measurements"]["head_length_mm"].as_f64().unwrap();
        assert!(
            (19.0..=22.0).contains(&len),
            "{}: head length {len} mm",
            r["file"]
        );
    }
}

#[cfg(unix)]
#[test]
fn odd_files_and_folders() {
    let _machine = crate::common::share();
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // A folder with a good photo, a symlink loop, a FIFO and a non-UTF-8 name.
    let folder = root.join("batch");
    std::fs::create_dir(&folder).unwrap();
    std::fs::copy(GOOD, folder.join("a.jpg")).unwrap();
    std::os::unix::fs::symlink(&folder, folder.join("loop")).unwrap();
    let fifo = folder.join("pipe.jpg");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    let non_utf8 = folder.join(std::ffi::OsStr::from_bytes(b"caf\xe9.jpg"));
    std::fs::copy(GOOD, &non_utf8).unwrap();
    // A name longer than the file system allows.
    let long = root.join("x".repeat(300) + ".jpg");
    let (reports, code) = run_json(&[
        "check".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        folder.as_os_str(),
        long.as_os_str(),
        fifo.as_os_str(),
    ]);
    assert_eq!(code, 2);
    let by_kind = |k: &str| reports.iter().filter(|r| r["error"]["kind"] == k).count();
    // In the folder: a.jpg and the non-UTF-8 name are checked, the loop is reported, the FIFO
    // (not a regular file) is skipped; named explicitly, the FIFO is an error without blocking.
    let checked: Vec<&Value> = reports.iter().filter(|r| r["error"].is_null()).collect();
    assert_eq!(checked.len(), 2, "{reports:?}");
    assert!(reports.iter().any(|r| {
        r["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("loop"))
    }));
    assert_eq!(
        by_kind("io"),
        2 + usize::from(made.is_ok_and(|s| s.success())),
        "{reports:?}"
    );
    assert!(
        reports
            .iter()
            .any(|r| r["file"].as_str().unwrap().contains("xxxx") && r["error"]["kind"] == "io")
    );
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_an_io_error_unless_running_as_root() {
    let _machine = crate::common::share();
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("secret.jpg");
    std::fs::copy(GOOD, &p).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&p).is_ok() {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED permission case: running as root, which reads any file"
        );
        return;
    }
    let (reports, code) = run_json(&[
        "check".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        dir.path().as_os_str(),
    ]);
    assert_eq!(code, 2);
    assert_eq!(reports[0]["error"]["kind"], "io");
}

#[test]
fn a_batch_leaves_inputs_untouched() {
    let _machine = crate::common::share();
    let dir = tempfile::tempdir().unwrap();
    let mut before = Vec::new();
    for entry in walk(Path::new("fixtures")) {
        let target = dir.path().join(entry.file_name().unwrap());
        std::fs::copy(&entry, &target).unwrap();
    }
    for entry in walk(dir.path()) {
        let meta = std::fs::metadata(&entry).unwrap();
        before.push((
            entry.clone(),
            std::fs::read(&entry).unwrap(),
            meta.modified().unwrap(),
        ));
    }
    let annotated = tempfile::tempdir().unwrap();
    let out = photocheck()
        .args(["check", "--annotate"])
        .arg(annotated.path())
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.code().is_some());
    for (path, bytes, mtime) in before {
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{}", path.display());
        assert_eq!(
            std::fs::metadata(&path).unwrap().modified().unwrap(),
            mtime,
            "{}",
            path.display()
        );
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|x| x == "jpg" || x == "png") {
            out.push(p);
        }
    }
    out
}

#[test]
fn per_file_time_limit_gives_a_timeout_error_and_the_batch_goes_on() {
    let _machine = crate::common::share();
    let out = photocheck()
        .args([
            "check",
            "--format",
            "json",
            "--timeout-per-file",
            "0.000001",
            GOOD,
            GOOD,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let kinds: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["error"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["timeout", "timeout"]);
    for huge in ["1e19", "1e30", "inf"] {
        let out = photocheck()
            .args(["check", "--timeout-per-file", huge, GOOD])
            .output()
            .unwrap();
        assert!(
            matches!(out.status.code(), Some(0) | Some(2)),
            "{huge}: {:?}",
            out.status
        );
    }
    let ok = photocheck()
        .args(["check", "--timeout-per-file", "60", GOOD])
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0));
}

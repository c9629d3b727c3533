//! Writes a copy of a photo folder scaled up by a factor (default 3, Catmull-Rom, JPEG
//! quality 92), to measure accuracy on large photos against the same truth (the truth is in
//! mm and shares of the height, which scaling keeps):
//! `cargo run --release --example upscale_suite -- ../shared/photo-suite /tmp/suite3x 3`.

use image::codecs::jpeg::JpegEncoder;
use image::imageops::{self, FilterType};
use rayon::prelude::*;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (src, dst) = (
        args.next().unwrap_or_default(),
        args.next().unwrap_or_default(),
    );
    let factor: f64 = args.next().map_or(Ok(3.0), |s| s.parse())?;
    std::fs::create_dir_all(&dst)?;
    let files: Vec<_> = std::fs::read_dir(&src)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "jpg"))
        .collect();
    files.par_iter().try_for_each(|p| -> anyhow::Result<()> {
        let img = image::open(p)?.to_rgb8();
        let (w, h) = (
            (f64::from(img.width()) * factor).round() as u32,
            (f64::from(img.height()) * factor).round() as u32,
        );
        let big = imageops::resize(&img, w, h, FilterType::CatmullRom);
        let out = std::fs::File::create(std::path::Path::new(&dst).join(p.file_name().unwrap()))?;
        JpegEncoder::new_with_quality(std::io::BufWriter::new(out), 92).encode_image(&big)?;
        Ok(())
    })?;
    println!("{} photos scaled by {factor} into {dst}", files.len());
    Ok(())
}

//! Writes the benchmark photos (`benches/pipeline.rs` builds the same in memory) to a folder:
//! `cargo run --release --example bench_photos -- DIR` makes `DIR/260x378.jpg`,
//! `DIR/1100x1600.jpg` and `DIR/4000x3000.jpg` from the shipped licence fixture; with
//! `--huge` also `DIR/11500x8600.jpg` (99 megapixels, the largest size photocheck accepts).

use image::{Rgb, RgbImage, imageops};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = std::path::PathBuf::from(
        args.iter()
            .find(|a| !a.starts_with("--"))
            .map_or(".", |s| s),
    );
    std::fs::create_dir_all(&dir)?;
    let small = std::fs::read("fixtures/made/astronaut_licence.jpg")?;
    std::fs::write(dir.join("260x378.jpg"), &small)?;
    let photo = image::load_from_memory(&small)?.to_rgb8();
    let mid = imageops::resize(&photo, 1100, 1600, imageops::FilterType::Triangle);
    mid.save(dir.join("1100x1600.jpg"))?;
    let frame = |w: u32, h: u32| {
        let pw = (f64::from(h) * 260.0 / 378.0).round() as u32;
        let tall = imageops::resize(&photo, pw, h, imageops::FilterType::Triangle);
        let mut phone = RgbImage::from_pixel(w, h, Rgb([255, 255, 255]));
        imageops::replace(&mut phone, &tall, i64::from((w - pw) / 2), 0);
        phone
    };
    frame(4000, 3000).save(dir.join("4000x3000.jpg"))?;
    if args.iter().any(|a| a == "--huge") {
        frame(11500, 8600).save(dir.join("11500x8600.jpg"))?;
    }
    Ok(())
}

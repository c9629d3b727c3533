//! Writes the benchmark photos (`benches/pipeline.rs` builds the same in memory) to a folder:
//! `cargo run --release --example bench_photos -- DIR` makes `DIR/260x378.jpg`,
//! `DIR/1100x1600.jpg` and `DIR/4000x3000.jpg` from the shipped licence fixture.

use image::{Rgb, RgbImage, imageops};

fn main() -> anyhow::Result<()> {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    std::fs::create_dir_all(&dir)?;
    let small = std::fs::read("fixtures/made/astronaut_licence.jpg")?;
    std::fs::write(dir.join("260x378.jpg"), &small)?;
    let photo = image::load_from_memory(&small)?.to_rgb8();
    let mid = imageops::resize(&photo, 1100, 1600, imageops::FilterType::Triangle);
    mid.save(dir.join("1100x1600.jpg"))?;
    let tall = imageops::resize(&photo, 2063, 3000, imageops::FilterType::Triangle);
    let mut phone = RgbImage::from_pixel(4000, 3000, Rgb([255, 255, 255]));
    imageops::replace(&mut phone, &tall, (4000 - 2063) / 2, 0);
    phone.save(dir.join("4000x3000.jpg"))?;
    Ok(())
}

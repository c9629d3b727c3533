//! Makes the project's own fixture photos from `fixtures/astronaut.png` (NASA, public domain):
//! the astronaut cut out with photocheck's person segmentation, composed on white, cropped and
//! scaled to the Chinese driving-licence archive format (260 x 378 px, head length 236 px =
//! 20.0 mm, crown 15 px below the top edge, face centred), plus variants that each break one
//! rule. Run: `cargo run --release --example make_fixtures`; the outputs in `fixtures/made/`
//! are committed (CI never runs this).

use std::path::Path;

use image::{Rgb, RgbImage};
use photocheck::analysis::sample::bilinear;
use photocheck::decode::decode;
use photocheck::{Engine, read_file};

struct Variant {
    name: &'static str,
    head_length_px: f64,
    crown_margin_px: f64,
    shift_frac: f64,
    backdrop: [u8; 3],
    greyscale: bool,
}

fn main() -> anyhow::Result<()> {
    let engine = Engine::new()?;
    let photo = decode(&read_file(Path::new("fixtures/astronaut.png"))?)?;
    let analysis = engine.analyse(&photo)?;
    let g = analysis.head.as_ref().expect("astronaut has a face");
    let mask = analysis.person_mask.as_ref().expect("mask");
    println!(
        "astronaut: crown {:.1} px, chin {:.1} px, centre x {:.1} px",
        g.crown_y, g.chin_y, g.face_centre_x
    );
    let variants = [
        Variant {
            name: "astronaut_licence.jpg",
            head_length_px: 236.0,
            crown_margin_px: 15.0,
            shift_frac: 0.0,
            backdrop: [255; 3],
            greyscale: false,
        },
        Variant {
            name: "astronaut_head_small.jpg",
            head_length_px: 200.0,
            crown_margin_px: 15.0,
            shift_frac: 0.0,
            backdrop: [255; 3],
            greyscale: false,
        },
        Variant {
            name: "astronaut_head_large.jpg",
            head_length_px: 275.0,
            crown_margin_px: 15.0,
            shift_frac: 0.0,
            backdrop: [255; 3],
            greyscale: false,
        },
        Variant {
            name: "astronaut_crown_low.jpg",
            head_length_px: 236.0,
            crown_margin_px: 40.0,
            shift_frac: 0.0,
            backdrop: [255; 3],
            greyscale: false,
        },
        Variant {
            name: "astronaut_off_centre.jpg",
            head_length_px: 236.0,
            crown_margin_px: 15.0,
            shift_frac: 0.12,
            backdrop: [255; 3],
            greyscale: false,
        },
        Variant {
            name: "astronaut_grey_backdrop.jpg",
            head_length_px: 236.0,
            crown_margin_px: 15.0,
            shift_frac: 0.0,
            backdrop: [190, 190, 190],
            greyscale: false,
        },
        Variant {
            name: "astronaut_face_only.jpg",
            head_length_px: 350.0,
            crown_margin_px: 8.0,
            shift_frac: 0.0,
            backdrop: [255; 3],
            greyscale: false,
        },
        Variant {
            name: "astronaut_greyscale.jpg",
            head_length_px: 236.0,
            crown_margin_px: 15.0,
            shift_frac: 0.0,
            backdrop: [255; 3],
            greyscale: true,
        },
    ];
    let (w, h) = (260u32, 378u32);
    for v in &variants {
        let k = v.head_length_px / (g.chin_y - g.crown_y);
        let x0 = g.face_centre_x - (f64::from(w) / 2.0 - v.shift_frac * f64::from(w)) / k;
        let y0 = g.crown_y - v.crown_margin_px / k;
        let out = RgbImage::from_fn(w, h, |u, t| {
            let sx = x0 + (f64::from(u) + 0.5) / k;
            let sy = y0 + (f64::from(t) + 0.5) / k;
            let p = bilinear(&photo.image, sx, sy);
            let ws = analysis.work_scale;
            let a = f64::from(mask.at((sx / ws) as i64, (sy / ws) as i64)).clamp(0.0, 1.0) as f32;
            let mut c = [0u8; 3];
            for i in 0..3 {
                c[i] = (a * p[i] + (1.0 - a) * f32::from(v.backdrop[i])).round() as u8;
            }
            if v.greyscale {
                let l =
                    (0.299 * f32::from(c[0]) + 0.587 * f32::from(c[1]) + 0.114 * f32::from(c[2]))
                        .round() as u8;
                c = [l; 3];
            }
            Rgb(c)
        });
        let path = Path::new("fixtures/made").join(v.name);
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path)?);
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut file, 92).encode_image(&out)?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

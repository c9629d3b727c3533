//! Annotated images (`--annotate DIR`): the photo with what was measured drawn on it.
//!
//! Drawn: the backdrop tinted (pixels outside the person mask), the allowed bands for the
//! crown and the chin from the spec (green), the measured crown and chin lines (red), the eye
//! line (cyan), the head width markers at the outer ears (orange), the face boxes (yellow),
//! and the failed rules with value and range in the bottom-left corner (away from the crown).

use ab_glyph::{FontRef, PxScale};
use image::{Rgb, RgbImage};
use imageproc::drawing::{draw_filled_rect_mut, draw_hollow_rect_mut, draw_text_mut, text_size};
use imageproc::rect::Rect;

use super::FileReport;
use super::lang::{Lang, short};
use crate::analysis::Analysis;
use crate::checks::head::{CrownBasis, CrownMargin, HeadLength};
use crate::spec::Spec;

/// Colour of the measured crown and chin lines.
pub const CROWN_LINE_COLOUR: Rgb<u8> = Rgb([230, 20, 20]);
/// Colour of the eye line.
pub const EYE_LINE_COLOUR: Rgb<u8> = Rgb([0, 200, 220]);
/// Colour of the head width markers.
pub const WIDTH_MARKER_COLOUR: Rgb<u8> = Rgb([255, 140, 0]);
/// Colour of the face boxes.
pub const FACE_BOX_COLOUR: Rgb<u8> = Rgb([240, 220, 0]);
/// Tint of the allowed bands.
const BAND_COLOUR: [f32; 3] = [40.0, 200.0, 60.0];
/// Tint of the backdrop.
const BACKDROP_COLOUR: [f32; 3] = [80.0, 140.0, 255.0];

/// DejaVu Sans Mono (Bitstream Vera licence, `assets/fonts/LICENSE-DejaVu.txt`).
const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSansMono.ttf");
/// WenQuanYi Micro Hei cut down to ASCII and the Chinese characters of `lang.rs` and of the
/// rule names in `src/checks/` (Apache-2.0,
/// `assets/fonts/LICENSE-WenQuanYi.txt`; made by `tools/make_cjk_font.py`).
const FONT_ZH: &[u8] = include_bytes!("../../assets/fonts/wqy-microhei-subset.ttf");

fn blend(p: &mut Rgb<u8>, c: [f32; 3], a: f32) {
    for k in 0..3 {
        p[k] = (f32::from(p[k]) * (1.0 - a) + c[k] * a).round() as u8;
    }
}

fn hline(img: &mut RgbImage, y: f64, x0: f64, x1: f64, thick: u32, c: Rgb<u8>) {
    let (w, h) = (img.width() as i64, img.height() as i64);
    let top = (y.round() as i64 - i64::from(thick) / 2).clamp(0, h - 1);
    let (x0, x1) = (x0.max(0.0) as i64, (x1.min(w as f64) as i64).min(w));
    for yy in top..(top + i64::from(thick)).min(h) {
        for xx in x0..x1 {
            img.put_pixel(xx as u32, yy as u32, c);
        }
    }
}

fn vline(img: &mut RgbImage, x: f64, y0: f64, y1: f64, thick: u32, c: Rgb<u8>) {
    let (w, h) = (img.width() as i64, img.height() as i64);
    let left = (x.round() as i64 - i64::from(thick) / 2).clamp(0, w - 1);
    let (y0, y1) = (y0.max(0.0) as i64, (y1.min(h as f64) as i64).min(h));
    for xx in left..(left + i64::from(thick)).min(w) {
        for yy in y0..y1 {
            img.put_pixel(xx as u32, yy as u32, c);
        }
    }
}

fn band(img: &mut RgbImage, y0: f64, y1: f64) {
    let h = img.height() as i64;
    let (a, b) = (y0.floor().max(0.0) as i64, (y1.ceil() as i64).min(h));
    for y in a..b {
        for x in 0..img.width() {
            blend(img.get_pixel_mut(x, y as u32), BAND_COLOUR, 0.35);
        }
    }
}

/// Draws the annotations on a copy of the upright photo; `lang` is the language of the text.
pub fn annotate(
    photo: &RgbImage,
    analysis: &Analysis,
    report: &FileReport,
    spec: &Spec,
    lang: Lang,
) -> RgbImage {
    let mut img = photo.clone();
    let (w, h) = (f64::from(img.width()), f64::from(img.height()));
    // Full-resolution px per px of `photo` (a large JPEG may have been decoded reduced).
    let k = f64::from(analysis.facts.height_px) / h.max(1.0);
    let thick = ((h / 300.0).round() as u32).max(1);
    if let Some(mask) = &analysis.person_mask {
        let s = analysis.work_scale / k;
        for (x, y, p) in img.enumerate_pixels_mut() {
            let (mx, my) = ((f64::from(x) + 0.5) / s, (f64::from(y) + 0.5) / s);
            if mask.at(mx as i64, my as i64) < 0.5 {
                blend(p, BACKDROP_COLOUR, 0.25);
            }
        }
    }
    // mm per px of `photo`.
    let mm = spec.mm_per_px(analysis.facts.height_px) * k;
    if let Some(c) = spec.rules.get::<CrownMargin>() {
        band(&mut img, c.params.min_mm / mm, c.params.max_mm / mm);
    }
    if let Some(g) = &analysis.head {
        let g = &crate::analysis::scale_geometry(g.clone(), 1.0 / k);
        if let Some(hl) = spec.rules.get::<HeadLength>().map(|r| &r.params) {
            let top = match hl.crown {
                CrownBasis::Hair => g.crown_y,
                CrownBasis::Skull => g.skull_top_y,
            };
            band(&mut img, top + hl.min_mm / mm, top + hl.max_mm / mm);
        }
        for b in &analysis.faces {
            let b = crate::analysis::scale_box(b, 1.0 / k);
            let r = Rect::at(b.x as i32, b.y as i32)
                .of_size(b.width.max(1.0) as u32, b.height.max(1.0) as u32);
            draw_hollow_rect_mut(&mut img, r, FACE_BOX_COLOUR);
        }
        let head = g.head_length_px().max(1.0);
        for x in g.ear_outer_x.iter().flatten() {
            vline(
                &mut img,
                *x,
                g.eyebrow_y - 0.1 * head,
                g.eyebrow_y + 0.35 * head,
                thick,
                WIDTH_MARKER_COLOUR,
            );
        }
        let eye_y = g.eye_line_y();
        hline(
            &mut img,
            eye_y,
            g.eyes[0][0] - 0.3 * head,
            g.eyes[1][0] + 0.3 * head,
            thick,
            EYE_LINE_COLOUR,
        );
        hline(&mut img, g.crown_y, 0.0, w, thick, CROWN_LINE_COLOUR);
        hline(&mut img, g.chin_y, 0.0, w, thick, CROWN_LINE_COLOUR);
    }
    let lines: Vec<String> = if let Some(e) = &report.error {
        vec![format!("ERROR {}", e.kind)]
    } else {
        report.failed_checks().map(|c| short(c, lang)).collect()
    };
    if !lines.is_empty() {
        let bytes = if lang == Lang::Zh { FONT_ZH } else { FONT };
        let font = FontRef::try_from_slice(bytes).expect("embedded font is valid");
        let size = (h / 32.0).clamp(10.0, 48.0) as f32;
        let scale = PxScale::from(size);
        let line_h = (size * 1.2) as i32;
        let width = lines
            .iter()
            .map(|l| text_size(scale, &font, l).0)
            .max()
            .unwrap_or(0)
            .min(img.width());
        let box_h = ((line_h * lines.len() as i32 + 4) as u32).min(img.height());
        let top = (img.height() - box_h) as i32;
        draw_filled_rect_mut(
            &mut img,
            Rect::at(0, top).of_size(width + 6, box_h),
            Rgb([0, 0, 0]),
        );
        for (i, l) in lines.iter().enumerate() {
            draw_text_mut(
                &mut img,
                Rgb([255, 255, 255]),
                3,
                top + 2 + line_h * i as i32,
                scale,
                &font,
                l,
            );
        }
    }
    img
}

#[cfg(test)]
mod tests {
    use super::*;
    use ab_glyph::Font;

    #[test]
    fn the_chinese_font_has_every_character_of_the_messages() {
        let font = FontRef::try_from_slice(FONT_ZH).unwrap();
        // The messages of lang.rs and every rule's Chinese name (from the one list of checks).
        let names: String = crate::checks::all_check_ids()
            .filter_map(crate::checks::check_name)
            .map(|n| n.zh)
            .collect();
        let source = format!("{}{names}", include_str!("lang.rs"));
        let missing: String = source
            .chars()
            .filter(|c| (*c as u32) > 127 || c.is_ascii_graphic())
            .filter(|c| font.glyph_id(*c).0 == 0)
            .collect();
        assert!(
            missing.is_empty(),
            "run tools/make_cjk_font.py; missing: {missing}"
        );
    }
}

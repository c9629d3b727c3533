//! Annotated images (`--annotate DIR`): the photo with what was measured drawn on it.
//!
//! Drawn on the photo: the person's outline from the segmentation (magenta), the allowed bands
//! for the crown and the chin from the spec (green), the measured crown and chin lines (red),
//! the eye line (cyan), the head width markers at the outer ears (orange) and the face boxes
//! (yellow). Below the photo, on a panel of its own (so nothing covers the face): a legend of
//! these colours and the failed rules with value and range. The PNG carries a text chunk
//! marking it as photocheck's ([`ANNOTATION_MARK`]), so a later batch over the same folder
//! skips it ([`is_annotated_png`]).

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
/// Colour of the person's outline (the segmentation's edge).
pub const OUTLINE_COLOUR: Rgb<u8> = Rgb([220, 0, 220]);
/// Background of the panel under the photo.
pub const PANEL_COLOUR: Rgb<u8> = Rgb([32, 33, 36]);

/// The text in the PNG's `Software` chunk of every annotated image.
pub const ANNOTATION_MARK: &str = "photocheck annotated image";

/// The annotated image as PNG bytes, with the [`ANNOTATION_MARK`] text chunk.
///
/// Errors: the PNG encoder's (it writes to memory, so only on a bug).
pub fn encode_png(img: &RgbImage) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, img.width(), img.height());
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.add_text_chunk("Software".into(), ANNOTATION_MARK.into())
        .map_err(std::io::Error::other)?;
    let mut writer = enc.write_header().map_err(std::io::Error::other)?;
    writer
        .write_image_data(img.as_raw())
        .map_err(std::io::Error::other)?;
    writer.finish().map_err(std::io::Error::other)?;
    Ok(out)
}

/// True when `head` (the first bytes of a file, 4 KB is plenty) is a PNG written by
/// [`encode_png`]: an annotated image, not a photo to check.
pub fn is_annotated_png(head: &[u8]) -> bool {
    head.starts_with(b"\x89PNG")
        && head
            .windows(ANNOTATION_MARK.len())
            .any(|w| w == ANNOTATION_MARK.as_bytes())
}

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
        // The person's outline: pixels inside the mask next to one outside it.
        let s = analysis.work_scale / k;
        let (iw, ih) = (img.width(), img.height());
        let inside = |x: u32, y: u32| {
            let (mx, my) = ((f64::from(x) + 0.5) / s, (f64::from(y) + 0.5) / s);
            mask.at(mx as i64, my as i64) >= 0.5
        };
        let grid: Vec<bool> = (0..ih)
            .flat_map(|y| (0..iw).map(move |x| (x, y)))
            .map(|(x, y)| inside(x, y))
            .collect();
        let at = |x: i64, y: i64| {
            x < 0
                || y < 0
                || x >= i64::from(iw)
                || y >= i64::from(ih)
                || grid[(y as u32 * iw + x as u32) as usize]
        };
        let reach = i64::from(thick.div_ceil(2));
        for y in 0..ih {
            for x in 0..iw {
                let (xi, yi) = (i64::from(x), i64::from(y));
                if grid[(y * iw + x) as usize]
                    && (-reach..=reach).any(|d| !at(xi + d, yi) || !at(xi, yi + d))
                {
                    img.put_pixel(x, y, OUTLINE_COLOUR);
                }
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
    let failures: Vec<String> = if let Some(e) = &report.error {
        vec![format!("ERROR {}", e.kind)]
    } else {
        report.failed_checks().map(|c| short(c, lang)).collect()
    };
    with_panel(&img, &failures, lang)
}

/// The photo with a panel below it: the legend (a colour swatch and what it marks) and the
/// failed rules, wrapped to the photo's width.
fn with_panel(photo: &RgbImage, failures: &[String], lang: Lang) -> RgbImage {
    let bytes = if lang == Lang::Zh { FONT_ZH } else { FONT };
    let font = FontRef::try_from_slice(bytes).expect("embedded font is valid");
    let (w, h) = (photo.width(), photo.height());
    let size = (f64::from(w) / 24.0).clamp(10.0, 28.0) as f32;
    let scale = PxScale::from(size);
    let line_h = (size * 1.25).ceil() as u32;
    let swatch = (size * 0.8) as u32;
    let pad = (size / 3.0).ceil() as u32;
    let text_w = w.saturating_sub(2 * pad + swatch + pad).max(1);
    // (colour swatch, wrapped lines)
    let mut rows: Vec<(Option<Rgb<u8>>, Vec<String>)> = legend(lang)
        .into_iter()
        .map(|(c, text)| (Some(c), wrap(&text, text_w, scale, &font)))
        .collect();
    for f in failures {
        rows.push((
            None,
            wrap(f, w.saturating_sub(2 * pad).max(1), scale, &font),
        ));
    }
    let panel_h = pad * 2 + line_h * rows.iter().map(|r| r.1.len() as u32).sum::<u32>();
    let mut out = RgbImage::from_pixel(w, h + panel_h, PANEL_COLOUR);
    image::imageops::replace(&mut out, photo, 0, 0);
    let mut y = h + pad;
    for (colour, lines) in rows {
        let x = match colour {
            Some(c) => {
                let top = y + (line_h - swatch) / 2;
                draw_filled_rect_mut(
                    &mut out,
                    Rect::at(pad as i32, top as i32).of_size(swatch, swatch),
                    c,
                );
                pad + swatch + pad
            }
            None => pad,
        };
        let text_colour = if colour.is_some() {
            Rgb([232, 234, 237])
        } else {
            Rgb([255, 140, 130])
        };
        for l in lines {
            draw_text_mut(&mut out, text_colour, x as i32, y as i32, scale, &font, &l);
            y += line_h;
        }
    }
    out
}

/// What each colour marks, in `lang`.
fn legend(lang: Lang) -> Vec<(Rgb<u8>, String)> {
    let band = Rgb([40, 200, 60]);
    super::lang::legend(lang)
        .into_iter()
        .zip([
            CROWN_LINE_COLOUR,
            band,
            EYE_LINE_COLOUR,
            WIDTH_MARKER_COLOUR,
            FACE_BOX_COLOUR,
            OUTLINE_COLOUR,
        ])
        .map(|(text, c)| (c, text.to_string()))
        .collect()
}

/// `text` broken into lines no wider than `width` px: at spaces, or between any two
/// characters of a word too long for a line (Chinese has no spaces).
fn wrap(text: &str, width: u32, scale: PxScale, font: &FontRef) -> Vec<String> {
    let fits = |s: &str| text_size(scale, font, s).0 <= width;
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if fits(&candidate) {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            line.push(c);
            if !fits(&line) && line.chars().count() > 1 {
                line.pop();
                lines.push(std::mem::take(&mut line));
                line.push(c);
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
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

//! `fix`: crops, scales and levels a photo into a spec's frame (issue 14). The head length and
//! the space above the head are brought inside their bands (kept where they already are inside,
//! else just inside), the head width too when the face's proportions allow both and the photo
//! holds the larger frame (else the length wins: it is the rule that fails a photo), the face
//! centred, a tilted eye line levelled, at the spec's pixel size
//! (or at its print size and resolution).
//! Nothing about the person is invented: the frame may be extended with the measured backdrop
//! colour above and beside the head, and a photo that would need more than that (cut off below
//! the chin, or too small) is refused with a reason.

use image::{Rgb, RgbImage};
use palette::{IntoColor, Lab, Srgb};
use serde::{Deserialize, Serialize};

use crate::analysis::Analysis;
use crate::analysis::sample::bilinear;
use crate::checks::frame::ImagePixels;
use crate::checks::head::{CrownMargin, HeadLength};
use crate::spec::Spec;

/// Output resolution when the spec gives neither a pixel size nor a resolution: 300 dpi, in px
/// per mm.
pub const DEFAULT_PX_PER_MM: f64 = 300.0 / 25.4;

/// How far inside each band `fix` aims when it must move a value, mm.
pub const SAFETY_MM: f64 = 0.25;

/// Smallest eye-line tilt `fix` levels, degrees.
pub const MIN_ROLL_DEG: f64 = 2.0;

/// Largest enlargement `fix` makes: beyond it the photo has too few pixels for the print.
pub const MAX_UPSCALE: f64 = 2.0;

/// Share of the frame below the chin that may need clothing from beyond the source photo's
/// edge before `fix` refuses. Clothing reaching an edge is extended by repeating the edge's
/// pixels outward (as a tight crop's shoulders continue), never the face or hair (only below
/// the chin); backdrop beyond an edge is extended with the backdrop colour.
pub const MAX_MISSING_BELOW_CHIN: f64 = 0.25;

/// How a photo maps into the spec's frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FixPlan {
    /// Output width, px.
    pub width_px: u32,
    /// Output height, px.
    pub height_px: u32,
    /// The affine map from the upright source photo (px) to the output (px):
    /// `x' = a x + b y + c`, `y' = d x + e y + f` as `[a, b, c, d, e, f]`.
    pub source_to_output: [f64; 6],
    /// Scale from source to output (1 = same px size).
    pub scale: f64,
    /// Backdrop colour used where the frame extends past the source, 8-bit sRGB.
    pub fill_rgb: [u8; 3],
    /// Output row of the chin, px: below it, clothing at the source's edge is extended by
    /// repeating the edge.
    pub chin_row: f64,
    /// Person mask of the source (probability >= 0.5) along its edges, for the extension:
    /// `(top, bottom, left, right)` per px of the full-resolution edge.
    #[serde(skip)]
    pub edge_person: EdgePerson,
}

/// Whether the person reaches each px of the source's four edges.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EdgePerson {
    /// Top edge, one flag per column.
    pub top: Vec<bool>,
    /// Bottom edge, one flag per column.
    pub bottom: Vec<bool>,
    /// Left edge, one flag per row.
    pub left: Vec<bool>,
    /// Right edge, one flag per row.
    pub right: Vec<bool>,
}

impl EdgePerson {
    /// Whether the person is at the source edge point nearest to `(x, y)` (outside the source).
    fn at(&self, x: f64, y: f64, w: f64, h: f64) -> bool {
        let col = |v: f64| (v.clamp(0.0, w - 1.0)) as usize;
        let row = |v: f64| (v.clamp(0.0, h - 1.0)) as usize;
        let pick = |flags: &Vec<bool>, i: usize| flags.get(i).copied().unwrap_or(false);
        if y >= h {
            pick(&self.bottom, col(x))
        } else if y < 0.0 {
            pick(&self.top, col(x))
        } else if x < 0.0 {
            pick(&self.left, row(y))
        } else {
            pick(&self.right, row(y))
        }
    }
}

impl FixPlan {
    /// Maps a source point (px, upright photo) to the output (px).
    pub fn map(&self, x: f64, y: f64) -> (f64, f64) {
        let [a, b, c, d, e, f] = self.source_to_output;
        (a * x + b * y + c, d * x + e * y + f)
    }

    /// Maps an output point back to the source.
    pub fn unmap(&self, x: f64, y: f64) -> (f64, f64) {
        let [a, b, c, d, e, f] = self.source_to_output;
        let det = a * e - b * d;
        let (u, v) = (x - c, y - f);
        ((e * u - b * v) / det, (-d * u + a * v) / det)
    }
}

/// Works out where the photo goes in the spec's frame, from the analysis (head geometry in
/// upright full-resolution px, pose, backdrop) of a photo `source_w` x `source_h` px.
///
/// Errors: a reason a person can act on, when the photo cannot be fixed: no face measured, the
/// spec gives no head length or crown margin to aim at, the photo is too small, or the frame
/// needs the body below the chin that the photo does not have.
pub fn plan(
    analysis: &Analysis,
    spec: &Spec,
    source_w: u32,
    source_h: u32,
) -> Result<FixPlan, String> {
    // The head width too when the face allows it; if that frame needs more of the photo than
    // there is, the head length (the rule that fails a photo) alone.
    plan_keeping(analysis, spec, (source_w, source_h), true)
        .or_else(|_| plan_keeping(analysis, spec, (source_w, source_h), false))
}

/// [`plan`], keeping the head width in its band when `keep_width` and the face allows it.
fn plan_keeping(
    analysis: &Analysis,
    spec: &Spec,
    (source_w, source_h): (u32, u32),
    keep_width: bool,
) -> Result<FixPlan, String> {
    let head = analysis
        .head
        .as_ref()
        .filter(|_| analysis.faces.len() == 1)
        .ok_or_else(|| match analysis.faces.len() {
            0 => "no face found: take a frontal photo of one person".to_string(),
            1 => "the head could not be measured".to_string(),
            n => format!("{n} faces found: fix needs a photo of one person"),
        })?;
    let length = spec
        .rules
        .get::<HeadLength>()
        .ok_or("the spec gives no head length to aim at")?;
    let margin = spec.rules.get::<CrownMargin>();
    let size = &spec.photo;
    // Output size: the spec's pixel size, else its print size at its resolution.
    let pixels = spec.rules.get::<ImagePixels>().map(|r| &r.params);
    let (width_px, height_px) = match pixels.and_then(|p| p.width_px.zip(p.height_px)) {
        Some(wh) => wh,
        None => {
            let per_mm = size
                .dpi
                .map(|d| d / 25.4)
                .or(pixels.and_then(|p| p.min_px_per_mm))
                .unwrap_or(DEFAULT_PX_PER_MM)
                .max(DEFAULT_PX_PER_MM);
            (
                (size.width_mm * per_mm).round() as u32,
                (size.height_mm * per_mm).round() as u32,
            )
        }
    };
    let px_per_mm = f64::from(height_px) / size.height_mm;
    // Aim inside each band, changing the photo as little as it allows: a value already inside
    // the band (as the photo's own frame reads it) is kept, one outside is brought just inside
    // (a safety margin of SAFETY_MM), so that a nearly right photo needs no content it lacks.
    let source_mm = spec.mm_per_px(source_h);
    let inside = |v: f64, lo: f64, hi: f64| {
        let (lo, hi) = (
            lo + SAFETY_MM.min((hi - lo) / 4.0),
            hi - SAFETY_MM.min((hi - lo) / 4.0),
        );
        v.clamp(lo, hi)
    };
    let (l_lo, l_hi) = (length.params.min_mm, length.params.max_mm);
    let source_length_mm = head.head_length_px() * source_mm;
    // With a head width rule that the face's proportions allow, the scale also keeps the
    // width inside its band (the smallest change that meets both); otherwise the length
    // alone decides (the advice says so).
    let measured = crate::checks::measurements(analysis, spec);
    // The length, the rule that fails a photo, keeps twice the safety margin when the width
    // is met too (measures carry some error; the width rule is a warning).
    let margins = (2.0 * SAFETY_MM, SAFETY_MM);
    let window = |margins| crate::checks::head::scale_window(spec, &measured, margins);
    let kept_mm = match window(margins) {
        Some(w) if w.with_width && keep_width => {
            let alone = inside(source_length_mm, l_lo, l_hi) / source_length_mm;
            source_length_mm * alone.clamp(w.lo, w.hi)
        }
        // The bands meet, but not with the safety margins (a face at the limit of the
        // proportions both rules allow): the length keeps its margin (`w` is its band then),
        // at the end nearest to where the two bands meet, so that the width gets as close to
        // its band as the length allows.
        Some(w) if w.conflict && keep_width => match window((0.0, 0.0)) {
            Some(both) if both.with_width => {
                source_length_mm * ((both.lo + both.hi) / 2.0).clamp(w.lo, w.hi)
            }
            _ => inside(source_length_mm, l_lo, l_hi),
        },
        _ => inside(source_length_mm, l_lo, l_hi),
    };
    let target_length = kept_mm * px_per_mm;
    let target_margin = margin
        .map(|m| inside(head.crown_y * source_mm, m.params.min_mm, m.params.max_mm) * px_per_mm)
        .unwrap_or(0.1 * target_length);
    let source_length = head.head_length_px().max(1.0);
    let k = target_length / source_length;
    if k > MAX_UPSCALE {
        return Err(format!(
            "the photo is too small: the head would have to be enlarged {k:.1} times (at most {MAX_UPSCALE}); use a larger photo"
        ));
    }
    // Level the eye line when it is visibly tilted; a slight tilt is left (rotating would
    // need the photo's corners for nothing a clerk would see).
    let roll = analysis.pose.map_or(0.0, |p| p.roll_deg).to_radians();
    let roll = if roll.abs() > MIN_ROLL_DEG.to_radians() {
        roll
    } else {
        0.0
    };
    let (sin, cos) = (-roll).sin_cos();
    let (a, b, d, e) = (k * cos, -k * sin, k * sin, k * cos);
    let centre = (head.face_centre_x, (head.crown_y + head.chin_y) / 2.0);
    // Rotation and scale about the head's centre, then the centre goes to the middle of the
    // width and the crown to its margin.
    let rot = |x: f64, y: f64| {
        (
            a * (x - centre.0) + b * (y - centre.1),
            d * (x - centre.0) + e * (y - centre.1),
        )
    };
    let crown = rot(head.crown_x, head.crown_y);
    let tx = f64::from(width_px) / 2.0;
    let ty = target_margin - crown.1;
    let c = tx - (a * centre.0 + b * centre.1);
    let f = ty - (d * centre.0 + e * centre.1);
    let fill = analysis.background.as_ref().map_or([255, 255, 255], |bg| {
        let lab = Lab::new(
            bg.mean_lab[0] as f32,
            bg.mean_lab[1] as f32,
            bg.mean_lab[2] as f32,
        );
        let rgb: Srgb = lab.into_color();
        let to8 = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
        [to8(rgb.red), to8(rgb.green), to8(rgb.blue)]
    });
    let edge_person = {
        let mask = analysis.person_mask.as_ref();
        let s = analysis.work_scale.max(1e-9);
        let person = |x: u32, y: u32| {
            mask.is_none_or(|m| m.at((f64::from(x) / s) as i64, (f64::from(y) / s) as i64) >= 0.5)
        };
        let (w, h) = (source_w.max(1), source_h.max(1));
        EdgePerson {
            top: (0..w).map(|x| person(x, 0)).collect(),
            bottom: (0..w).map(|x| person(x, h - 1)).collect(),
            left: (0..h).map(|y| person(0, y)).collect(),
            right: (0..h).map(|y| person(w - 1, y)).collect(),
        }
    };
    let mut plan = FixPlan {
        width_px,
        height_px,
        source_to_output: [a, b, c, d, e, f],
        scale: k,
        fill_rgb: fill,
        chin_row: 0.0,
        edge_person,
    };
    plan.chin_row = plan.map(head.chin_x, head.chin_y).1;
    // Below the chin the frame shows neck and shoulders: they must be in the photo. Where the
    // frame reaches past the photo's edge, the edge there must be backdrop (it is extended
    // with the backdrop colour), not the person (whose body would be cut off).
    let chin_out = plan.chin_row.max(0.0) as u32;
    let (sw, sh) = (f64::from(source_w), f64::from(source_h));
    let person_at = |x: f64, y: f64| plan.edge_person.at(x, y, sw, sh);
    let (mut below, mut missing) = (0u64, 0u64);
    for y in (chin_out..height_px).step_by(2) {
        for x in (0..width_px).step_by(2) {
            let (sx, sy) = plan.unmap(f64::from(x) + 0.5, f64::from(y) + 0.5);
            below += 1;
            let outside = sx < 0.0 || sy < 0.0 || sx > sw || sy > sh;
            if outside && person_at(sx, sy) {
                missing += 1;
            }
        }
    }
    if below > 0 && missing as f64 > MAX_MISSING_BELOW_CHIN * below as f64 {
        return Err(format!(
            "the photo is cut off too close around the body for this frame ({:.0} % of the part below the chin, where the neck and shoulders go, is not in the photo; at most {:.0} % can be extended): give the uncropped original, or step back and take it again",
            100.0 * missing as f64 / below as f64,
            100.0 * MAX_MISSING_BELOW_CHIN
        ));
    }
    Ok(plan)
}

/// Draws the fixed photo: each output pixel sampled (bilinear) from the source through the
/// plan; outside the source, the backdrop colour, or below the chin where clothing reaches
/// the source's edge, that edge repeated.
/// A large reduction first shrinks the source by area averaging (no aliasing), to at most
/// twice the output's scale.
pub fn render(source: &RgbImage, plan: &FixPlan) -> RgbImage {
    render_with(source, plan, None)
}

/// What `--background white` needs: the person mask (working-copy px) and the source px per
/// mask px ([`Analysis::work_scale`]).
pub type WhiteBackdrop<'a> = (&'a crate::analysis::PersonMask, f64);

/// As [`render`]; with `white`, the backdrop is replaced by white: each pixel is blended
/// with white by the person mask's probability there (so hair keeps a soft edge), and the
/// frame beyond the source is white.
pub fn render_with(source: &RgbImage, plan: &FixPlan, white: Option<WhiteBackdrop>) -> RgbImage {
    let (w, h) = (f64::from(source.width()), f64::from(source.height()));
    let shrink = (0.5 / plan.scale).floor().max(1.0);
    let reduced;
    let (img, s) = if shrink > 1.0 {
        let (rw, rh) = (
            ((w / shrink).round() as u32).max(1),
            ((h / shrink).round() as u32).max(1),
        );
        reduced = image::imageops::thumbnail(source, rw, rh);
        (&reduced, f64::from(rw) / w)
    } else {
        (source, 1.0)
    };
    RgbImage::from_fn(plan.width_px, plan.height_px, |x, y| {
        let (sx, sy) = plan.unmap(f64::from(x) + 0.5, f64::from(y) + 0.5);
        let outside = sx < 0.0 || sy < 0.0 || sx > w || sy > h;
        let clothing = f64::from(y) > plan.chin_row && plan.edge_person.at(sx, sy, w, h);
        if outside && !clothing {
            Rgb(if white.is_some() {
                [255; 3]
            } else {
                plan.fill_rgb
            })
        } else {
            let (sx, sy) = (sx.clamp(0.0, w), sy.clamp(0.0, h));
            let p = bilinear(img, sx * s, sy * s);
            let person = white.map_or(1.0, |(mask, scale)| {
                let scale = scale.max(1e-9);
                mask.at((sx / scale) as i64, (sy / scale) as i64)
            });
            Rgb(p.map(|v| {
                (person * v + (1.0 - person) * 255.0)
                    .round()
                    .clamp(0.0, 255.0) as u8
            }))
        }
    })
}

/// The outcome of fixing one photo: the plan and image when the photo could be fixed, the
/// reason when not, the report of the photo as given and of the fixed photo (checked again,
/// from the encoded bytes).
#[derive(Debug, Clone)]
pub struct FixOutcome {
    /// How the photo maps into the frame, when it could be fixed.
    pub plan: Option<FixPlan>,
    /// The fixed photo, when it could be fixed.
    pub image: Option<RgbImage>,
    /// The fixed photo encoded as JPEG (the bytes `after` checked), when it could be fixed.
    pub jpeg: Option<Vec<u8>>,
    /// Why the photo could not be fixed.
    pub reason: Option<String>,
    /// The check of the photo as given.
    pub before: crate::FileReport,
    /// The check of the fixed photo (the JPEG bytes), when there is one.
    pub after: Option<crate::FileReport>,
}

/// Encodes a fixed photo as JPEG: quality 95, or for a spec with a file-size rule the highest
/// quality (95 down to 50) whose file fits under the rule's maximum; the JFIF density records
/// the spec's resolution (its `image_dpi` rule, else its print resolution, else the image's
/// height over the print height), so that the photo prints at the spec's size.
///
/// Errors: [`crate::Error::Internal`] if the encoder fails (it writes to memory).
pub fn encode_jpeg(img: &RgbImage, spec: &Spec) -> crate::error::Result<Vec<u8>> {
    let max_bytes = spec
        .rules
        .get::<crate::checks::file::FileSize>()
        .map(|r| (r.params.max_kb * 1024.0) as usize);
    // The resolution the photo's print size implies (the JFIF density a dpi rule reads).
    let dpi = spec
        .rules
        .get::<crate::checks::frame::ImageDpi>()
        .map(|r| r.params.dpi)
        .or(spec.photo.dpi)
        .unwrap_or(f64::from(img.height()) / spec.photo.height_mm * 25.4);
    let dpi = Some(dpi.round().clamp(1.0, f64::from(u16::MAX)) as u16);
    let encode = |q: u8| -> crate::error::Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, q);
        if let Some(dpi) = dpi {
            encoder.set_pixel_density(image::codecs::jpeg::PixelDensity::dpi(dpi));
        }
        encoder
            .encode_image(img)
            .map_err(|e| crate::Error::Internal(format!("JPEG encoder: {e}")))?;
        Ok(out)
    };
    let mut q = 95u8;
    loop {
        let bytes = encode(q)?;
        match max_bytes {
            Some(max) if bytes.len() > max && q > 50 => q -= 5,
            _ => return Ok(bytes),
        }
    }
}

/// The report of one fixed (or refused) photo, as `photocheck fix --format json` writes it and
/// `POST /v1/fix` answers: `output` is where the fixed photo went (a path, or a `data:` URL)
/// or `null` when it was refused, with `reason` saying why.
#[derive(Debug, Clone, Serialize)]
pub struct FixReport {
    /// The input's label (path or upload name).
    pub file: String,
    /// Where the fixed photo is, or `None` when refused.
    pub output: Option<String>,
    /// Output width, px.
    pub output_width_px: Option<u32>,
    /// Output height, px.
    pub output_height_px: Option<u32>,
    /// The affine map from the upright source photo (px) to the output (px),
    /// `[a, b, c, d, e, f]`: `x' = a x + b y + c`, `y' = d x + e y + f`.
    pub source_to_output: Option<[f64; 6]>,
    /// The check report of the photo as given.
    pub before: crate::FileReport,
    /// The check report of the fixed photo (same schema as `check`), when it was written.
    pub after: Option<crate::FileReport>,
    /// Why the photo was not fixed (`None` when it was).
    pub reason: Option<String>,
}

impl FixOutcome {
    /// The outcome as a [`FixReport`] for `file`, the fixed photo having gone to `output`
    /// (`None` when it was refused or could not be written; `reason` then says why, `after`
    /// is dropped).
    pub fn to_report(
        &self,
        file: &str,
        output: Option<String>,
        reason: Option<String>,
    ) -> FixReport {
        let written = output.is_some();
        FixReport {
            file: file.to_string(),
            output,
            output_width_px: self.plan.as_ref().map(|p| p.width_px),
            output_height_px: self.plan.as_ref().map(|p| p.height_px),
            source_to_output: self.plan.as_ref().map(|p| p.source_to_output),
            before: self.before.clone(),
            after: self.after.clone().filter(|_| written),
            reason: if written {
                None
            } else {
                reason.or_else(|| self.reason.clone())
            },
        }
    }
}

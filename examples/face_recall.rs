//! Scores the face detectors on a labelled multi-face set (made by
//! `tools/make_recall_set.py`): `cargo run --release --example face_recall -- SET/recall.jsonl`.
//!
//! Each line of the set names a photo and the face boxes labelled in it (px). A labelled face
//! counts when it is at least [`photocheck::analysis::detect::MIN_FACE_SIZE_RATIO`] of the main
//! face's width (smaller faces are not people by the engine's rule); it is found when a
//! detection's centre lies within half its width of the face's centre. Printed per detector:
//! face recall, recall of the main face, the share of photos with two or more counted faces in
//! which two or more faces were found (what the one-person rule needs), false second faces in
//! one-face photos (a detection that is no labelled face, whole or cut by the photo's edge),
//! and the median time per photo. Detectors: SeetaFace alone (rustface, the
//! engine's detector before issue 17), BlazeFace alone, and the engine's own detection stage
//! (BlazeFace and the engine on the runtime `ORT_DYLIB_PATH` picks, as the CLI does).

use std::time::{Duration, Instant};

use photocheck::analysis::Stages;
use photocheck::analysis::detect::{self, FaceBox, MIN_FACE_SIZE_RATIO};
use photocheck::runtime::{BlazeFace, Runtime, SeetaFace};

#[derive(serde::Deserialize)]
struct Window {
    file: String,
    faces: Vec<[f64; 4]>,
    #[serde(default)]
    partial: Vec<[f64; 4]>,
    main: Option<usize>,
    tilt_deg: f64,
}

#[derive(Default)]
struct Score {
    counted: usize,
    found: usize,
    mains: usize,
    mains_found: usize,
    multi: usize,
    multi_found: usize,
    single: usize,
    single_false_second: usize,
    tilted: usize,
    tilted_found: usize,
    times: Vec<Duration>,
}

fn main() -> anyhow::Result<()> {
    let set = std::env::args()
        .nth(1)
        .expect("usage: face_recall SET/recall.jsonl");
    let dir = std::path::Path::new(&set)
        .parent()
        .unwrap_or(std::path::Path::new("."));
    let windows: Vec<Window> = std::fs::read_to_string(&set)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    let seeta = SeetaFace::embedded();
    // BlazeFace on the engine's runtime (ONNX Runtime in a build with the `onnxruntime`
    // feature when `ORT_DYLIB_PATH` is set; tract otherwise).
    let runtime = Runtime::from_env()?;
    println!("networks on {}", runtime.name());
    let blaze = BlazeFace::on(runtime);
    let engine = photocheck::Engine::new()?;
    let names = ["SeetaFace alone", "BlazeFace alone", "engine"];
    let mut scores: Vec<Score> = (0..names.len()).map(|_| Score::default()).collect();
    for w in &windows {
        let bytes = std::fs::read(dir.join(&w.file))?;
        let photo = photocheck::decode::decode(&bytes)?;
        let main_width = w.main.map_or(0.0, |m| w.faces[m][2]);
        let counted: Vec<usize> = (0..w.faces.len())
            .filter(|&i| w.faces[i][2] >= MIN_FACE_SIZE_RATIO * main_width)
            .collect();
        for (k, score) in scores.iter_mut().enumerate() {
            let t = Instant::now();
            let found: Vec<FaceBox> = match k {
                0 => detect::cascade_faces(&seeta, &photo.image),
                1 => detect::blazeface_faces(&blaze, &photo.image)?,
                _ => engine.analyse_stages(&photo, Stages::DETECT)?.faces,
            };
            score.times.push(t.elapsed());
            let mut used = vec![false; found.len()];
            let mut hits = 0;
            for &i in &counted {
                let [x, y, fw, fh] = w.faces[i];
                let (cx, cy) = (x + fw / 2.0, y + fh / 2.0);
                let hit = found.iter().enumerate().position(|(j, f)| {
                    !used[j]
                        && ((f.x + f.width / 2.0 - cx).powi(2)
                            + (f.y + f.height / 2.0 - cy).powi(2))
                        .sqrt()
                            < 0.5 * fw
                });
                if let Some(j) = hit {
                    used[j] = true;
                    hits += 1;
                    if Some(i) == w.main {
                        score.mains_found += 1;
                    }
                }
            }
            score.counted += counted.len();
            score.found += hits;
            score.mains += usize::from(w.main.is_some());
            if w.tilt_deg != 0.0 {
                score.tilted += counted.len();
                score.tilted_found += hits;
            }
            // A detection that is no labelled face, whole or cut by the edge.
            let labelled = |f: &FaceBox| {
                let (cx, cy) = (f.x + f.width / 2.0, f.y + f.height / 2.0);
                w.faces.iter().chain(&w.partial).any(|&[x, y, fw, fh]| {
                    cx >= x - fw / 4.0
                        && cx <= x + fw * 1.25
                        && cy >= y - fh / 4.0
                        && cy <= y + fh * 1.25
                })
            };
            let unlabelled = found.iter().filter(|f| !labelled(f)).count();
            if counted.len() >= 2 {
                score.multi += 1;
                score.multi_found += usize::from(found.len() >= 2);
            } else {
                score.single += 1;
                let false_second = found.len() >= 2 && unlabelled > 0;
                score.single_false_second += usize::from(false_second);
                if false_second && std::env::var_os("VERBOSE").is_some() {
                    eprintln!("{}: false second face ({})", w.file, names[k]);
                }
            }
        }
    }
    println!(
        "{} photos, {} counted faces\n| detector | face recall | main face | photos with 2+ faces found as 2+ | tilted 15 deg | false second face in 1-face photos | median ms |\n|---|---|---|---|---|---|---|",
        windows.len(),
        scores[0].counted
    );
    let pct = |a: usize, b: usize| format!("{:.1} % ({a}/{b})", 100.0 * a as f64 / b.max(1) as f64);
    for (name, s) in names.iter().zip(scores.iter_mut()) {
        s.times.sort();
        println!(
            "| {name} | {} | {} | {} | {} | {} | {:.1} |",
            pct(s.found, s.counted),
            pct(s.mains_found, s.mains),
            pct(s.multi_found, s.multi),
            pct(s.tilted_found, s.tilted),
            pct(s.single_false_second, s.single),
            s.times[s.times.len() / 2].as_secs_f64() * 1e3
        );
    }
    Ok(())
}

//! Times ONNX models in tract, one thread, with the plan the engine uses for one-shot runs
//! (typed, code generation; no declutter) and with tract's full optimisation
//! (`into_optimized`, as `photocheck serve` loads the segmentation network), and compares the
//! outputs of models that should compute the same function:
//!
//! `cargo run --release --example model_time -- SIDE|HxW MODEL.onnx [OTHER.onnx...]`
//!
//! prints, per model and plan, the load time and the median run time over 30 runs on a
//! smooth synthetic `[1, H, W, 3]` input (`SIDE` for a square one), and the largest absolute
//! output difference of each model from the first.

use std::time::{Duration, Instant};

use tract_onnx::prelude::*;

fn main() -> TractResult<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((side, models)) = args.split_first() else {
        eprintln!("usage: model_time SIDE|HxW MODEL.onnx [OTHER.onnx...]");
        std::process::exit(2);
    };
    let (height, width): (usize, usize) = match side.split_once('x') {
        Some((h, w)) => (h.parse()?, w.parse()?),
        None => (side.parse()?, side.parse()?),
    };
    // A deterministic input in 0..1 (a smooth pattern, not noise: closer to a photo).
    let input: Tensor =
        tract_ndarray::Array4::from_shape_fn((1, height, width, 3), |(_, y, x, c)| {
            let (y, x) = (y as f32 / height as f32, x as f32 / width as f32);
            (0.5 + 0.4 * ((7.0 * x + 3.0 * y + c as f32).sin() * (5.0 * y - 2.0 * x).cos()))
                .clamp(0.0, 1.0)
        })
        .into();
    let mut reference: Option<TVec<TValue>> = None;
    for path in models {
        for full in [false, true] {
            let started = Instant::now();
            let model = tract_onnx::onnx()
                .model_for_path(path)?
                .with_input_fact(0, f32::fact([1, height, width, 3]).into())?
                .into_typed()?;
            let plan = if full {
                model.into_optimized()?.into_runnable()?
            } else {
                let mut m = model;
                m.optimize()?;
                m.into_runnable()?
            };
            let load = started.elapsed();
            let mut times: Vec<Duration> = Vec::new();
            let mut out = None;
            for _ in 0..30 {
                let t = Instant::now();
                out = Some(plan.run(tvec!(input.clone().into()))?);
                times.push(t.elapsed());
            }
            times.sort();
            let out = out.expect("ran");
            let diff = match &reference {
                None => 0.0,
                Some(r) => r
                    .iter()
                    .zip(out.iter())
                    .map(|(a, b)| {
                        let (a, b) = (
                            a.to_plain_array_view::<f32>().expect("f32 output"),
                            b.to_plain_array_view::<f32>().expect("f32 output"),
                        );
                        a.iter()
                            .zip(b.iter())
                            .map(|(x, y)| (x - y).abs())
                            .fold(0.0f32, f32::max)
                    })
                    .fold(0.0f32, f32::max),
            };
            if reference.is_none() {
                reference = Some(out);
            }
            println!(
                "{path} [{}]: load {:.1} ms, run median {:.2} ms, max |diff| from the first {diff:.2e}",
                if full {
                    "into_optimized"
                } else {
                    "codegen only"
                },
                load.as_secs_f64() * 1e3,
                times[times.len() / 2].as_secs_f64() * 1e3,
            );
        }
    }
    Ok(())
}

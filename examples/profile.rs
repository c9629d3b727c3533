//! Where the time goes: median wall time of each stage over repeated checks of one photo.
//!
//! `cargo run --release --example profile -- PHOTO [RUNS]` prints decode, each analysis stage
//! ([`photocheck::analysis::StageTimes`]), checks + report and the whole check, in ms.

use std::time::{Duration, Instant};

use photocheck::{Engine, Spec};

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1e3
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: profile PHOTO [RUNS]"))?;
    let runs: usize = args.next().map_or(Ok(20), |s| s.parse())?;
    let bytes = std::fs::read(&path)?;
    let started = Instant::now();
    let engine = Engine::new()?;
    let load = started.elapsed();
    let spec = Spec::preset("cn-driving-licence")?;
    let mut rows: Vec<(&str, Vec<Duration>)> = [
        "decode",
        "work copy",
        "detection",
        "landmarks",
        "segmentation",
        "geometry",
        "appearance",
        "background",
        "colour + pose",
        "checks + report",
        "whole check",
    ]
    .into_iter()
    .map(|n| (n, Vec::new()))
    .collect();
    for _ in 0..runs {
        let t0 = Instant::now();
        let photo = photocheck::decode::decode_reduced(&bytes)?;
        let t1 = Instant::now();
        let a = engine.analyse(&photo)?;
        let t2 = Instant::now();
        let _report = engine.report(&path, &a, &spec);
        let t3 = Instant::now();
        let s = a.timings;
        for (i, d) in [
            t1 - t0,
            s.work_copy,
            s.detection,
            s.landmarks,
            s.segmentation,
            s.geometry,
            s.appearance,
            s.background,
            s.colour,
            t3 - t2,
            t3 - t0,
        ]
        .into_iter()
        .enumerate()
        {
            rows[i].1.push(d);
        }
    }
    println!(
        "{path}: models loaded in {:.1} ms; median of {runs} runs:",
        load.as_secs_f64() * 1e3
    );
    for (name, v) in rows {
        println!("  {name:<16} {:8.2} ms", median(v));
    }
    Ok(())
}

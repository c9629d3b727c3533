//! Where a network's time goes in tract, op by op:
//!
//! `cargo run --release --example op_profile -- SIDE|HxW MODEL.onnx [full]`
//!
//! runs the model 30 times on a `[1, H, W, 3]` input (`SIDE` for a square one) with the plan
//! the engine uses for one-shot runs (or tract's full optimisation with `full`) and prints the
//! median time per op kind and the 15 slowest nodes, in ms.

use std::collections::HashMap;
use std::time::Instant;

use tract_onnx::prelude::*;

fn main() -> TractResult<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (side, path) = match args.as_slice() {
        [s, p, ..] => (s.clone(), p.clone()),
        _ => {
            eprintln!("usage: op_profile SIDE|HxW MODEL.onnx [full]");
            std::process::exit(2);
        }
    };
    let (height, width): (usize, usize) = match side.split_once('x') {
        Some((h, w)) => (h.parse()?, w.parse()?),
        None => (side.parse()?, side.parse()?),
    };
    let full = args.get(2).is_some_and(|a| a == "full");
    let model = tract_onnx::onnx()
        .model_for_path(&path)?
        .with_input_fact(0, f32::fact([1, height, width, 3]).into())?
        .into_typed()?;
    let model = if full {
        model.into_optimized()?
    } else {
        let mut m = model;
        m.optimize()?;
        m
    };
    let plan = model.into_runnable()?;
    let input: Tensor =
        tract_ndarray::Array4::from_shape_fn((1, height, width, 3), |(_, y, x, c)| {
            ((x * 7 + y * 3 + c) % 17) as f32 / 17.0
        })
        .into();
    let mut per_node: HashMap<usize, Vec<f64>> = HashMap::new();
    let mut names: HashMap<usize, (String, String)> = HashMap::new();
    let mut totals = Vec::new();
    for _ in 0..30 {
        let mut state = tract_onnx::tract_core::plan::SimpleState::new(&plan)?;
        let t0 = Instant::now();
        state.run_plan_with_eval(tvec!(input.clone().into()), |ctx, st, node, inputs| {
            let t = Instant::now();
            let r = tract_onnx::tract_core::plan::eval(ctx, st, node, inputs);
            per_node
                .entry(node.id)
                .or_default()
                .push(t.elapsed().as_secs_f64() * 1e3);
            names.entry(node.id).or_insert_with(|| {
                (
                    node.op().name().to_string(),
                    format!("{node} {:?}", node.outputs[0].fact.shape),
                )
            });
            r
        })?;
        totals.push(t0.elapsed().as_secs_f64() * 1e3);
    }
    let med = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let total = med(&mut totals);
    let mut nodes: Vec<(usize, f64)> = per_node.iter_mut().map(|(k, v)| (*k, med(v))).collect();
    nodes.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut kinds: HashMap<String, (f64, usize)> = HashMap::new();
    for (id, t) in &nodes {
        let e = kinds.entry(names[id].0.clone()).or_default();
        e.0 += t;
        e.1 += 1;
    }
    let mut kinds: Vec<_> = kinds.into_iter().collect();
    kinds.sort_by(|a, b| b.1.0.total_cmp(&a.1.0));
    println!("{path}: median run {total:.2} ms, {} nodes", nodes.len());
    for (k, (t, n)) in kinds {
        println!("  {k:<28} {n:>4} nodes {t:>7.2} ms");
    }
    println!("slowest nodes:");
    for (id, t) in nodes.iter().take(15) {
        println!("  {t:>6.3} ms  #{id} {}", names[id].1);
    }
    Ok(())
}

//! Random `.pcg` models for property tests: random ops, skip edges of random length, joins of
//! vertices at different depths, parameters shared across levels, and several losses.

use std::fmt::Write;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The width of every vertex of a random model; inputs are wider, targets narrower.
const WIDTH: usize = 4;

/// A random model with at most `max_vertices` vertices, the same for the same seed.
pub fn random_model(seed: u64, max_vertices: usize) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let count = rng.random_range(2..=max_vertices.max(2));
    let mut params: Vec<(String, usize)> = Vec::new();
    let mut body = String::new();

    for index in 0..count {
        let parents = pick_parents(&mut rng, index);
        let prediction = prediction(&mut rng, &parents, &mut params);
        let _ = writeln!(body, "    node v{index} = {prediction};");
    }

    // Every sink gets a loss, and a few other vertices too, so that every vertex reaches one.
    let mut used_as_parent = vec![false; count];
    for line in body.lines() {
        for (index, used) in used_as_parent.iter_mut().enumerate() {
            if line
                .split('=')
                .nth(1)
                .is_some_and(|rhs| mentions(rhs, index))
            {
                *used = true;
            }
        }
    }
    let mut targets = String::new();
    let mut losses = String::new();
    for (index, used) in used_as_parent.iter().enumerate() {
        if !used || rng.random_bool(0.15) {
            let func = if rng.random_bool(0.5) {
                "mse"
            } else {
                "cross_entropy"
            };
            let _ = writeln!(targets, "    target y{index}: [B, {WIDTH}];");
            let _ = writeln!(losses, "    loss {func}(v{index}, y{index});");
        }
    }

    let mut decls = String::new();
    for (name, rows) in &params {
        let _ = writeln!(decls, "    param {name}: [{rows}, {WIDTH}] = normal(0.5);");
    }
    format!(
        "/// Random model {seed}.\nmodel Random {{\n    dim B;\n    input x: [B, {}];\n{targets}{decls}{body}{losses}}}\n",
        WIDTH + 1
    )
}

/// Whether `text` names vertex `v{index}` (not a longer name such as `v12` for `v1`).
fn mentions(text: &str, index: usize) -> bool {
    let name = format!("v{index}");
    text.match_indices(&name).any(|(at, _)| {
        let after = text[at + name.len()..].chars().next();
        !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// One to three distinct earlier vertices, biased towards recent ones so that depth grows,
/// with a chance of a long skip edge; `None` stands for the input.
fn pick_parents(rng: &mut ChaCha8Rng, index: usize) -> Vec<Option<usize>> {
    let wanted = rng.random_range(1..=3usize);
    let mut parents = Vec::new();
    for _ in 0..wanted {
        let parent = if index == 0 || rng.random_bool(0.1) {
            None
        } else if rng.random_bool(0.6) {
            Some(index - 1)
        } else {
            Some(rng.random_range(0..index))
        };
        if !parents.contains(&parent) {
            parents.push(parent);
        }
    }
    parents
}

/// A parameter `[rows, WIDTH]`: a new one, or (sometimes) one declared before, so that
/// parameters end up used at several levels.
fn param(rng: &mut ChaCha8Rng, rows: usize, params: &mut Vec<(String, usize)>) -> String {
    let shared: Vec<&(String, usize)> = params.iter().filter(|(_, r)| *r == rows).collect();
    if !shared.is_empty() && rng.random_bool(0.3) {
        return shared[rng.random_range(0..shared.len())].0.clone();
    }
    let name = format!("w{}", params.len());
    params.push((name.clone(), rows));
    name
}

/// A random prediction from the parents.
fn prediction(
    rng: &mut ChaCha8Rng,
    parents: &[Option<usize>],
    params: &mut Vec<(String, usize)>,
) -> String {
    let mut terms: Vec<String> = parents
        .iter()
        .map(|parent| {
            let (name, rows) = match parent {
                Some(index) => (format!("v{index}"), WIDTH),
                None => ("x".to_string(), WIDTH + 1),
            };
            // Vertices of full width may join without a weight (a residual edge).
            if rows == WIDTH && rng.random_bool(0.25) {
                name
            } else {
                format!("{name} @ {}", param(rng, rows, params))
            }
        })
        .collect();
    if terms.len() >= 2 && rng.random_bool(0.3) {
        // A multiplicative gate between two of the terms.
        let gate = terms.pop().unwrap_or_default();
        let first = terms.remove(0);
        terms.insert(0, format!("({first}) * sigmoid({gate})"));
    }
    let sum = terms.join(" + ");
    let activation = ["tanh", "sigmoid", "softplus", "identity", "tanh"][rng.random_range(0..5)];
    if rng.random_bool(0.2) {
        let bias = param(rng, 1, params);
        format!("{activation}({sum} + {bias})")
    } else {
        format!("{activation}({sum})")
    }
}

//! Generated code stays proportional to the model: its size does not depend on tensor sizes
//! and grows linearly with the number of layers.
//!
//! Sizes are compared with every run of digits written as one `0`, so that `w9` and `w10`,
//! or `[10, 10]` and `[1000, 1000]`, count the same: what is measured is the code, not the
//! numbers in it.

use std::fmt::Write;

use pc_dsl::Config;

/// An MLP of `layers` tanh layers, each `width` wide, on inputs and targets as wide.
fn mlp(layers: usize, width: usize) -> String {
    let mut text = format!(
        "model Mlp {{\n    dim B;\n    const W = {width};\n\n    input x: [B, W];\n    \
         target y: [B, W];\n\n"
    );
    for layer in 1..=layers {
        let _ = writeln!(text, "    param w{layer}: [W, W] = xavier;");
        let _ = writeln!(text, "    param b{layer}: [W] = zeros;");
    }
    let _ = writeln!(text, "\n    node h1 = tanh(x @ w1 + b1);");
    for layer in 2..=layers {
        let _ = writeln!(
            text,
            "    node h{layer} = tanh(h{} @ w{layer} + b{layer});",
            layer - 1
        );
    }
    let _ = writeln!(text, "\n    loss mse(h{layers}, y);\n}}");
    text
}

/// The generated Rust of an MLP, formatted or as the tokens codegen produced.
fn rust(layers: usize, width: usize, format: bool) -> String {
    let config = Config::new().format(format);
    match pc_dsl::compile(&mlp(layers, width), &config) {
        Ok(compiled) => compiled.rust("mlp.pcg", &config),
        Err(diagnostics) => panic!("the model compiles: {diagnostics:?}"),
    }
}

/// The text with every run of ASCII digits replaced by a single `0`.
fn without_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_number = false;
    for c in text.chars() {
        let digit = c.is_ascii_digit();
        if !(digit && in_number) {
            out.push(if digit { '0' } else { c });
        }
        in_number = digit;
    }
    out
}

/// The size of the code of an MLP, numbers aside.
fn size(layers: usize, width: usize, format: bool) -> usize {
    without_numbers(&rust(layers, width, format)).len()
}

#[test]
fn numbers_are_compared_as_one_digit() {
    assert_eq!(
        without_numbers("w10: [1000, 7]; v0.1.0"),
        "w0: [0, 0]; v0.0.0"
    );
}

#[test]
fn tensor_sizes_change_only_the_numbers() {
    for layers in [4, 8] {
        let narrow = rust(layers, 10, false);
        let wide = rust(layers, 1000, false);
        assert_ne!(narrow, wide, "the widths appear in the code");
        assert_eq!(
            without_numbers(&narrow),
            without_numbers(&wide),
            "{layers} layers: the tokens differ in more than their numbers"
        );
    }
}

#[test]
fn tensor_sizes_barely_change_formatted_code() {
    // The tokens are the same up to their numbers (above); longer numbers only move some of
    // prettyplease's line breaks, each adding a few spaces and a trailing comma.
    for layers in [4, 8] {
        let narrow = size(layers, 10, true);
        let wide = size(layers, 1000, true);
        assert!(
            narrow.abs_diff(wide) * 100 <= narrow,
            "{layers} layers: {narrow} bytes at width 10, {wide} at width 1000"
        );
    }
}

/// Asserts that the sizes at 4, 8 and 16 layers lie on a line within `percent`: that a layer
/// adds as much code from 8 to 16 layers as from 4 to 8. A term quadratic in the layer count,
/// `c n²` next to `b n`, would raise the second figure by `12 c` per layer over the first.
fn assert_linear(format: bool, percent: usize) {
    let [four, eight, sixteen] = [4, 8, 16].map(|layers| size(layers, 10, format));
    let first = (eight - four) / 4;
    let second = (sixteen - eight) / 8;
    assert!(
        first.abs_diff(second) * 100 <= first * percent,
        "bytes per layer: {first} from 4 to 8 layers, {second} from 8 to 16 \
         (sizes {four}, {eight}, {sixteen})"
    );
    // The rest is a fixed part: the model's struct, traits and helpers.
    assert!(
        four > first * 4,
        "the fixed part is there: {four} bytes, {first} per layer"
    );
}

#[test]
fn tokens_grow_linearly_with_layers() {
    // Today the tokens of each layer are the same but for their numbers, so the two figures
    // are equal; 1% leaves room for small per-layer differences, not for a quadratic term.
    assert_linear(false, 1);
}

#[test]
fn formatted_code_grows_linearly_with_layers() {
    // Line breaks depend on the length of the names (`h9` against `h10`), which grows with the
    // number of layers; that moves the figures by about 2%.
    assert_linear(true, 5);
}

//! Speed of one training step (gradients and an SGD update) by backprop, Z-IL wavefront and
//! Z-IL full, on an MNIST-sized MLP and CNN and on the test suite's small CNN fixture, whose
//! steps are short enough that any fixed cost of Z-IL's bookkeeping would show; prints the
//! Z-IL / backprop ratios of the run.
//!
//! Run with `cargo bench -p pc-examples --bench train_step`. Each model is one criterion
//! group with the three methods on the same random batch. After a group, the ratios are
//! printed from this run's measurements: from criterion's mean estimates, and from interleaved
//! repetitions (the three methods in turn, in every order) as the medians of the per-round
//! ratios. A shared machine disturbs the second less: criterion measures one method after
//! another while the load changes, but the three steps of a round see the same load.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use criterion::{BenchmarkId, Criterion, SamplingMode};
use pc_examples::cnn_fixture::Cnn;
use pc_examples::mnist_cnn::MnistCnn;
use pc_examples::mnist_mlp::MnistMlp;
use pc_examples::timing::{self, Summary};
use pc_runtime::inference::DeclaredDim;
use pc_runtime::init::{InitKind, init, seeded_rng};
use pc_runtime::optim::Sgd;
use pc_runtime::{Batch, Method, Model, Tensor};

/// What one benchmark group needs: a name, a model, a batch and the time budget.
struct Case<M> {
    group: &'static str,
    model: M,
    batch: Batch<f32>,
    /// Criterion's samples, each of the same number of steps.
    samples: usize,
    /// Criterion's measurement time per method.
    measurement: Duration,
    /// Interleaved rounds of the three methods.
    rounds: usize,
}

fn main() {
    let output = output_directory();
    let mut criterion = Criterion::default().configure_from_args();
    // Criterion runs each benchmark once in test mode (`cargo test --benches`); the
    // interleaved timing is only worth its seconds in a real run.
    let measuring = timing::measuring();

    let mlp = Case {
        group: "mnist_mlp",
        model: MnistMlp::<f32>::new(1),
        batch: random_batch(
            MnistMlp::<f32>::DATA_SHAPES,
            MnistMlp::<f32>::INPUTS,
            128,
            7,
        ),
        samples: 50,
        measurement: Duration::from_secs(6),
        rounds: 200,
    };
    run(&mut criterion, mlp, &output, measuring);

    let cnn = Case {
        group: "mnist_cnn",
        model: MnistCnn::<f32>::new(1),
        batch: random_batch(MnistCnn::<f32>::DATA_SHAPES, MnistCnn::<f32>::INPUTS, 64, 7),
        samples: 20,
        measurement: Duration::from_secs(8),
        rounds: 60,
    };
    run(&mut criterion, cnn, &output, measuring);

    let fixture = Case {
        group: "cnn_fixture",
        model: Cnn::<f32>::new(1),
        batch: random_batch(Cnn::<f32>::DATA_SHAPES, Cnn::<f32>::INPUTS, 128, 7),
        samples: 50,
        measurement: Duration::from_secs(5),
        rounds: 200,
    };
    run(&mut criterion, fixture, &output, measuring);

    criterion.final_summary();
}

/// Benchmarks the three methods on one model, then prints the ratios of this run.
fn run<M: Model<f32> + Clone>(
    criterion: &mut Criterion,
    case: Case<M>,
    output: &Path,
    measuring: bool,
) {
    let started = SystemTime::now();
    let mut group = criterion.benchmark_group(case.group);
    // Flat sampling: a step takes milliseconds, so criterion's linear ramp would overrun.
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(case.samples);
    group.measurement_time(case.measurement);
    for method in Method::ALL {
        // Every method starts from the same parameters; SGD's small steps keep them sane.
        let mut model = case.model.clone();
        let mut sgd = Sgd::new(1e-3);
        group.bench_function(BenchmarkId::from_parameter(method), |b| {
            b.iter(|| train_step(&mut model, &case.batch, method, &mut sgd));
        });
    }
    group.finish();

    let means = Method::ALL.map(|method| {
        let file = output
            .join(case.group)
            .join(method.name())
            .join("new/estimates.json");
        fresh_mean(&file, started).map(|nanoseconds| nanoseconds / 1e9)
    });
    match means {
        [Some(backprop), Some(zil), Some(full)] => {
            let ratios = [zil / backprop, full / backprop];
            report(case.group, "criterion means", [backprop, zil, full], ratios);
        }
        _ => println!(
            "{}: no criterion estimates from this run under `{}` (test mode or filtered)",
            case.group,
            output.display()
        ),
    }
    if measuring {
        let times = interleaved(&case.model, &case.batch, case.rounds);
        let Summary {
            fastest, ratios, ..
        } = timing::summarise(&times);
        let source = format!("{} interleaved rounds: fastest, median ratio", case.rounds);
        report(case.group, &source, fastest, ratios);
    }
}

/// One training step, panicking on a model error (a bug in the bench or the model).
fn train_step<M: Model<f32>>(model: &mut M, batch: &Batch<f32>, method: Method, sgd: &mut Sgd) {
    let loss = model
        .train_step(black_box(batch), method, sgd)
        .unwrap_or_else(|error| panic!("{method} training step failed: {error}"));
    black_box(loss);
}

/// Times the three methods in turn, `rounds` times, on copies of one model: the wall time of
/// every step of each method, in seconds.
fn interleaved<M: Model<f32> + Clone>(
    model: &M,
    batch: &Batch<f32>,
    rounds: usize,
) -> [Vec<f64>; 3] {
    let mut models = Method::ALL.map(|_| model.clone());
    let mut sgd = Sgd::new(1e-3);
    timing::interleaved(rounds, |index| {
        let method = Method::ALL[index];
        timing::timed(|| train_step(&mut models[index], batch, method, &mut sgd)).1
    })
}

/// Prints the three times, in seconds, and the two ratios to backprop.
fn report(group: &str, source: &str, [backprop, zil, full]: [f64; 3], ratios: [f64; 2]) {
    println!(
        "{group} ({source}): backprop {}, zil {}, zil-full {}; \
         zil/backprop {:.3}, zil-full/backprop {:.3}",
        milliseconds(backprop),
        milliseconds(zil),
        milliseconds(full),
        ratios[0],
        ratios[1],
    );
}

fn milliseconds(seconds: f64) -> String {
    format!("{:.3} ms", seconds * 1e3)
}

/// A batch for a model's declared data shapes with every run-time dimension `batch_size`:
/// inputs uniform on `[0, 1)`, targets one-hot along their last axis.
fn random_batch(
    shapes: &[(&'static str, &'static [DeclaredDim])],
    inputs: &[&str],
    batch_size: usize,
    seed: u64,
) -> Batch<f32> {
    let mut rng = seeded_rng(seed);
    let mut batch = Batch::new();
    for (name, declared) in shapes {
        let shape: Vec<usize> = declared
            .iter()
            .map(|dim| match *dim {
                DeclaredDim::Fixed(size) => size,
                DeclaredDim::Runtime(_) => batch_size,
            })
            .collect();
        let uniform = InitKind::Uniform { lo: 0.0, hi: 1.0 };
        let tensor = if inputs.contains(name) {
            init(uniform, &shape, &mut rng)
        } else {
            let classes = shape.last().copied().unwrap_or(1);
            let draws: Tensor<f32> = init(uniform, &[shape[0]], &mut rng);
            let labels: Vec<usize> = draws
                .iter()
                .map(|&u| ((u * classes as f32) as usize).min(classes - 1))
                .collect();
            let last = shape.len() - 1;
            Tensor::from_shape_fn(shape.as_slice(), |index| {
                f32::from(u8::from(labels[index[0]] == index[last]))
            })
        };
        batch.push(*name, tensor);
    }
    batch
}

/// Where criterion writes its estimates, found as criterion finds it: `$CRITERION_HOME`,
/// `$CARGO_TARGET_DIR/criterion`, or `criterion` in the target folder holding this bench.
fn output_directory() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(target).join("criterion");
    }
    // The bench runs as `<target>/<profile>/deps/train_step-<hash>`.
    std::env::current_exe()
        .ok()
        .and_then(|exe| {
            exe.ancestors()
                .nth(3)
                .map(|target| target.join("criterion"))
        })
        .unwrap_or_else(|| PathBuf::from("target/criterion"))
}

/// The mean point estimate, in nanoseconds, of an `estimates.json` written after `since`.
fn fresh_mean(file: &Path, since: SystemTime) -> Option<f64> {
    let modified = std::fs::metadata(file).and_then(|m| m.modified()).ok()?;
    if modified < since {
        return None;
    }
    let text = std::fs::read_to_string(file).ok()?;
    // `{"mean":{"confidence_interval":{...},"point_estimate":123.4,...},...}`: the first
    // point estimate after the `mean` key is the mean's.
    let mean = &text[text.find("\"mean\"")?..];
    let value = &mean[mean.find("\"point_estimate\":")? + "\"point_estimate\":".len()..];
    let end = value.find([',', '}'])?;
    value[..end].trim().parse().ok()
}

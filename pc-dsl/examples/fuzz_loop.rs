//! A fuzzer for machines without nightly Rust: mutates model texts at random for as long as it
//! is told and checks that the compiler never panics, with the same checks as the libFuzzer
//! target in `fuzz/`.
//!
//! ```text
//! cargo run --release -p pc-dsl --example fuzz_loop -- SECONDS [SEED]
//! ```
//!
//! The seeds are every fixture and example model. A mutant that produces a diagnostic message
//! not seen before joins the corpus, so the search drifts towards new errors rather than
//! hammering the parser's first one. Each input that panics is written to a findings folder,
//! and the one being compiled is always in `current.pcg` there, in case the process aborts.

use std::collections::BTreeSet;
use std::fmt;
use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pc_dsl::{Config, Diagnostic};

/// Inputs longer than this are cut, as libFuzzer's default `-max_len` does.
const MAX_LEN: usize = 4096;

/// How many mutants the corpus keeps beyond the seeds.
const MAX_CORPUS: usize = 4000;

/// Pieces of the language that random bytes rarely spell.
const TOKENS: &[&str] = &[
    "model M { ",
    "}",
    "{",
    "(",
    ")",
    "[",
    "]",
    ";",
    ",",
    ":",
    "=",
    "..",
    "@",
    "*",
    "/",
    "+",
    "-",
    "dim B;",
    "const T = 3;",
    "input x: [B, 4];",
    "target y: [B, 4];",
    "param w: [4, 4] = he;",
    "node h = x @ w;",
    "let z = h;",
    "loss mse(h, y);",
    "for t in 0..T { ",
    "h[t]",
    "h[t - 1]",
    "xs[0]",
    "///",
    "//",
    "\n",
    "B",
    "T",
    "x",
    "y",
    "w",
    "h",
    "identity",
    "tanh",
    "sigmoid",
    "relu",
    "leaky_relu",
    "softplus",
    "exp",
    "log",
    "softmax",
    "conv2d",
    "max_pool2d",
    "avg_pool2d",
    "flatten",
    "reshape",
    "concat",
    "transpose",
    "mse",
    "cross_entropy",
    "zeros",
    "ones",
    "xavier",
    "he",
    "normal(0.1)",
    "uniform(-1, 1)",
    "stride = 2",
    "padding = 1",
    "axis = 1",
    "[B, 0]",
    "[0]",
    "[]",
    "0",
    "1",
    "-1",
    "2",
    "0.5",
    "1e400",
    "-0.0",
    "NaN",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551616",
    "\u{e9}",
    "\u{1f600}",
    "\0",
    "\t",
    "\r\n",
];

/// A small, fast, seedable generator (xorshift64*), so that a run can be repeated.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n`, which must not be 0.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seconds = args.first().and_then(|a| a.parse().ok()).unwrap_or(60);
    let seed = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(0x5eed);
    let findings = std::env::temp_dir().join("pc-fuzz-loop");
    std::fs::create_dir_all(&findings).expect("the findings folder can be made");

    let mut fuzzer = Fuzzer::new(seed, findings);
    println!(
        "fuzzing for {seconds} s from {} seeds, seed {seed}; findings in {}",
        fuzzer.seed_count,
        fuzzer.findings.display()
    );

    // Panics are findings, reported by `step`; the default hook would print each one again.
    panic::set_hook(Box::new(|_| {}));
    let start = Instant::now();
    let mut report = start;
    while start.elapsed() < Duration::from_secs(seconds) {
        fuzzer.step();
        if report.elapsed() >= Duration::from_secs(30) {
            report = Instant::now();
            println!("{:>5} s: {fuzzer}", start.elapsed().as_secs());
        }
    }

    let rate = fuzzer.runs as f64 / start.elapsed().as_secs_f64();
    println!(
        "done in {} s ({rate:.0}/s): {fuzzer}",
        start.elapsed().as_secs()
    );
    if fuzzer.panics > 0 {
        std::process::exit(1);
    }
}

/// Inputs slower than this are written out as findings too.
const SLOW: Duration = Duration::from_secs(1);

/// The corpus, what has been seen, and the counts.
struct Fuzzer {
    rng: Rng,
    corpus: Vec<String>,
    /// The corpus starts with the seeds, which are never replaced.
    seed_count: usize,
    /// The kinds of error seen so far.
    kinds: BTreeSet<String>,
    findings: PathBuf,
    /// `current.pcg`, kept open: rewriting it in place costs far less than recreating it.
    current: File,
    runs: u64,
    compiled: u64,
    slow: u64,
    slowest: Duration,
    panics: u64,
}

impl Fuzzer {
    fn new(seed: u64, findings: PathBuf) -> Self {
        let corpus = seeds();
        let current =
            File::create(findings.join("current.pcg")).expect("the findings folder is writable");
        Fuzzer {
            rng: Rng(seed | 1),
            seed_count: corpus.len(),
            corpus,
            kinds: BTreeSet::new(),
            findings,
            current,
            runs: 0,
            compiled: 0,
            slow: 0,
            slowest: Duration::ZERO,
            panics: 0,
        }
    }

    /// Compiles one mutant and records what happened.
    fn step(&mut self) {
        let input = mutate(&mut self.rng, &self.corpus);
        self.record_current(&input);
        self.runs += 1;

        let start = Instant::now();
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| compile_checked(&input)));
        let took = start.elapsed();
        self.slowest = self.slowest.max(took);
        if took > SLOW {
            self.slow += 1;
            let name = format!("slow-{}.pcg", self.runs);
            println!("SLOW: {took:.1?} ({})", self.write(&name, &input).display());
        }

        match outcome {
            Ok(Outcome::Compiled) => self.compiled += 1,
            Ok(Outcome::Rejected(kind)) => {
                if self.kinds.insert(kind) {
                    self.keep(input);
                }
            }
            Err(payload) => {
                self.panics += 1;
                let path = self.write(&format!("panic-{}.pcg", self.runs), &input);
                println!("PANIC: {} ({})", panic_message(&*payload), path.display());
            }
        }
    }

    /// Adds a mutant to the corpus, replacing a random earlier mutant when it is full.
    fn keep(&mut self, input: String) {
        if self.corpus.len() < self.seed_count + MAX_CORPUS {
            self.corpus.push(input);
        } else {
            let at = self.seed_count + self.rng.below(MAX_CORPUS);
            self.corpus[at] = input;
        }
    }

    fn record_current(&mut self, input: &str) {
        let written = (self.current.seek(SeekFrom::Start(0)))
            .and_then(|_| self.current.write_all(input.as_bytes()))
            .and_then(|()| self.current.set_len(input.len() as u64));
        written.expect("`current.pcg` is writable");
    }

    fn write(&self, name: &str, input: &str) -> PathBuf {
        let path = self.findings.join(name);
        std::fs::write(&path, input).expect("the findings folder is writable");
        path
    }
}

impl fmt::Display for Fuzzer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} inputs, {} compiled, {} kinds of error, corpus {}, slowest {:.1?}, {} slow, {} panics",
            self.runs,
            self.compiled,
            self.kinds.len(),
            self.corpus.len(),
            self.slowest,
            self.slow,
            self.panics
        )
    }
}

/// Every `.pcg` file of the test fixtures and the example models.
fn seeds() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let folders = [
        "tests/fixtures/pass",
        "tests/fixtures/fail",
        "tests/fixtures/warn",
        "examples/models",
    ];
    let mut paths: Vec<PathBuf> = folders
        .iter()
        .filter_map(|folder| std::fs::read_dir(root.join(folder)).ok())
        .flatten()
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "pcg"))
        .collect();
    paths.sort();
    let texts: Vec<String> = paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    assert!(!texts.is_empty(), "no seeds under {}", root.display());
    texts
}

/// One to four random edits of a random corpus entry.
fn mutate(rng: &mut Rng, corpus: &[String]) -> String {
    let mut bytes = rng.pick(corpus).as_bytes().to_vec();
    for _ in 0..=rng.below(4) {
        edit(rng, &mut bytes, corpus);
    }
    bytes.truncate(MAX_LEN);
    String::from_utf8_lossy(&bytes).into_owned()
}

fn edit(rng: &mut Rng, bytes: &mut Vec<u8>, corpus: &[String]) {
    let len = bytes.len();
    let at = |rng: &mut Rng| rng.below(len + 1);
    match rng.below(9) {
        // Delete a short range.
        0 => {
            let start = at(rng);
            let end = (start + rng.below(40)).min(len);
            bytes.drain(start..end);
        }
        // Insert a token of the language.
        1 | 2 => {
            let position = at(rng);
            bytes.splice(position..position, rng.pick(TOKENS).bytes());
        }
        // Duplicate a range in place.
        3 => {
            let start = at(rng);
            let end = (start + rng.below(80)).min(len);
            let piece = bytes[start..end].to_vec();
            bytes.splice(end..end, piece);
        }
        // Insert a whole line of another text, where a statement may stand.
        4 => {
            let other = rng.pick(corpus);
            let lines: Vec<&str> = other.lines().collect();
            if let Some(line) = lines.get(rng.below(lines.len().max(1))) {
                let position = line_start(bytes, at(rng));
                bytes.splice(position..position, format!("{line}\n").into_bytes());
            }
        }
        // Delete a whole line.
        5 => {
            let start = line_start(bytes, at(rng));
            let end = bytes[start..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(len, |i| start + i + 1);
            bytes.drain(start..end);
        }
        // Replace a number with another, often an extreme one.
        6 => {
            let digits: Vec<usize> = (0..len).filter(|&i| bytes[i].is_ascii_digit()).collect();
            if !digits.is_empty() {
                let start = *rng.pick(&digits);
                let end = (start..len)
                    .find(|&i| !bytes[i].is_ascii_digit())
                    .unwrap_or(len);
                let numbers = [
                    "0",
                    "1",
                    "2",
                    "3",
                    "7",
                    "64",
                    "65536",
                    "4294967296",
                    "99999999999999999999",
                ];
                bytes.splice(start..end, rng.pick(&numbers).bytes());
            }
        }
        // Flip one byte.
        7 if len > 0 => {
            let i = rng.below(len);
            bytes[i] ^= 1 << rng.below(8);
        }
        // Cut the text short.
        _ => bytes.truncate(at(rng)),
    }
}

/// The start of the line holding byte `position`.
fn line_start(bytes: &[u8], position: usize) -> usize {
    bytes[..position]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1)
}

/// What the compiler made of an input that did not panic.
enum Outcome {
    Compiled,
    /// The kind of the first error.
    Rejected(String),
}

/// The checks of the libFuzzer target: a result whose Rust parses, or diagnostics inside the
/// input.
fn compile_checked(source: &str) -> Outcome {
    let config = Config::new();
    match pc_dsl::compile(source, &config) {
        Ok(compiled) => {
            assert_inside(&compiled.warnings, source);
            let rust = compiled.rust("fuzz.pcg", &config);
            if let Err(error) = syn::parse_file(&rust) {
                panic!("the generated Rust does not parse: {error}");
            }
            Outcome::Compiled
        }
        Err(diagnostics) => {
            assert_inside(&diagnostics, source);
            let first = diagnostics.iter().find(|d| d.is_error());
            let first = first.expect("a failed compile has an error");
            Outcome::Rejected(kind_of(&first.message))
        }
    }
}

/// A message without the model's names, shapes and numbers: `unknown name ``` for any name.
fn kind_of(message: &str) -> String {
    let mut kind = String::new();
    let mut inside = None;
    for c in message.chars() {
        match (inside, c) {
            (None, '`' | '[') => {
                inside = Some(if c == '`' { '`' } else { ']' });
                kind.push(c);
            }
            (Some(close), _) if c == close => {
                inside = None;
                kind.push(c);
            }
            (None, _) if !c.is_ascii_digit() => kind.push(c),
            _ => {}
        }
    }
    kind
}

/// Every span, primary and secondary, is a range of whole characters of the source.
fn assert_inside(diagnostics: &[Diagnostic], source: &str) {
    for diagnostic in diagnostics {
        let spans =
            std::iter::once(diagnostic.span).chain(diagnostic.labels.iter().map(|l| l.span));
        for span in spans {
            assert!(
                source.get(span.range()).is_some(),
                "span {span:?} of `{diagnostic}` is not inside the {} bytes of input",
                source.len()
            );
        }
        let _ = diagnostic.render("fuzz.pcg", source);
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

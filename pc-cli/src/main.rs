//! `pcg`: the compiler's view of a model, for people.
//!
//! Every subcommand reads one `.pcg` file, reports its diagnostics on stderr, and prints one
//! view of what the compiler made of it on stdout. The exit status is 0 when the file has no
//! errors, 1 when it has, and 2 when it cannot be read.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use pc_dsl::passes::schedule::print_schedule;
use pc_dsl::{Config, Diagnostic, Levelling, diag::render_all, ir, passes};

/// Inspect what the predictive-coding compiler does with a model.
#[derive(Parser)]
#[command(name = "pcg", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The views of a model.
#[derive(Subcommand)]
enum Command {
    /// Check a file; exit status 1 if it has errors.
    Check(Input),
    /// Print the IR graph after a pass.
    Ir {
        #[command(flatten)]
        input: Input,
        /// The last pass to run before printing.
        #[arg(long, value_enum, default_value_t = Stage::Level)]
        after: Stage,
    },
    /// Print the Z-IL schedule: per step, the errors computed, parameters read, values updated.
    Schedule {
        #[command(flatten)]
        input: Input,
        /// The execution mode.
        #[arg(long, value_enum, default_value_t = ModeArg::Wavefront)]
        mode: ModeArg,
    },
    /// Print each vertex's local energy gradient and each parameter's update as math.
    Grads(Input),
    /// Print the generated Rust.
    Emit(Input),
    /// Print the graph in Graphviz DOT.
    Dot(Input),
}

/// The file and the options every view shares.
#[derive(clap::Args)]
struct Input {
    /// The `.pcg` file.
    file: PathBuf,
    /// Only this model of the file.
    #[arg(long)]
    model: Option<String>,
    /// How far graphs are levelled with identity vertices.
    #[arg(long, value_enum, default_value_t = LevellingArg::Full)]
    levelling: LevellingArg,
}

#[derive(Clone, Copy, ValueEnum)]
enum Stage {
    Resolve,
    Shapes,
    Reach,
    Level,
}

#[derive(Clone, Copy, ValueEnum)]
enum ModeArg {
    Wavefront,
    Full,
}

#[derive(Clone, Copy, ValueEnum)]
enum LevellingArg {
    Full,
    Wavefront,
    Off,
}

impl From<LevellingArg> for Levelling {
    fn from(arg: LevellingArg) -> Self {
        match arg {
            LevellingArg::Full => Levelling::Full,
            LevellingArg::Wavefront => Levelling::Wavefront,
            LevellingArg::Off => Levelling::Off,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let input = match &cli.command {
        Command::Check(input)
        | Command::Grads(input)
        | Command::Emit(input)
        | Command::Dot(input) => input,
        Command::Ir { input, .. } | Command::Schedule { input, .. } => input,
    };
    let name = input.file.display().to_string();
    let source = match std::fs::read_to_string(&input.file) {
        Ok(source) => source,
        Err(error) => {
            eprintln!("error: cannot read `{name}`: {error}");
            return ExitCode::from(2);
        }
    };

    let config = Config::new().levelling(input.levelling.into());
    match run(&cli.command, input, &source, &config) {
        Ok((output, warnings)) => {
            eprint!("{}", render_all(&warnings, &name, &source));
            print!("{output}");
            ExitCode::SUCCESS
        }
        Err(Failure::Diagnostics(diagnostics)) => {
            eprint!("{}", render_all(&diagnostics, &name, &source));
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            eprintln!(
                "error: `{name}` has {errors} error{}",
                if errors == 1 { "" } else { "s" }
            );
            ExitCode::FAILURE
        }
        Err(Failure::NoModel { wanted, defined }) => {
            let defined = defined.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>();
            eprintln!(
                "error: `{name}` has no model `{wanted}`; it defines {}",
                defined.join(", ")
            );
            ExitCode::FAILURE
        }
    }
}

/// Why a view could not be printed.
enum Failure {
    /// The file has errors: every diagnostic found, warnings included.
    Diagnostics(Vec<Diagnostic>),
    /// `--model` names no model of the file, which defines the others.
    NoModel {
        wanted: String,
        defined: Vec<String>,
    },
}

impl From<Vec<Diagnostic>> for Failure {
    fn from(diagnostics: Vec<Diagnostic>) -> Self {
        Failure::Diagnostics(diagnostics)
    }
}

/// The view's text and the warnings.
fn run(
    command: &Command,
    input: &Input,
    source: &str,
    config: &Config,
) -> Result<(String, Vec<Diagnostic>), Failure> {
    if let Command::Ir { after, .. } = command
        && !matches!(after, Stage::Level)
    {
        return ir_before_levelling(source, *after, input.model.as_deref());
    }
    let compiled = pc_dsl::compile(source, config)?;
    let models = select(compiled.models, |m| &m.graph.name, input.model.as_deref())?;

    let mut out = String::new();
    for model in &models {
        let view = match command {
            Command::Check(_) => format!("`{}`: ok\n", model.graph.name),
            Command::Ir { .. } => ir::print_graph(&model.graph),
            Command::Schedule { mode, .. } => match mode {
                ModeArg::Wavefront => print_schedule(&model.graph, &model.wavefront),
                ModeArg::Full => print_schedule(&model.graph, &model.full),
            },
            Command::Grads(_) => passes::gradients::print_gradients(&model.graph, &model.programs),
            Command::Dot(_) => ir::to_dot(&model.graph),
            Command::Emit(_) => String::new(),
        };
        out.push_str(&view);
    }
    if let Command::Emit(_) = command {
        let file = input
            .file
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned());
        let selected = pc_dsl::Compiled {
            models,
            warnings: Vec::new(),
        };
        out = selected.rust(&file, config);
    }
    Ok((out, compiled.warnings))
}

/// The IR after a pass before levelling.
fn ir_before_levelling(
    source: &str,
    after: Stage,
    model: Option<&str>,
) -> Result<(String, Vec<Diagnostic>), Failure> {
    let file = pc_dsl::syntax::parse(source)?;
    let (graphs, mut diagnostics) = passes::resolve::lower(&file);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(diagnostics.into());
    }

    let mut out = String::new();
    for mut graph in select(graphs, |g| &g.name, model)? {
        if !matches!(after, Stage::Resolve) {
            diagnostics.extend(passes::shapes::infer_shapes(&mut graph));
        }
        if matches!(after, Stage::Reach) {
            diagnostics.extend(passes::reach::prune_unreachable(&mut graph));
        }
        out.push_str(&ir::print_graph(&graph));
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(diagnostics.into());
    }
    Ok((out, diagnostics))
}

/// The models `--model` asks for: all of them, or the one it names.
fn select<T>(
    models: Vec<T>,
    name: impl Fn(&T) -> &str,
    wanted: Option<&str>,
) -> Result<Vec<T>, Failure> {
    let Some(wanted) = wanted else {
        return Ok(models);
    };
    let defined: Vec<String> = models.iter().map(|m| name(m).to_owned()).collect();
    let selected: Vec<T> = models.into_iter().filter(|m| name(m) == wanted).collect();
    if selected.is_empty() {
        return Err(Failure::NoModel {
            wanted: wanted.to_owned(),
            defined,
        });
    }
    Ok(selected)
}

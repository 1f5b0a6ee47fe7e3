//! The `ferromd` command-line program.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Parser, Subcommand};
use ferromd::deck::Deck;
use ferromd::driver::{DriverError, DriverOptions, run_deck};
use ferromd::lammps::{Echo, ScriptOptions, run_script};

mod check_cli;
mod hessian_cli;

/// ferromd: molecular dynamics with classical and machine-learned potentials.
#[derive(Debug, Parser)]
#[command(version, about, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Deck to run (shorthand for `ferromd run DECK`).
    deck: Option<PathBuf>,
    /// Number of worker threads (default: all cores).
    #[arg(long, global = true)]
    threads: Option<usize>,
    /// Never draw a progress bar.
    #[arg(long, global = true)]
    no_progress: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a TOML deck.
    Run {
        /// The deck file.
        deck: PathBuf,
        /// Checkpoint file, written every `--checkpoint-every` steps, at the end of the run
        /// and on Ctrl-C (default on Ctrl-C: DECK_STEM.ckpt in the working directory).
        #[arg(long, value_name = "FILE")]
        checkpoint: Option<PathBuf>,
        /// Write the checkpoint every N steps (needs --checkpoint).
        #[arg(long, value_name = "N", requires = "checkpoint")]
        checkpoint_every: Option<u64>,
        /// Continue the deck's run from a checkpoint, bit for bit as if it had not stopped.
        #[arg(long, value_name = "FILE")]
        resume: Option<PathBuf>,
        /// Run on the GPU (wgpu/Vulkan; needs the `gpu` cargo feature), whatever the
        /// deck's `backend` says.
        #[arg(long)]
        gpu: bool,
    },
    /// Parse and validate a deck without running it.
    CheckDeck {
        /// The deck file.
        deck: PathBuf,
    },
    /// Plot a thermo log (LAMMPS's or ferromd's), thermo CSV/JSONL, `fix ave/time` file or
    /// observables table: one panel per column against the step (or the first column).
    Plot {
        /// The file to plot.
        file: PathBuf,
        /// Output image; `.png` or `.svg` picks the format.
        #[arg(short, long, value_name = "IMAGE")]
        output: PathBuf,
        /// Columns to draw, comma-separated (default: all but step and timing columns).
        #[arg(long, value_delimiter = ',', value_name = "A,B")]
        columns: Option<Vec<String>>,
        /// Column along x (default: the step, or the first column).
        #[arg(long, value_name = "COLUMN")]
        x: Option<String>,
    },
    /// Report card of a potential: conservativeness, symmetry, smoothness, NVE drift, speed.
    Check(check_cli::CheckArgs),
    /// Finite-difference Hessian and mass-weighted normal modes of a structure.
    Hessian(hessian_cli::HessianArgs),
}

/// LAMMPS command-line switches that select the script interface.
const LAMMPS_SWITCHES: &[&str] = &[
    "-in", "-i", "-var", "-v", "-log", "-l", "-screen", "-sc", "-echo", "-e", "-sf", "-suffix",
    "-pk", "-package",
];

fn main() -> ExitCode {
    let raw: Vec<String> = std::env::args().collect();
    if raw
        .iter()
        .skip(1)
        .any(|a| LAMMPS_SWITCHES.contains(&a.as_str()))
    {
        return run_lammps_cli(&raw[1..]);
    }
    let cli = Cli::parse();
    if let Some(n) = cli.threads {
        if n == 0 {
            eprintln!("error: --threads must be at least 1");
            return ExitCode::from(2);
        }
        if let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
        {
            eprintln!("error: cannot start {n} threads: {e}");
            return ExitCode::from(2);
        }
    }
    let mut options = DriverOptions {
        progress: !cli.no_progress,
        ..Default::default()
    };
    match (cli.command, cli.deck) {
        (None, Some(deck)) if !is_toml(&deck) => run_script_file(
            &deck,
            ScriptOptions {
                screen: true,
                log: Some("log.lammps".into()),
                ..Default::default()
            },
        ),
        (
            Some(Command::Run {
                deck,
                checkpoint,
                checkpoint_every,
                resume,
                gpu,
            }),
            _,
        ) => {
            options.gpu = gpu;
            options.checkpoint = checkpoint;
            options.checkpoint_every = checkpoint_every.unwrap_or(0);
            options.resume = resume;
            run(&deck, options)
        }
        (None, Some(deck)) => run(&deck, options),
        (Some(Command::CheckDeck { deck }), _) => check(&deck),
        (
            Some(Command::Plot {
                file,
                output,
                columns,
                x,
            }),
            _,
        ) => plot(&file, &output, columns.as_deref(), x.as_deref()),
        (Some(Command::Check(args)), _) => check_cli::run(&args),
        (Some(Command::Hessian(args)), _) => hessian_cli::run(&args),
        (None, None) => {
            eprintln!(
                "error: no deck given\n  hint: ferromd run inputs/lj-melt.toml (see ferromd --help)"
            );
            ExitCode::from(2)
        }
    }
}

/// Exit status of a run stopped by SIGINT/SIGTERM (128 + SIGINT, as shells report it).
const EXIT_INTERRUPTED: u8 = 130;

/// Installs the SIGINT/SIGTERM handler: the first signal asks the run (a deck's or a
/// script's) to stop after the current step (checkpoint or restart file, flush, exit
/// 130); a second one exits at once.
fn stop_flag() -> Option<Arc<AtomicBool>> {
    let flag = Arc::new(AtomicBool::new(false));
    let f = flag.clone();
    let installed = ctrlc::set_handler(move || {
        if f.swap(true, Ordering::SeqCst) {
            eprintln!("error: interrupted again, exiting without a checkpoint");
            std::process::exit(EXIT_INTERRUPTED as i32);
        }
        eprintln!("interrupt: finishing the current step and writing a checkpoint...");
    });
    installed.ok().map(|_| flag)
}

fn run(deck: &std::path::Path, mut options: DriverOptions) -> ExitCode {
    options.stop = stop_flag();
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    match run_deck(deck, &mut lock, options) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            match e {
                DriverError::Deck(_) => ExitCode::from(2),
                DriverError::Interrupted { .. } => ExitCode::from(EXIT_INTERRUPTED),
                _ => ExitCode::FAILURE,
            }
        }
    }
}

fn check(deck: &std::path::Path) -> ExitCode {
    match Deck::load(deck) {
        Ok(d) => {
            println!(
                "{}: ok — {} atoms, {} units, potential {} (cutoff {}), integrator {}, {} steps",
                deck.display(),
                d.system.len(),
                d.units,
                d.potential.name(),
                d.potential.cutoff(),
                d.integrator.name(),
                d.steps
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn plot(
    file: &std::path::Path,
    output: &std::path::Path,
    columns: Option<&[String]>,
    x: Option<&str>,
) -> ExitCode {
    match ferromd::plot::plot_file(file, output, columns, x) {
        Ok(s) => {
            println!(
                "{}: {} ({} rows): {} against {} -> {}",
                file.display(),
                s.kind,
                s.rows,
                s.series.join(", "),
                s.x,
                output.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn is_toml(path: &std::path::Path) -> bool {
    path.extension().is_some_and(|e| e == "toml")
}

fn run_script_file(path: &std::path::Path, mut options: ScriptOptions) -> ExitCode {
    options.stop = stop_flag();
    match run_script(path, &options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // LAMMPS prints errors on the screen and in the log
            eprintln!("{e}");
            if options.screen {
                println!("{e}");
            }
            if e.interrupted {
                ExitCode::from(EXIT_INTERRUPTED)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// Parses LAMMPS-style switches: `-in FILE`, `-var NAME V...`, `-log FILE|none`,
/// `-screen none`, `-echo STYLE`, `-sf/-pk` (accelerator switches: `gpu` selects the
/// GPU path, `omp N` the thread count), `--threads N`,
/// `--thermo-table FILE.csv|FILE.jsonl` (ferromd: thermo lines also as a table).
fn run_lammps_cli(args: &[String]) -> ExitCode {
    let mut options = ScriptOptions {
        screen: true,
        log: Some("log.lammps".into()),
        ..Default::default()
    };
    let mut input: Option<PathBuf> = None;
    let mut threads: Option<usize> = None;
    let mut k = 0;
    let usage = |msg: &str| -> ExitCode {
        eprintln!("ERROR: {msg} (command line)");
        ExitCode::from(2)
    };
    let value = |k: usize| args.get(k + 1).cloned();
    while k < args.len() {
        let a = args[k].as_str();
        match a {
            "-in" | "-i" => {
                let Some(v) = value(k) else {
                    return usage("-in needs a file name");
                };
                input = Some(PathBuf::from(v));
                k += 2;
            }
            "-var" | "-v" => {
                let Some(name) = value(k) else {
                    return usage("-var needs a name and values");
                };
                let mut vals = Vec::new();
                k += 2;
                while k < args.len() && !args[k].starts_with('-') {
                    vals.push(args[k].clone());
                    k += 1;
                }
                if vals.is_empty() {
                    return usage(&format!("-var {name} needs at least one value"));
                }
                options.variables.push((name, vals));
            }
            "-log" | "-l" => {
                let Some(v) = value(k) else {
                    return usage("-log needs a file name or none");
                };
                options.log = (v != "none").then(|| PathBuf::from(v));
                k += 2;
            }
            "-screen" | "-sc" => {
                match value(k).as_deref() {
                    Some("none") => options.screen = false,
                    Some(other) => {
                        return usage(&format!(
                            "-screen {other} is not supported by ferromd (only none)"
                        ));
                    }
                    None => return usage("-screen needs none"),
                }
                k += 2;
            }
            "-echo" | "-e" => {
                options.echo = match value(k).as_deref() {
                    Some("none") => Echo::default(),
                    Some("screen") => Echo {
                        screen: true,
                        log: false,
                    },
                    Some("log") => Echo {
                        screen: false,
                        log: true,
                    },
                    Some("both") => Echo {
                        screen: true,
                        log: true,
                    },
                    _ => return usage("-echo needs none, screen, log or both"),
                };
                k += 2;
            }
            "-sf" | "-suffix" => {
                match value(k).as_deref() {
                    Some(s @ ("gpu" | "omp" | "opt" | "intel")) => {
                        options.suffix = Some(s.to_string())
                    }
                    Some(other) => {
                        return usage(&format!("-sf {other} is not supported by ferromd"));
                    }
                    None => return usage("-sf needs a suffix"),
                }
                k += 2;
            }
            "-pk" | "-package" => {
                match (value(k).as_deref(), args.get(k + 2)) {
                    (Some("omp"), Some(n)) => match n.parse::<usize>() {
                        Ok(n) if n > 0 => threads = Some(n),
                        _ => {
                            return usage(&format!(
                                "-pk omp {n}: thread count must be a positive integer"
                            ));
                        }
                    },
                    (Some("gpu"), Some(_)) => {
                        // `-pk gpu Ngpu keyword value ...` up to the next switch
                        let end = (k + 3..args.len())
                            .find(|&j| args[j].starts_with('-'))
                            .unwrap_or(args.len());
                        options.packages.push(args[k + 1..end].to_vec());
                        k = end;
                        continue;
                    }
                    (Some("gpu"), None) => return usage("-pk gpu needs the number of GPUs"),
                    (Some(other), _) => {
                        return usage(&format!("-pk {other} is not supported by ferromd"));
                    }
                    (None, _) => return usage("-pk needs a package name"),
                }
                k += 3;
            }
            "--thermo-table" => {
                let Some(v) = value(k) else {
                    return usage("--thermo-table needs a .csv or .jsonl file name");
                };
                options.thermo_table = Some(PathBuf::from(v));
                k += 2;
            }
            "--threads" => {
                match value(k)
                    .and_then(|v| v.parse::<usize>().ok())
                    .filter(|n| *n > 0)
                {
                    Some(n) => threads = Some(n),
                    None => return usage("--threads needs a positive integer"),
                }
                k += 2;
            }
            other if !other.starts_with('-') && input.is_none() => {
                input = Some(PathBuf::from(other));
                k += 1;
            }
            other => return usage(&format!("invalid command-line argument `{other}`")),
        }
    }
    if let Some(n) = threads
        && let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
    {
        eprintln!("ERROR: cannot start {n} threads: {e}");
        return ExitCode::from(2);
    }
    let Some(input) = input else {
        return usage(
            "no input script: reading from standard input is not supported by ferromd; use -in FILE",
        );
    };
    run_script_file(&input, options)
}

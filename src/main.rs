//! The `ferromd` command-line program.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ferromd::deck::Deck;
use ferromd::driver::{DriverError, DriverOptions, run_deck};

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
    },
    /// Parse and validate a deck without running it.
    CheckDeck {
        /// The deck file.
        deck: PathBuf,
    },
}

fn main() -> ExitCode {
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
    let options = DriverOptions {
        progress: !cli.no_progress,
    };
    match (cli.command, cli.deck) {
        (Some(Command::Run { deck }), _) | (None, Some(deck)) => run(&deck, options),
        (Some(Command::CheckDeck { deck }), _) => check(&deck),
        (None, None) => {
            eprintln!(
                "error: no deck given\n  hint: ferromd run inputs/lj-melt.toml (see ferromd --help)"
            );
            ExitCode::from(2)
        }
    }
}

fn run(deck: &std::path::Path, options: DriverOptions) -> ExitCode {
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    match run_deck(deck, &mut lock, options) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            match e {
                DriverError::Deck(_) => ExitCode::from(2),
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

//! `ferromd check`: command-line arguments and output of the potential report card.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use ferromd::check::{CheckOptions, Status, Target, report, run_checks};

/// Arguments of `ferromd check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A TOML deck, or a TorchScript model file (then --structure is needed).
    pub target: PathBuf,
    /// Structure for a model file: extended XYZ (.xyz/.extxyz) or a LAMMPS data file.
    #[arg(long, value_name = "FILE")]
    pub structure: Option<PathBuf>,
    /// Element of each atom type (data files), or the type order (XYZ files).
    #[arg(long, num_args = 1.., value_name = "EL")]
    pub elements: Vec<String>,
    /// Where a model runs: cpu, cuda or cuda:N.
    #[arg(long, default_value = "cpu")]
    pub device: String,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Print how every row was measured, not only warn/fail rows.
    #[arg(long)]
    pub verbose: bool,
    /// Seed of the random rattle, loops, rotations and velocities.
    #[arg(long)]
    pub seed: Option<u64>,
    /// NVE temperature (default 300 K; 0.5 in lj units).
    #[arg(long)]
    pub temperature: Option<f64>,
    /// NVE steps (default 100; 0 skips the dynamics rows).
    #[arg(long, value_name = "N")]
    pub nve_steps: Option<u64>,
    /// NVE timestep (default: the unit system's).
    #[arg(long)]
    pub timestep: Option<f64>,
}

/// The deck or model to examine, or exit status 2 after printing why it cannot be loaded
/// (shared by `check` and `hessian`).
pub fn load_target(
    target: &std::path::Path,
    structure: Option<&std::path::Path>,
    elements: &[String],
    device: &str,
) -> Result<Target, ExitCode> {
    Target::load(target, structure, elements, device).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })
}

/// Runs the checks; exit status 0 without failures, 1 with failures, 2 on bad input.
pub fn run(args: &CheckArgs) -> ExitCode {
    let target = match load_target(
        &args.target,
        args.structure.as_deref(),
        &args.elements,
        &args.device,
    ) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let mut options = CheckOptions::for_units(target.units);
    if let Some(s) = args.seed {
        options.seed = s;
    }
    if let Some(t) = args.temperature {
        if !(t.is_finite() && t >= 0.0) {
            eprintln!("error: --temperature {t} must be zero or positive");
            return ExitCode::from(2);
        }
        options.temperature = t;
    }
    if let Some(n) = args.nve_steps {
        options.nve_steps = n;
    }
    if let Some(dt) = args.timestep {
        if !(dt.is_finite() && dt > 0.0) {
            eprintln!("error: --timestep {dt} must be positive");
            return ExitCode::from(2);
        }
        options.timestep = dt;
    }
    let report = run_checks(
        &target.label,
        &target.system,
        target.potential.clone(),
        target.units,
        &options,
    );
    if args.json {
        println!("{}", report::json(&report));
    } else {
        print!("{}", report::table(&report, args.verbose));
    }
    if report.worst() == Status::Fail {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

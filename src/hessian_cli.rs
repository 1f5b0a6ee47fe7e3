//! `ferromd hessian`: command-line arguments and output of the Hessian and normal modes.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::check_cli::load_target;
use clap::{Args, ValueEnum};
use ferromd::hessian::{
    Hessian, analytic_hessian, default_step, finite_difference_hessian, normal_modes, output,
};

/// Largest system accepted: the dense 3N × 3N matrix (a few copies of 8·9N² bytes) and
/// its O(N³) diagonalisation grow past a workstation's memory and patience beyond this.
pub const MAX_ATOMS: usize = 3000;

/// Arguments of `ferromd hessian`.
#[derive(Debug, Args)]
pub struct HessianArgs {
    /// A TOML deck, or a TorchScript model file (then --structure is needed).
    pub target: PathBuf,
    /// Write the 3N x 3N matrix (text) to this file; the mode table goes to stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print matrix and modes as one JSON document on stdout instead.
    #[arg(long)]
    pub json: bool,
    /// How to differentiate: the potential's own second derivatives (autograd through
    /// SevenNet TorchScript models) or central differences of forces. Default: autograd
    /// where the potential has it and --step is not given, else fd.
    #[arg(long, value_enum)]
    pub method: Option<MethodArg>,
    /// Finite-difference displacement (default 1e-3 A; 1e-4 sigma in lj units).
    #[arg(long)]
    pub step: Option<f64>,
    /// Structure for a model file: extended XYZ (.xyz/.extxyz) or a LAMMPS data file.
    #[arg(long, value_name = "FILE")]
    pub structure: Option<PathBuf>,
    /// Element of each atom type (data files), or the type order (XYZ files).
    #[arg(long, num_args = 1.., value_name = "EL")]
    pub elements: Vec<String>,
    /// Where a model runs: cpu, cuda or cuda:N.
    #[arg(long, default_value = "cpu")]
    pub device: String,
}

/// The `--method` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// The potential's own second derivatives (double backward through the model).
    Autograd,
    /// Central differences of the forces.
    Fd,
}

/// Computes and prints; exit status 0, 1 when an evaluation fails, 2 on bad input.
pub fn run(args: &HessianArgs) -> ExitCode {
    if let Some(step) = args.step
        && !(step.is_finite() && step > 0.0)
    {
        eprintln!("error: --step {step} must be positive");
        return ExitCode::from(2);
    }
    if args.method == Some(MethodArg::Autograd) && args.step.is_some() {
        eprintln!("error: --step is for --method fd; autograd takes no step");
        return ExitCode::from(2);
    }
    let target = match load_target(
        &args.target,
        args.structure.as_deref(),
        &args.elements,
        &args.device,
    ) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let potential = target.potential.as_ref();
    let method = match (args.method, args.step) {
        (Some(MethodArg::Autograd), None) if potential.analytic_hessian().is_none() => {
            eprintln!(
                "error: {}: the potential `{}` has no autograd Hessian (ferromd has one for \
                 SevenNet pair_e3gnn TorchScript models); use --method fd",
                target.label,
                potential.name()
            );
            return ExitCode::from(2);
        }
        (Some(m), _) => m,
        (None, None) if potential.analytic_hessian().is_some() => MethodArg::Autograd,
        (None, _) => MethodArg::Fd,
    };
    let atoms = target.system.len();
    if atoms > MAX_ATOMS {
        eprintln!(
            "error: {}: {atoms} atoms; ferromd hessian stores the dense {n} x {n} matrix and \
             diagonalises it, which is limited to {MAX_ATOMS} atoms (use a smaller cell)",
            target.label,
            n = 3 * atoms
        );
        return ExitCode::from(2);
    }
    let computed: Result<Hessian, _> = match method {
        MethodArg::Autograd => analytic_hessian(&target.system, potential)
            .map(|h| h.expect("the potential was checked to have an analytic Hessian")),
        MethodArg::Fd => {
            let step = args.step.unwrap_or_else(|| default_step(target.units));
            finite_difference_hessian(&target.system, potential, step)
        }
    };
    let hessian = match computed {
        Ok(h) => h,
        Err(e) => {
            eprintln!("error: {}: {e}", target.label);
            return ExitCode::FAILURE;
        }
    };
    let modes = normal_modes(&hessian.matrix, &target.system, target.units);
    if args.json {
        let doc = output::json(
            &target.label,
            &target.system,
            target.units,
            &hessian,
            &modes,
        );
        println!("{doc}");
    }
    if let Some(path) = &args.output {
        let text = output::matrix_text(&target.label, &target.system, target.units, &hessian);
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    if !args.json {
        print!(
            "{}",
            output::mode_table(&target.label, target.units, &hessian, &modes)
        );
    }
    ExitCode::SUCCESS
}

//! `ferromd check`: a report card on any potential ferromd can load.
//!
//! Each check probes one physical property a trustworthy potential must have and
//! turns it into [`Row`]s graded [`Status::Pass`], [`Status::Warn`] or [`Status::Fail`]
//! against documented thresholds (the `*_PASS`/`*_WARN` constants of each module):
//!
//! * [`conservative`]: forces against central differences of the energy; work of the
//!   forces around random closed loops (zero for a gradient field);
//! * [`symmetry`]: energy invariance and force equivariance under a random rotation,
//!   translation and permutation of same-element atoms;
//! * [`smoothness`]: dimer and trimer scans through the cutoff (energy jumps, force
//!   kinks) and the dimer's short-range repulsion;
//! * [`dynamics`]: a short NVE run (energy drift, close contacts) and its speed.
//!
//! The checks work on a [`Target`] (atoms, potential, units) and never change it.
//! Printing ([`report`]) is separate from measuring.

pub mod conservative;
pub mod dynamics;
pub mod elements;
mod probe;
pub mod report;
pub mod smoothness;
pub mod symmetry;
pub mod target;

use std::sync::Arc;
use std::time::Instant;

use ferromd_core::{Potential, System, UnitSystem};
use serde::Serialize;

pub use probe::Probe;
pub use target::{Target, TargetError};

/// The grade of one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Measured value within the pass threshold.
    Pass,
    /// Informational row (no threshold, e.g. speed).
    Info,
    /// Between the pass and the fail thresholds.
    Warn,
    /// Beyond the fail threshold, or the check could not run.
    Fail,
}

impl Status {
    /// Grades `value` (smaller is better): pass below `pass`, warn below `warn`, else fail.
    /// A non-finite value fails.
    pub fn grade(value: f64, pass: f64, warn: f64) -> Status {
        if !value.is_finite() {
            Status::Fail
        } else if value < pass {
            Status::Pass
        } else if value < warn {
            Status::Warn
        } else {
            Status::Fail
        }
    }

    /// The lower-case name printed in tables.
    pub fn name(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Info => "info",
            Status::Warn => "warn",
            Status::Fail => "FAIL",
        }
    }
}

/// One line of the report: a measured quantity, its grade and how it was measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// The check family, e.g. `conservativeness`.
    pub check: &'static str,
    /// What was measured, e.g. `forces vs -dE/dx`.
    pub name: String,
    /// The grade.
    pub status: Status,
    /// The measured value (in `unit`); NaN when the check could not run.
    pub value: f64,
    /// Unit or normalisation of `value`, e.g. `rel` or `meV/atom/ps`.
    pub unit: String,
    /// The thresholds, e.g. `pass < 1e-2, warn < 5e-2`.
    pub threshold: String,
    /// How it was measured and where the worst case is.
    pub detail: String,
}

impl Row {
    /// A row graded by [`Status::grade`] with thresholds `pass` and `warn`.
    pub fn graded(
        check: &'static str,
        name: impl Into<String>,
        value: f64,
        unit: impl Into<String>,
        pass: f64,
        warn: f64,
        detail: impl Into<String>,
    ) -> Row {
        Row {
            check,
            name: name.into(),
            status: Status::grade(value, pass, warn),
            value,
            unit: unit.into(),
            threshold: format!("pass < {pass:.0e}, warn < {warn:.0e}"),
            detail: detail.into(),
        }
    }

    /// A failed row for a check that could not be carried out.
    pub fn failed(check: &'static str, name: impl Into<String>, why: impl Into<String>) -> Row {
        Row {
            check,
            name: name.into(),
            status: Status::Fail,
            value: f64::NAN,
            unit: String::new(),
            threshold: String::new(),
            detail: why.into(),
        }
    }
}

/// Tunables of a check run (defaults from [`CheckOptions::for_units`]).
#[derive(Debug, Clone, PartialEq)]
pub struct CheckOptions {
    /// Seed of every random choice (rattle, loops, rotations, velocities).
    pub seed: u64,
    /// NVE temperature in the unit system's temperature unit.
    pub temperature: f64,
    /// NVE steps (0 skips the dynamics rows).
    pub nve_steps: u64,
    /// NVE timestep (the unit system's default unless set).
    pub timestep: f64,
    /// An atom pair closer than this fraction of the sum of covalent radii is an "explosion".
    pub contact_fraction: f64,
    /// Random displacement (fraction of the cutoff) applied before the static checks so
    /// that forces are not zero by symmetry.
    pub rattle: f64,
}

impl CheckOptions {
    /// Defaults: 300 K (metal, real) or T* = 0.5 (lj), 100 steps at the default timestep,
    /// contacts below 0.5 of the covalent-radius sum, rattle 2 % of the cutoff.
    pub fn for_units(units: UnitSystem) -> Self {
        let c = units.constants();
        CheckOptions {
            seed: 20261125,
            temperature: if units == UnitSystem::Lj { 0.5 } else { 300.0 },
            nve_steps: 100,
            timestep: c.default_timestep,
            contact_fraction: 0.5,
            rattle: 0.02,
        }
    }
}

/// The report card of one potential on one structure.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// What was checked (deck or model file).
    pub target: String,
    /// The potential's name.
    pub potential: String,
    /// Atoms in the structure.
    pub atoms: usize,
    /// The unit system name.
    pub units: &'static str,
    /// Every row, in check order.
    pub rows: Vec<Row>,
    /// Wall-clock seconds of the whole check.
    pub seconds: f64,
}

impl Report {
    /// The worst grade of all rows (`Pass` for an empty report).
    pub fn worst(&self) -> Status {
        self.rows
            .iter()
            .map(|r| r.status)
            .max()
            .unwrap_or(Status::Pass)
    }

    /// The rows of one check family.
    pub fn rows_of<'a>(&'a self, check: &'a str) -> impl Iterator<Item = &'a Row> + 'a {
        self.rows.iter().filter(move |r| r.check == check)
    }
}

/// Runs every check on `system` with `potential`; `label` names the target in the report.
pub fn run_checks(
    label: &str,
    system: &System,
    potential: Arc<dyn Potential>,
    units: UnitSystem,
    options: &CheckOptions,
) -> Report {
    let start = Instant::now();
    let mut rows = Vec::new();
    let mut probe = Probe::new(potential.as_ref());
    let rattled = probe::rattled(system, options.rattle * potential.cutoff(), options.seed);
    rows.extend(conservative::declared_row(potential.as_ref()));
    rows.extend(conservative::check(&mut probe, &rattled, options));
    rows.extend(symmetry::check(&mut probe, &rattled, options));
    rows.extend(smoothness::check(&mut probe, system, options));
    if options.nve_steps > 0 {
        rows.extend(dynamics::check(system, potential.clone(), units, options));
    }
    Report {
        target: label.to_owned(),
        potential: potential.name().to_owned(),
        atoms: system.len(),
        units: units.name(),
        rows,
        seconds: start.elapsed().as_secs_f64(),
    }
}

//! `ferromd check` on classical potentials: a clean shifted-force Lennard-Jones passes
//! every row, plain `lj/cut` (energy jumps at the cutoff) is caught by the smoothness
//! rows, and the command line prints a table and JSON with the documented exit status.
//! (TorchScript models with planted defects: `tests/check_planted.rs`, feature `torch`.)

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use ferromd::check::{CheckOptions, Report, Status, run_checks};
use ferromd_core::lattice::{CubicKind, Lattice};
use ferromd_core::{Species, UnitSystem};
use ferromd_potentials::PairPotential;

mod common;

use common::{on_two_threads, shifted_force_lj};

fn lj_report(potential: Arc<dyn ferromd_core::Potential>) -> Report {
    let system = Lattice::cubic_with_density(CubicKind::Fcc, 0.8442)
        .build([4, 4, 4], vec![Species::new("A", 1.0)])
        .unwrap();
    let options = CheckOptions::for_units(UnitSystem::Lj);
    on_two_threads(|| run_checks("lj", &system, potential, UnitSystem::Lj, &options))
}

fn status_of(report: &Report, name: &str) -> Status {
    report
        .rows
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no row `{name}` in {report:#?}"))
        .status
}

#[test]
fn shifted_force_lj_passes_every_row() {
    let rc = 2.5;
    let lj = PairPotential::from_table("lj/sf", 1, vec![(shifted_force_lj(rc), rc)]);
    let report = lj_report(Arc::new(lj));
    for row in &report.rows {
        assert!(
            matches!(row.status, Status::Pass | Status::Info),
            "{row:#?}"
        );
    }
    // every family ran
    for family in ["conservativeness", "symmetry", "smoothness", "dynamics"] {
        assert!(report.rows_of(family).count() >= 2, "{family}: {report:#?}");
    }
}

#[test]
fn plain_lj_cut_energy_jump_at_the_cutoff_is_caught() {
    let lj = ferromd_potentials::LjCutBuilder::new(1, 2.5)
        .pair(1, 1, 1.0, 1.0, None)
        .unwrap()
        .build()
        .unwrap();
    let report = lj_report(Arc::new(lj));
    // E(2.5) = -0.0163 of a well depth of 1: a 1.6 % jump
    let row = report
        .rows
        .iter()
        .find(|r| r.name == "dimer A-A: jumps (dE + F.dx)")
        .unwrap();
    assert_eq!(row.status, Status::Fail, "{row:#?}");
    assert!((row.value - 0.0163).abs() < 0.002, "{row:#?}");
    // the force does not vanish at the cutoff either (0.039 of ~1.6)
    assert_eq!(
        status_of(&report, "dimer A-A: force at cutoff"),
        Status::Warn
    );
    // symmetry is intact (the finite-difference row is not asserted: moving all atoms,
    // pairs cross the cutoff within the step and the energy jump shows there too)
    assert_eq!(
        status_of(&report, "rotation: forces equivariant"),
        Status::Pass
    );
}

#[test]
fn cli_prints_a_table_and_json_and_exits_one_on_failures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let deck = root.join("inputs/lj-melt.toml");
    let out = Command::new(env!("CARGO_BIN_EXE_ferromd"))
        .args(["check", "--threads", "2", "--nve-steps", "20", "--json"])
        .arg(&deck)
        .output()
        .unwrap();
    // plain lj/cut fails the smoothness rows: exit status 1
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["atoms"], 4000);
    let rows = json["rows"].as_array().unwrap();
    assert!(rows.iter().any(|r| r["status"] == "fail"));
    assert!(rows.iter().any(|r| r["name"] == "NVE energy drift"));
    let table = Command::new(env!("CARGO_BIN_EXE_ferromd"))
        .args(["check", "--threads", "2", "--nve-steps", "0"])
        .arg(&deck)
        .output()
        .unwrap();
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.contains("forces vs -dE/dx"), "{text}");
    assert!(text.contains("FAIL"), "{text}");
    assert!(!text.contains("NVE"), "--nve-steps 0 skips the run: {text}");
    // a model file without a structure is a usage error naming what is missing
    let bad = Command::new(env!("CARGO_BIN_EXE_ferromd"))
        .args(["check", "model.pt"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8(bad.stderr).unwrap();
    assert!(err.contains("--structure"), "{err}");
}

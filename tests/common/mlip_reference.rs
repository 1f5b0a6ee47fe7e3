//! Reference numbers of the random-weight TorchScript test models (MACE, NequIP), written
//! by their Python scripts in tests/reference/mlip/ at setup time (scripts/setup-mlip.sh),
//! and the comparison of a ferromd potential against them.

use std::path::{Path, PathBuf};

use ferromd_core::Potential;
use ferromd_core::evaluation::evaluate_forces;
use ferromd_core::nalgebra::Vector3;
use ferromd_core::neighbor::{NeighborSettings, Neighbors};
use ferromd_core::potential::{ForceOutput, ForceRequest};
use serde::Deserialize;

use super::ase::{ase_stress, system_from_ase};
use super::on_two_threads;

/// One structure evaluated by the model's own Python calculator (ASE conventions).
#[derive(Debug, Deserialize)]
pub struct Case {
    /// Its name.
    pub name: String,
    /// Cell vectors as rows, Å.
    pub cell: [[f64; 3]; 3],
    /// Periodicity along a, b, c.
    pub pbc: [bool; 3],
    /// Element of each atom.
    pub symbols: Vec<String>,
    /// Positions, Å.
    pub positions: Vec<[f64; 3]>,
    /// Total energy, eV.
    pub energy: f64,
    /// Per-atom energies, eV (absent from references written before they were recorded).
    pub energies: Option<Vec<f64>>,
    /// Forces, eV/Å.
    pub forces: Vec<[f64; 3]>,
    /// ASE: Voigt xx yy zz yz xz xy, eV/Å^3, −virial/V; absent for non-periodic cells.
    pub stress: Option<[f64; 6]>,
}

/// Where scripts/setup-mlip.sh puts the random-weight models and their references.
pub fn model_dir() -> PathBuf {
    std::env::var_os("FERROMD_MACE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/mlip"))
}

/// The SevenNet model exported by scripts/setup-mlip.sh at `$var`, by default
/// `target/mlip/file`; it must exist.
pub fn sevennet_model(var: &str, file: &str) -> PathBuf {
    let path = std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target/mlip")
            .join(file)
    });
    assert!(
        path.is_file(),
        "SevenNet model {} missing: run scripts/setup-mlip.sh (scripts/test.sh does)",
        path.display()
    );
    path
}

/// SevenNet-0: `$FERROMD_SEVENNET0`, by default `target/mlip/sevennet0.pt`.
pub fn sevennet0() -> PathBuf {
    sevennet_model("FERROMD_SEVENNET0", "sevennet0.pt")
}

/// The file `name` of the model directory, which must exist.
pub fn model_file(name: &str) -> PathBuf {
    let path = model_dir().join(name);
    assert!(
        path.is_file(),
        "test model file {} missing: run scripts/setup-mlip.sh (scripts/test.sh does)",
        path.display()
    );
    path
}

/// The reference JSON `name` of the model directory, parsed as `T`.
pub fn read_reference<T: for<'de> Deserialize<'de>>(name: &str) -> T {
    let path = model_file(name);
    let text = std::fs::read_to_string(&path).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Largest differences between ferromd and a reference over several structures.
#[derive(Debug, Default, Clone, Copy)]
pub struct Worst {
    /// |ΔE| / N, eV.
    pub energy_per_atom: f64,
    /// max |ΔE_i|, eV (0 where the reference has no per-atom energies).
    pub atom_energy: f64,
    /// max |ΔF| component, eV/Å.
    pub force: f64,
    /// max |Δσ| component, eV/Å^3 (periodic cases).
    pub stress: f64,
}

impl Worst {
    /// Panics, naming the quantity, unless every difference is below its tolerance:
    /// energy per atom, per-atom energies, force components and stress components.
    pub fn assert_below(&self, energy_per_atom: f64, atom_energy: f64, force: f64, stress: f64) {
        let w = self;
        assert!(w.energy_per_atom < energy_per_atom, "energy differs: {w:?}");
        assert!(
            w.atom_energy < atom_energy,
            "per-atom energies differ: {w:?}"
        );
        assert!(w.force < force, "forces differ: {w:?}");
        assert!(w.stress < stress, "stress differs: {w:?}");
    }
}

/// Energy, virial and per-atom energies.
const ALL: ForceRequest = ForceRequest {
    energy: true,
    virial: true,
    per_atom_energy: true,
};

/// Evaluates every case with the potential `load(elements)` returns (elements in order of
/// first appearance, one per species) on two threads, prints one line per case under
/// `title`, and returns the largest differences. Panics unless one case has ≥ 500 atoms.
pub fn compare_cases(
    title: &str,
    cases: &[Case],
    load: impl Fn(&[&str]) -> Box<dyn Potential>,
) -> Worst {
    let mut report = format!("{title}:\n");
    let mut worst = Worst::default();
    for case in cases {
        let (mut system, elements) =
            system_from_ase(&case.cell, case.pbc, &case.symbols, &case.positions);
        let n = system.len();
        let els: Vec<&str> = elements.iter().map(String::as_str).collect();
        let pot = load(&els);
        let out = on_two_threads(|| {
            let mut neighbors = Neighbors::new(
                NeighborSettings::with_skin(1.0),
                pot.cutoff(),
                pot.list_kind(),
            );
            neighbors.rebuild(&mut system).unwrap();
            let mut out = ForceOutput::new();
            evaluate_forces(&mut system, &neighbors, pot.as_ref(), ALL, &mut out, 0).unwrap();
            out
        });
        let de = (out.energy - case.energy).abs() / n as f64;
        let dei = match &case.energies {
            Some(energies) => energies
                .iter()
                .zip(&out.per_atom_energy)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max),
            None => 0.0,
        };
        let df = out.forces[..n]
            .iter()
            .zip(&case.forces)
            .map(|(f, r)| (f - Vector3::from(*r)).amax())
            .fold(0.0, f64::max);
        let ds = match &case.stress {
            Some(stress) => ase_stress(&out.virial, system.volume())
                .iter()
                .zip(stress)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max),
            None => 0.0,
        };
        report += &format!(
            "  {:<22} {n:>4} atoms: |dE|/N = {de:.1e} eV, max |dE_i| = {dei:.1e} eV, \
             max |dF| = {df:.1e} eV/Å, max |dσ| = {ds:.1e} eV/Å^3\n",
            case.name
        );
        worst = Worst {
            energy_per_atom: worst.energy_per_atom.max(de),
            atom_energy: worst.atom_energy.max(dei),
            force: worst.force.max(df),
            stress: worst.stress.max(ds),
        };
    }
    eprint!("{report}");
    assert!(
        cases.iter().any(|c| c.symbols.len() >= 500),
        "no structure with ≥ 500 atoms"
    );
    worst
}

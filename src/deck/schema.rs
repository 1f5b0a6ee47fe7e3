//! The serde schema of a TOML deck. Unknown keys are errors everywhere.
//!
//! Values that are checked after parsing (names that must refer to something,
//! choices among styles) are kept [`Spanned`] so errors can point at them.

use serde::Deserialize;
use toml::Spanned;

/// A whole deck.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeckSpec {
    /// Unit system: `lj`, `metal` or `real`.
    pub units: Spanned<String>,
    /// Compute backend: `cpu` (default) or `gpu` (cargo feature `gpu`).
    pub backend: Option<Spanned<String>>,
    /// Atom types with masses.
    pub species: Vec<SpeciesSpec>,
    /// Build the system from a lattice.
    pub lattice: Option<Spanned<LatticeSpec>>,
    /// Read the system from a structure file.
    pub structure: Option<Spanned<StructureSpec>>,
    /// Initial velocities.
    pub velocity: Option<VelocitySpec>,
    /// The interatomic potential.
    pub potential: PotentialSpec,
    /// Neighbor-list settings.
    #[serde(default)]
    pub neighbor: NeighborSpec,
    /// Time integration.
    pub integrator: IntegratorSpec,
    /// Run length and output.
    pub run: RunSpec,
    /// Files written during the run.
    pub output: Option<Spanned<OutputSpec>>,
    /// Observables (rdf, msd, vacf) averaged during the run and written to files.
    #[serde(default)]
    pub observables: Vec<Spanned<super::observables::ObservableSpec>>,
}

/// Files written during a run (`[output]`). Paths are relative to the working directory.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputSpec {
    /// Extended XYZ trajectory with energies, forces, stress and velocities per frame.
    pub trajectory: Option<Spanned<String>>,
    /// Write a trajectory frame every this many steps (default: the thermo interval;
    /// 0: first and last step only).
    pub every: Option<Spanned<u64>>,
    /// Format of `thermo_file`: `lammps` (the screen table), `csv` or `jsonl`.
    pub thermo_format: Option<Spanned<String>>,
    /// File receiving the thermo rows (besides the screen).
    pub thermo_file: Option<Spanned<String>>,
}

/// One atom type.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpeciesSpec {
    /// Name (element symbol or label) used elsewhere in the deck and in structure files.
    pub name: Spanned<String>,
    /// Mass in the unit system's mass unit.
    pub mass: Spanned<f64>,
}

/// A crystal lattice repeated to fill the box.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatticeSpec {
    /// `sc`, `bcc`, `fcc`, `diamond` or `custom`.
    pub kind: Spanned<String>,
    /// Lattice constant (length unit). Give this or `density`.
    pub constant: Option<Spanned<f64>>,
    /// Number density; sets the constant (LAMMPS's reduced-density form). Give this or `constant`.
    pub density: Option<Spanned<f64>>,
    /// Unit cells along a, b, c.
    pub repeat: Spanned<[u32; 3]>,
    /// Species of every basis atom (named lattices).
    pub species: Option<Spanned<String>>,
    /// Unit-cell vectors a, b, c in units of the constant (custom lattices).
    pub vectors: Option<[[f64; 3]; 3]>,
    /// Basis atoms (custom lattices).
    pub basis: Option<Vec<BasisSpec>>,
}

/// One basis atom of a custom lattice.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasisSpec {
    /// Fractional coordinates in the unit cell.
    pub position: [f64; 3],
    /// Species name.
    pub species: Spanned<String>,
}

/// A structure file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StructureSpec {
    /// Path to an XYZ, extended-XYZ or LAMMPS dump file, relative to the deck.
    pub file: Spanned<String>,
    /// Cell vectors a, b, c (rows), required when the file has no `Lattice`.
    pub cell: Option<[[f64; 3]; 3]>,
    /// Periodicity along a, b, c (default: from the file, else all periodic).
    pub periodic: Option<[bool; 3]>,
    /// LAMMPS dumps: the frame to start from (0 the first, -1 the last; default -1).
    pub frame: Option<Spanned<i64>>,
}

/// Initial velocities.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VelocitySpec {
    /// Target temperature.
    pub temperature: Spanned<f64>,
    /// Random seed.
    pub seed: u64,
}

/// The potential.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PotentialSpec {
    /// Style name: `lj/cut`, `eam`, `eam/alloy`, `eam/fs`, `tersoff`, `sw`, `e3gnn`
    /// (`sevennet`), `mace`, `torchscript` (either TorchScript convention, read from the
    /// file), ...
    pub style: Spanned<String>,
    /// Global cutoff (`lj/cut`).
    pub cutoff: Option<Spanned<f64>>,
    /// Shift energies to zero at the cutoff.
    #[serde(default)]
    pub shift: bool,
    /// Mixing rule for unlike pairs: `geometric`, `arithmetic`, `sixthpower`.
    pub mixing: Option<Spanned<String>>,
    /// Per-pair coefficients.
    #[serde(default)]
    pub coeff: Vec<Spanned<PairCoeffSpec>>,
    /// EAM, `tersoff` and `sw` styles: the potential file (relative to the deck, the working directory,
    /// `$FERROMD_POTENTIALS` or `./potentials/`).
    pub file: Option<Spanned<String>>,
    /// EAM styles `eam/alloy` and `eam/fs`, `tersoff`, `sw`, and TorchScript models: the element of each
    /// species, in species order (default: the species names).
    pub elements: Option<Spanned<Vec<String>>>,
    /// TorchScript styles (`e3gnn`, `mace`, `torchscript`): the model file (relative to the
    /// deck or the working directory), e.g. SevenNet-0 exported by `scripts/setup-mlip.sh`.
    pub model: Option<Spanned<String>>,
    /// TorchScript styles: where the model runs, `cpu` (default), `cuda` or `cuda:N`.
    pub device: Option<Spanned<String>>,
}

/// Coefficients of one species pair.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairCoeffSpec {
    /// The two species.
    pub species: Spanned<[String; 2]>,
    /// Well depth.
    pub epsilon: f64,
    /// Length scale.
    pub sigma: f64,
    /// Cutoff for this pair (default: the global cutoff).
    pub cutoff: Option<f64>,
}

/// Neighbor-list settings (LAMMPS `neighbor`/`neigh_modify`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeighborSpec {
    /// Skin distance (default: the unit system's default).
    pub skin: Option<Spanned<f64>>,
    /// Check for a rebuild every this many steps (default 1).
    pub every: Option<Spanned<u64>>,
    /// Do not rebuild within this many steps of the last build (default 0).
    pub delay: Option<u64>,
    /// Rebuild only if an atom moved more than half the skin (default true).
    pub check: Option<bool>,
}

/// Time integration.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntegratorSpec {
    /// Integrator style: `nve`, `langevin` (BAOAB), `nvt` (Nosé-Hoover chains), `csvr`
    /// (Bussi velocity rescaling), `berendsen`, `npt` (MTK barostat with a Nosé-Hoover
    /// chain) or `nph` (MTK barostat).
    pub style: Spanned<String>,
    /// Timestep (default: the unit system's default).
    pub timestep: Option<Spanned<f64>>,
    /// Thermostat target temperature (required by the thermostat styles).
    pub temperature: Option<Spanned<f64>>,
    /// Thermostat time constant in time units: LAMMPS's `damp` (Langevin, CSVR,
    /// Berendsen) or `Tdamp` (nvt). Required by the thermostat styles.
    pub damping: Option<Spanned<f64>>,
    /// Random seed of the stochastic styles (`langevin`, `csvr`); required by them.
    pub seed: Option<Spanned<u64>>,
    /// `nvt`: thermostats in the chain (LAMMPS `tchain`, default 3).
    pub chain: Option<Spanned<u64>>,
    /// `nvt`: sub-steps of each thermostat half step (LAMMPS `tloop`, default 1).
    pub loops: Option<Spanned<u64>>,
    /// `nvt`: Suzuki-Yoshida order of each sub-step, 1, 3, 5 or 7 (default 1, as LAMMPS).
    pub suzuki_yoshida: Option<Spanned<u64>>,
    /// `langevin`: remove the net momentum of the random kicks (LAMMPS `zero yes`;
    /// default false).
    pub zero_momentum: Option<bool>,
    /// `npt`, `nph`: target pressure in the unit system's pressure units.
    pub pressure: Option<Spanned<f64>>,
    /// `npt`, `nph`: barostat time constant (LAMMPS `Pdamp`).
    pub pressure_damping: Option<Spanned<f64>>,
    /// `npt`, `nph`: `"iso"` (default) or `"aniso"` cell coupling.
    pub coupling: Option<Spanned<String>>,
    /// `"c-rescale"`: wrap a thermostat style (`langevin`, `nvt`, `csvr`, `berendsen`) in
    /// the Bernetti-Bussi stochastic cell rescaling barostat (iso; reads `pressure`,
    /// `pressure_damping`, `modulus` and `seed`, whose successor seeds the barostat).
    pub barostat: Option<Spanned<String>>,
    /// `barostat = "c-rescale"`: bulk modulus in pressure units (default 10, as LAMMPS's
    /// `fix press/berendsen`).
    pub modulus: Option<Spanned<f64>>,
}

/// Run control.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSpec {
    /// Number of steps.
    pub steps: u64,
    /// Print thermo every this many steps (0: first and last step only).
    #[serde(default)]
    pub thermo: u64,
}

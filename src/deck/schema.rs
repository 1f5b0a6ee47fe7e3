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
    /// `committee` potentials: extended XYZ file receiving every frame whose largest
    /// atomic force deviation exceeds `uncertainty_threshold`, with every member's energy
    /// and forces (for relabelling in active learning).
    pub uncertain_frames: Option<Spanned<String>>,
    /// Force-deviation threshold (force units, eV/Å in metal units) of `uncertain_frames`.
    pub uncertainty_threshold: Option<Spanned<f64>>,
    /// `committee` potentials: DeePMD-kit's `model_devi.out` (the spread of the members'
    /// virials and forces), one line every `model_deviation_every` steps.
    pub model_deviation: Option<Spanned<String>>,
    /// Interval of `model_deviation` in steps: a line at every multiple (default: the
    /// thermo interval; 0: first and last step only).
    pub model_deviation_every: Option<Spanned<u64>>,
    /// `model_deviation` as `pair_style deepmd`'s `relative L`: each atom's force
    /// deviation divided by `|F̄_i| + L` (force units).
    pub model_deviation_relative: Option<Spanned<f64>>,
    /// `model_deviation` as `pair_style deepmd`'s `relative_v L`: each virial component's
    /// deviation divided by `|W̄_ab|/N + L` (energy units).
    pub model_deviation_relative_v: Option<Spanned<f64>>,
    /// `model_deviation` as `pair_style deepmd`'s `atomic`: every atom's force deviation
    /// (atom-ID order) appended to each line.
    pub model_deviation_atomic: Option<Spanned<bool>>,
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
    /// Style name: `lj/cut`, `lj/smooth/linear`, `morse`, `buck`, `born`, `yukawa`, `soft`,
    /// `zbl`, `coul/cut`, `lj/cut/coul/cut`, `table`, `eam`, `eam/alloy`, `eam/fs`,
    /// `tersoff`, `tersoff/mod`, `sw`, `e3gnn` (`sevennet`), `mace`, `nequip`, `torchscript` (any TorchScript
    /// convention, read from the file), `hybrid/overlay` (the sum of `overlay`), or
    /// `committee` (the members are the `[[potential.committee]]` tables).
    pub style: Spanned<String>,
    /// `committee`: the member potentials, each a table with the keys of `[potential]`.
    #[serde(default)]
    pub committee: Vec<Spanned<PotentialSpec>>,
    /// `committee`: the 1-based number of the member whose forces move the atoms
    /// (default: the mean of all members).
    pub drive_member: Option<Spanned<i64>>,
    /// Global cutoff of the pair styles (`pair_style STYLE ... CUTOFF`).
    pub cutoff: Option<Spanned<f64>>,
    /// `lj/cut/coul/cut`: global Coulomb cutoff (default: `cutoff`).
    pub coulomb_cutoff: Option<Spanned<f64>>,
    /// `yukawa`: inverse screening length.
    pub kappa: Option<Spanned<f64>>,
    /// `zbl`: distance where the switching to zero starts.
    pub inner: Option<Spanned<f64>>,
    /// `zbl`: cutoff, where energy and force reach zero.
    pub outer: Option<Spanned<f64>>,
    /// `table`: interpolation, `lookup`, `linear` or `spline`.
    pub interpolation: Option<Spanned<String>>,
    /// `table`: number of interpolation points N.
    pub points: Option<Spanned<u64>>,
    /// Shift energies to zero at the cutoff (`pair_modify shift yes`).
    #[serde(default)]
    pub shift: bool,
    /// `lj/cut`: long-range tail correction to energy and pressure (`pair_modify tail yes`).
    #[serde(default)]
    pub tail: bool,
    /// Mixing rule for unlike pairs: `geometric`, `arithmetic`, `sixthpower`.
    pub mixing: Option<Spanned<String>>,
    /// Per-pair coefficients of the pair styles.
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
    /// `hybrid/overlay`: the potentials summed, each a full `[potential]`-like table
    /// acting on every species pair.
    #[serde(default)]
    pub overlay: Vec<PotentialSpec>,
    /// TorchScript styles: the head (fidelity) of a multi-head model, read from the
    /// model's metadata (SevenNet multi-fidelity `modal`, MACE `head`); alias `modal`.
    #[serde(alias = "modal")]
    pub head: Option<Spanned<String>>,
    /// TorchScript styles: total charge of the system (elementary charges), for models
    /// that read it (input `total_charge`).
    pub charge: Option<Spanned<f64>>,
    /// TorchScript styles: spin multiplicity `2S + 1` of the system, for models that read
    /// it (input `total_spin`).
    pub spin_multiplicity: Option<Spanned<f64>>,
}

/// Coefficients of one species pair; which keys a style reads is listed in
/// `src/deck/pair_styles.rs` (and README.md).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairCoeffSpec {
    /// The two species.
    pub species: Spanned<[String; 2]>,
    /// Cutoff for this pair (default: the global cutoff; for `table`, the table's end).
    pub cutoff: Option<f64>,
    /// `lj/cut`, `lj/smooth/linear`, `lj/cut/coul/cut`: well depth.
    pub epsilon: Option<f64>,
    /// `lj/cut`, `lj/smooth/linear`, `lj/cut/coul/cut`: zero-crossing distance; `born`: its sigma.
    pub sigma: Option<f64>,
    /// `morse`: well depth.
    pub d0: Option<f64>,
    /// `morse`: stiffness.
    pub alpha: Option<f64>,
    /// `morse`: equilibrium distance.
    pub r0: Option<f64>,
    /// `buck`, `born`: repulsion prefactor; `yukawa`, `soft`: prefactor.
    pub a: Option<f64>,
    /// `buck`, `born`: repulsion decay length.
    pub rho: Option<f64>,
    /// `buck`, `born`: dispersion (`C/r^6`) coefficient.
    pub c: Option<f64>,
    /// `born`: `D/r^8` coefficient.
    pub d: Option<f64>,
    /// `zbl`: nuclear charges of the two species.
    pub z: Option<[f64; 2]>,
    /// `lj/cut/coul/cut`: Coulomb cutoff of this pair.
    pub coulomb_cutoff: Option<f64>,
    /// `table`: the table file (relative to the deck, the working directory,
    /// `$FERROMD_POTENTIALS` or `./potentials/`).
    pub file: Option<String>,
    /// `table`: the section of the file.
    pub keyword: Option<String>,
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
    /// Thermostat styles and `npt`: target temperature at the last step of each run
    /// (LAMMPS `Tstop`); the target ramps linearly from `temperature` (default: no ramp).
    pub temperature_stop: Option<Spanned<f64>>,
    /// `npt`, `nph` and `barostat = "c-rescale"`: target pressure at the last step of each
    /// run (LAMMPS `Pstop`); the target ramps linearly from `pressure` (default: no ramp).
    pub pressure_stop: Option<Spanned<f64>>,
    /// `npt`, `nph`: target pressure in the unit system's pressure units.
    pub pressure: Option<Spanned<f64>>,
    /// `npt`, `nph`: barostat time constant (LAMMPS `Pdamp`).
    pub pressure_damping: Option<Spanned<f64>>,
    /// `npt`, `nph`: `"iso"` (default), `"aniso"` or `"tri"` cell coupling;
    /// `barostat = "c-rescale"`: `"iso"` (default), `"aniso"`, or `"xy"`, `"xz"`, `"yz"`
    /// (semi-isotropic: those two axes share one scale factor, the third has its own).
    pub coupling: Option<Spanned<String>>,
    /// `"c-rescale"`: wrap a thermostat style (`langevin`, `nvt`, `csvr`, `berendsen`) in
    /// the Bernetti-Bussi stochastic cell rescaling barostat (reads `pressure`,
    /// `pressure_damping`, `coupling`, `modulus` and `seed`, whose successor seeds the
    /// barostat).
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

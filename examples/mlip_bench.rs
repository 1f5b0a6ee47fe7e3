//! Times MD with a TorchScript model (SevenNet `pair_e3gnn`, MACE `pair_mace` or NequIP
//! `pair_nequip`, read from the file) on diamond silicon (used by `benches/mlip-sevennet.sh` and
//! `benches/mlip-mace.sh`; needs `--features torch`).
//!
//! ```text
//! cargo run --release --features torch --example mlip_bench -- MODEL REPEAT STEPS [THREADS]
//! ```
//!
//! Builds Si diamond (a = 5.43 Å) repeated REPEAT³ times (8·REPEAT³ atoms) at 300 K,
//! runs STEPS velocity-Verlet steps of 1 fs after two warm-up steps and prints one line:
//! atoms, ms/step, model (forward + backward) ms/step and the share of the step outside it.

use ferromd::core::lattice::{CubicKind, Lattice};
use ferromd::core::neighbor::NeighborSettings;
use ferromd::core::simulation::Silent;
use ferromd::core::{IntegrationParameters, Potential, Simulation, Species, UnitSystem, velocity};
use ferromd::integrators::VelocityVerlet;
use ferromd::potentials::mlip::{
    self, Convention, E3gnn, LammpsMace, MlipOptions, MlipTimings, Nequip,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        return Err("usage: mlip_bench MODEL REPEAT STEPS [THREADS]".into());
    }
    let repeat: usize = args[1].parse()?;
    let steps: u64 = args[2].parse()?;
    let threads: usize = args.get(3).map(|t| t.parse()).transpose()?.unwrap_or(2);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()?;
    let device = std::env::var("FERROMD_DEVICE").unwrap_or_else(|_| "cpu".into());
    let options = MlipOptions {
        device,
        ..Default::default()
    };
    let model = match mlip::detect_convention(std::path::Path::new(&args[0]))? {
        Convention::E3gnn => Model::E3gnn(E3gnn::load(&args[0], &["Si"], &options)?),
        Convention::Mace => Model::Mace(LammpsMace::load(&args[0], &["Si"], &options)?),
        Convention::Nequip => Model::Nequip(Nequip::load(&args[0], &["Si"], &options)?),
    };
    let mut system = Lattice::cubic(CubicKind::Diamond, 5.43)
        .build([repeat; 3], vec![Species::new("Si", 28.0855)])?;
    let n = system.len();
    velocity::create_velocities(&mut system, 300.0, 4928459, &UnitSystem::Metal.constants());
    let params = IntegrationParameters {
        dt: 0.001,
        neighbor: NeighborSettings::with_skin(1.0),
    };
    let model = std::sync::Arc::new(model);
    let mut sim = Simulation::new(
        system,
        UnitSystem::Metal,
        params,
        Box::new(Shared(model.clone())),
        Box::new(VelocityVerlet::new()),
    )?;
    sim.run(2, 0, &mut Silent)?; // warm-up: first calls let torch settle its kernels
    let before = model.timings();
    let start = std::time::Instant::now();
    sim.run(steps, 0, &mut Silent)?;
    let wall = start.elapsed().as_secs_f64();
    let after = model.timings();
    let per_step = wall / steps as f64 * 1e3;
    let model_ms = (after.model - before.model) / steps as f64 * 1e3;
    let compute_ms = (after.compute - before.compute) / steps as f64 * 1e3;
    println!(
        "ferromd atoms {n} threads {threads} ms/step {per_step:.2} model_ms {model_ms:.2} \
         compute_ms {compute_ms:.2} outside_model {:.2}%",
        100.0 * (per_step - model_ms) / per_step
    );
    Ok(())
}

/// The model of any convention, with its timings.
enum Model {
    E3gnn(E3gnn),
    Mace(LammpsMace),
    Nequip(Nequip),
}

impl Model {
    fn potential(&self) -> &dyn Potential {
        match self {
            Model::E3gnn(m) => m,
            Model::Mace(m) => m,
            Model::Nequip(m) => m,
        }
    }

    fn timings(&self) -> MlipTimings {
        match self {
            Model::E3gnn(m) => m.timings(),
            Model::Mace(m) => m.timings(),
            Model::Nequip(m) => m.timings(),
        }
    }
}

/// Lets the benchmark read the model's timings while the simulation owns the potential.
struct Shared(std::sync::Arc<Model>);

impl Potential for Shared {
    fn cutoff(&self) -> f64 {
        self.0.potential().cutoff()
    }
    fn list_kind(&self) -> ferromd::core::neighbor::ListKind {
        self.0.potential().list_kind()
    }
    fn compute(
        &self,
        input: &ferromd::core::potential::ForceInput<'_>,
        out: &mut ferromd::core::potential::ForceOutput,
    ) -> Result<(), ferromd::core::potential::PotentialError> {
        self.0.potential().compute(input, out)
    }
    fn name(&self) -> &str {
        self.0.potential().name()
    }
}

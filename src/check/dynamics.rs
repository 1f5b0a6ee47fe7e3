//! NVE stability and drift, close contacts and speed, from one short velocity-Verlet run.
//!
//! Velocities are drawn at the chosen temperature (seeded), the run takes
//! `nve_steps` steps at the chosen timestep, and the total energy is sampled every
//! [`SAMPLE_EVERY`] steps. Rows:
//!
//! * **Energy drift**: the least-squares slope of the total energy per atom against
//!   time, in units of `k_B T` per atom per ps (per τ in lj units); `0.04 k_B T/ps` is
//!   ≈ 1 meV/atom/ps at 300 K. Non-conservative forces heat the system and fail here.
//! * **Close contacts**: the smallest distance of any pair during the run over the sum
//!   of their covalent radii (over the shortest initial distance for non-element type
//!   names); below `contact_fraction` (default 0.5) the run has "exploded". A run that
//!   stops with non-finite forces or lost atoms fails here too.
//! * **Speed**: ms per step (force, neighbor and integration time, without the
//!   check's own bookkeeping) and atom-steps per second; informational.

use std::ops::ControlFlow;
use std::sync::Arc;

use ferromd_core::neighbor::ListKind;
use ferromd_core::potential::{AnalyticHessian, ForceInput, ForceOutput, PotentialError};
use ferromd_core::{
    IntegrationParameters, Potential, RunObserver, Simulation, System, ThermoSample, UnitSystem,
    velocity,
};
use ferromd_integrators::VelocityVerlet;

use super::elements::covalent_radius;
use super::{CheckOptions, Row, Status};

/// Total-energy samples are taken every this many steps.
pub const SAMPLE_EVERY: u64 = 5;
/// Drift in `k_B T` per atom per ps: pass below.
pub const DRIFT_PASS: f64 = 0.04;
/// Drift in `k_B T` per atom per ps: warn below, fail above.
pub const DRIFT_WARN: f64 = 0.4;

const CHECK: &str = "dynamics";

/// A shared potential as an owned one (the simulation takes ownership of its potential).
struct Shared(Arc<dyn Potential>);

impl Potential for Shared {
    fn cutoff(&self) -> f64 {
        self.0.cutoff()
    }
    fn list_kind(&self) -> ListKind {
        self.0.list_kind()
    }
    fn compute(&self, input: &ForceInput<'_>, out: &mut ForceOutput) -> Result<(), PotentialError> {
        self.0.compute(input, out)
    }
    fn name(&self) -> &str {
        self.0.name()
    }
    fn conservative(&self) -> bool {
        self.0.conservative()
    }
    fn analytic_hessian(&self) -> Option<&dyn AnalyticHessian> {
        self.0.analytic_hessian()
    }
}

/// Records total energies and the closest approach of any pair.
struct Watch {
    samples: Vec<(u64, f64)>,
    /// Reference contact distance per type pair.
    reference: Vec<Vec<f64>>,
    /// Smallest distance / reference so far, and the pair's distance and step.
    closest: (f64, f64, u64),
}

impl RunObserver for Watch {
    fn thermo(&mut self, s: &ThermoSample) {
        self.samples.push((s.step, s.pe + s.ke));
    }

    fn simulation_step_done(&mut self, sim: &Simulation) -> ControlFlow<()> {
        let ghosts = sim.neighbors().ghosts();
        let list = sim.neighbors().list();
        let x = ghosts.positions();
        let t = ghosts.types();
        for i in 0..list.n_atoms() {
            for &j in list.neighbors(i) {
                let j = j as usize;
                let d = (x[j] - x[i]).norm();
                let r = d / self.reference[t[i] as usize][t[j] as usize];
                if r < self.closest.0 {
                    self.closest = (r, d, sim.current_step());
                }
            }
        }
        ControlFlow::Continue(())
    }
}

/// Shortest distance between any two atoms of `system` (minimum image, brute force
/// over at most the first 2,000 atoms).
fn shortest_distance(system: &System) -> f64 {
    let n = system.len().min(2000);
    let mut best = f64::INFINITY;
    for i in 0..n {
        for j in i + 1..n {
            let d = system
                .cell
                .minimum_image(&(system.positions[j] - system.positions[i]));
            best = best.min(d.norm());
        }
    }
    best
}

/// Runs the NVE rows.
pub fn check(
    system: &System,
    potential: Arc<dyn Potential>,
    units: UnitSystem,
    options: &CheckOptions,
) -> Vec<Row> {
    let constants = units.constants();
    let mut s = system.clone();
    velocity::create_velocities(&mut s, options.temperature, options.seed, &constants);
    let radii: Vec<Option<f64>> = s
        .species
        .iter()
        .map(|sp| covalent_radius(&sp.name))
        .collect();
    let fallback = shortest_distance(system);
    let (reference, contact_basis) = if radii.iter().all(Option::is_some) {
        let r: Vec<f64> = radii.iter().map(|r| r.unwrap_or(0.0)).collect();
        (
            r.iter()
                .map(|a| r.iter().map(|b| a + b).collect())
                .collect::<Vec<Vec<f64>>>(),
            "the sum of covalent radii",
        )
    } else {
        (
            vec![vec![fallback; s.species.len()]; s.species.len()],
            "the shortest initial distance",
        )
    };
    let mut params = IntegrationParameters::defaults_for(units);
    params.dt = options.timestep;
    params.neighbor.skin = params.neighbor.skin.min(0.2 * potential.cutoff()).max(1e-3);
    let mut watch = Watch {
        samples: Vec::new(),
        reference,
        closest: (f64::INFINITY, f64::INFINITY, 0),
    };
    let steps = options.nve_steps;
    let run = Simulation::new(
        s,
        units,
        params,
        Box::new(Shared(potential)),
        Box::new(VelocityVerlet::new()),
    )
    .and_then(|mut sim| sim.run(steps, SAMPLE_EVERY, &mut watch));
    let n = system.len() as f64;
    let mut rows = Vec::new();
    let summary = match run {
        Ok(summary) => summary,
        Err(e) => {
            rows.push(Row::failed(
                CHECK,
                "NVE run",
                format!("the run stopped: {e} (exploded or left the model's domain)"),
            ));
            return rows;
        }
    };
    // drift: least-squares slope of E/N against time
    let time_unit_ps = if units == UnitSystem::Lj {
        1.0
    } else {
        constants.time_to_fs / 1000.0
    };
    let t: Vec<f64> = watch
        .samples
        .iter()
        .map(|(k, _)| *k as f64 * options.timestep * time_unit_ps)
        .collect();
    let e: Vec<f64> = watch.samples.iter().map(|(_, e)| e / n).collect();
    let m = t.len() as f64;
    let (tm, em) = (t.iter().sum::<f64>() / m, e.iter().sum::<f64>() / m);
    let stt: f64 = t.iter().map(|x| (x - tm).powi(2)).sum();
    let ste: f64 = t.iter().zip(&e).map(|(x, y)| (x - tm) * (y - em)).sum();
    let slope = if stt > 0.0 { ste / stt } else { f64::NAN };
    let kt = constants.boltz * options.temperature;
    let per = if units == UnitSystem::Lj { "tau" } else { "ps" };
    let energy_unit = if units == UnitSystem::Metal {
        "eV"
    } else {
        "energy units"
    };
    rows.push(Row::graded(
        CHECK,
        "NVE energy drift",
        (slope / kt).abs(),
        format!("kT/atom/{per}"),
        DRIFT_PASS,
        DRIFT_WARN,
        format!(
            "{steps} steps of {} at T = {}: slope {slope:.3e} {energy_unit}/atom/{per} \
             (signed; kT = {kt:.4e}), E/N from {:.6e} to {:.6e}",
            options.timestep,
            options.temperature,
            e.first().copied().unwrap_or(f64::NAN),
            e.last().copied().unwrap_or(f64::NAN)
        ),
    ));
    let (ratio, d, step) = watch.closest;
    // no pair within the list cutoff at all counts as no contact (ratio = infinity)
    let status = if ratio >= options.contact_fraction {
        Status::Pass
    } else {
        Status::Fail
    };
    rows.push(Row {
        check: CHECK,
        name: "NVE close contacts".into(),
        status,
        value: ratio,
        unit: "dmin/ref".into(),
        threshold: format!("pass >= {}", options.contact_fraction),
        detail: format!(
            "closest pair {d:.4} at step {step}, relative to {contact_basis} \
             (shortest initial distance {fallback:.4})"
        ),
    });
    let busy = summary.sections.pair + summary.sections.neigh + summary.sections.modify;
    let ms = busy.as_secs_f64() * 1e3 / steps.max(1) as f64;
    rows.push(Row {
        check: CHECK,
        name: "speed".into(),
        status: Status::Info,
        value: ms,
        unit: "ms/step".into(),
        threshold: String::new(),
        detail: format!(
            "{:.4e} atom-steps/s on {} atoms, {} threads",
            n * steps as f64 / busy.as_secs_f64().max(1e-12),
            system.len(),
            rayon::current_num_threads()
        ),
    });
    rows
}

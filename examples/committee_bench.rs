//! Measures what a committee of two SevenNet models costs beyond evaluating both models
//! (used by `benches/committee-sevennet.sh`; needs `--features torch`).
//!
//! ```text
//! cargo run --release --features torch --example committee_bench -- MODEL_A MODEL_B REPEAT STEPS [THREADS] [ROUNDS]
//! ```
//!
//! On diamond silicon (8·REPEAT³ atoms, 300 K, 1 fs steps) it runs, back to back and
//! ROUNDS times (default 3): STEPS MD steps with model A alone, with model B alone, and with
//! the committee of both (mean forces, members' energies at every step). For each it takes
//! the fastest round and prints ms/step; then
//! * `overhead_vs_members`: the committee's MD step against one MD step of A alone plus
//!   B's evaluation time alone, i.e. what the committee adds beyond evaluating both models
//!   (folding, mean, deviation, record);
//! * `wrapper_share`: inside the committee run, the committee's compute time beyond its
//!   members' compute time, as a share of the members' time.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use ferromd::core::lattice::{CubicKind, Lattice};
use ferromd::core::neighbor::{ListKind, NeighborSettings};
use ferromd::core::potential::{ForceInput, ForceOutput, PotentialError};
use ferromd::core::simulation::Silent;
use ferromd::core::{IntegrationParameters, Potential, Simulation, Species, UnitSystem, velocity};
use ferromd::integrators::VelocityVerlet;
use ferromd::potentials::mlip::{E3gnn, MlipOptions};
use ferromd::potentials::{Committee, CommitteeDrive};

/// A model shared with the benchmark, so its timings can be read while a simulation owns it.
#[derive(Clone)]
struct Shared(Arc<E3gnn>);

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
}

/// A potential whose compute time is accumulated (the committee as a whole).
struct Timed {
    inner: Box<dyn Potential>,
    seconds: Arc<Mutex<f64>>,
}

impl Potential for Timed {
    fn cutoff(&self) -> f64 {
        self.inner.cutoff()
    }
    fn list_kind(&self) -> ListKind {
        self.inner.list_kind()
    }
    fn compute(&self, input: &ForceInput<'_>, out: &mut ForceOutput) -> Result<(), PotentialError> {
        let start = Instant::now();
        let r = self.inner.compute(input, out);
        *self.seconds.lock().unwrap() += start.elapsed().as_secs_f64();
        r
    }
    fn name(&self) -> &str {
        self.inner.name()
    }
}

/// Runs `steps` MD steps (after two warm-up steps) with `potential`; returns ms/step.
fn md(
    potential: Box<dyn Potential>,
    repeat: usize,
    steps: u64,
) -> Result<f64, Box<dyn std::error::Error>> {
    let mut system = Lattice::cubic(CubicKind::Diamond, 5.43)
        .build([repeat; 3], vec![Species::new("Si", 28.0855)])?;
    velocity::create_velocities(&mut system, 300.0, 4928459, &UnitSystem::Metal.constants());
    let params = IntegrationParameters {
        dt: 0.001,
        neighbor: NeighborSettings::with_skin(1.0),
    };
    let mut sim = Simulation::new(
        system,
        UnitSystem::Metal,
        params,
        potential,
        Box::new(VelocityVerlet::new()),
    )?;
    sim.run(2, 0, &mut Silent)?;
    let start = Instant::now();
    sim.run(steps, 0, &mut Silent)?;
    Ok(start.elapsed().as_secs_f64() / steps as f64 * 1e3)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 4 {
        return Err(
            "usage: committee_bench MODEL_A MODEL_B REPEAT STEPS [THREADS] [ROUNDS]".into(),
        );
    }
    let repeat: usize = args[2].parse()?;
    let steps: u64 = args[3].parse()?;
    let threads: usize = args.get(4).map(|t| t.parse()).transpose()?.unwrap_or(2);
    let rounds: usize = args.get(5).map(|t| t.parse()).transpose()?.unwrap_or(3);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()?;
    let options = MlipOptions::default();
    let a = Shared(Arc::new(E3gnn::load(&args[0], &["Si"], &options)?));
    let b = Shared(Arc::new(E3gnn::load(&args[1], &["Si"], &options)?));
    let compute_ms = |m: &Shared, before: ferromd::potentials::mlip::MlipTimings| {
        let t = m.0.timings();
        (t.compute - before.compute) / (t.calls - before.calls) as f64 * 1e3
    };
    let (mut step_a, mut step_b, mut eval_b, mut step_c, mut share) =
        (f64::MAX, f64::MAX, f64::MAX, f64::MAX, f64::MAX);
    for _ in 0..rounds {
        step_a = step_a.min(md(Box::new(a.clone()), repeat, steps)?);
        let before = b.0.timings();
        step_b = step_b.min(md(Box::new(b.clone()), repeat, steps)?);
        eval_b = eval_b.min(compute_ms(&b, before));
        let committee = Committee::new(
            vec![Box::new(a.clone()), Box::new(b.clone())],
            CommitteeDrive::Mean,
        )?
        .with_energies_always(true);
        let seconds = Arc::new(Mutex::new(0.0));
        let timed = Timed {
            inner: Box::new(committee),
            seconds: Arc::clone(&seconds),
        };
        let (ta, tb) = (a.0.timings(), b.0.timings());
        step_c = step_c.min(md(Box::new(timed), repeat, steps)?);
        let members = (a.0.timings().compute - ta.compute) + (b.0.timings().compute - tb.compute);
        let whole = *seconds.lock().unwrap();
        share = share.min((whole - members) / members);
    }
    let n = 8 * repeat.pow(3);
    println!(
        "atoms {n} threads {threads} steps {steps} rounds {rounds}: A {step_a:.2} ms/step, \
         B {step_b:.2} ms/step (B evaluation {eval_b:.2} ms), committee {step_c:.2} ms/step; \
         overhead_vs_members {:+.2}% wrapper_share {:.3}%",
        100.0 * (step_c / (step_a + eval_b) - 1.0),
        100.0 * share
    );
    Ok(())
}

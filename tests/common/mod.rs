//! Helpers shared by the integration tests (each test file includes this module and uses
//! part of it).
#![allow(dead_code)]

pub mod ase;
pub mod interrupt;
pub mod mlip_reference;
pub mod script;
pub mod silicon;

use std::ops::ControlFlow;
use std::path::PathBuf;

use ferromd_core::nalgebra::Vector3;
use ferromd_core::{RunObserver, System, ThermoSample};
use ferromd_potentials::{LennardJones, ShiftedForce};

/// Collects thermo samples and, every step, the largest change of the total momentum.
#[derive(Default)]
pub struct Recorder {
    /// Thermo samples in order.
    pub samples: Vec<ThermoSample>,
    /// Total momentum at the first step seen (or set by the test).
    pub initial_momentum: Option<Vector3<f64>>,
    /// Largest component of `P(t) - P(0)` seen so far.
    pub max_momentum_change: f64,
}

impl RunObserver for Recorder {
    fn thermo(&mut self, sample: &ThermoSample) {
        self.samples.push(*sample);
    }

    fn step_done(&mut self, _step: u64, system: &System) -> ControlFlow<()> {
        let p = system.total_momentum();
        let p0 = *self.initial_momentum.get_or_insert(p);
        self.max_momentum_change = self.max_momentum_change.max((p - p0).amax());
        ControlFlow::Continue(())
    }
}

/// Runs `f` on a private two-thread pool, so trajectories (whose summation order depends
/// on the thread count) are the same on any machine.
pub fn on_two_threads<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap()
        .install(f)
}

/// Shifted-force Lennard-Jones (`E(r) - E(rc) + (r - rc) F(rc)`, LAMMPS's
/// `lj/smooth/linear`) with epsilon = sigma = 1: energy and force vanish at the cutoff.
pub fn shifted_force_lj(rc: f64) -> ShiftedForce<LennardJones> {
    ShiftedForce::new(LennardJones::new(1.0, 1.0), rc)
}

/// A fresh scratch directory, unique per call (tests run in parallel).
pub fn scratch_dir(tag: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("ferromd-lammps-{}-{tag}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Thermo blocks: header words and numeric rows.
pub fn thermo_blocks(text: &str) -> Vec<(Vec<String>, Vec<Vec<f64>>)> {
    let mut out: Vec<(Vec<String>, Vec<Vec<f64>>)> = Vec::new();
    let mut open = false;
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.first() == Some(&"Step") {
            out.push((words.iter().map(|w| w.to_string()).collect(), Vec::new()));
            open = true;
            continue;
        }
        if open {
            let block = out.last_mut().expect("open block");
            let nums: Option<Vec<f64>> = words.iter().map(|w| w.parse().ok()).collect();
            match nums {
                Some(v) if v.len() == block.0.len() => block.1.push(v),
                _ => open = false,
            }
        }
    }
    out
}

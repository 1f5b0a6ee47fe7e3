//! Single-point evaluations of a potential on copies of a system, and the random
//! numbers and geometry helpers the checks share.

use ferromd_core::evaluation::{evaluate_forces, evaluate_hessian};
use ferromd_core::nalgebra::{DMatrix, Matrix3, Vector3};
use ferromd_core::neighbor::Neighbors;
use ferromd_core::rng::RanPark;
use ferromd_core::{ForceOutput, ForceRequest, NeighborSettings, Potential, RunError, System};

/// Energy and forces of a potential at arbitrary configurations (each evaluation builds
/// its neighbor list from scratch, so configurations need not be related).
pub struct Probe<'a> {
    potential: &'a dyn Potential,
    neighbors: Neighbors,
    out: ForceOutput,
    /// Number of evaluations so far.
    pub evaluations: usize,
}

impl std::fmt::Debug for Probe<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Probe")
            .field("potential", &self.potential.name())
            .field("evaluations", &self.evaluations)
            .finish_non_exhaustive()
    }
}

impl<'a> Probe<'a> {
    /// A probe of `potential`.
    pub fn new(potential: &'a dyn Potential) -> Self {
        // a small skin: lists are rebuilt for every evaluation anyway
        let settings = NeighborSettings::with_skin(0.01 * potential.cutoff());
        Probe {
            potential,
            neighbors: Neighbors::new(settings, potential.cutoff(), potential.list_kind()),
            out: ForceOutput::new(),
            evaluations: 0,
        }
    }

    /// The potential probed.
    pub fn potential(&self) -> &'a dyn Potential {
        self.potential
    }

    /// A copy of `system` (atoms wrapped into the cell, order kept) with the neighbor
    /// state built for it.
    fn prepare(&mut self, system: &System) -> Result<System, RunError> {
        let mut s = system.clone();
        s.forces.resize(s.len(), Vector3::zeros());
        self.neighbors.invalidate();
        self.neighbors
            .update(&mut s)
            .map_err(|source| RunError::Neighbor { step: 0, source })?;
        Ok(s)
    }

    /// Energy and forces (one per atom, ghosts folded) of `system`'s positions and cell.
    pub fn energy_forces(&mut self, system: &System) -> Result<(f64, Vec<Vector3<f64>>), RunError> {
        let mut s = self.prepare(system)?;
        evaluate_forces(
            &mut s,
            &self.neighbors,
            self.potential,
            ForceRequest::ALL,
            &mut self.out,
            0,
        )?;
        self.evaluations += 1;
        Ok((self.out.energy, s.forces))
    }

    /// The potential's own (unsymmetrised) Hessian at `system`'s positions, `3N × 3N` in
    /// the system's atom order, or `None` when the potential cannot compute one (see
    /// [`Potential::analytic_hessian`]).
    pub fn analytic_hessian(&mut self, system: &System) -> Result<Option<DMatrix<f64>>, RunError> {
        let potential = self.potential;
        let Some(hessian) = potential.analytic_hessian() else {
            return Ok(None);
        };
        let s = self.prepare(system)?;
        self.evaluations += 1;
        evaluate_hessian(&s, &self.neighbors, hessian).map(Some)
    }

    /// Energy only (see [`Probe::energy_forces`]).
    pub fn energy(&mut self, system: &System) -> Result<f64, RunError> {
        self.energy_forces(system).map(|(e, _)| e)
    }
}

/// Uniform random numbers in `[0, 1)` and normal deviates from a seed (Park–Miller).
pub(crate) struct Random(RanPark);

impl Random {
    /// A generator for `seed` and a stream `salt` (so checks draw independent numbers).
    pub(crate) fn new(seed: u64, salt: u64) -> Self {
        let s = (seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(salt * 1442695040888963407)
            >> 33)
            % 2_000_000_000
            + 1;
        Random(RanPark::new(s as i32).expect("seed in 1..2e9 is valid"))
    }

    /// A uniform number in `[0, 1)`.
    pub(crate) fn uniform(&mut self) -> f64 {
        self.0.uniform()
    }

    /// A standard normal deviate.
    pub(crate) fn gaussian(&mut self) -> f64 {
        self.0.gaussian()
    }

    /// A random unit vector.
    pub(crate) fn direction(&mut self) -> Vector3<f64> {
        loop {
            let v = Vector3::new(self.gaussian(), self.gaussian(), self.gaussian());
            let n = v.norm();
            if n > 1e-3 {
                return v / n;
            }
        }
    }

    /// A uniformly random rotation matrix (from a random unit quaternion).
    pub(crate) fn rotation(&mut self) -> Matrix3<f64> {
        let q = loop {
            let q = [
                self.gaussian(),
                self.gaussian(),
                self.gaussian(),
                self.gaussian(),
            ];
            let n = q.iter().map(|x| x * x).sum::<f64>().sqrt();
            if n > 1e-3 {
                break q.map(|x| x / n);
            }
        };
        let [w, x, y, z] = q;
        Matrix3::new(
            1.0 - 2.0 * (y * y + z * z),
            2.0 * (x * y - w * z),
            2.0 * (x * z + w * y),
            2.0 * (x * y + w * z),
            1.0 - 2.0 * (x * x + z * z),
            2.0 * (y * z - w * x),
            2.0 * (x * z - w * y),
            2.0 * (y * z + w * x),
            1.0 - 2.0 * (x * x + y * y),
        )
    }

    /// A random index in `0..n` (`n > 0`).
    pub(crate) fn index(&mut self, n: usize) -> usize {
        ((self.uniform() * n as f64) as usize).min(n - 1)
    }
}

/// A copy of `system` with every atom displaced by a Gaussian of standard deviation
/// `amplitude / sqrt(3)` per component (so that forces are not zero by symmetry).
pub(crate) fn rattled(system: &System, amplitude: f64, seed: u64) -> System {
    let mut rng = Random::new(seed, 1);
    let mut s = system.clone();
    let sigma = amplitude / 3f64.sqrt();
    for x in &mut s.positions {
        *x += Vector3::new(rng.gaussian(), rng.gaussian(), rng.gaussian()) * sigma;
        if system.dimension == 2 {
            x.z = 0.0;
        }
    }
    s
}

/// Root-mean-square force component.
pub(crate) fn rms(forces: &[Vector3<f64>]) -> f64 {
    if forces.is_empty() {
        return 0.0;
    }
    (forces.iter().map(|f| f.norm_squared()).sum::<f64>() / (3 * forces.len()) as f64).sqrt()
}

/// Largest component of `a - b`.
pub(crate) fn max_diff(a: &[Vector3<f64>], b: &[Vector3<f64>]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).amax())
        .fold(0.0, f64::max)
}

//! Building blocks shared by the integrators: kicks, drifts, velocity scaling, reductions
//! whose result does not depend on the number of threads, and counter-based random numbers.

use ferromd_core::nalgebra::Vector3;
use ferromd_core::system::System;
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

/// Atoms per rayon task: small systems stay on one thread.
pub(crate) const MIN_CHUNK: usize = 8192;

/// Fixed block length of ordered reductions. Partial sums over blocks of this size are
/// added in block order, so the result is the same for any number of threads.
const SUM_BLOCK: usize = 4096;

/// `v += dtf F / m` for every atom (`dtf` already includes `ftm2v`).
pub(crate) fn kick(system: &mut System, dtf: f64) {
    system
        .velocities
        .par_iter_mut()
        .zip(system.forces.par_iter().zip(system.masses.par_iter()))
        .with_min_len(MIN_CHUNK)
        .for_each(|(v, (f, &m))| {
            *v += f * (dtf / m);
        });
}

/// `x += dt v` for every atom.
pub(crate) fn drift(system: &mut System, dt: f64) {
    system
        .positions
        .par_iter_mut()
        .zip(system.velocities.par_iter())
        .with_min_len(MIN_CHUNK)
        .for_each(|(x, v)| {
            *x += v * dt;
        });
}

/// `v *= factor` for every atom.
pub(crate) fn scale_velocities(system: &mut System, factor: f64) {
    system
        .velocities
        .par_iter_mut()
        .with_min_len(MIN_CHUNK)
        .for_each(|v| *v *= factor);
}

/// `v_a *= factors[a]` along each Cartesian axis `a` for every atom.
pub(crate) fn scale_velocity_components(system: &mut System, factors: Vector3<f64>) {
    system
        .velocities
        .par_iter_mut()
        .with_min_len(MIN_CHUNK)
        .for_each(|v| *v = v.component_mul(&factors));
}

/// Sum of `f(i)` over `0..n`, reduced in fixed blocks and then in block order: the result
/// is bit-for-bit independent of the number of threads.
pub(crate) fn ordered_sum<T, F>(n: usize, f: F) -> T
where
    T: Send + Copy + std::ops::Add<Output = T> + Default,
    F: Fn(usize) -> T + Sync,
{
    let blocks: Vec<T> = (0..n.div_ceil(SUM_BLOCK))
        .into_par_iter()
        .map(|b| {
            let end = ((b + 1) * SUM_BLOCK).min(n);
            (b * SUM_BLOCK..end).fold(T::default(), |acc, i| acc + f(i))
        })
        .collect();
    blocks.into_iter().fold(T::default(), |acc, x| acc + x)
}

/// Kinetic energy `1/2 sum m v^2` (energy units), summed in a thread-count-independent order.
pub(crate) fn kinetic_energy(system: &System, mvv2e: f64) -> f64 {
    let v = &system.velocities;
    let m = &system.masses;
    0.5 * mvv2e * ordered_sum(v.len(), |i| m[i] * v[i].norm_squared())
}

/// Total momentum `sum m v`, summed in a thread-count-independent order.
pub(crate) fn momentum(masses: &[f64], velocities: &[Vector3<f64>]) -> Vector3<f64> {
    let total: Vector3<f64> = ordered_sum(velocities.len(), |i| velocities[i] * masses[i]);
    total
}

/// A target ramped linearly over a run, as LAMMPS's `Tstart Tstop` / `Pstart Pstop`:
/// at step `s` of a run spanning `first..=last` the target is
/// `start + (s - first) / (last - first) (stop - start)` (the start value when the span is
/// empty or not yet known).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Ramp {
    pub(crate) start: f64,
    pub(crate) stop: f64,
    span: (u64, u64),
}

impl Ramp {
    /// A ramp from `start` to `stop` (equal values: a constant target).
    pub(crate) fn new(start: f64, stop: f64) -> Self {
        Ramp {
            start,
            stop,
            span: (0, 0),
        }
    }

    /// Sets the run's first and last steps.
    pub(crate) fn set_span(&mut self, first: u64, last: u64) {
        self.span = (first, last);
    }

    /// The fraction of the run done at `step` (0 without a span).
    pub(crate) fn fraction(span: (u64, u64), step: u64) -> f64 {
        let (first, last) = span;
        if last > first {
            step.saturating_sub(first) as f64 / (last - first) as f64
        } else {
            0.0
        }
    }

    /// The target at `step`.
    pub(crate) fn at(&self, step: u64) -> f64 {
        self.start + Self::fraction(self.span, step) * (self.stop - self.start)
    }
}

/// Reads back a state vector written by an `Integrator::save_state`, checking its length.
pub(crate) struct StateReader<'a> {
    data: &'a [f64],
    pos: usize,
    who: &'static str,
}

impl<'a> StateReader<'a> {
    /// A reader over `data` for the integrator named `who` (for error messages).
    pub(crate) fn new(who: &'static str, data: &'a [f64]) -> Self {
        StateReader { data, pos: 0, who }
    }

    /// The next number.
    pub(crate) fn f64(&mut self) -> Result<f64, String> {
        let v = self.data.get(self.pos).copied().ok_or_else(|| {
            format!(
                "checkpoint state of integrator `{}` is too short ({} numbers)",
                self.who,
                self.data.len()
            )
        })?;
        self.pos += 1;
        Ok(v)
    }

    /// The next number as an integer stored with `f64::from_bits`.
    pub(crate) fn u64(&mut self) -> Result<u64, String> {
        self.f64().map(f64::to_bits)
    }

    /// The next `n` numbers.
    pub(crate) fn slice(&mut self, n: usize) -> Result<Vec<f64>, String> {
        (0..n).map(|_| self.f64()).collect()
    }

    /// Checks that everything was read.
    pub(crate) fn finish(&self) -> Result<(), String> {
        if self.pos == self.data.len() {
            Ok(())
        } else {
            Err(format!(
                "checkpoint state of integrator `{}` has {} numbers, expected {}",
                self.who,
                self.data.len(),
                self.pos
            ))
        }
    }
}

/// The SplitMix64 finaliser: a bijective 64-bit mixing function.
fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Counter-based Gaussian noise: the numbers drawn for one atom at one step depend only on
/// `(seed, step, atom id, stream)`, never on the order atoms are visited, the number of
/// threads, or how the atoms are sorted. A run continued from a checkpoint at step `s`
/// with the same seed draws the same numbers as the uninterrupted run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CounterNoise {
    key: u64,
}

impl CounterNoise {
    /// The noise source for one step of one stream (`stream` separates several random
    /// updates taken in the same step).
    pub(crate) fn new(seed: u64, step: u64, stream: u64) -> Self {
        CounterNoise {
            key: mix64(mix64(mix64(seed) ^ step) ^ stream),
        }
    }

    /// Three standard normal numbers for the atom with this id.
    pub(crate) fn gaussian3(&self, id: u64) -> Vector3<f64> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(mix64(self.key ^ id));
        Vector3::new(
            StandardNormal.sample(&mut rng),
            StandardNormal.sample(&mut rng),
            StandardNormal.sample(&mut rng),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_sum_is_exact_for_integers_and_matches_serial_order() {
        let n = 3 * SUM_BLOCK + 17;
        let s: f64 = ordered_sum(n, |i| i as f64);
        assert_eq!(s, (n * (n - 1) / 2) as f64);
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| ordered_sum(n, |i| (i as f64).sqrt()));
        let many = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap()
            .install(|| ordered_sum(n, |i| (i as f64).sqrt()));
        assert_eq!(one.to_bits(), many.to_bits());
    }

    #[test]
    fn counter_noise_is_standard_normal_and_keyed() {
        let a = CounterNoise::new(7, 1, 0);
        let b = CounterNoise::new(7, 2, 0);
        assert_eq!(a.gaussian3(5), a.gaussian3(5));
        assert_ne!(a.gaussian3(5), b.gaussian3(5));
        assert_ne!(a.gaussian3(5), a.gaussian3(6));
        assert_ne!(a.gaussian3(5), CounterNoise::new(7, 1, 1).gaussian3(5));
        // 3 * 20,000 draws: mean within 5 sigma of 0, variance within 5 sigma of 1
        let n = 20_000u64;
        let xs: Vec<f64> = (1..=n)
            .flat_map(|id| a.gaussian3(id).into_iter().copied().collect::<Vec<_>>())
            .collect();
        let m = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / m;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / m;
        assert!(mean.abs() < 5.0 / m.sqrt(), "mean {mean}");
        assert!((var - 1.0).abs() < 5.0 * (2.0 / m).sqrt(), "variance {var}");
    }
}

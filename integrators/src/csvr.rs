//! Canonical sampling through velocity rescaling (Bussi, Donadio & Parrinello 2007), as
//! LAMMPS `fix temp/csvr` combined with `fix nve`.

use ferromd_core::integrator::{Integrator, StepContext};
use ferromd_core::system::System;
use std::convert::Infallible;

use rand::SeedableRng;
use rand::TryRng;
use rand_distr::{ChiSquared, Distribution, StandardNormal};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::bath::Bath;
use crate::common::{StateReader, drift, kick, kinetic_energy, scale_velocities};

/// A xoshiro256++ generator that counts the 64-bit words it has produced, so that its
/// state is `(seed, draws)`: a checkpoint stores the two numbers and a restart jumps
/// ahead by `draws` words in O(log draws) time.
#[derive(Debug, Clone)]
pub(crate) struct CountingRng {
    rng: Xoshiro256PlusPlus,
    pub(crate) seed: u64,
    pub(crate) draws: u64,
}

impl CountingRng {
    pub(crate) fn new(seed: u64) -> Self {
        CountingRng {
            rng: Xoshiro256PlusPlus::seed_from_u64(seed),
            seed,
            draws: 0,
        }
    }

    pub(crate) fn at(seed: u64, draws: u64) -> Self {
        let mut r = Self::new(seed);
        r.rng.jump_ce(draws, 0);
        r.draws = draws;
        r
    }
}

impl TryRng for CountingRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        // xoshiro256++ takes a u32 from one u64 word
        self.draws += 1;
        self.rng.try_next_u32()
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.draws += 1;
        self.rng.try_next_u64()
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let w = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&w[..chunk.len()]);
        }
        Ok(())
    }
}

/// Velocity Verlet followed, at the end of every step, by the Bussi stochastic velocity
/// rescaling: the kinetic energy `K` is replaced by an exact draw from the
/// Ornstein-Uhlenbeck process for `K` over one step towards the canonical distribution
/// (appendix of Bussi et al. 2007):
///
/// `K' = c K + (1 - c) K_t / Nf (R_1^2 + S) + 2 R_1 sqrt(c (1 - c) K K_t / Nf)`,
///
/// with `c = exp(-dt/damping)`, `K_t = Nf kT / 2`, `R_1` standard normal and `S` a
/// chi-squared variate with `Nf - 1` degrees of freedom (the sum of `Nf - 1` squared
/// Gaussians, drawn as one gamma variate). `Nf = dim N - dim`.
///
/// Only two random numbers are drawn per step, from one seeded generator, so the
/// trajectory does not depend on the number of threads. [`Integrator::reservoir_energy`]
/// is the total kinetic energy removed by the rescaling (LAMMPS's `ecouple`), so
/// `etotal + reservoir` is conserved up to the integration error.
#[derive(Debug, Clone)]
pub struct Csvr {
    bath: Bath,
    rng: CountingRng,
}

impl Csvr {
    /// A CSVR thermostat at `temperature` with relaxation time `damping` and a seed.
    ///
    /// # Panics
    /// If `temperature` is negative or `damping` is not positive.
    pub fn new(temperature: f64, damping: f64, seed: u64) -> Self {
        Csvr {
            bath: Bath::new("CSVR", temperature, damping),
            rng: CountingRng::new(seed),
        }
    }

    /// Ramps the target temperature linearly from the start value to `stop` over each
    /// run (LAMMPS `Tstart Tstop`).
    ///
    /// # Panics
    /// If `stop` is negative or not finite.
    pub fn ramp_to(mut self, stop: f64) -> Self {
        self.bath.ramp_to(stop);
        self
    }

    /// The target temperature (at the start of a run).
    pub fn temperature(&self) -> f64 {
        self.bath.temperature.start
    }

    /// The factor `alpha` with `K' = alpha^2 K` for a kinetic energy `ke`, target
    /// `ke_target` and `dof` degrees of freedom.
    fn resample(&mut self, ke: f64, ke_target: f64, dof: f64, dt: f64) -> f64 {
        let c = (-dt / self.bath.damping).exp();
        let c2 = (1.0 - c) * ke_target / (ke * dof);
        let r1: f64 = StandardNormal.sample(&mut self.rng);
        let s = if dof > 1.0 {
            ChiSquared::new(dof - 1.0)
                .expect("positive degrees of freedom")
                .sample(&mut self.rng)
        } else {
            0.0
        };
        let alpha2 = c + c2 * (r1 * r1 + s) + 2.0 * r1 * (c * c2).sqrt();
        alpha2.max(0.0).sqrt()
    }
}

impl Integrator for Csvr {
    fn initial_integrate(&mut self, system: &mut System, ctx: &StepContext) {
        kick(system, 0.5 * ctx.dt * ctx.units.ftm2v);
        drift(system, ctx.dt);
    }

    fn final_integrate(&mut self, system: &mut System, ctx: &StepContext) {
        kick(system, 0.5 * ctx.dt * ctx.units.ftm2v);
        let dof = system.degrees_of_freedom();
        let ke = kinetic_energy(system, ctx.units.mvv2e);
        if dof <= 0.0 || ke <= 0.0 {
            return;
        }
        let ke_target = 0.5 * dof * ctx.units.boltz * self.bath.temperature.at(ctx.step);
        let alpha = self.resample(ke, ke_target, dof, ctx.dt);
        scale_velocities(system, alpha);
        self.bath.reservoir += ke * (1.0 - alpha * alpha);
    }

    fn reservoir_energy(&self) -> f64 {
        self.bath.reservoir
    }

    fn prepare_run(
        &mut self,
        _system: &System,
        _units: &ferromd_core::units::UnitConstants,
        first: u64,
        last: u64,
    ) -> Result<(), String> {
        self.bath.temperature.set_span(first, last);
        Ok(())
    }

    fn name(&self) -> &str {
        "csvr"
    }

    /// The reservoir energy and the generator's position: its seed and the number of
    /// 64-bit words drawn so far.
    fn save_state(&self) -> Vec<f64> {
        vec![
            self.bath.reservoir,
            f64::from_bits(self.rng.seed),
            f64::from_bits(self.rng.draws),
        ]
    }

    fn load_state(&mut self, state: &[f64]) -> Result<(), String> {
        let mut r = StateReader::new("csvr", state);
        let reservoir = r.f64()?;
        let seed = r.u64()?;
        let draws = r.u64()?;
        r.finish()?;
        self.bath.reservoir = reservoir;
        self.rng = CountingRng::at(seed, draws);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_rng_jumps_to_the_same_state() {
        let mut a = CountingRng::new(99);
        let mut x = 0.0;
        for _ in 0..37 {
            let g: f64 = StandardNormal.sample(&mut a);
            x += g;
            x += ChiSquared::new(5.5).unwrap().sample(&mut a);
        }
        assert!(x.is_finite() && a.draws >= 74);
        let mut b = CountingRng::at(99, a.draws);
        for _ in 0..5 {
            assert_eq!(a.try_next_u64(), b.try_next_u64());
        }
        // and the wrapper draws the plain generator's sequence
        let mut plain = Xoshiro256PlusPlus::seed_from_u64(99);
        let mut counted = CountingRng::new(99);
        assert_eq!(plain.try_next_u64(), counted.try_next_u64());
    }

    #[test]
    fn state_round_trip_continues_the_stream() {
        let mut a = Csvr::new(1.0, 0.5, 7);
        for _ in 0..10 {
            a.resample(3.0, 2.5, 30.0, 0.01);
        }
        let mut b = Csvr::new(1.0, 0.5, 12345);
        b.load_state(&a.save_state()).unwrap();
        for _ in 0..10 {
            assert_eq!(
                a.resample(3.0, 2.5, 30.0, 0.01).to_bits(),
                b.resample(3.0, 2.5, 30.0, 0.01).to_bits()
            );
        }
        assert!(b.load_state(&[1.0]).is_err());
    }
}

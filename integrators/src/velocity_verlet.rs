//! Velocity Verlet: the symplectic, time-reversible NVE integrator (LAMMPS `fix nve`).

use ferromd_core::integrator::{Integrator, StepContext};
use ferromd_core::system::System;
use rayon::prelude::*;

/// Velocity Verlet in kick-drift-kick form.
///
/// `v += dt/2 F/m; x += dt v` before the force evaluation and `v += dt/2 F/m`
/// after it, with LAMMPS's unit factor `ftm2v`.
#[derive(Debug, Clone, Copy, Default)]
pub struct VelocityVerlet;

impl VelocityVerlet {
    /// A new velocity-Verlet integrator.
    pub fn new() -> Self {
        VelocityVerlet
    }
}

/// Atoms per rayon task: small systems stay on one thread.
const MIN_CHUNK: usize = 8192;

impl Integrator for VelocityVerlet {
    fn initial_integrate(&mut self, system: &mut System, ctx: &StepContext) {
        let dtf = 0.5 * ctx.dt * ctx.units.ftm2v;
        let dtv = ctx.dt;
        system
            .velocities
            .par_iter_mut()
            .zip(system.positions.par_iter_mut())
            .zip(system.forces.par_iter().zip(system.masses.par_iter()))
            .with_min_len(MIN_CHUNK)
            .for_each(|((v, x), (f, &m))| {
                *v += f * (dtf / m);
                *x += *v * dtv;
            });
    }

    fn final_integrate(&mut self, system: &mut System, ctx: &StepContext) {
        let dtf = 0.5 * ctx.dt * ctx.units.ftm2v;
        system
            .velocities
            .par_iter_mut()
            .zip(system.forces.par_iter().zip(system.masses.par_iter()))
            .with_min_len(MIN_CHUNK)
            .for_each(|(v, (f, &m))| {
                *v += f * (dtf / m);
            });
    }

    fn name(&self) -> &str {
        "nve"
    }
}

//! Berendsen barostat (LAMMPS `fix press/berendsen`): weak coupling of the cell to a
//! pressure bath, wrapped around any other integrator.

use ferromd_core::integrator::{Integrator, StepContext};
use ferromd_core::system::System;

use crate::barostat::{BarostatError, Coupling, current_pressure, dilate, finite, positive};
use crate::common::Ramp;

/// LAMMPS's default bulk modulus of `fix press/berendsen` (pressure units).
pub const DEFAULT_BULK_MODULUS: f64 = 10.0;

/// Berendsen barostat around an inner integrator (LAMMPS `fix press/berendsen` used
/// together with `fix nve`, `fix nvt`, `fix temp/berendsen`, ...).
///
/// After the inner integrator's second half step, the pressure is computed from the
/// current kinetic energy and virial and the cell and atoms are dilated about the centre
/// of the cell by `mu = (1 - dt/Pdamp (P0 - P)/B)^(1/3)` along each coupled axis (the
/// scalar pressure for [`Coupling::Iso`], the diagonal of the pressure tensor for
/// [`Coupling::Aniso`]; `B` is the bulk modulus). Velocities are not scaled. It relaxes
/// the pressure towards `P0` but does not sample the isothermal-isobaric ensemble (volume
/// fluctuations are suppressed) and conserves no energy: [`Integrator::reservoir_energy`]
/// is the inner integrator's.
pub struct BerendsenBarostat {
    inner: Box<dyn Integrator>,
    pressure: f64,
    /// The target ramped over a run (`pressure` is its start).
    ramp: Ramp,
    pdamp: f64,
    coupling: Coupling,
    modulus: f64,
}

impl std::fmt::Debug for BerendsenBarostat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BerendsenBarostat")
            .field("inner", &self.inner.name())
            .field("pressure", &self.pressure)
            .field("pdamp", &self.pdamp)
            .field("coupling", &self.coupling)
            .field("modulus", &self.modulus)
            .finish()
    }
}

impl BerendsenBarostat {
    /// Couples `inner` to a bath at `pressure` with period `pdamp` (time units, LAMMPS
    /// `Pdamp`) and the default bulk modulus 10 (LAMMPS `fix press/berendsen iso P P Pdamp`).
    pub fn new(
        inner: Box<dyn Integrator>,
        pressure: f64,
        pdamp: f64,
        coupling: Coupling,
    ) -> Result<Self, BarostatError> {
        finite("target pressure", pressure)?;
        positive("pressure damping period", pdamp)?;
        if coupling == Coupling::Tri {
            return Err(BarostatError(
                "the Berendsen barostat supports iso and aniso coupling, not tri".into(),
            ));
        }
        Ok(BerendsenBarostat {
            inner,
            pressure,
            ramp: Ramp::new(pressure, pressure),
            pdamp,
            coupling,
            modulus: DEFAULT_BULK_MODULUS,
        })
    }

    /// Ramps the target pressure linearly to `stop` over each run (LAMMPS `Pstart Pstop`).
    pub fn ramp_to(mut self, stop: f64) -> Result<Self, BarostatError> {
        self.ramp.stop = finite("final target pressure", stop)?;
        Ok(self)
    }

    /// Sets the bulk modulus `B` in pressure units (LAMMPS `modulus`).
    pub fn modulus(mut self, modulus: f64) -> Result<Self, BarostatError> {
        self.modulus = positive("bulk modulus", modulus)?;
        Ok(self)
    }

    /// The wrapped integrator.
    pub fn inner(&self) -> &dyn Integrator {
        self.inner.as_ref()
    }
}

impl Integrator for BerendsenBarostat {
    fn initial_integrate(&mut self, system: &mut System, ctx: &StepContext) {
        self.inner.initial_integrate(system, ctx);
    }

    fn final_integrate(&mut self, system: &mut System, ctx: &StepContext) {
        self.inner.final_integrate(system, ctx);
        let virial = ctx
            .virial
            .expect("the simulation passes the virial to integrators that need it");
        let p = current_pressure(system, &ctx.units, &virial, self.coupling);
        let mut factors = [1.0; 3];
        for (a, f) in factors.iter_mut().enumerate().take(system.dimension) {
            *f =
                (1.0 - ctx.dt / self.pdamp * (self.ramp.at(ctx.step) - p[a]) / self.modulus).cbrt();
        }
        dilate(system, factors);
    }

    fn reservoir_energy(&self) -> f64 {
        self.inner.reservoir_energy()
    }

    fn needs_virial(&self) -> bool {
        true
    }

    fn prepare_run(
        &mut self,
        system: &System,
        units: &ferromd_core::units::UnitConstants,
        first: u64,
        last: u64,
    ) -> Result<(), String> {
        self.ramp.set_span(first, last);
        self.inner.prepare_run(system, units, first, last)
    }

    fn name(&self) -> &str {
        "press/berendsen"
    }

    /// The inner integrator's state (the barostat itself keeps none: the cell is part of
    /// the system).
    fn save_state(&self) -> Vec<f64> {
        self.inner.save_state()
    }

    fn load_state(&mut self, state: &[f64]) -> Result<(), String> {
        self.inner.load_state(state)
    }
}

//! Stochastic cell rescaling barostat (Bernetti & Bussi, J. Chem. Phys. 153, 114107
//! (2020); anisotropic variant: Del Tatto, Raiteri, Bernetti & Bussi, Appl. Sci. 12, 1139
//! (2022)), wrapped around a thermostatted integrator.

use ferromd_core::integrator::{Integrator, StepContext};
use ferromd_core::nalgebra::Vector3;
use ferromd_core::system::System;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

use crate::barostat::{BarostatError, Coupling, dilate, finite, positive};
use crate::common::{MIN_CHUNK, Ramp, StateReader, scale_velocity_components};
use crate::csvr::CountingRng;
use crate::press_berendsen::DEFAULT_BULK_MODULUS;
use crate::pressure_control::{PressureControl, pressure_tensor};

/// Stochastic cell rescaling (C-rescale) around an inner integrator that keeps the
/// temperature (e.g. [`crate::Csvr`]): isotropic, semi-isotropic (`couple`) or
/// anisotropic, on any subset of the periodic axes.
///
/// The controlled axes `C` (`n_C` of them) are split into groups that share one scale
/// factor (all of them for `iso`, one per axis for `aniso`, `couple xy` and `z` for a
/// semi-isotropic membrane). The cell has two kinds of coordinates:
///
/// * the volume, through `lambda = sqrt(V)`, whose equation of motion (Bernetti & Bussi,
///   eq. 7) has a constant diffusion coefficient `D = kT beta_T / (4 tau_p)`:
///
///   `d lambda = (D / kT) f dt + sqrt(2 D) dW`, `f = -2 lambda (P0 - P_C - kT / (2 V))`
///
///   (`P_C` the mean of the instantaneous diagonal pressures over `C`, from the kinetic
///   energy and the virial, `beta_T` the compressibility, i.e. the inverse of the bulk
///   modulus, `tau_p` the relaxation time, `T` the temperature of the bath); `f` is
///   minus the derivative in `lambda` of `K + U + P0 V - kT ln lambda`, the last term
///   the Jacobian of `V -> lambda` when positions scale with the cell and velocities
///   inversely;
/// * the shape, the traceless logarithmic strains `e_a` (`a` in `C`, equal within a
///   group), with the mobility `M = beta_T / (n_C tau_p V)` (Del Tatto et al.):
///
///   `d e = M F dt + sqrt(2 kT M) P dW`, `F_a = V (P_g(a) - P_C)`
///
///   (`P_g` the mean diagonal pressure of a group, `P` the projection on group-constant
///   traceless strains).
///
/// The stationary distribution is the isothermal-isobaric one whatever `beta_T` and
/// `tau_p`: they only set how fast the cell relaxes. Axis `a` of the cell is scaled by
/// `mu_a = (V' / V)^(1 / n_C) exp(de_a)`.
///
/// The step is the time-reversible splitting of the paper's reference code (its
/// "Trotter" scheme): after the inner integrator's first half (half kick, drift), the
/// cell takes one Euler step with the forces at the start of the step (virial of the
/// start positions, kinetic energy after the kick), and the drift and the scaling are
/// combined as `x_a <- mu_a x0_a + (mu_a + 1/mu_a)/2 (x_a - x0_a)`, `v_a <- v_a / mu_a`,
/// `h <- diag(mu) h` (`x0` the positions at the start of the step, scaling about the
/// centre of the cell). Forces are then computed at the scaled positions, so no step
/// uses stale forces.
///
/// [`Integrator::reservoir_energy`] is the inner integrator's reservoir plus `P0 (V -
/// V_start)` and, summed over the steps, `kT` times the log-ratio of the probabilities
/// of the Euler step and of its time reverse (forces `f_b`, `F_b` and mobility `M_b`
/// taken at the end of the step, after the force evaluation), plus the Jacobian:
///
/// `dlambda (f_a + f_b) / 2 + D dt (f_b^2 - f_a^2) / (4 kT) - kT ln(lambda' / lambda)`
/// `+ de.(F_a + F_b) / 2 + dt (M_b |F_b|^2 - M_a |F_a|^2) / 4`
/// `+ |de|^2 (1/M_b - 1/M_a) / (4 dt) + k kT ln(M_b / M_a) / 2`
///
/// (`k` the number of independent shape strains). Were the step an exact sampler of the
/// isothermal-isobaric distribution this would be minus the change of `K + U + P0 V`, so
/// `etotal + reservoir` (the paper's effective energy) is conserved up to the
/// discretisation error of the whole scheme, the barostat's included: it drifts when the
/// sampled distribution is biased.
pub struct CRescale {
    inner: Box<dyn Integrator>,
    control: PressureControl,
    pressure: Ramp,
    tau: f64,
    temperature: Ramp,
    compressibility: f64,
    rng: CountingRng,
    /// `P0 dV` work plus heat exchanged by the barostat (inner reservoir excluded).
    reservoir: f64,
    /// Positions at the start of the step, to recover the inner integrator's drift.
    start: Vec<Vector3<f64>>,
    /// The `lambda` increment of the step in progress (set in `initial_integrate`).
    dlambda: f64,
    /// The shape strains of the step in progress.
    strain: Vector3<f64>,
}

impl std::fmt::Debug for CRescale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CRescale")
            .field("inner", &self.inner.name())
            .field("control", &self.control)
            .field("temperature", &self.temperature.start)
            .field("compressibility", &self.compressibility)
            .finish()
    }
}

/// Which axes the barostat moves and how they are grouped, for one step.
#[derive(Debug, Clone, Copy)]
struct Layout {
    /// Group of each axis (`None`: the axis is not controlled).
    group: [Option<usize>; 3],
    /// Number of controlled axes.
    axes: usize,
    /// Number of groups.
    groups: usize,
}

impl Layout {
    /// The projection of `x` (controlled components) on group-constant, traceless
    /// vectors; uncontrolled components are zero.
    fn project(&self, x: Vector3<f64>) -> Vector3<f64> {
        let mut sum = [0.0; 3];
        let mut count = [0usize; 3];
        for a in 0..3 {
            if let Some(g) = self.group[a] {
                sum[g] += x[a];
                count[g] += 1;
            }
        }
        let mean = sum.iter().sum::<f64>() / self.axes as f64;
        Vector3::from_fn(|a, _| self.group[a].map_or(0.0, |g| sum[g] / count[g] as f64 - mean))
    }
}

/// The barostat's forces in one state: on `lambda` and on the shape strains.
struct Forces {
    lambda: f64,
    shape: Vector3<f64>,
    /// Shape mobility `M`.
    mobility: f64,
}

impl CRescale {
    /// Couples `inner` (which keeps the system at `temperature`) isotropically to a bath
    /// at `pressure` with relaxation time `tau` and the bulk modulus
    /// [`DEFAULT_BULK_MODULUS`]; `seed` seeds the barostat's own random stream.
    pub fn new(
        inner: Box<dyn Integrator>,
        temperature: f64,
        pressure: f64,
        tau: f64,
        seed: u64,
    ) -> Result<Self, BarostatError> {
        let control = PressureControl::from_coupling(Coupling::Iso, pressure, pressure, tau);
        Self::with_control(inner, temperature, control, seed)
    }

    /// Couples `inner` to a bath as `control` says (LAMMPS's `iso`, `aniso`, `x`, `y`, `z`
    /// and `couple`): every controlled diagonal component must have the same target and
    /// damping period (the relaxation time), and shear components and the deviatoric
    /// stress are not supported.
    pub fn with_control(
        inner: Box<dyn Integrator>,
        temperature: f64,
        control: PressureControl,
        seed: u64,
    ) -> Result<Self, BarostatError> {
        positive("temperature of the c-rescale barostat", temperature)?;
        if control.deviatoric || control.components[3..].iter().any(Option::is_some) {
            return Err(BarostatError(
                "the c-rescale barostat controls the diagonal of the pressure tensor only \
                 (iso, aniso, x, y, z, couple), not shear components"
                    .into(),
            ));
        }
        let diag: Vec<_> = control.components[..3].iter().flatten().collect();
        if let Some(first) = diag.first()
            && diag
                .iter()
                .any(|c| c.start != first.start || c.stop != first.stop || c.damp != first.damp)
        {
            return Err(BarostatError(
                "the c-rescale barostat needs the same target pressures and damping period on \
                 every controlled axis"
                    .into(),
            ));
        }
        control.validate()?;
        let first = *diag[0];
        Ok(CRescale {
            inner,
            control,
            pressure: Ramp::new(first.start, first.stop),
            tau: first.damp,
            temperature: Ramp::new(temperature, temperature),
            compressibility: 1.0 / DEFAULT_BULK_MODULUS,
            rng: CountingRng::new(seed),
            reservoir: 0.0,
            start: Vec::new(),
            dlambda: 0.0,
            strain: Vector3::zeros(),
        })
    }

    /// Ramps the target pressure linearly to `stop` over each run (LAMMPS `Pstart Pstop`).
    pub fn ramp_to(mut self, stop: f64) -> Result<Self, BarostatError> {
        self.pressure.stop = finite("final target pressure", stop)?;
        Ok(self)
    }

    /// Ramps the bath temperature linearly to `stop` over each run, as the inner
    /// thermostat's `Tstart Tstop`.
    pub fn temperature_ramp_to(mut self, stop: f64) -> Result<Self, BarostatError> {
        self.temperature.stop = positive("final temperature of the c-rescale barostat", stop)?;
        Ok(self)
    }

    /// Sets the bulk modulus `1 / beta_T` in pressure units (LAMMPS-style `modulus`).
    pub fn modulus(mut self, modulus: f64) -> Result<Self, BarostatError> {
        self.compressibility = 1.0 / positive("bulk modulus", modulus)?;
        Ok(self)
    }

    /// The wrapped integrator.
    pub fn inner(&self) -> &dyn Integrator {
        self.inner.as_ref()
    }

    /// The controlled axes of `system` (periodic, within its dimension) and their groups.
    fn layout(&self, system: &System) -> Layout {
        let periodic = system.cell.periodic();
        let members = self.control.couple.members();
        let mut group = [None; 3];
        let (mut axes, mut groups, mut shared) = (0, 0, None);
        for a in 0..system.dimension {
            if self.control.components[a].is_none() || !periodic[a] {
                continue;
            }
            axes += 1;
            group[a] = Some(if members.contains(&a) {
                *shared.get_or_insert_with(|| {
                    groups += 1;
                    groups - 1
                })
            } else {
                groups += 1;
                groups - 1
            });
        }
        Layout {
            group,
            axes,
            groups,
        }
    }

    /// `(kT, D = kT beta_T / (4 tau_p), P0)` at `ctx.step`, `beta_T` in volume per energy
    /// and `P0` in energy per volume.
    fn constants(&self, ctx: &StepContext) -> (f64, f64, f64) {
        let units = &ctx.units;
        let kt = units.boltz * self.temperature.at(ctx.step);
        let beta = self.compressibility * units.nktv2p;
        let p0 = self.pressure.at(ctx.step) / units.nktv2p;
        (kt, kt * beta / (4.0 * self.tau), p0)
    }

    /// The forces on the cell coordinates in the current state.
    fn forces(&self, system: &System, ctx: &StepContext, layout: &Layout) -> Forces {
        let virial = ctx
            .virial
            .expect("the simulation passes the virial to integrators that need it");
        let (kt, _, p0) = self.constants(ctx);
        let vol = system.volume();
        let tensor = pressure_tensor(system, &ctx.units, &virial);
        let diag =
            Vector3::from_fn(|a, _| layout.group[a].map_or(0.0, |_| tensor[a] / ctx.units.nktv2p));
        let mean = diag.sum() / layout.axes as f64;
        let beta = self.compressibility * ctx.units.nktv2p;
        Forces {
            lambda: -2.0 * vol.sqrt() * (p0 - mean - 0.5 * kt / vol),
            shape: layout.project(diag) * vol,
            mobility: beta / (layout.axes as f64 * self.tau * vol),
        }
    }
}

impl Integrator for CRescale {
    fn initial_integrate(&mut self, system: &mut System, ctx: &StepContext) {
        self.start.clone_from(&system.positions);
        self.inner.initial_integrate(system, ctx);
        let layout = self.layout(system);
        if layout.axes == 0 {
            return;
        }
        let (kt, diffusion, p0) = self.constants(ctx);
        let f = self.forces(system, ctx, &layout);
        let dt = ctx.dt;
        let r: f64 = StandardNormal.sample(&mut self.rng);
        let dlambda = diffusion / kt * f.lambda * dt + (2.0 * diffusion * dt).sqrt() * r;
        let mut strain = Vector3::zeros();
        if layout.groups > 1 {
            let noise = Vector3::from_fn(|_, _| StandardNormal.sample(&mut self.rng));
            strain = f.shape * (f.mobility * dt)
                + layout.project(noise) * (2.0 * kt * f.mobility * dt).sqrt();
        }
        let vol = system.volume();
        let ratio = 1.0 + dlambda / vol.sqrt();
        let iso = ratio.powf(2.0 / layout.axes as f64);
        let mu = Vector3::from_fn(|a, _| layout.group[a].map_or(1.0, |_| iso * strain[a].exp()));
        // drift and scaling combined: x <- mu x0 + (mu + 1/mu)/2 (x - x0), written as a
        // rescaled drift from x0 followed by the dilation by mu about the centre
        let shrink = mu.map(|m| 0.5 * (1.0 + 1.0 / (m * m)));
        system
            .positions
            .par_iter_mut()
            .zip(self.start.par_iter())
            .with_min_len(MIN_CHUNK)
            .for_each(|(x, x0)| *x = x0 + (*x - x0).component_mul(&shrink));
        dilate(system, mu.into());
        scale_velocity_components(system, mu.map(|m| 1.0 / m));
        // P0 dV work, Jacobians and the forward half of the step's heat; the backward
        // half follows in final_integrate, once the forces at the end are known
        let k = (layout.groups - 1) as f64;
        let de2 = strain.norm_squared();
        self.reservoir += p0 * vol * (ratio * ratio - 1.0) - kt * ratio.ln()
            + 0.5 * dlambda * f.lambda
            - 0.25 * diffusion / kt * dt * f.lambda * f.lambda
            + 0.5 * strain.dot(&f.shape)
            - 0.25 * f.mobility * dt * f.shape.norm_squared()
            - 0.25 * de2 / (f.mobility * dt)
            - k * kt * ratio.ln();
        self.dlambda = dlambda;
        self.strain = strain;
    }

    fn final_integrate(&mut self, system: &mut System, ctx: &StepContext) {
        let layout = self.layout(system);
        if layout.axes > 0 {
            let (kt, diffusion, _) = self.constants(ctx);
            let f = self.forces(system, ctx, &layout);
            let dt = ctx.dt;
            self.reservoir += 0.5 * self.dlambda * f.lambda
                + 0.25 * diffusion / kt * dt * f.lambda * f.lambda
                + 0.5 * self.strain.dot(&f.shape)
                + 0.25 * f.mobility * dt * f.shape.norm_squared()
                + 0.25 * self.strain.norm_squared() / (f.mobility * dt);
        }
        self.inner.final_integrate(system, ctx);
    }

    fn reservoir_energy(&self) -> f64 {
        self.inner.reservoir_energy() + self.reservoir
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
        if self.layout(system).axes == 0 {
            return Err(
                "fix press/crescale: no controlled axis is periodic (the barostat has nothing \
                 to scale)"
                    .into(),
            );
        }
        self.pressure.set_span(first, last);
        self.temperature.set_span(first, last);
        self.inner.prepare_run(system, units, first, last)
    }

    fn name(&self) -> &str {
        "press/crescale"
    }

    /// The barostat's reservoir, the random stream (seed and words drawn), then the
    /// inner integrator's state.
    fn save_state(&self) -> Vec<f64> {
        let mut state = vec![
            self.reservoir,
            f64::from_bits(self.rng.seed),
            f64::from_bits(self.rng.draws),
        ];
        state.extend(self.inner.save_state());
        state
    }

    fn load_state(&mut self, state: &[f64]) -> Result<(), String> {
        let mut r = StateReader::new("press/crescale", state);
        let reservoir = r.f64()?;
        let seed = r.u64()?;
        let draws = r.u64()?;
        let rest = r.slice(state.len().saturating_sub(3))?;
        r.finish()?;
        self.inner.load_state(&rest)?;
        self.reservoir = reservoir;
        self.rng = CountingRng::at(seed, draws);
        Ok(())
    }
}

//! Martyna-Tobias-Klein barostat with Nosé-Hoover chains (NPT and NPH), with the
//! equations of motion and splitting of LAMMPS `fix npt` / `fix nph` (Shinoda, Shiga &
//! Mikami 2004; Tuckerman et al. 2006), for iso, aniso and full triclinic (`tri`) cells.

use ferromd_core::integrator::{Integrator, StepContext};
use ferromd_core::nalgebra::{Matrix3, Vector3};
use ferromd_core::system::System;
use ferromd_core::units::UnitConstants;
use rayon::prelude::*;

use crate::barostat::{BarostatError, Coupling, deform, dilate, finite, positive};
use crate::common::{MIN_CHUNK, Ramp, StateReader, drift, kick, kinetic_energy};
use crate::nose_hoover::NoseHooverChain;
use crate::pressure_control::{
    PressureControl, expm, kinetic_tensor, pressure_tensor, target_tensor, upper_triangular,
};

/// Temperatures below this cannot set the barostat masses of NPH (LAMMPS's check).
const MIN_REFERENCE_TEMPERATURE: f64 = 1e-6;

/// MTK barostat (LAMMPS `fix npt` and `fix nph`: `iso`, `aniso`, `tri`, `x`/`y`/`z`/
/// `xy`/`xz`/`yz`, `couple`, `tchain`, `pchain`, `tloop`, `ploop`, `mtk`, `drag`, `ptemp`).
///
/// The cell `h` follows `dh/dt = U h` with `U` upper triangular (its diagonal the
/// barostat velocities `omega_dot_xx, _yy, _zz`, its upper entries `omega_dot_xy, _xz,
/// _yz` for `tri`); the cell is deformed about its centre and the atoms with it. In a
/// LAMMPS (upper-triangular) cell, tilt factors that are not controlled scale with their
/// second dimension instead (LAMMPS `scalexy`, ...; see [`MtkBarostat::scale_tilts`]). With `N`
/// atoms, `pdim` controlled diagonal components, target `P0` (the mean of the diagonal
/// targets) and masses `W_c = (N + 1) kT0 Pdamp_c^2`:
///
/// * diagonal: `d omega_dot_a / dt = ((P_a - P0) V / nktv2p + mtk1) / W_a`,
///   `mtk1 = sum_a m v_a^2 / (pdim N)` (coupled components see the mean of their
///   pressures; `iso` sees the scalar pressure, so all `omega_dot_a` stay equal);
/// * off-diagonal (`tri`, `xy`, ...): `d omega_dot_ab / dt = P_ab V / nktv2p / W_ab`;
/// * particle velocities follow `dv/dt = F/m - (U + mtk2) v`,
///   `mtk2 = sum_a omega_dot_a / (pdim N)` (the MTK correction; `mtk no` drops both);
/// * a Nosé-Hoover chain of `pchain` thermostats (masses `kT0 / max_c(1/Pdamp_c)^2`) acts
///   on the barostat velocities, and for NPT a [`NoseHooverChain`] on the particles.
///
/// `kT0` is the thermostat's start target for NPT; for NPH it is `ptemp` if given,
/// otherwise the temperature at the first step (as LAMMPS). One step is split as LAMMPS's
/// `FixNH`: half steps of the barostat chain, the particle chain, `omega_dot`, velocity
/// propagation and kick; two half-step cell deformations around the drift; then the
/// mirror image after the force evaluation. Propagators of `U` are exact matrix
/// exponentials. The pressure of the first half uses the virial of the previous
/// evaluation with the current kinetic energy. Targets ramp linearly over each run.
///
/// The conserved quantity is `H + E_thermostat + sum_c W_c omega_dot_c^2 / 2 +
/// P0 (V - V0) / nktv2p + n_b kT etap_0 + sum_{k>0} kT etap_k + sum_k Q_k etap_dot_k^2 / 2`
/// with `n_b` barostat degrees of freedom (1 for iso, the number of controlled components
/// otherwise), plus the strain energy of the [deviatoric](PressureControl::deviatoric)
/// stress; [`Integrator::reservoir_energy`] returns everything but `H`. Flipping of
/// strongly tilted cells (LAMMPS `flip`) is not done, nor LAMMPS's `nreset`.
#[derive(Debug, Clone)]
pub struct MtkBarostat {
    control: PressureControl,
    thermostat: Option<NoseHooverChain>,
    ptemp: Option<f64>,
    mtk: bool,
    drag: f64,
    ploop: usize,
    /// LAMMPS `scalexy`, `scalexz`, `scaleyz`: whether uncontrolled tilt factors scale
    /// with the second dimension.
    scale_tilts: [bool; 3],
    /// First and last steps of the current run, for the pressure ramp.
    span: (u64, u64),
    /// Components controlled in this system (dimension applied), set at the first step.
    active: PressureControl,
    /// Reference `kT0` of the masses; set at the first step.
    kt0: f64,
    /// `kT` of the current target temperature (the barostat chain's target).
    kt: f64,
    dims: usize,
    natoms: f64,
    vol0: f64,
    initialised: bool,
    omega_dot: [f64; 6],
    omega_mass: [f64; 6],
    mtk_term2: f64,
    /// Mean target of the controlled diagonal components at the current step.
    p_hydro: f64,
    etap: Vec<f64>,
    etap_dot: Vec<f64>,
    /// Forces on the barostat chain elements `k > 0` from the last update.
    etap_force: Vec<f64>,
    etap_mass: f64,
    nktv2p: f64,
    /// `P0 (V - V0) / nktv2p` at the end of the last step.
    pv_work: f64,
    /// Inverse of the reference cell of the deviatoric stress (set at the first step).
    h0_inv: Matrix3<f64>,
    /// The deviatoric stress `V0 h0^-1 (P_target - P0) h0^-T` at the current step.
    sigma: Matrix3<f64>,
    /// Strain energy `tr(sigma h h^T) / (2 nktv2p)` at the end of the last step.
    strain_energy: f64,
}

impl MtkBarostat {
    /// NPT: MTK barostat at `pressure` with period `pdamp` plus a Nosé-Hoover chain at
    /// `temperature` with period `tdamp` (LAMMPS `fix npt temp T T Tdamp iso|aniso|tri P P
    /// Pdamp`, chains of 3 on particles and barostat).
    pub fn npt(
        temperature: f64,
        tdamp: f64,
        pressure: f64,
        pdamp: f64,
        coupling: Coupling,
    ) -> Result<Self, BarostatError> {
        let chain = NoseHooverChain::with_options(temperature, tdamp, 3, 1, 1)
            .map_err(|e| BarostatError(e.to_string()))?;
        Self::with_thermostat(Some(chain), pressure, pdamp, coupling)
    }

    /// NPH: MTK barostat at `pressure` with period `pdamp`, no particle thermostat
    /// (LAMMPS `fix nph iso|aniso|tri P P Pdamp`).
    pub fn nph(pressure: f64, pdamp: f64, coupling: Coupling) -> Result<Self, BarostatError> {
        Self::with_thermostat(None, pressure, pdamp, coupling)
    }

    /// A barostat with an explicit particle thermostat (`Some`: NPT with that chain, e.g.
    /// built with [`NoseHooverChain::with_options`] for LAMMPS `tchain`/`tloop`; `None`: NPH).
    pub fn with_thermostat(
        thermostat: Option<NoseHooverChain>,
        pressure: f64,
        pdamp: f64,
        coupling: Coupling,
    ) -> Result<Self, BarostatError> {
        finite("target pressure", pressure)?;
        positive("pressure damping period", pdamp)?;
        let control = PressureControl::from_coupling(coupling, pressure, pressure, pdamp);
        Self::with_control(thermostat, control)
    }

    /// A barostat controlling the components described by `control` (LAMMPS `x`, `y`,
    /// `z`, `xy`, `xz`, `yz`, `couple` and ramped `Pstart Pstop`), with an optional
    /// particle thermostat as [`MtkBarostat::with_thermostat`].
    pub fn with_control(
        thermostat: Option<NoseHooverChain>,
        control: PressureControl,
    ) -> Result<Self, BarostatError> {
        control.validate()?;
        Ok(MtkBarostat {
            control,
            thermostat,
            ptemp: None,
            mtk: true,
            drag: 0.0,
            ploop: 1,
            scale_tilts: [true; 3],
            span: (0, 0),
            active: control,
            kt0: 0.0,
            kt: 0.0,
            dims: 3,
            natoms: 0.0,
            vol0: 0.0,
            initialised: false,
            omega_dot: [0.0; 6],
            omega_mass: [0.0; 6],
            mtk_term2: 0.0,
            p_hydro: 0.0,
            etap: vec![0.0; 3],
            etap_dot: vec![0.0; 3],
            etap_force: vec![0.0; 3],
            etap_mass: 0.0,
            nktv2p: 1.0,
            pv_work: 0.0,
            h0_inv: Matrix3::identity(),
            sigma: Matrix3::zeros(),
            strain_energy: 0.0,
        })
    }

    /// Length of the chain thermostatting the barostat (LAMMPS `pchain`, default 3; 0
    /// switches it off).
    pub fn pchain(mut self, n: usize) -> Self {
        self.etap = vec![0.0; n];
        self.etap_dot = vec![0.0; n];
        self.etap_force = vec![0.0; n];
        self
    }

    /// Sub-steps of the barostat chain per half step (LAMMPS `ploop`, default 1).
    pub fn ploop(mut self, n: usize) -> Result<Self, BarostatError> {
        if n == 0 {
            return Err(BarostatError("ploop must be at least 1".into()));
        }
        self.ploop = n;
        Ok(self)
    }

    /// Whether to include the MTK correction terms (LAMMPS `mtk yes|no`, default yes).
    pub fn mtk(mut self, on: bool) -> Self {
        self.mtk = on;
        self
    }

    /// Damps the barostat velocities and the barostat chain by `1 - dt drag
    /// max_c(1/Pdamp_c) / ploop` at each update (LAMMPS `drag`; default 0, which
    /// conserves the extended energy). The particle chain's drag is set on the
    /// [`NoseHooverChain`] ([`NoseHooverChain::drag`]).
    pub fn drag(mut self, drag: f64) -> Result<Self, BarostatError> {
        if !(drag >= 0.0 && drag.is_finite()) {
            return Err(BarostatError(format!("drag must be >= 0, got {drag}")));
        }
        self.drag = drag;
        Ok(self)
    }

    /// Whether the tilt factors `[xy, xz, yz]` that are not controlled scale with the
    /// length of their second dimension when it changes (LAMMPS `scalexy`, `scalexz`,
    /// `scaleyz`; default yes). Controlled tilts follow `dh/dt = U h`.
    pub fn scale_tilts(mut self, scale: [bool; 3]) -> Self {
        self.scale_tilts = scale;
        self
    }

    /// Reference temperature of the barostat masses for NPH (LAMMPS `ptemp`); ignored by
    /// NPT, which uses its thermostat's target.
    pub fn ptemp(mut self, temperature: f64) -> Result<Self, BarostatError> {
        self.ptemp = Some(positive("ptemp", temperature)?);
        Ok(self)
    }

    /// The controlled pressure components.
    pub fn control(&self) -> &PressureControl {
        &self.control
    }

    /// Barostat velocities `omega_dot` (1/time) in the order `[xx, yy, zz, xy, xz, yz]`.
    pub fn omega_dot(&self) -> [f64; 6] {
        self.omega_dot
    }

    /// True if some off-diagonal component is controlled (the cell shape changes).
    fn triclinic(&self) -> bool {
        self.active.components[3..].iter().any(Option::is_some)
    }

    /// Number of controlled diagonal components.
    fn pdim(&self) -> usize {
        self.active.components[..3].iter().flatten().count()
    }

    /// `max_c 1/Pdamp_c` over the controlled components.
    fn max_frequency(&self) -> f64 {
        self.active
            .components
            .iter()
            .flatten()
            .map(|c| 1.0 / c.damp)
            .fold(0.0, f64::max)
    }

    /// The reference temperature of the barostat masses, or why there is none.
    fn reference_temperature(&self, system: &System, units: &UnitConstants) -> Result<f64, String> {
        match (&self.thermostat, self.ptemp) {
            (Some(chain), _) => Ok(chain.temperature()),
            (None, Some(t)) => Ok(t),
            (None, None) => {
                let dof = system.degrees_of_freedom();
                let t = if dof > 0.0 {
                    2.0 * kinetic_energy(system, units.mvv2e) / (dof * units.boltz)
                } else {
                    0.0
                };
                if t >= MIN_REFERENCE_TEMPERATURE {
                    Ok(t)
                } else {
                    Err(format!(
                        "the current temperature ({t}) is too close to zero to set the barostat \
                         masses; give ptemp (the temperature the masses are scaled with)"
                    ))
                }
            }
        }
    }

    /// Sets up the masses at the first step (LAMMPS `FixNH::setup`). Returns `false` if
    /// NPH has no reference temperature ([`Integrator::prepare_run`] reports that as an
    /// error before a run).
    fn initialise(&mut self, system: &System, units: &UnitConstants) -> bool {
        let Ok(t0) = self.reference_temperature(system, units) else {
            return false;
        };
        self.dims = system.dimension;
        self.natoms = system.len() as f64;
        self.nktv2p = units.nktv2p;
        self.active = self.control;
        self.active.restrict_to(self.dims, [true; 3]);
        self.kt0 = units.boltz * t0;
        self.kt = self.kt0;
        for (m, c) in self.omega_mass.iter_mut().zip(&self.active.components) {
            *m = c.map_or(0.0, |c| (self.natoms + 1.0) * self.kt0 * c.damp * c.damp);
        }
        let f = self.max_frequency();
        self.etap_mass = self.kt0 / (f * f);
        for k in 1..self.etap.len() {
            self.etap_force[k] =
                (self.etap_mass * self.etap_dot[k - 1].powi(2) - self.kt0) / self.etap_mass;
        }
        self.vol0 = system.volume();
        self.h0_inv = *system.cell.inverse();
        self.initialised = true;
        true
    }

    /// Barostat degrees of freedom: 1 for the ISO style, the number of controlled
    /// components otherwise.
    fn barostat_dof(&self) -> f64 {
        if self.active.is_iso(self.dims) {
            1.0
        } else {
            self.active.components.iter().flatten().count() as f64
        }
    }

    /// Twice the kinetic energy of the barostat, `sum_c W_c omega_dot_c^2`.
    fn barostat_twice_ke(&self) -> f64 {
        self.omega_dot
            .iter()
            .zip(&self.omega_mass)
            .map(|(w, m)| m * w * w)
            .sum()
    }

    /// Sets the targets for the step being taken: the temperature behind the barostat
    /// chain and the mean diagonal pressure target.
    fn set_targets(&mut self, step: u64, boltz: f64) {
        if let Some(chain) = &self.thermostat {
            self.kt = boltz * chain.target_at(step);
        }
        let delta = Ramp::fraction(self.span, step);
        let diag: Vec<f64> = self.active.components[..3]
            .iter()
            .flatten()
            .map(|c| c.target(delta))
            .collect();
        self.p_hydro = if diag.is_empty() {
            0.0
        } else {
            diag.iter().sum::<f64>() / diag.len() as f64
        };
        if self.active.deviatoric {
            let p =
                target_tensor(&self.active, delta) - Matrix3::from_diagonal_element(self.p_hydro);
            self.sigma = self.h0_inv * p * self.h0_inv.transpose() * self.vol0;
        }
    }

    /// The deviatoric force `h sigma h^T` on the cell (energy units times `nktv2p`).
    fn deviatoric_force(&self, system: &System) -> Matrix3<f64> {
        let h = system.cell.matrix();
        h * self.sigma * h.transpose()
    }

    /// Half-step update of the barostat's thermostat chain, scaling `omega_dot`
    /// (LAMMPS `nhc_press_integrate`, `ploop` sub-steps). As LAMMPS, the way down the
    /// chain uses the forces on elements `k > 0` from the last way up (they differ from
    /// fresh ones only while the target temperature ramps) and applies the drag.
    fn barostat_chain_half_step(&mut self, dt: f64) {
        let m = self.etap.len();
        if m == 0 {
            return;
        }
        let drag = 1.0 - dt * self.max_frequency() * self.drag / self.ploop as f64;
        let dt = dt / self.ploop as f64;
        let (dt2, dt4, dt8) = (0.5 * dt, 0.25 * dt, 0.125 * dt);
        let kt = self.kt;
        let q = self.etap_mass;
        let target = self.barostat_dof() * kt;
        let next = |etap_dot: &[f64], k: usize| if k + 1 < m { etap_dot[k + 1] } else { 0.0 };
        let mut g0 = (self.barostat_twice_ke() - target) / q;
        for _ in 0..self.ploop {
            for k in (1..m).rev() {
                let expfac = (-dt8 * next(&self.etap_dot, k)).exp();
                let g = self.etap_force[k];
                self.etap_dot[k] = (self.etap_dot[k] * expfac + g * dt4) * drag * expfac;
            }
            let expfac = (-dt8 * next(&self.etap_dot, 0)).exp();
            self.etap_dot[0] = (self.etap_dot[0] * expfac + g0 * dt4) * drag * expfac;
            for k in 0..m {
                self.etap[k] += dt2 * self.etap_dot[k];
            }
            let scale = (-dt2 * self.etap_dot[0]).exp();
            for w in &mut self.omega_dot {
                *w *= scale;
            }
            g0 = (self.barostat_twice_ke() - target) / q;
            self.etap_dot[0] = (self.etap_dot[0] * expfac + g0 * dt4) * expfac;
            for k in 1..m {
                let expfac = (-dt8 * next(&self.etap_dot, k)).exp();
                self.etap_force[k] = (q * self.etap_dot[k - 1].powi(2) - kt) / q;
                self.etap_dot[k] = (self.etap_dot[k] * expfac + self.etap_force[k] * dt4) * expfac;
            }
        }
    }

    /// Half-step update of `omega_dot` from the pressure (LAMMPS `nh_omega_dot`).
    fn omega_dot_half_step(&mut self, system: &System, ctx: &StepContext) {
        let virial = ctx
            .virial
            .expect("the simulation passes the virial to integrators that need it");
        let tensor = pressure_tensor(system, &ctx.units, &virial);
        let p = self.active.current(&tensor, self.dims);
        let pdim = self.pdim() as f64;
        let n = self.natoms.max(1.0);
        let mtk1 = if self.mtk && pdim > 0.0 {
            let mvv = kinetic_tensor(system, &ctx.units);
            (0..3)
                .filter(|&a| self.active.components[a].is_some())
                .map(|a| mvv[a])
                .sum::<f64>()
                / (pdim * n)
        } else {
            0.0
        };
        let drag = 1.0 - ctx.dt * self.max_frequency() * self.drag / self.ploop as f64;
        let vol = system.volume();
        let fdev = if self.active.deviatoric {
            self.deviatoric_force(system)
        } else {
            Matrix3::zeros()
        };
        let entry = [(0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2)];
        for c in 0..6 {
            if self.active.components[c].is_none() {
                continue;
            }
            let mut f = if c < 3 {
                ((p[c] - self.p_hydro) * vol / self.nktv2p + mtk1) / self.omega_mass[c]
            } else {
                p[c] * vol / self.nktv2p / self.omega_mass[c]
            };
            f -= fdev[entry[c]] / (self.omega_mass[c] * self.nktv2p);
            self.omega_dot[c] = (self.omega_dot[c] + f * 0.5 * ctx.dt) * drag;
        }
        self.mtk_term2 = if self.mtk && pdim > 0.0 {
            self.omega_dot[..3].iter().sum::<f64>() / (pdim * n)
        } else {
            0.0
        };
    }

    /// Half-step barostat propagation of the velocities, `dv/dt = -(U + mtk2) v` over
    /// `dt/2` (LAMMPS `nh_v_press`: exact for a diagonal `U`, split symmetrically
    /// otherwise).
    fn scale_velocities(&self, system: &mut System, dt: f64) {
        if self.triclinic() {
            // LAMMPS's symmetric splitting: diagonal over dt/4, the upper-triangular
            // part over dt/2, the diagonal again
            let w = self.omega_dot;
            let f: [f64; 3] = std::array::from_fn(|a| (-0.25 * dt * (w[a] + self.mtk_term2)).exp());
            let half = 0.5 * dt;
            system
                .velocities
                .par_iter_mut()
                .with_min_len(MIN_CHUNK)
                .for_each(|v| {
                    v.x *= f[0];
                    v.y *= f[1];
                    v.z *= f[2];
                    v.x -= half * (v.y * w[3] + v.z * w[4]);
                    v.y -= half * v.z * w[5];
                    v.x *= f[0];
                    v.y *= f[1];
                    v.z *= f[2];
                });
        } else {
            let f: [f64; 3] =
                std::array::from_fn(|a| (-0.5 * dt * (self.omega_dot[a] + self.mtk_term2)).exp());
            system
                .velocities
                .par_iter_mut()
                .with_min_len(MIN_CHUNK)
                .for_each(|v| {
                    v.x *= f[0];
                    v.y *= f[1];
                    v.z *= f[2];
                });
        }
    }

    /// The cell after `dt` of `dh/dt = U h` on the controlled entries, integrated with
    /// LAMMPS's time-symmetric splitting (half the tilt updates, the diagonal, the other
    /// half). Tilt factors that are not controlled are scaled with the length of their
    /// second dimension (`xy` with `y`, `xz` and `yz` with `z`) unless switched off, as
    /// LAMMPS's `scalexy`/`scalexz`/`scaleyz` defaults do.
    fn new_cell(&self, h: &Matrix3<f64>, dt: f64) -> Matrix3<f64> {
        let on = |c: usize| self.active.components[c].is_some();
        let w = &self.omega_dot;
        let mut h = *h;
        let tilts = |h: &mut Matrix3<f64>| {
            let xz = |h: &mut Matrix3<f64>| {
                let e = (0.125 * dt * w[0]).exp();
                h[(0, 2)] = (h[(0, 2)] * e + 0.25 * dt * (w[3] * h[(1, 2)] + w[4] * h[(2, 2)])) * e;
            };
            if on(4) {
                xz(h);
            }
            if on(5) {
                let e = (0.25 * dt * w[1]).exp();
                h[(1, 2)] = (h[(1, 2)] * e + 0.5 * dt * w[5] * h[(2, 2)]) * e;
            }
            if on(3) {
                let e = (0.25 * dt * w[0]).exp();
                h[(0, 1)] = (h[(0, 1)] * e + 0.5 * dt * w[3] * h[(1, 1)]) * e;
            }
            if on(4) {
                xz(h);
            }
        };
        if self.triclinic() {
            tilts(&mut h);
        }
        for a in 0..3 {
            if !on(a) {
                continue;
            }
            let e = (dt * w[a]).exp();
            h[(a, a)] *= e;
            // uncontrolled tilts in column a scale with it
            for (row, c) in [(0, 3), (0, 4), (1, 5)] {
                let col = if c == 3 { 1 } else { 2 };
                if col == a && !on(c) && self.scale_tilts[c - 3] {
                    h[(row, col)] *= e;
                }
            }
        }
        if self.triclinic() {
            tilts(&mut h);
        }
        h
    }

    /// Deforms the cell (and the atoms with it, keeping their fractional coordinates)
    /// over `dt`.
    fn remap(&self, system: &mut System, dt: f64) {
        let h = *system.cell.matrix();
        if !self.triclinic() && system.cell.is_orthorhombic() {
            let f: [f64; 3] = std::array::from_fn(|a| {
                if self.active.components[a].is_some() {
                    (dt * self.omega_dot[a]).exp()
                } else {
                    1.0
                }
            });
            dilate(system, f);
        } else if h[(1, 0)] == 0.0 && h[(2, 0)] == 0.0 && h[(2, 1)] == 0.0 {
            let m = self.new_cell(&h, dt) * system.cell.inverse();
            deform(system, &m);
        } else {
            // a general (not LAMMPS upper-triangular) cell: h <- exp(U dt) h
            deform(system, &expm(&(upper_triangular(&self.omega_dot) * dt)));
        }
    }
}

impl Integrator for MtkBarostat {
    fn initial_integrate(&mut self, system: &mut System, ctx: &StepContext) {
        if !self.initialised && !self.initialise(system, &ctx.units) {
            // no reference temperature (NPH from rest without ptemp); `prepare_run` says
            // so before a run. Poison the positions so a bare `step` stops cleanly too.
            system
                .positions
                .iter_mut()
                .for_each(|x| *x = Vector3::repeat(f64::NAN));
            return;
        }
        self.set_targets(ctx.step, ctx.units.boltz);
        self.barostat_chain_half_step(ctx.dt);
        if let Some(chain) = &mut self.thermostat {
            chain.half_step(system, ctx);
        }
        self.omega_dot_half_step(system, ctx);
        self.scale_velocities(system, ctx.dt);
        kick(system, 0.5 * ctx.dt * ctx.units.ftm2v);
        self.remap(system, 0.5 * ctx.dt);
        drift(system, ctx.dt);
        self.remap(system, 0.5 * ctx.dt);
    }

    fn final_integrate(&mut self, system: &mut System, ctx: &StepContext) {
        if !self.initialised {
            return;
        }
        kick(system, 0.5 * ctx.dt * ctx.units.ftm2v);
        self.scale_velocities(system, ctx.dt);
        self.omega_dot_half_step(system, ctx);
        if let Some(chain) = &mut self.thermostat {
            chain.half_step(system, ctx);
        }
        self.barostat_chain_half_step(ctx.dt);
        self.pv_work = self.p_hydro * (system.volume() - self.vol0) / self.nktv2p;
        if self.active.deviatoric {
            let h = system.cell.matrix();
            self.strain_energy = 0.5 * (self.sigma * h * h.transpose()).trace() / self.nktv2p;
        }
    }

    fn prepare_run(
        &mut self,
        system: &System,
        units: &UnitConstants,
        first: u64,
        last: u64,
    ) -> Result<(), String> {
        let names = ["x", "y", "z", "xy", "xz", "yz"];
        let axes: [(usize, usize); 6] = [(0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2)];
        let periodic = system.cell.periodic();
        for ((c, (a, b)), name) in self.control.components.iter().zip(axes).zip(names) {
            if c.is_some()
                && a < system.dimension
                && b < system.dimension
                && (!periodic[a] || !periodic[b])
            {
                return Err(format!(
                    "the {name} pressure component is controlled but the box is not \
                     periodic along it"
                ));
            }
        }
        if !self.initialised {
            self.reference_temperature(system, units)?;
        }
        self.span = (first, last);
        if let Some(chain) = &mut self.thermostat {
            chain.set_span(first, last);
        }
        Ok(())
    }

    fn reservoir_energy(&self) -> f64 {
        let thermostat = self
            .thermostat
            .as_ref()
            .map_or(0.0, |c| c.reservoir_energy());
        if !self.initialised {
            return thermostat;
        }
        let barostat = 0.5 * self.barostat_twice_ke();
        let mut chain = 0.0;
        for (k, (&eta, &eta_dot)) in self.etap.iter().zip(&self.etap_dot).enumerate() {
            let coupling = if k == 0 {
                self.barostat_dof() * self.kt
            } else {
                self.kt
            };
            chain += coupling * eta + 0.5 * self.etap_mass * eta_dot * eta_dot;
        }
        thermostat + barostat + chain + self.pv_work + self.strain_energy
    }

    fn needs_virial(&self) -> bool {
        true
    }

    fn save_state(&self) -> Vec<f64> {
        let bits = |n: u64| f64::from_bits(n);
        let mut v = vec![
            self.kt0,
            self.kt,
            bits(self.dims as u64),
            self.natoms,
            self.vol0,
            bits(self.initialised as u64),
        ];
        v.extend(self.omega_dot);
        v.extend(self.omega_mass);
        v.extend([
            self.mtk_term2,
            self.p_hydro,
            self.etap_mass,
            self.nktv2p,
            self.pv_work,
            self.strain_energy,
        ]);
        v.extend(self.h0_inv.iter());
        v.extend(self.sigma.iter());
        v.push(bits(self.etap.len() as u64));
        v.extend(&self.etap);
        v.extend(&self.etap_dot);
        v.extend(&self.etap_force);
        v.push(bits(self.thermostat.is_some() as u64));
        if let Some(chain) = &self.thermostat {
            v.extend(chain.save_state());
        }
        v
    }

    fn load_state(&mut self, state: &[f64]) -> Result<(), String> {
        let mut r = StateReader::new("npt", state);
        self.kt0 = r.f64()?;
        self.kt = r.f64()?;
        self.dims = (r.u64()? as usize).clamp(1, 3);
        self.natoms = r.f64()?;
        self.vol0 = r.f64()?;
        self.initialised = r.u64()? != 0;
        for w in &mut self.omega_dot {
            *w = r.f64()?;
        }
        for m in &mut self.omega_mass {
            *m = r.f64()?;
        }
        self.mtk_term2 = r.f64()?;
        self.p_hydro = r.f64()?;
        self.etap_mass = r.f64()?;
        self.nktv2p = r.f64()?;
        self.pv_work = r.f64()?;
        self.strain_energy = r.f64()?;
        self.h0_inv = Matrix3::from_column_slice(&r.slice(9)?);
        self.sigma = Matrix3::from_column_slice(&r.slice(9)?);
        let m = r.u64()? as usize;
        if m != self.etap.len() {
            return Err(format!(
                "the checkpoint has a barostat chain of {m} thermostats, the deck {}",
                self.etap.len()
            ));
        }
        self.etap = r.slice(m)?;
        self.etap_dot = r.slice(m)?;
        self.etap_force = r.slice(m)?;
        let has_thermostat = r.u64()? != 0;
        match (&mut self.thermostat, has_thermostat) {
            (Some(chain), true) => chain.read_state(&mut r)?,
            (None, false) => {}
            _ => {
                return Err("the checkpoint and the deck disagree on NPT versus NPH".to_string());
            }
        }
        self.active = self.control;
        self.active.restrict_to(self.dims, [true; 3]);
        r.finish()
    }

    fn name(&self) -> &str {
        if self.thermostat.is_some() {
            "npt"
        } else {
            "nph"
        }
    }
}

//! Martyna-Tobias-Klein barostat with Nosé-Hoover chains (NPT and NPH), with the
//! equations of motion and splitting of LAMMPS `fix npt` / `fix nph` (Shinoda, Shiga &
//! Mikami 2004; Tuckerman et al. 2006).

use ferromd_core::integrator::{Integrator, StepContext};
use ferromd_core::system::System;
use ferromd_core::units::UnitConstants;
use rayon::prelude::*;

use crate::barostat::{BarostatError, Coupling, current_pressure, dilate, positive};
use crate::common::{MIN_CHUNK, StateReader, drift, kick, kinetic_energy};
use crate::nose_hoover::NoseHooverChain;

/// Temperatures below this cannot set the barostat masses of NPH (LAMMPS's check).
const MIN_REFERENCE_TEMPERATURE: f64 = 1e-6;

/// MTK barostat (LAMMPS `fix npt` and `fix nph`, `iso` or `aniso`, `mtk yes`).
///
/// The cell `h` follows `dh/dt = diag(omega_dot) h` (scaled about its centre, atoms
/// scaled with it). With `d` coupled dimensions, `N` atoms, target pressure `P0` and
/// `W = (N + 1) kT0 Pdamp^2` per dimension:
///
/// * barostat velocities: `d omega_dot_a / dt = ((P_a - P0) V / nktv2p + mtk1) / W`,
///   `mtk1 = sum_a m v_a^2 / (d N)` ([`Coupling::Iso`] uses the scalar pressure for every
///   `a`, so all `omega_dot_a` stay equal);
/// * particle velocities are scaled by `exp(-(omega_dot_a + mtk2) t)` along axis `a`,
///   `mtk2 = sum_a omega_dot_a / (d N)` (the MTK correction);
/// * a Nosé-Hoover chain of `pchain` thermostats (masses `kT0 Pdamp^2`) acts on the
///   barostat velocities, and for NPT a [`NoseHooverChain`] on the particles.
///
/// `kT0` is the thermostat target for NPT; for NPH it is `ptemp` if given, otherwise the
/// temperature at the first step (as LAMMPS). One step is split as LAMMPS's `FixNH`:
/// half steps of the barostat chain, the particle chain, `omega_dot`, velocity scaling and
/// kick; two half-step cell dilations around the drift; then the mirror image after the
/// force evaluation. The pressure of the first half uses the virial of the previous
/// evaluation with the current kinetic energy.
///
/// The conserved quantity is `H + E_thermostat + sum_a W omega_dot_a^2 / 2 +
/// P0 (V - V0) / nktv2p + n_b kT0 etap_0 + sum_{k>0} kT0 etap_k + sum_k Q_k etap_dot_k^2 / 2`
/// with `n_b` barostat degrees of freedom (1 for iso, `d` for aniso);
/// [`Integrator::reservoir_energy`] returns everything but `H`.
#[derive(Debug, Clone)]
pub struct MtkBarostat {
    pressure: f64,
    pdamp: f64,
    coupling: Coupling,
    thermostat: Option<NoseHooverChain>,
    ptemp: Option<f64>,
    mtk: bool,
    /// Reference `kT0` of the masses; set at the first step.
    kt: f64,
    dims: usize,
    natoms: f64,
    vol0: f64,
    initialised: bool,
    omega_dot: [f64; 3],
    omega_mass: f64,
    mtk_term2: f64,
    etap: Vec<f64>,
    etap_dot: Vec<f64>,
    etap_mass: f64,
    nktv2p: f64,
    /// `P0 (V - V0) / nktv2p` at the end of the last step.
    pv_work: f64,
}

impl MtkBarostat {
    /// NPT: MTK barostat at `pressure` with period `pdamp` plus a Nosé-Hoover chain at
    /// `temperature` with period `tdamp` (LAMMPS `fix npt temp T T Tdamp iso|aniso P P Pdamp`,
    /// chains of 3 on particles and barostat).
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
    /// (LAMMPS `fix nph iso|aniso P P Pdamp`).
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
        if !pressure.is_finite() {
            return Err(BarostatError(format!(
                "target pressure must be finite, got {pressure}"
            )));
        }
        positive("pressure damping period", pdamp)?;
        Ok(MtkBarostat {
            pressure,
            pdamp,
            coupling,
            thermostat,
            ptemp: None,
            mtk: true,
            kt: 0.0,
            dims: 3,
            natoms: 0.0,
            vol0: 0.0,
            initialised: false,
            omega_dot: [0.0; 3],
            omega_mass: 0.0,
            mtk_term2: 0.0,
            etap: vec![0.0; 3],
            etap_dot: vec![0.0; 3],
            etap_mass: 0.0,
            nktv2p: 1.0,
            pv_work: 0.0,
        })
    }

    /// Length of the chain thermostatting the barostat (LAMMPS `pchain`, default 3; 0
    /// switches it off).
    pub fn pchain(mut self, n: usize) -> Self {
        self.etap = vec![0.0; n];
        self.etap_dot = vec![0.0; n];
        self
    }

    /// Whether to include the MTK correction terms (LAMMPS `mtk yes|no`, default yes).
    pub fn mtk(mut self, on: bool) -> Self {
        self.mtk = on;
        self
    }

    /// Reference temperature of the barostat masses for NPH (LAMMPS `ptemp`); ignored by
    /// NPT, which uses its thermostat's target.
    pub fn ptemp(mut self, temperature: f64) -> Result<Self, BarostatError> {
        self.ptemp = Some(positive("ptemp", temperature)?);
        Ok(self)
    }

    /// The target pressure.
    pub fn target_pressure(&self) -> f64 {
        self.pressure
    }

    /// The coupling style.
    pub fn coupling(&self) -> Coupling {
        self.coupling
    }

    /// Barostat velocities `omega_dot` (1/time) per Cartesian axis.
    pub fn omega_dot(&self) -> [f64; 3] {
        self.omega_dot
    }

    /// Sets up the masses at the first step (LAMMPS `FixNH::setup`).
    ///
    /// # Panics
    /// For NPH without `ptemp` when the initial temperature is below 1e-6.
    fn initialise(&mut self, system: &System, units: &UnitConstants) {
        self.dims = system.dimension;
        self.natoms = system.len() as f64;
        self.nktv2p = units.nktv2p;
        let t0 = match (&self.thermostat, self.ptemp) {
            (Some(chain), _) => chain.temperature(),
            (None, Some(t)) => t,
            (None, None) => {
                let dof = system.degrees_of_freedom();
                let t = 2.0 * kinetic_energy(system, units.mvv2e) / (dof * units.boltz);
                assert!(
                    t >= MIN_REFERENCE_TEMPERATURE,
                    "nph: initial temperature {t} is too small to set the barostat masses; give ptemp"
                );
                t
            }
        };
        self.kt = units.boltz * t0;
        let pfreq2 = 1.0 / (self.pdamp * self.pdamp);
        self.omega_mass = (self.natoms + 1.0) * self.kt / pfreq2;
        self.etap_mass = self.kt / pfreq2;
        self.vol0 = system.volume();
        self.initialised = true;
    }

    /// Barostat degrees of freedom: 1 for iso, `d` for aniso.
    fn barostat_dof(&self) -> f64 {
        match self.coupling {
            Coupling::Iso => 1.0,
            Coupling::Aniso => self.dims as f64,
        }
    }

    /// Twice the kinetic energy of the barostat, `sum_a W omega_dot_a^2`.
    fn barostat_twice_ke(&self) -> f64 {
        self.omega_dot[..self.dims]
            .iter()
            .map(|w| self.omega_mass * w * w)
            .sum()
    }

    /// Half-step update of the barostat's thermostat chain, scaling `omega_dot`
    /// (LAMMPS `nhc_press_integrate`, one loop).
    fn barostat_chain_half_step(&mut self, dt: f64) {
        let m = self.etap.len();
        if m == 0 {
            return;
        }
        let (dt2, dt4, dt8) = (0.5 * dt, 0.25 * dt, 0.125 * dt);
        let kt = self.kt;
        let q = self.etap_mass;
        let target = self.barostat_dof() * kt;
        let chain_force = |etap_dot: &[f64], k: usize| (q * etap_dot[k - 1].powi(2) - kt) / q;
        let next = |etap_dot: &[f64], k: usize| if k + 1 < m { etap_dot[k + 1] } else { 0.0 };
        for k in (1..m).rev() {
            let expfac = (-dt8 * next(&self.etap_dot, k)).exp();
            let g = chain_force(&self.etap_dot, k);
            self.etap_dot[k] = (self.etap_dot[k] * expfac + g * dt4) * expfac;
        }
        let expfac = (-dt8 * next(&self.etap_dot, 0)).exp();
        let g0 = (self.barostat_twice_ke() - target) / q;
        self.etap_dot[0] = (self.etap_dot[0] * expfac + g0 * dt4) * expfac;
        for k in 0..m {
            self.etap[k] += dt2 * self.etap_dot[k];
        }
        let scale = (-dt2 * self.etap_dot[0]).exp();
        for w in &mut self.omega_dot[..self.dims] {
            *w *= scale;
        }
        let g0 = (self.barostat_twice_ke() - target) / q;
        self.etap_dot[0] = (self.etap_dot[0] * expfac + g0 * dt4) * expfac;
        for k in 1..m {
            let expfac = (-dt8 * next(&self.etap_dot, k)).exp();
            let g = chain_force(&self.etap_dot, k);
            self.etap_dot[k] = (self.etap_dot[k] * expfac + g * dt4) * expfac;
        }
    }

    /// Half-step update of `omega_dot` from the pressure (LAMMPS `nh_omega_dot`).
    fn omega_dot_half_step(&mut self, system: &System, ctx: &StepContext) {
        let virial = ctx
            .virial
            .expect("the simulation passes the virial to integrators that need it");
        let p = current_pressure(system, &ctx.units, &virial, self.coupling);
        let d = self.dims;
        let n = self.natoms.max(1.0);
        let mtk1 = if self.mtk {
            let mvv = crate::barostat::kinetic_diagonal(system, &ctx.units);
            mvv[..d].iter().sum::<f64>() / (d as f64 * n)
        } else {
            0.0
        };
        let vol = system.volume();
        for (w, &pa) in self.omega_dot[..d].iter_mut().zip(&p) {
            let f = ((pa - self.pressure) * vol / self.nktv2p + mtk1) / self.omega_mass;
            *w += f * 0.5 * ctx.dt;
        }
        self.mtk_term2 = if self.mtk {
            self.omega_dot[..d].iter().sum::<f64>() / (d as f64 * n)
        } else {
            0.0
        };
    }

    /// Half-step barostat scaling of the velocities (LAMMPS `nh_v_press`).
    fn scale_velocities(&self, system: &mut System, dt: f64) {
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

    /// Dilates the cell (and atoms) over `dt`.
    fn remap(&self, system: &mut System, dt: f64) {
        let f: [f64; 3] = std::array::from_fn(|a| (dt * self.omega_dot[a]).exp());
        dilate(system, f);
    }
}

impl Integrator for MtkBarostat {
    fn initial_integrate(&mut self, system: &mut System, ctx: &StepContext) {
        if !self.initialised {
            self.initialise(system, &ctx.units);
        }
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
        kick(system, 0.5 * ctx.dt * ctx.units.ftm2v);
        self.scale_velocities(system, ctx.dt);
        self.omega_dot_half_step(system, ctx);
        if let Some(chain) = &mut self.thermostat {
            chain.half_step(system, ctx);
        }
        self.barostat_chain_half_step(ctx.dt);
        self.pv_work = self.pressure * (system.volume() - self.vol0) / self.nktv2p;
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
        thermostat + barostat + chain + self.pv_work
    }

    fn needs_virial(&self) -> bool {
        true
    }

    fn save_state(&self) -> Vec<f64> {
        let bits = |n: u64| f64::from_bits(n);
        let mut v = vec![
            self.kt,
            bits(self.dims as u64),
            self.natoms,
            self.vol0,
            bits(self.initialised as u64),
        ];
        v.extend(self.omega_dot);
        v.extend([
            self.omega_mass,
            self.mtk_term2,
            self.etap_mass,
            self.nktv2p,
            self.pv_work,
            bits(self.etap.len() as u64),
        ]);
        v.extend(&self.etap);
        v.extend(&self.etap_dot);
        v.push(bits(self.thermostat.is_some() as u64));
        if let Some(chain) = &self.thermostat {
            v.extend(chain.save_state());
        }
        v
    }

    fn load_state(&mut self, state: &[f64]) -> Result<(), String> {
        let mut r = StateReader::new("npt", state);
        self.kt = r.f64()?;
        self.dims = (r.u64()? as usize).min(3);
        self.natoms = r.f64()?;
        self.vol0 = r.f64()?;
        self.initialised = r.u64()? != 0;
        for w in &mut self.omega_dot {
            *w = r.f64()?;
        }
        self.omega_mass = r.f64()?;
        self.mtk_term2 = r.f64()?;
        self.etap_mass = r.f64()?;
        self.nktv2p = r.f64()?;
        self.pv_work = r.f64()?;
        let m = r.u64()? as usize;
        if m != self.etap.len() {
            return Err(format!(
                "the checkpoint has a barostat chain of {m} thermostats, the deck {}",
                self.etap.len()
            ));
        }
        self.etap = r.slice(m)?;
        self.etap_dot = r.slice(m)?;
        let has_thermostat = r.u64()? != 0;
        match (&mut self.thermostat, has_thermostat) {
            (Some(chain), true) => chain.read_state(&mut r)?,
            (None, false) => {}
            _ => {
                return Err("the checkpoint and the deck disagree on NPT versus NPH".to_string());
            }
        }
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

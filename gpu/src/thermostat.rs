//! Thermostats on the device: the Nosé-Hoover chain of LAMMPS `fix nvt` and the BAOAB
//! Langevin thermostat of ferromd's `fix langevin` (the same updates as the CPU path's
//! `ferromd_integrators::{NoseHooverChain, Langevin}`), with their constants and the
//! layout of their device state (`ThermostatParams`, `ThermostatState` in common.wgsl).

use bytemuck::{Pod, Zeroable};
use ferromd_core::UnitConstants;

use crate::error::GpuError;

/// Most thermostats in a Nosé-Hoover chain on the device (`MAX_CHAIN` in common.wgsl).
pub const MAX_CHAIN: usize = 16;

/// Most Suzuki-Yoshida weights (`weights` in `ThermostatParams`, common.wgsl).
pub const MAX_WEIGHTS: usize = 8;

/// The thermostat a GPU run integrates with.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum GpuThermostat {
    /// None: NVE velocity Verlet.
    #[default]
    None,
    /// Langevin dynamics, BAOAB splitting (ferromd's `fix langevin T0 T1 damp seed`, the
    /// deck's `langevin`): the O step `v <- c1 v + sqrt((1 - c1²) kT/m) ξ`,
    /// `c1 = exp(-dt/damping)`, with ξ from Philox4x32-10 keyed by the seed, the atom id
    /// and the step.
    Langevin {
        /// Target temperature at the start of a run.
        temperature: f64,
        /// Target temperature at the end of a run (linear ramp; equal: constant).
        temperature_stop: f64,
        /// Relaxation time of the velocities (time units).
        damping: f64,
        /// Seed of the noise.
        seed: u64,
        /// Remove the kicks' net momentum each step (LAMMPS `zero yes`): a system
        /// with zero momentum keeps it, and the 3N - 3 internal degrees of freedom
        /// are thermostatted.
        zero_momentum: bool,
    },
    /// Nosé-Hoover chain, MTK (LAMMPS `fix nvt temp T0 T1 Tdamp tchain N tloop M`).
    NoseHoover {
        /// Target temperature at the start of a run.
        temperature: f64,
        /// Target temperature at the end of a run (linear ramp; equal: constant).
        temperature_stop: f64,
        /// Period of the thermostat (LAMMPS `Tdamp`, time units).
        damping: f64,
        /// Thermostats in the chain (LAMMPS `tchain`, default 3), at most [`MAX_CHAIN`].
        chain: usize,
        /// Sub-steps per half step (LAMMPS `tloop`, default 1).
        loops: usize,
        /// Suzuki-Yoshida weights of each sub-step (`[1.0]`, as LAMMPS; at most
        /// [`MAX_WEIGHTS`]; `ferromd_integrators::suzuki_yoshida_weights` gives orders
        /// 3, 5 and 7).
        weights: Vec<f64>,
        /// LAMMPS `drag` (0: none).
        drag: f64,
    },
}

impl GpuThermostat {
    /// A Nosé-Hoover chain with LAMMPS's defaults (`tchain 3 tloop 1`, no drag).
    pub fn nose_hoover(temperature: f64, temperature_stop: f64, damping: f64) -> Self {
        GpuThermostat::NoseHoover {
            temperature,
            temperature_stop,
            damping,
            chain: 3,
            loops: 1,
            weights: vec![1.0],
            drag: 0.0,
        }
    }

    /// The integrator's name, as the CPU path's (`nve`, `langevin`, `nvt`).
    pub fn name(&self) -> &'static str {
        match self {
            GpuThermostat::None => "nve",
            GpuThermostat::Langevin { .. } => "langevin",
            GpuThermostat::NoseHoover { .. } => "nvt",
        }
    }

    /// Checks the parameters.
    pub(crate) fn validate(&self) -> Result<(), GpuError> {
        let bad = |what: String| Err(GpuError::Unsupported(format!("{}: {what}", self.name())));
        let (t0, t1, damping) = match self {
            GpuThermostat::None => return Ok(()),
            GpuThermostat::Langevin {
                temperature,
                temperature_stop,
                damping,
                ..
            } => (*temperature, *temperature_stop, *damping),
            GpuThermostat::NoseHoover {
                temperature,
                temperature_stop,
                damping,
                chain,
                loops,
                weights,
                drag,
            } => {
                if !(1..=MAX_CHAIN).contains(chain) {
                    return bad(format!(
                        "chain length {chain} (the GPU path takes 1 to {MAX_CHAIN})"
                    ));
                }
                if *loops == 0 {
                    return bad("loops must be at least 1".into());
                }
                if weights.is_empty()
                    || weights.len() > MAX_WEIGHTS
                    || !weights.iter().all(|w| w.is_finite())
                {
                    return bad(format!(
                        "{} Suzuki-Yoshida weights (1 to {MAX_WEIGHTS} finite numbers)",
                        weights.len()
                    ));
                }
                if !(*drag >= 0.0 && drag.is_finite()) {
                    return bad(format!("drag {drag} must be >= 0"));
                }
                if !(*temperature > 0.0 && *temperature_stop > 0.0) {
                    return bad(format!(
                        "temperatures {temperature} {temperature_stop} must be positive"
                    ));
                }
                (*temperature, *temperature_stop, *damping)
            }
        };
        if !(t0 >= 0.0 && t1 >= 0.0 && t0.is_finite() && t1.is_finite()) {
            return bad(format!("temperatures {t0} {t1} must be >= 0"));
        }
        if !(damping > 0.0 && damping.is_finite()) {
            return bad(format!("damping {damping} must be positive"));
        }
        Ok(())
    }
}

/// Mirror of `ThermostatParams` in common.wgsl.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub(crate) struct ThermostatParams {
    pub sizes: [u32; 4],
    pub run: [u32; 4],
    pub temps: [f32; 4],
    pub chain: [f32; 4],
    pub langevin: [f32; 4],
    pub weights: [[f32; 4]; 2],
}

impl ThermostatParams {
    /// The constants of `thermostat` for a run of `dof` degrees of freedom and total
    /// mass `mass` over `groups` workgroups of atoms with timestep `dt`.
    pub(crate) fn new(
        thermostat: &GpuThermostat,
        units: &UnitConstants,
        dt: f64,
        (dof, mass): (f64, f64),
        groups: u32,
    ) -> Self {
        let mut p = ThermostatParams::zeroed();
        p.sizes[3] = groups;
        p.temps[2] = units.boltz as f32;
        p.temps[3] = units.mvv2e as f32;
        p.chain[0] = dof as f32;
        p.chain[3] = dt as f32;
        match thermostat {
            GpuThermostat::None => {}
            GpuThermostat::Langevin {
                temperature,
                temperature_stop,
                damping,
                seed,
                ..
            } => {
                p.run[2] = *seed as u32;
                p.run[3] = (*seed >> 32) as u32;
                p.temps[0] = *temperature as f32;
                p.temps[1] = *temperature_stop as f32;
                let c1 = (-dt / damping).exp();
                p.langevin = [
                    c1 as f32,
                    (1.0 - c1 * c1).sqrt() as f32,
                    (1.0 / mass) as f32,
                    0.0,
                ];
            }
            GpuThermostat::NoseHoover {
                temperature,
                temperature_stop,
                damping,
                chain,
                loops,
                weights,
                drag,
            } => {
                p.sizes[0] = *chain as u32;
                p.sizes[1] = *loops as u32;
                p.sizes[2] = weights.len().min(MAX_WEIGHTS) as u32;
                for (k, x) in weights.iter().take(MAX_WEIGHTS).enumerate() {
                    p.weights[k / 4][k % 4] = *x as f32;
                }
                p.temps[0] = *temperature as f32;
                p.temps[1] = *temperature_stop as f32;
                p.chain[1] = *damping as f32;
                p.chain[2] = (1.0 - dt * drag / (damping * *loops as f64)) as f32;
            }
        }
        p
    }

    /// Sets the run the target temperature ramps over (steps `first..=last`).
    pub(crate) fn set_span(&mut self, first: u64, last: u64) {
        self.run[0] = first as u32;
        self.run[1] = last.saturating_sub(first).min(u32::MAX as u64) as u32;
    }
}

/// Mirror of `ThermostatState` in common.wgsl.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub(crate) struct ThermostatState {
    pub step: [u32; 4],
    pub vals: [f32; 4],
    pub vcm: [f32; 4],
    pub eta: [f32; MAX_CHAIN],
    pub eta_dot: [f32; MAX_CHAIN],
    pub mass: [f32; MAX_CHAIN],
}

impl ThermostatState {
    /// The chain's energy `Nf kT eta_0 + sum_{k>0} kT eta_k + sum_k Q_k eta_dot_k² / 2`
    /// (the thermostat part of the conserved quantity), in f64 from the f32 state.
    pub(crate) fn chain_energy(&self, chain: usize) -> f64 {
        let (kt, ke_target) = (self.vals[2] as f64, self.vals[3] as f64);
        (0..chain)
            .map(|k| {
                let coupling = if k == 0 { ke_target } else { kt };
                let v = self.eta_dot[k] as f64;
                coupling * self.eta[k] as f64 + 0.5 * self.mass[k] as f64 * v * v
            })
            .sum()
    }

    /// The state in the CPU path's `NoseHooverChain::save_state` layout: kT, Nf kT,
    /// the chain length (as bits), eta, eta_dot, masses.
    pub(crate) fn save_chain(&self, chain: usize) -> Vec<f64> {
        let mut v = vec![
            self.vals[2] as f64,
            self.vals[3] as f64,
            f64::from_bits(chain as u64),
        ];
        for a in [&self.eta, &self.eta_dot, &self.mass] {
            v.extend(a[..chain].iter().map(|&x| x as f64));
        }
        v
    }

    /// Loads a chain saved by [`ThermostatState::save_chain`] (or by the CPU path).
    pub(crate) fn load_chain(&mut self, chain: usize, state: &[f64]) -> Result<(), GpuError> {
        let bad = |why: String| Err(GpuError::Unsupported(format!("nvt state: {why}")));
        if state.len() != 3 + 3 * chain {
            return bad(format!(
                "{} numbers, a chain of {chain} needs {}",
                state.len(),
                3 + 3 * chain
            ));
        }
        let m = state[2].to_bits();
        if m != chain as u64 {
            return bad(format!("a chain of {m} thermostats, this run has {chain}"));
        }
        self.vals[2] = state[0] as f32;
        self.vals[3] = state[1] as f32;
        for (k, a) in [&mut self.eta, &mut self.eta_dot, &mut self.mass]
            .into_iter()
            .enumerate()
        {
            for (j, x) in a[..chain].iter_mut().enumerate() {
                *x = state[3 + k * chain + j] as f32;
            }
        }
        Ok(())
    }
}

//! A GPU-resident velocity-Verlet (NVE) run: atoms, bins, neighbor list and forces
//! stay on the device; many steps are encoded per queue submission and the host
//! reads back only status words, thermo sums and, on request, the atoms.

use std::collections::HashMap;
use std::sync::Arc;

use ferromd_core::nalgebra::Vector3;
use ferromd_core::{Cell, NeighborSettings, System, ThermoSample, UnitConstants};

use crate::buffers::{
    Buffers, ST_BIN_NEED, ST_BUILDS, ST_FORCE, ST_NBR_NEED, STATUS_WORDS, Upload,
};
use crate::context::GpuContext;
use crate::error::GpuError;
use crate::kernels::{Kernel, PARTIALS_PER_GROUP, Pipelines, WORKGROUP};
use crate::params::Params;
use crate::potential::GpuPotential;
use crate::readback::read_buffer;
use crate::thermostat::{GpuThermostat, ThermostatParams, ThermostatState};

/// Settings of a GPU run.
#[derive(Debug, Clone, PartialEq)]
pub struct GpuRunSettings {
    /// Timestep.
    pub timestep: f64,
    /// Neighbor skin and rebuild policy (as on the CPU path).
    pub neighbor: NeighborSettings,
    /// Unit constants (`ftm2v`, `mvv2e`, `boltz`, `nktv2p`).
    pub units: UnitConstants,
    /// Most timesteps encoded in one queue submission.
    pub steps_per_submission: u64,
    /// Initial neighbor capacity per atom (default: estimated from the density);
    /// overflowing it triggers regrowth, so a small value only costs reruns.
    pub initial_neighbor_capacity: Option<u32>,
    /// Largest buffer of one neighbor-list chunk in bytes (default: the adapter's
    /// storage-binding limit). The list is split into chunks of consecutive atoms that
    /// each fit; a smaller value only makes more chunks (tests use it to split small
    /// systems).
    pub max_list_chunk_bytes: Option<u64>,
    /// The thermostat (default none: NVE).
    pub thermostat: GpuThermostat,
}

impl GpuRunSettings {
    /// Settings with the given timestep, neighbor policy and units; 100 steps per submission.
    pub fn new(timestep: f64, neighbor: NeighborSettings, units: UnitConstants) -> Self {
        GpuRunSettings {
            timestep,
            neighbor,
            units,
            steps_per_submission: 100,
            initial_neighbor_capacity: None,
            max_list_chunk_bytes: None,
            thermostat: GpuThermostat::None,
        }
    }
}

/// Counters of a GPU run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GpuStats {
    /// Neighbor-list builds.
    pub builds: u64,
    /// Times a bin or neighbor row overflowed and buffers were regrown (each reruns
    /// the steps since the last check from a snapshot).
    pub regrowths: u64,
    /// Current neighbor capacity per atom.
    pub neighbor_capacity: u32,
    /// Current bin capacity.
    pub bin_capacity: u32,
    /// Buffers the neighbor list is split into (see
    /// [`GpuRunSettings::max_list_chunk_bytes`]).
    pub list_chunks: usize,
}

/// A simulation whose state lives on the GPU.
#[derive(Debug)]
pub struct GpuSimulation {
    ctx: Arc<GpuContext>,
    pipelines: Pipelines,
    bind_groups: HashMap<Kernel, Vec<wgpu::BindGroup>>,
    buffers: Buffers,
    params: Params,
    force_kernels: Vec<Kernel>,
    energy_kernel: Kernel,
    system: System,
    settings: GpuRunSettings,
    cutoff: f64,
    step: u64,
    regrowths: u64,
    builds: u64,
    thermostat_params: ThermostatParams,
    /// Langevin heat of earlier runs ([`GpuSimulation::set_thermostat_state`]), minus.
    reservoir_base: f64,
}

/// Workgroups covering `n` items.
fn groups(n: u32) -> u32 {
    n.div_ceil(WORKGROUP)
}

impl GpuSimulation {
    /// Uploads `system` and computes the forces of step 0.
    ///
    /// Requires a fully periodic 3-d cell whose face distances exceed twice the list
    /// cutoff, and atom types covered by the potential.
    pub fn new(
        ctx: Arc<GpuContext>,
        mut system: System,
        potential: &GpuPotential,
        settings: GpuRunSettings,
    ) -> Result<Self, GpuError> {
        system
            .validate()
            .map_err(|e| GpuError::Unsupported(e.to_string()))?;
        if system.dimension != 3 || system.cell.periodic() != [true; 3] {
            return Err(GpuError::Unsupported(
                "only fully periodic 3-d systems run on the GPU".into(),
            ));
        }
        if system.n_types() > potential.n_types() {
            return Err(GpuError::Unsupported(format!(
                "the system has {} atom types but the potential covers {}",
                system.n_types(),
                potential.n_types()
            )));
        }
        let n = u32::try_from(system.len())
            .ok()
            .filter(|&n| n > 0 && groups(n) <= 65535)
            .ok_or_else(|| {
                GpuError::Unsupported(format!(
                    "{} atoms: the GPU path takes 1 to {} atoms",
                    system.len(),
                    65535 * WORKGROUP
                ))
            })?;
        if !(settings.timestep.is_finite() && settings.timestep > 0.0) {
            return Err(GpuError::Unsupported(format!(
                "timestep {} must be positive",
                settings.timestep
            )));
        }
        settings.thermostat.validate()?;
        if settings.thermostat != GpuThermostat::None && system.degrees_of_freedom() <= 0.0 {
            return Err(GpuError::Unsupported(format!(
                "{}: a thermostat needs more than one atom",
                settings.thermostat.name()
            )));
        }
        let cutoff = potential.cutoff();
        let rlist = cutoff + settings.neighbor.skin;
        let face = system.cell.plane_distances().min();
        if face <= 2.0 * rlist {
            return Err(GpuError::CellTooSmall {
                face,
                list_cutoff: rlist,
            });
        }
        // wrap on the host so every position starts inside the cell
        for i in 0..system.len() {
            let mut img = system.images[i];
            system.positions[i] = system.cell.wrap(&system.positions[i], &mut img);
            system.images[i] = img;
        }
        let mut params = Params::zeroed_with(n, potential.n_types() as u32);
        params.set_cell(&system.cell, rlist);
        let s = &settings.neighbor;
        params.sched = [
            s.every.max(1) as u32,
            s.delay as u32,
            u32::from(s.check),
            groups(n),
        ];
        params.sizes[0] = groups(params.n_bins());
        let half = 0.5 * s.skin;
        let dt = settings.timestep;
        params.lens = [
            (rlist * rlist) as f32,
            (half * half) as f32,
            dt as f32,
            (0.5 * dt * settings.units.ftm2v) as f32,
        ];
        let density = n as f64 / system.cell.volume();
        params.counts[2] = initial_bin_capacity(n, params.n_bins());
        params.counts[3] = settings.initial_neighbor_capacity.unwrap_or_else(|| {
            let sphere = 4.0 / 3.0 * std::f64::consts::PI * rlist.powi(3) * density;
            (1.3 * sphere).ceil() as u32 + 16
        });
        let (coeff, eam_map, force_kernels, energy_kernel) = match potential {
            GpuPotential::Pair(p) => (
                p.coeffs.clone(),
                vec![0u32],
                vec![Kernel::PairForces {
                    style: p.style,
                    energy: false,
                }],
                Kernel::PairForces {
                    style: p.style,
                    energy: true,
                },
            ),
            GpuPotential::Eam(e) => {
                let packed = e.pack()?;
                params.sizes[1] = e.nr as u32;
                params.sizes[2] = e.nrho as u32;
                params.eam = [
                    e.rdr as f32,
                    e.rdrho as f32,
                    e.rhomax as f32,
                    (e.cutoff * e.cutoff) as f32,
                ];
                (
                    packed.knots,
                    packed.map,
                    vec![Kernel::EamDensity, Kernel::EamForces { energy: false }],
                    Kernel::EamForces { energy: true },
                )
            }
        };
        let origin = system.cell.origin();
        let pos: Vec<[f32; 4]> = system
            .positions
            .iter()
            .map(|x| {
                let r = x - origin;
                [r.x as f32, r.y as f32, r.z as f32, 0.0]
            })
            .collect();
        let vel: Vec<[f32; 4]> = system
            .velocities
            .iter()
            .zip(&system.masses)
            .map(|(v, m)| [v.x as f32, v.y as f32, v.z as f32, (1.0 / m) as f32])
            .collect();
        let image: Vec<[i32; 4]> = system
            .images
            .iter()
            .map(|i| [i[0], i[1], i[2], 0])
            .collect();
        let ids: Vec<[u32; 2]> = system
            .ids
            .iter()
            .map(|&id| [id as u32, (id >> 32) as u32])
            .collect();
        let thermostat_params = ThermostatParams::new(
            &settings.thermostat,
            &settings.units,
            dt,
            (system.degrees_of_freedom(), system.total_mass()),
            groups(n),
        );
        let buffers = Buffers::new(
            &ctx,
            &Upload {
                params: &params,
                pos: &pos,
                vel: &vel,
                image: &image,
                types: &system.types,
                coeff: &coeff,
                eam_map: &eam_map,
                ids: &ids,
                thermostat: &thermostat_params,
                max_list_bytes: settings.max_list_chunk_bytes,
            },
        )?;
        params.sizes[3] = buffers.list.groups;
        ctx.queue
            .write_buffer(&buffers.params, 0, bytemuck::bytes_of(&params));
        let mut pipelines = Pipelines::default();
        let mut all = vec![
            Kernel::KickDrift,
            Kernel::Kick,
            Kernel::CheckDisplacement,
            Kernel::DecideRebuild,
            Kernel::ClearBins,
            Kernel::FillBins,
            Kernel::SortBins,
            Kernel::BuildList,
            Kernel::ReduceThermo,
            energy_kernel,
        ];
        all.extend(&force_kernels);
        all.extend(thermostat_kernels(&settings.thermostat));
        for k in all {
            pipelines.ensure(&ctx.device, k);
        }
        let bind_groups = buffers.bind_groups(&ctx, &pipelines);
        let mut sim = GpuSimulation {
            ctx,
            pipelines,
            bind_groups,
            buffers,
            params,
            force_kernels,
            energy_kernel,
            system,
            settings,
            cutoff,
            step: 0,
            regrowths: 0,
            builds: 0,
            thermostat_params,
            reservoir_base: 0.0,
        };
        sim.setup_forces()?;
        sim.measure_kinetic_energy();
        Ok(sim)
    }

    /// The current step.
    pub fn step(&self) -> u64 {
        self.step
    }

    /// Sets the step counter (e.g. to continue a run's numbering).
    pub fn set_step(&mut self, step: u64) {
        self.step = step;
    }

    /// The context the simulation runs on.
    pub fn context(&self) -> &Arc<GpuContext> {
        &self.ctx
    }

    /// Build and regrowth counters.
    pub fn stats(&self) -> GpuStats {
        GpuStats {
            builds: self.builds,
            regrowths: self.regrowths,
            neighbor_capacity: self.params.neighbor_capacity(),
            bin_capacity: self.params.bin_capacity(),
            list_chunks: self.buffers.list.ranges.len(),
        }
    }

    /// The force cutoff.
    pub fn cutoff(&self) -> f64 {
        self.cutoff
    }

    /// Dispatches `k` over `groups` workgroups; a kernel that uses the neighbor list
    /// is dispatched once per list chunk instead, over the chunk's workgroups.
    fn dispatch(&self, pass: &mut wgpu::ComputePass<'_>, k: Kernel, groups: u32) {
        let groups = if k.chunked() {
            self.buffers.list.groups
        } else {
            groups
        };
        pass.set_pipeline(&self.pipelines.get(k).pipeline);
        for bg in &self.bind_groups[&k] {
            pass.set_bind_group(0, bg, &[]);
            pass.dispatch_workgroups(groups, 1, 1);
        }
    }

    /// Dispatches `k` (once per list chunk if it uses the list) with the workgroup
    /// counts at `slot` of the indirect buffer.
    fn dispatch_indirect(&self, pass: &mut wgpu::ComputePass<'_>, k: Kernel, slot: u64) {
        pass.set_pipeline(&self.pipelines.get(k).pipeline);
        for bg in &self.bind_groups[&k] {
            pass.set_bind_group(0, bg, &[]);
            pass.dispatch_workgroups_indirect(&self.buffers.indirect, 12 * slot);
        }
    }

    /// The policy decision and the (indirect, possibly empty) rebuild kernels.
    fn encode_neighbor_update(&self, pass: &mut wgpu::ComputePass<'_>) {
        self.dispatch(pass, Kernel::DecideRebuild, 1);
        self.dispatch_indirect(pass, Kernel::ClearBins, 0);
        self.dispatch_indirect(pass, Kernel::FillBins, 1);
        self.dispatch_indirect(pass, Kernel::SortBins, 2);
        self.dispatch_indirect(pass, Kernel::BuildList, 3);
    }

    fn encode_forces(&self, pass: &mut wgpu::ComputePass<'_>) {
        let g = groups(self.params.n_atoms());
        for &k in &self.force_kernels {
            self.dispatch(pass, k, g);
        }
    }

    fn encode_step(&self, pass: &mut wgpu::ComputePass<'_>) {
        let g = groups(self.params.n_atoms());
        match self.settings.thermostat {
            GpuThermostat::None => self.dispatch(pass, Kernel::KickDrift, g),
            GpuThermostat::NoseHoover { .. } => {
                self.dispatch(pass, Kernel::NhInitial, 1);
                self.dispatch(pass, Kernel::KickDriftScaled, g);
            }
            GpuThermostat::Langevin { zero_momentum, .. } => {
                self.dispatch(pass, Kernel::LangevinBegin, 1);
                if zero_momentum {
                    self.dispatch(pass, Kernel::LangevinKickMomentum, g);
                    self.dispatch(pass, Kernel::LangevinZeroMomentum, 1);
                }
                self.dispatch(pass, Kernel::KickDriftLangevin, g);
            }
        }
        self.dispatch(pass, Kernel::CheckDisplacement, g);
        self.encode_neighbor_update(pass);
        self.encode_forces(pass);
        if let GpuThermostat::NoseHoover { .. } = self.settings.thermostat {
            self.dispatch(pass, Kernel::KickKe, g);
            self.dispatch(pass, Kernel::NhFinal, 1);
            self.dispatch(pass, Kernel::ScaleVelocities, g);
        } else {
            self.dispatch(pass, Kernel::Kick, g);
        }
    }

    /// Nosé-Hoover: stores the current 2 KE on the device for the chain's first half
    /// step (later ones take it from the previous step's second half).
    fn measure_kinetic_energy(&self) {
        if let GpuThermostat::NoseHoover { .. } = self.settings.thermostat {
            let g = groups(self.params.n_atoms());
            let mut encoder = self.encoder();
            {
                let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor::default());
                self.dispatch(&mut pass, Kernel::KePartials, g);
                self.dispatch(&mut pass, Kernel::NhMeasure, 1);
            }
            self.ctx.queue.submit([encoder.finish()]);
        }
    }

    /// Sets the run the thermostat's target temperature ramps over: it goes from the
    /// start to the stop temperature between steps `first` and `last` (as the CPU
    /// path's `prepare_run`; without a span the target is the start temperature).
    pub fn set_thermostat_span(&mut self, first: u64, last: u64) {
        self.thermostat_params.set_span(first, last);
        self.ctx.queue.write_buffer(
            &self.buffers.thermostat_params,
            0,
            bytemuck::bytes_of(&self.thermostat_params),
        );
    }

    fn read_thermostat_state(&self) -> Result<ThermostatState, GpuError> {
        let bytes = std::mem::size_of::<ThermostatState>();
        let v: Vec<ThermostatState> =
            read_buffer(&self.ctx, &self.buffers.thermostat_state, bytes as u64)?;
        Ok(v[0])
    }

    /// The Langevin heat given to the atoms so far (f64 sum of the per-workgroup
    /// compensated f32 sums).
    fn langevin_heat(&self) -> Result<f64, GpuError> {
        let g = groups(self.params.n_atoms()) as u64;
        let h: Vec<[f32; 2]> = read_buffer(&self.ctx, &self.buffers.heat, 8 * g)?;
        Ok(h.iter().map(|&[s, c]| s as f64 - c as f64).sum())
    }

    /// The thermostat's energy reservoir: minus the heat the Langevin O steps put in,
    /// or the Nosé-Hoover chain's energy; `etotal + reservoir` is conserved (the CPU
    /// path's `Integrator::reservoir_energy`). Zero for NVE.
    pub fn reservoir_energy(&self) -> Result<f64, GpuError> {
        match self.settings.thermostat {
            GpuThermostat::None => Ok(0.0),
            GpuThermostat::Langevin { .. } => Ok(self.reservoir_base - self.langevin_heat()?),
            GpuThermostat::NoseHoover { chain, .. } => {
                Ok(self.read_thermostat_state()?.chain_energy(chain))
            }
        }
    }

    /// The thermostat state in the layout of the CPU integrator's `save_state`
    /// (`NoseHooverChain`: kT, Nf kT, chain length, eta, eta_dot, masses; `Langevin`:
    /// the reservoir), so a later run, on either path, continues it. Empty for NVE.
    pub fn thermostat_state(&self) -> Result<Vec<f64>, GpuError> {
        match self.settings.thermostat {
            GpuThermostat::None => Ok(Vec::new()),
            GpuThermostat::Langevin { .. } => Ok(vec![self.reservoir_energy()?]),
            GpuThermostat::NoseHoover { chain, .. } => {
                Ok(self.read_thermostat_state()?.save_chain(chain))
            }
        }
    }

    /// Continues a thermostat from a state saved by [`GpuSimulation::thermostat_state`]
    /// or by the CPU integrator's `save_state` (same layout).
    pub fn set_thermostat_state(&mut self, state: &[f64]) -> Result<(), GpuError> {
        match self.settings.thermostat {
            GpuThermostat::None if state.is_empty() => Ok(()),
            GpuThermostat::None => Err(GpuError::Unsupported(
                "nve: a thermostat state was given".into(),
            )),
            GpuThermostat::Langevin { .. } => match state {
                &[r] => {
                    self.reservoir_base = r + self.langevin_heat()?;
                    Ok(())
                }
                _ => Err(GpuError::Unsupported(format!(
                    "langevin state: {} numbers, expected 1",
                    state.len()
                ))),
            },
            GpuThermostat::NoseHoover { chain, .. } => {
                let mut t = self.read_thermostat_state()?;
                t.load_chain(chain, state)?;
                self.ctx.queue.write_buffer(
                    &self.buffers.thermostat_state,
                    0,
                    bytemuck::bytes_of(&t),
                );
                Ok(())
            }
        }
    }

    fn read_status(&self) -> Result<[u32; STATUS_WORDS], GpuError> {
        let v: Vec<u32> = read_buffer(&self.ctx, &self.buffers.status, 4 * STATUS_WORDS as u64)?;
        let mut s = [0; STATUS_WORDS];
        s.copy_from_slice(&v);
        Ok(s)
    }

    /// Regrows what overflowed (per the status words); returns whether anything did.
    fn regrow_if_needed(&mut self, status: &[u32; STATUS_WORDS]) -> Result<bool, GpuError> {
        let bin_need = status[ST_BIN_NEED];
        let nbr_need = status[ST_NBR_NEED];
        let mut grown = false;
        if bin_need > self.params.bin_capacity() {
            self.params.counts[2] = bin_need + bin_need / 4 + 2;
            let (c, a) = Buffers::bins(&self.ctx, &self.params)?;
            self.buffers.bin_count = c;
            self.buffers.bin_atoms = a;
            grown = true;
        }
        if nbr_need > self.params.neighbor_capacity() {
            self.params.counts[3] = nbr_need + nbr_need / 8 + 8;
            let (c, l) =
                Buffers::neighbors(&self.ctx, &self.params, self.settings.max_list_chunk_bytes)?;
            self.buffers.nbr_count = c;
            self.buffers.list = l;
            self.params.sizes[3] = self.buffers.list.groups;
            grown = true;
        }
        if grown {
            self.regrowths += 1;
            self.ctx
                .queue
                .write_buffer(&self.buffers.params, 0, bytemuck::bytes_of(&self.params));
            self.bind_groups = self.buffers.bind_groups(&self.ctx, &self.pipelines);
            // clear the overflow records and force a rebuild at the next decision
            let words = [0u32, 0, 1];
            self.ctx.queue.write_buffer(
                &self.buffers.status,
                4 * ST_BIN_NEED as u64,
                bytemuck::cast_slice(&words),
            );
        }
        Ok(grown)
    }

    /// Builds the list (forced) and computes forces at the current positions, regrowing
    /// until nothing overflows.
    fn setup_forces(&mut self) -> Result<(), GpuError> {
        loop {
            let mut encoder = self.encoder();
            {
                let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor::default());
                self.encode_neighbor_update(&mut pass);
                self.encode_forces(&mut pass);
            }
            self.ctx.queue.submit([encoder.finish()]);
            let status = self.read_status()?;
            if !self.regrow_if_needed(&status)? {
                self.builds = status[ST_BUILDS] as u64;
                return Ok(());
            }
        }
    }

    fn encoder(&self) -> wgpu::CommandEncoder {
        self.ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor::default())
    }

    /// Advances `n_steps` timesteps of velocity Verlet, `steps_per_submission` per
    /// queue submission. After each submission the status words are checked: if a bin
    /// or neighbor row overflowed, buffers are regrown and the submission's steps are
    /// rerun from a snapshot taken at its start, so no neighbor is ever dropped.
    pub fn advance(&mut self, n_steps: u64) -> Result<(), GpuError> {
        let mut done = 0;
        while done < n_steps {
            let k = (n_steps - done).min(self.settings.steps_per_submission.max(1));
            // the device counts the steps from here (Langevin noise, temperature ramp)
            let step = [self.step as u32, (self.step >> 32) as u32];
            self.ctx.queue.write_buffer(
                &self.buffers.thermostat_state,
                0,
                bytemuck::cast_slice(&step),
            );
            loop {
                let mut encoder = self.encoder();
                for (live, snap) in self.buffers.snapshot_pairs() {
                    encoder.copy_buffer_to_buffer(live, 0, snap, 0, None);
                }
                {
                    let mut pass =
                        encoder.begin_compute_pass(&wgpu::ComputePassDescriptor::default());
                    for _ in 0..k {
                        self.encode_step(&mut pass);
                    }
                }
                self.ctx.queue.submit([encoder.finish()]);
                let status = self.read_status()?;
                let overflow = status[ST_BIN_NEED] > self.params.bin_capacity()
                    || status[ST_NBR_NEED] > self.params.neighbor_capacity();
                if !overflow {
                    self.builds = status[ST_BUILDS] as u64;
                    break;
                }
                // restore the state of the batch start, then regrow (which forces a rebuild)
                let mut encoder = self.encoder();
                for (live, snap) in self.buffers.snapshot_pairs() {
                    encoder.copy_buffer_to_buffer(snap, 0, live, 0, None);
                }
                self.ctx.queue.submit([encoder.finish()]);
                self.regrow_if_needed(&status)?;
            }
            done += k;
            self.step += k;
        }
        Ok(())
    }

    /// Thermodynamic state at the current step: per-workgroup partial sums of the
    /// kinetic tensor, potential energy and virial computed on the device (forces are
    /// re-evaluated with energies at the same positions), added in f64 on the host.
    pub fn thermo(&mut self) -> Result<ThermoSample, GpuError> {
        Ok(self.thermo_and_virial()?.0)
    }

    /// [`GpuSimulation::thermo`] and the virial of the same force evaluation, in the
    /// CPU path's convention (`Virial`: sum of r_ij f_ij in energy units, `[xx, yy, zz,
    /// xy, xz, yz]`), e.g. for the stress of a trajectory frame.
    pub fn thermo_and_virial(&mut self) -> Result<(ThermoSample, [f64; 6]), GpuError> {
        let g = groups(self.params.n_atoms());
        let mut encoder = self.encoder();
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor::default());
            self.dispatch(&mut pass, self.energy_kernel, g);
            self.dispatch(&mut pass, Kernel::ReduceThermo, g);
        }
        self.ctx.queue.submit([encoder.finish()]);
        let partials: Vec<f32> = read_buffer(
            &self.ctx,
            &self.buffers.partials,
            (g as usize * PARTIALS_PER_GROUP * 4) as u64,
        )?;
        let mut sums = [0f64; PARTIALS_PER_GROUP];
        for chunk in partials.chunks_exact(PARTIALS_PER_GROUP) {
            for (s, &v) in sums.iter_mut().zip(chunk) {
                *s += v as f64;
            }
        }
        if sums.iter().any(|s| !s.is_finite()) {
            return Err(GpuError::NonFinite { step: self.step });
        }
        let mut sample = self.sample_from_sums(&sums);
        sample.reservoir = self.reservoir_energy()?;
        let virial = std::array::from_fn(|k| sums[7 + k]);
        Ok((sample, virial))
    }

    fn sample_from_sums(&self, sums: &[f64; PARTIALS_PER_GROUP]) -> ThermoSample {
        let u = &self.settings.units;
        let sys = &self.system;
        let kin: [f64; 6] = std::array::from_fn(|k| sums[k] * u.mvv2e);
        let virial: [f64; 6] = std::array::from_fn(|k| sums[7 + k]);
        let ke = 0.5 * (kin[0] + kin[1] + kin[2]);
        let dof = sys.degrees_of_freedom();
        let temp = if dof > 0.0 {
            2.0 * ke / (dof * u.boltz)
        } else {
            0.0
        };
        let vol = sys.volume();
        let trace = virial[0] + virial[1] + virial[2];
        let press = (dof * u.boltz * temp + trace) / 3.0 / vol * u.nktv2p;
        ThermoSample {
            step: self.step,
            atoms: sys.len(),
            temp,
            pe: sums[6],
            ke,
            press,
            pressure_tensor: std::array::from_fn(|k| (kin[k] + virial[k]) / vol * u.nktv2p),
            vol,
            reservoir: 0.0,
        }
    }

    /// Copies positions (wrapped, with image counters), velocities and forces back into
    /// the host system and returns it.
    pub fn download(&mut self) -> Result<&System, GpuError> {
        let n = self.system.len() as u64;
        let pos: Vec<[f32; 4]> = read_buffer(&self.ctx, &self.buffers.pos, 16 * n)?;
        let vel: Vec<[f32; 4]> = read_buffer(&self.ctx, &self.buffers.vel, 16 * n)?;
        let force: Vec<[f32; 4]> = read_buffer(&self.ctx, &self.buffers.force, 16 * n)?;
        let image: Vec<[i32; 4]> = read_buffer(&self.ctx, &self.buffers.image, 16 * n)?;
        let origin = self.system.cell.origin();
        let v3 = |a: &[f32; 4]| Vector3::new(a[0] as f64, a[1] as f64, a[2] as f64);
        let s = &mut self.system;
        for i in 0..s.len() {
            s.positions[i] = origin + v3(&pos[i]);
            s.velocities[i] = v3(&vel[i]);
            s.forces[i] = v3(&force[i]);
            s.images[i] = [image[i][0], image[i][1], image[i][2]];
        }
        if s.positions
            .iter()
            .chain(&s.velocities)
            .any(|v| !v.iter().all(|c| c.is_finite()))
        {
            return Err(GpuError::NonFinite { step: self.step });
        }
        Ok(&self.system)
    }

    /// The host copy of the system without reading anything back: the cell, types and
    /// masses are current, positions, velocities and forces are those of the last
    /// [`GpuSimulation::download`] (or of the upload).
    pub fn host_system(&self) -> &System {
        &self.system
    }

    /// Downloads and hands the host system over.
    pub fn into_system(mut self) -> Result<System, GpuError> {
        self.download()?;
        Ok(self.system)
    }

    /// The current neighbor list: for each atom, the indices of its neighbors within the
    /// list cutoff (full list, each pair in both rows, sorted).
    pub fn neighbor_rows(&self) -> Result<Vec<Vec<u32>>, GpuError> {
        let n = self.params.n_atoms() as usize;
        let cap = self.params.neighbor_capacity() as usize;
        let counts: Vec<u32> = read_buffer(&self.ctx, &self.buffers.nbr_count, 4 * n as u64)?;
        let mut rows = Vec::with_capacity(n);
        let chunks = &self.buffers.list;
        for (&(first, count), buffer) in chunks.ranges.iter().zip(&chunks.lists) {
            let (first, m) = (first as usize, count as usize);
            let list: Vec<u32> = read_buffer(&self.ctx, buffer, (4 * m * cap) as u64)?;
            for a in 0..m {
                let len = (counts[first + a] as usize).min(cap);
                let mut row: Vec<u32> = (0..len).map(|k| list[k * m + a]).collect();
                row.sort_unstable();
                rows.push(row);
            }
        }
        Ok(rows)
    }

    /// Replaces the cell, mapping every atom affinely (same fractional coordinates),
    /// rebuilds the list and recomputes forces; neighbor and bin capacities regrow as
    /// needed (e.g. when the box is compressed).
    pub fn remap_cell(&mut self, cell: Cell) -> Result<(), GpuError> {
        self.download()?;
        let rlist = self.cutoff + self.settings.neighbor.skin;
        let face = cell.plane_distances().min();
        if face <= 2.0 * rlist {
            return Err(GpuError::CellTooSmall {
                face,
                list_cutoff: rlist,
            });
        }
        let old = self.system.cell.clone();
        let pos: Vec<[f32; 4]> = self
            .system
            .positions
            .iter()
            .map(|x| {
                let r = cell.to_cartesian(&old.to_fractional(x)) - cell.origin();
                [r.x as f32, r.y as f32, r.z as f32, 0.0]
            })
            .collect();
        let nbins = self.params.n_bins();
        self.params.set_cell(&cell, rlist);
        self.params.sizes[0] = groups(self.params.n_bins());
        if self.params.n_bins() != nbins {
            let (c, a) = Buffers::bins(&self.ctx, &self.params)?;
            self.buffers.bin_count = c;
            self.buffers.bin_atoms = a;
            self.bind_groups = self.buffers.bind_groups(&self.ctx, &self.pipelines);
        }
        self.system.cell = cell;
        let q = &self.ctx.queue;
        q.write_buffer(&self.buffers.params, 0, bytemuck::bytes_of(&self.params));
        q.write_buffer(&self.buffers.pos, 0, bytemuck::cast_slice(&pos));
        q.write_buffer(
            &self.buffers.status,
            4 * ST_FORCE as u64,
            bytemuck::cast_slice(&[1u32]),
        );
        self.setup_forces()
    }
}

/// The kernels a thermostat adds to the step.
fn thermostat_kernels(t: &GpuThermostat) -> Vec<Kernel> {
    match t {
        GpuThermostat::None => Vec::new(),
        GpuThermostat::NoseHoover { .. } => vec![
            Kernel::NhInitial,
            Kernel::KickDriftScaled,
            Kernel::KickKe,
            Kernel::KePartials,
            Kernel::NhFinal,
            Kernel::NhMeasure,
            Kernel::ScaleVelocities,
        ],
        GpuThermostat::Langevin { zero_momentum, .. } => {
            let mut k = vec![Kernel::LangevinBegin, Kernel::KickDriftLangevin];
            if *zero_momentum {
                k.extend([Kernel::LangevinKickMomentum, Kernel::LangevinZeroMomentum]);
            }
            k
        }
    }
}

/// Bin slots: twice the mean occupancy plus a margin (regrown on overflow).
fn initial_bin_capacity(n_atoms: u32, n_bins: u32) -> u32 {
    let mean = n_atoms as f64 / n_bins.max(1) as f64;
    (2.0 * mean).ceil() as u32 + 8
}

//! The WGSL kernels (from the top-level `kernels/` folder), their bind-group layouts
//! and compute pipelines.
//!
//! Every kernel is compiled from `common.wgsl` (parameters, buffer declarations,
//! cell helpers) followed by its own file(s). All buffers live in bind group 0 at
//! fixed binding numbers ([`Binding`]); each entry point gets an explicit layout
//! naming only the bindings it uses.

use std::collections::HashMap;

const COMMON: &str = include_str!("../../kernels/common.wgsl");
const INTEGRATE: &str = include_str!("../../kernels/integrate.wgsl");
const REBUILD_CHECK: &str = include_str!("../../kernels/rebuild_check.wgsl");
const BINNING: &str = include_str!("../../kernels/binning.wgsl");
const NEIGHBOR_LIST: &str = include_str!("../../kernels/neighbor_list.wgsl");
const PAIR_FORCES: &str = include_str!("../../kernels/pair_forces.wgsl");
const PAIR_LJ: &str = include_str!("../../kernels/pair_lj.wgsl");
const PAIR_MORSE: &str = include_str!("../../kernels/pair_morse.wgsl");
const EAM_DENSITY: &str = include_str!("../../kernels/eam_density.wgsl");
const EAM_FORCES: &str = include_str!("../../kernels/eam_forces.wgsl");
const REDUCE_THERMO: &str = include_str!("../../kernels/reduce_thermo.wgsl");
const PHILOX: &str = include_str!("../../kernels/philox.wgsl");
const THERMOSTAT: &str = include_str!("../../kernels/thermostat.wgsl");

/// Threads per workgroup of every per-atom and per-bin kernel (`WG` in common.wgsl).
pub(crate) const WORKGROUP: u32 = 256;

/// Partial sums written per workgroup by `reduce_thermo` (13 used, padded to 16).
pub(crate) const PARTIALS_PER_GROUP: usize = 16;

/// Most storage buffers any kernel binds (`eam_forces`).
pub(crate) const MAX_STORAGE_BUFFERS: u32 = 10;

/// Binding numbers of the buffers in bind group 0 (as declared in common.wgsl).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
pub(crate) enum Binding {
    Params = 0,
    Pos = 1,
    Vel = 2,
    Force = 3,
    Image = 4,
    Types = 5,
    PosBuild = 6,
    BinCount = 7,
    BinAtoms = 8,
    NbrCount = 9,
    NbrList = 10,
    Status = 11,
    Indirect = 12,
    Coeff = 13,
    Virial = 14,
    Partials = 15,
    EmbedFp = 16,
    EamMap = 17,
    /// The list chunk a dispatch covers (uniform: first atom, atom count).
    Chunk = 18,
    /// Thermostat constants (uniform `tparams`).
    ThermostatParams = 19,
    /// Thermostat variables and the device step counter (`tstate`).
    ThermostatState = 20,
    /// Atom ids (low, high word), the key of the Langevin noise.
    Ids = 21,
    /// Per-workgroup heat of the Langevin O steps.
    Heat = 22,
}

impl Binding {
    fn ty(self) -> wgpu::BindingType {
        let storage = |read_only| wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Storage { read_only },
            has_dynamic_offset: false,
            min_binding_size: None,
        };
        match self {
            Binding::Params | Binding::Chunk | Binding::ThermostatParams => {
                wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Uniform,
                    has_dynamic_offset: false,
                    min_binding_size: None,
                }
            }
            Binding::Types | Binding::Coeff | Binding::EamMap | Binding::Ids => storage(true),
            _ => storage(false),
        }
    }
}

/// The pair style compiled into the pair-force kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PairStyle {
    /// Lennard-Jones 12-6 (`lj/cut`).
    LennardJones,
    /// Morse (`morse`).
    Morse,
}

/// One compute kernel: where its source comes from, its entry point and bindings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kernel {
    KickDrift,
    Kick,
    CheckDisplacement,
    DecideRebuild,
    ClearBins,
    FillBins,
    SortBins,
    BuildList,
    PairForces {
        style: PairStyle,
        energy: bool,
    },
    EamDensity,
    EamForces {
        energy: bool,
    },
    ReduceThermo,
    /// Nosé-Hoover: step counter and the chain's first half step (1 invocation).
    NhInitial,
    /// Nosé-Hoover: velocity scale, half kick and drift.
    KickDriftScaled,
    /// Nosé-Hoover: second half kick with per-workgroup sums of m v².
    KickKe,
    /// Per-workgroup sums of m v² (before a run's first step).
    KePartials,
    /// Nosé-Hoover: 2 KE from the sums and the chain's second half step (1 workgroup).
    NhFinal,
    /// Nosé-Hoover: stores 2 KE from the sums (1 workgroup).
    NhMeasure,
    /// Nosé-Hoover: velocity scale after the second half step.
    ScaleVelocities,
    /// Langevin: step counter and noise width (1 invocation).
    LangevinBegin,
    /// Langevin: BAOAB's B, A, O, A with the heat of the O step.
    KickDriftLangevin,
    /// Langevin `zero yes`: per-workgroup sums of the kicks' momentum.
    LangevinKickMomentum,
    /// Langevin `zero yes`: the kicks' centre-of-mass velocity (1 workgroup).
    LangevinZeroMomentum,
}

impl Kernel {
    fn entry_point(self) -> &'static str {
        match self {
            Kernel::KickDrift => "kick_drift",
            Kernel::Kick => "kick",
            Kernel::CheckDisplacement => "check_displacement",
            Kernel::DecideRebuild => "decide_rebuild",
            Kernel::ClearBins => "clear_bins",
            Kernel::FillBins => "fill_bins",
            Kernel::SortBins => "sort_bins",
            Kernel::BuildList => "build_list",
            Kernel::PairForces { .. } => "pair_forces",
            Kernel::EamDensity => "eam_density",
            Kernel::EamForces { .. } => "eam_forces",
            Kernel::ReduceThermo => "reduce_thermo",
            Kernel::NhInitial => "nh_initial",
            Kernel::KickDriftScaled => "kick_drift_scaled",
            Kernel::KickKe => "kick_ke",
            Kernel::KePartials => "ke_partials",
            Kernel::NhFinal => "nh_final",
            Kernel::NhMeasure => "nh_measure",
            Kernel::ScaleVelocities => "scale_velocities",
            Kernel::LangevinBegin => "langevin_begin",
            Kernel::KickDriftLangevin => "kick_drift_langevin",
            Kernel::LangevinKickMomentum => "langevin_kick_momentum",
            Kernel::LangevinZeroMomentum => "langevin_zero_momentum",
        }
    }

    fn source(self) -> String {
        let parts: &[&str] = match self {
            Kernel::KickDrift | Kernel::Kick => &[INTEGRATE],
            Kernel::CheckDisplacement | Kernel::DecideRebuild => &[REBUILD_CHECK],
            Kernel::ClearBins | Kernel::FillBins | Kernel::SortBins => &[BINNING],
            Kernel::BuildList => &[NEIGHBOR_LIST],
            Kernel::PairForces { style, .. } => match style {
                PairStyle::LennardJones => &[PAIR_LJ, PAIR_FORCES],
                PairStyle::Morse => &[PAIR_MORSE, PAIR_FORCES],
            },
            Kernel::EamDensity => &[EAM_DENSITY],
            Kernel::EamForces { .. } => &[EAM_DENSITY, EAM_FORCES],
            Kernel::ReduceThermo => &[REDUCE_THERMO],
            Kernel::NhInitial
            | Kernel::KickDriftScaled
            | Kernel::KickKe
            | Kernel::KePartials
            | Kernel::NhFinal
            | Kernel::NhMeasure
            | Kernel::ScaleVelocities
            | Kernel::LangevinBegin
            | Kernel::KickDriftLangevin
            | Kernel::LangevinKickMomentum
            | Kernel::LangevinZeroMomentum => &[INTEGRATE, PHILOX, THERMOSTAT],
        };
        let mut s = String::from(COMMON);
        for p in parts {
            s.push('\n');
            s.push_str(p);
        }
        s
    }

    /// Whether the kernel reads or writes the neighbor list, so it is dispatched once
    /// per list chunk with that chunk's bind group.
    pub(crate) fn chunked(self) -> bool {
        self.bindings().contains(&Binding::NbrList)
    }

    fn energy(self) -> Option<bool> {
        match self {
            Kernel::PairForces { energy, .. } | Kernel::EamForces { energy } => Some(energy),
            _ => None,
        }
    }

    /// The bindings the entry point uses (its layout).
    pub(crate) fn bindings(self) -> &'static [Binding] {
        use Binding::*;
        match self {
            Kernel::KickDrift => &[Params, Pos, Vel, Force, Image],
            Kernel::Kick => &[Params, Vel, Force],
            Kernel::CheckDisplacement => &[Params, Pos, PosBuild, Status],
            Kernel::DecideRebuild => &[Params, Status, Indirect],
            Kernel::ClearBins => &[Params, BinCount],
            Kernel::FillBins => &[Params, Pos, BinCount, BinAtoms, Status],
            Kernel::SortBins => &[Params, BinCount, BinAtoms],
            Kernel::BuildList => &[
                Params, Pos, PosBuild, BinCount, BinAtoms, NbrCount, NbrList, Status, Chunk,
            ],
            Kernel::PairForces { .. } => &[
                Params, Pos, Force, Types, NbrCount, NbrList, Coeff, Virial, Chunk,
            ],
            Kernel::EamDensity => &[
                Params, Pos, Types, NbrCount, NbrList, Coeff, EmbedFp, EamMap, Chunk,
            ],
            Kernel::EamForces { .. } => &[
                Params, Pos, Force, Types, NbrCount, NbrList, Coeff, Virial, EmbedFp, EamMap, Chunk,
            ],
            Kernel::ReduceThermo => &[Params, Vel, Force, Virial, Partials],
            Kernel::NhInitial | Kernel::LangevinBegin => &[ThermostatParams, ThermostatState],
            Kernel::KickDriftScaled => &[Params, Pos, Vel, Force, Image, ThermostatState],
            Kernel::KickKe => &[Params, Vel, Force, Partials],
            Kernel::KePartials => &[Params, Vel, Partials],
            Kernel::LangevinKickMomentum => &[
                Params,
                Vel,
                ThermostatParams,
                ThermostatState,
                Ids,
                Partials,
            ],
            Kernel::NhFinal | Kernel::NhMeasure | Kernel::LangevinZeroMomentum => {
                &[ThermostatParams, ThermostatState, Partials]
            }
            Kernel::ScaleVelocities => &[Params, Vel, ThermostatState],
            Kernel::KickDriftLangevin => &[
                Params,
                Pos,
                Vel,
                Force,
                Image,
                ThermostatParams,
                ThermostatState,
                Ids,
                Heat,
            ],
        }
    }
}

/// A compiled kernel with its layout.
#[derive(Debug)]
pub(crate) struct Pipeline {
    pub(crate) pipeline: wgpu::ComputePipeline,
    pub(crate) layout: wgpu::BindGroupLayout,
}

/// Compiles kernels on first use and keeps them.
#[derive(Debug, Default)]
pub(crate) struct Pipelines {
    compiled: HashMap<Kernel, Pipeline>,
}

impl Pipelines {
    /// Compiles `kernel` unless it already is.
    pub(crate) fn ensure(&mut self, device: &wgpu::Device, kernel: Kernel) {
        self.compiled
            .entry(kernel)
            .or_insert_with(|| compile(device, kernel));
    }

    /// The compiled kernels.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&Kernel, &Pipeline)> {
        self.compiled.iter()
    }

    /// The pipeline of a kernel compiled with [`Pipelines::ensure`].
    pub(crate) fn get(&self, kernel: Kernel) -> &Pipeline {
        &self.compiled[&kernel]
    }
}

fn compile(device: &wgpu::Device, kernel: Kernel) -> Pipeline {
    let entries: Vec<wgpu::BindGroupLayoutEntry> = kernel
        .bindings()
        .iter()
        .map(|&b| wgpu::BindGroupLayoutEntry {
            binding: b as u32,
            visibility: wgpu::ShaderStages::COMPUTE,
            ty: b.ty(),
            count: None,
        })
        .collect();
    let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some(kernel.entry_point()),
        entries: &entries,
    });
    let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some(kernel.entry_point()),
        bind_group_layouts: &[Some(&layout)],
        immediate_size: 0,
    });
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(kernel.entry_point()),
        source: wgpu::ShaderSource::Wgsl(kernel.source().into()),
    });
    let constants: Vec<(&str, f64)> = kernel
        .energy()
        .map(|e| vec![("ENERGY", if e { 1.0 } else { 0.0 })])
        .unwrap_or_default();
    let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some(kernel.entry_point()),
        layout: Some(&pipeline_layout),
        module: &module,
        entry_point: Some(kernel.entry_point()),
        compilation_options: wgpu::PipelineCompilationOptions {
            constants: &constants,
            zero_initialize_workgroup_memory: false,
        },
        cache: None,
    });
    Pipeline { pipeline, layout }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kernel's WGSL parses and validates (naga, as wgpu does before compiling),
    /// and its entry point exists: checked without a GPU adapter.
    #[test]
    fn every_kernel_is_valid_wgsl() {
        let mut kernels = vec![
            Kernel::KickDrift,
            Kernel::Kick,
            Kernel::CheckDisplacement,
            Kernel::DecideRebuild,
            Kernel::ClearBins,
            Kernel::FillBins,
            Kernel::SortBins,
            Kernel::BuildList,
            Kernel::EamDensity,
            Kernel::ReduceThermo,
            Kernel::NhInitial,
            Kernel::KickDriftScaled,
            Kernel::KickKe,
            Kernel::KePartials,
            Kernel::NhFinal,
            Kernel::NhMeasure,
            Kernel::ScaleVelocities,
            Kernel::LangevinBegin,
            Kernel::KickDriftLangevin,
            Kernel::LangevinKickMomentum,
            Kernel::LangevinZeroMomentum,
        ];
        for energy in [false, true] {
            kernels.push(Kernel::EamForces { energy });
            for style in [PairStyle::LennardJones, PairStyle::Morse] {
                kernels.push(Kernel::PairForces { style, energy });
            }
        }
        for k in kernels {
            let module = naga::front::wgsl::parse_str(&k.source()).unwrap_or_else(|e| {
                panic!("{}: {}", k.entry_point(), e.emit_to_string(&k.source()))
            });
            naga::valid::Validator::new(
                naga::valid::ValidationFlags::all(),
                naga::valid::Capabilities::default(),
            )
            .validate(&module)
            .unwrap_or_else(|e| panic!("{}: {e:?}", k.entry_point()));
            assert!(
                module
                    .entry_points
                    .iter()
                    .any(|e| e.name == k.entry_point()),
                "{}",
                k.entry_point()
            );
        }
    }
}

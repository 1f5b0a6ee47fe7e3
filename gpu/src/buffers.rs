//! The device buffers of a GPU simulation, and the bind groups that name them.

use std::collections::HashMap;

use wgpu::util::DeviceExt;

use crate::context::GpuContext;
use crate::error::GpuError;
use crate::kernels::{Binding, Kernel, PARTIALS_PER_GROUP, Pipelines, WORKGROUP};
use crate::params::Params;
use crate::thermostat::{ThermostatParams, ThermostatState};

/// Number of status words (see `ST_*` in common.wgsl).
pub(crate) const STATUS_WORDS: usize = 8;
/// Status word indices.
pub(crate) const ST_BUILDS: usize = 2;
pub(crate) const ST_BIN_NEED: usize = 3;
pub(crate) const ST_NBR_NEED: usize = 4;
pub(crate) const ST_FORCE: usize = 5;

/// Usage of every per-atom state buffer: kernels, uploads, readbacks and snapshots.
const STATE: wgpu::BufferUsages = wgpu::BufferUsages::STORAGE
    .union(wgpu::BufferUsages::COPY_SRC)
    .union(wgpu::BufferUsages::COPY_DST);

/// Host data the buffers are created from.
pub(crate) struct Upload<'a> {
    pub params: &'a Params,
    pub pos: &'a [[f32; 4]],
    pub vel: &'a [[f32; 4]],
    pub image: &'a [[i32; 4]],
    pub types: &'a [u32],
    pub coeff: &'a [[f32; 8]],
    pub eam_map: &'a [u32],
    /// Atom ids (low, high word).
    pub ids: &'a [[u32; 2]],
    /// Thermostat constants.
    pub thermostat: &'a ThermostatParams,
    /// Largest neighbor-list chunk in bytes, below the adapter's limit (tests).
    pub max_list_bytes: Option<u64>,
}

/// All device buffers.
#[derive(Debug)]
pub(crate) struct Buffers {
    pub params: wgpu::Buffer,
    pub pos: wgpu::Buffer,
    pub vel: wgpu::Buffer,
    pub force: wgpu::Buffer,
    pub image: wgpu::Buffer,
    pub types: wgpu::Buffer,
    pub pos_build: wgpu::Buffer,
    pub bin_count: wgpu::Buffer,
    pub bin_atoms: wgpu::Buffer,
    pub nbr_count: wgpu::Buffer,
    pub list: ListChunks,
    pub status: wgpu::Buffer,
    pub indirect: wgpu::Buffer,
    pub coeff: wgpu::Buffer,
    pub virial: wgpu::Buffer,
    pub partials: wgpu::Buffer,
    pub embed_fp: wgpu::Buffer,
    pub eam_map: wgpu::Buffer,
    /// Thermostat constants (uniform).
    pub thermostat_params: wgpu::Buffer,
    /// Thermostat variables and the device step counter.
    pub thermostat_state: wgpu::Buffer,
    /// Atom ids.
    pub ids: wgpu::Buffer,
    /// Per-workgroup heat of the Langevin O steps (sum, compensation).
    pub heat: wgpu::Buffer,
    /// Copies of pos, vel, force, image, status, thermostat state and heat at the start
    /// of a batch (for reruns).
    pub snapshot: [wgpu::Buffer; 7],
}

/// The neighbor list split into chunks of consecutive atoms, one buffer each, so that
/// no binding exceeds the adapter's limit (llvmpipe: 128 MiB, about 280,000 LJ atoms).
#[derive(Debug)]
pub(crate) struct ListChunks {
    /// (first atom, atom count) of each chunk.
    pub ranges: Vec<(u32, u32)>,
    /// Each chunk's list: entry k of local atom a at `k * count + a`.
    pub lists: Vec<wgpu::Buffer>,
    /// Each chunk's uniform `(first atom, count, 0, 0)` (`chunk` in common.wgsl).
    pub uniforms: Vec<wgpu::Buffer>,
    /// Workgroups covering the largest chunk.
    pub groups: u32,
}

/// Atoms per list chunk for `n` atoms with `capacity` entries per row when no buffer
/// may exceed `max_bytes`: a multiple of the workgroup size, balanced over the fewest
/// chunks; `None` when not even one workgroup of rows fits.
pub(crate) fn chunk_atoms(n: u32, capacity: u32, max_bytes: u64) -> Option<u32> {
    let wg = WORKGROUP as u64;
    let fit = max_bytes / (4 * capacity.max(1) as u64) / wg * wg;
    if fit == 0 {
        return None;
    }
    let chunks = (n as u64).div_ceil(fit).max(1);
    let size = (n as u64).div_ceil(chunks).next_multiple_of(wg).min(fit);
    Some(size.min(u32::MAX as u64) as u32)
}

fn init(ctx: &GpuContext, label: &str, data: &[u8], usage: wgpu::BufferUsages) -> wgpu::Buffer {
    // zero-sized bindings are invalid: keep at least 16 bytes
    let mut bytes = data.to_vec();
    bytes.resize(bytes.len().max(16), 0);
    ctx.device
        .create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some(label),
            contents: &bytes,
            usage,
        })
}

fn zeroed(ctx: &GpuContext, label: &str, bytes: u64, usage: wgpu::BufferUsages) -> wgpu::Buffer {
    ctx.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size: bytes.max(16).next_multiple_of(16),
        usage,
        mapped_at_creation: false,
    })
}

/// Fails when a buffer of `bytes` exceeds the adapter's limits.
pub(crate) fn check_size(ctx: &GpuContext, what: &str, bytes: u64) -> Result<(), GpuError> {
    let l = ctx.limits();
    let max = l.max_buffer_size.min(l.max_storage_buffer_binding_size);
    if bytes > max {
        return Err(GpuError::Limits {
            adapter: ctx.adapter_name().to_string(),
            what: format!("the {what} needs {bytes} bytes, the largest buffer is {max} bytes"),
        });
    }
    Ok(())
}

impl Buffers {
    /// Creates every buffer from the host data.
    pub(crate) fn new(ctx: &GpuContext, up: &Upload<'_>) -> Result<Self, GpuError> {
        let n = up.params.n_atoms() as u64;
        let groups = n.div_ceil(WORKGROUP as u64);
        let v4 = 16 * n;
        let mut status = [0u32; STATUS_WORDS];
        status[ST_FORCE] = 1;
        let (bin_count, bin_atoms) = Self::bins(ctx, up.params)?;
        let (nbr_count, list) = Self::neighbors(ctx, up.params, up.max_list_bytes)?;
        Ok(Buffers {
            params: init(
                ctx,
                "params",
                bytemuck::bytes_of(up.params),
                wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            ),
            pos: init(ctx, "pos", bytemuck::cast_slice(up.pos), STATE),
            vel: init(ctx, "vel", bytemuck::cast_slice(up.vel), STATE),
            force: zeroed(ctx, "force", v4, STATE),
            image: init(ctx, "image", bytemuck::cast_slice(up.image), STATE),
            types: init(ctx, "types", bytemuck::cast_slice(up.types), STATE),
            pos_build: zeroed(ctx, "pos_build", v4, STATE),
            bin_count,
            bin_atoms,
            nbr_count,
            list,
            status: init(ctx, "status", bytemuck::cast_slice(&status), STATE),
            indirect: zeroed(
                ctx,
                "indirect",
                48,
                wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::INDIRECT,
            ),
            coeff: init(ctx, "coeff", bytemuck::cast_slice(up.coeff), STATE),
            virial: zeroed(ctx, "virial", 2 * v4, STATE),
            partials: zeroed(
                ctx,
                "partials",
                groups * PARTIALS_PER_GROUP as u64 * 4,
                STATE,
            ),
            embed_fp: zeroed(ctx, "embed_fp", 8 * n, STATE),
            eam_map: init(ctx, "eam_map", bytemuck::cast_slice(up.eam_map), STATE),
            thermostat_params: init(
                ctx,
                "thermostat params",
                bytemuck::bytes_of(up.thermostat),
                wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            ),
            thermostat_state: init(
                ctx,
                "thermostat state",
                bytemuck::bytes_of(&<ThermostatState as bytemuck::Zeroable>::zeroed()),
                STATE,
            ),
            ids: init(ctx, "ids", bytemuck::cast_slice(up.ids), STATE),
            heat: zeroed(ctx, "heat", 8 * groups, STATE),
            snapshot: [
                zeroed(ctx, "snapshot pos", v4, STATE),
                zeroed(ctx, "snapshot vel", v4, STATE),
                zeroed(ctx, "snapshot force", v4, STATE),
                zeroed(ctx, "snapshot image", v4, STATE),
                zeroed(ctx, "snapshot status", 4 * STATUS_WORDS as u64, STATE),
                zeroed(
                    ctx,
                    "snapshot thermostat",
                    std::mem::size_of::<ThermostatState>() as u64,
                    STATE,
                ),
                zeroed(ctx, "snapshot heat", 8 * groups, STATE),
            ],
        })
    }

    /// Bin counters and slots for the grid and capacity in `params`.
    pub(crate) fn bins(
        ctx: &GpuContext,
        params: &Params,
    ) -> Result<(wgpu::Buffer, wgpu::Buffer), GpuError> {
        let nb = params.n_bins() as u64;
        let slots = 4 * nb * params.bin_capacity() as u64;
        check_size(ctx, "bin grid", slots)?;
        Ok((
            zeroed(ctx, "bin_count", 4 * nb, STATE),
            zeroed(ctx, "bin_atoms", slots, STATE),
        ))
    }

    /// Neighbor counts and the list chunks for the capacity in `params`, no chunk
    /// larger than the adapter allows or than `max_bytes` (when given).
    pub(crate) fn neighbors(
        ctx: &GpuContext,
        params: &Params,
        max_bytes: Option<u64>,
    ) -> Result<(wgpu::Buffer, ListChunks), GpuError> {
        let n = params.n_atoms();
        let cap = params.neighbor_capacity();
        let l = ctx.limits();
        let limit = l
            .max_buffer_size
            .min(l.max_storage_buffer_binding_size)
            .min(max_bytes.unwrap_or(u64::MAX));
        let size = chunk_atoms(n, cap, limit).ok_or_else(|| GpuError::Limits {
            adapter: ctx.adapter_name().to_string(),
            what: format!(
                "{WORKGROUP} neighbor rows of {cap} entries exceed the largest buffer ({limit} bytes)"
            ),
        })?;
        let mut list = ListChunks {
            ranges: Vec::new(),
            lists: Vec::new(),
            uniforms: Vec::new(),
            groups: size.div_ceil(WORKGROUP),
        };
        let mut first = 0;
        while first < n {
            let count = size.min(n - first);
            let bytes = 4 * count as u64 * cap as u64;
            list.ranges.push((first, count));
            list.lists.push(zeroed(ctx, "nbr_list chunk", bytes, STATE));
            list.uniforms.push(init(
                ctx,
                "list chunk",
                bytemuck::cast_slice(&[first, count, 0, 0]),
                wgpu::BufferUsages::UNIFORM,
            ));
            first += count;
        }
        Ok((zeroed(ctx, "nbr_count", 4 * n as u64, STATE), list))
    }

    /// The buffer bound at `b` for list chunk `chunk`.
    fn get(&self, b: Binding, chunk: usize) -> &wgpu::Buffer {
        match b {
            Binding::Params => &self.params,
            Binding::Pos => &self.pos,
            Binding::Vel => &self.vel,
            Binding::Force => &self.force,
            Binding::Image => &self.image,
            Binding::Types => &self.types,
            Binding::PosBuild => &self.pos_build,
            Binding::BinCount => &self.bin_count,
            Binding::BinAtoms => &self.bin_atoms,
            Binding::NbrCount => &self.nbr_count,
            Binding::NbrList => &self.list.lists[chunk],
            Binding::Chunk => &self.list.uniforms[chunk],
            Binding::Status => &self.status,
            Binding::Indirect => &self.indirect,
            Binding::Coeff => &self.coeff,
            Binding::Virial => &self.virial,
            Binding::Partials => &self.partials,
            Binding::EmbedFp => &self.embed_fp,
            Binding::EamMap => &self.eam_map,
            Binding::ThermostatParams => &self.thermostat_params,
            Binding::ThermostatState => &self.thermostat_state,
            Binding::Ids => &self.ids,
            Binding::Heat => &self.heat,
        }
    }

    /// The pairs (live buffer, its snapshot) saved at the start of a batch.
    pub(crate) fn snapshot_pairs(&self) -> [(&wgpu::Buffer, &wgpu::Buffer); 7] {
        let [p, v, f, i, s, t, h] = &self.snapshot;
        [
            (&self.pos, p),
            (&self.vel, v),
            (&self.force, f),
            (&self.image, i),
            (&self.status, s),
            (&self.thermostat_state, t),
            (&self.heat, h),
        ]
    }

    /// The bind groups of every compiled kernel: one per list chunk for the kernels
    /// that use the list ([`Kernel::chunked`]), else one.
    pub(crate) fn bind_groups(
        &self,
        ctx: &GpuContext,
        pipelines: &Pipelines,
    ) -> HashMap<Kernel, Vec<wgpu::BindGroup>> {
        pipelines
            .iter()
            .map(|(&k, p)| {
                let chunks = if k.chunked() {
                    self.list.ranges.len()
                } else {
                    1
                };
                let groups = (0..chunks)
                    .map(|c| {
                        let entries: Vec<wgpu::BindGroupEntry> = k
                            .bindings()
                            .iter()
                            .map(|&b| wgpu::BindGroupEntry {
                                binding: b as u32,
                                resource: self.get(b, c).as_entire_binding(),
                            })
                            .collect();
                        ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
                            label: None,
                            layout: &p.layout,
                            entries: &entries,
                        })
                    })
                    .collect();
                (k, groups)
            })
            .collect()
    }
}

//! Philox4x32-10, the counter-based generator the Langevin kernel draws its noise from
//! (Salmon, Moraes, Dror & Shaw, SC 2011), in Rust, and a check that runs the WGSL
//! version (`kernels/philox.wgsl`) on the device for comparison.

use wgpu::util::DeviceExt;

use crate::context::GpuContext;
use crate::error::GpuError;
use crate::readback::read_buffer;

const PHILOX_SOURCE: &str = include_str!("../../kernels/philox.wgsl");
const CHECK_SOURCE: &str = include_str!("../../kernels/philox_check.wgsl");

const M0: u32 = 0xD251_1F53;
const M1: u32 = 0xCD9E_8D57;
const W0: u32 = 0x9E37_79B9;
const W1: u32 = 0xBB67_AE85;

fn mulhilo(a: u32, b: u32) -> (u32, u32) {
    let p = a as u64 * b as u64;
    ((p >> 32) as u32, p as u32)
}

/// Philox4x32 with 10 rounds: four 32-bit words from a 128-bit counter and a 64-bit key
/// (the Random123 reference's `philox4x32(ctr, key)`).
pub fn philox4x32_10(counter: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let mut c = counter;
    let mut k = key;
    for r in 0..10 {
        if r > 0 {
            k = [k[0].wrapping_add(W0), k[1].wrapping_add(W1)];
        }
        let (hi0, lo0) = mulhilo(M0, c[0]);
        let (hi1, lo1) = mulhilo(M1, c[2]);
        c = [hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0];
    }
    c
}

/// The Philox counter and key of atom `id` at `step` with `seed`, as the Langevin kernel
/// forms them: counter (id low, id high, step low, step high), key (seed low, seed high).
pub fn langevin_counter(seed: u64, id: u64, step: u64) -> ([u32; 4], [u32; 2]) {
    (
        [
            id as u32,
            (id >> 32) as u32,
            step as u32,
            (step >> 32) as u32,
        ],
        [seed as u32, (seed >> 32) as u32],
    )
}

/// A uniform number in (0, 1) from the top 24 bits of a word, as `philox_open01`.
fn open01(x: u32) -> f64 {
    ((x >> 8) as f64 + 0.5) / 16_777_216.0
}

/// The three standard normal numbers the device draws from one Philox block
/// (Box-Muller on two pairs, as `philox_gaussian3`), here in f64.
pub fn philox_gaussian3(counter: [u32; 4], key: [u32; 2]) -> [f64; 3] {
    let r = philox4x32_10(counter, key);
    let pi = std::f64::consts::PI;
    let a = (-2.0 * open01(r[0]).ln()).sqrt();
    let b = (-2.0 * open01(r[2]).ln()).sqrt();
    let (ta, tb) = (
        pi * (2.0 * open01(r[1]) - 1.0),
        pi * (2.0 * open01(r[3]) - 1.0),
    );
    [a * ta.cos(), a * ta.sin(), b * tb.cos()]
}

/// What the device computed for one Philox input: the four words and the three
/// Gaussian numbers (f32) the Langevin kernel draws from them.
pub type PhiloxOutput = ([u32; 4], [f32; 3]);

/// Runs the WGSL Philox on the device for each `(counter, key)`.
pub fn philox_on_device(
    ctx: &GpuContext,
    inputs: &[([u32; 4], [u32; 2])],
) -> Result<Vec<PhiloxOutput>, GpuError> {
    if inputs.is_empty() {
        return Ok(Vec::new());
    }
    let device = &ctx.device;
    let packed: Vec<[u32; 8]> = inputs
        .iter()
        .map(|(c, k)| [c[0], c[1], c[2], c[3], k[0], k[1], 0, 0])
        .collect();
    let usage = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC;
    let input = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("philox in"),
        contents: bytemuck::cast_slice(&packed),
        usage,
    });
    let out_bytes = 16 * inputs.len() as u64;
    let words = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("philox out"),
        size: out_bytes,
        usage,
        mapped_at_creation: false,
    });
    let gauss = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("philox gauss"),
        size: out_bytes,
        usage,
        mapped_at_creation: false,
    });
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some("philox_check"),
        source: wgpu::ShaderSource::Wgsl(format!("{PHILOX_SOURCE}\n{CHECK_SOURCE}").into()),
    });
    let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some("philox_check"),
        layout: None,
        module: &module,
        entry_point: Some("philox_check"),
        compilation_options: Default::default(),
        cache: None,
    });
    let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: None,
        layout: &pipeline.get_bind_group_layout(0),
        entries: &[
            wgpu::BindGroupEntry {
                binding: 0,
                resource: input.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 1,
                resource: words.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 2,
                resource: gauss.as_entire_binding(),
            },
        ],
    });
    let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor::default());
    {
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor::default());
        pass.set_pipeline(&pipeline);
        pass.set_bind_group(0, &bind_group, &[]);
        pass.dispatch_workgroups((inputs.len() as u32).div_ceil(64), 1, 1);
    }
    ctx.queue.submit([encoder.finish()]);
    let w: Vec<[u32; 4]> = read_buffer(ctx, &words, out_bytes)?;
    let g: Vec<[f32; 4]> = read_buffer(ctx, &gauss, out_bytes)?;
    Ok(w.into_iter()
        .zip(g)
        .map(|(w, g)| (w, [g[0], g[1], g[2]]))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known-answer vectors of Philox4x32-10 from the Random123 distribution
    /// (kat_vectors: counter, key, result).
    #[test]
    fn known_answers() {
        assert_eq!(
            philox4x32_10([0; 4], [0; 2]),
            [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8]
        );
        assert_eq!(
            philox4x32_10([u32::MAX; 4], [u32::MAX; 2]),
            [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd]
        );
        assert_eq!(
            philox4x32_10(
                [0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344],
                [0xa409_3822, 0x299f_31d0]
            ),
            [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1]
        );
    }

    #[test]
    fn check_kernel_is_valid_wgsl() {
        let source = format!("{PHILOX_SOURCE}\n{CHECK_SOURCE}");
        let module = naga::front::wgsl::parse_str(&source)
            .unwrap_or_else(|e| panic!("{}", e.emit_to_string(&source)));
        naga::valid::Validator::new(
            naga::valid::ValidationFlags::all(),
            naga::valid::Capabilities::default(),
        )
        .validate(&module)
        .unwrap();
    }

    #[test]
    fn gaussians_are_standard_normal() {
        let n = 20_000u64;
        let xs: Vec<f64> = (0..n)
            .flat_map(|id| {
                let (c, k) = langevin_counter(99, id, 7);
                philox_gaussian3(c, k)
            })
            .collect();
        let m = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / m;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / m;
        assert!(mean.abs() < 5.0 / m.sqrt(), "mean {mean}");
        assert!((var - 1.0).abs() < 5.0 * (2.0 / m).sqrt(), "variance {var}");
    }
}

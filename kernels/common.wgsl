// Shared declarations of every ferromd GPU kernel: the run parameters, the buffers
// (one bind group; each entry point binds only what it uses) and cell helpers.
// Positions are f32, wrapped into the cell; separations use the minimum image
// through fractional coordinates, so the box must be at least twice the list
// cutoff across every pair of faces (checked on the host).

struct Params {
    // n_atoms, n_types, bin capacity, neighbor capacity
    counts: vec4<u32>,
    // bins along a, b, c and their product
    nbins: vec4<u32>,
    // neighbor policy: every, delay, check (0/1), workgroups over atoms
    sched: vec4<u32>,
    // workgroups over bins, EAM r knots, EAM rho knots, workgroups over a list chunk
    sizes: vec4<u32>,
    // rows of the cell matrix h (columns are the edge vectors)
    h0: vec4<f32>,
    h1: vec4<f32>,
    h2: vec4<f32>,
    // rows of h^-1
    hi0: vec4<f32>,
    hi1: vec4<f32>,
    hi2: vec4<f32>,
    origin: vec4<f32>,
    // list cutoff squared, (skin/2) squared, dt, dtf = dt/2 * ftm2v
    lens: vec4<f32>,
    // EAM: 1/dr, 1/drho, rhomax, cutoff squared
    eam: vec4<f32>,
}

// status words (atomic u32)
const ST_MOVED: u32 = 0u;       // some atom moved more than half the skin
const ST_AGO: u32 = 1u;         // steps since the last build
const ST_BUILDS: u32 = 2u;      // number of builds
const ST_BIN_NEED: u32 = 3u;    // largest bin occupancy seen (overflow if > capacity)
const ST_NBR_NEED: u32 = 4u;    // largest neighbor count seen (overflow if > capacity)
const ST_FORCE: u32 = 5u;       // 1: rebuild at the next decision regardless of policy

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> pos: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> vel: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> force: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> image: array<vec4<i32>>;
@group(0) @binding(5) var<storage, read> types: array<u32>;
@group(0) @binding(6) var<storage, read_write> pos_build: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read_write> bin_count: array<atomic<u32>>;
@group(0) @binding(8) var<storage, read_write> bin_atoms: array<u32>;
@group(0) @binding(9) var<storage, read_write> nbr_count: array<u32>;
@group(0) @binding(10) var<storage, read_write> nbr_list: array<u32>;
@group(0) @binding(11) var<storage, read_write> status: array<atomic<u32>>;
@group(0) @binding(12) var<storage, read_write> indirect: array<u32>;
@group(0) @binding(13) var<storage, read> coeff: array<vec4<f32>>;
@group(0) @binding(14) var<storage, read_write> virial: array<vec4<f32>>;
@group(0) @binding(15) var<storage, read_write> partials: array<f32>;
@group(0) @binding(16) var<storage, read_write> embed_fp: array<f32>;
@group(0) @binding(17) var<storage, read> eam_map: array<u32>;
// The neighbor list is split into chunks of consecutive atoms, one buffer each, so no
// binding exceeds the adapter's limit: (first atom, atoms in the chunk, -, -). Kernels
// that read or write the list are dispatched once per chunk; entry k of the chunk's
// local atom a is nbr_list[k * chunk.y + a].
@group(0) @binding(18) var<uniform> chunk: vec4<u32>;

// Thermostats (kernels/thermostat.wgsl). Constants of the run, set by the host.
struct ThermostatParams {
    // chain length, sub-steps (tloop), Suzuki-Yoshida weights, workgroups over atoms
    sizes: vec4<u32>,
    // first step of the run (low word), steps in the run (ramp span), seed low, seed high
    run: vec4<u32>,
    // start and stop temperature, boltz, mvv2e
    temps: vec4<f32>,
    // Nose-Hoover: degrees of freedom Nf, Tdamp, drag factor per update, dt
    chain: vec4<f32>,
    // Langevin: c1 = exp(-dt/damp), c2 = sqrt(1 - c1^2), 1 / total mass, -
    langevin: vec4<f32>,
    // Suzuki-Yoshida weights (up to 7)
    weights: array<vec4<f32>, 2>,
}

const MAX_CHAIN: u32 = 16u;

// Thermostat variables, resident on the device (snapshotted with the atoms).
struct ThermostatState {
    // the step in progress (low, high word), -, -
    step: vec4<u32>,
    // Nose-Hoover: velocity scale of the last half step, 2 KE after it (energy units),
    // kT, Nf kT. Langevin: noise width c2 sqrt(kT / mvv2e), -, kT, -.
    vals: vec4<f32>,
    // Langevin with zero yes: the kicks' centre-of-mass velocity this step
    vcm: vec4<f32>,
    eta: array<f32, MAX_CHAIN>,
    eta_dot: array<f32, MAX_CHAIN>,
    mass: array<f32, MAX_CHAIN>,
}

@group(0) @binding(19) var<uniform> tparams: ThermostatParams;
@group(0) @binding(20) var<storage, read_write> tstate: ThermostatState;
// atom ids (low, high word): the Langevin noise is keyed by id, not by index
@group(0) @binding(21) var<storage, read> ids: array<vec2<u32>>;
// per-workgroup heat given to the atoms by the Langevin O steps (Kahan sum, compensation)
@group(0) @binding(22) var<storage, read_write> heat: array<vec2<f32>>;

const WG: u32 = 256u;

fn to_frac(d: vec3<f32>) -> vec3<f32> {
    return vec3<f32>(dot(params.hi0.xyz, d), dot(params.hi1.xyz, d), dot(params.hi2.xyz, d));
}

fn to_cart(s: vec3<f32>) -> vec3<f32> {
    return vec3<f32>(dot(params.h0.xyz, s), dot(params.h1.xyz, s), dot(params.h2.xyz, s));
}

// Nearest periodic image of a separation vector.
fn min_image(d: vec3<f32>) -> vec3<f32> {
    let s = to_frac(d);
    return to_cart(s - round(s));
}

// Bin coordinates of a wrapped position (clamped: rounding may put s at exactly 1).
fn bin_coords(x: vec3<f32>) -> vec3<i32> {
    let s = to_frac(x - params.origin.xyz);
    let nb = vec3<i32>(params.nbins.xyz);
    let c = vec3<i32>(floor(s * vec3<f32>(params.nbins.xyz)));
    return clamp(c, vec3<i32>(0), nb - vec3<i32>(1));
}

fn bin_index(c: vec3<i32>) -> u32 {
    let nb = params.nbins;
    return (u32(c.z) * nb.y + u32(c.y)) * nb.x + u32(c.x);
}

// Philox4x32-10 (Salmon, Moraes, Dror & Shaw, "Parallel random numbers: as easy as
// 1, 2, 3", SC 2011): a counter-based generator. The same (counter, key) always gives
// the same four 32-bit words, so each atom draws its numbers from (atom id, step)
// without state, independent of the dispatch order. gpu/src/philox.rs holds the same
// algorithm in Rust, checked against the paper's known-answer vectors, and the tests
// compare the two.

const PHILOX_M0: u32 = 0xD2511F53u;
const PHILOX_M1: u32 = 0xCD9E8D57u;
const PHILOX_W0: u32 = 0x9E3779B9u;
const PHILOX_W1: u32 = 0xBB67AE85u;

// High 32 bits of the 64-bit product a * b (WGSL has no 64-bit integers).
fn mul_hi32(a: u32, b: u32) -> u32 {
    let a_lo = a & 0xFFFFu;
    let a_hi = a >> 16u;
    let b_lo = b & 0xFFFFu;
    let b_hi = b >> 16u;
    let lo_lo = a_lo * b_lo;
    let hi_lo = a_hi * b_lo;
    let lo_hi = a_lo * b_hi;
    let hi_hi = a_hi * b_hi;
    // carry of the middle column into the high word
    let mid = (lo_lo >> 16u) + (hi_lo & 0xFFFFu) + (lo_hi & 0xFFFFu);
    return hi_hi + (hi_lo >> 16u) + (lo_hi >> 16u) + (mid >> 16u);
}

fn philox_round(c: vec4<u32>, k: vec2<u32>) -> vec4<u32> {
    let hi0 = mul_hi32(PHILOX_M0, c.x);
    let lo0 = PHILOX_M0 * c.x;
    let hi1 = mul_hi32(PHILOX_M1, c.z);
    let lo1 = PHILOX_M1 * c.z;
    return vec4<u32>(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
}

// Ten rounds; the key is bumped by the Weyl constants between rounds.
fn philox4x32_10(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
    var c = counter;
    var k = key;
    for (var r = 0u; r < 10u; r++) {
        if r > 0u {
            k = k + vec2<u32>(PHILOX_W0, PHILOX_W1);
        }
        c = philox_round(c, k);
    }
    return c;
}

// A uniform number in (0, 1) from the top 24 bits of a word (never 0 or 1).
fn philox_open01(x: u32) -> f32 {
    return (f32(x >> 8u) + 0.5) * (1.0 / 16777216.0);
}

// Three standard normal numbers from one Philox block (Box-Muller on two pairs; the
// angles lie in (-pi, pi), where Vulkan bounds the error of sin and cos).
fn philox_gaussian3(counter: vec4<u32>, key: vec2<u32>) -> vec3<f32> {
    let r = philox4x32_10(counter, key);
    let pi = 3.141592653589793;
    let a = sqrt(-2.0 * log(philox_open01(r.x)));
    let b = sqrt(-2.0 * log(philox_open01(r.z)));
    let ta = pi * (2.0 * philox_open01(r.y) - 1.0);
    let tb = pi * (2.0 * philox_open01(r.w) - 1.0);
    return vec3<f32>(a * cos(ta), a * sin(ta), b * cos(tb));
}

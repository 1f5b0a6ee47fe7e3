// Evaluates philox.wgsl for a list of (counter, key) pairs, and the Gaussian triples
// the thermostat draws from them, so the tests can compare the device with the Rust
// implementation (gpu/src/philox.rs). Compiled after philox.wgsl, without common.wgsl.

struct PhiloxInput {
    counter: vec4<u32>,
    // key in .xy
    key: vec4<u32>,
}

@group(0) @binding(0) var<storage, read> philox_in: array<PhiloxInput>;
@group(0) @binding(1) var<storage, read_write> philox_out: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read_write> gauss_out: array<vec4<f32>>;

@compute @workgroup_size(64)
fn philox_check(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if i >= arrayLength(&philox_in) {
        return;
    }
    let p = philox_in[i];
    philox_out[i] = philox4x32_10(p.counter, p.key.xy);
    gauss_out[i] = vec4<f32>(philox_gaussian3(p.counter, p.key.xy), 0.0);
}

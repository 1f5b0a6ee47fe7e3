// Per-workgroup partial sums for thermo: m v (x) v (6 components), the per-atom
// potential energy (force.w) and the per-atom virial (6). The host adds the
// partials in f64, so f32 rounding stays within one workgroup of 256 atoms.

const N_SUMS: u32 = 13u;
var<workgroup> scratch: array<f32, 256>;

@compute @workgroup_size(256)
fn reduce_thermo(@builtin(global_invocation_id) gid: vec3<u32>,
                 @builtin(local_invocation_id) lid: vec3<u32>,
                 @builtin(workgroup_id) wid: vec3<u32>) {
    let i = gid.x;
    var vals: array<f32, 13>;
    for (var k = 0u; k < N_SUMS; k++) {
        vals[k] = 0.0;
    }
    if i < params.counts.x {
        let v4 = vel[i];
        let m = 1.0 / v4.w;
        let v = v4.xyz;
        vals[0] = m * v.x * v.x;
        vals[1] = m * v.y * v.y;
        vals[2] = m * v.z * v.z;
        vals[3] = m * v.x * v.y;
        vals[4] = m * v.x * v.z;
        vals[5] = m * v.y * v.z;
        vals[6] = force[i].w;
        let w0 = virial[2u * i];
        let w1 = virial[2u * i + 1u];
        vals[7] = w0.x;
        vals[8] = w0.y;
        vals[9] = w0.z;
        vals[10] = w1.x;
        vals[11] = w1.y;
        vals[12] = w1.z;
    }
    for (var k = 0u; k < N_SUMS; k++) {
        scratch[lid.x] = vals[k];
        workgroupBarrier();
        for (var s = 128u; s > 0u; s >>= 1u) {
            if lid.x < s {
                scratch[lid.x] += scratch[lid.x + s];
            }
            workgroupBarrier();
        }
        if lid.x == 0u {
            partials[wid.x * 16u + k] = scratch[0];
        }
        workgroupBarrier();
    }
}

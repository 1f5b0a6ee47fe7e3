// Pair forces over the full list: one invocation owns atom i and writes only its
// own force (force.w = its share of the pair energy), so no float atomics. The
// pair function `pair_eval(rsq, c0, c1) -> vec2(energy, F/r)` comes from the style
// file (pair_lj.wgsl, pair_morse.wgsl); coefficients are two vec4 per type pair,
// the second being (cutoff squared, energy shift, -, -). With ENERGY the per-atom
// virial (half of each pair's r (x) f) goes to `virial` as two vec4.

override ENERGY: bool = false;

@compute @workgroup_size(256)
fn pair_forces(@builtin(global_invocation_id) gid: vec3<u32>) {
    let a = gid.x;
    if a >= chunk.y {
        return;
    }
    let i = chunk.x + a;
    let n_types = params.counts.y;
    let xi = pos[i].xyz;
    let row = types[i] * n_types;
    let n = min(nbr_count[i], params.counts.w);
    var f = vec3<f32>(0.0);
    var e = 0.0;
    var w0 = vec3<f32>(0.0);
    var w1 = vec3<f32>(0.0);
    for (var k = 0u; k < n; k++) {
        let j = nbr_list[k * chunk.y + a];
        let d = min_image(xi - pos[j].xyz);
        let rsq = dot(d, d);
        let p = 2u * (row + types[j]);
        let c1 = coeff[p + 1u];
        if rsq < c1.x {
            let ef = pair_eval(rsq, coeff[p], c1);
            f += d * ef.y;
            if ENERGY {
                e += 0.5 * (ef.x - c1.y);
                let hf = 0.5 * ef.y;
                w0 += hf * d * d;
                w1 += hf * vec3<f32>(d.x * d.y, d.x * d.z, d.y * d.z);
            }
        }
    }
    force[i] = vec4<f32>(f, e);
    if ENERGY {
        virial[2u * i] = vec4<f32>(w0, 0.0);
        virial[2u * i + 1u] = vec4<f32>(w1, 0.0);
    }
}

// EAM pass 1: each invocation sums the electron density at its own atom over the
// full list, then evaluates the embedding function F and F'. Tables live in
// `coeff` as LAMMPS-style cubic splines, two vec4 per knot
// ((c0, c1, c2, c3), (c4, c5, c6, -)); `eam_map` holds the first vec4 of each
// table: [type] -> F, then [n + a*n + b] -> density that type a gives at type b,
// then [n + n*n + a*n + b] -> r*phi of the pair. embed_fp gets (F'(rho), F(rho)).

fn spline_value(base: u32, m: u32, p: f32) -> f32 {
    let a = coeff[base + 2u * m];
    let b = coeff[base + 2u * m + 1u];
    return ((a.w * p + b.x) * p + b.y) * p + b.z;
}

fn spline_derivative(base: u32, m: u32, p: f32) -> f32 {
    let a = coeff[base + 2u * m];
    return (a.x * p + a.y) * p + a.z;
}

// Knot and local coordinate of distance r (as the CPU path: p = r/dr + 1).
fn r_knot(r: f32) -> vec2<f32> {
    let p = r * params.eam.x + 1.0;
    let m = min(u32(p), params.sizes.y - 1u);
    return vec2<f32>(f32(m), min(p - f32(m), 1.0));
}

@compute @workgroup_size(256)
fn eam_density(@builtin(global_invocation_id) gid: vec3<u32>) {
    let a = gid.x;
    if a >= chunk.y {
        return;
    }
    let i = chunk.x + a;
    let nt = params.counts.y;
    let ti = types[i];
    let xi = pos[i].xyz;
    let n = min(nbr_count[i], params.counts.w);
    var rho = 0.0;
    for (var k = 0u; k < n; k++) {
        let j = nbr_list[k * chunk.y + a];
        let d = min_image(xi - pos[j].xyz);
        let rsq = dot(d, d);
        if rsq < params.eam.w {
            let mp = r_knot(sqrt(rsq));
            rho += spline_value(eam_map[nt + types[j] * nt + ti], u32(mp.x), mp.y);
        }
    }
    // embedding: truncation toward zero, clamped to the first and last cubic
    let p = rho * params.eam.y + 1.0;
    let m = u32(clamp(i32(p), 1, i32(params.sizes.z) - 1));
    let q = min(p - f32(m), 1.0);
    let base = eam_map[ti];
    let fp = spline_derivative(base, m, q);
    var f = spline_value(base, m, q);
    if rho > params.eam.z {
        f += fp * (rho - params.eam.z);
    }
    embed_fp[2u * i] = fp;
    embed_fp[2u * i + 1u] = f;
}

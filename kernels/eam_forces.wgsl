// EAM pass 2: pair forces from F'(rho) of both atoms and the pair term, one
// invocation per atom writing only its own force; force.w gets F(rho_i) plus half
// of each pair energy. Uses the spline helpers of eam_density.wgsl.

override ENERGY: bool = false;

@compute @workgroup_size(256)
fn eam_forces(@builtin(global_invocation_id) gid: vec3<u32>) {
    let a = gid.x;
    if a >= chunk.y {
        return;
    }
    let i = chunk.x + a;
    let nt = params.counts.y;
    let ti = types[i];
    let xi = pos[i].xyz;
    let fp_i = embed_fp[2u * i];
    let n = min(nbr_count[i], params.counts.w);
    var f = vec3<f32>(0.0);
    var e = 0.0;
    var w0 = vec3<f32>(0.0);
    var w1 = vec3<f32>(0.0);
    for (var k = 0u; k < n; k++) {
        let j = nbr_list[k * chunk.y + a];
        let d = min_image(xi - pos[j].xyz);
        let rsq = dot(d, d);
        if rsq >= params.eam.w {
            continue;
        }
        let tj = types[j];
        let r = sqrt(rsq);
        let mp = r_knot(r);
        let m = u32(mp.x);
        let p = mp.y;
        // density i gives at j, density j gives at i, pair term
        let rho_ip = spline_derivative(eam_map[nt + ti * nt + tj], m, p);
        let rho_jp = spline_derivative(eam_map[nt + tj * nt + ti], m, p);
        let zbase = eam_map[nt + nt * nt + ti * nt + tj];
        let z2p = spline_derivative(zbase, m, p);
        let z2 = spline_value(zbase, m, p);
        let recip = 1.0 / r;
        let phi = z2 * recip;
        let phip = z2p * recip - phi * recip;
        let psip = fp_i * rho_jp + embed_fp[2u * j] * rho_ip + phip;
        let fpair = -psip * recip;
        f += d * fpair;
        if ENERGY {
            e += 0.5 * phi;
            let hf = 0.5 * fpair;
            w0 += hf * d * d;
            w1 += hf * vec3<f32>(d.x * d.y, d.x * d.z, d.y * d.z);
        }
    }
    if ENERGY {
        e += embed_fp[2u * i + 1u];
        virial[2u * i] = vec4<f32>(w0, 0.0);
        virial[2u * i + 1u] = vec4<f32>(w1, 0.0);
    }
    force[i] = vec4<f32>(f, e);
}

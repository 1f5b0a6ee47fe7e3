// Velocity Verlet: the first half-kick plus drift (with wrapping into the cell and
// image counting), and the second half-kick. vel.w holds 1/m.

@compute @workgroup_size(256)
fn kick_drift(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if i >= params.counts.x {
        return;
    }
    let dt = params.lens.z;
    let dtf = params.lens.w;
    let v4 = vel[i];
    let v = v4.xyz + (dtf * v4.w) * force[i].xyz;
    vel[i] = vec4<f32>(v, v4.w);
    var x = pos[i].xyz + dt * v;
    let s = to_frac(x - params.origin.xyz);
    let n = floor(s);
    if any(n != vec3<f32>(0.0)) {
        x = x - to_cart(n);
        image[i] = image[i] + vec4<i32>(vec3<i32>(n), 0);
    }
    pos[i] = vec4<f32>(x, 0.0);
}

@compute @workgroup_size(256)
fn kick(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if i >= params.counts.x {
        return;
    }
    let dtf = params.lens.w;
    let v4 = vel[i];
    vel[i] = vec4<f32>(v4.xyz + (dtf * v4.w) * force[i].xyz, v4.w);
}

// Velocity Verlet: the first half-kick plus drift (with wrapping into the cell and
// image counting), and the second half-kick. vel.w holds 1/m.

// Stores position x of atom i wrapped into the cell, counting the images crossed.
fn store_wrapped(i: u32, x_in: vec3<f32>) {
    var x = x_in;
    let s = to_frac(x - params.origin.xyz);
    let n = floor(s);
    if any(n != vec3<f32>(0.0)) {
        x = x - to_cart(n);
        image[i] = image[i] + vec4<i32>(vec3<i32>(n), 0);
    }
    pos[i] = vec4<f32>(x, 0.0);
}

// v <- scale v + dt/2 F/m, x <- x + dt v (scale: a thermostat's velocity factor).
fn kick_drift_atom(i: u32, scale: f32) {
    let dt = params.lens.z;
    let dtf = params.lens.w;
    let v4 = vel[i];
    let v = scale * v4.xyz + (dtf * v4.w) * force[i].xyz;
    vel[i] = vec4<f32>(v, v4.w);
    store_wrapped(i, pos[i].xyz + dt * v);
}

// v <- v + dt/2 F/m; returns the new velocity.
fn kick_atom(i: u32) -> vec3<f32> {
    let dtf = params.lens.w;
    let v4 = vel[i];
    let v = v4.xyz + (dtf * v4.w) * force[i].xyz;
    vel[i] = vec4<f32>(v, v4.w);
    return v;
}

@compute @workgroup_size(256)
fn kick_drift(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if i >= params.counts.x {
        return;
    }
    kick_drift_atom(i, 1.0);
}

@compute @workgroup_size(256)
fn kick(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if i >= params.counts.x {
        return;
    }
    kick_atom(i);
}

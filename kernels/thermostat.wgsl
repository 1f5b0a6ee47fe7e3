// Thermostats resident on the device (compiled after common.wgsl, integrate.wgsl and
// philox.wgsl). The step counter, the Nose-Hoover chain and the Langevin heat live in
// device buffers; kinetic-energy sums are reduced per workgroup and then by one
// workgroup, so a thermostatted step needs no host round trip.
//
// Nose-Hoover chain (LAMMPS fix nvt; the CPU path's integrators/src/nose_hoover.rs):
//   nh_initial         1 invocation: next step, chain half step from the stored 2 KE
//   kick_drift_scaled  v <- s v + dt/2 F/m, x <- x + dt v
//   ... neighbor list, forces ...
//   kick_ke            v <- v + dt/2 F/m, per-workgroup sums of m v^2
//   nh_final           1 workgroup: 2 KE from the sums, chain half step
//   scale_velocities   v <- s v
// Langevin (BAOAB, the CPU path's integrators/src/langevin.rs):
//   langevin_begin       1 invocation: next step, noise width at the step's target
//   [zero yes: langevin_kick_momentum  per-workgroup sums of the kicks' m g
//              langevin_zero_momentum  1 workgroup: their centre-of-mass velocity]
//   kick_drift_langevin  B, A, O (Philox noise keyed by seed, atom id, step, minus
//                        that velocity), A;
//                        the heat of the O step summed per workgroup (Kahan)
//   ... neighbor list, forces, kick ...

var<workgroup> tscratch: array<f32, 256>;

// Sum of `value` over the workgroup (every invocation gets it).
fn workgroup_sum(lid: u32, value: f32) -> f32 {
    tscratch[lid] = value;
    workgroupBarrier();
    for (var s = 128u; s > 0u; s >>= 1u) {
        if lid < s {
            tscratch[lid] += tscratch[lid + s];
        }
        workgroupBarrier();
    }
    let total = tscratch[0];
    workgroupBarrier();
    return total;
}

// Advances the device step counter (64 bits in two words); returns the low word.
fn next_step() -> u32 {
    var s = tstate.step;
    s.x = s.x + 1u;
    if s.x == 0u {
        s.y = s.y + 1u;
    }
    tstate.step = s;
    return s.x;
}

// kT at `step`: the target ramps linearly over the run (LAMMPS Tstart Tstop).
fn target_kt(step: u32) -> f32 {
    var frac = 0.0;
    let span = tparams.run.y;
    let done = bitcast<i32>(step - tparams.run.x);
    if span > 0u && done > 0 {
        frac = f32(done) / f32(span);
    }
    let t = tparams.temps.x + frac * (tparams.temps.y - tparams.temps.x);
    return tparams.temps.z * t;
}

fn chain_force(k: u32, kt: f32) -> f32 {
    let q = tstate.mass[k - 1u];
    let v = tstate.eta_dot[k - 1u];
    return (q * v * v - kt) / tstate.mass[k];
}

// Velocity of chain element k + 1 (0 past the top).
fn eta_dot_above(k: u32) -> f32 {
    if k + 1u < tparams.sizes.x {
        return tstate.eta_dot[k + 1u];
    }
    return 0.0;
}

// Half a timestep of the chain (MTK 1996, as nose_hoover.rs's half_step) from 2 KE;
// stores the velocity scale and 2 KE after it in tstate.vals.
fn nh_half_step(twice_ke_start: f32) {
    let m = tparams.sizes.x;
    let loops = tparams.sizes.y;
    let n_weights = tparams.sizes.z;
    let kt = target_kt(tstate.step.x);
    let ke_target = tparams.chain.x * kt;
    let tdamp2 = tparams.chain.y * tparams.chain.y;
    let drag = tparams.chain.z;
    let dt = tparams.chain.w;
    tstate.mass[0] = ke_target * tdamp2;
    for (var k = 1u; k < m; k++) {
        tstate.mass[k] = kt * tdamp2;
    }
    var twice_ke = twice_ke_start;
    var total = 1.0;
    for (var l = 0u; l < loops; l++) {
        for (var w = 0u; w < n_weights; w++) {
            let delta = tparams.weights[w / 4u][w % 4u] * 0.5 * dt / f32(loops);
            let half_sub = 0.5 * delta;
            let quarter_sub = 0.25 * delta;
            // top of the chain down to element 1
            for (var j = 1u; j < m; j++) {
                let k = m - j;
                let e = exp(-quarter_sub * eta_dot_above(k));
                let g = chain_force(k, kt);
                tstate.eta_dot[k] = (tstate.eta_dot[k] * e + g * half_sub) * drag * e;
            }
            let e0 = exp(-quarter_sub * eta_dot_above(0u));
            var g0 = (twice_ke - ke_target) / tstate.mass[0];
            tstate.eta_dot[0] = (tstate.eta_dot[0] * e0 + g0 * half_sub) * drag * e0;
            // particle velocities and thermostat positions
            let scale = exp(-delta * tstate.eta_dot[0]);
            total *= scale;
            twice_ke *= scale * scale;
            for (var k = 0u; k < m; k++) {
                tstate.eta[k] += delta * tstate.eta_dot[k];
            }
            // back up the chain
            g0 = (twice_ke - ke_target) / tstate.mass[0];
            tstate.eta_dot[0] = (tstate.eta_dot[0] * e0 + g0 * half_sub) * e0;
            for (var k = 1u; k < m; k++) {
                let e = exp(-quarter_sub * eta_dot_above(k));
                let g = chain_force(k, kt);
                tstate.eta_dot[k] = (tstate.eta_dot[k] * e + g * half_sub) * e;
            }
        }
    }
    tstate.vals = vec4<f32>(total, twice_ke, kt, ke_target);
}

// Sum over all workgroups' partial sums of m v^2 (slot 0 of each group's partials),
// by one workgroup: strided sums, then a tree.
fn total_twice_ke(lid: u32) -> f32 {
    var acc = 0.0;
    for (var base = 0u; base < tparams.sizes.w; base += 256u) {
        let g = base + lid;
        if g < tparams.sizes.w {
            acc += partials[g * 16u];
        }
    }
    return tparams.temps.w * workgroup_sum(lid, acc);
}

@compute @workgroup_size(1)
fn nh_initial() {
    next_step();
    nh_half_step(tstate.vals.y);
}

@compute @workgroup_size(256)
fn kick_drift_scaled(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if i >= params.counts.x {
        return;
    }
    kick_drift_atom(i, tstate.vals.x);
}

// Writes this workgroup's sum of m v^2 to slot 0 of its partials.
fn store_mv2_partial(i: u32, lid: u32, wid: u32) {
    var mv2 = 0.0;
    if i < params.counts.x {
        let v4 = vel[i];
        mv2 = dot(v4.xyz, v4.xyz) / v4.w;
    }
    let total = workgroup_sum(lid, mv2);
    if lid == 0u {
        partials[wid * 16u] = total;
    }
}

@compute @workgroup_size(256)
fn kick_ke(@builtin(global_invocation_id) gid: vec3<u32>,
           @builtin(local_invocation_id) lid: vec3<u32>,
           @builtin(workgroup_id) wid: vec3<u32>) {
    if gid.x < params.counts.x {
        kick_atom(gid.x);
    }
    store_mv2_partial(gid.x, lid.x, wid.x);
}

@compute @workgroup_size(256)
fn ke_partials(@builtin(global_invocation_id) gid: vec3<u32>,
               @builtin(local_invocation_id) lid: vec3<u32>,
               @builtin(workgroup_id) wid: vec3<u32>) {
    store_mv2_partial(gid.x, lid.x, wid.x);
}

@compute @workgroup_size(256)
fn nh_final(@builtin(local_invocation_id) lid: vec3<u32>) {
    let twice_ke = total_twice_ke(lid.x);
    if lid.x == 0u {
        nh_half_step(twice_ke);
    }
}

// Stores 2 KE (from ke_partials) for the first half step of the next advance.
@compute @workgroup_size(256)
fn nh_measure(@builtin(local_invocation_id) lid: vec3<u32>) {
    let twice_ke = total_twice_ke(lid.x);
    if lid.x == 0u {
        tstate.vals.y = twice_ke;
    }
}

@compute @workgroup_size(256)
fn scale_velocities(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if i >= params.counts.x {
        return;
    }
    let v4 = vel[i];
    vel[i] = vec4<f32>(tstate.vals.x * v4.xyz, v4.w);
}

@compute @workgroup_size(1)
fn langevin_begin() {
    let step = next_step();
    let kt = target_kt(step);
    let width = tparams.langevin.y * sqrt(kt / tparams.temps.w);
    tstate.vals = vec4<f32>(width, 0.0, kt, 0.0);
}

// The O step's velocity kick of atom i: c2 sqrt(kT/m) xi, xi from Philox keyed by
// (atom id, step) and the seed.
fn langevin_kick(i: u32) -> vec3<f32> {
    let id = ids[i];
    let step = tstate.step;
    let xi = philox_gaussian3(vec4<u32>(id.x, id.y, step.x, step.y), tparams.run.zw);
    return (tstate.vals.x * sqrt(vel[i].w)) * xi;
}

@compute @workgroup_size(256)
fn langevin_kick_momentum(@builtin(global_invocation_id) gid: vec3<u32>,
                          @builtin(local_invocation_id) lid: vec3<u32>,
                          @builtin(workgroup_id) wid: vec3<u32>) {
    let i = gid.x;
    var p = vec3<f32>(0.0);
    if i < params.counts.x {
        p = langevin_kick(i) / vel[i].w;
    }
    let px = workgroup_sum(lid.x, p.x);
    let py = workgroup_sum(lid.x, p.y);
    let pz = workgroup_sum(lid.x, p.z);
    if lid.x == 0u {
        partials[wid.x * 16u + 1u] = px;
        partials[wid.x * 16u + 2u] = py;
        partials[wid.x * 16u + 3u] = pz;
    }
}

@compute @workgroup_size(256)
fn langevin_zero_momentum(@builtin(local_invocation_id) lid: vec3<u32>) {
    var acc = vec3<f32>(0.0);
    for (var base = 0u; base < tparams.sizes.w; base += 256u) {
        let g = base + lid.x;
        if g < tparams.sizes.w {
            acc += vec3<f32>(partials[g * 16u + 1u], partials[g * 16u + 2u], partials[g * 16u + 3u]);
        }
    }
    let px = workgroup_sum(lid.x, acc.x);
    let py = workgroup_sum(lid.x, acc.y);
    let pz = workgroup_sum(lid.x, acc.z);
    if lid.x == 0u {
        tstate.vcm = vec4<f32>(tparams.langevin.z * vec3<f32>(px, py, pz), 0.0);
    }
}

@compute @workgroup_size(256)
fn kick_drift_langevin(@builtin(global_invocation_id) gid: vec3<u32>,
                       @builtin(local_invocation_id) lid: vec3<u32>,
                       @builtin(workgroup_id) wid: vec3<u32>) {
    let i = gid.x;
    var dke = 0.0;
    if i < params.counts.x {
        let half_dt = 0.5 * params.lens.z;
        let dtf = params.lens.w;
        let v4 = vel[i];
        let inv_m = v4.w;
        // B: half kick, A: half drift
        let v = v4.xyz + (dtf * inv_m) * force[i].xyz;
        let x = pos[i].xyz + half_dt * v;
        // O: exact Ornstein-Uhlenbeck update over dt (vcm stays zero without zero yes)
        let vn = tparams.langevin.x * v + (langevin_kick(i) - tstate.vcm.xyz);
        dke = 0.5 * (dot(vn, vn) - dot(v, v)) / inv_m;
        vel[i] = vec4<f32>(vn, inv_m);
        // A: half drift
        store_wrapped(i, x + half_dt * vn);
    }
    let total = tparams.temps.w * workgroup_sum(lid.x, dke);
    if lid.x == 0u {
        // compensated running sum of this workgroup's heat over the run
        let acc = heat[wid.x];
        let y = total - acc.y;
        let t = acc.x + y;
        heat[wid.x] = vec2<f32>(t, (t - acc.x) - y);
    }
}

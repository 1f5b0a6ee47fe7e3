// The neighbor rebuild policy on the GPU (LAMMPS's every/delay/check, as the CPU
// path): each atom compares its displacement since the last build with half the
// skin, then one invocation decides and writes the indirect dispatch sizes of the
// rebuild kernels (zero groups when no rebuild is due), so no host round trip.

@compute @workgroup_size(256)
fn check_displacement(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if i >= params.counts.x {
        return;
    }
    let d = min_image(pos[i].xyz - pos_build[i].xyz);
    if dot(d, d) > params.lens.y {
        atomicOr(&status[ST_MOVED], 1u);
    }
}

// Indirect argument layout: 4 dispatches of 3 words: clear bins, fill bins,
// sort bins, build list.
fn set_rebuild_dispatch(on: bool) {
    let ga = select(0u, params.sched.w, on);
    let gb = select(0u, params.sizes.x, on);
    indirect[0] = gb;
    indirect[3] = ga;
    indirect[6] = gb;
    // build_list runs once per list chunk, each over the chunk's workgroups
    indirect[9] = select(0u, params.sizes.w, on);
    for (var k = 0u; k < 4u; k++) {
        indirect[3u * k + 1u] = 1u;
        indirect[3u * k + 2u] = 1u;
    }
}

@compute @workgroup_size(1)
fn decide_rebuild() {
    let ago = atomicLoad(&status[ST_AGO]) + 1u;
    let every = max(params.sched.x, 1u);
    let allowed = ago >= params.sched.y && (ago % every) == 0u;
    let moved = atomicLoad(&status[ST_MOVED]) != 0u;
    let forced = atomicLoad(&status[ST_FORCE]) != 0u;
    let rebuild = forced || (allowed && (params.sched.z == 0u || moved));
    if rebuild {
        atomicStore(&status[ST_AGO], 0u);
        atomicAdd(&status[ST_BUILDS], 1u);
    } else {
        atomicStore(&status[ST_AGO], ago);
    }
    atomicStore(&status[ST_MOVED], 0u);
    atomicStore(&status[ST_FORCE], 0u);
    set_rebuild_dispatch(rebuild);
}

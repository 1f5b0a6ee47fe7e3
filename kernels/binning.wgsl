// Binning atoms into a grid that is uniform in fractional coordinates, with at
// least the list cutoff between opposite faces of a bin, so every neighbor sits in
// one of the 27 surrounding bins. Bins have a fixed capacity; an atom finds its
// slot with an integer atomic, occupancy beyond the capacity is recorded (never
// dropped silently: the host regrows and reruns). Each bin is then sorted by atom
// index so the neighbor list does not depend on the order the atomics resolved.

@compute @workgroup_size(256)
fn clear_bins(@builtin(global_invocation_id) gid: vec3<u32>) {
    if gid.x < params.nbins.w {
        atomicStore(&bin_count[gid.x], 0u);
    }
}

@compute @workgroup_size(256)
fn fill_bins(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if i >= params.counts.x {
        return;
    }
    let b = bin_index(bin_coords(pos[i].xyz));
    let slot = atomicAdd(&bin_count[b], 1u);
    let cap = params.counts.z;
    if slot < cap {
        bin_atoms[b * cap + slot] = i;
    } else {
        atomicMax(&status[ST_BIN_NEED], slot + 1u);
    }
}

@compute @workgroup_size(256)
fn sort_bins(@builtin(global_invocation_id) gid: vec3<u32>) {
    let b = gid.x;
    if b >= params.nbins.w {
        return;
    }
    let cap = params.counts.z;
    let n = min(atomicLoad(&bin_count[b]), cap);
    let base = b * cap;
    for (var k = 1u; k < n; k++) {
        let a = bin_atoms[base + k];
        var m = k;
        while m > 0u && bin_atoms[base + m - 1u] > a {
            bin_atoms[base + m] = bin_atoms[base + m - 1u];
            m--;
        }
        bin_atoms[base + m] = a;
    }
}

// Full neighbor list: one invocation per atom scans the (distinct) bins of its
// 3x3x3 stencil and keeps every atom within the list cutoff. Storage is per chunk
// of atoms and column-major within it (entry k of local atom a at k * chunk.y + a)
// for coalesced reads. A row
// longer than the capacity records its length in ST_NBR_NEED so the host regrows
// and reruns; it also stores the positions the displacement check compares with.

@compute @workgroup_size(256)
fn build_list(@builtin(global_invocation_id) gid: vec3<u32>) {
    let a = gid.x;
    if a >= chunk.y {
        return;
    }
    let i = chunk.x + a;
    let xi = pos[i].xyz;
    pos_build[i] = vec4<f32>(xi, 0.0);
    let c = bin_coords(xi);
    let nb = vec3<i32>(params.nbins.xyz);
    // with fewer than 3 bins along an axis, visit each bin once
    let lo = select(vec3<i32>(0), vec3<i32>(-1), nb >= vec3<i32>(3));
    let hi = select(nb - vec3<i32>(1), vec3<i32>(1), nb >= vec3<i32>(3));
    let bin_cap = params.counts.z;
    let cap = params.counts.w;
    let rsq_max = params.lens.x;
    var n = 0u;
    for (var dz = lo.z; dz <= hi.z; dz++) {
        for (var dy = lo.y; dy <= hi.y; dy++) {
            for (var dx = lo.x; dx <= hi.x; dx++) {
                let cc = (c + vec3<i32>(dx, dy, dz) + nb) % nb;
                let b = bin_index(cc);
                let m = min(atomicLoad(&bin_count[b]), bin_cap);
                for (var k = 0u; k < m; k++) {
                    let j = bin_atoms[b * bin_cap + k];
                    if j == i {
                        continue;
                    }
                    let d = min_image(xi - pos[j].xyz);
                    if dot(d, d) < rsq_max {
                        if n < cap {
                            nbr_list[n * chunk.y + a] = j;
                        }
                        n++;
                    }
                }
            }
        }
    }
    nbr_count[i] = n;
    if n > cap {
        atomicMax(&status[ST_NBR_NEED], n);
    }
}

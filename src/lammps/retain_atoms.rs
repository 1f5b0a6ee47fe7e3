//! Keeping a subset of a system's atoms (`delete_atoms`, `read_dump trim yes` and
//! `purge yes`): every per-atom array is cut to the same indices, in order.

use ferromd_core::System;

/// Keeps the atoms at the indices `keep` (increasing) and drops the others.
pub fn retain_atoms(s: &mut System, keep: &[usize]) {
    s.positions = keep.iter().map(|&i| s.positions[i]).collect();
    s.velocities = keep.iter().map(|&i| s.velocities[i]).collect();
    s.forces = keep.iter().map(|&i| s.forces[i]).collect();
    s.masses = keep.iter().map(|&i| s.masses[i]).collect();
    s.types = keep.iter().map(|&i| s.types[i]).collect();
    s.images = keep.iter().map(|&i| s.images[i]).collect();
    if let Some(q) = &mut s.charges {
        *q = keep.iter().map(|&i| q[i]).collect();
    }
    s.ids = keep.iter().map(|&i| s.ids[i]).collect();
}

//! Set-up shared by the criterion benches.

use ferromd_core::lattice::{CubicKind, Lattice};
use ferromd_core::{Species, System};

/// fcc cells per edge: 10, 20, 40 give 4,000, 32,000 and 256,000 atoms.
pub const CELLS: [usize; 3] = [10, 20, 40];

/// An fcc LJ solid of `cells³` unit cells, atoms displaced by up to 0.05 per component.
pub fn perturbed_fcc(cells: usize) -> System {
    let mut system = Lattice::cubic_with_density(CubicKind::Fcc, 0.8442)
        .build([cells; 3], vec![Species::new("1", 1.0)])
        .unwrap();
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    for x in &mut system.positions {
        for k in 0..3 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let u = (state >> 11) as f64 / (1u64 << 53) as f64;
            x[k] += 0.1 * (u - 0.5);
        }
    }
    system
}

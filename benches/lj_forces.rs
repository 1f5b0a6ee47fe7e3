//! LJ force evaluation (`evaluate_forces` with `ForceRequest::FORCES`) on a prebuilt half
//! list: fcc LJ solid at density 0.8442, rc 2.5, skin 0.3, atoms slightly displaced.

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use ferromd_core::evaluation::evaluate_forces;
use ferromd_core::lattice::{CubicKind, Lattice};
use ferromd_core::neighbor::{NeighborSettings, Neighbors};
use ferromd_core::potential::{ForceOutput, ForceRequest, Potential};
use ferromd_core::{Species, System};
use ferromd_potentials::LjCutBuilder;

/// fcc cells per edge: 10, 20, 40 give 4,000, 32,000 and 256,000 atoms.
const CELLS: [usize; 3] = [10, 20, 40];

/// An fcc LJ solid of `cells³` unit cells, atoms displaced by up to 0.05 per component.
fn perturbed_fcc(cells: usize) -> System {
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

fn lj_forces(c: &mut Criterion) {
    let mut builder = LjCutBuilder::new(1, 2.5);
    builder.pair(1, 1, 1.0, 1.0, None).unwrap();
    let potential = builder.build().unwrap();
    let mut group = c.benchmark_group("lj_forces");
    for cells in CELLS {
        let mut system = perturbed_fcc(cells);
        let n = system.len();
        if n > 100_000 {
            group
                .sampling_mode(SamplingMode::Flat)
                .sample_size(10)
                .warm_up_time(Duration::from_secs(2))
                .measurement_time(Duration::from_secs(10));
        } else {
            group
                .sampling_mode(SamplingMode::Auto)
                .sample_size(30)
                .warm_up_time(Duration::from_secs(1))
                .measurement_time(Duration::from_secs(4));
        }
        group.throughput(Throughput::Elements(n as u64));
        let mut neighbors = Neighbors::new(
            NeighborSettings::with_skin(0.3),
            potential.cutoff(),
            potential.list_kind(),
        );
        neighbors.rebuild(&mut system).unwrap();
        let mut out = ForceOutput::new();
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                evaluate_forces(
                    black_box(&mut system),
                    &neighbors,
                    &potential,
                    ForceRequest::FORCES,
                    &mut out,
                    0,
                )
                .unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, lj_forces);
criterion_main!(benches);

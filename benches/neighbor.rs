//! Neighbor-list construction (`Neighbors::rebuild`: wrap, ghosts, bins, half Verlet list)
//! for an fcc LJ solid at density 0.8442, rc 2.5, skin 0.3, atoms slightly displaced.

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use ferromd_core::neighbor::{ListKind, NeighborSettings, Neighbors};

mod common;

use common::{CELLS, perturbed_fcc};

fn neighbor_rebuild(c: &mut Criterion) {
    let mut group = c.benchmark_group("neighbor_rebuild");
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
        let mut neighbors = Neighbors::new(NeighborSettings::with_skin(0.3), 2.5, ListKind::Half);
        neighbors.rebuild(&mut system).unwrap();
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| neighbors.rebuild(black_box(&mut system)).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, neighbor_rebuild);
criterion_main!(benches);

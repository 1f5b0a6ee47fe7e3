//! LJ force evaluation (`evaluate_forces` with `ForceRequest::FORCES`) on a prebuilt half
//! list: fcc LJ solid at density 0.8442, rc 2.5, skin 0.3, atoms slightly displaced.

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use ferromd_core::evaluation::evaluate_forces;
use ferromd_core::neighbor::{NeighborSettings, Neighbors};
use ferromd_core::potential::{ForceOutput, ForceRequest, Potential};
use ferromd_potentials::LjCutBuilder;

mod common;

use common::{CELLS, perturbed_fcc};

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

//! Observables against analytic facts: fcc coordination shells, g(r) → 1 for an ideal
//! gas, brute-force pair counts in a tilted cell, ballistic MSD = v²t², constant VACF.

use ferromd_core::Cell;
use ferromd_core::lattice::{CubicKind, Lattice};
use ferromd_core::nalgebra::Vector3;
use ferromd_core::neighbor::brute_force::all_pairs_within;
use ferromd_core::observables::correlation::{CorrelationKind, TimeCorrelation};
use ferromd_core::observables::msd::Msd;
use ferromd_core::observables::rdf::{Rdf, TypePair};
use ferromd_core::observables::vacf::Vacf;
use ferromd_core::system::{Species, System};

/// SplitMix64: deterministic uniform numbers in [0, 1) without a dependency.
struct Uniform(u64);

impl Uniform {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn tilted_cell() -> Cell {
    Cell::triclinic_lammps(
        Vector3::new(-1.0, 0.5, 2.0),
        Vector3::new(9.0, 9.5, 10.0),
        [2.5, -1.5, 1.8],
    )
    .unwrap()
}

/// `n` atoms uniformly in `cell`, types alternating 0, 1, 1 (a 1:2 mixture).
fn ideal_gas(cell: Cell, n: usize, seed: u64) -> System {
    let mut rng = Uniform(seed);
    let mut s = System::new(cell, vec![Species::new("A", 1.0), Species::new("B", 2.0)]);
    for k in 0..n {
        let f = Vector3::new(rng.next(), rng.next(), rng.next());
        let x = s.cell.to_cartesian(&f);
        s.push_atom(if k % 3 == 0 { 0 } else { 1 }, x);
    }
    s
}

#[test]
fn fcc_coordination_shells_are_12_6_24() {
    let a = 1.6;
    let system = Lattice::cubic(CubicKind::Fcc, a)
        .build([4, 4, 4], vec![Species::new("X", 1.0)])
        .unwrap();
    // shells at a/√2, a, a·√(3/2): bins of width 0.02 a never straddle them
    let rdf = Rdf::new(60, 1.3 * a, vec![TypePair::all(1)]).unwrap();
    let table = rdf.compute(&system).unwrap();
    let coordination_at = |r: f64| {
        let k = table.r.iter().position(|&c| c > r).unwrap();
        table.coordination[0][k]
    };
    let shells = [
        (0.9 * a / 2f64.sqrt(), 0.0),
        (a / 2f64.sqrt() + 0.05, 12.0),
        (a + 0.05, 18.0),
        (a * 1.5f64.sqrt() + 0.05, 42.0),
    ];
    for (r, n) in shells {
        let got = coordination_at(r);
        assert!((got - n).abs() < 1e-9, "N({r}) = {got}, expected {n}");
    }
    // every count lies in the three shell bins and g integrates back to the counts
    let occupied = table.g[0].iter().filter(|g| **g > 0.0).count();
    assert_eq!(occupied, 3);
}

#[test]
fn fcc_in_a_primitive_triclinic_cell_has_12_neighbours() {
    // the fcc primitive cell (60° rhombohedron) in LAMMPS's restricted form, replicated
    let d = 1.0; // nearest-neighbour distance
    let (lx, xy) = (d, 0.5 * d);
    let ly = d * 3f64.sqrt() / 2.0;
    let (xz, yz) = (0.5 * d, d / (2.0 * 3f64.sqrt()));
    let lz = d * (2.0f64 / 3.0).sqrt();
    let m = 5.0;
    let cell = Cell::triclinic_lammps(
        Vector3::zeros(),
        Vector3::new(m * lx, m * ly, m * lz),
        [m * xy, m * xz, m * yz],
    )
    .unwrap();
    let mut system = System::new(cell, vec![Species::new("X", 1.0)]);
    for k in 0..5 {
        for j in 0..5 {
            for i in 0..5 {
                let f = Vector3::new(i as f64 + 0.1, j as f64 + 0.2, k as f64 + 0.3) / m;
                system.push_atom(0, system.cell.to_cartesian(&f));
            }
        }
    }
    let rdf = Rdf::new(40, 1.2, vec![TypePair::all(1)]).unwrap();
    let table = rdf.compute(&system).unwrap();
    let last = *table.coordination[0].last().unwrap();
    assert!((last - 12.0).abs() < 1e-9, "{last}");
}

#[test]
fn ideal_gas_g_of_r_is_one() {
    let system = ideal_gas(tilted_cell(), 3000, 7);
    let rdf = Rdf::new(
        10,
        3.0,
        vec![
            TypePair::all(2),
            TypePair {
                first: 0..=0,
                second: 1..=1,
            },
            TypePair {
                first: 1..=1,
                second: 1..=1,
            },
        ],
    )
    .unwrap();
    let table = rdf.compute(&system).unwrap();
    for (p, g) in table.g.iter().enumerate() {
        // outer shells hold thousands of pairs: a few percent of noise at most
        for (k, v) in g.iter().enumerate().skip(4) {
            assert!((v - 1.0).abs() < 0.08, "pair {p} bin {k}: g = {v}");
        }
        let mean: f64 = g[4..].iter().sum::<f64>() / (g.len() - 4) as f64;
        assert!((mean - 1.0).abs() < 0.03, "pair {p}: mean g = {mean}");
    }
    // coordination at the cutoff ≈ density × sphere volume (A around B: all B atoms)
    let n_b = 2000.0;
    let expect = n_b / system.volume() * 4.0 / 3.0 * std::f64::consts::PI * 27.0;
    let got = *table.coordination[1].last().unwrap();
    assert!((got / expect - 1.0).abs() < 0.03, "{got} vs {expect}");
}

#[test]
fn histogram_matches_brute_force_pairs_in_a_tilted_cell() {
    let mut system = ideal_gas(tilted_cell(), 200, 11);
    // some atoms outside the box, carrying image counts
    system.positions[3] += system.cell.image_shift([1, -2, 0]);
    system.positions[17] += system.cell.image_shift([0, 0, 3]);
    let cutoff = 6.0; // longer than half the box: several images of a pair count
    let rdf = Rdf::new(
        12,
        cutoff,
        vec![TypePair {
            first: 0..=0,
            second: 1..=1,
        }],
    )
    .unwrap();
    let hist = rdf.histogram(&system).unwrap();
    let wrapped: Vec<_> = (0..system.len())
        .map(|i| system.cell.wrap(&system.positions[i], &mut [0; 3]))
        .collect();
    system.positions = wrapped;
    let mut expected = [0.0; 12];
    for p in all_pairs_within(&system.cell, &system.positions, cutoff) {
        if system.types[p.i] == 0 && system.types[p.j] == 1 {
            let d =
                system.positions[p.j] + system.cell.image_shift(p.image) - system.positions[p.i];
            expected[(d.norm() / cutoff * 12.0) as usize] += 1.0;
        }
    }
    assert_eq!(hist[0], expected.to_vec());
    assert!(expected.iter().sum::<f64>() > 1000.0);
}

#[test]
fn bad_definitions_are_errors() {
    assert!(Rdf::new(0, 1.0, vec![TypePair::all(1)]).is_err());
    assert!(Rdf::new(10, -1.0, vec![TypePair::all(1)]).is_err());
    let rdf = Rdf::new(
        10,
        1.0,
        vec![TypePair {
            first: 0..=0,
            second: 2..=2,
        }],
    )
    .unwrap();
    let err = rdf.compute(&ideal_gas(tilted_cell(), 10, 1)).unwrap_err();
    assert!(err.to_string().contains("type 3"), "{err}");
}

/// Moves every atom ballistically by `v dt`, wrapping into the cell as a run does.
fn drift(system: &mut System, dt: f64) {
    for i in 0..system.len() {
        let x = system.positions[i] + system.velocities[i] * dt;
        let mut img = system.images[i];
        system.positions[i] = system.cell.wrap(&x, &mut img);
        system.images[i] = img;
    }
}

#[test]
fn ballistic_msd_is_v2_t2_and_vacf_is_constant() {
    let mut system = ideal_gas(Cell::cubic(5.0).unwrap(), 50, 3);
    let mut rng = Uniform(5);
    for v in &mut system.velocities {
        *v = Vector3::new(rng.next() - 0.5, rng.next() - 0.5, rng.next() - 0.5) * 4.0;
    }
    let v2: f64 = system
        .velocities
        .iter()
        .map(|v| v.norm_squared())
        .sum::<f64>()
        / system.len() as f64;
    let vx2: f64 = system.velocities.iter().map(|v| v.x * v.x).sum::<f64>() / system.len() as f64;
    let msd = Msd::new(&system, false);
    let msd_com = Msd::new(&system, true);
    let vacf = Vacf::new(&system);
    let dt = 0.1;
    for step in 1..=40 {
        drift(&mut system, dt);
        let t = step as f64 * dt;
        let m = msd.compute(&system).unwrap();
        assert!(
            (m[3] - v2 * t * t).abs() < 1e-9 * (1.0 + v2 * t * t),
            "{m:?}"
        );
        assert!((m[0] - vx2 * t * t).abs() < 1e-9 * (1.0 + vx2 * t * t));
        // with the centre-of-mass drift removed: velocities relative to the (mass-weighted) v_cm
        let vcm = system.total_momentum() / system.total_mass();
        let c = msd_com.compute(&system).unwrap();
        let rel: f64 = system
            .velocities
            .iter()
            .map(|v| (v - vcm).norm_squared())
            .sum::<f64>()
            / system.len() as f64;
        let expect = rel * t * t;
        assert!(
            (c[3] - expect).abs() < 1e-9 * (1.0 + m[3]),
            "{} vs {expect}",
            c[3]
        );
        let a = vacf.compute(&system).unwrap();
        assert!((a[3] - v2).abs() < 1e-12);
    }
    // the atoms crossed the boundaries: the MSD exceeds the box size squared
    assert!(msd.compute(&system).unwrap()[3] > 25.0);
}

#[test]
fn uniform_translation_has_zero_msd_with_com_removed() {
    let mut system = ideal_gas(tilted_cell(), 30, 9);
    for v in &mut system.velocities {
        *v = Vector3::new(3.0, -1.0, 2.0);
    }
    let msd = Msd::new(&system, true);
    drift(&mut system, 7.0);
    assert!(msd.compute(&system).unwrap()[3] < 1e-20);
    assert!(Msd::new(&system, false).compute(&system).unwrap()[3] == 0.0);
}

#[test]
fn multi_origin_correlations_of_ballistic_motion() {
    let mut system = ideal_gas(Cell::cubic(4.0).unwrap(), 20, 13);
    let mut rng = Uniform(17);
    for v in &mut system.velocities {
        *v = Vector3::new(rng.next(), rng.next(), rng.next()) * 2.0 - Vector3::repeat(1.0);
    }
    let v2: f64 = system
        .velocities
        .iter()
        .map(|v| v.norm_squared())
        .sum::<f64>()
        / system.len() as f64;
    let dt = 0.05;
    let mut msd =
        TimeCorrelation::new(CorrelationKind::Displacement { com: false }, 2, 10, 4).unwrap();
    let mut vacf = TimeCorrelation::new(CorrelationKind::Velocity, 2, 10, 4).unwrap();
    for step in 0..=40u64 {
        if step > 0 {
            drift(&mut system, dt);
        }
        msd.sample(step, &system).unwrap();
        vacf.sample(step, &system).unwrap();
    }
    let rows = msd.rows();
    assert_eq!(rows.len(), 6);
    for (lag, m, origins) in rows {
        let t = lag as f64 * dt;
        assert!((m[3] - v2 * t * t).abs() < 1e-9, "lag {lag}: {m:?}");
        // origins at 0, 4, ..., 40: those at least `lag` steps before the end
        assert_eq!(origins, (40 - lag) / 4 + 1);
    }
    for (_, c, _) in vacf.rows() {
        assert!((c[3] - v2).abs() < 1e-12);
    }
    assert!(TimeCorrelation::new(CorrelationKind::Velocity, 3, 10, 3).is_err());
    // a changed atom set is an error, not a wrong number
    system.push_atom(0, Vector3::zeros());
    assert!(msd.sample(42, &system).is_err());
}

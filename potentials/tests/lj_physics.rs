//! Physics checks of `lj/cut` through the engine's force evaluation.
//!
//! * forces are minus the finite-difference gradient of the total energy;
//! * the virial is minus the finite-difference derivative of the energy with
//!   respect to a homogeneous strain of cell and atoms;
//! * energy, forces and virial agree with an independent O(N²) pair sum
//!   over explicit periodic images (mixing rules written out by hand);
//! * per-atom energies add up to the total, and thread count does not matter;
//! * the shifted energy vanishes continuously at the cutoff.
//!
//! Systems: a perturbed fcc LJ solid in a cubic box, and a two-type perturbed
//! fcc lattice mapped into a triclinic cell with mixed unlike-pair coefficients.

use ferromd_core::Potential;
use ferromd_core::cell::Cell;
use ferromd_core::evaluation::evaluate_forces;
use ferromd_core::lattice::{CubicKind, Lattice};
use ferromd_core::nalgebra::{Matrix3, Vector3};
use ferromd_core::neighbor::brute_force::all_pairs_within;
use ferromd_core::neighbor::{ListKind, NeighborSettings, Neighbors};
use ferromd_core::potential::{ForceOutput, ForceRequest};
use ferromd_core::system::{Species, System};
use ferromd_potentials::pair::PairInteraction;
use ferromd_potentials::{LjCut, LjCutBuilder, Mixing};

/// A small deterministic generator (64-bit LCG, top 53 bits) for reproducible perturbations.
struct Lcg(u64);

impl Lcg {
    fn next_f64(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next_f64()
    }
}

const DENSITY: f64 = 0.8442;
const RC: f64 = 2.5;

fn displace(system: &mut System, amplitude: f64, rng: &mut Lcg) {
    for x in &mut system.positions {
        for k in 0..3 {
            x[k] += rng.uniform(-amplitude, amplitude);
        }
    }
}

/// One-type fcc LJ solid of `n³` unit cells, atoms displaced by up to 0.1 per component.
fn perturbed_fcc(n: usize, seed: u64) -> System {
    let lattice = Lattice::cubic_with_density(CubicKind::Fcc, DENSITY);
    let mut system = lattice
        .build([n, n, n], vec![Species::new("A", 1.0)])
        .unwrap();
    displace(&mut system, 0.1, &mut Lcg(seed));
    system
}

fn lj_one_type(shift: bool) -> LjCut {
    let mut b = LjCutBuilder::new(1, RC);
    b.pair(1, 1, 1.0, 1.0, None).unwrap().shift(shift);
    b.build().unwrap()
}

/// Like-pair coefficients (epsilon, sigma, cutoff) of the two-type system.
const TWO_TYPES: [(f64, f64, f64); 2] = [(1.0, 1.0, 2.5), (0.5, 0.9, 2.2)];

/// Two-type LJ with arithmetic (Lorentz-Berthelot) mixing of the unlike pair.
fn lj_two_types(shift: bool) -> LjCut {
    let mut b = LjCutBuilder::new(2, RC);
    for (t, (eps, sigma, rc)) in TWO_TYPES.iter().enumerate() {
        b.pair(t + 1, t + 1, *eps, *sigma, Some(*rc)).unwrap();
    }
    b.mixing(Mixing::Arithmetic).shift(shift);
    b.build().unwrap()
}

/// (epsilon, sigma, cutoff) of type pair `a`, `b` by Lorentz-Berthelot, written out here
/// independently of the builder.
fn mixed(a: u32, b: u32) -> (f64, f64, f64) {
    let (ea, sa, ra) = TWO_TYPES[a as usize];
    let (eb, sb, rb) = TWO_TYPES[b as usize];
    ((ea * eb).sqrt(), 0.5 * (sa + sb), 0.5 * (ra + rb))
}

/// Two-type perturbed fcc of `n³` cells (every third atom of type 2) in a tilted cell with
/// a shifted origin.
fn two_type_triclinic(n: usize, seed: u64) -> System {
    let lattice = Lattice::cubic_with_density(CubicKind::Fcc, DENSITY);
    let species = vec![Species::new("A", 1.0), Species::new("B", 2.5)];
    let cubic = lattice.build([n; 3], species.clone()).unwrap();
    let l = cubic.cell.matrix()[(0, 0)];
    let lo = Vector3::new(-1.0, 0.5, 2.0);
    let cell = Cell::triclinic_lammps(lo, lo + Vector3::repeat(l), [0.15 * l, -0.1 * l, 0.12 * l])
        .unwrap();
    let mut system = System::new(cell.clone(), species);
    for (i, x) in cubic.positions.iter().enumerate() {
        let s = cubic.cell.to_fractional(x);
        system.push_atom(u32::from(i % 3 == 2), cell.to_cartesian(&s));
    }
    displace(&mut system, 0.1, &mut Lcg(seed));
    system
}

/// Rebuilds a skin-0 list for a copy of `system` and evaluates `request`.
/// Returns the outputs and the (wrapped) system with its forces.
fn evaluate(system: &System, potential: &LjCut, request: ForceRequest) -> (ForceOutput, System) {
    evaluate_with_skin(system, potential, request, 0.0)
}

fn evaluate_with_skin(
    system: &System,
    potential: &LjCut,
    request: ForceRequest,
    skin: f64,
) -> (ForceOutput, System) {
    let mut system = system.clone();
    let mut neighbors = Neighbors::new(
        NeighborSettings::with_skin(skin),
        potential.cutoff(),
        potential.list_kind(),
    );
    neighbors.rebuild(&mut system).unwrap();
    let mut out = ForceOutput::new();
    evaluate_forces(&mut system, &neighbors, potential, request, &mut out, 0).unwrap();
    (out, system)
}

const ENERGY_ONLY: ForceRequest = ForceRequest {
    energy: true,
    virial: false,
    per_atom_energy: false,
};

fn energy(system: &System, potential: &LjCut) -> f64 {
    evaluate(system, potential, ENERGY_ONLY).0.energy
}

/// For every atom, the smallest distance between one of its pair separations and that
/// pair's cutoff (where the shifted energy has a kink), from a list with a 0.1 skin.
fn cutoff_gaps(system: &System, potential: &LjCut) -> Vec<f64> {
    let mut system = system.clone();
    let mut neighbors = Neighbors::new(
        NeighborSettings::with_skin(0.1),
        potential.cutoff(),
        ListKind::Full,
    );
    neighbors.rebuild(&mut system).unwrap();
    let ghosts = neighbors.ghosts();
    let x = ghosts.positions();
    let list = neighbors.list();
    (0..system.len())
        .map(|i| {
            list.neighbors(i)
                .iter()
                .map(|&j| {
                    let j = j as usize;
                    let rc = potential
                        .pair(system.types[i] as usize, ghosts.types()[j] as usize)
                        .1;
                    ((x[j] - x[i]).norm() - rc).abs()
                })
                .fold(f64::INFINITY, f64::min)
        })
        .collect()
}

fn max_norm(forces: &[Vector3<f64>]) -> f64 {
    forces.iter().map(|f| f.amax()).fold(0.0, f64::max)
}

/// Forces against `-(E(x + h e) - E(x - h e)) / 2h` for every component of every atom.
///
/// Criterion: `|F - F_fd| <= 1e-6 max|F|`. Atoms that have a pair within `4h` of its
/// cutoff are skipped: there the shifted energy is continuous but its derivative jumps
/// by `F(rc)`, and the central difference straddles the kink.
fn check_forces_by_finite_differences(system: &System, potential: &LjCut, label: &str) {
    let (_, base) = evaluate(system, potential, ForceRequest::ALL);
    let forces = base.forces.clone();
    let fmax = max_norm(&forces);
    let h = 1e-5;
    let gaps = cutoff_gaps(&base, potential);
    let mut worst: f64 = 0.0;
    let mut skipped = 0;
    // every atom in release builds; a sample in (much slower) debug builds
    let stride = if cfg!(debug_assertions) { 8 } else { 1 };
    let checked = base.len().div_ceil(stride);
    for (i, (f, gap)) in forces.iter().zip(&gaps).enumerate().step_by(stride) {
        if *gap < 4.0 * h {
            skipped += 1;
            continue;
        }
        for (k, fk) in f.iter().enumerate() {
            let mut plus = base.clone();
            plus.positions[i][k] += h;
            let mut minus = base.clone();
            minus.positions[i][k] -= h;
            let fd = -(energy(&plus, potential) - energy(&minus, potential)) / (2.0 * h);
            worst = worst.max((fk - fd).abs());
        }
    }
    eprintln!(
        "{label}: max|F| = {fmax:.3}, max|F - F_fd| = {worst:.3e} ({:.3e} relative), \
         {skipped} of {checked} atoms skipped near the cutoff",
        worst / fmax,
    );
    assert!(fmax > 1.0, "{label}: forces suspiciously small ({fmax})");
    assert!(
        skipped * 10 < checked,
        "{label}: too many atoms near the cutoff"
    );
    assert!(
        worst <= 1e-6 * fmax,
        "{label}: max|F - F_fd| = {worst:e} exceeds 1e-6 * max|F| = {:e}",
        1e-6 * fmax
    );
}

#[test]
fn forces_are_minus_energy_gradient_fcc() {
    let system = perturbed_fcc(4, 1);
    check_forces_by_finite_differences(&system, &lj_one_type(true), "fcc, cubic cell");
}

#[test]
fn forces_are_minus_energy_gradient_two_types_triclinic() {
    let system = two_type_triclinic(4, 2);
    check_forces_by_finite_differences(&system, &lj_two_types(true), "two types, triclinic");
}

/// Applies `x -> (I + eps) x` to the cell (edges and origin) and all atoms.
fn strained(system: &System, eps: &Matrix3<f64>) -> System {
    let d = Matrix3::identity() + eps;
    let mut s = system.clone();
    let h = d * system.cell.matrix();
    s.cell = Cell::new(h, d * system.cell.origin(), system.cell.periodic()).unwrap();
    for x in &mut s.positions {
        *x = d * *x;
    }
    s
}

fn virial_matrix(v: &[f64; 6]) -> Matrix3<f64> {
    #[rustfmt::skip]
    let m = Matrix3::new(
        v[0], v[3], v[4],
        v[3], v[1], v[5],
        v[4], v[5], v[2],
    );
    m
}

/// The virial `W_ab = sum r_a f_b` against `-dE/d eps_ba` by central differences, for all
/// nine strain components (so the symmetry of the finite-difference tensor is checked too).
///
/// Criterion: `|W - W_fd| <= 1e-6 max|W|` for every component.
fn check_virial_by_finite_differences(system: &System, potential: &LjCut, label: &str) {
    let (out, base) = evaluate(system, potential, ForceRequest::ALL);
    let w = virial_matrix(&out.virial);
    let wmax = w.amax();
    // A strain step below the smallest relative gap to a cutoff keeps every pair on its side.
    let min_relative_gap = cutoff_gaps(&base, potential)
        .into_iter()
        .fold(f64::INFINITY, f64::min)
        / RC;
    assert!(
        min_relative_gap > 1e-8,
        "{label}: a pair sits on the cutoff"
    );
    let delta = (0.5 * min_relative_gap).min(1e-6);
    let mut fd = Matrix3::zeros();
    for a in 0..3 {
        for b in 0..3 {
            let mut eps = Matrix3::zeros();
            eps[(a, b)] = delta;
            let ep = energy(&strained(&base, &eps), potential);
            let em = energy(&strained(&base, &(-eps)), potential);
            // x_a += eps_ab x_b  =>  dE/d eps_ab = -sum F_a x_b = -W_ba
            fd[(b, a)] = -(ep - em) / (2.0 * delta);
        }
    }
    let err = (w - fd).amax();
    let asym = (fd - fd.transpose()).amax();
    eprintln!(
        "{label}: virial diag = [{:.4}, {:.4}, {:.4}], off-diag = [{:.4}, {:.4}, {:.4}]; \
         strain step {delta:.1e}; max|W - W_fd| = {err:.3e} ({:.3e} relative); \
         asymmetry of W_fd {asym:.3e}",
        w[(0, 0)],
        w[(1, 1)],
        w[(2, 2)],
        w[(0, 1)],
        w[(0, 2)],
        w[(1, 2)],
        err / wmax
    );
    assert!(
        err <= 1e-6 * wmax,
        "{label}: virial {w} vs finite differences {fd}"
    );
    assert!(
        asym <= 1e-6 * wmax,
        "{label}: strain derivative not symmetric: {fd}"
    );
}

#[test]
fn virial_is_strain_derivative_orthorhombic() {
    let system = perturbed_fcc(4, 3);
    check_virial_by_finite_differences(&system, &lj_one_type(true), "fcc, cubic cell");
}

#[test]
fn virial_is_strain_derivative_triclinic() {
    let system = two_type_triclinic(4, 4);
    check_virial_by_finite_differences(&system, &lj_two_types(true), "two types, triclinic");
}

/// Energy, forces and virial against an O(N²) sum over explicit images, with the LJ formula,
/// shift and Lorentz-Berthelot mixing written out independently. The 3³-cell system has
/// plane distances below 2 rc, so atoms also interact with several images of one another.
#[test]
fn matches_independent_pair_sum() {
    let sizes: &[usize] = if cfg!(debug_assertions) {
        &[3]
    } else {
        &[3, 4]
    };
    for (&n, shift) in sizes.iter().flat_map(|n| [(n, false), (n, true)]) {
        let system = two_type_triclinic(n, 5);
        if n == 3 {
            assert!(system.cell.plane_distances().min() < 2.0 * RC);
        }
        let potential = lj_two_types(shift);
        let (out, base) = evaluate(&system, &potential, ForceRequest::ALL);
        let x = &base.positions;
        let mut e_ref = 0.0;
        let mut f_ref = vec![Vector3::zeros(); base.len()];
        let mut w_ref = Matrix3::zeros();
        for p in all_pairs_within(&base.cell, x, 2.5) {
            let (eps, sigma, rc) = mixed(base.types[p.i], base.types[p.j]);
            // r_ij = x_i - x_j(image)
            let d = x[p.i] - (x[p.j] + base.cell.image_shift(p.image));
            let r = d.norm();
            if r >= rc {
                continue;
            }
            let phi = |r: f64| 4.0 * eps * ((sigma / r).powi(12) - (sigma / r).powi(6));
            let dphi =
                4.0 * eps * (-12.0 * sigma.powi(12) / r.powi(13) + 6.0 * sigma.powi(6) / r.powi(7));
            let offset = if shift { phi(rc) } else { 0.0 };
            // ordered pairs: each interaction counted twice
            e_ref += 0.5 * (phi(r) - offset);
            let f_i = -dphi * d / r;
            f_ref[p.i] += f_i;
            w_ref += 0.5 * d * f_i.transpose();
        }
        let e_err = (out.energy - e_ref).abs() / e_ref.abs();
        let f_err = base
            .forces
            .iter()
            .zip(&f_ref)
            .map(|(f, g)| (f - g).amax())
            .fold(0.0, f64::max)
            / max_norm(&f_ref);
        let w_err = (virial_matrix(&out.virial) - w_ref).amax() / w_ref.amax();
        eprintln!(
            "{n}^3 cells, shift {shift}: E = {:.12}, reference {e_ref:.12}; \
             relative errors E {e_err:.2e}, F {f_err:.2e}, W {w_err:.2e}",
            out.energy
        );
        assert!(e_err < 1e-12, "energy {} vs {e_ref}", out.energy);
        assert!(f_err < 1e-12, "forces differ by {f_err:e} relative");
        assert!(w_err < 1e-12, "virial differs by {w_err:e} relative");
    }
}

#[test]
fn forces_obey_newtons_third_law() {
    let (_, base) = evaluate(
        &two_type_triclinic(4, 6),
        &lj_two_types(true),
        ForceRequest::ALL,
    );
    let total: Vector3<f64> = base.forces.iter().sum();
    let scale: f64 = base.forces.iter().map(|f| f.norm()).sum();
    assert!(
        total.amax() < 1e-13 * scale,
        "net force {total} (sum |F| = {scale})"
    );
}

const ALL_PER_ATOM: ForceRequest = ForceRequest {
    energy: true,
    virial: true,
    per_atom_energy: true,
};

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

/// Per-atom energies add up to the total, and 1, 2 or 3 threads give the same results.
/// 864 atoms: the evaluation splits work into chunks of at least 256 atoms, so up to
/// four threads take part.
#[test]
fn per_atom_energies_and_thread_count() {
    let potential = lj_two_types(true);
    let mut system = perturbed_fcc(6, 7);
    system.species.push(Species::new("B", 2.0));
    for (i, t) in system.types.iter_mut().enumerate() {
        *t = u32::from(i % 5 == 0);
    }
    system.refresh_masses();
    let (reference, base) = in_pool(1, || evaluate(&system, &potential, ALL_PER_ATOM));
    assert_eq!(reference.per_atom_energy.len(), system.len());
    for threads in [1, 2, 3] {
        let (out, sys) = in_pool(threads, || evaluate(&system, &potential, ALL_PER_ATOM));
        let sum: f64 = out.per_atom_energy.iter().sum();
        let rel = |a: f64, b: f64| (a - b).abs() / b.abs();
        eprintln!(
            "{threads} thread(s): E = {:.15}, sum of per-atom energies {sum:.15}, \
             relative to 1 thread {:.2e}",
            out.energy,
            rel(out.energy, reference.energy)
        );
        assert!(
            rel(sum, out.energy) < 1e-12,
            "per-atom sum {sum} vs {}",
            out.energy
        );
        assert!(
            rel(out.energy, reference.energy) < 1e-12,
            "{threads} threads: energy {} vs {}",
            out.energy,
            reference.energy
        );
        for k in 0..6 {
            assert!(
                (out.virial[k] - reference.virial[k]).abs()
                    < 1e-12 * virial_matrix(&reference.virial).amax(),
                "{threads} threads: virial {:?} vs {:?}",
                out.virial,
                reference.virial
            );
        }
        let fmax = max_norm(&base.forces);
        for (i, (f, g)) in sys.forces.iter().zip(&base.forces).enumerate() {
            assert!(
                (f - g).amax() < 1e-12 * fmax,
                "{threads} threads: force on {i} {f} vs {g}"
            );
        }
        for (i, (e, g)) in out
            .per_atom_energy
            .iter()
            .zip(&reference.per_atom_energy)
            .enumerate()
        {
            assert!(
                (e - g).abs() < 1e-12,
                "{threads} threads: atom {i} {e} vs {g}"
            );
        }
    }
}

/// A skin only adds list entries beyond the cutoff; every type pair's own cutoff still applies.
#[test]
fn skin_does_not_change_results() {
    let potential = lj_two_types(false);
    let system = two_type_triclinic(4, 8);
    let (a, sa) = evaluate_with_skin(&system, &potential, ForceRequest::ALL, 0.0);
    let (b, sb) = evaluate_with_skin(&system, &potential, ForceRequest::ALL, 0.7);
    assert!((a.energy - b.energy).abs() < 1e-12 * a.energy.abs());
    let fmax = max_norm(&sa.forces);
    for (f, g) in sa.forces.iter().zip(&sb.forces) {
        assert!((f - g).amax() < 1e-12 * fmax);
    }
}

/// Two atoms at distance `r` along a body diagonal of a large periodic box.
fn dimer_energy(potential: &LjCut, r: f64) -> (f64, f64) {
    let cell = Cell::cubic(20.0).unwrap();
    let mut system = System::new(cell, vec![Species::new("A", 1.0)]);
    let u = Vector3::repeat(1.0).normalize();
    system.push_atom(0, Vector3::repeat(5.0));
    system.push_atom(0, Vector3::repeat(5.0) + u * r);
    let (out, sys) = evaluate_with_skin(&system, potential, ForceRequest::ALL, 0.3);
    (out.energy, sys.forces[1].dot(&u))
}

#[test]
fn shifted_energy_vanishes_at_cutoff() {
    let shifted = lj_one_type(true);
    let plain = lj_one_type(false);
    let phi_rc = 4.0 * (RC.powi(-12) - RC.powi(-6));
    let f_rc = 24.0 * (2.0 * RC.powi(-13) - RC.powi(-7));
    assert!((shifted.pair(0, 0).0.offset() - phi_rc).abs() < 1e-15);
    let mut previous = f64::INFINITY;
    for delta in [1e-2, 1e-4, 1e-6, 1e-8] {
        let r = RC - delta;
        let (e_shift, f_shift) = dimer_energy(&shifted, r);
        let (e_plain, f_plain) = dimer_energy(&plain, r);
        eprintln!("r = rc - {delta:e}: shifted E = {e_shift:.3e}, unshifted E = {e_plain:.6e}");
        // E(rc - delta) ~ F(rc) delta -> 0 linearly, from below (F(rc) < 0: attraction)
        assert!(e_shift < 0.0 && e_shift.abs() < 1.05 * f_rc.abs() * delta);
        assert!(e_shift.abs() < previous);
        previous = e_shift.abs();
        // the shift leaves the energy difference and the force alone
        assert!((e_plain - e_shift - phi_rc).abs() < 1e-14);
        assert_eq!(f_shift, f_plain);
        // F'(rc) is about 0.11
        assert!((f_shift - f_rc).abs() < 0.2 * delta);
        // bare interaction evaluated directly
        let (e_direct, _) = shifted.pair(0, 0).0.energy_and_force(r * r);
        assert!((e_direct - e_shift).abs() < 1e-15);
    }
    // beyond the cutoff: nothing
    for pot in [&shifted, &plain] {
        let (e, f) = dimer_energy(pot, RC + 1e-9);
        assert_eq!((e, f), (0.0, 0.0));
    }
    // unshifted energy jumps by phi(rc) at the cutoff
    let (e_in, _) = dimer_energy(&plain, RC - 1e-12);
    assert!((e_in - phi_rc).abs() < 1e-12, "{e_in} vs {phi_rc}");
}

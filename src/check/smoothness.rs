//! Smoothness: energy and forces along dimer and trimer scans through the cutoff, and
//! the dimer's short-range repulsion, on isolated clusters (a non-periodic box).
//!
//! * **Energy jumps.** Along a scan `x(s)` sampled at [`SCAN_POINTS`] points the energy
//!   change between neighbouring points must equal the work of the forces (trapezoid
//!   rule): `E(k+1) − E(k) + ½ (F(k) + F(k+1))·(x(k+1) − x(k)) ≈ 0`. A discontinuity of
//!   the energy anywhere on the scan shows up as a residual of its size. Separately the
//!   energy is evaluated at `r_c (1 ∓ 1e-5)`. The row reports the largest of both over
//!   the energy scale (the depth of the dimer well, or its largest |E − E(∞)|).
//! * **Force at the cutoff.** The force on the moving atom just inside the cutoff over
//!   the force scale (the largest force beyond the reference distance): a force that does
//!   not vanish at `r_c` is a kink of the energy (an impulse in MD).
//! * **Short-range repulsion.** From the reference distance `r_ref` (the sum of
//!   covalent radii for elements, else the dimer minimum) down to `SHORT_RANGE × r_ref`,
//!   the dimer energy must rise monotonically from the lowest point of that range inwards
//!   and end above the dissociation energy by more than the well depth; a model whose
//!   energy at the shortest distance is not above that at `r_ref` (a "hole") fails.
//!
//! Dimer scans run over [`SCAN_FROM`]..[`SCAN_TO`] × cutoff for each type pair (at most
//! [`MAX_PAIRS`]); trimer scans move a third atom of the same type along the bisector of
//! a dimer at `r_ref` (at most `0.9 r_c`) so that both of its distances cross the cutoff.

use ferromd_core::cell::Cell;
use ferromd_core::nalgebra::Vector3;
use ferromd_core::{Species, System};

use super::elements::covalent_radius;
use super::{CheckOptions, Probe, Row, Status};

/// Points per scan.
pub const SCAN_POINTS: usize = 120;
/// Scan start as a fraction of the cutoff.
pub const SCAN_FROM: f64 = 0.6;
/// Scan end as a fraction of the cutoff.
pub const SCAN_TO: f64 = 1.05;
/// Relative distance from the cutoff of the two probes on either side of it.
pub const CUTOFF_PROBE: f64 = 1e-5;
/// Energy jump over the energy scale: pass below.
pub const JUMP_PASS: f64 = 1e-3;
/// Energy jump over the energy scale: warn below, fail above.
pub const JUMP_WARN: f64 = 1e-2;
/// Force at the cutoff over the force scale: pass below.
pub const KINK_PASS: f64 = 1e-3;
/// Force at the cutoff over the force scale: warn below, fail above.
pub const KINK_WARN: f64 = 5e-2;
/// Shortest dimer distance probed, as a fraction of the reference distance.
pub const SHORT_RANGE: f64 = 0.4;
/// Points of the short-range scan.
pub const SHORT_POINTS: usize = 24;
/// Type pairs scanned at most.
pub const MAX_PAIRS: usize = 6;

const CHECK: &str = "smoothness";

/// A cluster of atoms in a non-periodic box large enough for every scan.
fn cluster(species: &[Species], types: &[u32], positions: &[Vector3<f64>], rc: f64) -> System {
    let side = 8.0 * rc;
    let cell = Cell::new(
        ferromd_core::nalgebra::Matrix3::identity() * side,
        Vector3::repeat(-0.5 * side),
        [false; 3],
    )
    .expect("a cube has positive volume");
    let mut s = System::new(cell, species.to_vec());
    for (&t, &x) in types.iter().zip(positions) {
        s.push_atom(t, x);
    }
    s
}

/// Energies and forces along a path of configurations.
struct Scan {
    params: Vec<f64>,
    positions: Vec<Vec<Vector3<f64>>>,
    energies: Vec<f64>,
    forces: Vec<Vec<Vector3<f64>>>,
}

impl Scan {
    fn run(
        probe: &mut Probe<'_>,
        species: &[Species],
        types: &[u32],
        params: Vec<f64>,
        path: &dyn Fn(f64) -> Vec<Vector3<f64>>,
    ) -> Result<Scan, String> {
        let rc = probe.potential().cutoff();
        let mut scan = Scan {
            params: Vec::new(),
            positions: Vec::new(),
            energies: Vec::new(),
            forces: Vec::new(),
        };
        for p in params {
            let x = path(p);
            let (e, f) = probe
                .energy_forces(&cluster(species, types, &x, rc))
                .map_err(|e| format!("at {p:.4}: {e}"))?;
            scan.params.push(p);
            scan.positions.push(x);
            scan.energies.push(e);
            scan.forces.push(f);
        }
        Ok(scan)
    }

    /// The largest |ΔE + trapezoid work| between neighbouring points and where it is.
    fn worst_residual(&self) -> (f64, f64) {
        let mut worst = (0.0, f64::NAN);
        for k in 0..self.energies.len().saturating_sub(1) {
            let work: f64 = (0..self.positions[k].len())
                .map(|a| {
                    let dx = self.positions[k + 1][a] - self.positions[k][a];
                    0.5 * (self.forces[k][a] + self.forces[k + 1][a]).dot(&dx)
                })
                .sum();
            let r = (self.energies[k + 1] - self.energies[k] + work).abs();
            if r > worst.0 {
                worst = (r, 0.5 * (self.params[k] + self.params[k + 1]));
            }
        }
        worst
    }
}

fn linspace(a: f64, b: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|k| a + (b - a) * k as f64 / (n - 1) as f64)
        .collect()
}

/// What the dimer scans of one type pair found, reused by the trimer of that type.
struct Dimer {
    r_ref: f64,
    energy_scale: f64,
    force_scale: f64,
}

/// Runs the dimer and trimer rows for the types of `system`.
pub fn check(probe: &mut Probe<'_>, system: &System, _options: &CheckOptions) -> Vec<Row> {
    let species = &system.species;
    let mut present: Vec<u32> = Vec::new();
    for &t in &system.types {
        if !present.contains(&t) {
            present.push(t);
        }
    }
    present.sort_unstable();
    let mut pairs = Vec::new();
    for (k, &a) in present.iter().enumerate() {
        for &b in &present[k..] {
            pairs.push((a, b));
        }
    }
    pairs.truncate(MAX_PAIRS);
    let mut rows = Vec::new();
    for &(a, b) in &pairs {
        let label = format!("{}-{}", species[a as usize].name, species[b as usize].name);
        match dimer_rows(probe, species, a, b, &label) {
            Ok((r, dimer)) => {
                rows.extend(r);
                if a == b {
                    rows.extend(trimer_rows(probe, species, a, &dimer).unwrap_or_else(|e| {
                        vec![Row::failed(
                            CHECK,
                            format!("trimer {}3", species[a as usize].name),
                            e,
                        )]
                    }));
                }
            }
            Err(e) => rows.push(Row::failed(CHECK, format!("dimer {label}"), e)),
        }
    }
    rows
}

fn dimer_rows(
    probe: &mut Probe<'_>,
    species: &[Species],
    a: u32,
    b: u32,
    label: &str,
) -> Result<(Vec<Row>, Dimer), String> {
    let rc = probe.potential().cutoff();
    let types = [a, b];
    let path = |r: f64| {
        vec![
            Vector3::new(-0.5 * r, 0.0, 0.0),
            Vector3::new(0.5 * r, 0.0, 0.0),
        ]
    };
    let e_inf = Scan::run(probe, species, &types, vec![1.2 * rc], &path)?.energies[0];
    // reference distance: covalent radii, else the dimer minimum on a coarse scan
    let covalent = covalent_radius(&species[a as usize].name)
        .zip(covalent_radius(&species[b as usize].name))
        .map(|(x, y)| x + y);
    let (r_ref, ref_source) = match covalent {
        Some(r) => (r, "sum of covalent radii"),
        None => {
            let coarse = Scan::run(probe, species, &types, linspace(0.2 * rc, rc, 41), &path)?;
            let k = (0..coarse.energies.len())
                .min_by(|&i, &j| coarse.energies[i].total_cmp(&coarse.energies[j]))
                .unwrap_or(0);
            (coarse.params[k], "dimer energy minimum")
        }
    };
    let scan = Scan::run(
        probe,
        species,
        &types,
        linspace(SCAN_FROM * rc, SCAN_TO * rc, SCAN_POINTS),
        &path,
    )?;
    let short = Scan::run(
        probe,
        species,
        &types,
        linspace(SHORT_RANGE * r_ref, r_ref, SHORT_POINTS),
        &path,
    )?;
    let edge = Scan::run(
        probe,
        species,
        &types,
        vec![rc * (1.0 - CUTOFF_PROBE), rc * (1.0 + CUTOFF_PROBE)],
        &path,
    )?;
    // scales: beyond the reference distance
    let mut energy_scale: f64 = 0.0;
    let mut force_scale: f64 = 0.0;
    for s in [&short, &scan] {
        for k in 0..s.params.len() {
            if s.params[k] >= r_ref {
                energy_scale = energy_scale.max((s.energies[k] - e_inf).abs());
                force_scale = force_scale.max(s.forces[k][1].x.abs());
            }
        }
    }
    let energy_scale = energy_scale.max(1e-12);
    let force_scale = force_scale.max(1e-12);
    let (residual, at) = scan.worst_residual();
    let edge_jump = (edge.energies[0] - edge.energies[1]).abs();
    let jump = residual.max(edge_jump);
    let f_edge = edge.forces[0][1].x.abs();
    let mut rows = vec![
        Row::graded(
            CHECK,
            format!("dimer {label}: jumps (dE + F.dx)"),
            jump / energy_scale,
            "jump/well",
            JUMP_PASS,
            JUMP_WARN,
            format!(
                "{SCAN_POINTS} points over r = {:.3}..{:.3}: largest |dE + F.dx| {residual:.3e} \
                 at r = {at:.4}; E(rc-) - E(rc+) = {:.3e}; energy scale {energy_scale:.4e}",
                SCAN_FROM * rc,
                SCAN_TO * rc,
                edge.energies[0] - edge.energies[1]
            ),
        ),
        Row::graded(
            CHECK,
            format!("dimer {label}: force at cutoff"),
            f_edge / force_scale,
            "F(rc-)/Fmax",
            KINK_PASS,
            KINK_WARN,
            format!(
                "|F| at r = rc(1-{CUTOFF_PROBE:.0e}) = {f_edge:.3e}, at rc(1+{CUTOFF_PROBE:.0e}) \
                 = {:.3e}; force scale {force_scale:.4e}",
                edge.forces[1][1].x.abs()
            ),
        ),
    ];
    // short range: energies from the shortest distance outwards must fall
    // up to the lowest energy of the short-range scan (the dimer may bind shorter than
    // r_ref), any rise of the energy with distance is a bump
    let k_min = (0..short.energies.len())
        .min_by(|&i, &j| short.energies[i].total_cmp(&short.energies[j]))
        .unwrap_or(0);
    let bumps = short.energies[..=k_min]
        .windows(2)
        .filter(|w| w[1] > w[0])
        .count();
    let e_lo = short.energies[0];
    let e_ref = *short.energies.last().unwrap_or(&e_lo);
    let rise = (e_lo - e_inf) / energy_scale;
    let status = if !rise.is_finite() || e_lo <= e_ref {
        Status::Fail
    } else if bumps > 0 || rise < 1.0 {
        Status::Warn
    } else {
        Status::Pass
    };
    rows.push(Row {
        check: CHECK,
        name: format!("dimer {label}: short-range repulsion"),
        status,
        value: rise,
        unit: "(E(rmin)-E(inf))/well".into(),
        threshold: "pass: rises monotonically and > 1; fail: E(rmin) <= E(r_ref)".into(),
        detail: format!(
            "r from {:.3} to r_ref = {r_ref:.3} ({ref_source}): E(rmin) - E(inf) = {:.4e}, \
             E(r_ref) - E(inf) = {:.4e}, {bumps} non-monotonic steps",
            SHORT_RANGE * r_ref,
            e_lo - e_inf,
            e_ref - e_inf
        ),
    });
    Ok((
        rows,
        Dimer {
            r_ref,
            energy_scale,
            force_scale,
        },
    ))
}

fn trimer_rows(
    probe: &mut Probe<'_>,
    species: &[Species],
    t: u32,
    dimer: &Dimer,
) -> Result<Vec<Row>, String> {
    let rc = probe.potential().cutoff();
    let d = dimer.r_ref.min(0.9 * rc);
    let types = [t, t, t];
    // parameter: distance of the third atom to each of the pair
    let path = |rho: f64| {
        let y = (rho * rho - 0.25 * d * d).max(0.0).sqrt();
        vec![
            Vector3::new(-0.5 * d, 0.0, 0.0),
            Vector3::new(0.5 * d, 0.0, 0.0),
            Vector3::new(0.0, y, 0.0),
        ]
    };
    let from = (SCAN_FROM * rc).max(d);
    let scan = Scan::run(
        probe,
        species,
        &types,
        linspace(from, SCAN_TO * rc, SCAN_POINTS),
        &path,
    )?;
    let edge = Scan::run(
        probe,
        species,
        &types,
        vec![rc * (1.0 - CUTOFF_PROBE), rc * (1.0 + CUTOFF_PROBE)],
        &path,
    )?;
    let name = &species[t as usize].name;
    let (residual, at) = scan.worst_residual();
    let edge_jump = (edge.energies[0] - edge.energies[1]).abs();
    let f_edge = edge.forces[0][2].norm();
    Ok(vec![
        Row::graded(
            CHECK,
            format!("trimer {name}3: jumps (dE + F.dx)"),
            residual.max(edge_jump) / dimer.energy_scale,
            "jump/well",
            JUMP_PASS,
            JUMP_WARN,
            format!(
                "third atom on the bisector of a pair at {d:.3}, distance {from:.3}..{:.3}: \
                 largest |dE + F.dx| {residual:.3e} at {at:.4}; E(rc-) - E(rc+) = {:.3e}",
                SCAN_TO * rc,
                edge.energies[0] - edge.energies[1]
            ),
        ),
        Row::graded(
            CHECK,
            format!("trimer {name}3: force at cutoff"),
            f_edge / dimer.force_scale,
            "F(rc-)/Fmax",
            KINK_PASS,
            KINK_WARN,
            format!(
                "|F| on the third atom at rc(1-{CUTOFF_PROBE:.0e}) = {f_edge:.3e}, at \
                 rc(1+{CUTOFF_PROBE:.0e}) = {:.3e}",
                edge.forces[1][2].norm()
            ),
        ),
    ])
}

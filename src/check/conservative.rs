//! Conservativeness: are the forces the negative gradient of the energy?
//!
//! * **Forces vs −dE/dx.** Along [`FD_DIRECTIONS`] random directions `d` in which every
//!   coordinate moves (by `s` times a standard normal deviate), `dE/ds` is taken by
//!   central differences with steps `h = FD_STEP × cutoff` and `h/2`, combined by
//!   Richardson extrapolation (error O(h⁴)), and compared with `−F·d`. The row reports
//!   the largest `|dE/ds + F·d| / (rms(F) |d|)`, i.e. the error per force component in
//!   units of the typical force: a model whose forces are not the gradient of the energy
//!   it reports (direct-force heads, detached terms) fails. Directional derivatives test
//!   all atoms at once with 4 evaluations per direction.
//! * **Closed-loop work.** Random loops `x(θ) = x₀ + a (u cos θ + v sin θ)` move
//!   [`LOOP_ATOMS`] random atoms along orthonormal directions `u`, `v` with radius
//!   `a = LOOP_RADIUS × cutoff`. The work `∮ F·dx` (periodic trapezoid rule over
//!   [`LOOP_POINTS`] points, spectrally accurate) vanishes for a gradient field whatever
//!   the energy says; the row reports the largest |∮ F·dx| over `∮ |F·dx|`. A nonzero
//!   value is a curl: such forces pump energy into an NVE run.
//!
//! * **Declared direct forces.** A model that says it predicts forces directly (SevenNet
//!   convention `extra/force_output = direct`, [`Potential::conservative`] false) gets a
//!   warning row saying so, whatever the two measurements find; the dynamics rows then
//!   show its NVE heat-up.
//!
//! Thresholds allow for single-precision models (energies with ~7 digits).

use ferromd_core::nalgebra::Vector3;
use ferromd_core::{Potential, System};

use super::probe::{Random, rms};
use super::{CheckOptions, Probe, Row, Status};

/// Random directions along which the energy is differentiated.
pub const FD_DIRECTIONS: usize = 3;
/// Finite-difference step as a fraction of the cutoff (0.01 Å for a 5 Å model).
pub const FD_STEP: f64 = 2e-3;
/// `max |F + dE/dx| / rms(F)`: pass below.
pub const FD_PASS: f64 = 1e-2;
/// `max |F + dE/dx| / rms(F)`: warn below, fail above.
pub const FD_WARN: f64 = 5e-2;
/// Number of random loops.
pub const LOOPS: usize = 2;
/// Atoms moved by each loop.
pub const LOOP_ATOMS: usize = 4;
/// Points per loop.
pub const LOOP_POINTS: usize = 12;
/// Loop radius as a fraction of the cutoff.
pub const LOOP_RADIUS: f64 = 0.05;
/// `|∮F·dx| / ∮|F·dx|`: pass below.
pub const CURL_PASS: f64 = 1e-3;
/// `|∮F·dx| / ∮|F·dx|`: warn below, fail above.
pub const CURL_WARN: f64 = 1e-2;

const CHECK: &str = "conservativeness";

/// Runs both conservativeness rows on `system` (already rattled).
pub fn check(probe: &mut Probe<'_>, system: &System, options: &CheckOptions) -> Vec<Row> {
    vec![
        gradient_row(probe, system, options)
            .unwrap_or_else(|e| Row::failed(CHECK, "forces vs -dE/dx", e)),
        loop_row(probe, system, options)
            .unwrap_or_else(|e| Row::failed(CHECK, "work around closed loops", e)),
    ]
}

/// The warning row of a potential that declares its forces are not an energy gradient,
/// or `None` for a conservative one.
pub fn declared_row(potential: &dyn Potential) -> Option<Row> {
    (!potential.conservative()).then(|| Row {
        check: CHECK,
        name: "declared force model".into(),
        status: Status::Warn,
        value: f64::NAN,
        unit: String::new(),
        threshold: "warn if direct".into(),
        detail: "the model predicts forces directly, not as -dE/dx: NVE runs need not \
                 conserve energy (see the dynamics rows for the heat-up)"
            .into(),
    })
}

fn gradient_row(
    probe: &mut Probe<'_>,
    system: &System,
    options: &CheckOptions,
) -> Result<Row, String> {
    let n = system.len();
    if n == 0 {
        return Err("the structure has no atoms".into());
    }
    let (_, forces) = probe.energy_forces(system).map_err(|e| e.to_string())?;
    let h = FD_STEP * probe.potential().cutoff();
    let mut rng = Random::new(options.seed, 2);
    let dims = system.dimension;
    let scale = rms(&forces).max(f64::MIN_POSITIVE);
    let mut worst = (0.0f64, 0.0, 0.0);
    for _ in 0..FD_DIRECTIONS {
        // every coordinate moves by h times a standard normal deviate
        let d: Vec<Vector3<f64>> = (0..n)
            .map(|_| {
                let mut v = Vector3::new(rng.gaussian(), rng.gaussian(), rng.gaussian());
                if dims == 2 {
                    v.z = 0.0;
                }
                v
            })
            .collect();
        let mut derivative = |step: f64| -> Result<f64, String> {
            let mut s = system.clone();
            s.positions
                .iter_mut()
                .zip(&d)
                .for_each(|(x, v)| *x += step * v);
            let ep = probe.energy(&s).map_err(|e| e.to_string())?;
            s.positions
                .iter_mut()
                .zip(&d)
                .for_each(|(x, v)| *x -= 2.0 * step * v);
            let em = probe.energy(&s).map_err(|e| e.to_string())?;
            Ok((ep - em) / (2.0 * step))
        };
        let d1 = derivative(h)?;
        let d2 = derivative(0.5 * h)?;
        let fd = (4.0 * d2 - d1) / 3.0;
        let work: f64 = forces.iter().zip(&d).map(|(f, v)| f.dot(v)).sum();
        let norm = d.iter().map(|v| v.norm_squared()).sum::<f64>().sqrt();
        let err = (fd + work).abs() / (scale * norm);
        if err >= worst.0 {
            worst = (err, -work, fd);
        }
    }
    let (err, minus_fd, fd) = worst;
    Ok(Row::graded(
        CHECK,
        "forces vs -dE/dx",
        err,
        "|dE/ds+F.d|/(rmsF|d|)",
        FD_PASS,
        FD_WARN,
        format!(
            "{FD_DIRECTIONS} random directions d moving every atom (normal deviates), central \
             differences with steps h = {h:.3e} and h/2 and Richardson extrapolation; worst: \
             -F.d = {minus_fd:.6e}, dE/ds = {fd:.6e}; rms F = {scale:.3e}"
        ),
    ))
}

fn loop_row(probe: &mut Probe<'_>, system: &System, options: &CheckOptions) -> Result<Row, String> {
    let n = system.len();
    if n == 0 {
        return Err("the structure has no atoms".into());
    }
    let dims = system.dimension;
    let radius = LOOP_RADIUS * probe.potential().cutoff();
    let mut rng = Random::new(options.seed, 3);
    let mut worst: f64 = 0.0;
    let mut worst_work = 0.0;
    for _ in 0..LOOPS {
        let moved: Vec<usize> = (0..LOOP_ATOMS.min(n)).map(|_| rng.index(n)).collect();
        // two orthonormal directions in the space of the moved atoms' coordinates
        let mut u = vec![Vector3::zeros(); n];
        let mut v = vec![Vector3::zeros(); n];
        for &i in &moved {
            u[i] = Vector3::new(rng.gaussian(), rng.gaussian(), rng.gaussian());
            v[i] = Vector3::new(rng.gaussian(), rng.gaussian(), rng.gaussian());
            if dims == 2 {
                u[i].z = 0.0;
                v[i].z = 0.0;
            }
        }
        let dot = |a: &[Vector3<f64>], b: &[Vector3<f64>]| -> f64 {
            a.iter().zip(b).map(|(x, y)| x.dot(y)).sum()
        };
        let nu = dot(&u, &u).sqrt();
        u.iter_mut().for_each(|x| *x /= nu);
        let uv = dot(&u, &v);
        v.iter_mut().zip(&u).for_each(|(x, y)| *x -= uv * y);
        let nv = dot(&v, &v).sqrt();
        v.iter_mut().for_each(|x| *x /= nv);
        let mut work = 0.0;
        let mut total = 0.0;
        let dtheta = std::f64::consts::TAU / LOOP_POINTS as f64;
        for k in 0..LOOP_POINTS {
            let theta = k as f64 * dtheta;
            let (sin, cos) = theta.sin_cos();
            let mut s = system.clone();
            for (x, (a, b)) in s.positions.iter_mut().zip(u.iter().zip(&v)) {
                *x += radius * (cos * a + sin * b);
            }
            let (_, f) = probe.energy_forces(&s).map_err(|e| e.to_string())?;
            // dx/dθ = a (−u sin θ + v cos θ)
            let tangent: f64 = f
                .iter()
                .zip(u.iter().zip(&v))
                .map(|(fi, (a, b))| fi.dot(&(radius * (-sin * a + cos * b))))
                .sum();
            work += tangent * dtheta;
            total += tangent.abs() * dtheta;
        }
        let ratio = work.abs() / total.max(f64::MIN_POSITIVE);
        if ratio >= worst {
            worst = ratio;
            worst_work = work;
        }
    }
    Ok(Row::graded(
        CHECK,
        "work around closed loops",
        worst,
        "|W|/sum|F.dx|",
        CURL_PASS,
        CURL_WARN,
        format!(
            "{LOOPS} random loops moving {} atoms, radius {radius:.3e}, {LOOP_POINTS} points \
             each; largest net work {worst_work:.3e} (energy units)",
            LOOP_ATOMS.min(n)
        ),
    ))
}

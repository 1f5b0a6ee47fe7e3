//! The `velocity` command with LAMMPS's random streams (`loop all|local|geom`).

use ferromd_core::nalgebra::{Matrix3, Vector3};
use ferromd_core::rng::RanPark;
use ferromd_core::{System, UnitConstants};

use super::error::{ScriptError, ScriptResult, fail};
use super::words::{float, integer, word, yes_no};

/// Temperature as LAMMPS's `compute temp` sums it: `sum m v^2 * mvv2e / (dof kB)`.
pub fn lammps_temperature(system: &System, units: &UnitConstants) -> f64 {
    let dof = system.degrees_of_freedom();
    if dof <= 0.0 {
        return 0.0;
    }
    let mut t = 0.0;
    for (v, &m) in system.velocities.iter().zip(&system.masses) {
        t += (v.x * v.x + v.y * v.y + v.z * v.z) * m;
    }
    t * units.mvv2e / (dof * units.boltz)
}

fn rescale(system: &mut System, t_old: f64, t_new: f64) {
    let factor = if t_old > 0.0 {
        (t_new / t_old).sqrt()
    } else {
        0.0
    };
    for v in &mut system.velocities {
        *v *= factor;
    }
}

/// Removes the net angular momentum about the centre of mass (unwrapped coordinates).
pub fn zero_rotation(system: &mut System) {
    let n = system.len();
    let mass: f64 = system.masses.iter().sum();
    if n == 0 || mass <= 0.0 {
        return;
    }
    let x: Vec<Vector3<f64>> = (0..n).map(|i| system.unwrapped_position(i)).collect();
    let xcm = x
        .iter()
        .zip(&system.masses)
        .fold(Vector3::zeros(), |a, (xi, &m)| a + xi * m)
        / mass;
    let mut l = Vector3::zeros();
    let mut inertia = Matrix3::zeros();
    for ((xi, vi), &m) in x.iter().zip(&system.velocities).zip(&system.masses) {
        let d = xi - xcm;
        l += d.cross(vi) * m;
        inertia += (Matrix3::identity() * d.norm_squared() - d * d.transpose()) * m;
    }
    let Some(inv) = inertia.try_inverse() else {
        return;
    };
    let omega = inv * l;
    for (xi, v) in x.iter().zip(system.velocities.iter_mut()) {
        *v -= omega.cross(&(xi - xcm));
    }
}

/// Runs `velocity GROUP STYLE ARGS...` (the words after the group) on `system`.
pub fn velocity_command(
    args: &[String],
    system: &mut System,
    units: &UnitConstants,
    spacing: Vector3<f64>,
) -> ScriptResult<()> {
    let style = word(args, 0, "velocity style")?;
    let n_args = match style {
        "create" => 2,
        "set" => 3,
        "scale" => 1,
        "zero" => 1,
        "ramp" => return Err(ScriptError::unsupported("velocity", "ramp")),
        other => {
            return fail(format!(
                "velocity: unknown style `{other}` (create, set, scale, zero, ramp)"
            ));
        }
    };
    // keywords
    let mut dist_gaussian = false;
    let mut sum = false;
    let mut mom = true;
    let mut rot = false;
    let mut loop_mode = "all";
    let mut lattice_units = true;
    let mut k = 1 + n_args;
    if args.len() < k {
        return fail(format!("velocity {style}: expected {n_args} argument(s)"));
    }
    while k < args.len() {
        let key = args[k].as_str();
        match key {
            "dist" => {
                dist_gaussian = match word(args, k + 1, "velocity dist")? {
                    "uniform" => false,
                    "gaussian" => true,
                    other => {
                        return fail(format!(
                            "velocity dist `{other}` must be uniform or gaussian"
                        ));
                    }
                }
            }
            "sum" => sum = yes_no(args, k + 1, "velocity sum")?,
            "mom" => mom = yes_no(args, k + 1, "velocity mom")?,
            "rot" => rot = yes_no(args, k + 1, "velocity rot")?,
            "loop" => {
                loop_mode = match word(args, k + 1, "velocity loop")? {
                    m @ ("all" | "local" | "geom") => m,
                    other => {
                        return fail(format!(
                            "velocity loop `{other}` must be all, local or geom"
                        ));
                    }
                }
            }
            "units" => {
                lattice_units = match word(args, k + 1, "velocity units")? {
                    "lattice" => true,
                    "box" => false,
                    other => {
                        return fail(format!("velocity units `{other}` must be box or lattice"));
                    }
                }
            }
            "temp" | "bias" | "rigid" => return Err(ScriptError::unsupported("velocity", key)),
            other => return fail(format!("velocity: unknown keyword `{other}`")),
        }
        k += 2;
    }
    let dim = system.dimension;
    match style {
        "create" => {
            let t_target = float(args, 1, "velocity create temperature")?;
            if t_target < 0.0 {
                return fail(format!(
                    "velocity create temperature {t_target} must not be negative"
                ));
            }
            let seed = integer(args, 2, "velocity create seed")?;
            let seed = i32::try_from(seed).ok().filter(|s| *s > 0).ok_or_else(|| {
                ScriptError::new(format!(
                    "velocity create seed {seed} must be a positive 32-bit integer"
                ))
            })?;
            let held = sum.then(|| system.velocities.clone());
            let draw = |rng: &mut RanPark| -> [f64; 3] {
                if dist_gaussian {
                    [rng.gaussian(), rng.gaussian(), rng.gaussian()]
                } else {
                    [
                        rng.uniform() - 0.5,
                        rng.uniform() - 0.5,
                        rng.uniform() - 0.5,
                    ]
                }
            };
            let mut rng = RanPark::new(seed).expect("seed checked positive");
            let set = |system: &mut System, i: usize, v: [f64; 3]| {
                let factor = 1.0 / system.masses[i].sqrt();
                let z = if dim == 3 { v[2] * factor } else { 0.0 };
                system.velocities[i] = Vector3::new(v[0] * factor, v[1] * factor, z);
            };
            match loop_mode {
                "all" => {
                    // one stream over ids 1..N; atoms map by id
                    let n = system.len();
                    let mut index_of = vec![usize::MAX; n + 1];
                    for (i, &id) in system.ids.iter().enumerate() {
                        if id as usize > n {
                            return fail(
                                "velocity loop all needs consecutive atom ids 1..N; use loop geom",
                            );
                        }
                        index_of[id as usize] = i;
                    }
                    for &i in index_of.iter().skip(1) {
                        let v = draw(&mut rng);
                        if i != usize::MAX {
                            set(system, i, v);
                        }
                    }
                }
                "local" => {
                    for _ in 0..100 {
                        rng.uniform();
                    }
                    for i in 0..system.len() {
                        let v = draw(&mut rng);
                        set(system, i, v);
                    }
                }
                _ => {
                    for i in 0..system.len() {
                        let x = system.positions[i];
                        rng.reset_from_position(seed, [x.x, x.y, x.z]);
                        let v = draw(&mut rng);
                        set(system, i, v);
                    }
                }
            }
            if mom {
                system.zero_momentum();
            }
            if rot {
                zero_rotation(system);
            }
            let t = lammps_temperature(system, units);
            rescale(system, t, t_target);
            if let Some(h) = held {
                for (v, old) in system.velocities.iter_mut().zip(h) {
                    *v += old;
                }
            }
        }
        "set" => {
            let mut comp = [None; 3];
            for (a, c) in comp.iter_mut().enumerate() {
                let w = word(args, 1 + a, "velocity set component")?;
                if w == "NULL" {
                    continue;
                }
                if w.starts_with("v_") {
                    return Err(ScriptError::unsupported("velocity set", w));
                }
                let scale = if lattice_units { spacing[a] } else { 1.0 };
                *c = Some(float(args, 1 + a, "velocity set component")? * scale);
            }
            if dim == 2 && comp[2].is_some_and(|v| v != 0.0) {
                return fail("cannot set a non-zero z velocity in a 2-d simulation");
            }
            for v in &mut system.velocities {
                for a in 0..3 {
                    if let Some(c) = comp[a] {
                        if sum { v[a] += c } else { v[a] = c }
                    }
                }
            }
        }
        "scale" => {
            let t_target = float(args, 1, "velocity scale temperature")?;
            let t = lammps_temperature(system, units);
            rescale(system, t, t_target);
        }
        _ => match word(args, 1, "velocity zero linear|angular")? {
            "linear" => system.zero_momentum(),
            "angular" => zero_rotation(system),
            other => return fail(format!("velocity zero `{other}` must be linear or angular")),
        },
    }
    Ok(())
}

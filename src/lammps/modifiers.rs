//! `fix momentum` and `fix recenter`: periodic corrections wrapped around the integrator.

use ferromd_core::nalgebra::Vector3;
use ferromd_core::{Integrator, StepContext, System};

use super::error::{ScriptError, ScriptResult, fail};
use super::velocity::{lammps_temperature, zero_rotation};
use super::words::{integer, word};

/// `fix ID all momentum N [linear x y z] [angular] [rescale]`.
#[derive(Debug, Clone, PartialEq)]
pub struct MomentumFix {
    every: u64,
    linear: Option<[bool; 3]>,
    angular: bool,
    rescale: bool,
}

impl MomentumFix {
    /// Parses the words after `momentum`.
    pub fn parse(a: &[String]) -> ScriptResult<Self> {
        let every = integer(a, 0, "fix momentum N")?;
        if every <= 0 {
            return fail("fix momentum N must be positive");
        }
        let mut fix = MomentumFix {
            every: every as u64,
            linear: None,
            angular: false,
            rescale: false,
        };
        let mut k = 1;
        while k < a.len() {
            match a[k].as_str() {
                "linear" => {
                    let flag = |i: usize| -> ScriptResult<bool> {
                        match integer(a, i, "fix momentum linear flag")? {
                            0 => Ok(false),
                            1 => Ok(true),
                            v => fail(format!("fix momentum linear flag {v} must be 0 or 1")),
                        }
                    };
                    fix.linear = Some([flag(k + 1)?, flag(k + 2)?, flag(k + 3)?]);
                    k += 4;
                }
                "angular" => {
                    fix.angular = true;
                    k += 1;
                }
                "rescale" => {
                    fix.rescale = true;
                    k += 1;
                }
                other => return Err(ScriptError::unsupported("fix momentum", other)),
            }
        }
        if fix.linear.is_none() && !fix.angular {
            return fail("fix momentum needs linear and/or angular");
        }
        Ok(fix)
    }

    fn apply(&self, system: &mut System, ctx: &StepContext) {
        if !ctx.step.is_multiple_of(self.every) {
            return;
        }
        let t_before = self.rescale.then(|| lammps_temperature(system, &ctx.units));
        if let Some(flags) = self.linear {
            if flags == [true; 3] {
                system.zero_momentum();
            } else {
                let before = system.velocities.clone();
                system.zero_momentum();
                for (v, old) in system.velocities.iter_mut().zip(before) {
                    for a in 0..3 {
                        if !flags[a] {
                            v[a] = old[a];
                        }
                    }
                }
            }
        }
        if self.angular {
            zero_rotation(system);
        }
        if let Some(t0) = t_before {
            let t1 = lammps_temperature(system, &ctx.units);
            if t1 > 0.0 {
                let f = (t0 / t1).sqrt();
                system.velocities.iter_mut().for_each(|v| *v *= f);
            }
        }
    }
}

/// `fix ID all recenter x y z`: keeps the centre of mass at a point (each coordinate a
/// value, `INIT` for its initial value, or `NULL` to leave it free), in box units.
#[derive(Debug, Clone, PartialEq)]
pub struct RecenterFix {
    target: [Option<Target>; 3],
    initial: Option<Vector3<f64>>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    Init,
    Value(f64),
}

impl RecenterFix {
    /// Parses the words after `recenter` (`units box` is required for numeric targets).
    pub fn parse(a: &[String]) -> ScriptResult<Self> {
        let mut target = [None; 3];
        let mut numeric = false;
        for (i, t) in target.iter_mut().enumerate() {
            *t = match word(a, i, "fix recenter coordinate")? {
                "NULL" => None,
                "INIT" => Some(Target::Init),
                w => {
                    numeric = true;
                    Some(Target::Value(w.parse().map_err(|_| {
                        ScriptError::new(format!(
                            "fix recenter: `{w}` is not a number, INIT or NULL"
                        ))
                    })?))
                }
            };
        }
        let mut box_units = false;
        let mut k = 3;
        while k < a.len() {
            match (a[k].as_str(), a.get(k + 1).map(String::as_str)) {
                ("units", Some("box")) => box_units = true,
                ("units", Some(u)) => {
                    return Err(ScriptError::unsupported("fix recenter units", u));
                }
                (other, _) => return Err(ScriptError::unsupported("fix recenter", other)),
            }
            k += 2;
        }
        if numeric && !box_units {
            return Err(ScriptError::unsupported(
                "fix recenter",
                "lattice units (add units box)",
            ));
        }
        Ok(RecenterFix {
            target,
            initial: None,
        })
    }

    fn apply(&mut self, system: &mut System) {
        let mass: f64 = system.masses.iter().sum();
        if mass <= 0.0 {
            return;
        }
        let n = system.len();
        let com = (0..n).fold(Vector3::zeros(), |a, i| {
            a + system.unwrapped_position(i) * system.masses[i]
        }) / mass;
        let initial = *self.initial.get_or_insert(com);
        let mut shift = Vector3::zeros();
        for a in 0..3 {
            shift[a] = match self.target[a] {
                None => 0.0,
                Some(Target::Init) => initial[a] - com[a],
                Some(Target::Value(v)) => v - com[a],
            };
        }
        for x in &mut system.positions {
            *x += shift;
        }
    }
}

/// An integrator with LAMMPS-style corrections applied around it.
pub struct Modified {
    /// The wrapped integrator.
    pub inner: Box<dyn Integrator>,
    /// `fix momentum`, applied at the end of a step.
    pub momentum: Vec<MomentumFix>,
    /// `fix recenter`, applied at the start of a step.
    pub recenter: Vec<RecenterFix>,
}

impl Integrator for Modified {
    fn initial_integrate(&mut self, system: &mut System, ctx: &StepContext) {
        for r in &mut self.recenter {
            r.apply(system);
        }
        self.inner.initial_integrate(system, ctx);
    }

    fn final_integrate(&mut self, system: &mut System, ctx: &StepContext) {
        self.inner.final_integrate(system, ctx);
        for m in &self.momentum {
            m.apply(system, ctx);
        }
    }

    fn reservoir_energy(&self) -> f64 {
        self.inner.reservoir_energy()
    }

    fn prepare_run(
        &mut self,
        system: &System,
        units: &ferromd_core::units::UnitConstants,
        first: u64,
        last: u64,
    ) -> Result<(), String> {
        self.inner.prepare_run(system, units, first, last)
    }

    fn name(&self) -> &str {
        self.inner.name()
    }
}

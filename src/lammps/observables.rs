//! The session's computes and `fix ave/time` averages, and what a run asks of them.

use ferromd_core::System;

use super::ave_time::AveTime;
use super::computes::Compute;
use super::error::{ScriptError, ScriptResult, fail};
use super::words::word;

/// Defined computes and time averages.
#[derive(Debug, Default)]
pub struct Observables {
    computes: Vec<Compute>,
    averages: Vec<AveTime>,
}

impl Observables {
    /// `compute ID group style args...` (the group already checked); redefining an ID is
    /// an error, as in LAMMPS.
    pub fn compute_command(
        &mut self,
        args: &[String],
        system: Option<&System>,
    ) -> ScriptResult<()> {
        let c = Compute::parse(args, system)?;
        if self.computes.iter().any(|d| d.id == c.id) {
            return fail(format!("reuse of compute ID `{}`", c.id));
        }
        self.computes.push(c);
        Ok(())
    }

    /// `uncompute ID`.
    pub fn uncompute(&mut self, args: &[String]) -> ScriptResult<()> {
        let id = word(args, 0, "compute ID")?;
        let before = self.computes.len();
        self.computes.retain(|c| c.id != id);
        if self.computes.len() == before {
            return fail(format!("could not find compute ID {id} to delete"));
        }
        Ok(())
    }

    /// `fix ID group ave/time args...` at `step`; replaces a fix of the same ID.
    pub fn ave_time_command(&mut self, id: &str, args: &[String], step: u64) -> ScriptResult<()> {
        let a = AveTime::parse(id, args, &self.computes, step)?;
        self.averages.retain(|f| f.id != id);
        self.averages.push(a);
        Ok(())
    }

    /// `unfix ID` for a time average; false if no average has that ID.
    pub fn unfix(&mut self, id: &str) -> bool {
        let before = self.averages.len();
        self.averages.retain(|f| f.id != id);
        self.averages.len() != before
    }

    /// Resolves default cutoffs and resynchronises the averages before a run from `step`.
    pub fn run_starting(&mut self, step: u64, force_cutoff: f64) -> ScriptResult<()> {
        for c in &mut self.computes {
            c.prepare(force_cutoff)?;
        }
        for a in &mut self.averages {
            a.run_starting(step);
        }
        Ok(())
    }

    /// Samples and writes the time averages due at `step`.
    pub fn step(&mut self, step: u64, system: &System) -> ScriptResult<()> {
        for a in &mut self.averages {
            a.step(step, system, &self.computes)?;
        }
        Ok(())
    }

    /// `c_ID[n]` for thermo output.
    pub fn thermo_value(&self, id: &str, index: usize, system: &System) -> ScriptResult<f64> {
        self.computes
            .iter()
            .find(|c| c.id == id)
            .ok_or_else(|| {
                ScriptError::new(format!("thermo keyword c_{id}[{index}]: no compute `{id}`"))
            })?
            .element(index, system)
    }
}

//! The session's computes and `fix ave/time` averages, and what a run asks of them;
//! their state travels through `write_restart`/`read_restart` (keys `compute:ID` and
//! `fix:ID`) and is taken up by computes and fixes defined again with the same IDs.

use ferromd_core::System;
use ferromd_core::observables::saved::SavedState;

use super::ave_time::AveTime;
use super::computes::Compute;
use super::error::{ScriptError, ScriptResult, fail};
use super::step_values::StepValues;
use super::thermo::ThermoState;
use super::variables::Variables;
use super::words::word;

/// Defined computes and time averages.
#[derive(Debug, Default)]
pub struct Observables {
    computes: Vec<Compute>,
    averages: Vec<AveTime>,
    /// States read by `read_restart`, waiting for their compute or fix to be defined.
    restored: Vec<(String, SavedState)>,
}

impl Observables {
    /// `compute ID group style args...` (the group already checked); redefining an ID is
    /// an error, as in LAMMPS.
    pub fn compute_command(
        &mut self,
        args: &[String],
        system: Option<&System>,
    ) -> ScriptResult<()> {
        let mut c = Compute::parse(args, system)?;
        if self.computes.iter().any(|d| d.id == c.id) {
            return fail(format!("reuse of compute ID `{}`", c.id));
        }
        if let Some(state) = self.take_restored(&compute_key(&c.id)) {
            c.restore(&state)?;
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
        let saved = self.take_restored(&fix_key(id));
        self.averages.retain(|f| f.id != id);
        let a = AveTime::parse(
            id,
            args,
            (&self.computes, &self.averages),
            step,
            saved.as_ref(),
        )?;
        self.averages.push(a);
        Ok(())
    }

    /// The states `write_restart` stores: compute references and time averages.
    pub fn save(&self) -> Vec<(String, SavedState)> {
        let computes = self
            .computes
            .iter()
            .filter_map(|c| Some((compute_key(&c.id), c.save()?)));
        let averages = self.averages.iter().map(|a| (fix_key(&a.id), a.save()));
        computes.chain(averages).collect()
    }

    /// Keeps the states of a restart file for the computes and fixes defined next.
    pub fn restored(&mut self, states: Vec<(String, SavedState)>) {
        self.restored = states;
    }

    fn take_restored(&mut self, key: &str) -> Option<SavedState> {
        let k = self.restored.iter().position(|(k, _)| k == key)?;
        Some(self.restored.swap_remove(k).1)
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

    /// Samples and writes the time averages due at `step`; `v_name` values evaluate
    /// `vars` against `state`, the thermodynamic state at `step` (if computed), with
    /// extensive keywords divided by the atom count when `normalize`. Each compute is
    /// evaluated at most once, however many values read it.
    pub fn step(
        &mut self,
        step: u64,
        system: &System,
        (vars, state, normalize): (&Variables, Option<ThermoState<'_>>, bool),
    ) -> ScriptResult<()> {
        let mut now =
            StepValues::new(&self.computes, system).with_variables(vars, state, normalize);
        // in definition order: f_ID inputs read fixes defined (and sampled) before
        for k in 0..self.averages.len() {
            let (earlier, rest) = self.averages.split_at_mut(k);
            rest[0].step(step, &mut now, earlier)?;
        }
        Ok(())
    }

    /// Whether a time average reading variables samples at `step`, so the run must
    /// compute the energy and pressure there.
    pub fn needs_state_at(&self, step: u64) -> bool {
        self.averages
            .iter()
            .any(|a| a.reads_variables() && a.samples_at(step))
    }

    /// The IDs of the `fix ave/time` averages (which sample during a run).
    #[cfg_attr(not(feature = "gpu"), allow(dead_code))]
    pub fn average_ids(&self) -> Vec<&str> {
        self.averages.iter().map(|a| a.id.as_str()).collect()
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

/// The restart-file key of compute `id`.
fn compute_key(id: &str) -> String {
    format!("compute:{id}")
}

/// The restart-file key of fix `id`.
fn fix_key(id: &str) -> String {
    format!("fix:{id}")
}

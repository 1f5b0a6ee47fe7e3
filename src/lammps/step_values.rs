//! The outputs of computes at one step, each evaluated once however many `fix ave/time`
//! values read it (LAMMPS computes are likewise invoked once per step): `c_rdf[*]` in
//! vector mode used to evaluate the rdf once per column, and `c_msd[1] ... c_msd[4]`
//! the msd once per element. Equal-style variables (`v_name`) are evaluated against the
//! thermodynamic state of the step, when the run computed one.

use ferromd_core::System;

use super::computes::Compute;
use super::error::{ScriptError, ScriptResult, fail};
use super::expression::ExpressionContext;
use super::formula::FormulaContext;
use super::thermo::ThermoState;
use super::variables::Variables;

/// Compute outputs evaluated so far at one step.
pub struct StepValues<'a> {
    computes: &'a [Compute],
    system: &'a System,
    /// The variables, the thermodynamic state of the step (if computed) and whether
    /// extensive keywords are divided by the atom count.
    formulas: Option<(&'a Variables, Option<ThermoState<'a>>, bool)>,
    /// Global vectors (msd, vacf) by compute index.
    vectors: Vec<(usize, Vec<f64>)>,
    /// Global arrays (rdf) by compute index.
    arrays: Vec<(usize, Vec<Vec<f64>>)>,
}

impl<'a> StepValues<'a> {
    /// Nothing evaluated yet for the atoms `system`.
    pub fn new(computes: &'a [Compute], system: &'a System) -> Self {
        StepValues {
            computes,
            system,
            formulas: None,
            vectors: Vec::new(),
            arrays: Vec::new(),
        }
    }

    /// Lets `v_name` values evaluate the variables `vars` against `state` (the
    /// thermodynamic state of this step; `None` if the run did not compute one).
    pub fn with_variables(
        mut self,
        vars: &'a Variables,
        state: Option<ThermoState<'a>>,
        normalize: bool,
    ) -> Self {
        self.formulas = Some((vars, state, normalize));
        self
    }

    /// The equal-style variable `name` now (read by fix `user`).
    pub fn variable(&mut self, name: &str, user: &str) -> ScriptResult<f64> {
        let Some((vars, state, normalize)) = self.formulas else {
            return fail(format!("fix {user}: v_{name} cannot be evaluated here"));
        };
        let Some(state) = state else {
            return fail(format!(
                "fix {user}: v_{name} needs the thermodynamic state at this step, which                  was not computed"
            ));
        };
        let mut ctx = FormulaContext {
            vars,
            state: Some(state),
            normalize,
            depth: 0,
        };
        ctx.variable(name)
            .map_err(|e| ScriptError::new(format!("fix {user}: v_{name}: {}", e.message)))
    }

    /// The index of compute `id`; `user` (a fix ID) names who asked in the error.
    fn find(&self, id: &str, user: &str) -> ScriptResult<usize> {
        self.computes
            .iter()
            .position(|c| c.id == id)
            .ok_or_else(|| ScriptError::new(format!("fix {user}: compute {id} was deleted")))
    }

    /// The global vector of compute `id` (read by fix `user`).
    pub fn vector(&mut self, id: &str, user: &str) -> ScriptResult<&[f64]> {
        let k = self.find(id, user)?;
        let at = match self.vectors.iter().position(|(c, _)| *c == k) {
            Some(at) => at,
            None => {
                let v = self.computes[k].vector(self.system)?;
                self.vectors.push((k, v));
                self.vectors.len() - 1
            }
        };
        Ok(&self.vectors[at].1)
    }

    /// Element `n` (1-based) of the global vector of compute `id` (read by fix `user`).
    pub fn element(&mut self, id: &str, n: usize, user: &str) -> ScriptResult<f64> {
        let v = self.vector(id, user)?;
        v.get(n.wrapping_sub(1)).copied().ok_or_else(|| {
            ScriptError::new(format!("c_{id}[{n}]: compute {id} has {} values", v.len()))
        })
    }

    /// The global array rows of compute `id` (read by fix `user`).
    pub fn array(&mut self, id: &str, user: &str) -> ScriptResult<&[Vec<f64>]> {
        let k = self.find(id, user)?;
        let at = match self.arrays.iter().position(|(c, _)| *c == k) {
            Some(at) => at,
            None => {
                let a = self.computes[k].array(self.system)?;
                self.arrays.push((k, a));
                self.arrays.len() - 1
            }
        };
        Ok(&self.arrays[at].1)
    }
}

//! Evaluating variables: equal-style formulas with thermo keywords and `v_name` references.

use ferromd_core::thermo::format_g;

use super::error::{ScriptResult, fail};
use super::expression::{ExpressionContext, evaluate};
use super::thermo::{ThermoState, is_extensive, keyword_value};
use super::variables::{VariableValue, Variables};

/// Resolves names in formulas against the variables and (when available) the thermo state.
pub struct FormulaContext<'a> {
    /// Defined variables.
    pub vars: &'a Variables,
    /// The latest thermodynamic state, if a run has computed one.
    pub state: Option<ThermoState<'a>>,
    /// Divide extensive keywords by the atom count.
    pub normalize: bool,
    /// Recursion depth guard against `v_a` referring to itself.
    pub depth: usize,
}

impl FormulaContext<'_> {
    /// The text a `$name` reference is replaced with.
    pub fn substitute_variable(&mut self, name: &str) -> ScriptResult<String> {
        match self.vars.value(name) {
            Some(VariableValue::Text(s)) => Ok(s),
            Some(VariableValue::Formula(f)) => {
                let f = f.to_string();
                Ok(format_g(self.evaluate(&f)?, 15))
            }
            None => fail(format!("substitution for illegal variable {name}")),
        }
    }

    /// Evaluates a formula.
    pub fn evaluate(&mut self, formula: &str) -> ScriptResult<f64> {
        evaluate(formula, self)
    }
}

impl ExpressionContext for FormulaContext<'_> {
    fn keyword(&mut self, name: &str) -> Option<ScriptResult<f64>> {
        // a keyword must be a known thermo keyword; evaluate against the latest state
        let probe = ferromd_core::ThermoSample {
            step: 0,
            atoms: 0,
            temp: 0.0,
            pe: 0.0,
            ke: 0.0,
            press: 0.0,
            pressure_tensor: [0.0; 6],
            vol: 1.0,
            reservoir: 0.0,
        };
        let known = keyword_value(
            name,
            &ThermoState {
                sample: &probe,
                run_start_step: 0,
                dt: 0.0,
                time: 0.0,
                cpu: 0.0,
                rates: (0.0, 0.0),
                bounds: Default::default(),
                forces: (0.0, 0.0),
                mass_density: (0.0, 0.0),
                nktv2p: 1.0,
                model_deviation: None,
            },
        )
        .is_some();
        if !known {
            return None;
        }
        Some(match &self.state {
            Some(s) => {
                let v = keyword_value(name, s).unwrap_or(0.0);
                let n = s.sample.atoms.max(1) as f64;
                Ok(if self.normalize && is_extensive(name) {
                    v / n
                } else {
                    v
                })
            }
            None => fail(format!(
                "variable formula uses thermo keyword `{name}` before a run has computed it (run 0 first)"
            )),
        })
    }

    fn variable(&mut self, name: &str) -> ScriptResult<f64> {
        if self.depth > 32 {
            return fail(format!("variable {name} refers to itself"));
        }
        match self.vars.value(name) {
            Some(VariableValue::Formula(f)) => {
                let f = f.to_string();
                self.depth += 1;
                let v = evaluate(&f, self);
                self.depth -= 1;
                v
            }
            Some(VariableValue::Text(s)) => s
                .trim()
                .parse()
                .or_else(|_| fail(format!("variable {name} = `{s}` is not a number"))),
            None => fail(format!("variable {name} in formula is not defined")),
        }
    }
}

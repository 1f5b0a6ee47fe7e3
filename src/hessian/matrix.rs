//! A Hessian matrix and how it was obtained.

use ferromd_core::nalgebra::DMatrix;

/// How a [`Hessian`] was computed.
#[derive(Debug, Clone, PartialEq)]
pub enum HessianMethod {
    /// Central differences of the forces with this displacement (length units).
    FiniteDifference {
        /// The displacement.
        step: f64,
    },
    /// The potential's own second derivatives ([`ferromd_core::AnalyticHessian`]).
    Analytic {
        /// The potential's description of how, e.g. `autograd (double backward ...)`.
        description: String,
    },
}

impl HessianMethod {
    /// A short keyword for tables and JSON: `finite-difference` or `autograd`.
    pub fn keyword(&self) -> &'static str {
        match self {
            HessianMethod::FiniteDifference { .. } => "finite-difference",
            HessianMethod::Analytic { .. } => "autograd",
        }
    }

    /// The finite-difference displacement, `None` for analytic Hessians.
    pub fn step(&self) -> Option<f64> {
        match self {
            HessianMethod::FiniteDifference { step } => Some(*step),
            HessianMethod::Analytic { .. } => None,
        }
    }

    /// One phrase for file headers, e.g. `central differences of forces, step 1e-3`.
    pub fn describe(&self) -> String {
        match self {
            HessianMethod::FiniteDifference { step } => {
                format!("central differences of forces, step {step:e}")
            }
            HessianMethod::Analytic { description } => description.clone(),
        }
    }
}

/// A symmetrised Hessian and how symmetric the raw matrix was.
#[derive(Debug, Clone)]
pub struct Hessian {
    /// `3N × 3N` second derivatives of the energy, row/column `3i + a` for atom `i`
    /// (in the system's order) and Cartesian direction `a` (energy / length²).
    pub matrix: DMatrix<f64>,
    /// `max |H − Hᵀ|` of the raw matrix, before symmetrising.
    pub asymmetry: f64,
    /// How it was computed.
    pub method: HessianMethod,
}

impl Hessian {
    /// `(raw + rawᵀ) / 2`, keeping `max |raw − rawᵀ|` as [`Hessian::asymmetry`].
    pub fn symmetrised(raw: DMatrix<f64>, method: HessianMethod) -> Hessian {
        let transposed = raw.transpose();
        let asymmetry = (&raw - &transposed).amax();
        Hessian {
            matrix: (raw + transposed) * 0.5,
            asymmetry,
            method,
        }
    }
}

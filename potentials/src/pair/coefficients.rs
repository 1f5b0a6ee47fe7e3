//! Per-type-pair coefficient tables with mixing, shared by the pair styles.

use super::{Mixing, PairError};

/// Coefficients of one pair style for every pair of atom types, as `pair_coeff` lines set
/// them, with unlike pairs mixed on request.
#[derive(Debug, Clone)]
pub struct CoefficientTable<C> {
    n_types: usize,
    global_cutoff: f64,
    entries: Vec<Option<(C, f64)>>,
    /// Mixing rule for pairs not set explicitly.
    pub mixing: Mixing,
}

impl<C: Copy> CoefficientTable<C> {
    /// An empty table for `n_types` types with a default cutoff.
    pub fn new(n_types: usize, global_cutoff: f64) -> Self {
        CoefficientTable {
            n_types,
            global_cutoff,
            entries: vec![None; n_types * n_types],
            mixing: Mixing::Geometric,
        }
    }

    /// Number of types.
    pub fn n_types(&self) -> usize {
        self.n_types
    }

    /// Sets 1-based types `i`, `j` (symmetric); `cutoff` defaults to the global one.
    pub fn set(&mut self, i: usize, j: usize, c: C, cutoff: Option<f64>) -> Result<(), PairError> {
        for t in [i, j] {
            if t == 0 || t > self.n_types {
                return Err(PairError::TypeOutOfRange {
                    type_index: t,
                    n_types: self.n_types,
                });
            }
        }
        let rc = cutoff.unwrap_or(self.global_cutoff);
        if !(rc.is_finite() && rc > 0.0) {
            return Err(PairError::BadCoefficient {
                name: "cutoff",
                value: rc,
                i,
                j,
                reason: "must be positive",
            });
        }
        let n = self.n_types;
        self.entries[(i - 1) * n + (j - 1)] = Some((c, rc));
        self.entries[(j - 1) * n + (i - 1)] = Some((c, rc));
        Ok(())
    }

    /// Every pair's coefficients and cutoff, row-major over 0-based types. Unset unlike
    /// pairs are mixed from the like pairs with `mix(c_ii, c_jj, mixing)`; `None` from
    /// `mix` (a style that does not mix) leaves them missing, which is an error.
    pub fn resolve(
        &self,
        mix: impl Fn(&C, &C, Mixing) -> Option<C>,
    ) -> Result<Vec<(C, f64)>, PairError> {
        let n = self.n_types;
        let mut out = Vec::with_capacity(n * n);
        for i in 0..n {
            for j in 0..n {
                let entry = match (
                    self.entries[i * n + j],
                    self.entries[i * n + i],
                    self.entries[j * n + j],
                ) {
                    (Some(e), _, _) => Some(e),
                    (None, Some((a, ra)), Some((b, rb))) => {
                        mix(&a, &b, self.mixing).map(|c| (c, self.mixing.distance(ra, rb)))
                    }
                    _ => None,
                };
                out.push(entry.ok_or(PairError::MissingPair { i: i + 1, j: j + 1 })?);
            }
        }
        Ok(out)
    }
}

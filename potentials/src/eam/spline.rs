//! Cubic spline tables on a uniform grid, and the four-point resampling used for funcfl files.
//!
//! A table holds, for every knot `m` (1-based, as in the file), seven numbers: the
//! value, the three coefficients of the cubic on `[x_m, x_{m+1}]` in the local
//! coordinate `p ∈ [0, 1]`, and the three coefficients of its derivative with respect
//! to `x`. Knot slopes come from a fourth-order central difference (one-sided
//! differences at the ends), which is the scheme LAMMPS's EAM styles use; the
//! arithmetic is ordered the same way so that results agree bit for bit.

/// Index of the value in a knot's coefficients.
const VALUE: usize = 6;
/// Index of the knot slope (per grid step).
const SLOPE: usize = 5;

/// Spline coefficients of one tabulated function.
#[derive(Debug, Clone, PartialEq)]
pub struct SplineTable {
    /// `knots[m]` for `m = 1..=n`; `knots[0]` is unused padding so indices match the file.
    knots: Vec<[f64; 7]>,
}

impl SplineTable {
    /// Splines `values` (`values[k]` is the function at `x = k * delta`, at least 5 of them).
    ///
    /// # Panics
    /// If fewer than 5 values are given.
    pub fn new(values: &[f64], delta: f64) -> Self {
        let n = values.len();
        assert!(n >= 5, "a spline table needs at least 5 values, got {n}");
        let mut s = vec![[0.0; 7]; n + 1];
        for (m, v) in values.iter().enumerate() {
            s[m + 1][VALUE] = *v;
        }
        s[1][SLOPE] = s[2][VALUE] - s[1][VALUE];
        s[2][SLOPE] = 0.5 * (s[3][VALUE] - s[1][VALUE]);
        s[n - 1][SLOPE] = 0.5 * (s[n][VALUE] - s[n - 2][VALUE]);
        s[n][SLOPE] = s[n][VALUE] - s[n - 1][VALUE];
        for m in 3..=n - 2 {
            s[m][SLOPE] = ((s[m - 2][VALUE] - s[m + 2][VALUE])
                + 8.0 * (s[m + 1][VALUE] - s[m - 1][VALUE]))
                / 12.0;
        }
        for m in 1..n {
            let rise = s[m + 1][VALUE] - s[m][VALUE];
            s[m][4] = 3.0 * rise - 2.0 * s[m][SLOPE] - s[m + 1][SLOPE];
            s[m][3] = s[m][SLOPE] + s[m + 1][SLOPE] - 2.0 * rise;
        }
        s[n][4] = 0.0;
        s[n][3] = 0.0;
        for k in s.iter_mut().skip(1) {
            k[2] = k[SLOPE] / delta;
            k[1] = 2.0 * k[4] / delta;
            k[0] = 3.0 * k[3] / delta;
        }
        SplineTable { knots: s }
    }

    /// Number of knots.
    pub fn len(&self) -> usize {
        self.knots.len() - 1
    }

    /// True if the table has no knots (never, for a constructed table).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The coefficients of knot `m` (1-based).
    #[inline]
    pub fn knot(&self, m: usize) -> &[f64; 7] {
        &self.knots[m]
    }

    /// All knots, index 0 being padding.
    pub fn knots(&self) -> &[[f64; 7]] {
        &self.knots
    }
}

/// The cubic's value at local coordinate `p` of knot coefficients `c`.
#[inline(always)]
pub fn value(c: &[f64; 7], p: f64) -> f64 {
    ((c[3] * p + c[4]) * p + c[5]) * p + c[6]
}

/// The cubic's derivative (per unit of `x`) at local coordinate `p` of knot coefficients `c`.
#[inline(always)]
pub fn derivative(c: &[f64; 7], p: f64) -> f64 {
    (c[0] * p + c[1]) * p + c[2]
}

/// Resamples `values` (spaced `delta`, value `k` at `k * delta`) onto `n` points spaced
/// `new_delta`, by four-point Lagrange interpolation; beyond the table the end
/// polynomial is used (extrapolation is clamped to two steps past its centre).
///
/// # Panics
/// If fewer than 4 values are given.
pub fn resample(values: &[f64], delta: f64, n: usize, new_delta: f64) -> Vec<f64> {
    let len = values.len();
    assert!(len >= 4, "resampling needs at least 4 values, got {len}");
    const SIXTH: f64 = 1.0 / 6.0;
    (0..n)
        .map(|m| {
            let x = m as f64 * new_delta;
            let mut p = x / delta + 1.0;
            // `k` is the 1-based knot left of `x`, kept where four neighbours exist.
            let k = (p as usize).min(len - 2).max(2);
            p -= k as f64;
            p = p.min(2.0);
            let c1 = -SIXTH * p * (p - 1.0) * (p - 2.0);
            let c2 = 0.5 * (p * p - 1.0) * (p - 2.0);
            let c3 = -0.5 * p * (p + 1.0) * (p - 2.0);
            let c4 = SIXTH * p * (p * p - 1.0);
            c1 * values[k - 2] + c2 * values[k - 1] + c3 * values[k] + c4 * values[k + 1]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spline_reproduces_a_cubic_inside_the_table() {
        // The fourth-order slopes are exact for cubics away from the ends.
        let f = |x: f64| 0.3 * x * x * x - x * x + 2.0 * x - 1.0;
        let df = |x: f64| 0.9 * x * x - 2.0 * x + 2.0;
        let delta = 0.1;
        let values: Vec<f64> = (0..40).map(|k| f(k as f64 * delta)).collect();
        let t = SplineTable::new(&values, delta);
        assert_eq!(t.len(), 40);
        for &x in &[0.55, 1.234, 2.71, 3.3] {
            let q = x / delta + 1.0;
            let m = q as usize;
            let p = q - m as f64;
            assert!((value(t.knot(m), p) - f(x)).abs() < 1e-12, "value at {x}");
            assert!(
                (derivative(t.knot(m), p) - df(x)).abs() < 1e-10,
                "slope at {x}"
            );
        }
    }

    #[test]
    fn resampling_on_the_same_grid_returns_the_values() {
        let values: Vec<f64> = (0..20).map(|k| (k as f64 * 0.37).sin()).collect();
        let same = resample(&values, 0.5, 20, 0.5);
        for (a, b) in values.iter().zip(&same).skip(1) {
            assert!((a - b).abs() < 1e-14);
        }
        let cubic = |x: f64| x * x * x - 3.0 * x;
        let values: Vec<f64> = (0..20).map(|k| cubic(k as f64 * 0.5)).collect();
        let fine = resample(&values, 0.5, 30, 0.3);
        for (m, v) in fine.iter().enumerate() {
            assert!((v - cubic(m as f64 * 0.3)).abs() < 1e-9, "point {m}");
        }
    }
}

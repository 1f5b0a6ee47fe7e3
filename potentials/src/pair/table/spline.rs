//! Cubic splines through tabulated points, as `pair_style table` builds them.
//!
//! [`second_derivatives`] solves the tridiagonal system of a cubic spline with given end
//! slopes (the classic Numerical Recipes construction LAMMPS uses), and [`interpolate`]
//! evaluates the spline at one point by bisection. The arithmetic follows LAMMPS's order so
//! that tables built from the same file agree to round-off.

/// End slope at or above which the spline end is natural (zero second derivative).
const NATURAL: f64 = 0.99e30;

/// Second derivatives at the knots `x` (strictly increasing) of the cubic spline through
/// `y` whose first derivative is `slope_lo` at `x[0]` and `slope_hi` at the last knot.
///
/// # Panics
/// If `x` and `y` differ in length or have fewer than two points.
pub fn second_derivatives(x: &[f64], y: &[f64], slope_lo: f64, slope_hi: f64) -> Vec<f64> {
    let n = x.len();
    assert!(
        n >= 2 && y.len() == n,
        "spline needs two or more (x, y) points"
    );
    let mut y2 = vec![0.0; n];
    let mut u = vec![0.0; n];
    if slope_lo <= NATURAL {
        y2[0] = -0.5;
        u[0] = (3.0 / (x[1] - x[0])) * ((y[1] - y[0]) / (x[1] - x[0]) - slope_lo);
    }
    for i in 1..n - 1 {
        let sig = (x[i] - x[i - 1]) / (x[i + 1] - x[i - 1]);
        let p = sig * y2[i - 1] + 2.0;
        y2[i] = (sig - 1.0) / p;
        let d = (y[i + 1] - y[i]) / (x[i + 1] - x[i]) - (y[i] - y[i - 1]) / (x[i] - x[i - 1]);
        u[i] = (6.0 * d / (x[i + 1] - x[i - 1]) - sig * u[i - 1]) / p;
    }
    let (qn, un) = if slope_hi > NATURAL {
        (0.0, 0.0)
    } else {
        let h = x[n - 1] - x[n - 2];
        (0.5, (3.0 / h) * (slope_hi - (y[n - 1] - y[n - 2]) / h))
    };
    y2[n - 1] = (un - qn * u[n - 2]) / (qn * y2[n - 2] + 1.0);
    for k in (0..n - 1).rev() {
        y2[k] = y2[k] * y2[k + 1] + u[k];
    }
    y2
}

/// The spline through `(xa, ya)` with second derivatives `y2a` evaluated at `x`; outside
/// the knots the end cubic is extended.
pub fn interpolate(xa: &[f64], ya: &[f64], y2a: &[f64], x: f64) -> f64 {
    let (mut lo, mut hi) = (0, xa.len() - 1);
    while hi - lo > 1 {
        let k = (hi + lo) / 2;
        if xa[k] > x {
            hi = k;
        } else {
            lo = k;
        }
    }
    let h = xa[hi] - xa[lo];
    let a = (xa[hi] - x) / h;
    let b = (x - xa[lo]) / h;
    a * ya[lo]
        + b * ya[hi]
        + ((a * a * a - a) * y2a[lo] + (b * b * b - b) * y2a[hi]) * (h * h) / 6.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A clamped spline reproduces a cubic exactly when given its true end slopes.
    #[test]
    fn clamped_spline_reproduces_a_cubic() {
        let f = |x: f64| 0.5 * x * x * x - 2.0 * x * x + x - 3.0;
        let df = |x: f64| 1.5 * x * x - 4.0 * x + 1.0;
        let x: Vec<f64> = [0.0, 0.3, 1.1, 1.5, 2.6, 3.0].to_vec();
        let y: Vec<f64> = x.iter().map(|&v| f(v)).collect();
        let y2 = second_derivatives(&x, &y, df(0.0), df(3.0));
        for t in [0.05, 0.7, 1.3, 2.0, 2.99] {
            assert!((interpolate(&x, &y, &y2, t) - f(t)).abs() < 1e-12, "{t}");
        }
    }

    /// A natural spline has zero curvature at both ends.
    #[test]
    fn natural_ends_have_no_curvature() {
        let x = [0.0, 1.0, 2.0, 3.0];
        let y = [0.0, 1.0, 0.0, 1.0];
        let y2 = second_derivatives(&x, &y, 1e31, 1e31);
        assert_eq!(y2[0], 0.0);
        assert_eq!(y2[3], 0.0);
        assert!(y2[1] < 0.0 && y2[2] > 0.0);
    }
}

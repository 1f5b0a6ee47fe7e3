//! `pair_style table`: pair interactions interpolated from LAMMPS table files.
//!
//! A [`TableSection`] read from a file is resampled, as LAMMPS's `pair_style table` does,
//! onto `N` points evenly spaced in `r²` from the section's first distance to the pair's
//! cutoff: through a cubic spline of the file's values unless the file's `RSQ` grid is
//! already that grid. [`Tabulated`] then evaluates energy and force by the chosen
//! [`TableStyle`]: the bin's midpoint value (`lookup`), linear interpolation in `r²`
//! (`linear`), or a cubic spline in `r²` (`spline`).

mod file;
mod potential;
mod spline;

pub use file::{DistanceGrid, TableSection};
pub use potential::TablePotential;

use super::PairInteraction;

/// How energies and forces are interpolated between table points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableStyle {
    /// The value at the middle of the `r²` bin.
    Lookup,
    /// Linear interpolation in `r²`.
    Linear,
    /// Cubic spline in `r²`.
    Spline,
}

impl TableStyle {
    /// Parses `lookup`, `linear` or `spline`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "lookup" => Some(TableStyle::Lookup),
            "linear" => Some(TableStyle::Linear),
            "spline" => Some(TableStyle::Spline),
            _ => None,
        }
    }
}

/// Why a table cannot be built for a pair.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TableError {
    /// The cutoff lies outside the distances the table covers.
    #[error("cutoff {cutoff} lies outside the table's distances ({lo}, {hi}]")]
    CutoffOutside {
        /// The requested cutoff.
        cutoff: f64,
        /// First distance of the table.
        lo: f64,
        /// Last distance of the table.
        hi: f64,
    },
    /// Fewer than two interpolation points were asked for.
    #[error("table length {0} must be at least 2")]
    TooShort(usize),
}

/// A tabulated pair interaction between two atom types.
///
/// `rsq`, `e`, `f` hold the values at the lower edge of each `r²` bin (`f` as `F/r`);
/// `de`, `df` hold, for `linear`, the differences to the next point and, for `spline`, the
/// second derivatives in `r²`. `lookup` stores one value per bin in `e` and `f`.
#[derive(Debug, Clone, PartialEq)]
pub struct Tabulated {
    style: TableStyle,
    inner_sq: f64,
    inv_delta: f64,
    delta_sq6: f64,
    last_bin: usize,
    rsq: Box<[f64]>,
    e: Box<[f64]>,
    f: Box<[f64]>,
    de: Box<[f64]>,
    df: Box<[f64]>,
}

impl Tabulated {
    /// Resamples `section` onto `n` points up to `cutoff` (default: the end of the table)
    /// for evaluation by `style`.
    pub fn new(
        section: &TableSection,
        style: TableStyle,
        n: usize,
        cutoff: Option<f64>,
    ) -> Result<Self, TableError> {
        if n < 2 {
            return Err(TableError::TooShort(n));
        }
        let (lo, hi) = section.range();
        let cut = cutoff.unwrap_or(hi);
        if !(cut > lo && cut <= hi) {
            return Err(TableError::CutoffOutside {
                cutoff: cut,
                lo,
                hi,
            });
        }
        let file_r = &section.r;
        // the file's points are used as they are only if they are exactly the linear grid
        let exact = style == TableStyle::Linear
            && section.len() == n
            && matches!(section.grid, DistanceGrid::Squared { hi, .. } if hi == cut);
        let file_spline = FileSpline::new(section);
        let tlm1 = n - 1;
        let inner_sq = lo * lo;
        let delta = (cut * cut - inner_sq) / tlm1 as f64;
        let mut t = Tabulated {
            style,
            inner_sq,
            inv_delta: 1.0 / delta,
            delta_sq6: delta * delta / 6.0,
            last_bin: tlm1 - 1,
            rsq: Box::new([]),
            e: Box::new([]),
            f: Box::new([]),
            de: Box::new([]),
            df: Box::new([]),
        };
        match style {
            TableStyle::Lookup => {
                let (e, f): (Vec<f64>, Vec<f64>) = (0..tlm1)
                    .map(|i| {
                        let r = (inner_sq + (i as f64 + 0.5) * delta).sqrt();
                        (file_spline.energy(r), file_spline.force(r) / r)
                    })
                    .unzip();
                t.e = e.into();
                t.f = f.into();
            }
            TableStyle::Linear => {
                let mut rsq = Vec::with_capacity(n);
                let (mut e, mut f) = (Vec::with_capacity(n), Vec::with_capacity(n));
                for i in 0..n {
                    let s = inner_sq + i as f64 * delta;
                    let r = s.sqrt();
                    rsq.push(s);
                    if exact {
                        e.push(section.energy[i]);
                        f.push(section.force[i] / r);
                    } else {
                        e.push(file_spline.energy(r));
                        f.push(file_spline.force(r) / r);
                    }
                }
                t.de = e.windows(2).map(|w| w[1] - w[0]).collect();
                t.df = f.windows(2).map(|w| w[1] - w[0]).collect();
                t.rsq = rsq.into();
                t.e = e.into();
                t.f = f.into();
            }
            TableStyle::Spline => {
                let rsq: Vec<f64> = (0..n).map(|i| inner_sq + i as f64 * delta).collect();
                let e: Vec<f64> = rsq.iter().map(|s| file_spline.energy(s.sqrt())).collect();
                let mut f: Vec<f64> = rsq.iter().map(|s| file_spline.force(s.sqrt())).collect();
                // end slopes in r²: dE/d(r²) = -F/(2r)
                let inner = inner_sq.sqrt();
                let e2 = spline::second_derivatives(
                    &rsq,
                    &e,
                    -f[0] / (2.0 * inner),
                    -f[tlm1] / (2.0 * cut),
                );
                // end slopes of F/r in r²: exact from FPRIME, else a short secant
                let secant = 0.1 * delta;
                let fp0 = match section.fprime {
                    Some((fplo, _)) => (fplo / inner - f[0] / inner_sq) / (2.0 * inner),
                    None => {
                        let r2 = (inner_sq + secant).sqrt();
                        (file_spline.force(r2) / r2 - f[0] / inner) / secant
                    }
                };
                let fpn = match section.fprime {
                    Some((_, fphi)) if cut == file_r[file_r.len() - 1] => {
                        (fphi / cut - f[tlm1] / (cut * cut)) / (2.0 * cut)
                    }
                    _ => {
                        let r1 = (cut * cut - secant).sqrt();
                        (f[tlm1] / (cut * cut).sqrt() - file_spline.force(r1) / r1) / secant
                    }
                };
                for (fi, s) in f.iter_mut().zip(&rsq) {
                    *fi /= s.sqrt();
                }
                let f2 = spline::second_derivatives(&rsq, &f, fp0, fpn);
                t.rsq = rsq.into();
                t.e = e.into();
                t.f = f.into();
                t.de = e2.into();
                t.df = f2.into();
            }
        }
        Ok(t)
    }

    /// The interpolation style.
    pub fn style(&self) -> TableStyle {
        self.style
    }

    /// The smallest distance the table covers; closer pairs have no defined interaction.
    pub fn inner(&self) -> f64 {
        self.inner_sq.sqrt()
    }
}

/// Cubic splines in `r` through a section's energies and forces, used to resample it.
struct FileSpline<'a> {
    section: &'a TableSection,
    e2: Vec<f64>,
    f2: Vec<f64>,
}

impl<'a> FileSpline<'a> {
    fn new(s: &'a TableSection) -> Self {
        let n = s.len();
        let e2 = spline::second_derivatives(&s.r, &s.energy, -s.force[0], -s.force[n - 1]);
        let (fplo, fphi) = s.fprime.unwrap_or_else(|| {
            (
                (s.force[1] - s.force[0]) / (s.r[1] - s.r[0]),
                (s.force[n - 1] - s.force[n - 2]) / (s.r[n - 1] - s.r[n - 2]),
            )
        });
        let f2 = spline::second_derivatives(&s.r, &s.force, fplo, fphi);
        FileSpline { section: s, e2, f2 }
    }

    fn energy(&self, r: f64) -> f64 {
        spline::interpolate(&self.section.r, &self.section.energy, &self.e2, r)
    }

    fn force(&self, r: f64) -> f64 {
        spline::interpolate(&self.section.r, &self.section.force, &self.f2, r)
    }
}

impl PairInteraction for Tabulated {
    /// Energy and `F/r`; both NaN for `r²` below the table's first point, where the
    /// interaction is undefined ([`TablePotential`] turns that into an error).
    #[inline]
    fn energy_and_force(&self, rsq: f64) -> (f64, f64) {
        if rsq < self.inner_sq || rsq.is_nan() {
            return (f64::NAN, f64::NAN);
        }
        // a pair a round-off below the cutoff may land one bin too far: use the last bin
        let bin = (((rsq - self.inner_sq) * self.inv_delta) as usize).min(self.last_bin);
        match self.style {
            TableStyle::Lookup => (self.e[bin], self.f[bin]),
            TableStyle::Linear => {
                let fraction = (rsq - self.rsq[bin]) * self.inv_delta;
                (
                    self.e[bin] + fraction * self.de[bin],
                    self.f[bin] + fraction * self.df[bin],
                )
            }
            TableStyle::Spline => {
                let b = (rsq - self.rsq[bin]) * self.inv_delta;
                let a = 1.0 - b;
                let cubic = |y: &[f64], y2: &[f64]| {
                    a * y[bin]
                        + b * y[bin + 1]
                        + ((a * a * a - a) * y2[bin] + (b * b * b - b) * y2[bin + 1])
                            * self.delta_sq6
                };
                (cubic(&self.e, &self.de), cubic(&self.f, &self.df))
            }
        }
    }
}

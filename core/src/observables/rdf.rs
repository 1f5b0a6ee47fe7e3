//! Radial distribution function per type pair, normalised as LAMMPS's `compute rdf`.
//!
//! For each type pair `(I, J)` (each a range of types) the histogram counts, for every
//! atom of a type in `I`, the atoms of a type in `J` (all periodic images, the atom itself
//! excluded) in `nbin` shells of width `δr = cutoff / nbin`. With `n_I`, `n_J` atoms in the
//! ranges and `d` atoms in both,
//!
//! ```text
//! g(r_k) = h_k / (n_I · (n_J − d / n_I) · V_k / V),   V_k = 4π/3 (r_{k+1}³ − r_k³)
//! ```
//!
//! (`π (r_{k+1}² − r_k²)` and the area in 2-d), and the coordination number is the running
//! sum `N(r_k) = Σ_{l≤k} g(r_l) · (n_J − d / n_I) · V_l / V`.

use std::ops::RangeInclusive;

use nalgebra::Vector3;

use super::ObservableError;
use crate::neighbor::{Bins, GhostAtoms, ListKind, NeighborList};
use crate::system::System;

/// One pair of type ranges (0-based types, inclusive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypePair {
    /// Types of the central atoms.
    pub first: RangeInclusive<u32>,
    /// Types of the neighbors counted around them.
    pub second: RangeInclusive<u32>,
}

impl TypePair {
    /// All types around all types.
    pub fn all(n_types: usize) -> Self {
        let last = n_types.saturating_sub(1) as u32;
        TypePair {
            first: 0..=last,
            second: 0..=last,
        }
    }
}

/// A radial distribution function definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Rdf {
    bins: usize,
    cutoff: f64,
    pairs: Vec<TypePair>,
}

/// One measured rdf: bin centres and, per type pair, `g(r)` and the coordination number.
#[derive(Debug, Clone, PartialEq)]
pub struct RdfTable {
    /// Bin centres `(k + 1/2) δr`.
    pub r: Vec<f64>,
    /// `g(r)` per type pair (outer index: pair).
    pub g: Vec<Vec<f64>>,
    /// Running coordination number per type pair.
    pub coordination: Vec<Vec<f64>>,
}

impl RdfTable {
    /// Rows in LAMMPS's column order: `r, g_1, N_1, g_2, N_2, ...`.
    pub fn rows(&self) -> Vec<Vec<f64>> {
        (0..self.r.len())
            .map(|k| {
                let mut row = Vec::with_capacity(1 + 2 * self.g.len());
                row.push(self.r[k]);
                for (g, n) in self.g.iter().zip(&self.coordination) {
                    row.push(g[k]);
                    row.push(n[k]);
                }
                row
            })
            .collect()
    }
}

impl Rdf {
    /// An rdf with `bins` shells up to `cutoff` for each of `pairs` (at least one).
    pub fn new(bins: usize, cutoff: f64, pairs: Vec<TypePair>) -> Result<Self, ObservableError> {
        if bins == 0 {
            return Err(ObservableError::NoBins);
        }
        if !(cutoff.is_finite() && cutoff > 0.0) {
            return Err(ObservableError::BadCutoff(cutoff));
        }
        if pairs.is_empty() {
            return Err(ObservableError::Schedule(
                "an rdf needs at least one type pair".into(),
            ));
        }
        Ok(Rdf {
            bins,
            cutoff,
            pairs,
        })
    }

    /// Number of shells.
    pub fn bins(&self) -> usize {
        self.bins
    }

    /// Outer radius of the last shell.
    pub fn cutoff(&self) -> f64 {
        self.cutoff
    }

    /// The type pairs.
    pub fn pairs(&self) -> &[TypePair] {
        &self.pairs
    }

    /// Checks that every type range fits a system with `n_types` types.
    pub fn check_types(&self, n_types: usize) -> Result<(), ObservableError> {
        for p in &self.pairs {
            for r in [&p.first, &p.second] {
                for t in [*r.start(), *r.end()] {
                    if t as usize >= n_types {
                        return Err(ObservableError::TypeOutOfRange {
                            type_number: t + 1,
                            n_types,
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// Pair counts per type pair and shell (each ordered pair once, as a full neighbor
    /// list counts it).
    pub fn histogram(&self, system: &System) -> Result<Vec<Vec<f64>>, ObservableError> {
        self.check_types(system.n_types())?;
        let mut images = system.images.clone();
        let wrapped: Vec<Vector3<f64>> = system
            .positions
            .iter()
            .zip(images.iter_mut())
            .map(|(x, img)| system.cell.wrap(x, img))
            .collect();
        // a hair beyond the cutoff so rounding never loses a pair of the last shell;
        // the shell index test below drops anything farther
        let reach = self.cutoff * (1.0 + 1e-12);
        let mut ghosts = GhostAtoms::new();
        ghosts.build(&system.cell, &wrapped, &system.types, reach)?;
        let mut bins = Bins::new();
        bins.build(&ghosts, &system.cell, reach);
        let mut list = NeighborList::new(ListKind::Half);
        list.build(ListKind::Half, &ghosts, &bins, reach);
        let x = ghosts.positions();
        let inv_dr = self.bins as f64 / self.cutoff;
        let mut hist = vec![vec![0.0; self.bins]; self.pairs.len()];
        for i in 0..system.len() {
            let ti = system.types[i];
            for &j in list.neighbors(i) {
                let j = j as usize;
                let r = (x[j] - x[i]).norm();
                let k = (r * inv_dr) as usize;
                if k >= self.bins {
                    continue;
                }
                let tj = system.types[ghosts.owner(j)];
                for (h, p) in hist.iter_mut().zip(&self.pairs) {
                    if p.first.contains(&ti) && p.second.contains(&tj) {
                        h[k] += 1.0;
                    }
                    if p.first.contains(&tj) && p.second.contains(&ti) {
                        h[k] += 1.0;
                    }
                }
            }
        }
        Ok(hist)
    }

    /// Measures `g(r)` and the coordination numbers of `system`.
    pub fn compute(&self, system: &System) -> Result<RdfTable, ObservableError> {
        let hist = self.histogram(system)?;
        Ok(self.normalize(&hist, system))
    }

    /// Turns pair counts from [`Rdf::histogram`] into `g(r)` and coordination numbers.
    pub fn normalize(&self, hist: &[Vec<f64>], system: &System) -> RdfTable {
        let dr = self.cutoff / self.bins as f64;
        let two_d = system.dimension == 2;
        let constant = if two_d {
            std::f64::consts::PI / system.volume()
        } else {
            4.0 * std::f64::consts::PI / (3.0 * system.volume())
        };
        let r = (0..self.bins).map(|k| (k as f64 + 0.5) * dr).collect();
        let mut g_all = Vec::with_capacity(self.pairs.len());
        let mut n_all = Vec::with_capacity(self.pairs.len());
        for (h, p) in hist.iter().zip(&self.pairs) {
            let (mut ni, mut nj, mut dup) = (0usize, 0usize, 0usize);
            for &t in &system.types {
                let a = p.first.contains(&t);
                let b = p.second.contains(&t);
                ni += a as usize;
                nj += b as usize;
                dup += (a && b) as usize;
            }
            let norm = if ni > 0 {
                nj as f64 - dup as f64 / ni as f64
            } else {
                0.0
            };
            let mut g = Vec::with_capacity(self.bins);
            let mut n = Vec::with_capacity(self.bins);
            let mut running = 0.0;
            for (k, &count) in h.iter().enumerate() {
                let (lo, hi) = (k as f64 * dr, (k + 1) as f64 * dr);
                let shell = if two_d {
                    constant * (hi * hi - lo * lo)
                } else {
                    constant * (hi * hi * hi - lo * lo * lo)
                };
                let gk = if shell * norm != 0.0 {
                    count / (shell * norm * ni as f64)
                } else {
                    0.0
                };
                if ni != 0 {
                    running += gk * shell * norm;
                }
                g.push(gk);
                n.push(running);
            }
            g_all.push(g);
            n_all.push(n);
        }
        RdfTable {
            r,
            g: g_all,
            coordination: n_all,
        }
    }
}

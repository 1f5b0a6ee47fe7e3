//! The Tersoff [`Potential`] (LAMMPS `pair_style tersoff`) over a full neighbor list, and
//! the same kernel with Kumagai's modified functions (`pair_style tersoff/mod`).
//!
//! The energy is `E = sum_i sum_{j != i} fc(rij) [fR(rij) + bij fA(rij)] / 2` with the
//! bond order `bij = b(zeta_ij)`, `zeta_ij = sum_{k != i,j} fc(rik) g(theta_ijk)
//! exp(lambda3^m (rij - rik)^m)`. As in LAMMPS, the repulsive part is evaluated once per
//! pair and the bond-order part once per ordered pair `i -> j`, its energy `bij fA / 2`
//! shared equally between `i` and `j` in the per-atom energies.
//!
//! For each ordered pair the three-body terms of `zeta_ij` are computed once, kept in a
//! small buffer and reused for the forces (LAMMPS evaluates them twice).

use std::ops::Range;
use std::path::Path;

use ferromd_core::nalgebra::Vector3;
use ferromd_core::neighbor::ListKind;
use ferromd_core::potential::{Accumulator, ForceInput, ForceOutput, Potential, PotentialError};

use super::evaluation::{AtomKernel, compute_three_body};
use super::short_list::{Neighbor, collect_neighbors, owns_pair};
use super::tersoff_mod_params::TersoffModParams;
use super::tersoff_params::TersoffParams;
use super::triplet_file::{ManybodyError, TripletParams, TripletTable};

/// The three-body quantities of one `k` in `zeta_ij`, kept for the force pass.
#[derive(Debug, Clone, Copy)]
struct ZetaTerm {
    k: usize,
    rik_hat: Vector3<f64>,
    rikinv: f64,
    cos: f64,
    fc: f64,
    dfc: f64,
    g: f64,
    g_d: f64,
    ex: f64,
    ex_d: f64,
}

/// The functions of one triplet's parameters that the Tersoff kernel evaluates; each
/// Tersoff variant (a LAMMPS style and its file format) implements them.
pub trait BondOrderParams: TripletParams + std::fmt::Debug + Send + Sync {
    /// The LAMMPS pair-style name.
    const STYLE: &'static str;
    /// Numbers per file entry after the three element names.
    const VALUES: usize;
    /// Builds the parameters from the numbers of an entry (an error names the parameter).
    fn from_values(v: &[f64]) -> Result<Self, String>;
    /// Squared cutoff `(R + D)^2`.
    fn cutsq(&self) -> f64;
    /// Cutoff function `fc(r)` and its derivative.
    fn fc(&self, r: f64) -> (f64, f64);
    /// Repulsive pair energy `fc fR` and the radial force factor `F/r`.
    fn repulsive(&self, r: f64) -> (f64, f64);
    /// Attractive term `fc fA` and its derivative.
    fn fa(&self, r: f64) -> (f64, f64);
    /// Angular function `g(cos theta)` and its derivative.
    fn g(&self, costheta: f64) -> (f64, f64);
    /// The radial asymmetry factor of `zeta` at `rij - rik` and its derivative.
    fn exp_delr(&self, dr: f64) -> (f64, f64);
    /// Bond order `b(zeta)`.
    fn bij(&self, zeta: f64) -> f64;
    /// Derivative `db/dzeta`.
    fn bij_d(&self, zeta: f64) -> f64;
}

/// A Tersoff-type bond-order potential read from a LAMMPS triplet file, with the
/// functions of `P`.
#[derive(Debug, Clone)]
pub struct BondOrder<P> {
    table: TripletTable<P>,
    /// Per type of `i`: the largest squared cutoff of any triplet starting at `i`.
    cutsq_i: Vec<f64>,
    cutoff: f64,
}

/// The Tersoff potential of a LAMMPS `.tersoff` file (`pair_style tersoff`).
pub type Tersoff = BondOrder<TersoffParams>;

/// Kumagai's modified Tersoff potential of a `.tersoff.mod` file (`pair_style tersoff/mod`).
pub type TersoffMod = BondOrder<TersoffModParams>;

impl<P: BondOrderParams> BondOrder<P> {
    /// Reads `file` (resolved by [`crate::find_potential_file`]) and maps atom type `t`
    /// (0-based) to element `element_map[t]`, as `pair_coeff * * file El1 El2 ...` does.
    pub fn from_file(file: impl AsRef<Path>, element_map: &[&str]) -> Result<Self, ManybodyError> {
        let table = TripletTable::read(file, P::VALUES, element_map, P::from_values)?;
        Ok(Self::from_table(table))
    }

    /// A potential from an already built parameter table.
    pub fn from_table(table: TripletTable<P>) -> Self {
        let n = table.n_types();
        let cutsq_i: Vec<f64> = (0..n)
            .map(|i| {
                (0..n * n)
                    .map(|jk| table.get(i, jk / n, jk % n).cutsq())
                    .fold(0.0, f64::max)
            })
            .collect();
        let cutoff = cutsq_i.iter().copied().fold(0.0, f64::max).sqrt();
        BondOrder {
            table,
            cutsq_i,
            cutoff,
        }
    }

    /// The parameters of every type triplet.
    pub fn table(&self) -> &TripletTable<P> {
        &self.table
    }
}

impl<P: BondOrderParams> AtomKernel for BondOrder<P> {
    fn kernel<const ENERGY: bool, const PER_ATOM: bool>(
        &self,
        input: &ForceInput<'_>,
        range: Range<usize>,
        acc: &mut Accumulator<'_>,
    ) {
        let x = input.positions();
        let types = input.types();
        let atoms = input.atoms;
        let list = input.list;
        let mut short: Vec<Neighbor> = Vec::with_capacity(64);
        let mut terms: Vec<ZetaTerm> = Vec::with_capacity(64);
        let mut energy = 0.0;
        for i in range {
            let ti = types[i] as usize;
            let cut_i = self.cutsq_i[ti];
            collect_neighbors(i, list.neighbors(i), x, types, |_| cut_i, &mut short);
            let mut fi = Vector3::zeros();
            // repulsive pair terms, each pair once
            for nb in &short {
                let p = self.table.get(ti, nb.t, nb.t);
                if nb.rsq >= p.cutsq() || !owns_pair(atoms, i, nb.j) {
                    continue;
                }
                let (e, fpair) = p.repulsive(nb.rsq.sqrt());
                let f = nb.d * fpair;
                fi -= f;
                acc.forces[nb.j] += f;
                if ENERGY {
                    energy += e;
                }
                if PER_ATOM {
                    acc.per_atom_energy[i] += 0.5 * e;
                    acc.per_atom_energy[nb.j] += 0.5 * e;
                }
            }
            // bond-order terms, each ordered pair i -> j
            for (a, nj) in short.iter().enumerate() {
                let pij = self.table.get(ti, nj.t, nj.t);
                if nj.rsq >= pij.cutsq() {
                    continue;
                }
                let rij = nj.rsq.sqrt();
                let rijinv = 1.0 / rij;
                let rij_hat = nj.d * rijinv;
                let row = &self.table;
                terms.clear();
                let mut zeta = 0.0;
                for (b, nk) in short.iter().enumerate() {
                    if a == b {
                        continue;
                    }
                    let p = row.get(ti, nj.t, nk.t);
                    if nk.rsq >= p.cutsq() {
                        continue;
                    }
                    let rik = nk.rsq.sqrt();
                    let rikinv = 1.0 / rik;
                    let rik_hat = nk.d * rikinv;
                    let cos = rij_hat.dot(&rik_hat);
                    let (fc, dfc) = p.fc(rik);
                    let (g, g_d) = p.g(cos);
                    let (ex, ex_d) = p.exp_delr(rij - rik);
                    zeta += fc * g * ex;
                    terms.push(ZetaTerm {
                        k: nk.j,
                        rik_hat,
                        rikinv,
                        cos,
                        fc,
                        dfc,
                        g,
                        g_d,
                        ex,
                        ex_d,
                    });
                }
                let (fa, fa_d) = pij.fa(rij);
                let bij = pij.bij(zeta);
                let fpair = 0.5 * bij * fa_d * rijinv;
                let prefactor = -0.5 * fa * pij.bij_d(zeta);
                let f = nj.d * fpair;
                fi += f;
                let mut fj = -f;
                if ENERGY {
                    energy += 0.5 * bij * fa;
                }
                if PER_ATOM {
                    let e = 0.25 * bij * fa;
                    acc.per_atom_energy[i] += e;
                    acc.per_atom_energy[nj.j] += e;
                }
                for t in &terms {
                    let dcos_j = (t.rik_hat - rij_hat * t.cos) * rijinv;
                    let dcos_k = (rij_hat - t.rik_hat * t.cos) * t.rikinv;
                    let a1 = prefactor * t.fc * t.g_d * t.ex;
                    let a2 = prefactor * t.fc * t.g * t.ex_d;
                    let a3 = prefactor * t.dfc * t.g * t.ex;
                    let drj = dcos_j * a1 + rij_hat * a2;
                    let drk = t.rik_hat * (a3 - a2) + dcos_k * a1;
                    fj += drj;
                    fi -= drj + drk;
                    acc.forces[t.k] += drk;
                }
                acc.forces[nj.j] += fj;
            }
            acc.forces[i] += fi;
        }
        acc.energy += energy;
    }
}

impl<P: BondOrderParams> Potential for BondOrder<P> {
    fn cutoff(&self) -> f64 {
        self.cutoff
    }

    fn list_kind(&self) -> ListKind {
        ListKind::Full
    }

    fn compute(&self, input: &ForceInput<'_>, out: &mut ForceOutput) -> Result<(), PotentialError> {
        compute_three_body(self, P::STYLE, self.table.n_types(), input, out)
    }

    fn name(&self) -> &str {
        P::STYLE
    }
}

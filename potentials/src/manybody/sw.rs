//! The Stillinger-Weber [`Potential`] (LAMMPS `pair_style sw`) over a full neighbor list.
//!
//! `E = sum_{i<j} phi2(rij) + sum_i sum_{j<k} phi3(rij, rik, theta_jik)` with
//! `phi3 = lambda epsilon (cos theta - cos theta0)^2 exp(gamma sigma / (rij - a sigma))
//! exp(gamma sigma / (rik - a sigma))`. The two-body term is taken once per pair (energy
//! halved between the atoms), the three-body term once per central atom and unordered
//! neighbor pair (energy split in thirds), as LAMMPS tallies them.
//!
//! The radial factor `exp(gamma sigma / (r - a sigma))` of each neighbor is computed once
//! per central atom instead of once per triplet.

use std::ops::Range;
use std::path::Path;

use ferromd_core::nalgebra::Vector3;
use ferromd_core::neighbor::ListKind;
use ferromd_core::potential::{Accumulator, ForceInput, ForceOutput, Potential, PotentialError};

use super::evaluation::{AtomKernel, compute_three_body};
use super::short_list::{Neighbor, collect_neighbors, owns_pair};
use super::sw_params::{SW_VALUES, SwParams};
use super::triplet_file::{ManybodyError, TripletTable};

/// A neighbor of the central atom with its three-body radial factors.
#[derive(Debug, Clone, Copy)]
struct Radial {
    j: usize,
    t: usize,
    d: Vector3<f64>,
    r: f64,
    rinvsq: f64,
    /// `exp(gamma sigma / (r - a sigma))`.
    exp: f64,
    /// `gamma sigma / (r - a sigma)^2 / r`.
    gsrainvsq: f64,
}

/// A Stillinger-Weber potential read from a LAMMPS `.sw` file.
#[derive(Debug, Clone)]
pub struct StillingerWeber {
    table: TripletTable<SwParams>,
    cutoff: f64,
}

impl StillingerWeber {
    /// Reads `file` (resolved by [`crate::find_potential_file`]) and maps atom type `t`
    /// (0-based) to element `element_map[t]`, as `pair_coeff * * file El1 El2 ...` does.
    pub fn from_file(file: impl AsRef<Path>, element_map: &[&str]) -> Result<Self, ManybodyError> {
        let table = TripletTable::read(file, SW_VALUES, element_map, SwParams::from_values)?;
        Ok(Self::from_table(table))
    }

    /// A potential from an already built parameter table.
    pub fn from_table(table: TripletTable<SwParams>) -> Self {
        let cutoff = table
            .all()
            .iter()
            .map(|p| p.cutsq.sqrt())
            .fold(0.0, f64::max);
        StillingerWeber { table, cutoff }
    }

    /// The parameters of every type triplet.
    pub fn table(&self) -> &TripletTable<SwParams> {
        &self.table
    }
}

impl AtomKernel for StillingerWeber {
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
        let table = &self.table;
        let mut short: Vec<Neighbor> = Vec::with_capacity(64);
        let mut radial: Vec<Radial> = Vec::with_capacity(64);
        let mut energy = 0.0;
        for i in range {
            let ti = types[i] as usize;
            collect_neighbors(
                i,
                list.neighbors(i),
                x,
                types,
                |tj| table.get(ti, tj, tj).cutsq,
                &mut short,
            );
            let mut fi = Vector3::zeros();
            radial.clear();
            for nb in &short {
                let p = table.get(ti, nb.t, nb.t);
                let r = nb.rsq.sqrt();
                let rainv = 1.0 / (r - p.cut);
                let gsrainv = p.sigma_gamma * rainv;
                radial.push(Radial {
                    j: nb.j,
                    t: nb.t,
                    d: nb.d,
                    r,
                    rinvsq: 1.0 / nb.rsq,
                    exp: gsrainv.exp(),
                    gsrainvsq: gsrainv * rainv / r,
                });
                if !owns_pair(atoms, i, nb.j) {
                    continue;
                }
                let (e, fpair) = p.two_body(nb.rsq);
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
            for (a, n1) in radial.iter().enumerate() {
                let mut fj = Vector3::zeros();
                for n2 in &radial[a + 1..] {
                    let p = table.get(ti, n1.t, n2.t);
                    let rinv12 = 1.0 / (n1.r * n2.r);
                    let cs = n1.d.dot(&n2.d) * rinv12;
                    let delcs = cs - p.costheta;
                    let facexp = n1.exp * n2.exp;
                    let facrad = p.lambda_epsilon * facexp * delcs * delcs;
                    let frad1 = facrad * n1.gsrainvsq;
                    let frad2 = facrad * n2.gsrainvsq;
                    let facang = p.lambda_epsilon2 * facexp * delcs;
                    let facang12 = rinv12 * facang;
                    let csfacang = cs * facang;
                    let f1 = n1.d * (frad1 + n1.rinvsq * csfacang) - n2.d * facang12;
                    let f2 = n2.d * (frad2 + n2.rinvsq * csfacang) - n1.d * facang12;
                    fi -= f1 + f2;
                    fj += f1;
                    acc.forces[n2.j] += f2;
                    if ENERGY {
                        energy += facrad;
                    }
                    if PER_ATOM {
                        let third = facrad / 3.0;
                        acc.per_atom_energy[i] += third;
                        acc.per_atom_energy[n1.j] += third;
                        acc.per_atom_energy[n2.j] += third;
                    }
                }
                acc.forces[n1.j] += fj;
            }
            acc.forces[i] += fi;
        }
        acc.energy += energy;
    }
}

impl Potential for StillingerWeber {
    fn cutoff(&self) -> f64 {
        self.cutoff
    }

    fn list_kind(&self) -> ListKind {
        ListKind::Full
    }

    fn compute(&self, input: &ForceInput<'_>, out: &mut ForceOutput) -> Result<(), PotentialError> {
        compute_three_body(self, "sw", self.table.n_types(), input, out)
    }

    fn name(&self) -> &str {
        "sw"
    }
}

//! A committee of potentials: MD driven by their mean (or by one member), with the spread
//! of the members' forces measured at every evaluation (query-by-committee uncertainty).
//!
//! Every member sees the same atoms and computes as if it were alone (a member that wants
//! a half list while the engine's list is full gets one taken from it, as in
//! [`crate::Overlay`]). After each evaluation the members' forces are folded onto the local
//! atoms and, for each atom `i`, the force deviation
//!
//! ```text
//! σ_i = sqrt( (1/M) Σ_k |F_i^k − F̄_i|² ),    F̄_i = (1/M) Σ_k F_i^k
//! ```
//!
//! is computed over the `M` members (DeePMD-kit's `max_devi_f` is `max_i σ_i`). The
//! [`CommitteeRecord`] shared with the caller keeps the latest evaluation: `σ_i`, their
//! maximum and mean, every member's forces on the local atoms and, when energies were
//! computed, every member's energy. Front-ends print the deviation as thermo columns and
//! write the frames whose maximum crosses a threshold for relabelling.

use std::sync::{Arc, Mutex, MutexGuard};

use ferromd_core::nalgebra::{DMatrix, Vector3};
use ferromd_core::neighbor::{ListKind, NeighborList};
use ferromd_core::potential::{
    AnalyticHessian, ForceInput, ForceOutput, ForceRequest, Potential, PotentialError, Virial,
};
use rayon::prelude::*;

use crate::overlay::{add_energies, common_list_kind, derived_list, weighted_hessian};

/// Which forces, energy and virial move the atoms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CommitteeDrive {
    /// The mean over all members.
    #[default]
    Mean,
    /// Member `k` (0-based); the others are evaluated only for the deviation.
    Member(usize),
}

/// The maximum and mean over atoms of the per-atom force deviation `σ_i` of one evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ForceDeviation {
    /// `max_i σ_i` (force units).
    pub max: f64,
    /// `(1/N) Σ_i σ_i` (force units).
    pub mean: f64,
}

/// The members' results of the latest evaluation, on the local atoms.
#[derive(Debug)]
pub struct MemberResults<'a> {
    /// Each member's total energy, if energies were computed at that evaluation.
    pub energies: Option<&'a [f64]>,
    /// Each member's forces on the local atoms (ghost contributions folded in).
    pub forces: Vec<&'a [Vector3<f64>]>,
    /// Each member's virial, if virials were computed at that evaluation.
    pub virials: Option<Vec<Virial>>,
    /// The per-atom force deviation `σ_i`.
    pub deviation: &'a [f64],
    /// Maximum and mean of `deviation`.
    pub summary: ForceDeviation,
}

/// State of the latest evaluation (also the committee's working buffers).
#[derive(Debug, Default)]
struct Latest {
    /// One output per member, over extended atoms; forces folded onto the locals.
    outputs: Vec<ForceOutput>,
    /// Each member's energy (valid when `has_energies`).
    energies: Vec<f64>,
    /// Whether the members computed energies at the latest evaluation.
    has_energies: bool,
    /// Whether the members computed virials at the latest evaluation.
    has_virials: bool,
    /// Per-atom force deviation over the local atoms.
    deviation: Vec<f64>,
    /// Local atoms at the latest evaluation.
    n_local: usize,
    /// Maximum and mean of `deviation`.
    summary: ForceDeviation,
    /// Whether the fields above hold a completed evaluation.
    valid: bool,
    /// Completed evaluations so far.
    evaluations: u64,
}

/// The latest evaluation of a [`Committee`], shared between the committee (which writes
/// it at every evaluation) and whoever reports it (thermo columns, uncertain-frame files).
#[derive(Debug, Default)]
pub struct CommitteeRecord {
    size: usize,
    drive: CommitteeDrive,
    latest: Mutex<Latest>,
}

impl CommitteeRecord {
    fn lock(&self) -> MutexGuard<'_, Latest> {
        self.latest.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Number of members.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Which member's (or the mean) forces move the atoms.
    pub fn drive(&self) -> CommitteeDrive {
        self.drive
    }

    /// Number of completed evaluations so far.
    pub fn evaluations(&self) -> u64 {
        self.lock().evaluations
    }

    /// Maximum and mean force deviation of the latest evaluation (`None` before the first
    /// and after a failed one).
    pub fn deviation(&self) -> Option<ForceDeviation> {
        let latest = self.lock();
        latest.valid.then_some(latest.summary)
    }

    /// Calls `f` with the members' results of the latest evaluation (`None` before the
    /// first and after a failed one), without copying them.
    pub fn with_members<R>(&self, f: impl FnOnce(&MemberResults<'_>) -> R) -> Option<R> {
        let latest = self.lock();
        if !latest.valid {
            return None;
        }
        let n = latest.n_local;
        let results = MemberResults {
            energies: latest.has_energies.then_some(&latest.energies[..]),
            forces: latest.outputs.iter().map(|o| &o.forces[..n]).collect(),
            virials: latest
                .has_virials
                .then(|| latest.outputs.iter().map(|o| o.virial).collect()),
            deviation: &latest.deviation,
            summary: latest.summary,
        };
        Some(f(&results))
    }
}

/// Several potentials evaluated together: the atoms move with their mean forces (or one
/// member's), and the spread of the members' forces is recorded at every evaluation.
pub struct Committee {
    name: String,
    members: Vec<Box<dyn Potential>>,
    drive: CommitteeDrive,
    /// Ask every member for its energy at every evaluation (for uncertain-frame files).
    always_energies: bool,
    record: Arc<CommitteeRecord>,
    /// Lists derived for members that want another kind than the engine's.
    lists: Mutex<Vec<Option<(u64, NeighborList)>>>,
}

impl std::fmt::Debug for Committee {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.members.iter().map(|p| p.name()).collect();
        f.debug_struct("Committee")
            .field("members", &names)
            .field("drive", &self.drive)
            .field("always_energies", &self.always_energies)
            .finish()
    }
}

/// Why a committee cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommitteeError {
    /// Fewer than two members: no deviation can be measured.
    #[error("a committee needs at least two members, it has {0}")]
    TooFewMembers(usize),
    /// The driving member does not exist.
    #[error("member {member} drives the committee, but it has only {size} members")]
    NoSuchMember {
        /// The 0-based member asked for.
        member: usize,
        /// Number of members.
        size: usize,
    },
}

impl Committee {
    /// A committee of `members` (at least two), moving the atoms as `drive` says.
    pub fn new(
        members: Vec<Box<dyn Potential>>,
        drive: CommitteeDrive,
    ) -> Result<Self, CommitteeError> {
        let size = members.len();
        if size < 2 {
            return Err(CommitteeError::TooFewMembers(size));
        }
        if let CommitteeDrive::Member(member) = drive
            && member >= size
        {
            return Err(CommitteeError::NoSuchMember { member, size });
        }
        let names: Vec<&str> = members.iter().map(|m| m.name()).collect();
        Ok(Committee {
            name: format!("committee({})", names.join(",")),
            drive,
            always_energies: false,
            record: Arc::new(CommitteeRecord {
                size,
                drive,
                latest: Mutex::new(Latest::default()),
            }),
            lists: Mutex::new((0..size).map(|_| None).collect()),
            members,
        })
    }

    /// Asks every member for its energy at every evaluation, not only when the engine
    /// wants the energy, so that each [`CommitteeRecord`] entry carries the members'
    /// energies (free for machine-learned models, which compute the energy anyway).
    pub fn with_energies_always(mut self, yes: bool) -> Self {
        self.always_energies = yes;
        self
    }

    /// The record of the latest evaluation, to be read after each step.
    pub fn record(&self) -> Arc<CommitteeRecord> {
        Arc::clone(&self.record)
    }

    /// Which forces move the atoms.
    pub fn drive(&self) -> CommitteeDrive {
        self.drive
    }

    /// The members' names, in order.
    pub fn member_names(&self) -> Vec<&str> {
        self.members.iter().map(|m| m.name()).collect()
    }

    /// Evaluates every member into `latest.outputs`, folding ghost forces onto owners.
    fn evaluate_members(
        &self,
        input: &ForceInput<'_>,
        request: ForceRequest,
        latest: &mut Latest,
    ) -> Result<(), PotentialError> {
        let mut lists = self.lists.lock().unwrap_or_else(|e| e.into_inner());
        latest
            .outputs
            .resize_with(self.members.len(), ForceOutput::new);
        let n_total = input.n_total();
        for ((member, out), cached) in self
            .members
            .iter()
            .zip(&mut latest.outputs)
            .zip(&mut *lists)
        {
            let derived = derived_list(member.as_ref(), None, input.atoms, input.list, cached)?;
            let list = if derived {
                &cached.as_ref().expect("just derived").1
            } else {
                input.list
            };
            let member_input = ForceInput {
                list,
                request,
                ..*input
            };
            out.reset(n_total, request);
            member.compute(&member_input, out)?;
            input.atoms.fold_ghosts_into_owners(&mut out.forces);
        }
        Ok(())
    }
}

impl Potential for Committee {
    fn cutoff(&self) -> f64 {
        self.members.iter().map(|m| m.cutoff()).fold(0.0, f64::max)
    }

    fn list_kind(&self) -> ListKind {
        common_list_kind(self.members.iter().map(|m| m.as_ref()))
    }

    fn compute(&self, input: &ForceInput<'_>, out: &mut ForceOutput) -> Result<(), PotentialError> {
        let mut request = input.request;
        request.energy |= self.always_energies;
        let mut guard = self.record.lock();
        let latest = &mut *guard;
        // a failed evaluation leaves no stale record behind
        latest.valid = false;
        self.evaluate_members(input, request, latest)?;
        let n = input.n_local();
        let m = self.members.len() as f64;
        latest.n_local = n;
        latest.deviation.resize(n, 0.0);
        let outputs = &latest.outputs;
        let drive = self.drive;
        out.forces[..n]
            .par_iter_mut()
            .zip(latest.deviation.par_iter_mut())
            .enumerate()
            .with_min_len(1024)
            .for_each(|(i, (f, sigma))| {
                let mean = outputs.iter().map(|o| o.forces[i]).sum::<Vector3<f64>>() / m;
                let spread: f64 = outputs
                    .iter()
                    .map(|o| (o.forces[i] - mean).norm_squared())
                    .sum();
                *sigma = (spread / m).sqrt();
                *f += match drive {
                    CommitteeDrive::Mean => mean,
                    CommitteeDrive::Member(k) => outputs[k].forces[i],
                };
            });
        match drive {
            CommitteeDrive::Mean => {
                for o in outputs {
                    add_energies(out, o, 1.0 / m);
                }
            }
            CommitteeDrive::Member(k) => add_energies(out, &outputs[k], 1.0),
        }
        latest.energies.clear();
        latest.energies.extend(outputs.iter().map(|o| o.energy));
        latest.has_energies = request.energy;
        latest.has_virials = request.virial;
        latest.summary = if n == 0 {
            ForceDeviation::default()
        } else {
            ForceDeviation {
                max: latest.deviation.iter().copied().fold(0.0, f64::max),
                mean: latest.deviation.iter().sum::<f64>() / n as f64,
            }
        };
        latest.valid = true;
        latest.evaluations += 1;
        Ok(())
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn conservative(&self) -> bool {
        self.driving_members().all(|(m, _)| m.conservative())
    }

    fn analytic_hessian(&self) -> Option<&dyn AnalyticHessian> {
        self.driving_members()
            .all(|(m, _)| m.analytic_hessian().is_some())
            .then_some(self as &dyn AnalyticHessian)
    }
}

impl Committee {
    /// The members whose forces move the atoms, with their weights: every member at
    /// `1/m` for the mean, or the driving member alone.
    fn driving_members(&self) -> impl Iterator<Item = (&dyn Potential, f64)> {
        let weight = 1.0 / self.members.len() as f64;
        self.members
            .iter()
            .enumerate()
            .filter_map(move |(k, m)| match self.drive {
                CommitteeDrive::Mean => Some((m.as_ref(), weight)),
                CommitteeDrive::Member(d) => (d == k).then_some((m.as_ref(), 1.0)),
            })
    }
}

/// The Hessian of the energy that drives the atoms: the mean of the members' Hessians,
/// or the driving member's, when each of them has an analytic one.
impl AnalyticHessian for Committee {
    fn hessian_method(&self) -> &str {
        self.driving_members()
            .find_map(|(m, _)| m.analytic_hessian())
            .map_or("the members' analytic Hessians", |h| h.hessian_method())
    }

    fn hessian(&self, input: &ForceInput<'_>) -> Result<DMatrix<f64>, PotentialError> {
        weighted_hessian(self.driving_members().map(|(m, w)| (m, None, w)), input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LennardJones;
    use crate::pair::PairPotential;
    use ferromd_core::Cell;
    use ferromd_core::evaluation::evaluate_forces;
    use ferromd_core::nalgebra::Matrix3;
    use ferromd_core::neighbor::{NeighborSettings, Neighbors};
    use ferromd_core::system::{Species, System};

    const CUT: f64 = 2.5;

    fn lj(epsilon: f64) -> Box<dyn Potential> {
        Box::new(PairPotential::from_table(
            "lj/cut",
            1,
            vec![(LennardJones::new(epsilon, 1.0), CUT)],
        ))
    }

    /// A perturbed fcc crystal of 32 atoms in a periodic box.
    fn crystal() -> System {
        let a = 1.6;
        let h = Matrix3::from_diagonal_element(2.0 * a);
        let cell = Cell::new(h, Vector3::zeros(), [true; 3]).unwrap();
        let mut s = System::new(cell, vec![Species::new("A", 1.0)]);
        let basis = [
            [0.0, 0.0, 0.0],
            [0.5, 0.5, 0.0],
            [0.5, 0.0, 0.5],
            [0.0, 0.5, 0.5],
        ];
        let mut k = 0u64;
        for c in 0..8u64 {
            for f in basis {
                k += 1;
                let cell_origin =
                    Vector3::new((c & 1) as f64, ((c >> 1) & 1) as f64, (c >> 2) as f64);
                let wobble = Vector3::new(
                    ((k * 37) % 11) as f64 / 11.0 - 0.5,
                    ((k * 53) % 13) as f64 / 13.0 - 0.5,
                    ((k * 71) % 7) as f64 / 7.0 - 0.5,
                ) * 0.1;
                s.push_atom(0, (cell_origin + Vector3::from(f)) * a + wobble);
            }
        }
        s
    }

    fn evaluate(
        p: &dyn Potential,
        system: &System,
        request: ForceRequest,
    ) -> (ForceOutput, System) {
        let mut s = system.clone();
        let mut nb = Neighbors::new(NeighborSettings::with_skin(0.3), p.cutoff(), p.list_kind());
        nb.rebuild(&mut s).unwrap();
        let mut out = ForceOutput::new();
        evaluate_forces(&mut s, &nb, p, request, &mut out, 0).unwrap();
        (out, s)
    }

    /// LJ forces scale with epsilon, so for members ε1, ε2 every atom's deviation is
    /// |ε1 − ε2|/2 · |F_i(ε = 1)| and the mean forces are those of (ε1 + ε2)/2.
    #[test]
    fn two_lj_members_deviate_by_half_the_epsilon_difference() {
        let (e1, e2) = (0.8, 1.3);
        let system = crystal();
        let committee = Committee::new(vec![lj(e1), lj(e2)], CommitteeDrive::Mean).unwrap();
        let record = committee.record();
        assert!(record.deviation().is_none());
        let (out, s) = evaluate(&committee, &system, ForceRequest::ALL);
        let (unit, s1) = evaluate(lj(1.0).as_ref(), &system, ForceRequest::ALL);
        let mid = 0.5 * (e1 + e2);
        let scale = unit.energy.abs();
        assert!((out.energy - mid * unit.energy).abs() < 1e-12 * scale);
        for k in 0..6 {
            assert!((out.virial[k] - mid * unit.virial[k]).abs() < 1e-11 * scale);
        }
        let mut max: f64 = 0.0;
        let mut sum = 0.0;
        record
            .with_members(|r| {
                assert_eq!(r.forces.len(), 2);
                let energies = r.energies.unwrap();
                assert!((energies[0] - e1 * unit.energy).abs() < 1e-12 * scale);
                assert!((energies[1] - e2 * unit.energy).abs() < 1e-12 * scale);
                for (i, f1) in s1.forces.iter().enumerate() {
                    let expected = 0.5 * (e2 - e1) * f1.norm();
                    assert!(
                        (r.deviation[i] - expected).abs() < 1e-10 * (1.0 + expected),
                        "atom {i}: {} vs {expected}",
                        r.deviation[i]
                    );
                    assert!((s.forces[i] - *f1 * mid).norm() < 1e-10 * (1.0 + f1.norm()));
                    assert!((r.forces[0][i] - *f1 * e1).norm() < 1e-10 * (1.0 + f1.norm()));
                    max = max.max(expected);
                    sum += expected;
                }
            })
            .unwrap();
        let d = record.deviation().unwrap();
        assert!(
            max > 0.1,
            "the perturbed crystal has sizeable forces: {max}"
        );
        assert!((d.max - max).abs() < 1e-10 * max);
        assert!((d.mean - sum / 32.0).abs() < 1e-10 * max);
        assert_eq!(record.evaluations(), 1);
    }

    /// A dimer at distance r: σ = |ε1 − ε2|/2 · 24/r · (2 r⁻¹² − r⁻⁶) for σ_LJ = 1.
    #[test]
    fn dimer_deviation_matches_the_analytic_force() {
        let cell = Cell::new(
            Matrix3::from_diagonal_element(20.0),
            Vector3::zeros(),
            [true; 3],
        )
        .unwrap();
        let mut s = System::new(cell, vec![Species::new("A", 1.0)]);
        let r: f64 = 1.05;
        s.push_atom(0, Vector3::new(5.0, 5.0, 5.0));
        s.push_atom(0, Vector3::new(5.0 + r, 5.0, 5.0));
        let (e1, e2, e3) = (0.5, 1.0, 2.0);
        let committee =
            Committee::new(vec![lj(e1), lj(e2), lj(e3)], CommitteeDrive::Member(1)).unwrap();
        let record = committee.record();
        let (_, moved) = evaluate(&committee, &s, ForceRequest::FORCES);
        let unit_force = 24.0 / r * (2.0 * r.powi(-12) - r.powi(-6));
        let mean = (e1 + e2 + e3) / 3.0;
        let var = [e1, e2, e3].iter().map(|e| (e - mean).powi(2)).sum::<f64>() / 3.0;
        let expected = var.sqrt() * unit_force.abs();
        let d = record.deviation().unwrap();
        assert!(
            (d.max - expected).abs() < 1e-12 * expected,
            "{} vs {expected}",
            d.max
        );
        assert!((d.mean - expected).abs() < 1e-12 * expected);
        // member 1 (ε = 1) drives: the force is the unit force
        assert!((moved.forces[0].x + unit_force).abs() < 1e-12 * unit_force.abs());
        // forces only were asked for: no member energies in the record
        assert!(record.with_members(|r| r.energies.is_none()).unwrap());
        let always = Committee::new(vec![lj(e1), lj(e2)], CommitteeDrive::Mean)
            .unwrap()
            .with_energies_always(true);
        let record = always.record();
        evaluate(&always, &s, ForceRequest::FORCES);
        assert!(record.with_members(|r| r.energies.is_some()).unwrap());
    }

    #[test]
    fn rejects_too_few_members_and_missing_drivers() {
        let e = Committee::new(vec![lj(1.0)], CommitteeDrive::Mean).unwrap_err();
        assert_eq!(e, CommitteeError::TooFewMembers(1));
        let e = Committee::new(vec![lj(1.0), lj(2.0)], CommitteeDrive::Member(2)).unwrap_err();
        assert!(e.to_string().contains("only 2 members"), "{e}");
    }
}

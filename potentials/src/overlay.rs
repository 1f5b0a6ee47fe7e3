//! `hybrid/overlay`: the sum of several potentials, each restricted to its own type pairs.
//!
//! This is how a machine-learned potential gets ZBL repulsion added at short range, or an
//! EAM metal a pair term between selected types: every part sees the same extended atoms
//! and computes as if it were alone; energies, forces, virials and per-atom energies
//! are summed.
//!
//! The engine builds one neighbor list for the overlay, with the largest cutoff of the
//! parts and of the kind the parts need (full if any part wants a full list). A part that
//! wants a half list while the engine's list is full gets the half list taken from it, and
//! a part restricted to some type pairs gets only those pairs (LAMMPS's skip lists). Such
//! derived lists are cached until the engine rebuilds its list.

use std::sync::Mutex;

use ferromd_core::nalgebra::{DMatrix, Vector3};
use ferromd_core::neighbor::{GhostAtoms, ListKind, NeighborList};
use ferromd_core::potential::{
    AnalyticHessian, ForceInput, ForceOutput, Potential, PotentialError,
};
use rayon::prelude::*;

/// The type pairs a part of an [`Overlay`] handles, symmetric, over 0-based types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypePairs {
    n_types: usize,
    allowed: Vec<bool>,
}

impl TypePairs {
    /// No pairs yet, for `n_types` types.
    pub fn none(n_types: usize) -> Self {
        TypePairs {
            n_types,
            allowed: vec![false; n_types * n_types],
        }
    }

    /// Adds the pair of 0-based types `i`, `j` (and `j`, `i`).
    ///
    /// # Panics
    /// If a type is not below `n_types`.
    pub fn allow(&mut self, i: usize, j: usize) -> &mut Self {
        assert!(i < self.n_types && j < self.n_types, "type out of range");
        self.allowed[i * self.n_types + j] = true;
        self.allowed[j * self.n_types + i] = true;
        self
    }

    /// Whether 0-based types `i` and `j` are handled; types beyond `n_types` never are.
    #[inline]
    pub fn contains(&self, i: usize, j: usize) -> bool {
        i < self.n_types && j < self.n_types && self.allowed[i * self.n_types + j]
    }

    /// Whether every pair of the `n_types` types is handled.
    pub fn is_all(&self) -> bool {
        self.allowed.iter().all(|&a| a)
    }

    /// Number of types the table covers.
    pub fn n_types(&self) -> usize {
        self.n_types
    }
}

/// One summand of an [`Overlay`].
struct Part {
    potential: Box<dyn Potential>,
    /// `None`: every pair.
    pairs: Option<TypePairs>,
}

/// Per-part buffers kept between evaluations.
#[derive(Default)]
struct Scratch {
    outputs: Vec<ForceOutput>,
    /// The list given to each part when it differs from the engine's, with the
    /// [`NeighborList::build_id`] of the engine list it was derived from.
    lists: Vec<Option<(u64, NeighborList)>>,
}

/// A potential that is the sum of other potentials (LAMMPS `pair_style hybrid/overlay`).
pub struct Overlay {
    name: String,
    parts: Vec<Part>,
    scratch: Mutex<Scratch>,
}

impl std::fmt::Debug for Overlay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.parts.iter().map(|p| p.potential.name()).collect();
        f.debug_struct("Overlay")
            .field("name", &self.name)
            .field("parts", &names)
            .finish()
    }
}

impl Overlay {
    /// An empty sum called `name` (e.g. `"hybrid/overlay"`); add parts with [`Overlay::push`].
    pub fn new(name: impl Into<String>) -> Self {
        Overlay {
            name: name.into(),
            parts: Vec::new(),
            scratch: Mutex::new(Scratch::default()),
        }
    }

    /// Adds `potential` to the sum, for the type pairs in `pairs` (`None`: all pairs).
    ///
    /// With a restriction the part sees only list pairs of those types; a many-body
    /// potential still sees every local atom, so restricting one only makes sense for
    /// potentials whose energy vanishes for an atom without neighbors (pair styles,
    /// Tersoff, SW) or that leave the other types out themselves (EAM with those types
    /// mapped to [`crate::NULL_ELEMENT`], as LAMMPS's skip lists leave them out).
    pub fn push(&mut self, potential: Box<dyn Potential>, pairs: Option<TypePairs>) -> &mut Self {
        let pairs = pairs.filter(|p| !p.is_all());
        self.parts.push(Part { potential, pairs });
        self
    }

    /// Number of parts.
    pub fn len(&self) -> usize {
        self.parts.len()
    }

    /// True if there are no parts (the sum is zero).
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// The parts' names, in order.
    pub fn part_names(&self) -> Vec<&str> {
        self.parts.iter().map(|p| p.potential.name()).collect()
    }
}

/// Puts into `cached` the neighbor list `potential` must be given when the engine's list is
/// `list` and the potential handles only the type pairs `pairs` (`None`: all): a half list
/// taken from a full one, or the pairs of those types only. Returns `false` when the
/// engine's list itself fits (nothing derived). The derived list is kept until the
/// engine's list is rebuilt. Shared by [`Overlay`] parts and committee members.
pub(crate) fn derived_list(
    potential: &dyn Potential,
    pairs: Option<&TypePairs>,
    atoms: &GhostAtoms,
    list: &NeighborList,
    cached: &mut Option<(u64, NeighborList)>,
) -> Result<bool, PotentialError> {
    let want = potential.list_kind();
    let half_from_full = want == ListKind::Half && list.kind() == ListKind::Full;
    if want == ListKind::Full && list.kind() == ListKind::Half {
        return Err(PotentialError::Other(format!(
            "{} needs a full neighbor list but was given a half list",
            potential.name()
        )));
    }
    if !half_from_full && pairs.is_none() {
        return Ok(false);
    }
    let id = list.build_id();
    if id != 0 && cached.as_ref().is_some_and(|(c, _)| *c == id) {
        return Ok(true);
    }
    let types = atoms.types();
    let keep = |i: usize, j: usize| {
        let pair_ok = pairs.is_none_or(|p| p.contains(types[i] as usize, types[j] as usize));
        pair_ok && (!half_from_full || half_list_keeps(atoms, i, j))
    };
    *cached = Some((id, list.derive(want, keep)));
    Ok(true)
}

/// The list kind a sum or committee of potentials needs: full if any of them wants a full
/// list, else half.
pub(crate) fn common_list_kind<'a>(
    potentials: impl IntoIterator<Item = &'a dyn Potential>,
) -> ListKind {
    if potentials
        .into_iter()
        .any(|p| p.list_kind() == ListKind::Full)
    {
        ListKind::Full
    } else {
        ListKind::Half
    }
}

/// Whether the pair of local atom `i` and extended atom `j` of a full list belongs to the
/// half list taken from it: exactly one of a pair and its periodic mirror (`owner(j)`
/// with the image of `i` at minus `j`'s image) is kept.
fn half_list_keeps(atoms: &GhostAtoms, i: usize, j: usize) -> bool {
    let owner = atoms.owner(j);
    owner > i || (owner == i && atoms.image(j) > [0; 3])
}

impl Potential for Overlay {
    fn cutoff(&self) -> f64 {
        self.parts
            .iter()
            .map(|p| p.potential.cutoff())
            .fold(0.0, f64::max)
    }

    fn list_kind(&self) -> ListKind {
        common_list_kind(self.parts.iter().map(|p| p.potential.as_ref()))
    }

    fn compute(&self, input: &ForceInput<'_>, out: &mut ForceOutput) -> Result<(), PotentialError> {
        let mut guard = self
            .scratch
            .lock()
            .map_err(|_| PotentialError::Other(format!("{}: poisoned scratch", self.name)))?;
        let Scratch { outputs, lists } = &mut *guard;
        outputs.resize_with(self.parts.len(), ForceOutput::new);
        lists.resize_with(self.parts.len(), || None);
        let n_total = input.n_total();
        let request = input.request;
        for ((part, sub_out), cached) in self.parts.iter().zip(outputs).zip(lists) {
            let derived = derived_list(
                part.potential.as_ref(),
                part.pairs.as_ref(),
                input.atoms,
                input.list,
                cached,
            )?;
            let list = if derived {
                &cached.as_ref().expect("just derived").1
            } else {
                input.list
            };
            let sub_input = ForceInput { list, ..*input };
            sub_out.reset(n_total, request);
            part.potential.compute(&sub_input, sub_out)?;
            add_output(out, sub_out);
        }
        Ok(())
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn conservative(&self) -> bool {
        self.parts.iter().all(|p| p.potential.conservative())
    }

    fn analytic_hessian(&self) -> Option<&dyn AnalyticHessian> {
        let all = self
            .parts
            .iter()
            .all(|p| p.potential.analytic_hessian().is_some());
        (all && !self.parts.is_empty()).then_some(self as &dyn AnalyticHessian)
    }
}

/// `Σ weight · H` over `terms` (a potential, the type pairs it handles, its weight), each
/// potential's [`AnalyticHessian`] evaluated on the list it needs (see [`derived_list`]).
/// Shared by [`Overlay`] (weights 1) and committees (the mean or the driving member).
pub(crate) fn weighted_hessian<'a>(
    terms: impl IntoIterator<Item = (&'a dyn Potential, Option<&'a TypePairs>, f64)>,
    input: &ForceInput<'_>,
) -> Result<DMatrix<f64>, PotentialError> {
    let n = 3 * input.n_local();
    let mut sum = DMatrix::zeros(n, n);
    for (potential, pairs, weight) in terms {
        let Some(second) = potential.analytic_hessian() else {
            return Err(PotentialError::Other(format!(
                "{} has no analytic Hessian",
                potential.name()
            )));
        };
        let mut cached = None;
        let derived = derived_list(potential, pairs, input.atoms, input.list, &mut cached)?;
        let list = match &cached {
            Some((_, list)) if derived => list,
            _ => input.list,
        };
        sum += second.hessian(&ForceInput { list, ..*input })? * weight;
    }
    Ok(sum)
}

/// The summed Hessian, when every part has an analytic one (otherwise
/// [`Potential::analytic_hessian`] is `None` and callers use finite differences).
impl AnalyticHessian for Overlay {
    fn hessian_method(&self) -> &str {
        self.parts
            .first()
            .and_then(|p| p.potential.analytic_hessian())
            .map_or("sum of the parts' analytic Hessians", |h| {
                h.hessian_method()
            })
    }

    fn hessian(&self, input: &ForceInput<'_>) -> Result<DMatrix<f64>, PotentialError> {
        weighted_hessian(
            self.parts
                .iter()
                .map(|p| (p.potential.as_ref(), p.pairs.as_ref(), 1.0)),
            input,
        )
    }
}

/// `out += part` for forces, energy, virial and per-atom energies.
fn add_output(out: &mut ForceOutput, part: &ForceOutput) {
    out.forces
        .par_iter_mut()
        .zip(part.forces.par_iter())
        .with_min_len(4096)
        .for_each(|(f, p): (&mut Vector3<f64>, _)| *f += p);
    add_energies(out, part, 1.0);
}

/// `out += weight * part` for energy, virial and per-atom energies (not forces).
pub(crate) fn add_energies(out: &mut ForceOutput, part: &ForceOutput, weight: f64) {
    out.energy += weight * part.energy;
    for (v, p) in out.virial.iter_mut().zip(part.virial) {
        *v += weight * p;
    }
    if !part.per_atom_energy.is_empty() {
        out.per_atom_energy
            .par_iter_mut()
            .zip(part.per_atom_energy.par_iter())
            .with_min_len(4096)
            .for_each(|(e, p)| *e += weight * p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pair::{PairInteraction, PairPotential};
    use crate::{LennardJones, Morse};
    use ferromd_core::Cell;
    use ferromd_core::evaluation::evaluate_forces;
    use ferromd_core::neighbor::{NeighborSettings, Neighbors};
    use ferromd_core::potential::ForceRequest;
    use ferromd_core::system::{Species, System};

    /// A perturbed two-type fcc crystal in a triclinic cell.
    fn system() -> System {
        let h = ferromd_core::nalgebra::Matrix3::new(6.4, 0.7, -0.5, 0.0, 6.2, 0.4, 0.0, 0.0, 6.6);
        let cell = Cell::new(h, Vector3::zeros(), [true; 3]).unwrap();
        let mut s = System::new(cell, vec![Species::new("A", 1.0), Species::new("B", 2.0)]);
        let basis = [
            [0.0, 0.0, 0.0],
            [0.5, 0.5, 0.0],
            [0.5, 0.0, 0.5],
            [0.0, 0.5, 0.5],
        ];
        let mut k = 0u64;
        for a in 0..2 {
            for b in 0..2 {
                for c in 0..2 {
                    for f in basis {
                        k += 1;
                        let frac = Vector3::new(
                            (a as f64 + f[0]) / 2.0,
                            (b as f64 + f[1]) / 2.0,
                            (c as f64 + f[2]) / 2.0,
                        );
                        let wobble = Vector3::new(
                            ((k * 37) % 11) as f64 / 11.0 - 0.5,
                            ((k * 53) % 13) as f64 / 13.0 - 0.5,
                            ((k * 71) % 7) as f64 / 7.0 - 0.5,
                        ) * 0.2;
                        s.push_atom(k.is_multiple_of(3) as u32, h * frac + wobble);
                    }
                }
            }
        }
        s
    }

    fn lj() -> PairPotential<LennardJones> {
        let e = |i: usize, j: usize| (LennardJones::new(1.0 + 0.2 * (i + j) as f64, 1.0), 2.6);
        PairPotential::from_table("lj", 2, vec![e(0, 0), e(0, 1), e(1, 0), e(1, 1)])
    }

    /// Morse on the 1-1 pairs only, other pairs with a zero cutoff.
    fn morse_11(cut_others: f64) -> PairPotential<Morse> {
        let m = Morse::new(0.3, 1.7, 1.1);
        PairPotential::from_table(
            "morse",
            2,
            vec![(m, 2.9), (m, cut_others), (m, cut_others), (m, cut_others)],
        )
    }

    /// A full-list Lennard-Jones (half energy per entry), for mixing list kinds.
    struct FullListLj(PairPotential<LennardJones>);

    impl Potential for FullListLj {
        fn cutoff(&self) -> f64 {
            self.0.cutoff()
        }
        fn list_kind(&self) -> ListKind {
            ListKind::Full
        }
        fn compute(
            &self,
            input: &ForceInput<'_>,
            out: &mut ForceOutput,
        ) -> Result<(), PotentialError> {
            let x = input.positions();
            let t = input.types();
            for i in 0..input.n_local() {
                for &j in input.list.neighbors(i) {
                    let j = j as usize;
                    let (lj, rc) = self.0.pair(t[i] as usize, t[j] as usize);
                    let d = x[i] - x[j];
                    if d.norm_squared() >= rc * rc {
                        continue;
                    }
                    let (e, fpair) = lj.energy_and_force(d.norm_squared());
                    out.forces[i] += d * fpair;
                    out.energy += 0.5 * e;
                    let w = [
                        d.x * d.x,
                        d.y * d.y,
                        d.z * d.z,
                        d.x * d.y,
                        d.x * d.z,
                        d.y * d.z,
                    ];
                    for (v, w) in out.virial.iter_mut().zip(w) {
                        *v += 0.5 * fpair * w;
                    }
                    if !out.per_atom_energy.is_empty() {
                        out.per_atom_energy[i] += 0.5 * e;
                    }
                }
            }
            Ok(())
        }
        fn name(&self) -> &str {
            "full-lj"
        }
    }

    const ALL: ForceRequest = ForceRequest {
        energy: true,
        virial: true,
        per_atom_energy: true,
    };

    fn evaluate(p: &dyn Potential, system: &System) -> (ForceOutput, Vec<Vector3<f64>>) {
        let mut s = system.clone();
        let mut nb = Neighbors::new(NeighborSettings::with_skin(0.3), p.cutoff(), p.list_kind());
        nb.rebuild(&mut s).unwrap();
        let mut out = ForceOutput::new();
        evaluate_forces(&mut s, &nb, p, ALL, &mut out, 0).unwrap();
        (out, s.forces)
    }

    fn assert_same(a: &dyn Potential, b: &dyn Potential, s: &System) {
        let ((oa, fa), (ob, fb)) = (evaluate(a, s), evaluate(b, s));
        let scale = oa.energy.abs().max(1.0);
        assert!(
            (oa.energy - ob.energy).abs() < 1e-12 * scale,
            "{} {}",
            oa.energy,
            ob.energy
        );
        for k in 0..6 {
            assert!(
                (oa.virial[k] - ob.virial[k]).abs() < 1e-11 * scale,
                "virial {k}"
            );
        }
        for (x, y) in fa.iter().zip(&fb) {
            assert!((x - y).norm() < 1e-11 * scale);
        }
        for (x, y) in oa.per_atom_energy.iter().zip(&ob.per_atom_energy) {
            assert!((x - y).abs() < 1e-12 * scale);
        }
        assert_eq!(oa.per_atom_energy.len(), s.len());
    }

    /// Morse on 1-1 only: restricting the pairs equals a table whose other pairs never act.
    fn reference_sum() -> Overlay {
        let mut r = Overlay::new("reference");
        r.push(Box::new(lj()), None)
            .push(Box::new(morse_11(0.0)), None);
        r
    }

    #[test]
    fn restricted_part_sees_only_its_pairs() {
        let mut pairs = TypePairs::none(2);
        pairs.allow(0, 0);
        let mut o = Overlay::new("hybrid/overlay");
        // the restricted Morse would act on every pair if the overlay gave it all pairs
        o.push(Box::new(lj()), None)
            .push(Box::new(morse_11(2.9)), Some(pairs));
        assert_eq!(o.part_names(), ["lj", "morse"]);
        assert_eq!(o.list_kind(), ListKind::Half);
        assert_eq!(o.cutoff(), 2.9);
        let s = system();
        assert_same(&o, &reference_sum(), &s);
        // and the sum differs from LJ alone
        let (alone, _) = evaluate(&lj(), &s);
        let (sum, _) = evaluate(&o, &s);
        assert!((alone.energy - sum.energy).abs() > 1e-3);
    }

    #[test]
    fn half_list_parts_under_a_full_list() {
        let mut o = Overlay::new("hybrid/overlay");
        o.push(Box::new(FullListLj(lj())), None)
            .push(Box::new(morse_11(0.0)), None);
        assert_eq!(o.list_kind(), ListKind::Full);
        assert_same(&o, &reference_sum(), &system());
    }

    #[test]
    fn half_list_from_full_list_holds_each_pair_once() {
        // a small cell with a long cutoff: atoms see several images of themselves
        let mut s = system();
        let mut half = Neighbors::new(NeighborSettings::with_skin(0.5), 4.0, ListKind::Half);
        let mut full = Neighbors::new(NeighborSettings::with_skin(0.5), 4.0, ListKind::Full);
        half.rebuild(&mut s).unwrap();
        full.rebuild(&mut s).unwrap();
        let atoms = full.ghosts();
        let derived = full
            .list()
            .derive(ListKind::Half, |i, j| half_list_keeps(atoms, i, j));
        let key = |g: &GhostAtoms, i: usize, j: usize| {
            let (o, m) = (g.owner(j), g.image(j));
            // the pair as (lower owner, higher owner, image from lower to higher)
            if o > i || (o == i && m > [0; 3]) {
                (i, o, m)
            } else {
                (o, i, [-m[0], -m[1], -m[2]])
            }
        };
        let collect = |l: &NeighborList, g: &GhostAtoms| {
            let mut v: Vec<_> = (0..l.n_atoms())
                .flat_map(|i| l.neighbors(i).iter().map(move |&j| (i, j as usize)))
                .map(|(i, j)| key(g, i, j))
                .collect();
            v.sort();
            v
        };
        let a = collect(&derived, atoms);
        let b = collect(half.list(), half.ghosts());
        assert_eq!(a.len() * 2, full.list().n_entries());
        assert_eq!(a, b);
        assert_ne!(derived.build_id(), full.list().build_id());
    }

    #[test]
    fn forces_are_the_energy_gradient() {
        let mut pairs = TypePairs::none(2);
        pairs.allow(0, 1);
        let mut o = Overlay::new("hybrid/overlay");
        o.push(Box::new(FullListLj(lj())), None)
            .push(Box::new(morse_11(2.9)), Some(pairs));
        let s = system();
        let (_, f) = evaluate(&o, &s);
        let h = 1e-6;
        for i in [0, 5, 17] {
            for (k, &fk) in f[i].iter().enumerate() {
                let mut p = s.clone();
                p.positions[i][k] += h;
                let ep = evaluate(&o, &p).0.energy;
                p.positions[i][k] -= 2.0 * h;
                let em = evaluate(&o, &p).0.energy;
                let fd = -(ep - em) / (2.0 * h);
                assert!((fd - fk).abs() < 1e-6 * fk.abs().max(1.0), "{fd} {fk}");
            }
        }
    }

    #[test]
    fn cached_lists_follow_rebuilds() {
        let mut pairs = TypePairs::none(2);
        pairs.allow(0, 0);
        let mut o = Overlay::new("hybrid/overlay");
        o.push(Box::new(morse_11(2.9)), Some(pairs));
        let mut s = system();
        let mut nb = Neighbors::new(NeighborSettings::with_skin(0.3), o.cutoff(), o.list_kind());
        let mut out = ForceOutput::new();
        nb.rebuild(&mut s).unwrap();
        evaluate_forces(&mut s, &nb, &o, ALL, &mut out, 0).unwrap();
        // move atoms far enough to change the neighbors, rebuild: the overlay must follow
        for (k, x) in s.positions.iter_mut().enumerate() {
            x[k % 3] += 0.4 * ((k % 5) as f64 - 2.0);
        }
        nb.rebuild(&mut s).unwrap();
        evaluate_forces(&mut s, &nb, &o, ALL, &mut out, 0).unwrap();
        let (fresh, _) = evaluate(&reference_sum_morse_only(), &s);
        assert!((out.energy - fresh.energy).abs() < 1e-12 * fresh.energy.abs().max(1.0));
    }

    fn reference_sum_morse_only() -> PairPotential<Morse> {
        morse_11(0.0)
    }
}

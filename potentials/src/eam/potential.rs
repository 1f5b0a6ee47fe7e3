//! The EAM [`Potential`]: a density pass and a force pass over a half neighbor list.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ferromd_core::nalgebra::Vector3;
use ferromd_core::neighbor::ListKind;
use ferromd_core::potential::{
    Accumulator, ForceInput, ForceOutput, Potential, PotentialError, add_buffers,
};
use rayon::prelude::*;

use super::funcfl::read_funcfl;
use super::setfl::read_setfl;
use super::spline::{derivative, value};
use super::tables::EamTables;
use crate::files::{NULL_ELEMENT, PotentialFileError, find_potential_file};

/// Which EAM file format (and LAMMPS pair style) a potential comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EamStyle {
    /// `eam`: DYNAMO funcfl files, one element each.
    Funcfl,
    /// `eam/alloy`: a DYNAMO setfl file with one density function per element.
    Alloy,
    /// `eam/fs`: a Finnis-Sinclair setfl file with a density function per element pair.
    FinnisSinclair,
}

impl EamStyle {
    /// The style for a LAMMPS pair-style name (`eam`, `eam/alloy`, `eam/fs`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "eam" => Some(EamStyle::Funcfl),
            "eam/alloy" => Some(EamStyle::Alloy),
            "eam/fs" => Some(EamStyle::FinnisSinclair),
            _ => None,
        }
    }

    /// The LAMMPS pair-style name.
    pub fn name(self) -> &'static str {
        match self {
            EamStyle::Funcfl => "eam",
            EamStyle::Alloy => "eam/alloy",
            EamStyle::FinnisSinclair => "eam/fs",
        }
    }
}

/// Error raised while setting up an EAM potential.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EamError {
    /// A file could not be found, read or parsed.
    #[error(transparent)]
    File(#[from] PotentialFileError),
    /// An element of the type map is not in the file.
    #[error("element `{element}` is not in {} (it has {})", path.display(), available.join(", "))]
    UnknownElement {
        /// The element asked for.
        element: String,
        /// The file.
        path: PathBuf,
        /// The elements the file defines.
        available: Vec<String>,
    },
    /// No atom types were mapped.
    #[error("an EAM potential needs at least one atom type")]
    NoTypes,
}

/// Per-evaluation buffers kept between steps.
#[derive(Debug, Default)]
struct Scratch {
    rho: Vec<f64>,
    fp: Vec<f64>,
    thread_rho: Vec<Vec<f64>>,
    /// The neighbors within the cutoff, found by the density pass for the force pass:
    /// those of atom `i` fill the first `near_len[i]` of its list slots
    /// `offsets[i]..offsets[i + 1]`.
    near: Vec<u32>,
    near_len: Vec<u32>,
}

/// An embedded-atom potential built from LAMMPS/DYNAMO tables.
///
/// Forces, energy, virial and per-atom energies reproduce LAMMPS's `eam`, `eam/alloy`
/// and `eam/fs` (same splines, same table look-ups, same linear continuation of `F`
/// beyond the largest tabulated density).
#[derive(Debug)]
pub struct Eam {
    style: EamStyle,
    tables: EamTables,
    masses: Vec<f64>,
    cutsq: f64,
    scratch: Mutex<Scratch>,
}

impl Eam {
    /// Reads `path` (resolved by [`find_potential_file`]) as `style`, mapping atom type `t`
    /// (0-based) to element `element_map[t]`, as `pair_coeff * * file El1 El2 ...` does.
    /// A type mapped to [`NULL_ELEMENT`] is left out: its atoms have no embedding energy
    /// and neither give nor receive density or pair terms (LAMMPS's `NULL`, for types
    /// another `hybrid` sub-style handles); its mass is reported as 0.
    ///
    /// For [`EamStyle::Funcfl`] the single file serves every type; `element_map` then only
    /// gives the number of types (use [`Eam::from_funcfl_files`] for one file per type).
    pub fn from_file(
        path: impl AsRef<Path>,
        style: EamStyle,
        element_map: &[&str],
    ) -> Result<Self, EamError> {
        if element_map.is_empty() {
            return Err(EamError::NoTypes);
        }
        let path = find_potential_file(path)?;
        if style == EamStyle::Funcfl {
            return Self::from_funcfl_files(&vec![path; element_map.len()]);
        }
        if element_map.iter().all(|&el| el == NULL_ELEMENT) {
            return Err(EamError::NoTypes);
        }
        let file = read_setfl(&path, style == EamStyle::FinnisSinclair)?;
        let map = element_map
            .iter()
            .map(|&el| {
                if el == NULL_ELEMENT {
                    return Ok(None);
                }
                let e = file.elements.iter().position(|e| e == el);
                e.map(Some).ok_or_else(|| EamError::UnknownElement {
                    element: el.to_owned(),
                    path: path.clone(),
                    available: file.elements.clone(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let masses = map
            .iter()
            .map(|e| e.map_or(0.0, |e| file.masses[e]))
            .collect();
        Ok(Self::assemble(
            style,
            EamTables::from_setfl(&file, &map),
            masses,
        ))
    }

    /// A funcfl (`eam`) potential with one file per atom type (`pair_coeff i i file`).
    /// Types naming the same file share its tables.
    pub fn from_funcfl_files<P: AsRef<Path>>(paths: &[P]) -> Result<Self, EamError> {
        let paths: Vec<Option<&P>> = paths.iter().map(Some).collect();
        Self::from_funcfl_type_files(&paths)
    }

    /// As [`Eam::from_funcfl_files`], where a type without a file (`None`) is left out as
    /// a `NULL` type of [`Eam::from_file`] is (mass 0).
    pub fn from_funcfl_type_files<P: AsRef<Path>>(paths: &[Option<P>]) -> Result<Self, EamError> {
        if paths.iter().all(Option::is_none) {
            return Err(EamError::NoTypes);
        }
        let mut resolved: Vec<PathBuf> = Vec::new();
        let mut files = Vec::new();
        let mut map = Vec::with_capacity(paths.len());
        for p in paths {
            let Some(p) = p else {
                map.push(None);
                continue;
            };
            let path = find_potential_file(p)?;
            let k = match resolved.iter().position(|q| *q == path) {
                Some(k) => k,
                None => {
                    files.push(read_funcfl(&path)?);
                    resolved.push(path);
                    files.len() - 1
                }
            };
            map.push(Some(k));
        }
        let masses = map
            .iter()
            .map(|k| k.map_or(0.0, |k| files[k].mass))
            .collect();
        Ok(Self::assemble(
            EamStyle::Funcfl,
            EamTables::from_funcfl(&files, &map),
            masses,
        ))
    }

    fn assemble(style: EamStyle, tables: EamTables, masses: Vec<f64>) -> Self {
        Eam {
            style,
            cutsq: tables.cutoff * tables.cutoff,
            tables,
            masses,
            scratch: Mutex::new(Scratch::default()),
        }
    }

    /// The file format this potential was read from.
    pub fn style(&self) -> EamStyle {
        self.style
    }

    /// Atomic masses of the types, from the file(s).
    pub fn masses(&self) -> &[f64] {
        &self.masses
    }

    /// Number of atom types.
    pub fn n_types(&self) -> usize {
        self.tables.n_types
    }

    /// The spline tables.
    pub fn tables(&self) -> &EamTables {
        &self.tables
    }

    /// Grid knot and local coordinate of distance `r`.
    #[inline(always)]
    fn r_knot(&self, r: f64) -> (usize, f64) {
        let p = r * self.tables.rdr + 1.0;
        let m = (p as usize).min(self.tables.nr - 1);
        (m, (p - m as f64).min(1.0))
    }

    /// Embedding energy and its derivative for an atom of type `t` at density `rho`.
    #[inline]
    fn embed(&self, t: usize, rho: f64) -> (f64, f64) {
        let tb = &self.tables;
        let p = rho * tb.rdrho + 1.0;
        // truncation toward zero, then clamped: densities below zero use the first cubic
        let m = (p as i64).clamp(1, tb.nrho as i64 - 1) as usize;
        let p = (p - m as f64).min(1.0);
        let c = tb.frho[tb.type2frho[t]].knot(m);
        let fp = derivative(c, p);
        let mut f = value(c, p);
        if rho > tb.rhomax {
            f += fp * (rho - tb.rhomax);
        }
        (f, fp)
    }

    /// The knots of every table, as slices, for ordered type pair `(a, b)`:
    /// (density `a` contributes at `b`, density `b` contributes at `a`, `r·phi`).
    fn pair_tables(&self, a: usize, b: usize) -> [&[[f64; 7]]; 3] {
        let tb = &self.tables;
        let n = tb.n_types;
        [
            tb.rhor[tb.type2rhor[a * n + b]].knots(),
            tb.rhor[tb.type2rhor[b * n + a]].knots(),
            tb.z2r[tb.type2z2r[a * n + b]].knots(),
        ]
    }

    /// Checks the invariants that make the unchecked accesses of the pair loops valid.
    fn check_invariants(&self, input: &ForceInput<'_>, range: &Range<usize>, len: usize) {
        let tb = &self.tables;
        let n_total = input.n_total();
        // every table has knots 1..=nr and `r_knot` returns m <= nr - 1
        assert!(tb.rhor.iter().chain(&tb.z2r).all(|t| t.len() == tb.nr));
        // list entries are below n_extended (an invariant of NeighborList::build)
        assert!(input.list.n_extended() == n_total && range.end <= input.list.n_atoms());
        assert!(input.types().len() == n_total && input.positions().len() == n_total);
        assert!(len == n_total);
    }

    /// The density pass over the rows of `range`: adds the density contributions of
    /// their pairs into `rho` (extended atoms) and records the pairs within the cutoff
    /// for the force pass. `near` holds the list slots of `range`, `near_len` its rows.
    ///
    /// Types must be below `n_types` (checked by `compute`).
    fn density(
        &self,
        input: &ForceInput<'_>,
        range: Range<usize>,
        rho: &mut [f64],
        near: &mut [u32],
        near_len: &mut [u32],
    ) {
        self.check_invariants(input, &range, rho.len());
        let list = input.list;
        let offsets = list.offsets();
        let base = offsets[range.start];
        assert!(near.len() == offsets[range.end] - base && near_len.len() == range.len());
        let x = input.positions();
        let types = input.types();
        let n = self.tables.n_types;
        let tables: Vec<[&[[f64; 7]]; 3]> =
            (0..n * n).map(|k| self.pair_tables(k / n, k % n)).collect();
        for (i, count) in range.zip(near_len.iter_mut()) {
            let xi = x[i];
            let row = &tables[types[i] as usize * n..][..n];
            let slots = &mut near[offsets[i] - base..offsets[i + 1] - base];
            // Keep the neighbors within the cutoff at the front of the row's slots,
            // without a branch: about half the entries are beyond the cutoff, in no
            // predictable order.
            let mut kept = 0;
            for (k, &j) in list.neighbors(i).iter().enumerate() {
                // SAFETY: j < n_total (list invariant), checked in check_invariants.
                let xj = unsafe { x.get_unchecked(j as usize) };
                let inside = (xi - xj).norm_squared() < self.cutsq;
                // SAFETY: kept <= k < slots.len() (one slot per list entry).
                unsafe { *slots.get_unchecked_mut(kept) = j };
                kept += usize::from(inside);
                debug_assert!(kept <= k + 1);
            }
            *count = kept as u32;
            let mut rho_i = 0.0;
            for &j in &slots[..kept] {
                let j = j as usize;
                // SAFETY: j < n_total (list invariant), checked in check_invariants.
                let xj = unsafe { x.get_unchecked(j) };
                let rsq = (xi - xj).norm_squared();
                // SAFETY: types[j] < n_types, checked by compute.
                let [to_j, to_i, _] =
                    unsafe { row.get_unchecked(*types.get_unchecked(j) as usize) };
                let (m, p) = self.r_knot(rsq.sqrt());
                // SAFETY: m <= nr - 1 < knots.len(), checked.
                let at_i = value(unsafe { to_i.get_unchecked(m) }, p);
                let at_j = if std::ptr::eq(*to_i, *to_j) {
                    at_i
                } else {
                    value(unsafe { to_j.get_unchecked(m) }, p)
                };
                rho_i += at_i;
                // SAFETY: j < n_total = rho.len(), checked.
                unsafe { *rho.get_unchecked_mut(j) += at_j };
            }
            rho[i] += rho_i;
        }
    }

    /// Pair forces (and pair energies) of the pairs of `range` that the density pass
    /// kept in `near` / `near_len` (over all rows), given `fp = F'(rho)` on extended atoms.
    fn forces<const ENERGY: bool, const PER_ATOM: bool>(
        &self,
        input: &ForceInput<'_>,
        fp: &[f64],
        (near, near_len): (&[u32], &[u32]),
        range: Range<usize>,
        acc: &mut Accumulator<'_>,
    ) {
        self.check_invariants(input, &range, fp.len());
        assert!(acc.forces.len() == fp.len());
        assert!(!PER_ATOM || acc.per_atom_energy.len() == fp.len());
        let x = input.positions();
        let types = input.types();
        let offsets = input.list.offsets();
        assert!(near.len() == offsets[offsets.len() - 1] && near_len.len() == offsets.len() - 1);
        let n = self.tables.n_types;
        let tables: Vec<[&[[f64; 7]]; 3]> =
            (0..n * n).map(|k| self.pair_tables(k / n, k % n)).collect();
        let mut energy = 0.0;
        for i in range {
            let xi = x[i];
            let fp_i = fp[i];
            let row = &tables[types[i] as usize * n..][..n];
            // the density pass kept at most the row's slot count
            let kept = &near[offsets[i]..][..near_len[i] as usize];
            let mut fi = Vector3::zeros();
            for &j in kept {
                let j = j as usize;
                // SAFETY: j < n_total (list invariant), checked in check_invariants.
                let xj = unsafe { x.get_unchecked(j) };
                let d = xi - xj;
                let rsq = d.norm_squared();
                // SAFETY: types[j] < n_types (checked by compute); m <= nr - 1 <
                // knots.len(); j < fp.len(): checked.
                let (to_j, to_i, z2r, fp_j) = unsafe {
                    let [a, b, c] = row.get_unchecked(*types.get_unchecked(j) as usize);
                    (*a, *b, *c, *fp.get_unchecked(j))
                };
                let r = rsq.sqrt();
                let (m, p) = self.r_knot(r);
                let (ci, cj, cz) = unsafe {
                    (
                        to_j.get_unchecked(m),
                        to_i.get_unchecked(m),
                        z2r.get_unchecked(m),
                    )
                };
                // d(density at j from i)/dr and d(density at i from j)/dr
                let rho_ip = derivative(ci, p);
                let rho_jp = if std::ptr::eq(to_i, to_j) {
                    rho_ip
                } else {
                    derivative(cj, p)
                };
                let z2p = derivative(cz, p);
                let z2 = value(cz, p);
                let recip = 1.0 / r;
                let phi = z2 * recip;
                let phip = z2p * recip - phi * recip;
                let psip = fp_i * rho_jp + fp_j * rho_ip + phip;
                let fpair = -psip * recip;
                let f = d * fpair;
                fi += f;
                // SAFETY: j < n_total = acc.forces.len(), checked.
                unsafe { *acc.forces.get_unchecked_mut(j) -= f };
                if ENERGY {
                    energy += phi;
                }
                if PER_ATOM {
                    acc.per_atom_energy[i] += 0.5 * phi;
                    acc.per_atom_energy[j] += 0.5 * phi;
                }
            }
            acc.forces[i] += fi;
        }
        acc.energy += energy;
    }
}

impl Potential for Eam {
    fn cutoff(&self) -> f64 {
        self.tables.cutoff
    }

    fn list_kind(&self) -> ListKind {
        ListKind::Half
    }

    fn compute(&self, input: &ForceInput<'_>, out: &mut ForceOutput) -> Result<(), PotentialError> {
        let n_local = input.n_local();
        let n_total = input.n_total();
        let list = input.list;
        if list.n_atoms() != n_local || list.n_extended() != n_total {
            return Err(PotentialError::Other(
                "eam: the neighbor list does not match the atoms".into(),
            ));
        }
        if input
            .types()
            .iter()
            .any(|&t| t as usize >= self.tables.n_types)
        {
            return Err(PotentialError::Other(format!(
                "eam: an atom type is not mapped (the potential covers {} types)",
                self.tables.n_types
            )));
        }
        let mut guard = self.scratch.lock().unwrap_or_else(|e| e.into_inner());
        let scratch = &mut *guard;
        // pass 1: densities on locals and ghosts, ghosts folded onto their owners
        scratch.rho.clear();
        scratch.rho.resize(n_total, 0.0);
        scratch.near.resize(list.n_entries(), 0);
        scratch.near_len.resize(n_local, 0);
        let ranges = list.thread_ranges();
        if ranges.len() == 1 {
            self.density(
                input,
                0..n_local,
                &mut scratch.rho,
                &mut scratch.near,
                &mut scratch.near_len,
            );
        } else {
            // each thread's rows own a contiguous piece of `near` and `near_len`
            let mut pieces = Vec::with_capacity(ranges.len());
            let (mut near, mut near_len) = (&mut scratch.near[..], &mut scratch.near_len[..]);
            for r in &ranges {
                let slots = list.offsets()[r.end] - list.offsets()[r.start];
                let (a, rest) = std::mem::take(&mut near).split_at_mut(slots);
                let (b, rest_len) = std::mem::take(&mut near_len).split_at_mut(r.len());
                pieces.push((r.clone(), a, b));
                (near, near_len) = (rest, rest_len);
            }
            // the first thread adds into `rho` itself, the others into buffers
            scratch.thread_rho.resize_with(ranges.len() - 1, Vec::new);
            let buffers = scratch.thread_rho.iter_mut().map(|b| (true, b));
            std::iter::once((false, &mut scratch.rho))
                .chain(buffers)
                .zip(pieces)
                .collect::<Vec<_>>()
                .into_par_iter()
                .for_each(|((is_buffer, rho), (r, near, near_len))| {
                    if is_buffer {
                        rho.clear();
                        rho.resize(n_total, 0.0);
                    }
                    self.density(input, r, rho, near, near_len);
                });
            let buffers: Vec<&[f64]> = scratch.thread_rho.iter().map(|b| &b[..]).collect();
            add_buffers(&mut scratch.rho, &buffers);
        }
        input.atoms.fold_ghosts_into_owners(&mut scratch.rho);
        // embedding energies and F'(rho) on locals, copied to ghosts
        let types = input.types();
        scratch.fp.clear();
        scratch.fp.resize(n_total, 0.0);
        let req = input.request;
        let want_energy = req.energy || req.per_atom_energy;
        let (fp_local, fp_ghost) = scratch.fp.split_at_mut(n_local);
        let embed_energy: f64 = fp_local
            .par_iter_mut()
            .with_min_len(4096)
            .enumerate()
            .map(|(i, fp)| {
                let (f, d) = self.embed(types[i] as usize, scratch.rho[i]);
                *fp = d;
                f
            })
            .sum();
        let owners = input.atoms.ghost_owners();
        for (g, &o) in fp_ghost.iter_mut().zip(owners) {
            *g = fp_local[o as usize];
        }
        // pass 2: pair forces over the pairs the density pass kept
        let fp = &scratch.fp;
        let near = (&scratch.near[..], &scratch.near_len[..]);
        match (want_energy, req.per_atom_energy) {
            (false, _) => out.accumulate_parallel(list, |r, acc| {
                self.forces::<false, false>(input, fp, near, r, acc)
            }),
            (true, false) => out.accumulate_parallel(list, |r, acc| {
                self.forces::<true, false>(input, fp, near, r, acc)
            }),
            (true, true) => out.accumulate_parallel(list, |r, acc| {
                self.forces::<true, true>(input, fp, near, r, acc)
            }),
        }
        if want_energy {
            out.energy += embed_energy;
        }
        if req.per_atom_energy {
            let locals = types.iter().zip(&scratch.rho).take(n_local);
            for (e, (&t, &rho)) in out.per_atom_energy.iter_mut().zip(locals) {
                *e += self.embed(t as usize, rho).0;
            }
        }
        if req.virial {
            out.set_virial_from_positions(input.positions());
        }
        Ok(())
    }

    fn name(&self) -> &str {
        self.style.name()
    }
}

//! `compute rdf`, `compute msd` and `compute vacf`: global observables that thermo output
//! (`c_ID[n]`) and `fix ave/time` read.

use ferromd_core::System;
use ferromd_core::observables::msd::Msd;
use ferromd_core::observables::rdf::{Rdf, TypePair};
use ferromd_core::observables::saved::SavedState;
use ferromd_core::observables::vacf::Vacf;

use super::error::{ScriptError, ScriptResult, fail};
use super::words::{float, integer, type_range, word, yes_no};

/// What a compute measures.
#[derive(Debug, Clone)]
enum Kind {
    /// `rdf Nbin [itype jtype ...] [cutoff Rc]`: the cutoff defaults to the force cutoff,
    /// known only when a run starts.
    Rdf {
        bins: usize,
        pairs: Vec<TypePair>,
        cutoff: Option<f64>,
        ready: Option<Rdf>,
    },
    /// `msd [com yes]`: reference positions taken when the compute is defined.
    Msd(Msd),
    /// `vacf`: reference velocities taken when the compute is defined.
    Vacf(Vacf),
}

/// One defined compute.
#[derive(Debug, Clone)]
pub struct Compute {
    /// The compute ID.
    pub id: String,
    kind: Kind,
}

/// Names a compute's output shape in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A global scalar (a `fix ave/time` of one value in scalar mode).
    Scalar,
    /// A global vector of this length.
    Vector(usize),
    /// A global array with this many columns.
    Array(usize),
}

impl Compute {
    /// Parses `compute ID group STYLE args...` (the group is checked by the caller) for the
    /// current atoms.
    pub fn parse(args: &[String], system: Option<&System>) -> ScriptResult<Self> {
        let id = word(args, 0, "compute ID")?.to_string();
        let style = word(args, 2, "compute style")?;
        let rest = &args[3..];
        let Some(system) = system else {
            return fail(format!("compute {style} before a box and atoms exist"));
        };
        let kind = match style {
            "rdf" => parse_rdf(rest, system.n_types())?,
            "msd" => {
                let mut com = false;
                let mut k = 0;
                while k < rest.len() {
                    match rest[k].as_str() {
                        "com" => com = yes_no(rest, k + 1, "compute msd com")?,
                        "average" => {
                            if yes_no(rest, k + 1, "compute msd average")? {
                                return Err(ScriptError::unsupported("compute msd", "average yes"));
                            }
                        }
                        other => return fail(format!("compute msd: unknown keyword `{other}`")),
                    }
                    k += 2;
                }
                Kind::Msd(Msd::new(system, com))
            }
            "vacf" => {
                if !rest.is_empty() {
                    return fail("compute vacf takes no arguments");
                }
                Kind::Vacf(Vacf::new(system))
            }
            other => return Err(ScriptError::unsupported("compute", other)),
        };
        Ok(Compute { id, kind })
    }

    /// The reference state `write_restart` keeps (msd positions, vacf velocities; an rdf
    /// has none), as LAMMPS keeps them in the restart file.
    pub fn save(&self) -> Option<SavedState> {
        match &self.kind {
            Kind::Msd(m) => Some(m.save_state()),
            Kind::Vacf(v) => Some(v.save_state()),
            Kind::Rdf { .. } => None,
        }
    }

    /// Takes the reference saved by [`Compute::save`] for a compute of this ID, as LAMMPS's
    /// msd and vacf find theirs after `read_restart`.
    pub fn restore(&mut self, state: &SavedState) -> ScriptResult<()> {
        let r = match &mut self.kind {
            Kind::Msd(m) => m.restore_state(state),
            Kind::Vacf(v) => v.restore_state(state),
            Kind::Rdf { .. } => return Ok(()),
        };
        r.map_err(|e| {
            ScriptError::new(format!(
                "compute {}: the restart file's reference of compute {} does not fit ({e})",
                self.id, self.id
            ))
        })
    }

    /// The output shape: msd and vacf give 4-vectors, rdf an array of `1 + 2·pairs` columns.
    pub fn shape(&self) -> Shape {
        match &self.kind {
            Kind::Rdf { pairs, .. } => Shape::Array(1 + 2 * pairs.len()),
            Kind::Msd(_) | Kind::Vacf(_) => Shape::Vector(4),
        }
    }

    /// The rows of the output: rdf bins, or the 4 elements of the msd and vacf vectors.
    pub fn rows(&self) -> usize {
        match &self.kind {
            Kind::Rdf { bins, .. } => *bins,
            Kind::Msd(_) | Kind::Vacf(_) => 4,
        }
    }

    /// Resolves the rdf's default cutoff (the force cutoff) before a run.
    pub fn prepare(&mut self, force_cutoff: f64) -> ScriptResult<()> {
        if let Kind::Rdf {
            bins,
            pairs,
            cutoff,
            ready,
        } = &mut self.kind
        {
            let rc = cutoff.unwrap_or(force_cutoff);
            *ready = Some(
                Rdf::new(*bins, rc, pairs.clone())
                    .map_err(|e| ScriptError::new(format!("compute {}: {e}", self.id)))?,
            );
        }
        Ok(())
    }

    /// The global vector (msd, vacf) at the current state.
    pub fn vector(&self, system: &System) -> ScriptResult<Vec<f64>> {
        let err = |e: ferromd_core::observables::ObservableError| {
            ScriptError::new(format!("compute {}: {e}", self.id))
        };
        match &self.kind {
            Kind::Msd(m) => Ok(m.compute(system).map_err(err)?.to_vec()),
            Kind::Vacf(v) => Ok(v.compute(system).map_err(err)?.to_vec()),
            Kind::Rdf { .. } => fail(format!(
                "compute {} (rdf) gives an array, not a vector or scalar",
                self.id
            )),
        }
    }

    /// The global array (rdf) rows at the current state.
    pub fn array(&self, system: &System) -> ScriptResult<Vec<Vec<f64>>> {
        match &self.kind {
            Kind::Rdf { ready: Some(r), .. } => Ok(r
                .compute(system)
                .map_err(|e| ScriptError::new(format!("compute {}: {e}", self.id)))?
                .rows()),
            Kind::Rdf { ready: None, .. } => fail(format!(
                "compute {} is used before a run resolved its cutoff",
                self.id
            )),
            _ => fail(format!("compute {} gives a vector, not an array", self.id)),
        }
    }

    /// Element `n` (1-based) of the global vector, as `c_ID[n]` in thermo output.
    pub fn element(&self, n: usize, system: &System) -> ScriptResult<f64> {
        let v = self.vector(system)?;
        v.get(n.wrapping_sub(1)).copied().ok_or_else(|| {
            ScriptError::new(format!(
                "c_{}[{n}]: compute {} has {} values",
                self.id,
                self.id,
                v.len()
            ))
        })
    }
}

fn parse_rdf(rest: &[String], n_types: usize) -> ScriptResult<Kind> {
    let bins = integer(rest, 0, "compute rdf Nbin")?;
    if bins < 1 {
        return fail(format!("compute rdf: Nbin {bins} must be positive"));
    }
    let mut pairs = Vec::new();
    let mut cutoff = None;
    let mut k = 1;
    while k < rest.len() {
        if rest[k] == "cutoff" {
            let rc = float(rest, k + 1, "compute rdf cutoff")?;
            if rc <= 0.0 {
                return fail(format!("compute rdf: cutoff {rc} must be positive"));
            }
            cutoff = Some(rc);
            k += 2;
            continue;
        }
        let first = type_range(&rest[k], n_types)?;
        let second = type_range(word(rest, k + 1, "compute rdf jtype")?, n_types)?;
        let zero =
            |r: std::ops::RangeInclusive<usize>| (*r.start() as u32 - 1)..=(*r.end() as u32 - 1);
        pairs.push(TypePair {
            first: zero(first),
            second: zero(second),
        });
        k += 2;
    }
    if pairs.is_empty() {
        pairs.push(TypePair::all(n_types));
    }
    Ok(Kind::Rdf {
        bins: bins as usize,
        pairs,
        cutoff,
        ready: None,
    })
}

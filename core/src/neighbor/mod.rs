//! Neighbor search: periodic ghosts, cell-list binning and Verlet lists with a skin.
//!
//! [`Neighbors`] owns everything a force evaluation needs to find pairs and
//! decides, LAMMPS-style, when to rebuild: every `every` steps once `delay`
//! steps have passed since the last build, and (with `check`) only if some atom
//! moved more than half the skin.

mod bins;
pub mod brute_force;
mod ghosts;
mod list;

pub use bins::Bins;
pub use ghosts::GhostAtoms;
pub use list::{ListKind, NeighborList};

use nalgebra::{Matrix3, Vector3};
use rayon::prelude::*;

use crate::system::System;

/// Errors from neighbor-list construction.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NeighborError {
    /// The cutoff spans too many periodic images of a tiny cell.
    #[error(
        "neighbor cutoff {cutoff} spans more than 8 cell widths along axis {axis} (width {width}); \
         enlarge the cell (replicate it) or shorten the cutoff"
    )]
    CutoffTooLong {
        /// List cutoff (force cutoff + skin).
        cutoff: f64,
        /// Cell axis (0, 1, 2).
        axis: usize,
        /// Distance between the two faces normal to that axis.
        width: f64,
    },
    /// An atom left the box through a non-periodic face.
    #[error(
        "atom {id} was lost: it left the box through the non-periodic {axis} boundary at {position:?}"
    )]
    AtomLost {
        /// Atom id.
        id: u64,
        /// `"x"`, `"y"` or `"z"`.
        axis: &'static str,
        /// Its position.
        position: [f64; 3],
    },
    /// A position became NaN or infinite.
    #[error("atom {id} has a non-finite position {position:?}")]
    NonFinitePosition {
        /// Atom id.
        id: u64,
        /// Its position.
        position: [f64; 3],
    },
}

/// Neighbor-list tunables (LAMMPS `neighbor` and `neigh_modify`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NeighborSettings {
    /// Extra distance beyond the force cutoff.
    pub skin: f64,
    /// Consider rebuilding only every this many steps.
    pub every: u64,
    /// Never rebuild within this many steps of the last build.
    pub delay: u64,
    /// Rebuild only if an atom moved more than half the skin.
    pub check: bool,
}

impl NeighborSettings {
    /// LAMMPS's defaults (`every 1 delay 0 check yes`) with the given skin.
    pub fn with_skin(skin: f64) -> Self {
        NeighborSettings {
            skin,
            every: 1,
            delay: 0,
            check: true,
        }
    }
}

/// Counters describing neighbor-list activity during a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NeighborStats {
    /// Number of list builds.
    pub builds: u64,
    /// Builds on the first step the policy allowed one while atoms had already moved
    /// more than half the skin (forces may have been missed: LAMMPS's "dangerous builds").
    pub dangerous: u64,
}

/// The rebuild bookkeeping of [`Neighbors`], saved in checkpoints: with it the list
/// can be rebuilt exactly as it was and the rebuild schedule continues unchanged.
#[derive(Debug, Clone, PartialEq)]
pub struct NeighborState {
    /// Steps since the last build.
    pub steps_since_build: u64,
    /// Atom positions (already wrapped) at the last build.
    pub positions_at_build: Vec<Vector3<f64>>,
    /// Cell matrix at the last build.
    pub cell_at_build: Matrix3<f64>,
    /// Cell origin at the last build.
    pub origin_at_build: Vector3<f64>,
    /// Build counters.
    pub stats: NeighborStats,
}

/// Ghosts, bins and a Verlet list, with the rebuild policy.
#[derive(Debug, Clone)]
pub struct Neighbors {
    settings: NeighborSettings,
    ghosts: GhostAtoms,
    bins: Bins,
    list: NeighborList,
    positions_at_build: Vec<Vector3<f64>>,
    cell_at_build: (Matrix3<f64>, Vector3<f64>),
    steps_since_build: u64,
    force_cutoff: f64,
    stats: NeighborStats,
    built: bool,
}

impl Neighbors {
    /// A neighbor manager for a potential with `force_cutoff` that wants lists of `kind`.
    pub fn new(settings: NeighborSettings, force_cutoff: f64, kind: ListKind) -> Self {
        Neighbors {
            settings,
            ghosts: GhostAtoms::new(),
            bins: Bins::new(),
            list: NeighborList::new(kind),
            positions_at_build: Vec::new(),
            cell_at_build: (Matrix3::zeros(), Vector3::zeros()),
            steps_since_build: 0,
            force_cutoff,
            stats: NeighborStats::default(),
            built: false,
        }
    }

    /// The rebuild policy.
    pub fn settings(&self) -> &NeighborSettings {
        &self.settings
    }

    /// The list cutoff: force cutoff plus skin.
    pub fn list_cutoff(&self) -> f64 {
        self.force_cutoff + self.settings.skin
    }

    /// The current ghost atoms (extended positions and types).
    pub fn ghosts(&self) -> &GhostAtoms {
        &self.ghosts
    }

    /// The current Verlet list.
    pub fn list(&self) -> &NeighborList {
        &self.list
    }

    /// Build counters.
    pub fn stats(&self) -> NeighborStats {
        self.stats
    }

    /// Makes the next [`Neighbors::update`] rebuild unconditionally
    /// (after atoms were added, removed or moved by hand).
    pub fn invalidate(&mut self) {
        self.built = false;
    }

    /// Rebuilds if the policy says so (always on the first call), otherwise refreshes
    /// the ghost positions. Rebuilding wraps atoms into the cell. Returns whether it rebuilt.
    pub fn update(&mut self, system: &mut System) -> Result<bool, NeighborError> {
        if !self.built || self.needs_rebuild(system) {
            self.rebuild(system)?;
            return Ok(true);
        }
        self.steps_since_build += 1;
        self.ghosts.refresh(&system.cell, &system.positions);
        Ok(false)
    }

    /// Rebuilds only if the list was never built or invalidated, or some atom (or ghost,
    /// through a cell change) may have moved more than half the skin since the last
    /// build; otherwise refreshes the ghost positions. Unlike [`Neighbors::update`] it
    /// ignores `every`/`delay` and does not count a step (for energy evaluations outside
    /// the MD loop, e.g. minimizers). Returns whether it rebuilt.
    pub fn update_if_moved(&mut self, system: &mut System) -> Result<bool, NeighborError> {
        if !self.built
            || system.len() != self.positions_at_build.len()
            || self.moved_beyond_half_skin(system)
        {
            self.rebuild(system)?;
            return Ok(true);
        }
        self.ghosts.refresh(&system.cell, &system.positions);
        Ok(false)
    }

    fn needs_rebuild(&mut self, system: &System) -> bool {
        let ago = self.steps_since_build + 1;
        let s = &self.settings;
        if ago < s.delay || !ago.is_multiple_of(s.every.max(1)) {
            return false;
        }
        if !s.check {
            return true;
        }
        let moved = self.moved_beyond_half_skin(system);
        if moved && ago == s.delay.max(s.every) {
            self.stats.dangerous += 1;
        }
        moved
    }

    /// True if an atom (or, through a change of cell, a ghost) may have moved more than half the skin.
    fn moved_beyond_half_skin(&self, system: &System) -> bool {
        let (h0, o0) = &self.cell_at_build;
        let dh = system.cell.matrix() - h0;
        let d_origin = (system.cell.origin() - o0).norm();
        let planes = system.cell.plane_distances();
        let max_image = (self.list_cutoff() / planes.min()).ceil() + 1.0;
        let cell_motion = dh.norm() * max_image * 3f64.sqrt() + d_origin;
        let half = 0.5 * self.settings.skin - cell_motion;
        if half <= 0.0 {
            return true;
        }
        let limit = half * half;
        system
            .positions
            .par_iter()
            .with_min_len(4096)
            .zip(self.positions_at_build.par_iter())
            .any(|(x, x0)| (x - x0).norm_squared() > limit)
    }

    /// The rebuild bookkeeping, or `None` if the list was never built (or invalidated).
    pub fn state(&self) -> Option<NeighborState> {
        self.built.then(|| NeighborState {
            steps_since_build: self.steps_since_build,
            positions_at_build: self.positions_at_build.clone(),
            cell_at_build: self.cell_at_build.0,
            origin_at_build: self.cell_at_build.1,
            stats: self.stats,
        })
    }

    /// Rebuilds ghosts, bins and list from a saved [`NeighborState`], exactly as they were
    /// built at its last build (from the stored positions and cell, without wrapping
    /// anything), restores the schedule, and refreshes the ghosts to `system`'s current
    /// positions. A run continued after this takes the same steps, bit for bit, as the
    /// run the state was saved from.
    pub fn restore(&mut self, system: &System, state: NeighborState) -> Result<(), NeighborError> {
        // a cell that was valid at the build: if a damaged state gives an invalid one,
        // the atoms are treated as having non-finite positions
        let cell = crate::cell::Cell::new(
            state.cell_at_build,
            state.origin_at_build,
            system.cell.periodic(),
        )
        .map_err(|_| NeighborError::NonFinitePosition {
            id: system.ids.first().copied().unwrap_or(0),
            position: [f64::NAN; 3],
        })?;
        let cutoff = self.list_cutoff();
        self.ghosts
            .build(&cell, &state.positions_at_build, &system.types, cutoff)?;
        self.bins.build(&self.ghosts, &cell, cutoff);
        let kind = self.list.kind();
        self.list.build(kind, &self.ghosts, &self.bins, cutoff);
        self.positions_at_build = state.positions_at_build;
        self.cell_at_build = (state.cell_at_build, state.origin_at_build);
        self.steps_since_build = state.steps_since_build;
        self.stats = state.stats;
        self.built = true;
        self.ghosts.refresh(&system.cell, &system.positions);
        Ok(())
    }

    /// Wraps atoms, regenerates ghosts, bins and the list.
    pub fn rebuild(&mut self, system: &mut System) -> Result<(), NeighborError> {
        wrap_and_check(system)?;
        let cutoff = self.list_cutoff();
        self.ghosts
            .build(&system.cell, &system.positions, &system.types, cutoff)?;
        self.bins.build(&self.ghosts, &system.cell, cutoff);
        let kind = self.list.kind();
        self.list.build(kind, &self.ghosts, &self.bins, cutoff);
        self.positions_at_build.clear();
        self.positions_at_build.extend_from_slice(&system.positions);
        self.cell_at_build = (*system.cell.matrix(), system.cell.origin());
        self.steps_since_build = 0;
        self.stats.builds += 1;
        self.built = true;
        Ok(())
    }
}

/// How far (in fractional units) outside a non-periodic face an atom may sit before it is
/// lost: atoms placed exactly on a face must survive the rounding of `to_fractional`.
const FACE_TOLERANCE: f64 = 1e-10;

/// Wraps positions into the cell along periodic axes and checks that no atom
/// left through a non-periodic face or became non-finite.
pub fn wrap_and_check(system: &mut System) -> Result<(), NeighborError> {
    let cell = system.cell.clone();
    let periodic = cell.periodic();
    const AXES: [&str; 3] = ["x", "y", "z"];
    let bad = system
        .positions
        .par_iter_mut()
        .zip(system.images.par_iter_mut())
        .zip(system.ids.par_iter())
        .with_min_len(4096)
        .map(|((x, img), &id)| {
            if x.iter().any(|v| !v.is_finite()) {
                return Some(NeighborError::NonFinitePosition {
                    id,
                    position: [x.x, x.y, x.z],
                });
            }
            *x = cell.wrap(x, img);
            if periodic.iter().all(|&p| p) {
                return None;
            }
            let s = cell.to_fractional(x);
            (0..3)
                .find(|&k| {
                    !periodic[k] && !(-FACE_TOLERANCE..=1.0 + FACE_TOLERANCE).contains(&s[k])
                })
                .map(|k| NeighborError::AtomLost {
                    id,
                    axis: AXES[k],
                    position: [x.x, x.y, x.z],
                })
        })
        .find_first(|e| e.is_some())
        .flatten();
    match bad {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

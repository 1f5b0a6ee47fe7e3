//! Binary checkpoints from which a run continues bit for bit as if it had never stopped.
//!
//! # Format (version 2, all numbers little-endian)
//!
//! | Offset | Size | Content |
//! | --- | --- | --- |
//! | 0 | 8 | magic `FRMDCKPT` |
//! | 8 | 4 | format version (`u32`, 2) |
//! | 12 | 4 | reserved, 0 |
//! | 16 | 8 | payload length in bytes (`u64`) |
//! | 24 | 8 | FNV-1a 64-bit hash of the payload |
//! | 32 | … | payload |
//!
//! The payload holds the step, unit system, timestep and neighbor settings, the cell, the
//! species, every per-atom array (positions, velocities, forces, masses, types, ids,
//! images), the energy and virial of the last force evaluation, the neighbor-list
//! bookkeeping, the integrator's name and [state](crate::Integrator::save_state), the
//! potential's name and cutoff, free `(key, u64)` pairs for the caller (the run
//! driver records the lengths of its output files there), and the accumulated state of
//! the caller's observables (running averages, reference positions, sampling windows):
//! a `u64` count, then per observable its key, its integers (`u64` count, values) and its
//! reals (`u64` count, values). A system with charges appends them last (`u64` count
//! equal to the atom count, then one `f64` per atom); files without that block are
//! uncharged systems.
//!
//! Version 1 files (before observables were saved) still load, with no observable state;
//! a caller that needs one says so naming the observable.
//!
//! # Exact continuation
//!
//! A checkpoint is taken between steps. Positions are stored as they are (not wrapped),
//! and the neighbor list is *not* rebuilt on restart: the positions and cell of its last
//! build are stored with the steps since that build, and
//! [`Simulation::from_checkpoint`](crate::Simulation::from_checkpoint)
//! rebuilds ghosts, bins and list from those build positions, so that the continued run
//! finds the same pairs, refreshes the same ghosts and rebuilds (and wraps atoms) at
//! exactly the steps the uninterrupted run does. Forces, energy and virial are restored
//! rather than recomputed. Random numbers: Langevin noise is keyed by the step; CSVR
//! stores its generator position.
//!
//! Files are written to a temporary file in the same directory, synced, then renamed over
//! the target, so a crash never leaves a half-written checkpoint under the final name.
//! Every problem reading one is an error naming the file and byte offset, never a panic.

use std::io::Write;
use std::path::{Path, PathBuf};

use nalgebra::{Matrix3, Vector3};

use crate::cell::Cell;
use crate::neighbor::{NeighborSettings, NeighborState, NeighborStats};
use crate::observables::saved::SavedState;
use crate::potential::Virial;
use crate::simulation::IntegrationParameters;
use crate::system::{Species, System};
use crate::units::UnitSystem;

/// The first 8 bytes of every checkpoint.
pub const MAGIC: [u8; 8] = *b"FRMDCKPT";
/// The format version this build writes.
pub const VERSION: u32 = 2;
/// The oldest format version this build reads (version 1 has no observable states).
pub const OLDEST_READABLE: u32 = 1;
const HEADER: usize = 32;

/// Why a checkpoint could not be read, written or used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{}{message}",
    path.as_ref().map(|p| format!("{}: ", p.display())).unwrap_or_default(),
    offset.map(|o| format!("byte offset {o}: ")).unwrap_or_default())]
pub struct CheckpointError {
    /// The checkpoint file, when known.
    pub path: Option<PathBuf>,
    /// Byte offset in the file where the problem was found (`None` for problems that
    /// are not about the bytes, e.g. a checkpoint from another integrator).
    pub offset: Option<u64>,
    /// What is wrong.
    pub message: String,
}

impl CheckpointError {
    fn at(offset: usize, message: impl Into<String>) -> Self {
        CheckpointError {
            path: None,
            offset: Some(offset as u64),
            message: message.into(),
        }
    }

    /// An error not tied to a byte offset.
    pub fn general(message: impl Into<String>) -> Self {
        CheckpointError {
            path: None,
            offset: None,
            message: message.into(),
        }
    }

    /// The same error, naming `path`.
    pub fn in_file(mut self, path: &Path) -> Self {
        self.path = Some(path.to_path_buf());
        self
    }
}

/// The complete state of a [`Simulation`](crate::Simulation) between two steps.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    /// The step just completed.
    pub step: u64,
    /// Unit system.
    pub units: UnitSystem,
    /// Timestep and neighbor settings.
    pub params: IntegrationParameters,
    /// Atoms and cell, with the forces of the last evaluation.
    pub system: System,
    /// Potential energy of the last force evaluation, if it was computed at `step`.
    pub energy: Option<f64>,
    /// Virial of the last force evaluation, if it was computed at `step`.
    pub virial: Option<Virial>,
    /// Neighbor-list bookkeeping (`None`: never built).
    pub neighbor: Option<NeighborState>,
    /// The integrator's [`name`](crate::Integrator::name).
    pub integrator_name: String,
    /// The integrator's [saved state](crate::Integrator::save_state).
    pub integrator_state: Vec<f64>,
    /// The potential's name.
    pub potential_name: String,
    /// The potential's cutoff.
    pub potential_cutoff: f64,
    /// Free key/value pairs for the caller (e.g. lengths of output files).
    pub extra: Vec<(String, u64)>,
    /// The caller's observables, each under a key of its choosing (empty in version 1
    /// files).
    pub observables: Vec<(String, SavedState)>,
}

/// 64-bit FNV-1a hash.
pub fn fnv1a64(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Little-endian payload writer.
struct Out(Vec<u8>);

impl Out {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn f64(&mut self, v: f64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn vecs(&mut self, v: &[Vector3<f64>]) {
        for x in v {
            for c in x.iter() {
                self.f64(*c);
            }
        }
    }
    fn mat(&mut self, m: &Matrix3<f64>) {
        for x in m.as_slice() {
            self.f64(*x);
        }
    }
}

/// Little-endian payload reader; offsets in errors are file offsets.
struct In<'a> {
    data: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> In<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], CheckpointError> {
        if self.data.len() - self.pos < n {
            return Err(CheckpointError::at(
                self.base + self.pos,
                format!("payload ends while reading {what} (truncated or corrupted)"),
            ));
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn offset(&self) -> usize {
        self.base + self.pos
    }
    fn u8(&mut self, what: &str) -> Result<u8, CheckpointError> {
        Ok(self.take(1, what)?[0])
    }
    fn bool(&mut self, what: &str) -> Result<bool, CheckpointError> {
        let at = self.offset();
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(CheckpointError::at(
                at,
                format!("{what}: {b} is not a flag"),
            )),
        }
    }
    fn u32(&mut self, what: &str) -> Result<u32, CheckpointError> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes(b.try_into().unwrap_or([0; 4])))
    }
    fn u64(&mut self, what: &str) -> Result<u64, CheckpointError> {
        let b = self.take(8, what)?;
        Ok(u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
    }
    fn f64(&mut self, what: &str) -> Result<f64, CheckpointError> {
        let b = self.take(8, what)?;
        Ok(f64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
    }
    /// A count of items of `item_size` bytes each, checked against the bytes left.
    fn count(&mut self, item_size: usize, what: &str) -> Result<usize, CheckpointError> {
        let at = self.offset();
        let n = self.u64(what)?;
        let left = (self.data.len() - self.pos) as u64;
        if n.saturating_mul(item_size.max(1) as u64) > left {
            return Err(CheckpointError::at(
                at,
                format!("{what} {n} does not fit in the {left} bytes left (corrupted?)"),
            ));
        }
        Ok(n as usize)
    }
    fn str(&mut self, what: &str) -> Result<String, CheckpointError> {
        let n = self.count(1, what)?;
        let at = self.offset();
        let b = self.take(n, what)?;
        String::from_utf8(b.to_vec())
            .map_err(|_| CheckpointError::at(at, format!("{what} is not UTF-8")))
    }
    fn vecs(&mut self, n: usize, what: &str) -> Result<Vec<Vector3<f64>>, CheckpointError> {
        (0..n)
            .map(|_| {
                Ok(Vector3::new(
                    self.f64(what)?,
                    self.f64(what)?,
                    self.f64(what)?,
                ))
            })
            .collect()
    }
    fn mat(&mut self, what: &str) -> Result<Matrix3<f64>, CheckpointError> {
        let mut v = [0.0; 9];
        for x in &mut v {
            *x = self.f64(what)?;
        }
        Ok(Matrix3::from_column_slice(&v))
    }
}

impl Checkpoint {
    /// The checkpoint as bytes: header, then payload.
    pub fn to_bytes(&self) -> Vec<u8> {
        let s = &self.system;
        let n = s.len();
        let mut o = Out(Vec::with_capacity(256 + n * 140));
        o.u64(self.step);
        o.str(&self.units.to_string());
        o.f64(self.params.dt);
        let nb = &self.params.neighbor;
        o.f64(nb.skin);
        o.u64(nb.every);
        o.u64(nb.delay);
        o.u8(nb.check as u8);
        o.u32(s.dimension as u32);
        o.mat(s.cell.matrix());
        o.vecs(&[s.cell.origin()]);
        for p in s.cell.periodic() {
            o.u8(p as u8);
        }
        o.u64(s.species.len() as u64);
        for sp in &s.species {
            o.str(&sp.name);
            o.f64(sp.mass);
        }
        o.u64(n as u64);
        o.vecs(&s.positions);
        o.vecs(&s.velocities);
        o.vecs(&s.forces);
        for &m in &s.masses {
            o.f64(m);
        }
        for &t in &s.types {
            o.u32(t);
        }
        for &id in &s.ids {
            o.u64(id);
        }
        for img in &s.images {
            for &k in img {
                o.u32(k as u32);
            }
        }
        o.u8(self.energy.is_some() as u8);
        o.f64(self.energy.unwrap_or(0.0));
        o.u8(self.virial.is_some() as u8);
        for w in self.virial.unwrap_or([0.0; 6]) {
            o.f64(w);
        }
        match &self.neighbor {
            None => o.u8(0),
            Some(st) => {
                o.u8(1);
                o.u64(st.steps_since_build);
                o.u64(st.stats.builds);
                o.u64(st.stats.dangerous);
                o.mat(&st.cell_at_build);
                o.vecs(&[st.origin_at_build]);
                o.u64(st.positions_at_build.len() as u64);
                o.vecs(&st.positions_at_build);
            }
        }
        o.str(&self.integrator_name);
        o.u64(self.integrator_state.len() as u64);
        for &x in &self.integrator_state {
            o.f64(x);
        }
        o.str(&self.potential_name);
        o.f64(self.potential_cutoff);
        o.u64(self.extra.len() as u64);
        for (k, v) in &self.extra {
            o.str(k);
            o.u64(*v);
        }
        o.u64(self.observables.len() as u64);
        for (k, state) in &self.observables {
            o.str(k);
            o.u64(state.integers.len() as u64);
            for &v in &state.integers {
                o.u64(v);
            }
            o.u64(state.reals.len() as u64);
            for &v in &state.reals {
                o.f64(v);
            }
        }
        if let Some(q) = &s.charges {
            o.u64(q.len() as u64);
            for &x in q {
                o.f64(x);
            }
        }
        let payload = o.0;
        let mut out = Vec::with_capacity(HEADER + payload.len());
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(&fnv1a64(&payload).to_le_bytes());
        out.extend_from_slice(&payload);
        out
    }

    /// Parses checkpoint bytes, checking magic, version, length and checksum first.
    pub fn from_bytes(bytes: &[u8]) -> Result<Checkpoint, CheckpointError> {
        if bytes.len() < HEADER {
            return Err(CheckpointError::at(
                bytes.len(),
                format!(
                    "file ends after {} bytes, inside the {HEADER}-byte header (truncated)",
                    bytes.len()
                ),
            ));
        }
        if bytes[..8] != MAGIC {
            return Err(CheckpointError::at(
                0,
                "not a ferromd checkpoint (the file does not start with FRMDCKPT)",
            ));
        }
        let word = |k: usize| u64::from_le_bytes(bytes[k..k + 8].try_into().unwrap_or([0; 8]));
        let version = u32::from_le_bytes(bytes[8..12].try_into().unwrap_or([0; 4]));
        if !(OLDEST_READABLE..=VERSION).contains(&version) {
            return Err(CheckpointError::at(
                8,
                format!(
                    "checkpoint format version {version}; this ferromd reads versions \
                     {OLDEST_READABLE} to {VERSION}"
                ),
            ));
        }
        if bytes[12..16] != [0; 4] {
            return Err(CheckpointError::at(
                12,
                "reserved header bytes are not zero (corrupted)",
            ));
        }
        let len = word(16);
        let have = (bytes.len() - HEADER) as u64;
        if len != have {
            return Err(CheckpointError::at(
                if len > have {
                    bytes.len()
                } else {
                    HEADER + len as usize
                },
                format!(
                    "the header announces {len} payload bytes but the file has {have} \
                     after the header ({})",
                    if len > have {
                        "truncated"
                    } else {
                        "trailing bytes"
                    }
                ),
            ));
        }
        let payload = &bytes[HEADER..];
        let sum = fnv1a64(payload);
        if sum != word(24) {
            return Err(CheckpointError::at(
                24,
                format!(
                    "checksum mismatch: the payload (bytes {HEADER}..{}) is corrupted",
                    bytes.len()
                ),
            ));
        }
        let mut r = In {
            data: payload,
            pos: 0,
            base: HEADER,
        };
        let ck = Self::parse_payload(&mut r, version)?;
        if r.pos != payload.len() {
            return Err(CheckpointError::at(
                r.offset(),
                "unexpected bytes after the payload",
            ));
        }
        Ok(ck)
    }

    fn parse_payload(r: &mut In<'_>, version: u32) -> Result<Checkpoint, CheckpointError> {
        let step = r.u64("the step")?;
        let at = r.offset();
        let units: UnitSystem = r
            .str("the unit system")?
            .parse()
            .map_err(|e: crate::units::UnknownUnits| CheckpointError::at(at, e.to_string()))?;
        let dt = r.f64("the timestep")?;
        let neighbor = NeighborSettings {
            skin: r.f64("the skin")?,
            every: r.u64("neighbor every")?,
            delay: r.u64("neighbor delay")?,
            check: r.bool("neighbor check")?,
        };
        let at = r.offset();
        let dimension = r.u32("the dimension")? as usize;
        if dimension != 2 && dimension != 3 {
            return Err(CheckpointError::at(at, format!("dimension {dimension}")));
        }
        let at = r.offset();
        let h = r.mat("the cell")?;
        let origin = r.vecs(1, "the cell origin")?[0];
        let mut periodic = [true; 3];
        for p in &mut periodic {
            *p = r.bool("a periodicity flag")?;
        }
        let cell = Cell::new(h, origin, periodic)
            .map_err(|e| CheckpointError::at(at, format!("bad cell: {e}")))?;
        let n_species = r.count(12, "the species count")?;
        let mut species = Vec::with_capacity(n_species);
        for _ in 0..n_species {
            let name = r.str("a species name")?;
            let mass = r.f64("a species mass")?;
            species.push(Species::new(name, mass));
        }
        // per atom: 3 vectors (72) + mass (8) + type (4) + id (8) + images (12)
        let n = r.count(104, "the atom count")?;
        let mut system = System::new(cell, species);
        system.dimension = dimension;
        system.positions = r.vecs(n, "positions")?;
        system.velocities = r.vecs(n, "velocities")?;
        system.forces = r.vecs(n, "forces")?;
        system.masses = (0..n).map(|_| r.f64("masses")).collect::<Result<_, _>>()?;
        let at = r.offset();
        system.types = (0..n).map(|_| r.u32("types")).collect::<Result<_, _>>()?;
        system.ids = (0..n).map(|_| r.u64("ids")).collect::<Result<_, _>>()?;
        system.images = (0..n)
            .map(|_| {
                Ok([
                    r.u32("image flags")? as i32,
                    r.u32("image flags")? as i32,
                    r.u32("image flags")? as i32,
                ])
            })
            .collect::<Result<_, CheckpointError>>()?;
        system
            .validate()
            .map_err(|e| CheckpointError::at(at, format!("inconsistent atoms: {e}")))?;
        let has_energy = r.bool("the energy flag")?;
        let energy = r.f64("the energy")?;
        let has_virial = r.bool("the virial flag")?;
        let mut virial = [0.0; 6];
        for w in &mut virial {
            *w = r.f64("the virial")?;
        }
        let neighbor_state = if r.bool("the neighbor flag")? {
            let steps_since_build = r.u64("steps since the last build")?;
            let stats = NeighborStats {
                builds: r.u64("the build count")?,
                dangerous: r.u64("the dangerous-build count")?,
            };
            let at = r.offset();
            let cell_at_build = r.mat("the cell at the last build")?;
            let origin_at_build = r.vecs(1, "the origin at the last build")?[0];
            Cell::new(cell_at_build, origin_at_build, periodic)
                .map_err(|e| CheckpointError::at(at, format!("bad cell at build: {e}")))?;
            let at = r.offset();
            let m = r.count(24, "the count of positions at the last build")?;
            if m != n {
                return Err(CheckpointError::at(
                    at,
                    format!("{m} positions at the last build for {n} atoms"),
                ));
            }
            Some(NeighborState {
                steps_since_build,
                positions_at_build: r.vecs(m, "positions at the last build")?,
                cell_at_build,
                origin_at_build,
                stats,
            })
        } else {
            None
        };
        let integrator_name = r.str("the integrator name")?;
        let k = r.count(8, "the integrator state length")?;
        let integrator_state = (0..k)
            .map(|_| r.f64("the integrator state"))
            .collect::<Result<_, _>>()?;
        let potential_name = r.str("the potential name")?;
        let potential_cutoff = r.f64("the potential cutoff")?;
        let n_extra = r.count(16, "the count of extra entries")?;
        let extra = (0..n_extra)
            .map(|_| Ok((r.str("an extra key")?, r.u64("an extra value")?)))
            .collect::<Result<_, CheckpointError>>()?;
        let observables = if version >= 2 {
            let n = r.count(24, "the count of observable states")?;
            (0..n)
                .map(|_| {
                    let key = r.str("an observable key")?;
                    let ni = r.count(8, "the count of observable integers")?;
                    let integers = (0..ni)
                        .map(|_| r.u64("observable integers"))
                        .collect::<Result<_, _>>()?;
                    let nr = r.count(8, "the count of observable reals")?;
                    let reals = (0..nr)
                        .map(|_| r.f64("observable reals"))
                        .collect::<Result<_, _>>()?;
                    Ok((key, SavedState { integers, reals }))
                })
                .collect::<Result<_, CheckpointError>>()?
        } else {
            Vec::new()
        };
        if r.pos < r.data.len() {
            let at = r.offset();
            let m = r.count(8, "the charge count")?;
            if m != system.len() {
                return Err(CheckpointError::at(
                    at,
                    format!("{m} charges for {} atoms", system.len()),
                ));
            }
            system.charges = Some((0..m).map(|_| r.f64("charges")).collect::<Result<_, _>>()?);
        }
        Ok(Checkpoint {
            step,
            units,
            params: IntegrationParameters { dt, neighbor },
            system,
            energy: has_energy.then_some(energy),
            virial: has_virial.then_some(virial),
            neighbor: neighbor_state,
            integrator_name,
            integrator_state,
            potential_name,
            potential_cutoff,
            extra,
            observables,
        })
    }

    /// Writes the checkpoint to `path` atomically: to `path` + `.tmp` in the same
    /// directory, synced to disk, then renamed over `path`.
    pub fn write(&self, path: &Path) -> Result<(), CheckpointError> {
        let io = |e: std::io::Error, what: &str| {
            CheckpointError::general(format!("cannot {what}: {e}")).in_file(path)
        };
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let bytes = self.to_bytes();
        {
            let mut f =
                std::fs::File::create(&tmp).map_err(|e| io(e, "create the temporary file"))?;
            f.write_all(&bytes).map_err(|e| io(e, "write"))?;
            f.sync_all().map_err(|e| io(e, "sync"))?;
        }
        std::fs::rename(&tmp, path).map_err(|e| io(e, "rename the temporary file"))?;
        Ok(())
    }

    /// Reads a checkpoint file; errors name the file and the byte offset.
    pub fn read(path: &Path) -> Result<Checkpoint, CheckpointError> {
        let bytes = std::fs::read(path).map_err(|e| {
            CheckpointError::general(format!("cannot read checkpoint: {e}")).in_file(path)
        })?;
        Self::from_bytes(&bytes).map_err(|e| e.in_file(path))
    }

    /// Checks that the checkpoint was written with an integrator named `integrator` and
    /// a potential named `potential` with this cutoff (bit for bit): a run continues only
    /// with the kinds that wrote it.
    pub fn check_kinds(
        &self,
        potential: &str,
        cutoff: f64,
        integrator: &str,
    ) -> Result<(), CheckpointError> {
        if integrator != self.integrator_name {
            return Err(CheckpointError::general(format!(
                "the checkpoint was written with integrator `{}`, not `{integrator}`",
                self.integrator_name
            )));
        }
        if potential != self.potential_name || cutoff.to_bits() != self.potential_cutoff.to_bits() {
            return Err(CheckpointError::general(format!(
                "the checkpoint was written with potential `{}` (cutoff {}), not `{potential}` (cutoff {cutoff})",
                self.potential_name, self.potential_cutoff
            )));
        }
        Ok(())
    }

    /// The saved state of the observable under `key`.
    pub fn observable(&self, key: &str) -> Option<&SavedState> {
        self.observables
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, s)| s)
    }

    /// The value of an [`Checkpoint::extra`] entry.
    pub fn extra(&self, key: &str) -> Option<u64> {
        self.extra.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Checkpoint {
        let mut system = System::new(
            Cell::triclinic_lammps(
                Vector3::zeros(),
                Vector3::new(4.0, 5.0, 6.0),
                [0.5, 0.0, -0.25],
            )
            .unwrap(),
            vec![Species::new("Cu", 63.5), Species::new("Ag", 107.9)],
        );
        for i in 0..5 {
            let k = system.push_atom((i % 2) as u32, Vector3::new(0.3 * i as f64, 1.0 / 3.0, 0.1));
            system.velocities[k] = Vector3::new(-0.1, 0.2 * i as f64, 1e-300);
            system.forces[k] = Vector3::new(1.0, -2.0, std::f64::consts::PI);
            system.images[k] = [i, -i, 2];
        }
        Checkpoint {
            step: 1234,
            units: UnitSystem::Metal,
            params: IntegrationParameters::defaults_for(UnitSystem::Metal),
            neighbor: Some(NeighborState {
                steps_since_build: 7,
                positions_at_build: system.positions.clone(),
                cell_at_build: *system.cell.matrix(),
                origin_at_build: Vector3::zeros(),
                stats: NeighborStats {
                    builds: 3,
                    dangerous: 1,
                },
            }),
            system,
            energy: Some(-12.5),
            virial: None,
            integrator_name: "csvr".into(),
            integrator_state: vec![0.5, f64::from_bits(42)],
            potential_name: "lj/cut".into(),
            potential_cutoff: 5.0,
            extra: vec![("output:traj.extxyz".into(), 4096)],
            observables: vec![(
                "msd.dat".into(),
                SavedState {
                    integers: vec![2, 17],
                    reals: vec![0.25, f64::from_bits(7)],
                },
            )],
        }
    }

    #[test]
    fn bytes_round_trip() {
        let a = sample();
        let bytes = a.to_bytes();
        let b = Checkpoint::from_bytes(&bytes).unwrap();
        assert_eq!(b.to_bytes(), bytes);
        assert_eq!(b.system.positions, a.system.positions);
        assert_eq!(b.system.images, a.system.images);
        assert_eq!(b.system.cell, a.system.cell);
        assert_eq!(b.neighbor, a.neighbor);
        assert_eq!(b.integrator_state[1].to_bits(), 42);
        assert_eq!(b.extra("output:traj.extxyz"), Some(4096));
        assert_eq!((b.energy, b.virial), (Some(-12.5), None));
        assert_eq!(b.observable("msd.dat"), a.observable("msd.dat"));
        assert_eq!(b.observable("msd.dat").unwrap().reals[1].to_bits(), 7);
    }

    /// A version 1 file: this checkpoint's bytes without the observable block.
    fn version_1_bytes(ck: &Checkpoint) -> Vec<u8> {
        let mut without = ck.clone();
        without.observables.clear();
        let bytes = without.to_bytes();
        // the empty observable block is the 8-byte count 0 right before the charges
        // (or the end); version 1 had neither the block nor its count
        let charges = ck.system.charges.as_ref().map_or(0, |q| 8 + 8 * q.len());
        let cut = bytes.len() - charges - 8;
        assert_eq!(bytes[cut..cut + 8], [0; 8]);
        let mut payload = bytes[HEADER..cut].to_vec();
        payload.extend_from_slice(&bytes[cut + 8..]);
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&1u32.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(&fnv1a64(&payload).to_le_bytes());
        out.extend_from_slice(&payload);
        out
    }

    #[test]
    fn version_1_files_load_without_observable_states() {
        let mut a = sample();
        a.system.charges = Some(vec![0.5, -0.25, 1.0, 0.0, -1.25]);
        let b = Checkpoint::from_bytes(&version_1_bytes(&a)).unwrap();
        assert!(b.observables.is_empty());
        assert_eq!(b.system.charges, a.system.charges);
        assert_eq!(b.extra, a.extra);
        assert_eq!(b.system.positions, a.system.positions);
        // a version from the future is refused at the version field
        let mut future = a.to_bytes();
        future[8..12].copy_from_slice(&(VERSION + 1).to_le_bytes());
        let e = Checkpoint::from_bytes(&future).unwrap_err();
        assert_eq!(e.offset, Some(8), "{e}");
        assert!(e.to_string().contains("version 3"), "{e}");
    }

    #[test]
    fn charges_round_trip_and_their_absence_too() {
        let mut a = sample();
        assert!(
            Checkpoint::from_bytes(&a.to_bytes())
                .unwrap()
                .system
                .charges
                .is_none()
        );
        a.system.charges = Some(vec![0.5, -0.25, 1.0 / 3.0, 0.0, -1e-300]);
        let bytes = a.to_bytes();
        let b = Checkpoint::from_bytes(&bytes).unwrap();
        assert_eq!(b.system.charges, a.system.charges);
        assert_eq!(b.to_bytes(), bytes);
        // a charge count that does not match the atoms is an error with an offset
        a.system.charges = Some(vec![1.0; 4]);
        assert!(
            Checkpoint::from_bytes(&a.to_bytes())
                .unwrap_err()
                .offset
                .is_some()
        );
    }

    #[test]
    fn every_truncation_and_every_flipped_byte_is_an_error_with_an_offset() {
        let bytes = sample().to_bytes();
        for len in 0..bytes.len() {
            let e = Checkpoint::from_bytes(&bytes[..len]).unwrap_err();
            assert!(e.offset.is_some(), "{e}");
            assert!(e.to_string().contains("byte offset"), "{e}");
        }
        for k in 0..bytes.len() {
            let mut b = bytes.clone();
            b[k] ^= 0x10;
            let e = Checkpoint::from_bytes(&b).unwrap_err();
            assert!(e.offset.is_some(), "byte {k}: {e}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Checkpoint::from_bytes(&longer).is_err());
    }

    #[test]
    fn payload_errors_are_caught_even_with_a_valid_checksum() {
        // a payload damaged before the checksum was computed: parse errors, never panics
        let bytes = sample().to_bytes();
        for k in HEADER..bytes.len() {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut b = bytes.clone();
                b[k] ^= flip;
                let sum = fnv1a64(&b[HEADER..]);
                b[24..32].copy_from_slice(&sum.to_le_bytes());
                if let Err(e) = Checkpoint::from_bytes(&b) {
                    assert!(e.offset.is_some_and(|o| o as usize >= HEADER), "{e}");
                }
            }
        }
    }

    #[test]
    fn files_are_written_atomically_and_errors_name_them() {
        let dir = std::env::temp_dir().join(format!("ferromd-ckpt-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("run.ckpt");
        sample().write(&p).unwrap();
        assert!(!dir.join("run.ckpt.tmp").exists());
        let bytes = std::fs::read(&p).unwrap();
        assert_eq!(Checkpoint::read(&p).unwrap().step, 1234);
        std::fs::write(&p, &bytes[..bytes.len() - 10]).unwrap();
        let e = Checkpoint::read(&p).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!(
                "{}: byte offset {}",
                p.display(),
                bytes.len() - 10
            )),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

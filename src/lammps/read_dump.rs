//! `read_dump FILE Nstep FIELD... [box yes|no] [replace yes|no] [purge yes|no] [trim
//! yes|no] [add yes|keep|no] [format native]`: replaces fields of the current atoms with
//! those of the snapshot at `Nstep` of a LAMMPS text dump (core's dump reader, as decks
//! use), matching atoms by id, as LAMMPS does:
//!
//! * `x y z`: positions; image flags stay as they are unless `ix iy iz` are read too,
//!   except that unwrapped (`xu`) positions reset them (the unwrapped position then
//!   carries the whole displacement);
//! * `vx vy vz`, `ix iy iz`: velocities and image flags (the dump must have them);
//! * `box yes` (the default) takes the snapshot's box and tilt, keeping the boundary
//!   conditions;
//! * `purge yes` deletes every atom first (then `replace` and `trim` must be `no`);
//!   `replace no` leaves the atoms the snapshot has unchanged; `trim yes` deletes the
//!   atoms the snapshot does not have (otherwise they are left unchanged);
//! * `add yes|keep` adds the snapshot's atoms the system does not have, with the
//!   dump's `type` column and the fields read (at least `x y z`), in snapshot order:
//!   `keep` keeps their ids, `yes` numbers them on from the largest id (after trimming);
//!   with `add no` (the default) they are ignored.
//!
//! The caller resets the timestep to `Nstep`, as LAMMPS does.

use std::collections::HashMap;
use std::path::Path;

use ferromd_core::System;
use ferromd_core::io::lammps_dump::{DumpFrame, parse_lammps_dump};

use super::error::{ScriptError, ScriptResult, fail};
use super::retain_atoms::retain_atoms;
use super::words::{integer, word, yes_no};

/// What a `read_dump` did, for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadDumpReport {
    /// The snapshot's timestep.
    pub step: u64,
    /// Atoms in the snapshot.
    pub in_snapshot: usize,
    /// Atoms deleted by `purge yes`.
    pub purged: usize,
    /// Atoms of the system that were replaced.
    pub replaced: usize,
    /// Atoms deleted by `trim yes`.
    pub trimmed: usize,
    /// Snapshot atoms added by `add yes|keep`.
    pub added: usize,
    /// Atoms after the read.
    pub after: usize,
}

/// How the snapshot's atoms that the system does not have are treated (`add`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Add {
    /// Ignored.
    No,
    /// Added with new ids after the largest one.
    Renumber,
    /// Added with their ids.
    Keep,
}

/// The keywords after the fields.
#[derive(Debug, Clone, Copy)]
struct Keywords {
    take_box: bool,
    replace: bool,
    purge: bool,
    trim: bool,
    add: Add,
}

/// Which per-atom fields are read: `[x, y, z]`, `[vx, vy, vz]`, `[ix, iy, iz]`.
#[derive(Debug, Default)]
struct Fields {
    position: [bool; 3],
    velocity: [bool; 3],
    image: [bool; 3],
}

/// Runs `read_dump` with `args` (after the command name) on `system`.
pub fn read_dump(args: &[String], system: &mut System) -> ScriptResult<ReadDumpReport> {
    let file = word(args, 0, "dump file")?;
    let step = integer(args, 1, "read_dump Nstep")?;
    if step < 0 {
        return fail(format!("read_dump: Nstep {step} must not be negative"));
    }
    let step = step as u64;
    let mut fields = Fields::default();
    let mut k = 2;
    while let Some(w) = args.get(k) {
        let slot = match w.as_str() {
            "x" => &mut fields.position[0],
            "y" => &mut fields.position[1],
            "z" => &mut fields.position[2],
            "vx" => &mut fields.velocity[0],
            "vy" => &mut fields.velocity[1],
            "vz" => &mut fields.velocity[2],
            "ix" => &mut fields.image[0],
            "iy" => &mut fields.image[1],
            "iz" => &mut fields.image[2],
            "q" => return Err(ScriptError::unsupported("read_dump field", "q")),
            _ => break,
        };
        *slot = true;
        k += 1;
    }
    if k == 2 {
        return fail("read_dump needs at least one field (x y z vx vy vz ix iy iz)");
    }
    let mut keys = Keywords {
        take_box: true,
        replace: true,
        purge: false,
        trim: false,
        add: Add::No,
    };
    while k < args.len() {
        let key = args[k].as_str();
        match key {
            "box" => keys.take_box = yes_no(args, k + 1, "read_dump box")?,
            "replace" => keys.replace = yes_no(args, k + 1, "read_dump replace")?,
            "purge" => keys.purge = yes_no(args, k + 1, "read_dump purge")?,
            "trim" => keys.trim = yes_no(args, k + 1, "read_dump trim")?,
            "add" => {
                keys.add = match word(args, k + 1, "read_dump add")? {
                    "yes" => Add::Renumber,
                    "keep" => Add::Keep,
                    "no" => Add::No,
                    other => {
                        return fail(format!("read_dump add `{other}`: expected yes, keep or no"));
                    }
                }
            }
            "format" if word(args, k + 1, "read_dump format")? == "native" => {}
            "format" => {
                return Err(ScriptError::unsupported(
                    "read_dump",
                    &format!("{key} {}", args[k + 1]),
                ));
            }
            other => return Err(ScriptError::unsupported("read_dump", other)),
        }
        k += 2;
    }
    if keys.purge && (keys.replace || keys.trim) {
        return fail(
            "read_dump purge yes cannot replace or trim (give replace no, and no trim yes)",
        );
    }
    if keys.add != Add::No && !fields.position.iter().all(|&p| p) {
        return fail("read_dump add needs the fields x y z for the atoms it adds");
    }
    let frame = snapshot(Path::new(file), step)?;
    apply(&frame, &fields, keys, system)
        .map_err(|e| ScriptError::new(format!("read_dump {file}: {}", e.message)))
}

/// The first snapshot at `step` in the dump `path`.
fn snapshot(path: &Path, step: u64) -> ScriptResult<DumpFrame> {
    let name = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| ScriptError::new(format!("read_dump: cannot open {name}: {e}")))?;
    let frames = parse_lammps_dump(&text)
        .map_err(|e| ScriptError::new(format!("read_dump: dump file {name} {e}")))?;
    let steps: Vec<String> = frames.iter().map(|f| f.step.to_string()).collect();
    frames.into_iter().find(|f| f.step == step).ok_or_else(|| {
        ScriptError::new(format!(
            "read_dump: dump file {name} has no snapshot at timestep {step} (it has {})",
            steps.join(", ")
        ))
    })
}

/// Purges, replaces, trims and adds atoms of `system` from the snapshot as `keys` say.
fn apply(
    frame: &DumpFrame,
    fields: &Fields,
    keys: Keywords,
    system: &mut System,
) -> ScriptResult<ReadDumpReport> {
    if fields.velocity.contains(&true) && frame.velocities.is_none() {
        return fail("the dump has no vx vy vz columns");
    }
    if fields.image.contains(&true) && !frame.has_images {
        return fail("the dump has no ix iy iz columns");
    }
    if keys.add != Add::No && frame.types.is_none() {
        return fail("the dump has no type column, which read_dump add needs");
    }
    let purged = if keys.purge { system.len() } else { 0 };
    if keys.purge {
        retain_atoms(system, &[]);
    }
    if keys.take_box {
        let cell = frame
            .cell()
            .map_err(|e| ScriptError::new(format!("snapshot box: {e}")))?;
        system.cell = cell.with_periodicity(system.cell.periodic());
    }
    let index: HashMap<u64, usize> = system
        .ids
        .iter()
        .enumerate()
        .map(|(i, &id)| (id, i))
        .collect();
    let mut in_snapshot = vec![false; system.len()];
    let mut new_atoms = Vec::new();
    let mut replaced = 0;
    for (k, id) in frame.ids.iter().enumerate() {
        let Some(&i) = index.get(id) else {
            new_atoms.push(k);
            continue;
        };
        in_snapshot[i] = true;
        if keys.replace {
            replaced += 1;
            set_fields(system, i, frame, k, fields);
        }
    }
    let mut trimmed = 0;
    if keys.trim {
        let keep: Vec<usize> = (0..system.len()).filter(|&i| in_snapshot[i]).collect();
        trimmed = system.len() - keep.len();
        retain_atoms(system, &keep);
    }
    let mut added = 0;
    if keys.add != Add::No {
        let types = frame.types.as_ref().expect("checked above");
        let mut next_id = system.ids.iter().max().copied().unwrap_or(0) + 1;
        for k in new_atoms {
            let t = types[k];
            if t == 0 || t > system.n_types() {
                return fail(format!(
                    "atom {} of the snapshot has type {t}, outside 1..{}",
                    frame.ids[k],
                    system.n_types()
                ));
            }
            let id = match keys.add {
                Add::Keep => frame.ids[k],
                _ => {
                    next_id += 1;
                    next_id - 1
                }
            };
            let i = system.push_atom_with_id(t as u32 - 1, frame.positions[k], id);
            set_fields(system, i, frame, k, fields);
            added += 1;
        }
    }
    Ok(ReadDumpReport {
        step: frame.step,
        in_snapshot: frame.ids.len(),
        purged,
        replaced,
        trimmed,
        added,
        after: system.len(),
    })
}

/// Sets the fields read of atom `i` to those of snapshot atom `k`.
fn set_fields(system: &mut System, i: usize, frame: &DumpFrame, k: usize, fields: &Fields) {
    for d in 0..3 {
        if fields.position[d] {
            system.positions[i][d] = frame.positions[k][d];
            if frame.unwrapped {
                system.images[i][d] = 0;
            }
        }
        if fields.image[d] {
            system.images[i][d] = frame.images[k][d];
        }
        if let (true, Some(v)) = (fields.velocity[d], &frame.velocities) {
            system.velocities[i][d] = v[k][d];
        }
    }
}

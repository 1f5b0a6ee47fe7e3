//! `read_dump FILE Nstep FIELD... [box yes|no] [replace yes] [purge no] [trim no]
//! [add no] [format native]`: replaces fields of the current atoms with those of the
//! snapshot at `Nstep` of a LAMMPS text dump (core's dump reader, as decks use), matching
//! atoms by id, as LAMMPS does:
//!
//! * `x y z`: positions; image flags stay as they are unless `ix iy iz` are read too,
//!   except that unwrapped (`xu`) positions reset them (the unwrapped position then
//!   carries the whole displacement);
//! * `vx vy vz`, `ix iy iz`: velocities and image flags (the dump must have them);
//! * `box yes` (the default) takes the snapshot's box and tilt, keeping the boundary
//!   conditions; snapshot atoms that the system does not have are ignored, and atoms
//!   missing from the snapshot are left unchanged.
//!
//! The caller resets the timestep to `Nstep`, as LAMMPS does.

use std::collections::HashMap;
use std::path::Path;

use ferromd_core::System;
use ferromd_core::io::lammps_dump::{DumpFrame, parse_lammps_dump};

use super::error::{ScriptError, ScriptResult, fail};
use super::words::{integer, word, yes_no};

/// What a `read_dump` did, for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadDumpReport {
    /// The snapshot's timestep.
    pub step: u64,
    /// Atoms in the snapshot.
    pub in_snapshot: usize,
    /// Atoms of the system that were replaced.
    pub replaced: usize,
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
    let mut take_box = true;
    while k < args.len() {
        let key = args[k].as_str();
        match key {
            "box" => take_box = yes_no(args, k + 1, "read_dump box")?,
            "replace" if yes_no(args, k + 1, "read_dump replace")? => {}
            "purge" | "trim" | "add" if !yes_no(args, k + 1, key)? => {}
            "format" if word(args, k + 1, "read_dump format")? == "native" => {}
            "replace" | "purge" | "trim" | "add" | "format" => {
                return Err(ScriptError::unsupported(
                    "read_dump",
                    &format!("{key} {}", args[k + 1]),
                ));
            }
            other => return Err(ScriptError::unsupported("read_dump", other)),
        }
        k += 2;
    }
    let frame = snapshot(Path::new(file), step)?;
    apply(&frame, &fields, take_box, system)
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

/// Replaces the requested fields of `system`'s atoms with the snapshot's.
fn apply(
    frame: &DumpFrame,
    fields: &Fields,
    take_box: bool,
    system: &mut System,
) -> ScriptResult<ReadDumpReport> {
    if fields.velocity.contains(&true) && frame.velocities.is_none() {
        return fail("the dump has no vx vy vz columns");
    }
    if fields.image.contains(&true) && !frame.has_images {
        return fail("the dump has no ix iy iz columns");
    }
    if take_box {
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
    let mut replaced = 0;
    for (k, id) in frame.ids.iter().enumerate() {
        let Some(&i) = index.get(id) else {
            continue;
        };
        replaced += 1;
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
    Ok(ReadDumpReport {
        step: frame.step,
        in_snapshot: frame.ids.len(),
        replaced,
    })
}

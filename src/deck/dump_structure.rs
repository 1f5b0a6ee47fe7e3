//! `[structure] file = "run.dump"`: starting a deck from a frame of a LAMMPS dump.
//!
//! The frame's box (tilt and periodicity included), positions (wrapped with image flags,
//! unwrapped or scaled), ids and velocities are taken over. Atoms are matched to species
//! by the `element` column when the dump has one, else type `k` is the deck's k-th
//! `[[species]]`.

use std::path::Path;

use ferromd_core::io::lammps_dump::parse_lammps_dump;
use ferromd_core::{Species, System};

use super::DeckError;

/// Whether `text` looks like a LAMMPS dump.
pub(super) fn is_dump(text: &str) -> bool {
    text.trim_start().starts_with("ITEM: TIMESTEP")
}

/// The atoms of frame `frame` (negative: counted from the end, -1 the last) of the dump
/// `text` read from `file`.
pub(super) fn system_from_dump(
    text: &str,
    file: &Path,
    frame: i64,
    species: &[Species],
) -> Result<System, DeckError> {
    let frames = parse_lammps_dump(text)
        .map_err(|e| DeckError::general(file, e.message.clone()).with_location(e.line))?;
    let n = frames.len() as i64;
    let index = if frame < 0 { n + frame } else { frame };
    if !(0..n).contains(&index) {
        return Err(DeckError::general(
            file,
            format!(
                "frame {frame} does not exist: the dump has {n} frames (0..{})",
                n - 1
            ),
        )
        .with_hint("set [structure] frame = 0 for the first frame or -1 for the last"));
    }
    let f = &frames[index as usize];
    let cell = f
        .cell()
        .map_err(|e| DeckError::general(file, format!("frame at step {}: {e}", f.step)))?;
    let mut system = System::new(cell, species.to_vec());
    for k in 0..f.ids.len() {
        let t = match (&f.elements, &f.types) {
            (Some(e), _) => species.iter().position(|s| s.name == e[k]).ok_or_else(|| {
                DeckError::general(
                    file,
                    format!(
                        "atom {} has element `{}`, which the deck does not define",
                        f.ids[k], e[k]
                    ),
                )
                .with_hint(format!("add [[species]] name = \"{}\"", e[k]))
            })?,
            (None, Some(t)) if t[k] <= species.len() => t[k] - 1,
            (None, Some(t)) => {
                return Err(DeckError::general(
                    file,
                    format!(
                        "atom {} has type {}, but the deck defines {} species",
                        f.ids[k],
                        t[k],
                        species.len()
                    ),
                )
                .with_hint("type k of the dump is the deck's k-th [[species]]"));
            }
            (None, None) if species.len() == 1 => 0,
            (None, None) => {
                return Err(DeckError::general(
                    file,
                    "the dump has neither a type nor an element column and the deck defines \
                     several species",
                ));
            }
        };
        let i = system.push_atom_with_id(t as u32, f.positions[k], f.ids[k]);
        system.images[i] = f.images[k];
        if let Some(v) = &f.velocities {
            system.velocities[i] = v[k];
        }
    }
    Ok(system)
}

//! `set`: per-atom properties. Supported: `set type T charge Q` and `set atom I charge Q`
//! (`T` and `I` may be ranges such as `*` or `2*4`).

use ferromd_core::System;

use super::error::{ScriptError, ScriptResult, fail};
use super::words::{float, word};

/// Applies one `set` command to `system`; returns the number of atoms changed.
pub fn set_command(args: &[String], system: &mut System) -> ScriptResult<usize> {
    let selector = word(args, 0, "set style (type or atom)")?;
    let range = word(args, 1, "set type or atom range")?;
    let keyword = word(args, 2, "set keyword")?;
    if args.len() > 4 {
        return fail(format!(
            "set takes one keyword and value, found extra `{}`",
            args[4]
        ));
    }
    let n_types = system.n_types();
    let max_id = system.ids.iter().copied().max().unwrap_or(0) as usize;
    let selected: Vec<usize> = match selector {
        "type" => {
            let r = super::words::type_range(range, n_types)?;
            (0..system.len())
                .filter(|&i| r.contains(&(system.types[i] as usize + 1)))
                .collect()
        }
        "atom" => {
            let r = id_range(range, max_id)?;
            (0..system.len())
                .filter(|&i| r.contains(&system.ids[i]))
                .collect()
        }
        other => return Err(ScriptError::unsupported("set", other)),
    };
    match keyword {
        "charge" => {
            let q = float(args, 3, "charge")?;
            let Some(charges) = system.charges.as_mut() else {
                return fail(
                    "cannot set attribute charge for atom style atomic (use atom_style charge)",
                );
            };
            for &i in &selected {
                charges[i] = q;
            }
        }
        other => return Err(ScriptError::unsupported("set", other)),
    }
    Ok(selected.len())
}

/// An atom id range: `N`, `*`, `N*`, `*M` or `N*M`.
fn id_range(w: &str, max_id: usize) -> ScriptResult<std::ops::RangeInclusive<u64>> {
    let bad = || ScriptError::new(format!("invalid atom id range `{w}`"));
    let parse = |s: &str, default: usize| -> ScriptResult<u64> {
        if s.is_empty() {
            Ok(default as u64)
        } else {
            s.parse::<u64>().map_err(|_| bad())
        }
    };
    let (lo, hi) = match w.split_once('*') {
        Some((a, b)) => (parse(a, 1)?, parse(b, max_id)?),
        None => {
            let v = parse(w, 0)?;
            (v, v)
        }
    };
    if lo == 0 || lo > hi {
        return Err(bad());
    }
    Ok(lo..=hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferromd_core::nalgebra::Vector3;
    use ferromd_core::{Cell, Species};

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn sets_charges_by_type_and_by_id() {
        let mut s = System::new(
            Cell::cubic(10.0).unwrap(),
            vec![Species::new("Na", 23.0), Species::new("Cl", 35.5)],
        );
        for k in 0..6 {
            s.push_atom(k % 2, Vector3::new(k as f64, 0.0, 0.0));
        }
        assert!(set_command(&words("type 1 charge 1.0"), &mut s).is_err());
        s.enable_charges();
        assert_eq!(set_command(&words("type 1 charge 1.0"), &mut s).unwrap(), 3);
        assert_eq!(
            set_command(&words("type 2 charge -1.0"), &mut s).unwrap(),
            3
        );
        assert_eq!(
            set_command(&words("atom 5* charge 0.5"), &mut s).unwrap(),
            2
        );
        assert_eq!(
            s.charges.as_deref().unwrap(),
            &[1.0, -1.0, 1.0, -1.0, 0.5, 0.5]
        );
        assert!(set_command(&words("type 3 charge 1"), &mut s).is_err());
        assert!(set_command(&words("type 1 mass 1"), &mut s).is_err());
        assert!(set_command(&words("group all charge 1"), &mut s).is_err());
        assert!(set_command(&words("atom 0 charge 1"), &mut s).is_err());
    }
}

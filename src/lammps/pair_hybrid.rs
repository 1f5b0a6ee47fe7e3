//! `pair_style hybrid` and `hybrid/overlay`: several sub-styles, each on the type pairs its
//! `pair_coeff I J SUBSTYLE ...` lines name, summed by [`Overlay`].
//!
//! As in LAMMPS, `hybrid` assigns each type pair to one sub-style (a later `pair_coeff`
//! replaces an earlier one) while `hybrid/overlay` adds every sub-style named for a pair;
//! `pair_coeff I J none` leaves a pair without interaction. A pair no line names is mixed
//! by the sub-style that alone handles both like pairs, and is an error otherwise.
//! A style may be listed several times (`hybrid eam/alloy eam/alloy lj/cut 5.0`); its
//! `pair_coeff` lines then give the instance's number after its name.
//!
//! A sub-style that maps types to elements (`pair_coeff * * eam/alloy FILE Cu NULL`) takes
//! only the pairs of types not mapped to `NULL`, as LAMMPS's sub-styles set only those;
//! the types a sub-style has no pair of are left out of it altogether (LAMMPS's skip
//! lists), which matters for EAM, whose embedding term would otherwise act on them.

use ferromd_core::Potential;
use ferromd_potentials::{NULL_ELEMENT, Overlay, TypePairs};

use super::error::{ScriptError, ScriptResult, fail};
use super::pair_coulomb::{COULOMB_STYLES, coulomb_global_args};
use super::pair_styles::{PAIR_STYLES, global_args};
use super::words::type_range;

/// The hybrid pair styles.
pub const HYBRID_STYLES: &[&str] = &["hybrid", "hybrid/overlay"];

/// One sub-style of a hybrid: its name and `pair_style` arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct SubStyle {
    /// Style name, e.g. `"zbl"`.
    pub name: String,
    /// Its global arguments.
    pub args: Vec<String>,
}

/// Smallest and largest number of global arguments of a style that may be a sub-style,
/// `None` if unknown.
fn sub_style_args(style: &str) -> Option<(usize, usize)> {
    match style {
        s if PAIR_STYLES.contains(&s) => Some((global_args(s), global_args(s))),
        s if COULOMB_STYLES.contains(&s) => Some(coulomb_global_args(s)),
        "zbl" | "table" => Some((2, 2)),
        "eam" | "eam/alloy" | "eam/fs" | "tersoff" | "tersoff/mod" | "sw" => Some((0, 0)),
        // the ferromd keywords head, charge, spin_multiplicity with their values
        "e3gnn" | "mace" | "nequip" => Some((0, 6)),
        _ => None,
    }
}

/// Splits the arguments of a style made of sub-styles (`hybrid`, `hybrid/overlay`,
/// `committee`) into sub-styles: each word that names a style starts one, the words after
/// it are its arguments, which are checked. A style may appear more than once; its
/// `pair_coeff` lines then number its instances.
pub fn parse_sub_styles(style: &str, args: &[String]) -> ScriptResult<Vec<SubStyle>> {
    let mut subs: Vec<SubStyle> = Vec::new();
    for w in args {
        if HYBRID_STYLES.contains(&w.as_str()) || w == "committee" {
            return fail(format!("pair_style {style} cannot contain {w}"));
        }
        if w == "no_domain_decomposition" && subs.last().is_some_and(|s| s.name == "mace") {
            // pair_style mace's only keyword: what ferromd does anyway
            continue;
        }
        if sub_style_args(w).is_some() {
            subs.push(SubStyle {
                name: w.clone(),
                args: Vec::new(),
            });
        } else if let Some(last) = subs.last_mut() {
            last.args.push(w.clone());
        } else {
            return Err(ScriptError::unsupported(&format!("pair_style {style}"), w));
        }
    }
    if subs.is_empty() {
        return fail(format!("pair_style {style} needs at least one sub-style"));
    }
    for s in &subs {
        let (lo, hi) = sub_style_args(&s.name).expect("known");
        if s.args.len() < lo || s.args.len() > hi {
            let n = if lo == hi {
                lo.to_string()
            } else {
                format!("{lo} to {hi}")
            };
            return fail(format!(
                "pair_style {style}: sub-style {} takes {n} argument(s), got {} ({})",
                s.name,
                s.args.len(),
                s.args.join(" ")
            ));
        }
        // table's first argument is its interpolation style, the rest are numbers;
        // TorchScript styles take keywords
        let keywords = matches!(s.name.as_str(), "e3gnn" | "mace" | "nequip");
        let numeric = if s.name == "table" { 1 } else { 0 };
        if let Some(bad) = s.args[numeric..]
            .iter()
            .find(|a| !keywords && a.parse::<f64>().is_err())
        {
            return fail(format!(
                "pair_style {style}: sub-style {} argument `{bad}` is not a number",
                s.name
            ));
        }
    }
    Ok(subs)
}

/// The sub-style a `pair_coeff I J SUBSTYLE [N] ARGS...` line of a hybrid names (index
/// into `subs`; `None` for `none`) and the line as that sub-style reads it, `I J ARGS...`.
/// A sub-style listed more than once in `pair_style` is followed by its number `N` (1 for
/// the first of that name), as in LAMMPS.
pub fn coeff_target(
    style: &str,
    subs: &[SubStyle],
    c: &[String],
) -> ScriptResult<(Option<usize>, Vec<String>)> {
    let Some(name) = c.get(2) else {
        return fail(format!("pair_coeff for {style} needs I J SUBSTYLE ..."));
    };
    let mut line = c[..2].to_vec();
    if name == "none" {
        return Ok((None, line));
    }
    // a committee's sub-styles are its members
    let noun = if style == "committee" {
        "member"
    } else {
        "sub-style"
    };
    let same: Vec<usize> = (0..subs.len()).filter(|&k| &subs[k].name == name).collect();
    let (k, rest) = match same.as_slice() {
        [] => {
            return fail(format!(
                "pair_coeff {}: `{name}` is not a {noun} of this pair_style {style}",
                c.join(" ")
            ));
        }
        [k] => (*k, &c[3..]),
        _ => {
            let n = same.len();
            let number = c.get(3).map(String::as_str).unwrap_or("");
            match number.parse::<usize>() {
                Ok(m) if (1..=n).contains(&m) => (same[m - 1], &c[4..]),
                _ => {
                    return fail(format!(
                        "pair_coeff {}: {noun} {name} appears {n} times in pair_style \
                         {style}; give the instance (1 to {n}) after {name}, found `{number}`",
                        c.join(" ")
                    ));
                }
            }
        }
    };
    line.extend_from_slice(rest);
    Ok((Some(k), line))
}

/// How messages name sub-style `k`: its name, with its number when the name is used twice.
fn label(subs: &[SubStyle], k: usize) -> String {
    let name = &subs[k].name;
    if subs.iter().filter(|s| &s.name == name).count() > 1 {
        let m = subs[..=k].iter().filter(|s| &s.name == name).count();
        format!("{name} {m}")
    } else {
        name.clone()
    }
}

/// The sub-styles whose `pair_coeff * * FILE EL1 EL2 ...` maps each type to an element
/// of a file, `NULL` leaving the type to other sub-styles.
const ELEMENT_MAP_STYLES: &[&str] = &["eam/alloy", "eam/fs", "tersoff", "tersoff/mod", "sw"];

/// What a sub-style is built from: its lines (without the sub-style word) and which type
/// pairs and types it handles.
#[derive(Debug, Clone)]
pub struct SubStyleInput<'a> {
    /// The sub-style.
    pub style: &'a SubStyle,
    /// Its `pair_coeff` lines as `I J ARGS...`.
    pub coeffs: Vec<Vec<String>>,
    /// True if the sub-style acts on some type pairs only: pairs it has no
    /// coefficients for must then be left without interaction rather than be errors.
    pub partial: bool,
    /// Per 0-based type: whether the sub-style handles some pair of it. Its atoms of the
    /// other types must take part in none of its terms.
    pub types: Vec<bool>,
}

/// The types (0-based) the line `I J FILE EL...` of element-map sub-style `name` leaves out
/// by mapping them to `NULL`; none for other lines.
fn null_types(name: &str, line: &[String], n_types: usize) -> Vec<bool> {
    let mut null = vec![false; n_types];
    if ELEMENT_MAP_STYLES.contains(&name) && line.len() == 3 + n_types {
        for (t, el) in line[3..].iter().enumerate() {
            null[t] = el == NULL_ELEMENT;
        }
    }
    null
}

/// Builds `pair_style hybrid` or `hybrid/overlay` from its sub-styles and `pair_coeff`
/// lines; `build` makes one sub-style's potential.
pub fn build_hybrid(
    style: &str,
    subs: &[SubStyle],
    coeffs: &[Vec<String>],
    n_types: usize,
    build: impl Fn(SubStyleInput<'_>) -> ScriptResult<Box<dyn Potential>>,
) -> ScriptResult<Box<dyn Potential>> {
    let overlay = style == "hybrid/overlay";
    let n = n_types;
    // per type pair (row-major, symmetric): set by some line, and the sub-styles on it
    let mut set = vec![false; n * n];
    let mut map: Vec<Vec<usize>> = vec![Vec::new(); n * n];
    let mut lines: Vec<Vec<Vec<String>>> = vec![Vec::new(); subs.len()];
    for c in coeffs {
        let (k, line) = coeff_target(style, subs, c)?;
        let (ri, rj) = (type_range(&c[0], n)?, type_range(&c[1], n)?);
        let null = null_types(&c[2], &line, n);
        for i in ri {
            for j in rj.clone() {
                if j < i || null[i - 1] || null[j - 1] {
                    continue;
                }
                for (a, b) in [(i - 1, j - 1), (j - 1, i - 1)] {
                    set[a * n + b] = true;
                    let m = &mut map[a * n + b];
                    match k {
                        None => m.clear(),
                        Some(k) if overlay => {
                            if !m.contains(&k) {
                                m.push(k);
                            }
                        }
                        Some(k) => *m = vec![k],
                    }
                }
            }
        }
        if let Some(k) = k {
            lines[k].push(line);
        }
    }
    // unset unlike pairs: mixed by the one sub-style of both like pairs
    for i in 0..n {
        for j in 0..n {
            if set[i * n + j] {
                continue;
            }
            let (mi, mj) = (&map[i * n + i], &map[j * n + j]);
            if mi.len() == 1 && mi == mj && set[i * n + i] && set[j * n + j] {
                map[i * n + j] = mi.clone();
            } else {
                return fail(format!(
                    "all pair coeffs are not set: pair_style {style} has no sub-style for type pair {} {}",
                    i.min(j) + 1,
                    i.max(j) + 1
                ));
            }
        }
    }
    let mut sum = Overlay::new(style);
    for (k, sub) in subs.iter().enumerate() {
        let mut pairs = TypePairs::none(n);
        for i in 0..n {
            for j in 0..n {
                if map[i * n + j].contains(&k) {
                    pairs.allow(i, j);
                }
            }
        }
        let partial = !pairs.is_all();
        let types: Vec<bool> = (0..n)
            .map(|i| (0..n).any(|j| pairs.contains(i, j)))
            .collect();
        if !types.contains(&true) && !lines[k].is_empty() {
            // LAMMPS: "Pair hybrid sub-style is not used"
            return fail(format!(
                "pair_style {style}: sub-style {} is not used (no type pair is left to it)",
                label(subs, k)
            ));
        }
        let mut coeffs = std::mem::take(&mut lines[k]);
        if coeffs.is_empty() {
            return fail(format!(
                "all pair coeffs are not set: sub-style {} of pair_style {style} has no pair_coeff line",
                label(subs, k)
            ));
        }
        let analytic =
            PAIR_STYLES.contains(&sub.name.as_str()) || COULOMB_STYLES.contains(&sub.name.as_str());
        if partial && analytic {
            coeffs = with_fillers(coeffs, &pairs, n);
        }
        let potential = build(SubStyleInput {
            style: sub,
            coeffs,
            partial,
            types,
        })
        .map_err(|e| {
            ScriptError::new(format!(
                "pair_style {style} sub-style {}: {e}",
                label(subs, k)
            ))
        })?;
        sum.push(potential, Some(pairs));
    }
    Ok(Box::new(sum))
}

/// Prepends, for every type pair outside `pairs`, a copy of the first line's coefficients,
/// so an analytic sub-style that acts on some pairs only can be assembled (it needs every
/// pair set or mixed); the overlay never gives it those pairs, so the copies never act.
/// Pairs inside `pairs` keep their own or mixed coefficients: a copy is never put on a
/// like pair whose type belongs to the sub-style.
fn with_fillers(coeffs: Vec<Vec<String>>, pairs: &TypePairs, n: usize) -> Vec<Vec<String>> {
    let rest: Vec<String> = coeffs[0][2..].to_vec();
    let mut out = Vec::new();
    for i in 0..n {
        for j in i..n {
            if !pairs.contains(i, j) {
                let mut line = vec![(i + 1).to_string(), (j + 1).to_string()];
                line.extend(rest.iter().cloned());
                out.push(line);
            }
        }
    }
    out.extend(coeffs);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn sub_styles_take_their_arguments() {
        let subs =
            parse_sub_styles("hybrid/overlay", &words("eam/alloy zbl 4.0 5.0 lj/cut 2.5")).unwrap();
        assert_eq!(subs.len(), 3);
        assert_eq!(subs[1].args, words("4.0 5.0"));
        assert_eq!(subs[2].args, words("2.5"));
        assert!(parse_sub_styles("hybrid/overlay", &words("zbl 4.0")).is_err());
        assert!(parse_sub_styles("hybrid/overlay", &words("4.0 zbl 1 2")).is_err());
        assert!(parse_sub_styles("hybrid/overlay", &words("zbl 1 x")).is_err());
        let twice = parse_sub_styles("hybrid", &words("zbl 1 2 lj/cut 2.5 zbl 1 3")).unwrap();
        let line = |w: &str| coeff_target("hybrid", &twice, &words(w));
        assert_eq!(
            line("1 1 zbl 2 13 13").unwrap(),
            (Some(2), words("1 1 13 13"))
        );
        assert_eq!(line("1 2 lj/cut 1 1").unwrap(), (Some(1), words("1 2 1 1")));
        assert_eq!(line("2 2 none").unwrap(), (None, words("2 2")));
        let err = line("1 1 zbl 13 13").unwrap_err().to_string();
        assert!(
            err.contains("give the instance (1 to 2) after zbl, found `13`"),
            "{err}"
        );
        assert_eq!(label(&twice, 2), "zbl 2");
    }

    #[test]
    fn fillers_never_touch_the_handled_pairs() {
        let mut pairs = TypePairs::none(3);
        pairs.allow(0, 0).allow(0, 2).allow(2, 2);
        let lines = with_fillers(vec![words("1 1 1.0 1.0"), words("3 3 2.0 1.0")], &pairs, 3);
        let filled: Vec<(String, String)> = lines
            .iter()
            .take(lines.len() - 2)
            .map(|l| (l[0].clone(), l[1].clone()))
            .collect();
        let expect =
            [("1", "2"), ("2", "2"), ("2", "3")].map(|(a, b)| (a.to_string(), b.to_string()));
        assert_eq!(filled, expect);
    }
}

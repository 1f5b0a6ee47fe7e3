//! `pair_style`/`pair_coeff` for the analytic pair styles, built into ferromd potentials.

use ferromd_core::Potential;
use ferromd_potentials::{
    Born, Buckingham, CoefficientTable, LennardJones, LjCutBuilder, Mixing, Morse, PairInteraction,
    PairPotential, Shifted, ShiftedForce, Soft, TailCorrected, Yukawa,
};

use super::error::{ScriptError, ScriptResult, fail};
use super::words::{float, type_range};

/// Analytic pair styles ferromd implements.
pub const PAIR_STYLES: &[&str] = &[
    "lj/cut",
    "lj/smooth/linear",
    "morse",
    "buck",
    "born",
    "yukawa",
    "soft",
];

/// Number of global `pair_style` arguments (the last is the global cutoff).
pub fn global_args(style: &str) -> usize {
    if style == "yukawa" { 2 } else { 1 }
}

/// Per-pair coefficient count (without the optional cutoff).
fn coeff_count(style: &str) -> usize {
    match style {
        "lj/cut" | "lj/smooth/linear" => 2,
        "morse" | "buck" => 3,
        "born" => 5,
        _ => 1,
    }
}

/// Builds an analytic pair style from its `pair_style` arguments and `pair_coeff` lines.
pub fn build_pair(
    style: &str,
    args: &[String],
    coeffs: &[Vec<String>],
    shift: bool,
    tail: bool,
    mixing: Mixing,
    n_types: usize,
) -> ScriptResult<Box<dyn Potential>> {
    if tail && style != "lj/cut" {
        return Err(ScriptError::unsupported(
            &format!("pair_modify tail yes with pair_style {style}"),
            "",
        ));
    }
    let (rc, lines) = parse_coeffs(style, args, coeffs, n_types)?;
    let pair_err = |e: ferromd_potentials::PairError| {
        ScriptError::new(format!("all pair coeffs are not set: {e}"))
    };
    match style {
        "lj/cut" => {
            let b = lj_builder(n_types, rc, shift, mixing, &lines)?;
            let lj = Box::new(b.build().map_err(pair_err)?);
            if !tail {
                return Ok(lj);
            }
            let pairs: Vec<(f64, f64, f64)> = b
                .resolved()
                .map_err(pair_err)?
                .iter()
                .map(|c| (c.epsilon, c.sigma, c.cutoff))
                .collect();
            Ok(Box::new(TailCorrected::lennard_jones(lj, n_types, &pairs)))
        }
        "lj/smooth/linear" => {
            let table = fill(n_types, rc, mixing, &lines, |v| [v[0], v[1]])?;
            let entries = table
                .resolve(|a, b, m| Some([m.energy(a[0], b[0], a[1], b[1]), m.sigma(a[1], b[1])]))
                .map_err(pair_err)?
                .into_iter()
                .map(|(c, cut)| (ShiftedForce::new(LennardJones::new(c[0], c[1]), cut), cut))
                .collect();
            Ok(Box::new(PairPotential::from_table(style, n_types, entries)))
        }
        "morse" => shifted(
            style,
            n_types,
            rc,
            mixing,
            shift,
            &lines,
            |v| Morse::new(v[0], v[1], v[2]),
            no_mix,
        ),
        "buck" => shifted(
            style,
            n_types,
            rc,
            mixing,
            shift,
            &lines,
            |v| Buckingham::new(v[0], v[1], v[2]),
            no_mix,
        ),
        "born" => shifted(
            style,
            n_types,
            rc,
            mixing,
            shift,
            &lines,
            |v| Born::new(v[0], v[1], v[2], v[3], v[4]),
            no_mix,
        ),
        "yukawa" => {
            let kappa = float(args, 0, "yukawa kappa")?;
            shifted(
                style,
                n_types,
                rc,
                mixing,
                shift,
                &lines,
                move |v| Yukawa::new(v[0], kappa),
                |a, b| Some(vec![(a[0] * b[0]).sqrt()]),
            )
        }
        "soft" => {
            let table = fill(n_types, rc, mixing, &lines, |v| [v[0]])?;
            let entries = table
                .resolve(|a, b, _| Some([(a[0] * b[0]).sqrt()]))
                .map_err(pair_err)?
                .into_iter()
                .map(|(c, cut)| (Soft::new(c[0], cut), cut))
                .collect();
            Ok(Box::new(PairPotential::from_table(style, n_types, entries)))
        }
        other => Err(ScriptError::unsupported("pair_style", other)),
    }
}

/// `pair_coeff` lines of a style, one entry per type pair `i <= j` they name.
type CoeffLines = Vec<(usize, usize, Vec<f64>, Option<f64>)>;

/// Checks the global arguments of `style` and parses its `pair_coeff` lines: the global
/// cutoff and (i, j, coefficients, cutoff) for every pair a line names.
fn parse_coeffs(
    style: &str,
    args: &[String],
    coeffs: &[Vec<String>],
    n_types: usize,
) -> ScriptResult<(f64, CoeffLines)> {
    let n_global = global_args(style);
    if args.len() != n_global {
        return fail(format!(
            "pair_style {style} takes {n_global} argument(s), got {}",
            args.len()
        ));
    }
    let rc = float(args, n_global - 1, "global cutoff")?;
    if rc <= 0.0 {
        return fail(format!("pair_style {style}: cutoff {rc} must be positive"));
    }
    let n_c = coeff_count(style);
    let mut lines = CoeffLines::new();
    for c in coeffs {
        if c.len() != 2 + n_c && c.len() != 3 + n_c {
            return fail(format!(
                "pair_coeff {}: {style} needs I J and {n_c} coefficient(s), optionally a cutoff",
                c.join(" ")
            ));
        }
        let values: Vec<f64> = (0..n_c)
            .map(|k| float(c, 2 + k, "pair coefficient"))
            .collect::<ScriptResult<_>>()?;
        let cut = if c.len() == 3 + n_c {
            Some(float(c, 2 + n_c, "pair cutoff")?)
        } else {
            None
        };
        for i in type_range(&c[0], n_types)? {
            for j in type_range(&c[1], n_types)? {
                if i <= j {
                    lines.push((i, j, values.clone(), cut));
                }
            }
        }
    }
    Ok((rc, lines))
}

fn lj_builder(
    n_types: usize,
    rc: f64,
    shift: bool,
    mixing: Mixing,
    lines: &CoeffLines,
) -> ScriptResult<LjCutBuilder> {
    let mut b = LjCutBuilder::new(n_types, rc);
    b.shift(shift).mixing(mixing);
    for (i, j, v, cut) in lines {
        b.pair(*i, *j, v[0], v[1], *cut)
            .map_err(|e| ScriptError::new(format!("pair_coeff: {e}")))?;
    }
    Ok(b)
}

/// The `lj/cut` coefficients of a script (after mixing), for the GPU path.
#[cfg_attr(not(feature = "gpu"), allow(dead_code))]
pub fn lj_cut_builder(
    args: &[String],
    coeffs: &[Vec<String>],
    shift: bool,
    mixing: Mixing,
    n_types: usize,
) -> ScriptResult<LjCutBuilder> {
    let (rc, lines) = parse_coeffs("lj/cut", args, coeffs, n_types)?;
    lj_builder(n_types, rc, shift, mixing, &lines)
}

/// The `morse` coefficients of a script for every ordered type pair, row-major:
/// `[D0, alpha, r0, cutoff]` (morse does not mix: every pair needs a `pair_coeff`).
#[cfg_attr(not(feature = "gpu"), allow(dead_code))]
pub fn morse_coefficients(
    args: &[String],
    coeffs: &[Vec<String>],
    n_types: usize,
) -> ScriptResult<Vec<[f64; 4]>> {
    let (rc, lines) = parse_coeffs("morse", args, coeffs, n_types)?;
    let resolved = resolve_coeffs(n_types, rc, Mixing::default(), &lines, no_mix)?;
    Ok(resolved
        .into_iter()
        .map(|(v, cut)| [v[0], v[1], v[2], cut])
        .collect())
}

/// Every ordered type pair's coefficients and cutoff (row-major), mixing with `mix` the
/// pairs no line names.
fn resolve_coeffs(
    n_types: usize,
    rc: f64,
    mixing: Mixing,
    lines: &CoeffLines,
    mix: impl Fn(&[f64], &[f64]) -> Option<Vec<f64>>,
) -> ScriptResult<Vec<(Vec<f64>, f64)>> {
    let mut table: CoefficientTable<usize> = CoefficientTable::new(n_types, rc);
    table.mixing = mixing;
    // the table stores indices into `values` (coefficient vectors are not Copy)
    let mut values: Vec<Vec<f64>> = Vec::new();
    for (i, j, v, cut) in lines {
        values.push(v.clone());
        table
            .set(*i, *j, values.len() - 1, *cut)
            .map_err(|e| ScriptError::new(format!("pair_coeff: {e}")))?;
    }
    let mixed = std::cell::RefCell::new(Vec::new());
    let resolved = table
        .resolve(|a, b, _| {
            let m = mix(&values[*a], &values[*b])?;
            let mut store = mixed.borrow_mut();
            store.push(m);
            Some(values.len() + store.len() - 1)
        })
        .map_err(|e| ScriptError::new(format!("all pair coeffs are not set: {e}")))?;
    let mixed = mixed.into_inner();
    let coeffs_of = |k: usize| -> &[f64] {
        if k < values.len() {
            &values[k]
        } else {
            &mixed[k - values.len()]
        }
    };
    Ok(resolved
        .into_iter()
        .map(|(k, cut)| (coeffs_of(k).to_vec(), cut))
        .collect())
}

fn no_mix(_: &[f64], _: &[f64]) -> Option<Vec<f64>> {
    None
}

/// A table of fixed-size coefficient arrays from parsed `pair_coeff` lines.
fn fill<const N: usize>(
    n_types: usize,
    rc: f64,
    mixing: Mixing,
    lines: &CoeffLines,
    pick: impl Fn(&[f64]) -> [f64; N],
) -> ScriptResult<CoefficientTable<[f64; N]>> {
    let mut table = CoefficientTable::new(n_types, rc);
    table.mixing = mixing;
    for (i, j, v, cut) in lines {
        table
            .set(*i, *j, pick(v), *cut)
            .map_err(|e| ScriptError::new(format!("pair_coeff: {e}")))?;
    }
    Ok(table)
}

/// A style whose interaction is built from its coefficients and wrapped in [`Shifted`].
#[allow(clippy::too_many_arguments)]
fn shifted<F: PairInteraction + 'static>(
    style: &str,
    n_types: usize,
    rc: f64,
    mixing: Mixing,
    shift: bool,
    lines: &CoeffLines,
    make: impl Fn(&[f64]) -> F,
    mix: impl Fn(&[f64], &[f64]) -> Option<Vec<f64>>,
) -> ScriptResult<Box<dyn Potential>> {
    let resolved = resolve_coeffs(n_types, rc, mixing, lines, mix)?;
    let entries = resolved
        .into_iter()
        .map(|(v, cut)| (Shifted::new(make(&v), cut, shift), cut))
        .collect();
    Ok(Box::new(PairPotential::from_table(style, n_types, entries)))
}

//! Decks' coefficient pair styles (analytic, Coulomb, ZBL, tables): the named keys of
//! `[potential]` and `[[potential.coeff]]` turned into the `pair_style` and `pair_coeff`
//! words the LAMMPS front-end builds these styles from, so that both inputs share one
//! builder and give the same numbers.

use ferromd_core::{Potential, Species, UnitSystem};
use ferromd_potentials::Mixing;
use toml::Spanned;

use super::DeckError;
use super::build::Ctx;
use super::schema::{PairCoeffSpec, PotentialSpec};
use crate::lammps::{PairModifiers, build_coefficient_style};

/// The keys one style reads: global keys in `pair_style` order and per-pair keys in
/// `pair_coeff` order; the first `*_required` of each must be given, the others are
/// optional and, as in LAMMPS, each needs the ones before it.
struct StyleKeys {
    global: &'static [&'static str],
    global_required: usize,
    pair: &'static [&'static str],
    pair_required: usize,
}

/// Every global key a coefficient style may read.
const GLOBAL_KEYS: &[&str] = &[
    "cutoff",
    "coulomb_cutoff",
    "kappa",
    "inner",
    "outer",
    "interpolation",
    "points",
];

/// Every per-pair key a coefficient style may read.
const PAIR_KEYS: &[&str] = &[
    "epsilon",
    "sigma",
    "d0",
    "alpha",
    "r0",
    "a",
    "rho",
    "c",
    "d",
    "z",
    "file",
    "keyword",
    "cutoff",
    "coulomb_cutoff",
];

/// The keys of `style`, `None` if it is not a coefficient style.
fn style_keys(style: &str) -> Option<StyleKeys> {
    let keys = |global, global_required, pair, pair_required| {
        Some(StyleKeys {
            global,
            global_required,
            pair,
            pair_required,
        })
    };
    match style {
        "lj/cut" | "lj/smooth/linear" => keys(&["cutoff"], 1, &["epsilon", "sigma", "cutoff"], 2),
        "morse" => keys(&["cutoff"], 1, &["d0", "alpha", "r0", "cutoff"], 3),
        "buck" => keys(&["cutoff"], 1, &["a", "rho", "c", "cutoff"], 3),
        "born" => keys(
            &["cutoff"],
            1,
            &["a", "rho", "sigma", "c", "d", "cutoff"],
            5,
        ),
        "yukawa" => keys(&["kappa", "cutoff"], 2, &["a", "cutoff"], 1),
        "soft" => keys(&["cutoff"], 1, &["a", "cutoff"], 1),
        "coul/cut" => keys(&["cutoff"], 1, &["cutoff"], 0),
        "lj/cut/coul/cut" => keys(
            &["cutoff", "coulomb_cutoff"],
            1,
            &["epsilon", "sigma", "cutoff", "coulomb_cutoff"],
            2,
        ),
        "zbl" => keys(&["inner", "outer"], 2, &["z"], 1),
        "table" => keys(
            &["interpolation", "points"],
            2,
            &["file", "keyword", "cutoff"],
            2,
        ),
        _ => None,
    }
}

/// True if `style` is one of the coefficient styles a deck spells with named keys.
pub(super) fn is_coefficient_style(style: &str) -> bool {
    style_keys(style).is_some()
}

/// The global key `key` of `p` as a `pair_style` word.
fn global_value(p: &PotentialSpec, key: &str) -> Option<String> {
    fn word<T: std::fmt::Display>(v: &Option<Spanned<T>>) -> Option<String> {
        v.as_ref().map(|v| v.get_ref().to_string())
    }
    match key {
        "cutoff" => word(&p.cutoff),
        "coulomb_cutoff" => word(&p.coulomb_cutoff),
        "kappa" => word(&p.kappa),
        "inner" => word(&p.inner),
        "outer" => word(&p.outer),
        "interpolation" => word(&p.interpolation),
        "points" => word(&p.points),
        _ => None,
    }
}

/// The per-pair key `key` of `c` as `pair_coeff` words (`file` resolved beside the deck).
fn pair_value(cx: &Ctx<'_>, c: &PairCoeffSpec, key: &str) -> Option<Vec<String>> {
    let num = |v: Option<f64>| v.map(|v| vec![v.to_string()]);
    match key {
        "epsilon" => num(c.epsilon),
        "sigma" => num(c.sigma),
        "d0" => num(c.d0),
        "alpha" => num(c.alpha),
        "r0" => num(c.r0),
        "a" => num(c.a),
        "rho" => num(c.rho),
        "c" => num(c.c),
        "d" => num(c.d),
        "z" => c.z.map(|z| z.iter().map(f64::to_string).collect()),
        "file" => c
            .file
            .as_ref()
            .map(|f| vec![cx.beside_deck(f).display().to_string()]),
        "keyword" => c.keyword.clone().map(|k| vec![k]),
        "cutoff" => num(c.cutoff),
        "coulomb_cutoff" => num(c.coulomb_cutoff),
        _ => None,
    }
}

/// Words for the keys `keys` in order: required ones must be present, and an optional
/// one only follows the ones before it. `what` names the table the keys belong to.
fn ordered_words(
    keys: &[&str],
    required: usize,
    value: impl Fn(&str) -> Option<Vec<String>>,
    style: &str,
    what: &str,
) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut missing: Option<&str> = None;
    for (k, key) in keys.iter().enumerate() {
        match (value(key), missing) {
            (Some(_), Some(before)) => {
                return Err(format!(
                    "{style}: `{key}` in {what} needs `{before}` too (they are read in the order {})",
                    keys.join(", ")
                ));
            }
            (Some(v), None) => words.extend(v),
            (None, _) if k < required => {
                return Err(format!(
                    "{style} needs `{key}` in {what} (keys: {})",
                    keys.join(", ")
                ));
            }
            (None, _) => missing = missing.or(Some(key)),
        }
    }
    Ok(words)
}

/// Refuses global and per-pair keys the coefficient style of `p` does not read.
pub(super) fn check_keys(cx: &Ctx<'_>, p: &PotentialSpec) -> Result<(), DeckError> {
    let style = p.style.get_ref().as_str();
    let keys = style_keys(style).expect("a coefficient style");
    let at_style = |message: String| cx.at(&p.style, message).with_key("potential.style");
    // keys of other kinds of styles
    let foreign = [
        ("file", p.file.is_some()),
        ("elements", p.elements.is_some()),
        ("model", p.model.is_some()),
        ("device", p.device.is_some()),
        ("overlay", !p.overlay.is_empty()),
    ];
    for (key, given) in foreign.into_iter().chain(
        GLOBAL_KEYS
            .iter()
            .map(|k| (*k, global_value(p, k).is_some())),
    ) {
        if given && !keys.global.contains(&key) {
            return Err(
                at_style(format!("`{key}` has no meaning for style `{style}`"))
                    .with_hint(format!("{style} reads: {}", keys.global.join(", "))),
            );
        }
    }
    for c in &p.coeff {
        let pair = c.get_ref();
        if let Some(key) = PAIR_KEYS
            .iter()
            .find(|k| pair_value(cx, pair, k).is_some() && !keys.pair.contains(k))
        {
            return Err(cx
                .at(c, format!("`{key}` has no meaning for style `{style}`"))
                .with_key("potential.coeff")
                .with_hint(format!("{style} reads: {}", keys.pair.join(", "))));
        }
    }
    Ok(())
}

/// Builds a coefficient style from a deck's `[potential]` table.
pub(super) fn build(
    cx: &Ctx<'_>,
    p: &PotentialSpec,
    species: &[Species],
    units: UnitSystem,
) -> Result<Box<dyn Potential>, DeckError> {
    check_keys(cx, p)?;
    let style = p.style.get_ref().as_str();
    let keys = style_keys(style).expect("a coefficient style");
    let at_style = |message: String| cx.at(&p.style, message).with_key("potential.style");
    let global = |k: &str| global_value(p, k).map(|w| vec![w]);
    let args = ordered_words(
        keys.global,
        keys.global_required,
        global,
        style,
        "[potential]",
    )
    .map_err(|m| at_style(m).with_hint("add the key to [potential]"))?;
    let mut lines = Vec::with_capacity(p.coeff.len());
    for c in &p.coeff {
        let pair = c.get_ref();
        let at_coeff = |message: String| cx.at(c, message).with_key("potential.coeff");
        let mut types = Vec::with_capacity(2);
        for name in pair.species.get_ref() {
            let index = species
                .iter()
                .position(|s| &s.name == name)
                .ok_or_else(|| {
                    cx.at(&pair.species, format!("unknown species `{name}`"))
                        .with_key("potential.coeff.species")
                        .with_hint("name species defined under [[species]]")
                })?;
            types.push(index + 1);
        }
        // pair_coeff wants I <= J; a deck may name the species in either order
        types.sort_unstable();
        let mut line: Vec<String> = types.iter().map(usize::to_string).collect();
        let value = |k: &str| pair_value(cx, pair, k);
        line.extend(
            ordered_words(
                keys.pair,
                keys.pair_required,
                value,
                style,
                "[[potential.coeff]]",
            )
            .map_err(at_coeff)?,
        );
        lines.push(line);
    }
    let mixing = match &p.mixing {
        Some(m) => Mixing::from_name(m.get_ref()).ok_or_else(|| {
            cx.at(m, format!("unknown mixing rule `{}`", m.get_ref()))
                .with_key("potential.mixing")
                .with_hint("use geometric, arithmetic or sixthpower")
        })?,
        None => Mixing::default(),
    };
    let modifiers = PairModifiers {
        shift: p.shift,
        tail: p.tail,
        mixing,
    };
    build_coefficient_style(style, &args, &lines, modifiers, species.len(), units, false).map_err(
        |e| {
            at_style(e.to_string())
                .with_hint("check the [potential] keys and every [[potential.coeff]] pair")
        },
    )
}

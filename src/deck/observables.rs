//! The `[[observables]]` tables of a deck: rdf, msd and vacf written to data files.
//!
//! ```toml
//! [[observables]]
//! kind = "rdf"                 # rdf | msd | vacf
//! file = "rdf.dat"             # rewritten with the average so far after every sample
//! every = 10                   # sample every this many steps
//! start = 1000                 # first step sampled (default 0)
//! bins = 100                   # rdf: shells (default 100)
//! cutoff = 3.0                 # rdf: outer radius (default: the potential's cutoff)
//! pairs = [["A", "A"], ["A", "B"]]  # rdf: species pairs (default: all around all)
//!
//! [[observables]]
//! kind = "msd"
//! file = "msd.dat"
//! every = 10
//! window = 2000                # msd, vacf: longest lag in steps (a multiple of every)
//! origins = 100                # msd, vacf: a new time origin every this many steps
//! com = true                   # msd: remove the centre-of-mass drift (default false)
//! ```

use std::path::{Path, PathBuf};

use ferromd_core::Species;
use ferromd_core::observables::rdf::{Rdf, TypePair};
use serde::Deserialize;
use toml::Spanned;

use super::DeckError;

/// One `[[observables]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservableSpec {
    /// `rdf`, `msd` or `vacf`.
    pub kind: Spanned<String>,
    /// Output file (relative to the working directory).
    pub file: Spanned<String>,
    /// Sampling interval in steps.
    pub every: Spanned<u64>,
    /// First step sampled (default 0).
    pub start: Option<u64>,
    /// rdf: number of shells (default 100).
    pub bins: Option<Spanned<u64>>,
    /// rdf: outer radius (default: the potential's cutoff).
    pub cutoff: Option<Spanned<f64>>,
    /// rdf: species pairs (centre, neighbour); default: all atoms around all atoms.
    pub pairs: Option<Spanned<Vec<[String; 2]>>>,
    /// msd, vacf: longest lag in steps.
    pub window: Option<Spanned<u64>>,
    /// msd, vacf: steps between time origins (default: `every`).
    pub origins: Option<Spanned<u64>>,
    /// msd: remove the centre-of-mass drift.
    pub com: Option<Spanned<bool>>,
}

/// What an observable measures.
#[derive(Debug, Clone, PartialEq)]
pub enum ObservableKind {
    /// Radial distribution function, with a label per type pair (`A-B`).
    Rdf {
        /// The definition.
        rdf: Rdf,
        /// One label per pair, for the file header.
        labels: Vec<String>,
    },
    /// Mean-squared displacement over multiple time origins.
    Msd {
        /// Remove the centre-of-mass drift.
        com: bool,
        /// Longest lag in steps.
        window: u64,
        /// Steps between time origins.
        origins: u64,
    },
    /// Velocity autocorrelation over multiple time origins.
    Vacf {
        /// Longest lag in steps.
        window: u64,
        /// Steps between time origins.
        origins: u64,
    },
}

/// A validated `[[observables]]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservablePlan {
    /// What is measured.
    pub kind: ObservableKind,
    /// Where the averages go.
    pub file: PathBuf,
    /// Sampling interval in steps.
    pub every: u64,
    /// First step sampled.
    pub start: u64,
}

/// Checks the `[[observables]]` tables against the deck's species and potential cutoff.
pub(super) fn build(
    specs: &[Spanned<ObservableSpec>],
    species: &[Species],
    force_cutoff: f64,
    path: &Path,
    text: &str,
) -> Result<Vec<ObservablePlan>, DeckError> {
    let at = |span: std::ops::Range<usize>, key: &str, msg: String| {
        DeckError::at(path, text, Some(span), msg).with_key(format!("observables.{key}"))
    };
    let mut plans: Vec<ObservablePlan> = Vec::new();
    for table in specs {
        let o = table.get_ref();
        let kind_name = o.kind.get_ref().as_str();
        let every = *o.every.get_ref();
        if every == 0 {
            return Err(at(
                o.every.span(),
                "every",
                "`every` must be positive".into(),
            ));
        }
        let file = o.file.get_ref();
        if file.trim().is_empty() {
            return Err(at(
                o.file.span(),
                "file",
                "`file` is an empty file name".into(),
            ));
        }
        if plans.iter().any(|p| p.file == Path::new(file)) {
            return Err(at(
                o.file.span(),
                "file",
                format!("two observables write to `{file}`"),
            ));
        }
        // keys that belong to other kinds are errors, not silently ignored
        let rdf_only = [
            ("bins", o.bins.as_ref().map(|s| s.span())),
            ("cutoff", o.cutoff.as_ref().map(|s| s.span())),
            ("pairs", o.pairs.as_ref().map(|s| s.span())),
        ];
        let corr_only = [
            ("window", o.window.as_ref().map(|s| s.span())),
            ("origins", o.origins.as_ref().map(|s| s.span())),
        ];
        let misplaced = match kind_name {
            "rdf" => corr_only
                .iter()
                .chain([("com", o.com.as_ref().map(|s| s.span()))].iter())
                .find_map(|(k, s)| s.clone().map(|s| (*k, s))),
            "msd" => rdf_only
                .iter()
                .find_map(|(k, s)| s.clone().map(|s| (*k, s))),
            "vacf" => rdf_only
                .iter()
                .chain([("com", o.com.as_ref().map(|s| s.span()))].iter())
                .find_map(|(k, s)| s.clone().map(|s| (*k, s))),
            other => {
                return Err(at(
                    o.kind.span(),
                    "kind",
                    format!("unknown observable `{other}`"),
                )
                .with_hint("write kind = \"rdf\", \"msd\" or \"vacf\""));
            }
        };
        if let Some((key, span)) = misplaced {
            return Err(at(
                span,
                key,
                format!("`{key}` does not apply to kind = \"{kind_name}\""),
            ));
        }
        let kind = match kind_name {
            "rdf" => rdf_kind(o, species, force_cutoff, &at)?,
            _ => {
                let window = o.window.as_ref().ok_or_else(|| {
                    DeckError::at(path, text, Some(table.span()), "`window` is missing")
                        .with_key("observables.window")
                        .with_hint("add window = N: the longest lag, in steps, a multiple of every")
                })?;
                let w = *window.get_ref();
                let origins = o.origins.as_ref().map_or(every, |s| *s.get_ref());
                if w == 0 || !w.is_multiple_of(every) {
                    return Err(at(
                        window.span(),
                        "window",
                        format!("window {w} must be a positive multiple of every ({every})"),
                    ));
                }
                if let Some(s) = &o.origins
                    && (origins == 0 || !origins.is_multiple_of(every))
                {
                    return Err(at(
                        s.span(),
                        "origins",
                        format!("origins {origins} must be a positive multiple of every ({every})"),
                    ));
                }
                if kind_name == "msd" {
                    ObservableKind::Msd {
                        com: o.com.as_ref().is_some_and(|c| *c.get_ref()),
                        window: w,
                        origins,
                    }
                } else {
                    ObservableKind::Vacf { window: w, origins }
                }
            }
        };
        plans.push(ObservablePlan {
            kind,
            file: PathBuf::from(file),
            every,
            start: o.start.unwrap_or(0),
        });
    }
    Ok(plans)
}

fn rdf_kind(
    o: &ObservableSpec,
    species: &[Species],
    force_cutoff: f64,
    at: &dyn Fn(std::ops::Range<usize>, &str, String) -> DeckError,
) -> Result<ObservableKind, DeckError> {
    let bins = o.bins.as_ref().map_or(100, |b| *b.get_ref());
    if let Some(b) = &o.bins
        && bins == 0
    {
        return Err(at(b.span(), "bins", "`bins` must be positive".into()));
    }
    let cutoff = o.cutoff.as_ref().map_or(force_cutoff, |c| *c.get_ref());
    if let Some(c) = &o.cutoff
        && !(cutoff.is_finite() && cutoff > 0.0)
    {
        return Err(at(
            c.span(),
            "cutoff",
            format!("cutoff {cutoff} must be positive"),
        ));
    }
    let (pairs, labels) = match &o.pairs {
        None => (
            vec![TypePair::all(species.len())],
            vec!["all-all".to_string()],
        ),
        Some(p) => {
            let index = |name: &str| -> Result<u32, DeckError> {
                species
                    .iter()
                    .position(|s| s.name == name)
                    .map(|i| i as u32)
                    .ok_or_else(|| {
                        at(
                            p.span(),
                            "pairs",
                            format!("unknown species `{name}` in pairs"),
                        )
                        .with_hint("name species defined in [[species]]")
                    })
            };
            if p.get_ref().is_empty() {
                return Err(at(p.span(), "pairs", "`pairs` is empty".into()));
            }
            let mut pairs = Vec::new();
            let mut labels = Vec::new();
            for [a, b] in p.get_ref() {
                let (i, j) = (index(a)?, index(b)?);
                pairs.push(TypePair {
                    first: i..=i,
                    second: j..=j,
                });
                labels.push(format!("{a}-{b}"));
            }
            (pairs, labels)
        }
    };
    let rdf = Rdf::new(bins as usize, cutoff, pairs)
        .map_err(|e| at(o.kind.span(), "kind", format!("invalid rdf: {e}")))?;
    Ok(ObservableKind::Rdf { rdf, labels })
}

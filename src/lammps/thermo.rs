//! `thermo_style` and `thermo_modify`: columns, normalisation and LAMMPS's line format.

use ferromd_core::ThermoSample;
use ferromd_core::nalgebra::Vector3;
use ferromd_potentials::ModelDeviation;

use super::cformat::cformat;
use super::error::{ScriptError, ScriptResult, fail};

/// One thermo keyword.
#[derive(Debug, Clone, PartialEq)]
pub enum Keyword {
    /// A built-in keyword by name (`step`, `temp`, `pxx`, ...).
    Builtin(&'static str),
    /// `v_name`: an equal-style variable.
    Variable(String),
    /// `c_ID[n]`: element `n` (1-based) of a compute's global vector.
    Compute {
        /// Compute ID.
        id: String,
        /// 1-based element.
        index: usize,
    },
}

/// Every built-in keyword with its header label, whether it prints as an integer, and
/// whether it is extensive (divided by the atom count under `thermo_modify norm yes`).
const BUILTINS: &[(&str, &str, bool, bool)] = &[
    ("step", "Step", true, false),
    ("elapsed", "Elapsed", true, false),
    ("elaplong", "Elaplong", true, false),
    ("dt", "Dt", false, false),
    ("time", "Time", false, false),
    ("cpu", "CPU", false, false),
    ("tpcpu", "T/CPU", false, false),
    ("spcpu", "S/CPU", false, false),
    ("atoms", "Atoms", true, false),
    ("temp", "Temp", false, false),
    ("press", "Press", false, false),
    ("pe", "PotEng", false, true),
    ("ke", "KinEng", false, true),
    ("etotal", "TotEng", false, true),
    ("enthalpy", "Enthalpy", false, true),
    ("evdwl", "E_vdwl", false, true),
    ("ecoul", "E_coul", false, true),
    ("ebond", "E_bond", false, true),
    ("eangle", "E_angle", false, true),
    ("edihed", "E_dihed", false, true),
    ("eimp", "E_impro", false, true),
    ("epair", "E_pair", false, true),
    ("emol", "E_mol", false, true),
    ("elong", "E_long", false, true),
    ("vol", "Volume", false, false),
    ("density", "Density", false, false),
    ("lx", "Lx", false, false),
    ("ly", "Ly", false, false),
    ("lz", "Lz", false, false),
    ("xlo", "Xlo", false, false),
    ("xhi", "Xhi", false, false),
    ("ylo", "Ylo", false, false),
    ("yhi", "Yhi", false, false),
    ("zlo", "Zlo", false, false),
    ("zhi", "Zhi", false, false),
    ("xy", "Xy", false, false),
    ("xz", "Xz", false, false),
    ("yz", "Yz", false, false),
    ("pxx", "Pxx", false, false),
    ("pyy", "Pyy", false, false),
    ("pzz", "Pzz", false, false),
    ("pxy", "Pxy", false, false),
    ("pxz", "Pxz", false, false),
    ("pyz", "Pyz", false, false),
    ("fmax", "Fmax", false, false),
    ("fnorm", "Fnorm", false, false),
    ("econserve", "Econserve", false, true),
    // pair_style committee: the columns of DeePMD-kit's model_devi.out
    ("max_devi_v", "max_devi_v", false, false),
    ("min_devi_v", "min_devi_v", false, false),
    ("avg_devi_v", "avg_devi_v", false, false),
    ("max_devi_f", "max_devi_f", false, false),
    ("min_devi_f", "min_devi_f", false, false),
    ("avg_devi_f", "avg_devi_f", false, false),
];

/// The model-deviation keywords (`pair_style committee`): `model_devi.out`'s columns.
pub use crate::committee_output::MODEL_DEVI_COLUMNS as MODEL_DEVIATION_KEYWORDS;

/// Looks a keyword up.
fn builtin(name: &str) -> Option<&'static (&'static str, &'static str, bool, bool)> {
    BUILTINS.iter().find(|b| b.0 == name)
}

/// Everything a thermo line (or a thermo keyword in a formula) can report.
#[derive(Debug, Clone, Copy)]
pub struct ThermoState<'a> {
    /// Thermodynamic sample.
    pub sample: &'a ThermoSample,
    /// Step at which the current run started.
    pub run_start_step: u64,
    /// Timestep.
    pub dt: f64,
    /// Simulated time at this step.
    pub time: f64,
    /// CPU seconds since the run started.
    pub cpu: f64,
    /// Simulated time per CPU second and steps per CPU second since the last thermo line.
    pub rates: (f64, f64),
    /// Box lower bounds, upper bounds and tilts.
    pub bounds: (Vector3<f64>, Vector3<f64>, [f64; 3]),
    /// Largest force component and the force norm over all atoms.
    pub forces: (f64, f64),
    /// Total mass (for `density`), and the mass-volume to density factor of the units.
    pub mass_density: (f64, f64),
    /// `nktv2p` of the units (for `enthalpy`).
    pub nktv2p: f64,
    /// The committee's model deviation at this step (`pair_style committee` only).
    pub model_deviation: Option<ModelDeviation>,
}

/// The value of built-in keyword `name`, unnormalised.
pub fn keyword_value(name: &str, t: &ThermoState<'_>) -> Option<f64> {
    let s = t.sample;
    let (lo, hi, tilt) = t.bounds;
    Some(match name {
        "step" => s.step as f64,
        "elapsed" | "elaplong" => (s.step - t.run_start_step) as f64,
        "dt" => t.dt,
        "time" => t.time,
        "cpu" => t.cpu,
        "tpcpu" => t.rates.0,
        "spcpu" => t.rates.1,
        "atoms" => s.atoms as f64,
        "temp" => s.temp,
        "press" => s.press,
        "pe" | "evdwl" | "epair" => s.pe,
        "ke" => s.ke,
        "etotal" => s.etotal(),
        "enthalpy" => s.etotal() + s.press * s.vol / t.nktv2p,
        "ecoul" | "emol" | "elong" | "ebond" | "eangle" | "edihed" | "eimp" => 0.0,
        "vol" => s.vol,
        "density" => t.mass_density.0 * t.mass_density.1 / s.vol,
        "lx" => hi.x - lo.x,
        "ly" => hi.y - lo.y,
        "lz" => hi.z - lo.z,
        "xlo" => lo.x,
        "xhi" => hi.x,
        "ylo" => lo.y,
        "yhi" => hi.y,
        "zlo" => lo.z,
        "zhi" => hi.z,
        "xy" => tilt[0],
        "xz" => tilt[1],
        "yz" => tilt[2],
        "pxx" => s.pressure_tensor[0],
        "pyy" => s.pressure_tensor[1],
        "pzz" => s.pressure_tensor[2],
        "pxy" => s.pressure_tensor[3],
        "pxz" => s.pressure_tensor[4],
        "pyz" => s.pressure_tensor[5],
        "fmax" => t.forces.0,
        "fnorm" => t.forces.1,
        "econserve" => s.econserve(),
        devi if MODEL_DEVIATION_KEYWORDS.contains(&devi) => {
            let k = MODEL_DEVIATION_KEYWORDS.iter().position(|d| *d == devi)?;
            t.model_deviation.map_or(f64::NAN, |d| d.columns()[k])
        }
        _ => return None,
    })
}

/// Whether `name` is extensive (normalised by `thermo_modify norm yes`).
pub fn is_extensive(name: &str) -> bool {
    builtin(name).is_some_and(|b| b.3)
}

/// Parses the `ID[n]` of a `c_ID[n]` thermo keyword `w`.
fn compute_keyword(w: &str, c: &str) -> ScriptResult<Keyword> {
    let parsed = c.split_once('[').and_then(|(id, rest)| {
        let n: usize = rest.strip_suffix(']')?.parse().ok()?;
        (n >= 1 && !id.is_empty()).then(|| Keyword::Compute {
            id: id.to_string(),
            index: n,
        })
    });
    parsed.ok_or_else(|| {
        ScriptError::new(format!(
            "thermo_style custom: `{w}` must be c_ID[n] with n >= 1 (ferromd's computes give \
             vectors, not scalars)"
        ))
    })
}

/// The columns and formats of thermo output.
#[derive(Debug, Clone, PartialEq)]
pub struct ThermoStyle {
    /// Columns in order.
    pub keywords: Vec<Keyword>,
    /// `thermo_modify norm`; `None` means the unit system's default.
    pub norm: Option<bool>,
    /// `thermo_modify flush`.
    pub flush: bool,
    /// `thermo_modify format line`: one format per column.
    pub line_format: Option<Vec<String>>,
    /// `thermo_modify format int`.
    pub int_format: String,
    /// `thermo_modify format float`.
    pub float_format: String,
    /// `thermo_modify format N`: per-column overrides (0-based column).
    pub column_formats: Vec<(usize, String)>,
    /// LAMMPS's `multi` layout (a banner line, then three `Label = value` per line).
    pub multi: bool,
}

impl ThermoStyle {
    /// Whether a thermo line needs the atoms themselves (forces for `fmax`/`fnorm`,
    /// computes, variables), not only the energies, pressure tensor and cell.
    #[cfg_attr(not(feature = "gpu"), allow(dead_code))]
    pub fn needs_atoms(&self) -> bool {
        self.keywords.iter().any(|k| match k {
            Keyword::Builtin(name) => matches!(*name, "fmax" | "fnorm"),
            Keyword::Variable(_) | Keyword::Compute { .. } => true,
        })
    }

    /// LAMMPS's default `one` style.
    pub fn one() -> Self {
        Self::custom(&["step", "temp", "epair", "emol", "etotal", "press"].map(String::from))
            .expect("built-ins")
    }

    /// `thermo_style custom KEYWORDS...`.
    pub fn custom(words: &[String]) -> ScriptResult<Self> {
        if words.is_empty() {
            return fail("thermo_style custom needs at least one keyword");
        }
        let keywords = words
            .iter()
            .map(|w| {
                if let Some(v) = w.strip_prefix("v_") {
                    Ok(Keyword::Variable(v.to_string()))
                } else if let Some(b) = builtin(w) {
                    Ok(Keyword::Builtin(b.0))
                } else if let Some(c) = w.strip_prefix("c_") {
                    compute_keyword(w, c)
                } else if w.starts_with("f_") {
                    Err(ScriptError::unsupported("thermo_style custom", w))
                } else {
                    fail(format!("thermo_style custom: unknown keyword `{w}`"))
                }
            })
            .collect::<ScriptResult<_>>()?;
        Ok(ThermoStyle {
            keywords,
            norm: None,
            flush: false,
            line_format: None,
            int_format: "%8ld".into(),
            float_format: "%12.8g".into(),
            column_formats: Vec::new(),
            multi: false,
        })
    }

    /// LAMMPS's `multi` style: step and CPU time in a banner, then energies and pressure.
    pub fn multi() -> Self {
        let words = [
            "step", "cpu", "etotal", "ke", "temp", "pe", "ebond", "eangle", "edihed", "eimp",
            "evdwl", "ecoul", "elong", "press",
        ]
        .map(String::from);
        let mut style = Self::custom(&words).expect("built-ins");
        style.multi = true;
        style.float_format = "%14.4f".into();
        style
    }

    /// Applies `thermo_modify` keywords.
    pub fn modify(&mut self, args: &[String]) -> ScriptResult<()> {
        use super::words::{word, yes_no};
        let mut k = 0;
        if args.is_empty() {
            return fail("thermo_modify needs keywords");
        }
        while k < args.len() {
            match args[k].as_str() {
                "norm" => {
                    self.norm = Some(yes_no(args, k + 1, "thermo_modify norm")?);
                    k += 2;
                }
                "flush" => {
                    self.flush = yes_no(args, k + 1, "thermo_modify flush")?;
                    k += 2;
                }
                "lost" | "lost/bond" => {
                    match word(args, k + 1, "thermo_modify lost")? {
                        "error" => {}
                        other => return Err(ScriptError::unsupported("thermo_modify lost", other)),
                    }
                    k += 2;
                }
                "format" => {
                    let which = word(args, k + 1, "thermo_modify format")?;
                    let fmt = word(args, k + 2, "thermo_modify format string")?.to_string();
                    match which {
                        "line" => {
                            self.line_format =
                                Some(fmt.split_whitespace().map(String::from).collect())
                        }
                        "int" => self.int_format = fmt,
                        "float" => self.float_format = fmt,
                        "none" => {
                            self.line_format = None;
                            self.column_formats.clear();
                            self.int_format = "%8ld".into();
                            self.float_format = "%12.8g".into();
                            k += 2;
                            continue;
                        }
                        n => {
                            let col: usize = n
                                .parse()
                                .ok()
                                .filter(|c| *c >= 1 && *c <= self.keywords.len())
                                .ok_or_else(|| ScriptError::new(format!("thermo_modify format: `{n}` is not line, int, float or a column 1..{}", self.keywords.len())))?;
                            self.column_formats.push((col - 1, fmt));
                        }
                    }
                    k += 3;
                }
                other => return Err(ScriptError::unsupported("thermo_modify", other)),
            }
        }
        Ok(())
    }

    /// The keywords as typed in `thermo_style` (`step`, `v_name`, `c_ID[n]`): the column
    /// names of `--thermo-table` files.
    pub fn column_names(&self) -> Vec<String> {
        self.keywords
            .iter()
            .map(|k| match k {
                Keyword::Builtin(name) => (*name).to_string(),
                Keyword::Variable(name) => format!("v_{name}"),
                Keyword::Compute { id, index } => format!("c_{id}[{index}]"),
            })
            .collect()
    }

    /// The header line (labels, each followed by a space, as LAMMPS 2021 prints); empty
    /// for `multi`, which labels every value instead.
    pub fn header(&self) -> String {
        let mut out = String::new();
        if self.multi {
            return out;
        }
        for k in &self.keywords {
            match k {
                Keyword::Builtin(n) => out.push_str(builtin(n).map_or(*n, |b| b.1)),
                Keyword::Variable(v) => {
                    out.push_str("v_");
                    out.push_str(v);
                }
                Keyword::Compute { id, index } => out.push_str(&format!("c_{id}[{index}]")),
            }
            out.push(' ');
        }
        out
    }

    /// One data line (several for `multi`) from column values (already normalised).
    pub fn line(&self, values: &[f64]) -> ScriptResult<String> {
        let mut out = String::new();
        if self.multi {
            out.push_str(&format!(
                "---------------- Step {:8} ----- CPU = {:11.4} (sec) ----------------",
                values[0] as i64, values[1]
            ));
            for (n, (k, v)) in self.keywords.iter().zip(values).skip(2).enumerate() {
                if n % 3 == 0 {
                    out.push('\n');
                }
                let label = match k {
                    Keyword::Builtin(name) => builtin(name).map_or(*name, |b| b.1).to_string(),
                    Keyword::Variable(v) => v.clone(),
                    Keyword::Compute { id, index } => format!("c_{id}[{index}]"),
                };
                let value = cformat(&self.float_format, *v).unwrap_or_else(|| v.to_string());
                out.push_str(&format!("{label:<8} = {value} "));
            }
            return Ok(out);
        }
        for (c, (k, v)) in self.keywords.iter().zip(values).enumerate() {
            let integer = matches!(k, Keyword::Builtin(n) if builtin(n).is_some_and(|b| b.2));
            let fmt = self
                .column_formats
                .iter()
                .rev()
                .find(|(col, _)| *col == c)
                .map(|(_, f)| f.as_str())
                .or_else(|| {
                    self.line_format
                        .as_ref()
                        .and_then(|l| l.get(c).map(String::as_str))
                })
                .unwrap_or(if integer {
                    &self.int_format
                } else {
                    &self.float_format
                });
            let s = cformat(fmt, *v)
                .ok_or_else(|| ScriptError::new(format!("invalid thermo format `{fmt}`")))?;
            out.push_str(&s);
            out.push(' ');
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_style_matches_lammps_layout() {
        let t = ThermoStyle::one();
        assert_eq!(t.header(), "Step Temp E_pair E_mol TotEng Press ");
        let line = t
            .line(&[0.0, 3.0, -6.7733681, 0.0, -2.2744931, -3.7033504])
            .unwrap();
        assert_eq!(
            line,
            "       0            3   -6.7733681            0   -2.2744931   -3.7033504 "
        );
    }

    #[test]
    fn multi_style_layout() {
        let t = ThermoStyle::multi();
        let mut v = vec![
            50.0, 0.0711, -2.2825, 2.5258, 1.6843, -4.8082, 0.0, 0.0, 0.0, 0.0, -4.8082, 0.0, 0.0,
            5.5666,
        ];
        let text = t.line(&v).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "---------------- Step       50 ----- CPU =      0.0711 (sec) ----------------"
        );
        assert_eq!(
            lines[1],
            "TotEng   =        -2.2825 KinEng   =         2.5258 Temp     =         1.6843 "
        );
        assert_eq!(
            lines[4],
            "E_coul   =         0.0000 E_long   =         0.0000 Press    =         5.5666 "
        );
        assert_eq!(t.header(), "");
        v.pop();
    }

    #[test]
    fn modify_formats_and_errors() {
        let w = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
        let mut t = ThermoStyle::custom(&w("step temp v_x")).unwrap();
        t.modify(&w("norm no format float %10.4f format 1 %5d"))
            .unwrap();
        assert_eq!(
            t.line(&[5.0, 1.5, 2.0]).unwrap(),
            "    5     1.5000     2.0000 "
        );
        assert!(ThermoStyle::custom(&w("step bogus")).is_err());
        assert!(
            ThermoStyle::custom(&w("step f_foo"))
                .unwrap_err()
                .message
                .contains("not supported")
        );
        assert!(t.modify(&w("temp mytemp")).is_err());
        let c = ThermoStyle::custom(&w("step c_msd[4]")).unwrap();
        assert_eq!(c.header(), "Step c_msd[4] ");
        assert!(ThermoStyle::custom(&w("step c_msd")).is_err());
        assert!(ThermoStyle::custom(&w("step c_msd[0]")).is_err());
    }
}

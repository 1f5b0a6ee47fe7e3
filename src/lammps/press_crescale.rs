//! `fix ID group press/crescale iso|aniso|x|y|z Pstart Pstop Pdamp ... [couple C]
//! [modulus B] [seed S] [temp T]`: a ferromd extension (LAMMPS 29Sep2021 has no such
//! fix) wrapping the thermostatted integrator in the Bernetti-Bussi stochastic cell
//! rescaling barostat.

use ferromd_core::Integrator;
use ferromd_integrators::{BarostatError, CRescale, DEFAULT_BULK_MODULUS};

use super::error::{ScriptError, ScriptResult, fail};
use super::pressure_keywords::PressureKeywords;
use super::words::{float, integer};

/// Seed of the barostat's random stream when the fix gives none.
const DEFAULT_SEED: u64 = 1;

/// The temperatures `(Tstart, Tstop)` of a thermostat fix (`style`, arguments after `fix
/// ID group style`), if it is one.
pub(super) fn bath_temperature(style: &str, a: &[String]) -> Option<(f64, f64)> {
    let i = match style {
        "temp/csvr" | "langevin" | "temp/berendsen" => 0,
        "nvt" => 1,
        _ => return None,
    };
    let t = |k: usize| a.get(k).and_then(|w| w.parse().ok());
    Some((t(i)?, t(i + 1)?))
}

/// Parses `fix press/crescale` arguments and wraps `inner`; `bath` is the temperature of
/// the thermostat fix (`Tstart`, `Tstop`), used unless the `temp` keyword gives one. The pressure keywords
/// are those of `fix npt` without shear: `iso` (one scale factor), `aniso` (one per
/// axis), `x`, `y`, `z` (only those axes move) and `couple` (semi-isotropic: the coupled
/// axes share a factor); every controlled axis needs the same target and `Pdamp`.
pub(super) fn press_crescale(
    a: &[String],
    bath: Option<(f64, f64)>,
    inner: Box<dyn Integrator>,
    dimension: usize,
) -> ScriptResult<Box<dyn Integrator>> {
    let fix = "fix press/crescale";
    let mut pressure = PressureKeywords::new();
    let (mut modulus, mut seed, mut temp) = (DEFAULT_BULK_MODULUS, DEFAULT_SEED, None);
    let mut k = 0;
    while k < a.len() {
        if let Some(next) = pressure.parse(fix, a, k, dimension)? {
            k = next;
            continue;
        }
        match a[k].as_str() {
            "modulus" => modulus = float(a, k + 1, "modulus")?,
            "temp" => {
                let t = float(a, k + 1, "temp")?;
                temp = Some((t, t));
            }
            "seed" => {
                let s = integer(a, k + 1, "seed")?;
                if s <= 0 {
                    return fail(format!("{fix}: seed {s} must be positive"));
                }
                seed = s as u64;
            }
            other => return Err(ScriptError::unsupported(fix, other)),
        }
        k += 2;
    }
    let mut control = pressure.finish(fix, "iso, aniso, x, y or z")?;
    // the axis keywords only select axes here: C-rescale has no reference-cell stress
    control.deviatoric = false;
    let Some((t0, t1)) = temp.or(bath) else {
        return fail(
            "fix press/crescale needs the temperature of the bath: define a thermostat fix \
             (temp/csvr, langevin, nvt, temp/berendsen) or give `temp T`",
        );
    };
    let err = |e: BarostatError| ScriptError::new(format!("{fix}: {e}"));
    let b = CRescale::with_control(inner, t0, control, seed)
        .and_then(|b| b.temperature_ramp_to(t1))
        .and_then(|b| b.modulus(modulus))
        .map_err(err)?;
    Ok(Box::new(b))
}

//! `fix ID group press/crescale iso Pstart Pstop Pdamp [modulus B] [seed S] [temp T]`: a
//! ferromd extension (LAMMPS 29Sep2021 has no such fix) wrapping the thermostatted
//! integrator in the Bernetti-Bussi stochastic cell rescaling barostat.

use ferromd_core::Integrator;
use ferromd_integrators::{BarostatError, CRescale, DEFAULT_BULK_MODULUS};

use super::error::{ScriptError, ScriptResult, fail};
use super::words::{float, integer, word};

/// Seed of the barostat's random stream when the fix gives none.
const DEFAULT_SEED: u64 = 1;

/// The temperature a thermostat fix (`style`, arguments after `fix ID group style`)
/// holds at the start of a run, if it is one.
pub(super) fn bath_temperature(style: &str, a: &[String]) -> Option<f64> {
    let i = match style {
        "temp/csvr" | "langevin" | "temp/berendsen" => 0,
        "nvt" => 1,
        _ => return None,
    };
    a.get(i).and_then(|w| w.parse().ok())
}

/// Parses `fix press/crescale` arguments and wraps `inner`; `bath` is the temperature of
/// the thermostat fix, used unless the `temp` keyword gives one.
pub(super) fn press_crescale(
    a: &[String],
    bath: Option<f64>,
    inner: Box<dyn Integrator>,
) -> ScriptResult<Box<dyn Integrator>> {
    match word(a, 0, "fix press/crescale coupling")? {
        "iso" => {}
        other => return Err(ScriptError::unsupported("fix press/crescale", other)),
    }
    let (p0, p1) = (float(a, 1, "Pstart")?, float(a, 2, "Pstop")?);
    let pdamp = float(a, 3, "Pdamp")?;
    let (mut modulus, mut seed, mut temp) = (DEFAULT_BULK_MODULUS, DEFAULT_SEED, None);
    let mut k = 4;
    while k < a.len() {
        match a[k].as_str() {
            "modulus" => modulus = float(a, k + 1, "modulus")?,
            "temp" => temp = Some(float(a, k + 1, "temp")?),
            "seed" => {
                let s = integer(a, k + 1, "seed")?;
                if s <= 0 {
                    return fail(format!("fix press/crescale: seed {s} must be positive"));
                }
                seed = s as u64;
            }
            other => return Err(ScriptError::unsupported("fix press/crescale", other)),
        }
        k += 2;
    }
    let Some(t) = temp.or(bath) else {
        return fail(
            "fix press/crescale needs the temperature of the bath: define a thermostat fix \
             (temp/csvr, langevin, nvt, temp/berendsen) or give `temp T`",
        );
    };
    let err = |e: BarostatError| ScriptError::new(format!("fix press/crescale: {e}"));
    let b = CRescale::new(inner, t, p0, pdamp, seed)
        .and_then(|b| b.ramp_to(p1))
        .and_then(|b| b.modulus(modulus))
        .map_err(err)?;
    Ok(Box::new(b))
}

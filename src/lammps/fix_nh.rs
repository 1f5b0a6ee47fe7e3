//! `fix npt` and `fix nph`: the LAMMPS keywords of the Nosé-Hoover barostat mapped onto
//! ferromd's [`MtkBarostat`].

use ferromd_core::Integrator;
use ferromd_integrators::{BarostatError, MtkBarostat, NoseHooverChain};

use super::error::{ScriptError, ScriptResult, fail};
use super::pressure_keywords::PressureKeywords;
use super::words::{float, integer, word, yes_no};

/// Parses `fix npt` / `fix nph` arguments (after the style) into an MTK barostat, with
/// LAMMPS semantics: `temp Tstart Tstop Tdamp` (npt only), `iso|aniso|tri|x|y|z|xy|xz|yz
/// Pstart Pstop Pdamp`, `couple none|xyz|xy|yz|xz`, `tchain`, `pchain`, `tloop`, `ploop`,
/// `mtk yes|no`, `drag`, `ptemp`, `scalexy|scalexz|scaleyz yes|no`, `dilate all`. Targets
/// ramp over each run; the component keywords switch on LAMMPS's deviatoric stress (so
/// targets may differ). `nreset`, `dilate partial`, `flip`, `fixedpoint`, `update`, `disc`
/// and `ext` are refused with an error naming them. Strongly tilted cells are not flipped.
pub(super) fn barostat(
    style: &str,
    a: &[String],
    dimension: usize,
) -> ScriptResult<Box<dyn Integrator>> {
    let fix = format!("fix {style}");
    let mut k = 0;
    let mut temp: Option<(f64, f64, f64)> = None;
    let mut pressure = PressureKeywords::new();
    let (mut tchain, mut tloop, mut pchain, mut ploop) = (3usize, 1usize, 3usize, 1usize);
    let mut mtk = true;
    let mut drag = 0.0;
    let mut ptemp: Option<f64> = None;
    let mut scale = [true; 3];
    while k < a.len() {
        if let Some(next) = pressure.parse(&fix, a, k, dimension)? {
            k = next;
            continue;
        }
        match a[k].as_str() {
            "temp" => {
                temp = Some((
                    float(a, k + 1, "Tstart")?,
                    float(a, k + 2, "Tstop")?,
                    float(a, k + 3, "Tdamp")?,
                ));
                k += 4;
            }
            n @ ("tchain" | "tloop" | "pchain" | "ploop") => {
                let v = integer(a, k + 1, n)?;
                if v < 0 || (v == 0 && n != "pchain") {
                    return fail(format!("{fix} {n} {v} is out of range"));
                }
                match n {
                    "tchain" => tchain = v as usize,
                    "tloop" => tloop = v as usize,
                    "ploop" => ploop = v as usize,
                    _ => pchain = v as usize,
                }
                k += 2;
            }
            "mtk" => {
                mtk = yes_no(a, k + 1, "mtk")?;
                k += 2;
            }
            "drag" => {
                drag = float(a, k + 1, "drag")?;
                if drag < 0.0 {
                    return fail(format!("{fix} drag {drag} must be >= 0"));
                }
                k += 2;
            }
            "ptemp" => {
                ptemp = Some(float(a, k + 1, "ptemp")?);
                k += 2;
            }
            n @ ("scalexy" | "scalexz" | "scaleyz") => {
                let i = ["scalexy", "scalexz", "scaleyz"]
                    .iter()
                    .position(|x| x == &n);
                scale[i.expect("listed")] = yes_no(a, k + 1, n)?;
                k += 2;
            }
            "dilate" => {
                match word(a, k + 1, "dilate")? {
                    "all" => {}
                    other => return Err(ScriptError::unsupported(&format!("{fix} dilate"), other)),
                }
                k += 2;
            }
            other => return Err(ScriptError::unsupported(&fix, other)),
        }
    }
    let control = pressure.finish(&fix, "iso, aniso, tri, x, y, z, xy, xz or yz")?;
    let err = |e: BarostatError| ScriptError::new(format!("{fix}: {e}"));
    let chain_err =
        |e: ferromd_integrators::NoseHooverError| ScriptError::new(format!("{fix}: {e}"));
    let thermostat = match (style, temp) {
        ("npt", Some((t0, t1, tdamp))) => Some(
            NoseHooverChain::with_options(t0, tdamp, tchain, tloop, 1)
                .and_then(|c| c.ramp_to(t1))
                .and_then(|c| c.drag(drag))
                .map_err(chain_err)?,
        ),
        ("npt", None) => return fail("fix npt needs temp Tstart Tstop Tdamp"),
        (_, Some(_)) => return fail("fix nph takes no temp keyword (use fix npt)"),
        _ => None,
    };
    let mut baro = MtkBarostat::with_control(thermostat, control)
        .and_then(|b| b.ploop(ploop))
        .and_then(|b| b.drag(drag))
        .map_err(err)?
        .pchain(pchain)
        .mtk(mtk)
        .scale_tilts(scale);
    if let Some(t) = ptemp {
        baro = baro.ptemp(t).map_err(err)?;
    }
    Ok(Box::new(baro))
}

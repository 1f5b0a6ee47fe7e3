//! The pressure keywords shared by `fix npt` / `fix nph` and `fix press/crescale`:
//! `iso|aniso|tri|x|y|z|xy|xz|yz Pstart Pstop Pdamp` and `couple none|xyz|xy|yz|xz`,
//! collected into a [`PressureControl`] with LAMMPS's semantics.

use ferromd_integrators::{Couple, Coupling, PressureComponent, PressureControl};

use super::error::{ScriptError, ScriptResult, fail};
use super::words::{float, word};

/// Component names in ferromd's Voigt order (that of [`PressureControl::components`]).
const COMPONENTS: [&str; 6] = ["x", "y", "z", "xy", "xz", "yz"];

/// The pressure keywords of one fix, read in any order among its other keywords.
#[derive(Debug)]
pub(super) struct PressureKeywords {
    control: PressureControl,
    couple: Option<Couple>,
}

impl PressureKeywords {
    /// No component controlled yet.
    pub(super) fn new() -> Self {
        PressureKeywords {
            control: PressureControl::empty(),
            couple: None,
        }
    }

    /// If `a[k]` is a pressure keyword, reads it with its values and returns the index
    /// of the word after them; `None` if it is another keyword. `fix` names the fix in
    /// errors. The component keywords `x` ... `yz` switch on LAMMPS's deviatoric stress
    /// (so that their targets may differ); `tri` in 2-d controls x, y and xy, as LAMMPS.
    pub(super) fn parse(
        &mut self,
        fix: &str,
        a: &[String],
        k: usize,
        dimension: usize,
    ) -> ScriptResult<Option<usize>> {
        let ramp = |what: &str| -> ScriptResult<PressureComponent> {
            Ok(PressureComponent {
                start: float(a, k + 1, &format!("{what} Pstart"))?,
                stop: float(a, k + 2, &format!("{what} Pstop"))?,
                damp: float(a, k + 3, &format!("{what} Pdamp"))?,
            })
        };
        match a[k].as_str() {
            c @ ("iso" | "aniso" | "tri") => {
                let p = ramp(c)?;
                let coupling = match c {
                    "iso" => Coupling::Iso,
                    "aniso" => Coupling::Aniso,
                    _ => Coupling::Tri,
                };
                let control = &mut self.control;
                if coupling == Coupling::Tri && dimension == 2 {
                    let shear = PressureComponent {
                        start: 0.0,
                        stop: 0.0,
                        ..p
                    };
                    *control = control.with(0, p).with(1, p).with(3, shear);
                } else {
                    let full = PressureControl::from_coupling(coupling, p.start, p.stop, p.damp);
                    for (i, c) in full.components.iter().enumerate() {
                        if let Some(c) = c {
                            *control = control.with(i, *c);
                        }
                    }
                }
                self.couple = Some(match coupling {
                    Coupling::Iso => Couple::Xyz,
                    Coupling::Aniso | Coupling::Tri => Couple::None,
                });
                Ok(Some(k + 4))
            }
            c @ ("x" | "y" | "z" | "xy" | "xz" | "yz") => {
                if dimension == 2 && c.contains('z') {
                    return fail(format!("{fix} {c}: the simulation is 2-d"));
                }
                let i = COMPONENTS.iter().position(|n| *n == c).expect("listed");
                self.control = self.control.with(i, ramp(c)?);
                self.control.deviatoric = true;
                Ok(Some(k + 4))
            }
            "couple" => {
                self.couple = Some(match word(a, k + 1, "couple")? {
                    "none" => Couple::None,
                    "xyz" => Couple::Xyz,
                    "xy" => Couple::Xy,
                    "yz" => Couple::Yz,
                    "xz" => Couple::Xz,
                    other => return Err(ScriptError::unsupported(&format!("{fix} couple"), other)),
                });
                Ok(Some(k + 2))
            }
            _ => Ok(None),
        }
    }

    /// The components read, with the `couple` setting applied; an error naming the
    /// keywords `accepted` if none was given.
    pub(super) fn finish(self, fix: &str, accepted: &str) -> ScriptResult<PressureControl> {
        if self.control.components.iter().all(Option::is_none) {
            return fail(format!("{fix} needs {accepted} with Pstart Pstop Pdamp"));
        }
        Ok(match self.couple {
            Some(c) => self.control.coupled(c),
            None => self.control,
        })
    }
}

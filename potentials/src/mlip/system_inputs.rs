//! Total charge and spin multiplicity: system-level inputs of models trained on charged
//! and open-shell systems.
//!
//! A model takes them if its compiled code reads the input keys `total_charge` and
//! `total_spin` (mace-torch's names; `total_spin` is the multiplicity `2S + 1`). ferromd
//! then adds them to the input dictionary as one-element tensors of the model's float
//! type. Giving a value a model does not read is an error, not a silent no-op; a model
//! that reads them and is given none gets charge 0 and multiplicity 1.

use std::path::Path;

use tch::{Device, IValue, Kind, Tensor};

use super::archive::TorchArchive;
use super::{MlipError, MlipOptions};

/// The input key of the total charge.
pub(crate) const CHARGE_KEY: &str = "total_charge";
/// The input key of the spin multiplicity.
pub(crate) const SPIN_KEY: &str = "total_spin";

/// The values passed to a model: `None` for an input it does not read.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SystemInputs {
    /// Total charge (elementary charges).
    pub total_charge: Option<f64>,
    /// Spin multiplicity `2S + 1`.
    pub total_spin: Option<f64>,
}

impl SystemInputs {
    /// Reads which inputs the model in `archive` takes and checks `options` against them.
    pub(crate) fn for_model(
        archive: &mut TorchArchive,
        options: &MlipOptions,
    ) -> Result<Self, MlipError> {
        let reads_charge = archive.code_mentions(&format!("\"{CHARGE_KEY}\""))?;
        let reads_spin = archive.code_mentions(&format!("\"{SPIN_KEY}\""))?;
        Self::check(
            archive.path(),
            reads_charge,
            reads_spin,
            options.charge,
            options.spin_multiplicity,
        )
    }

    /// The inputs for a model that reads the charge and/or spin (as flagged), given the
    /// values asked for.
    fn check(
        path: &Path,
        reads_charge: bool,
        reads_spin: bool,
        charge: Option<f64>,
        spin: Option<f64>,
    ) -> Result<Self, MlipError> {
        let bad = |input: &str, reason: String| MlipError::BadSystemInput {
            path: path.to_path_buf(),
            input: input.into(),
            reason,
        };
        let unread = |key: &str| {
            format!(
                "the model does not take it (its code never reads `{key}` from its input); \
                 remove it, or use a model trained with total charge and spin"
            )
        };
        if let Some(q) = charge {
            if !reads_charge {
                return Err(bad("charge", unread(CHARGE_KEY)));
            }
            if !q.is_finite() {
                return Err(bad("charge", format!("{q} is not a finite number")));
            }
        }
        if let Some(m) = spin {
            if !reads_spin {
                return Err(bad("spin_multiplicity", unread(SPIN_KEY)));
            }
            if !(m.is_finite() && m >= 1.0 && m.fract() == 0.0) {
                return Err(bad(
                    "spin_multiplicity",
                    format!("{m} is not a multiplicity 2S + 1 (a whole number >= 1)"),
                ));
            }
        }
        Ok(SystemInputs {
            total_charge: reads_charge.then(|| charge.unwrap_or(0.0)),
            total_spin: reads_spin.then(|| spin.unwrap_or(1.0)),
        })
    }

    /// The dictionary entries to add to a model's input (`kind`: its float type).
    pub(crate) fn entries(
        &self,
        kind: Kind,
        device: Device,
    ) -> Result<Vec<(IValue, IValue)>, tch::TchError> {
        [(CHARGE_KEY, self.total_charge), (SPIN_KEY, self.total_spin)]
            .into_iter()
            .filter_map(|(key, value)| value.map(|v| (key, v)))
            .map(|(key, v)| -> Result<(IValue, IValue), tch::TchError> {
                let t = Tensor::from_slice(&[v])
                    .f_to_kind(kind)?
                    .f_to_device(device)?;
                Ok((IValue::String(key.into()), IValue::Tensor(t)))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_checked_against_what_the_model_reads() {
        let p = Path::new("m.pt");
        let s = SystemInputs::check(p, true, true, None, None).unwrap();
        assert_eq!(s.total_charge, Some(0.0));
        assert_eq!(s.total_spin, Some(1.0));
        let s = SystemInputs::check(p, true, false, Some(-1.0), None).unwrap();
        assert_eq!(s.total_charge, Some(-1.0));
        assert_eq!(s.total_spin, None);
        let e = SystemInputs::check(p, false, false, Some(1.0), None).unwrap_err();
        assert!(e.to_string().contains("charge"), "{e}");
        assert!(e.to_string().contains("total_charge"), "{e}");
        let e = SystemInputs::check(p, true, false, None, Some(2.0)).unwrap_err();
        assert!(e.to_string().contains("spin_multiplicity"), "{e}");
        let e = SystemInputs::check(p, true, true, None, Some(1.5)).unwrap_err();
        assert!(e.to_string().contains("2S + 1"), "{e}");
        let e = SystemInputs::check(p, true, true, None, Some(0.0)).unwrap_err();
        assert!(e.to_string().contains("2S + 1"), "{e}");
        let e = SystemInputs::check(p, true, true, Some(f64::NAN), None).unwrap_err();
        assert!(e.to_string().contains("finite"), "{e}");
    }
}

//! The metadata of a `pair_e3gnn` model: the `extra/` entries of the TorchScript zip archive.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::MlipError;
use super::archive::TorchArchive;

/// What a SevenNet `pair_e3gnn` archive says about its model.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelMetadata {
    /// The file it was read from.
    pub path: PathBuf,
    /// Interaction cutoff in Å (`extra/cutoff`).
    pub cutoff: f64,
    /// Element symbols in species-index order (`extra/chemical_symbols_to_index`).
    pub elements: Vec<String>,
    /// Whether the model computes in double precision (`extra/dtype`: `single` or `double`).
    pub double: bool,
    /// `extra/model_type`, when present (SevenNet writes `E3_equivariant_model`).
    pub model_type: Option<String>,
    /// `extra/version`: the version of the exporting package, when present.
    pub version: Option<String>,
    /// Whether the model predicts forces directly (`extra/force_output` = `direct`; the
    /// output then has `inferred_force`, one row per atom) instead of as the gradient of
    /// its energy (`gradient`, the default and SevenNet's convention).
    pub direct_forces: bool,
    /// The heads (fidelities) of a multi-fidelity model exported with its modal as a
    /// run-time input (`extra/modal_map`, `NAME:INDEX` pairs, written by
    /// scripts/export-sevennet-heads.py): names and the `modal_type` index each selects.
    /// Empty for single-fidelity models and for models deployed with a fixed modal.
    pub modal_map: Vec<(String, i64)>,
    /// Every extra file, by name.
    pub extra: BTreeMap<String, String>,
}

impl ModelMetadata {
    /// Reads the metadata of the TorchScript archive at `path`.
    pub fn read(path: &Path) -> Result<Self, MlipError> {
        let extra = TorchArchive::open(path)?.extra_files()?;
        Self::from_extra(path, extra)
    }

    /// Interprets the extra files of a `pair_e3gnn` archive.
    fn from_extra(path: &Path, extra: BTreeMap<String, String>) -> Result<Self, MlipError> {
        let missing = |key: &str| MlipError::UnknownConvention {
            path: path.to_path_buf(),
            reason: format!("no extra/{key} entry"),
        };
        let bad = |key: &str, value: &str, reason: &str| MlipError::BadMetadata {
            path: path.to_path_buf(),
            key: key.into(),
            value: value.into(),
            reason: reason.into(),
        };
        let symbols = extra
            .get("chemical_symbols_to_index")
            .ok_or_else(|| missing("chemical_symbols_to_index"))?;
        let elements: Vec<String> = symbols.split_whitespace().map(str::to_owned).collect();
        if elements.is_empty() {
            return Err(bad(
                "chemical_symbols_to_index",
                symbols,
                "it lists no element",
            ));
        }
        let cutoff_text = extra.get("cutoff").ok_or_else(|| missing("cutoff"))?;
        let cutoff: f64 = cutoff_text
            .trim()
            .parse()
            .map_err(|_| bad("cutoff", cutoff_text, "not a number"))?;
        if !(cutoff.is_finite() && cutoff > 0.0) {
            return Err(bad("cutoff", cutoff_text, "the cutoff must be positive"));
        }
        if let Some(n) = extra.get("num_species") {
            match n.trim().parse::<usize>() {
                Ok(k) if k == elements.len() => {}
                _ => {
                    return Err(bad(
                        "num_species",
                        n,
                        &format!(
                            "chemical_symbols_to_index lists {} elements",
                            elements.len()
                        ),
                    ));
                }
            }
        }
        let double = match extra.get("dtype").map(|s| s.trim()) {
            None | Some("single" | "float32" | "float") => false,
            Some("double" | "float64") => true,
            Some(other) => {
                return Err(bad("dtype", other, "expected `single` or `double`"));
            }
        };
        if let Some(t) = extra.get("model_type")
            && t.trim() != "E3_equivariant_model"
        {
            return Err(MlipError::UnknownConvention {
                path: path.to_path_buf(),
                reason: format!("model_type `{}` is not E3_equivariant_model", t.trim()),
            });
        }
        let direct_forces = match extra.get("force_output").map(|s| s.trim()) {
            None | Some("gradient") => false,
            Some("direct") => true,
            Some(other) => {
                return Err(bad(
                    "force_output",
                    other,
                    "expected `gradient` (forces are -dE/dx) or `direct` (the model outputs \
                     `inferred_force`)",
                ));
            }
        };
        for accelerator in ["flashTP", "oeq"] {
            if extra.get(accelerator).is_some_and(|v| v.trim() == "yes") {
                return Err(bad(
                    accelerator,
                    "yes",
                    "models exported with a tensor-product accelerator need its custom \
                     operators; export the model without it",
                ));
            }
        }
        let modal_map = match extra.get("modal_map") {
            None => Vec::new(),
            Some(text) => parse_modal_map(text)
                .ok_or_else(|| bad("modal_map", text, "expected NAME:INDEX pairs"))?,
        };
        Ok(ModelMetadata {
            path: path.to_path_buf(),
            cutoff,
            elements,
            double,
            modal_map,
            model_type: extra.get("model_type").map(|s| s.trim().to_owned()),
            version: extra.get("version").map(|s| s.trim().to_owned()),
            direct_forces,
            extra,
        })
    }

    /// The species index of each element of `elements` (one per atom type).
    pub fn species_indices(&self, elements: &[&str]) -> Result<Vec<i64>, MlipError> {
        super::species_indices(&self.path, &self.elements, elements)
    }
}

/// `R2SCAN:0 PBE:1` as `[("R2SCAN", 0), ("PBE", 1)]`; `None` unless every word is
/// `NAME:INDEX` with distinct names and at least one pair.
fn parse_modal_map(text: &str) -> Option<Vec<(String, i64)>> {
    let pairs: Vec<(String, i64)> = text
        .split_whitespace()
        .map(|word| {
            let (name, index) = word.rsplit_once(':')?;
            let index = index.parse().ok()?;
            (!name.is_empty()).then(|| (name.to_owned(), index))
        })
        .collect::<Option<_>>()?;
    let distinct = pairs
        .iter()
        .enumerate()
        .all(|(k, (name, _))| pairs[..k].iter().all(|(other, _)| other != name));
    (!pairs.is_empty() && distinct).then_some(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mlip::archive::extra_files_from;

    #[test]
    fn reads_sevennet_metadata() {
        let m = ModelMetadata::from_extra(
            Path::new("m.pt"),
            extra_files_from(&[
                ("chemical_symbols_to_index", "Ga N O Si "),
                ("cutoff", "5.0"),
                ("num_species", "4"),
                ("dtype", "single"),
                ("model_type", "E3_equivariant_model"),
                ("oeq", "no"),
            ]),
        )
        .unwrap();
        assert_eq!(m.cutoff, 5.0);
        assert_eq!(m.elements, ["Ga", "N", "O", "Si"]);
        assert!(!m.double);
        assert_eq!(m.species_indices(&["Si", "O"]).unwrap(), [3, 2]);
        let e = m.species_indices(&["Si", "Xx"]).unwrap_err();
        assert!(e.to_string().contains("`Xx` is not covered"), "{e}");
        assert!(e.to_string().contains("Ga N O Si"), "{e}");
    }

    #[test]
    fn rejects_missing_or_bad_entries() {
        let p = Path::new("m.pt");
        let e = ModelMetadata::from_extra(p, extra_files_from(&[("cutoff", "5.0")])).unwrap_err();
        assert!(matches!(e, MlipError::UnknownConvention { .. }), "{e}");
        let e = ModelMetadata::from_extra(
            p,
            extra_files_from(&[("chemical_symbols_to_index", "Si"), ("cutoff", "x")]),
        )
        .unwrap_err();
        assert!(matches!(e, MlipError::BadMetadata { .. }), "{e}");
        let e = ModelMetadata::from_extra(
            p,
            extra_files_from(&[
                ("chemical_symbols_to_index", "Si"),
                ("cutoff", "4"),
                ("num_species", "2"),
            ]),
        )
        .unwrap_err();
        assert!(e.to_string().contains("num_species"), "{e}");
        let si = [("chemical_symbols_to_index", "Si"), ("cutoff", "4")];
        let direct = [si[0], si[1], ("force_output", "direct")];
        assert!(
            ModelMetadata::from_extra(p, extra_files_from(&direct))
                .unwrap()
                .direct_forces
        );
        assert!(
            !ModelMetadata::from_extra(p, extra_files_from(&si))
                .unwrap()
                .direct_forces
        );
        let e = ModelMetadata::from_extra(
            p,
            extra_files_from(&[si[0], si[1], ("force_output", "curl")]),
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("force_output") && e.to_string().contains("`direct`"),
            "{e}"
        );
        let e = ModelMetadata::from_extra(
            p,
            extra_files_from(&[
                ("chemical_symbols_to_index", "Si"),
                ("cutoff", "4"),
                ("modal_map", "PBE"),
            ]),
        )
        .unwrap_err();
        assert!(e.to_string().contains("modal_map"), "{e}");
    }

    #[test]
    fn reads_the_modal_map_of_multi_fidelity_exports() {
        let m = ModelMetadata::from_extra(
            Path::new("m.pt"),
            extra_files_from(&[
                ("chemical_symbols_to_index", "Si"),
                ("cutoff", "5.0"),
                ("modal_map", "R2SCAN:0 PBE:1"),
            ]),
        )
        .unwrap();
        assert_eq!(m.modal_map, [("R2SCAN".into(), 0), ("PBE".into(), 1)]);
        assert_eq!(parse_modal_map("A:0 A:1"), None);
        assert_eq!(parse_modal_map("A:x"), None);
        assert_eq!(parse_modal_map(""), None);
    }
}

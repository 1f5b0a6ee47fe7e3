//! The metadata of a `pair_e3gnn` model: the `extra/` entries of the TorchScript zip archive.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::MlipError;

/// Largest extra file read (metadata entries are a few hundred bytes).
const MAX_EXTRA_BYTES: u64 = 1 << 20;

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
    /// Every extra file, by name.
    pub extra: BTreeMap<String, String>,
}

impl ModelMetadata {
    /// Reads the metadata of the TorchScript archive at `path`.
    pub fn read(path: &Path) -> Result<Self, MlipError> {
        if !path.is_file() {
            return Err(MlipError::FileMissing {
                path: path.to_path_buf(),
            });
        }
        let not_ts = |reason: String| MlipError::NotTorchScript {
            path: path.to_path_buf(),
            reason,
        };
        let file = File::open(path).map_err(|e| not_ts(format!("cannot open it: {e}")))?;
        let mut zip = zip::ZipArchive::new(file)
            .map_err(|e| not_ts(format!("it is not a zip archive ({e})")))?;
        let names: Vec<String> = zip.file_names().map(str::to_owned).collect();
        // every TorchScript archive holds `<name>/data.pkl` and `<name>/code/...`
        if !names.iter().any(|n| n.ends_with("/data.pkl")) {
            return Err(not_ts(
                "the zip archive has no data.pkl entry (a torch.save checkpoint or another \
                 zip file? export the model with torch.jit.save)"
                    .into(),
            ));
        }
        let mut extra = BTreeMap::new();
        for name in &names {
            let Some(key) = extra_key(name) else { continue };
            let mut entry = zip
                .by_name(name)
                .map_err(|e| not_ts(format!("cannot read {name}: {e}")))?;
            let mut text = String::new();
            entry
                .by_ref()
                .take(MAX_EXTRA_BYTES)
                .read_to_string(&mut text)
                .map_err(|e| not_ts(format!("cannot read {name}: {e}")))?;
            extra.insert(key.to_owned(), text);
        }
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
        Ok(ModelMetadata {
            path: path.to_path_buf(),
            cutoff,
            elements,
            double,
            model_type: extra.get("model_type").map(|s| s.trim().to_owned()),
            version: extra.get("version").map(|s| s.trim().to_owned()),
            extra,
        })
    }

    /// The species index of each element of `elements` (one per atom type).
    pub fn species_indices(&self, elements: &[&str]) -> Result<Vec<i64>, MlipError> {
        if elements.is_empty() {
            return Err(MlipError::NoTypes);
        }
        elements
            .iter()
            .map(|el| {
                self.elements
                    .iter()
                    .position(|e| e == el)
                    .map(|k| k as i64)
                    .ok_or_else(|| MlipError::UnknownElement {
                        element: (*el).to_owned(),
                        path: self.path.clone(),
                        available: self.elements.clone(),
                    })
            })
            .collect()
    }
}

/// `key` for an archive entry `<archive>/extra/<key>`.
fn extra_key(name: &str) -> Option<&str> {
    let (dir, key) = name.rsplit_once('/')?;
    // `extra/` sits directly under the archive's top folder
    let is_extra = dir == "extra"
        || dir
            .strip_suffix("/extra")
            .is_some_and(|top| !top.contains('/'));
    (is_extra && !key.is_empty()).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extra(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn reads_sevennet_metadata() {
        let m = ModelMetadata::from_extra(
            Path::new("m.pt"),
            extra(&[
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
        let e = ModelMetadata::from_extra(p, extra(&[("cutoff", "5.0")])).unwrap_err();
        assert!(matches!(e, MlipError::UnknownConvention { .. }), "{e}");
        let e = ModelMetadata::from_extra(
            p,
            extra(&[("chemical_symbols_to_index", "Si"), ("cutoff", "x")]),
        )
        .unwrap_err();
        assert!(matches!(e, MlipError::BadMetadata { .. }), "{e}");
        let e = ModelMetadata::from_extra(
            p,
            extra(&[
                ("chemical_symbols_to_index", "Si"),
                ("cutoff", "4"),
                ("num_species", "2"),
            ]),
        )
        .unwrap_err();
        assert!(e.to_string().contains("num_species"), "{e}");
    }

    #[test]
    fn extra_entry_names() {
        assert_eq!(extra_key("sevennet0/extra/cutoff"), Some("cutoff"));
        assert_eq!(extra_key("extra/dtype"), Some("dtype"));
        assert_eq!(extra_key("sevennet0/data.pkl"), None);
        assert_eq!(extra_key("sevennet0/code/extra/x.py"), None);
    }
}

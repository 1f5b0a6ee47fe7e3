//! Reading a TorchScript archive (`torch.jit.save`'s zip file) without libtorch: its
//! entry names, its `extra/` files, the module attributes pickled in `data.pkl` and the
//! tensors they point to in `data/`.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::MlipError;
use super::pickle::{self, TensorRef, Value};

/// Largest extra file read (metadata entries are a few hundred bytes).
const MAX_EXTRA_BYTES: u64 = 1 << 20;

/// An open TorchScript archive.
pub struct TorchArchive {
    path: PathBuf,
    zip: zip::ZipArchive<File>,
    names: Vec<String>,
    /// The archive's top folder (`<top>/data.pkl`), without the slash; empty if none.
    top: String,
}

impl std::fmt::Debug for TorchArchive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TorchArchive")
            .field("path", &self.path)
            .field("top", &self.top)
            .finish_non_exhaustive()
    }
}

impl TorchArchive {
    /// Opens `path`, checking that it is a zip archive with a `data.pkl` entry.
    pub fn open(path: &Path) -> Result<Self, MlipError> {
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
        let zip = zip::ZipArchive::new(file)
            .map_err(|e| not_ts(format!("it is not a zip archive ({e})")))?;
        let names: Vec<String> = zip.file_names().map(str::to_owned).collect();
        // every TorchScript archive holds `<name>/data.pkl` and `<name>/code/...`
        let Some(pkl) = names
            .iter()
            .filter(|n| *n == "data.pkl" || n.ends_with("/data.pkl"))
            .min_by_key(|n| n.len())
        else {
            return Err(not_ts(
                "the zip archive has no data.pkl entry (a torch.save checkpoint or another \
                 zip file? export the model with torch.jit.save)"
                    .into(),
            ));
        };
        let top = pkl
            .trim_end_matches("data.pkl")
            .trim_end_matches('/')
            .to_owned();
        Ok(TorchArchive {
            path: path.to_path_buf(),
            zip,
            names,
            top,
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn not_ts(&self, reason: String) -> MlipError {
        MlipError::NotTorchScript {
            path: self.path.clone(),
            reason,
        }
    }

    fn entry(&self, rel: &str) -> String {
        if self.top.is_empty() {
            rel.to_owned()
        } else {
            format!("{}/{rel}", self.top)
        }
    }

    /// Whether the archive holds the TorchScript code of Python module `module`
    /// (dotted, e.g. `mace.calculators.lammps_mace`), i.e. whether a class of that
    /// module is part of the saved model.
    pub fn has_code_for(&self, module: &str) -> bool {
        let want = self.entry(&format!("code/__torch__/{}.py", module.replace('.', "/")));
        self.names.contains(&want)
    }

    /// Whether the model's compiled TorchScript code (the `code/**/*.py` entries) contains
    /// `needle`, e.g. a quoted dictionary key the model reads from its input.
    pub fn code_mentions(&mut self, needle: &str) -> Result<bool, MlipError> {
        let prefix = self.entry("code/");
        let names: Vec<String> = self
            .names
            .iter()
            .filter(|n| n.starts_with(&prefix) && n.ends_with(".py"))
            .cloned()
            .collect();
        for name in &names {
            let code = self.read_entry(name, u64::MAX)?;
            if code.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn read_entry(&mut self, name: &str, limit: u64) -> Result<Vec<u8>, MlipError> {
        let path = &self.path;
        let mut entry = self
            .zip
            .by_name(name)
            .map_err(|e| MlipError::NotTorchScript {
                path: path.clone(),
                reason: format!("cannot read {name}: {e}"),
            })?;
        let mut bytes = Vec::new();
        entry
            .by_ref()
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(|e| MlipError::NotTorchScript {
                path: path.clone(),
                reason: format!("cannot read {name}: {e}"),
            })?;
        Ok(bytes)
    }

    /// Every `extra/` file (written by `torch.jit.save(..., _extra_files=...)`), by name.
    pub fn extra_files(&mut self) -> Result<BTreeMap<String, String>, MlipError> {
        let mut extra = BTreeMap::new();
        let names: Vec<String> = self.names.clone();
        for name in &names {
            let Some(key) = extra_key(name) else { continue };
            let bytes = self.read_entry(name, MAX_EXTRA_BYTES)?;
            extra.insert(key.to_owned(), String::from_utf8_lossy(&bytes).into_owned());
        }
        Ok(extra)
    }

    /// The pickled top-level module: an object whose state holds its attributes,
    /// submodules and buffers.
    pub fn root_module(&mut self) -> Result<Value, MlipError> {
        let name = self.entry("data.pkl");
        let bytes = self.read_entry(&name, u64::MAX)?;
        pickle::parse(&bytes).map_err(|e| self.not_ts(format!("{name}: {e}")))
    }

    /// The elements of a stored tensor in row-major order, converted to `f64`
    /// (floating and integer storages).
    pub fn tensor_f64(&mut self, t: &TensorRef) -> Result<Vec<f64>, MlipError> {
        let (size, decode): (usize, fn(&[u8]) -> f64) = match t.storage.as_str() {
            "DoubleStorage" => (8, |b| f64::from_le_bytes(b.try_into().expect("8 bytes"))),
            "FloatStorage" => (4, |b| {
                f32::from_le_bytes(b.try_into().expect("4 bytes")) as f64
            }),
            "LongStorage" => (8, |b| {
                i64::from_le_bytes(b.try_into().expect("8 bytes")) as f64
            }),
            "IntStorage" => (4, |b| {
                i32::from_le_bytes(b.try_into().expect("4 bytes")) as f64
            }),
            other => {
                return Err(self.not_ts(format!(
                    "tensor storage `{other}` is not a float or integer storage"
                )));
            }
        };
        if let Ok(order) = self.read_entry(&self.entry("byteorder"), 16)
            && order.trim_ascii() != b"little"
        {
            return Err(self.not_ts("the archive is not little-endian".into()));
        }
        let name = self.entry(&format!("data/{}", t.key));
        let bytes = self.read_entry(&name, u64::MAX)?;
        let numel: usize = t.shape.iter().product();
        let mut out = Vec::with_capacity(numel);
        // walk the indices in row-major order through the strides
        let mut index = vec![0usize; t.shape.len()];
        for _ in 0..numel {
            let k = t.offset
                + index
                    .iter()
                    .zip(&t.stride)
                    .map(|(i, s)| i * s)
                    .sum::<usize>();
            let b = bytes
                .get(k * size..(k + 1) * size)
                .ok_or_else(|| self.not_ts(format!("{name} is shorter than its tensor needs")))?;
            out.push(decode(b));
            for d in (0..index.len()).rev() {
                index[d] += 1;
                if index[d] < t.shape[d] {
                    break;
                }
                index[d] = 0;
            }
        }
        Ok(out)
    }
}

/// `key` for an archive entry `<archive>/extra/<key>`.
pub fn extra_key(name: &str) -> Option<&str> {
    let (dir, key) = name.rsplit_once('/')?;
    // `extra/` sits directly under the archive's top folder
    let is_extra = dir == "extra"
        || dir
            .strip_suffix("/extra")
            .is_some_and(|top| !top.contains('/'));
    (is_extra && !key.is_empty()).then_some(key)
}

/// Extra files made from `(name, content)` pairs, as [`TorchArchive::extra_files`] returns
/// them: the input of the metadata readers' tests.
#[cfg(test)]
pub(crate) fn extra_files_from(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_entry_names() {
        assert_eq!(extra_key("sevennet0/extra/cutoff"), Some("cutoff"));
        assert_eq!(extra_key("extra/dtype"), Some("dtype"));
        assert_eq!(extra_key("sevennet0/data.pkl"), None);
        assert_eq!(extra_key("sevennet0/code/extra/x.py"), None);
    }
}

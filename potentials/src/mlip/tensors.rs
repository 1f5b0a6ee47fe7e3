//! Moving arrays into and out of torch for models that take an input dictionary and
//! return an output dictionary (MACE's `LAMMPS_MACE`, NequIP's deployed models).

use ferromd_core::potential::PotentialError;
use tch::{Device, IValue, Kind, Tensor};

use super::system_inputs::SystemInputs;

/// The error of a failed torch call of model `style`.
pub(crate) fn torch_error(style: &str, e: tch::TchError) -> PotentialError {
    PotentialError::Other(format!("{style}: torch: {e}"))
}

/// A tensor of `shape` over `data` (f64, row-major) as `kind` on `device`.
///
/// For `Kind::Double` on the CPU the tensor shares `data`'s memory: it must be dropped
/// before `data` is changed or freed (callers drop their tensors before returning).
pub(crate) fn float_tensor(
    data: &[f64],
    shape: &[i64],
    kind: Kind,
    device: Device,
) -> Result<Tensor, tch::TchError> {
    check_len(data.len(), shape)?;
    // SAFETY: `data` holds exactly the product of `shape` initialized f64 values (checked
    // above) and, as documented, outlives the tensor or its copy.
    let t = unsafe {
        Tensor::f_from_blob(data.as_ptr().cast(), shape, &[], Kind::Double, Device::Cpu)
    }?;
    let t = if kind == Kind::Double {
        t
    } else {
        t.f_to_kind(kind)?
    };
    t.f_to_device(device)
}

/// An i64 tensor of `shape` over `data` (row-major) on `device`; shares `data`'s memory on
/// the CPU, as [`float_tensor`].
pub(crate) fn long_tensor(
    data: &[i64],
    shape: &[i64],
    device: Device,
) -> Result<Tensor, tch::TchError> {
    check_len(data.len(), shape)?;
    // SAFETY: as in `float_tensor`, for i64 values.
    let t =
        unsafe { Tensor::f_from_blob(data.as_ptr().cast(), shape, &[], Kind::Int64, Device::Cpu) }?;
    t.f_to_device(device)
}

fn check_len(len: usize, shape: &[i64]) -> Result<(), tch::TchError> {
    let numel: i64 = shape.iter().product();
    if usize::try_from(numel).ok() == Some(len) {
        Ok(())
    } else {
        Err(tch::TchError::Shape(format!(
            "{len} values for a tensor of shape {shape:?}"
        )))
    }
}

/// A model's input dictionary, built entry by entry from host arrays.
///
/// Its tensors share the memory of the arrays as [`float_tensor`] and [`long_tensor`] do:
/// the arrays must stay unchanged until the dictionary and the model call are done.
pub(crate) struct InputDict {
    style: &'static str,
    kind: Kind,
    device: Device,
    entries: Vec<(IValue, IValue)>,
}

impl InputDict {
    /// An empty dictionary whose floating tensors are `kind` on `device`; `style` names
    /// the model in errors.
    pub fn new(style: &'static str, kind: Kind, device: Device) -> Self {
        InputDict {
            style,
            kind,
            device,
            entries: Vec::new(),
        }
    }

    /// `data` (row-major, of `shape`) as a floating tensor of the dictionary's kind and
    /// device, not added to it.
    pub fn float_tensor(&self, data: &[f64], shape: &[i64]) -> Result<Tensor, PotentialError> {
        float_tensor(data, shape, self.kind, self.device).map_err(|e| torch_error(self.style, e))
    }

    /// Adds `data` (row-major, of `shape`) under `key` as a floating tensor.
    pub fn float(&mut self, key: &str, data: &[f64], shape: &[i64]) -> Result<(), PotentialError> {
        let t = self.float_tensor(data, shape)?;
        self.push(key, t);
        Ok(())
    }

    /// Adds `data` (row-major, of `shape`) under `key` as an i64 tensor.
    pub fn long(&mut self, key: &str, data: &[i64], shape: &[i64]) -> Result<(), PotentialError> {
        let t = long_tensor(data, shape, self.device).map_err(|e| torch_error(self.style, e))?;
        self.push(key, t);
        Ok(())
    }

    /// Adds the total charge and spin entries of a model that reads them.
    pub fn system_inputs(&mut self, inputs: &SystemInputs) -> Result<(), PotentialError> {
        let entries = inputs
            .entries(self.kind, self.device)
            .map_err(|e| torch_error(self.style, e))?;
        self.entries.extend(entries);
        Ok(())
    }

    /// The dictionary as a model argument.
    pub fn into_ivalue(self) -> IValue {
        IValue::GenericDict(self.entries)
    }

    fn push(&mut self, key: &str, t: Tensor) {
        self.entries
            .push((IValue::String(key.into()), IValue::Tensor(t)));
    }
}

/// The entries of a model's output dictionary.
pub(crate) struct OutputDict {
    style: &'static str,
    entries: Vec<(IValue, IValue)>,
}

impl OutputDict {
    /// Checks that the model `style` returned a dictionary.
    pub fn new(style: &'static str, output: IValue) -> Result<Self, PotentialError> {
        match output {
            IValue::GenericDict(entries) => Ok(OutputDict { style, entries }),
            _ => Err(PotentialError::Other(format!(
                "{style}: the model did not return a dictionary"
            ))),
        }
    }

    /// The tensor under `key`, if the model returned one.
    pub fn get(&self, key: &str) -> Option<&Tensor> {
        self.entries.iter().find_map(|(k, v)| match (k, v) {
            (IValue::String(name), IValue::Tensor(t)) if name == key => Some(t),
            _ => None,
        })
    }

    /// The tensor under `key` copied into `out` as f64 (row-major), which must have exactly
    /// as many elements; an error names a missing key or a wrong size.
    pub fn copy_into(&self, key: &str, out: &mut [f64]) -> Result<(), PotentialError> {
        let style = self.style;
        let t = self.get(key).ok_or_else(|| {
            PotentialError::Other(format!("{style}: the model output has no `{key}` tensor"))
        })?;
        let numel = t.numel();
        if numel != out.len() {
            return Err(PotentialError::Other(format!(
                "{style}: the model output `{key}` has {numel} values, expected {}",
                out.len()
            )));
        }
        t.detach()
            .f_to_device(Device::Cpu)
            .and_then(|t| t.f_to_kind(Kind::Double))
            .and_then(|t| t.f_contiguous())
            .and_then(|t| t.f_copy_data(out, numel))
            .map_err(|e| torch_error(style, e))
    }

    /// The 3×3 tensor under `key` (a virial, row-major) in ferromd's virial order
    /// `[xx, yy, zz, xy, xz, yz]`.
    pub fn virial(&self, key: &str) -> Result<[f64; 6], PotentialError> {
        let mut v = [0.0; 9];
        self.copy_into(key, &mut v)?;
        Ok(virial_from_3x3(&v))
    }

    /// The sum of the tensor under `key` (a total energy), in f64.
    pub fn sum(&self, key: &str) -> Result<f64, PotentialError> {
        let style = self.style;
        let t = self.get(key).ok_or_else(|| {
            PotentialError::Other(format!("{style}: the model output has no `{key}` tensor"))
        })?;
        t.detach()
            .f_to_kind(Kind::Double)
            .and_then(|t| t.f_sum(Kind::Double))
            .and_then(|t| t.f_double_value(&[]))
            .map_err(|e| torch_error(style, e))
    }
}

/// A row-major 3×3 tensor's entries as ferromd's virial order `[xx, yy, zz, xy, xz, yz]`.
pub(crate) fn virial_from_3x3(v: &[f64; 9]) -> [f64; 6] {
    [v[0], v[4], v[8], v[1], v[2], v[5]]
}

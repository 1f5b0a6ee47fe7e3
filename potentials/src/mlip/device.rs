//! The `device` option of TorchScript models: `cpu`, `cuda` or `cuda:N`.

use tch::Device;

use super::MlipError;

/// Parses `cpu`, `cuda` or `cuda:N` and checks that torch can use it.
pub(crate) fn parse_device(name: &str) -> Result<Device, MlipError> {
    let err = |reason: String| MlipError::Device {
        device: name.to_owned(),
        reason,
    };
    let index = match name.trim() {
        "cpu" => return Ok(Device::Cpu),
        "cuda" => 0,
        other => match other.strip_prefix("cuda:").map(str::parse::<usize>) {
            Some(Ok(k)) => k,
            _ => return Err(err("expected `cpu`, `cuda` or `cuda:N`".into())),
        },
    };
    if !tch::Cuda::is_available() {
        return Err(err(
            "torch sees no CUDA device (no GPU, no driver, or a CPU-only libtorch); \
             use device = \"cpu\""
                .into(),
        ));
    }
    let count = tch::Cuda::device_count();
    if index as i64 >= count {
        return Err(err(format!("torch sees {count} CUDA device(s)")));
    }
    Ok(Device::Cuda(index))
}

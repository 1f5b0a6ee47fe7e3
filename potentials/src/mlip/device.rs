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

/// Loads the TorchScript module at `path` onto `device` for inference (eval mode).
///
/// The graph executor's profiling re-optimisation is switched off, as LAMMPS's pair styles
/// do: the input shapes (the edge count) change every step, so re-profiling would never
/// settle (measured: same speed on CPU).
pub(crate) fn load_module(
    path: &std::path::Path,
    device: Device,
) -> Result<tch::CModule, MlipError> {
    tch::jit::set_graph_executor_optimize(false);
    let mut model =
        tch::CModule::load_on_device(path, device).map_err(|e| MlipError::NotTorchScript {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
    model.set_eval();
    Ok(model)
}

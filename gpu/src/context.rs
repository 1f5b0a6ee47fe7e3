//! The GPU context: adapter selection, device and queue.

use crate::error::GpuError;

/// An open GPU device and its command queue.
///
/// One context can serve many [`crate::GpuSimulation`]s, one after the other.
#[derive(Debug)]
pub struct GpuContext {
    pub(crate) device: wgpu::Device,
    pub(crate) queue: wgpu::Queue,
    info: wgpu::AdapterInfo,
    limits: wgpu::Limits,
}

impl GpuContext {
    /// Opens the best available adapter (a discrete GPU before integrated or software ones).
    ///
    /// The usual wgpu environment variables apply (`WGPU_BACKEND`, `WGPU_ADAPTER_NAME`).
    /// Returns [`GpuError::NoAdapter`] when the machine has no usable Vulkan device.
    pub fn new() -> Result<Self, GpuError> {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let options = wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            ..Default::default()
        };
        let adapter = pollster::block_on(instance.request_adapter(&options))
            .map_err(|e| GpuError::NoAdapter(e.to_string()))?;
        let info = adapter.get_info();
        let limits = adapter.limits();
        let needed = crate::kernels::MAX_STORAGE_BUFFERS;
        if limits.max_storage_buffers_per_shader_stage < needed {
            return Err(GpuError::Limits {
                adapter: info.name.clone(),
                what: format!(
                    "{} storage buffers per shader stage, the kernels need {needed}",
                    limits.max_storage_buffers_per_shader_stage
                ),
            });
        }
        let descriptor = wgpu::DeviceDescriptor {
            label: Some("ferromd"),
            required_limits: limits.clone(),
            ..Default::default()
        };
        let (device, queue) =
            pollster::block_on(adapter.request_device(&descriptor)).map_err(|e| {
                GpuError::Device {
                    adapter: info.name.clone(),
                    reason: e.to_string(),
                }
            })?;
        Ok(GpuContext {
            device,
            queue,
            info,
            limits,
        })
    }

    /// The adapter's name, e.g. `"llvmpipe (LLVM 15.0.6, 256 bits)"` or `"NVIDIA H100"`.
    pub fn adapter_name(&self) -> &str {
        &self.info.name
    }

    /// A one-line description: name, device type and backend.
    pub fn description(&self) -> String {
        format!(
            "{} ({:?}, {:?})",
            self.info.name, self.info.device_type, self.info.backend
        )
    }

    /// The device limits in force.
    pub fn limits(&self) -> &wgpu::Limits {
        &self.limits
    }
}

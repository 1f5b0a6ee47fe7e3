//! Errors of the GPU backend.

/// Why the GPU path cannot start or continue.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GpuError {
    /// No GPU adapter was found (no Vulkan driver or device).
    #[error(
        "no GPU adapter found ({0}); install a Vulkan driver (on Debian/Ubuntu `apt-get install mesa-vulkan-drivers` gives the software device llvmpipe) or run on the CPU"
    )]
    NoAdapter(String),
    /// The adapter refused to create a device.
    #[error("the GPU adapter `{adapter}` could not open a device: {reason}")]
    Device {
        /// Adapter name.
        adapter: String,
        /// The driver's message.
        reason: String,
    },
    /// The adapter's limits are too small for this run.
    #[error("the GPU adapter `{adapter}` is too small for this run: {what}")]
    Limits {
        /// Adapter name.
        adapter: String,
        /// What does not fit.
        what: String,
    },
    /// The system cannot be simulated on the GPU path.
    #[error("the GPU path does not support this run: {0}")]
    Unsupported(String),
    /// The cell is too small for the minimum-image convention at the list cutoff.
    #[error(
        "the cell is too small for the GPU path: the distance between opposite faces ({face:.4}) must exceed twice the neighbor-list cutoff ({list_cutoff:.4}); replicate the system or use the CPU path"
    )]
    CellTooSmall {
        /// Smallest face distance.
        face: f64,
        /// Force cutoff plus skin.
        list_cutoff: f64,
    },
    /// Positions or velocities became NaN or infinite.
    #[error(
        "the GPU run became non-finite at step {step} (atoms lost or the timestep is too large)"
    )]
    NonFinite {
        /// Step at which it was detected.
        step: u64,
    },
    /// Reading results back from the device failed.
    #[error("reading GPU results back failed: {0}")]
    Readback(String),
}

//! Three-body potentials read from LAMMPS element-triplet files: Tersoff (`tersoff`),
//! Kumagai's modified Tersoff (`tersoff/mod`) and Stillinger-Weber (`sw`).
//!
//! Both use a full neighbor list: each local atom sees all its neighbors, evaluates its
//! own three-body terms and scatters forces onto neighbors (locals or ghost images) in
//! per-thread buffers ([`ferromd_core::potential::ForceOutput::accumulate_parallel`]).
//! Pair terms are taken once per pair. The virial is `sum_k x_k (x) f_k` over local and
//! ghost atoms, as LAMMPS's `virial_fdotr_compute`.

mod evaluation;
mod short_list;
pub mod sw;
pub mod sw_params;
pub mod tersoff;
pub mod tersoff_mod_params;
pub mod tersoff_params;
pub mod triplet_file;

use std::path::Path;

use ferromd_core::Potential;

pub use sw::StillingerWeber;
pub use sw_params::SwParams;
pub use tersoff::{BondOrder, BondOrderParams, Tersoff, TersoffMod};
pub use tersoff_mod_params::TersoffModParams;
pub use tersoff_params::TersoffParams;
pub use triplet_file::{ManybodyError, TripletEntry, TripletParams, TripletTable};

/// The LAMMPS pair-style names implemented here.
pub const STYLES: &[&str] = &["tersoff", "tersoff/mod", "sw"];

/// Builds the many-body potential `style` (one of [`STYLES`]) from `file`, mapping atom
/// type `t` (0-based) to `element_map[t]` as `pair_coeff * * file El1 El2 ...` does; a type
/// mapped to [`crate::NULL_ELEMENT`] takes part in no term (its atoms neither act nor are acted on).
pub fn from_style(
    style: &str,
    file: impl AsRef<Path>,
    element_map: &[&str],
) -> Result<Box<dyn Potential>, ManybodyError> {
    match style {
        "tersoff" => Ok(Box::new(Tersoff::from_file(file, element_map)?)),
        "tersoff/mod" => Ok(Box::new(TersoffMod::from_file(file, element_map)?)),
        "sw" => Ok(Box::new(StillingerWeber::from_file(file, element_map)?)),
        other => Err(ManybodyError::UnknownStyle(other.to_owned())),
    }
}

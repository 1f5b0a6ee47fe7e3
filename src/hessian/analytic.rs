//! The Hessian a potential computes itself (autograd through TorchScript models).

use ferromd_core::{Potential, RunError, System};

use super::{Hessian, HessianMethod};
use crate::check::Probe;

/// The Hessian of `potential` at `system`'s positions from the potential's own second
/// derivatives ([`Potential::analytic_hessian`]), symmetrised; `None` when it has none.
pub fn analytic_hessian(
    system: &System,
    potential: &dyn Potential,
) -> Result<Option<Hessian>, RunError> {
    let Some(second) = potential.analytic_hessian() else {
        return Ok(None);
    };
    let description = second.hessian_method().to_owned();
    let raw = Probe::new(potential).analytic_hessian(system)?;
    Ok(raw.map(|raw| Hessian::symmetrised(raw, HessianMethod::Analytic { description })))
}

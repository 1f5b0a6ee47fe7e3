//! What every TorchScript model needs before a call: a full neighbor list matching the
//! atoms and reaching the model cutoff, and torch's intra-op threads following rayon's.

use ferromd_core::neighbor::ListKind;
use ferromd_core::potential::{ForceInput, PotentialError};

/// Checks that `input` carries a full list over its atoms reaching `cutoff`; `style`
/// names the model in messages. Returns whether there are local atoms to evaluate.
pub(crate) fn check_full_list(
    style: &str,
    input: &ForceInput<'_>,
    cutoff: f64,
) -> Result<bool, PotentialError> {
    let n_local = input.n_local();
    let list = input.list;
    if list.kind() != ListKind::Full
        || list.n_atoms() != n_local
        || list.n_extended() != input.n_total()
    {
        return Err(PotentialError::Other(format!(
            "{style}: needs a full neighbor list matching the atoms"
        )));
    }
    if list.cutoff() < cutoff {
        return Err(PotentialError::Other(format!(
            "{style}: the neighbor list cutoff {} is shorter than the model cutoff {cutoff}",
            list.cutoff()
        )));
    }
    Ok(n_local > 0)
}

/// Sets torch's intra-op thread count to rayon's (`--threads`), when it differs.
pub(crate) fn follow_rayon_threads() {
    let threads = rayon::current_num_threads().max(1) as i32;
    if tch::get_num_threads() != threads {
        tch::set_num_threads(threads);
    }
}

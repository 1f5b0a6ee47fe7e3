//! The evaluation shared by the three-body styles: input checks, the per-atom kernel
//! run over rayon per-thread buffers with energy bookkeeping chosen at compile time, and
//! the virial from forces on local and ghost atoms.

use std::ops::Range;

use ferromd_core::neighbor::ListKind;
use ferromd_core::potential::{Accumulator, ForceInput, ForceOutput, PotentialError};

/// A three-body style's loop over a range of local atoms, accumulating forces (and, by
/// the const flags, energy and per-atom energy).
pub(crate) trait AtomKernel: Sync {
    /// Evaluates the atoms in `range` into `acc`.
    fn kernel<const ENERGY: bool, const PER_ATOM: bool>(
        &self,
        input: &ForceInput<'_>,
        range: Range<usize>,
        acc: &mut Accumulator<'_>,
    );
}

/// Checks the input (`name` and `n_types` for messages and type mapping) and runs
/// `potential`'s kernel in parallel with the energy terms `input.request` asks for.
pub(crate) fn compute_three_body<K: AtomKernel>(
    potential: &K,
    name: &str,
    n_types: usize,
    input: &ForceInput<'_>,
    out: &mut ForceOutput,
) -> Result<(), PotentialError> {
    check_input(name, input, n_types)?;
    let req = input.request;
    let list = input.list;
    match (req.energy || req.per_atom_energy, req.per_atom_energy) {
        (false, _) => out.accumulate_parallel(list, |r, acc| {
            potential.kernel::<false, false>(input, r, acc)
        }),
        (true, false) => out.accumulate_parallel(list, |r, acc| {
            potential.kernel::<true, false>(input, r, acc)
        }),
        (true, true) => {
            out.accumulate_parallel(list, |r, acc| potential.kernel::<true, true>(input, r, acc))
        }
    }
    if req.virial {
        out.set_virial_from_positions(input.positions());
    }
    Ok(())
}

/// Checks that the list and types fit the potential.
fn check_input(name: &str, input: &ForceInput<'_>, n_types: usize) -> Result<(), PotentialError> {
    let list = input.list;
    if list.kind() != ListKind::Full
        || list.n_atoms() != input.n_local()
        || list.n_extended() != input.n_total()
    {
        return Err(PotentialError::Other(format!(
            "{name}: needs a full neighbor list matching the atoms"
        )));
    }
    if input.types().iter().any(|&t| t as usize >= n_types) {
        return Err(PotentialError::Other(format!(
            "{name}: an atom type is not mapped (the potential covers {n_types} types)"
        )));
    }
    Ok(())
}

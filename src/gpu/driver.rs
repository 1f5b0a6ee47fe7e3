//! Running a deck on the GPU path: thermo on screen at the deck's interval, the atoms
//! stay on the device in between.

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use ferromd_core::UnitSystem;
use ferromd_core::neighbor::NeighborStats;
use ferromd_core::simulation::{RunSummary, SectionTimes};
use ferromd_core::thermo::ThermoTable;
use ferromd_gpu::{GpuContext, GpuError, GpuPotential, GpuRunSettings, GpuSimulation};

use super::convert::{device_thermostat, eam_tables, lj_table, morse_table};
use crate::deck::{Deck, DevicePotential};

/// The GPU form of a deck's potential, or why there is none.
pub fn device_potential(p: &DevicePotential) -> Result<GpuPotential, GpuError> {
    match p {
        DevicePotential::LjCut { builder, shift } => {
            Ok(GpuPotential::Pair(lj_table(builder, *shift)?))
        }
        DevicePotential::Morse {
            n_types,
            pairs,
            shift,
        } => Ok(GpuPotential::Pair(morse_table(*n_types, pairs, *shift)?)),
        DevicePotential::Eam(t) => Ok(GpuPotential::Eam(eam_tables(t))),
        DevicePotential::Unsupported(name) => Err(GpuError::Unsupported(format!(
            "potential style `{name}` has no GPU implementation (GPU styles: lj/cut, morse, eam, eam/alloy, eam/fs)"
        ))),
    }
}

/// Checks that the deck's outputs and options are available on the GPU path.
fn check_supported(deck: &Deck) -> Result<(), GpuError> {
    let o = &deck.output;
    if o.trajectory.is_some() || o.thermo_file.is_some() || !deck.observables.is_empty() {
        return Err(GpuError::Unsupported(
            "[output] files and [[observables]] are not written by the GPU path yet; remove them or use backend = \"cpu\"".into(),
        ));
    }
    Ok(())
}

/// Runs `deck` on the GPU, writing the LAMMPS-style thermo table to `out`.
pub fn run_deck_on_gpu(deck: Deck, out: &mut dyn Write) -> Result<RunSummary, GpuError> {
    let thermostat = device_thermostat(&deck.device_integrator)?;
    check_supported(&deck)?;
    let potential = device_potential(&deck.device_potential)?;
    let ctx = Arc::new(GpuContext::new()?);
    let io = |e: std::io::Error| GpuError::Readback(format!("cannot write output: {e}"));
    writeln!(
        out,
        "GPU backend: {}; potential {} (cutoff {}), integrator {}, timestep {}, skin {}",
        ctx.description(),
        deck.potential.name(),
        potential.cutoff(),
        thermostat.name(),
        deck.params.dt,
        deck.params.neighbor.skin
    )
    .map_err(io)?;
    let units = deck.units;
    let mut settings = GpuRunSettings::new(deck.params.dt, deck.params.neighbor, units.constants());
    settings.thermostat = thermostat;
    let atoms = deck.system.len();
    let mut sim = GpuSimulation::new(ctx, deck.system, &potential, settings)?;
    sim.set_thermostat_span(0, deck.steps);
    let table = ThermoTable::one(units == UnitSystem::Lj);
    writeln!(out, "{}", table.header()).map_err(io)?;
    writeln!(out, "{}", table.line(&sim.thermo()?)).map_err(io)?;
    let every = if deck.thermo_every == 0 {
        deck.steps.max(1)
    } else {
        deck.thermo_every
    };
    let started = Instant::now();
    let mut done = 0;
    while done < deck.steps {
        let k = every.min(deck.steps - done);
        sim.advance(k)?;
        done += k;
        writeln!(out, "{}", table.line(&sim.thermo()?)).map_err(io)?;
    }
    let elapsed = started.elapsed();
    let stats = sim.stats();
    writeln!(
        out,
        "GPU neighbor lists: {} builds, {} regrowths (capacity {} neighbors, {} per bin, {} list buffers)",
        stats.builds, stats.regrowths, stats.neighbor_capacity, stats.bin_capacity, stats.list_chunks
    )
    .map_err(io)?;
    Ok(RunSummary {
        steps: deck.steps,
        elapsed,
        neighbor: NeighborStats {
            builds: stats.builds,
            dangerous: 0,
        },
        atoms,
        sections: SectionTimes::default(),
    })
}

//! Writes and converts extended XYZ files; used by the ASE cross-check
//! (`tests/python/test_extxyz_ase.py`, run by `scripts/test.sh`).
//!
//! ```sh
//! cargo run --release --example write_extxyz -- write OUT.extxyz     # 2 frames of a perturbed, sheared Cu/Ag crystal with LJ forces
//! cargo run --release --example write_extxyz -- convert IN OUT       # read IN with ferromd, write it again (exact digits)
//! ```

use std::error::Error;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use ferromd::core::io::extxyz::{ExtXyzFrame, read_extxyz, stress_from_virial, write_extxyz};
use ferromd::core::lattice::{CubicKind, Lattice};
use ferromd::core::nalgebra::{Matrix3, Vector3};
use ferromd::core::simulation::Silent;
use ferromd::core::{
    Cell, IntegrationParameters, Simulation, Species, UnitSystem, velocity::create_velocities,
};
use ferromd::integrators::VelocityVerlet;
use ferromd::potentials::LjCutBuilder;

/// A deterministic pseudo-random number in [-0.5, 0.5) (no dependency on a RNG crate).
fn jitter(state: &mut u64) -> f64 {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (*state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
}

fn write(out: &Path) -> Result<(), Box<dyn Error>> {
    let species = vec![Species::new("Cu", 63.546), Species::new("Ag", 107.8682)];
    let mut system = Lattice::cubic(CubicKind::Fcc, 3.615).build([3, 3, 3], species)?;
    // a sheared, non-orthogonal cell and perturbed atoms of two species
    let h = *system.cell.matrix();
    let sheared = h + Matrix3::new(0.0, 0.4, -0.3, 0.0, 0.0, 0.2, 0.0, 0.0, 0.0);
    let to_frac = h.try_inverse().ok_or("singular cell")?;
    let mut state = 12345u64;
    for i in 0..system.len() {
        let s = to_frac * system.positions[i];
        let d = Vector3::new(jitter(&mut state), jitter(&mut state), jitter(&mut state)) * 0.2;
        system.positions[i] = sheared * s + d;
        if i % 5 == 0 {
            system.types[i] = 1;
        }
    }
    system.cell = Cell::new(sheared, Vector3::zeros(), [true, true, true])?;
    system.refresh_masses();
    create_velocities(&mut system, 300.0, 4711, &UnitSystem::Metal.constants());
    let lj = LjCutBuilder::new(2, 5.0)
        .pair(1, 1, 0.41, 2.34, None)?
        .pair(2, 2, 0.35, 2.64, None)?
        .build()?;
    let params = IntegrationParameters::defaults_for(UnitSystem::Metal);
    let mut sim = Simulation::new(
        system,
        UnitSystem::Metal,
        params,
        Box::new(lj),
        Box::new(VelocityVerlet::new()),
    )?;
    let mut frames = Vec::new();
    for _ in 0..2 {
        let e = sim.evaluate()?;
        let mut f = ExtXyzFrame::from_system(&sim.system, true, true);
        f.energy = Some(e.energy);
        f.stress = Some(stress_from_virial(&e.virial, sim.system.volume()));
        f.info.push(("step".into(), sim.current_step().to_string()));
        frames.push(f);
        sim.run(5, 0, &mut Silent)?;
    }
    let mut w = BufWriter::new(File::create(out)?);
    write_extxyz(&mut w, &frames)?;
    w.flush()?;
    Ok(())
}

fn convert(input: &Path, out: &Path) -> Result<(), Box<dyn Error>> {
    let frames = read_extxyz(input)?;
    let mut w = BufWriter::new(File::create(out)?);
    write_extxyz(&mut w, &frames)?;
    w.flush()?;
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["write", out] => write(Path::new(out)),
        ["convert", input, out] => convert(Path::new(input), Path::new(out)),
        _ => Err("usage: write_extxyz write OUT | write_extxyz convert IN OUT".into()),
    }
}

//! Implementing `Potential` outside ferromd's crates.
//!
//! A Gaussian-core fluid, `E = sum_{i<j} eps exp(-(r/sigma)^2)` truncated at `rc`,
//! written against the public trait with a *full* neighbor list: each atom only
//! writes its own force, so the loop parallelises with plain rayon and no scratch
//! buffers. The example checks its forces against a finite difference of the
//! energy and runs 200 NVE steps.
//!
//! Run with `cargo run --release --example custom_potential`.

use ferromd::core::lattice::{CubicKind, Lattice};
use ferromd::core::nalgebra::Vector3;
use ferromd::core::neighbor::{ListKind, Neighbors};
use ferromd::core::potential::{ForceInput, ForceOutput, ForceRequest, Potential, PotentialError};
use ferromd::core::simulation::Silent;
use ferromd::core::{IntegrationParameters, Simulation, Species, UnitSystem};
use ferromd::integrators::VelocityVerlet;
use rayon::prelude::*;

/// Gaussian-core pair potential.
struct GaussianCore {
    epsilon: f64,
    sigma: f64,
    cutoff: f64,
}

impl Potential for GaussianCore {
    fn cutoff(&self) -> f64 {
        self.cutoff
    }

    fn list_kind(&self) -> ListKind {
        ListKind::Full
    }

    fn compute(&self, input: &ForceInput<'_>, out: &mut ForceOutput) -> Result<(), PotentialError> {
        let x = input.positions();
        let n = input.n_local();
        let (rc2, inv_s2) = (self.cutoff * self.cutoff, 1.0 / (self.sigma * self.sigma));
        let energy: f64 = out.forces[..n]
            .par_iter_mut()
            .enumerate()
            .map(|(i, fi)| {
                let mut e = 0.0;
                for &j in input.list.neighbors(i) {
                    let d = x[i] - x[j as usize];
                    let r2 = d.norm_squared();
                    if r2 < rc2 {
                        let g = self.epsilon * (-r2 * inv_s2).exp();
                        *fi += d * (2.0 * inv_s2 * g); // -dE/dr along d
                        e += 0.5 * g; // each pair is seen from both sides
                    }
                }
                e
            })
            .sum();
        out.energy += energy;
        if input.request.virial {
            // full list: every force is on a local atom, so sum x (x) f over locals
            // would miss the ghost half; compute the pair virial explicitly instead
            let mut w = [0.0; 6];
            for i in 0..n {
                for &j in input.list.neighbors(i) {
                    let d = x[i] - x[j as usize];
                    let r2 = d.norm_squared();
                    if r2 < rc2 {
                        let f = d * (inv_s2 * self.epsilon * (-r2 * inv_s2).exp()); // half of the pair force
                        w[0] += d.x * f.x;
                        w[1] += d.y * f.y;
                        w[2] += d.z * f.z;
                        w[3] += d.x * f.y;
                        w[4] += d.x * f.z;
                        w[5] += d.y * f.z;
                    }
                }
            }
            out.virial = w;
        }
        Ok(())
    }

    fn name(&self) -> &str {
        "gauss/core (example)"
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let units = UnitSystem::Lj;
    let potential = GaussianCore {
        epsilon: 1.0,
        sigma: 1.0,
        cutoff: 4.0,
    };
    let mut system = Lattice::cubic_with_density(CubicKind::Fcc, 1.0)
        .build([5, 5, 5], vec![Species::new("G", 1.0)])?;
    for (k, x) in system.positions.iter_mut().enumerate() {
        *x += Vector3::new(
            0.05 * (k as f64).sin(),
            0.05 * (k as f64 * 1.7).cos(),
            0.03 * (k as f64 * 0.3).sin(),
        );
    }

    // finite-difference check of one force component
    let energy_of = |s: &mut ferromd::core::System| -> Result<f64, Box<dyn std::error::Error>> {
        let mut nb = Neighbors::new(
            ferromd::core::NeighborSettings::with_skin(0.0),
            potential.cutoff(),
            ListKind::Full,
        );
        nb.rebuild(s)?;
        let mut out = ForceOutput::new();
        ferromd::core::evaluation::evaluate_forces(
            s,
            &nb,
            &potential,
            ForceRequest::ALL,
            &mut out,
            0,
        )?;
        Ok(out.energy)
    };
    energy_of(&mut system)?;
    let analytic = system.forces[7].x;
    let h = 1e-5;
    let mut plus = system.clone();
    plus.positions[7].x += h;
    let mut minus = system.clone();
    minus.positions[7].x -= h;
    let numeric = -(energy_of(&mut plus)? - energy_of(&mut minus)?) / (2.0 * h);
    println!("force on atom 8 along x: analytic {analytic:.10}, finite difference {numeric:.10}");

    ferromd::core::velocity::create_velocities(&mut system, 0.5, 42, &units.constants());
    let params = IntegrationParameters::defaults_for(units);
    let mut sim = Simulation::new(
        system,
        units,
        params,
        Box::new(potential),
        Box::new(VelocityVerlet::new()),
    )?;
    let e0 = sim.thermo()?.etotal();
    sim.run(200, 0, &mut Silent)?;
    let e1 = sim.thermo()?.etotal();
    println!(
        "total energy per atom: start {:.8}, after 200 steps {:.8}",
        e0 / 500.0,
        e1 / 500.0
    );
    Ok(())
}

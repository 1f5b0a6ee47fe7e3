//! # ferromd
//!
//! A molecular-dynamics engine with pluggable classical and machine-learned potentials.
//!
//! This facade crate re-exports the engine ([`core`]), the potentials
//! ([`potentials`]) and the integrators ([`integrators`]) for embedding, and
//! adds the TOML input decks ([`deck`]), the run driver used by the
//! `ferromd` command-line program ([`driver`]) and the potential report card of
//! `ferromd check` ([`check`]) and the Hessian and normal modes of `ferromd hessian`
//! ([`hessian`]).
//!
//! ```no_run
//! use ferromd::core::{lattice::{CubicKind, Lattice}, Species, Simulation, UnitSystem, IntegrationParameters};
//! use ferromd::potentials::LjCutBuilder;
//! use ferromd::integrators::VelocityVerlet;
//!
//! let mut system = Lattice::cubic_with_density(CubicKind::Fcc, 0.8442)
//!     .build([5, 5, 5], vec![Species::new("A", 1.0)])?;
//! let units = UnitSystem::Lj;
//! ferromd::core::velocity::create_velocities(&mut system, 1.44, 7, &units.constants());
//! let lj = LjCutBuilder::new(1, 2.5).pair(1, 1, 1.0, 1.0, None)?.build()?;
//! let params = IntegrationParameters::defaults_for(units);
//! let mut sim = Simulation::new(system, units, params, Box::new(lj), Box::new(VelocityVerlet::new()))?;
//! sim.run(1000, 100, &mut ferromd::core::simulation::Silent)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod check;
pub mod committee_output;
pub mod deck;
pub mod driver;
#[cfg(feature = "gpu")]
pub mod gpu;
pub mod hessian;
pub mod lammps;
pub mod observable_files;
pub mod plot;

pub use ferromd_core as core;
#[cfg(feature = "gpu")]
pub use ferromd_gpu;
pub use ferromd_integrators as integrators;
pub use ferromd_potentials as potentials;

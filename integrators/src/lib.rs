//! # ferromd-integrators
//!
//! Time integrators for ferromd, each an implementation of [`ferromd_core::Integrator`]:
//!
//! * [`VelocityVerlet`]: NVE (LAMMPS `fix nve`);
//! * [`Langevin`]: Langevin dynamics with the BAOAB splitting (`fix langevin`);
//! * [`NoseHooverChain`]: Nosé-Hoover chains, MTK (`fix nvt`);
//! * [`Csvr`]: Bussi stochastic velocity rescaling (`fix temp/csvr`);
//! * [`Berendsen`]: weak coupling, not canonical (`fix temp/berendsen`);
//! * [`MtkBarostat`]: MTK barostat with Nosé-Hoover chains, NPT and NPH, iso, aniso and
//!   triclinic (`fix npt`, `fix nph`);
//! * [`BerendsenBarostat`]: weak pressure coupling around another integrator (`fix press/berendsen`);
//! * [`CRescale`]: Bernetti-Bussi stochastic cell rescaling around a thermostatted
//!   integrator, samples NPT (ferromd's `fix press/crescale`).
//!
//! Energy minimizers (`minimize`, `min_style cg|fire`) are in [`minimize`].

mod barostat;
mod bath;
mod berendsen;
mod common;
mod crescale;
mod csvr;
mod langevin;
pub mod minimize;
mod nose_hoover;
mod npt;
mod press_berendsen;
mod pressure_control;
mod velocity_verlet;

pub use barostat::{BarostatError, Coupling};
pub use berendsen::Berendsen;
pub use crescale::CRescale;
pub use csvr::Csvr;
pub use langevin::Langevin;
pub use nose_hoover::{NoseHooverChain, NoseHooverError, suzuki_yoshida_weights};
pub use npt::MtkBarostat;
pub use press_berendsen::{BerendsenBarostat, DEFAULT_BULK_MODULUS};
pub use pressure_control::{Couple, PressureComponent, PressureControl};
pub use velocity_verlet::VelocityVerlet;

//! Unit systems with LAMMPS's conversion constants.
//!
//! The numbers are the ones LAMMPS assigns in `Update::set_units` so that
//! thermodynamic output agrees digit for digit with LAMMPS decks.

use std::fmt;
use std::str::FromStr;

/// A LAMMPS-style unit system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum UnitSystem {
    /// Reduced Lennard-Jones units (mass, sigma, epsilon, kB all 1).
    #[default]
    Lj,
    /// Metal units: g/mol, Å, ps, eV, K, bar.
    Metal,
    /// Real units: g/mol, Å, fs, kcal/mol, K, atm.
    Real,
}

/// Conversion constants of one unit system (names as in LAMMPS `Force`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnitConstants {
    /// Boltzmann constant in energy per temperature.
    pub boltz: f64,
    /// Converts mass * velocity^2 into energy.
    pub mvv2e: f64,
    /// Converts force / mass * time into velocity.
    pub ftm2v: f64,
    /// Converts (energy / volume) into pressure units.
    pub nktv2p: f64,
    /// Coulomb constant times unit charge squared, in energy * distance.
    pub qqr2e: f64,
    /// Default timestep of the unit system.
    pub default_timestep: f64,
    /// Default neighbor skin of the unit system.
    pub default_skin: f64,
    /// Converts one time unit to femtoseconds (for ns/day style reporting).
    pub time_to_fs: f64,
}

impl UnitSystem {
    /// The conversion constants, as LAMMPS defines them.
    pub fn constants(self) -> UnitConstants {
        match self {
            UnitSystem::Lj => UnitConstants {
                boltz: 1.0,
                mvv2e: 1.0,
                ftm2v: 1.0,
                nktv2p: 1.0,
                qqr2e: 1.0,
                default_timestep: 0.005,
                default_skin: 0.3,
                time_to_fs: 1.0,
            },
            UnitSystem::Metal => UnitConstants {
                boltz: 8.617343e-5,
                mvv2e: 1.0364269e-4,
                ftm2v: 1.0 / 1.0364269e-4,
                nktv2p: 1.6021765e6,
                qqr2e: 14.399645,
                default_timestep: 0.001,
                default_skin: 2.0,
                time_to_fs: 1000.0,
            },
            UnitSystem::Real => UnitConstants {
                boltz: 0.0019872067,
                mvv2e: 48.88821291 * 48.88821291,
                ftm2v: 1.0 / 48.88821291 / 48.88821291,
                nktv2p: 68568.415,
                qqr2e: 332.06371,
                default_timestep: 1.0,
                default_skin: 2.0,
                time_to_fs: 1.0,
            },
        }
    }

    /// The name used in decks and LAMMPS scripts.
    pub fn name(self) -> &'static str {
        match self {
            UnitSystem::Lj => "lj",
            UnitSystem::Metal => "metal",
            UnitSystem::Real => "real",
        }
    }

    /// All supported unit systems.
    pub const ALL: [UnitSystem; 3] = [UnitSystem::Lj, UnitSystem::Metal, UnitSystem::Real];
}

impl fmt::Display for UnitSystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Error for an unknown unit-system name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown unit system `{0}` (expected one of: lj, metal, real)")]
pub struct UnknownUnits(pub String);

impl FromStr for UnitSystem {
    type Err = UnknownUnits;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        UnitSystem::ALL
            .into_iter()
            .find(|u| u.name() == s)
            .ok_or_else(|| UnknownUnits(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ftm2v_inverts_mvv2e() {
        for u in UnitSystem::ALL {
            let c = u.constants();
            assert!((c.ftm2v * c.mvv2e - 1.0).abs() < 1e-14, "{u}");
        }
    }

    #[test]
    fn names_round_trip() {
        for u in UnitSystem::ALL {
            assert_eq!(u.name().parse::<UnitSystem>().unwrap(), u);
        }
        assert!("si".parse::<UnitSystem>().is_err());
    }
}

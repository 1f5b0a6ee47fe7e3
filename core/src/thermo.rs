//! Thermodynamic observables (temperature, energies, pressure) and their LAMMPS-style table.

use std::fmt::Write as _;

use crate::potential::Virial;
use crate::system::System;
use crate::units::UnitConstants;

/// Thermodynamic state at one step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThermoSample {
    /// Step number.
    pub step: u64,
    /// Number of atoms.
    pub atoms: usize,
    /// Temperature.
    pub temp: f64,
    /// Potential energy (total, not per atom).
    pub pe: f64,
    /// Kinetic energy (total).
    pub ke: f64,
    /// Pressure (kinetic + virial) in the unit system's pressure units.
    pub press: f64,
    /// Pressure tensor `[xx, yy, zz, xy, xz, yz]`.
    pub pressure_tensor: [f64; 6],
    /// Volume (area in 2-d).
    pub vol: f64,
    /// Energy stored by thermostats/barostats.
    pub reservoir: f64,
}

impl ThermoSample {
    /// Measures the state of `system` given the potential energy and virial of its last force evaluation.
    pub fn measure(
        system: &System,
        units: &UnitConstants,
        step: u64,
        pe: f64,
        virial: &Virial,
        reservoir: f64,
    ) -> Self {
        let ke = system.kinetic_energy(units);
        let dof = system.degrees_of_freedom();
        let temp = if dof > 0.0 {
            2.0 * ke / (dof * units.boltz)
        } else {
            0.0
        };
        let vol = system.volume();
        let dim = system.dimension as f64;
        let inv_v = 1.0 / vol;
        let trace = if system.dimension == 2 {
            virial[0] + virial[1]
        } else {
            virial[0] + virial[1] + virial[2]
        };
        // as LAMMPS compute pressure: (dof kB T + W) / (d V) * nktv2p
        let press = (dof * units.boltz * temp + trace) / dim * inv_v * units.nktv2p;
        let kin = system.kinetic_tensor(units);
        let pressure_tensor = std::array::from_fn(|k| (kin[k] + virial[k]) * inv_v * units.nktv2p);
        ThermoSample {
            step,
            atoms: system.len(),
            temp,
            pe,
            ke,
            press,
            pressure_tensor,
            vol,
            reservoir,
        }
    }

    /// Total energy `pe + ke`.
    pub fn etotal(&self) -> f64 {
        self.pe + self.ke
    }

    /// The conserved quantity: total energy plus thermostat/barostat reservoirs.
    pub fn econserve(&self) -> f64 {
        self.etotal() + self.reservoir
    }
}

/// A thermo column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThermoColumn {
    /// Step number.
    Step,
    /// Temperature.
    Temp,
    /// Potential energy.
    Pe,
    /// Pair energy (same as `Pe` for pair-only systems; LAMMPS `E_pair`).
    EPair,
    /// Molecular (bonded) energy: always 0 for atomic systems (LAMMPS `E_mol`).
    EMol,
    /// Kinetic energy.
    Ke,
    /// Total energy.
    Etotal,
    /// Pressure.
    Press,
    /// Volume.
    Vol,
    /// Conserved quantity.
    Econserve,
}

impl ThermoColumn {
    /// LAMMPS's header label.
    pub fn label(self) -> &'static str {
        match self {
            ThermoColumn::Step => "Step",
            ThermoColumn::Temp => "Temp",
            ThermoColumn::Pe => "PotEng",
            ThermoColumn::EPair => "E_pair",
            ThermoColumn::EMol => "E_mol",
            ThermoColumn::Ke => "KinEng",
            ThermoColumn::Etotal => "TotEng",
            ThermoColumn::Press => "Press",
            ThermoColumn::Vol => "Volume",
            ThermoColumn::Econserve => "Econserve",
        }
    }

    /// The value of the column, energies divided by `atoms` when `normalize` (LAMMPS `thermo_modify norm`).
    pub fn value(self, s: &ThermoSample, normalize: bool) -> f64 {
        let n = if normalize && s.atoms > 0 {
            s.atoms as f64
        } else {
            1.0
        };
        match self {
            ThermoColumn::Step => s.step as f64,
            ThermoColumn::Temp => s.temp,
            ThermoColumn::Pe | ThermoColumn::EPair => s.pe / n,
            ThermoColumn::EMol => 0.0,
            ThermoColumn::Ke => s.ke / n,
            ThermoColumn::Etotal => s.etotal() / n,
            ThermoColumn::Press => s.press,
            ThermoColumn::Vol => s.vol,
            ThermoColumn::Econserve => s.econserve() / n,
        }
    }
}

/// Writes thermo lines in the layout of LAMMPS's `thermo_style one`
/// (integers `%8d`, floats `%12.8g`, as LAMMPS 2021 prints them).
#[derive(Debug, Clone)]
pub struct ThermoTable {
    /// Columns, in order.
    pub columns: Vec<ThermoColumn>,
    /// Divide extensive energies by the number of atoms (LAMMPS default in `lj` units).
    pub normalize: bool,
}

impl ThermoTable {
    /// LAMMPS's default `one` style: Step Temp E_pair E_mol TotEng Press.
    pub fn one(normalize: bool) -> Self {
        use ThermoColumn::*;
        ThermoTable {
            columns: vec![Step, Temp, EPair, EMol, Etotal, Press],
            normalize,
        }
    }

    /// The header line.
    pub fn header(&self) -> String {
        let mut out = String::new();
        for c in &self.columns {
            out.push_str(c.label());
            out.push(' ');
        }
        out
    }

    /// One data line.
    pub fn line(&self, s: &ThermoSample) -> String {
        let mut out = String::new();
        for c in &self.columns {
            if *c == ThermoColumn::Step {
                let _ = write!(out, "{:>8} ", s.step);
            } else {
                let _ = write!(out, "{:>12} ", format_g(c.value(s, self.normalize), 8));
            }
        }
        out
    }
}

/// Formats like C's `%.{precision}g`.
pub fn format_g(value: f64, precision: usize) -> String {
    if !value.is_finite() {
        return if value.is_nan() {
            "nan".into()
        } else if value > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    if value == 0.0 {
        return "0".into();
    }
    let p = precision.max(1);
    let sci = format!("{:.*e}", p - 1, value);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if exp < -4 || exp >= p as i32 {
        let m = trim_fraction(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{m}e{sign}{:02}", exp.abs())
    } else {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        trim_fraction(&format!("{value:.decimals$}")).to_string()
    }
}

fn trim_fraction(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_g_matches_c() {
        assert_eq!(format_g(1.44, 8), "1.44");
        assert_eq!(format_g(-6.7733681, 8), "-6.7733681");
        assert_eq!(format_g(-6.77336805323, 8), "-6.7733681");
        assert_eq!(format_g(0.18677133, 8), "0.18677133");
        assert_eq!(format_g(1.5e-5, 8), "1.5e-05");
        assert_eq!(format_g(123456789.0, 8), "1.2345679e+08");
        assert_eq!(format_g(12345678.0, 8), "12345678");
        assert_eq!(format_g(0.0001, 8), "0.0001");
        assert_eq!(format_g(0.0, 8), "0");
    }

    #[test]
    fn lammps_line_layout() {
        let s = ThermoSample {
            step: 0,
            atoms: 32000,
            temp: 1.44,
            pe: -6.7733681 * 32000.0,
            ke: 2.1599325 * 32000.0,
            press: -5.0197073,
            pressure_tensor: [0.0; 6],
            vol: 1.0,
            reservoir: 0.0,
        };
        let t = ThermoTable::one(true);
        assert_eq!(t.header(), "Step Temp E_pair E_mol TotEng Press ");
        assert_eq!(
            t.line(&s),
            "       0         1.44   -6.7733681            0   -4.6134356   -5.0197073 "
        );
    }
}

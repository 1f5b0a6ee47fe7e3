//! Which components of the pressure tensor a barostat controls, their targets (with
//! LAMMPS-style start/stop ramps) and damping periods, and how diagonal components are
//! coupled: the `iso`/`aniso`/`tri`/`x`/`y`/`z`/`xy`/`xz`/`yz`/`couple` keywords of
//! LAMMPS `fix npt` and `fix nph`.
//!
//! Components are indexed in ferromd's Voigt order `[xx, yy, zz, xy, xz, yz]` (that of
//! [`ferromd_core::potential::Virial`]).

use ferromd_core::nalgebra::Matrix3;
use ferromd_core::system::System;
use ferromd_core::units::UnitConstants;

use crate::barostat::{BarostatError, Coupling, positive};
use crate::common::ordered_sum;

/// Which diagonal components share one averaged pressure (LAMMPS `couple`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Couple {
    /// Each controlled diagonal component follows its own pressure (`couple none`).
    None,
    /// x, y and z see their average (`couple xyz`).
    Xyz,
    /// x and y see their average (`couple xy`).
    Xy,
    /// y and z see their average (`couple yz`).
    Yz,
    /// x and z see their average (`couple xz`).
    Xz,
}

impl Couple {
    /// The diagonal indices coupled together (empty for [`Couple::None`]).
    pub(crate) fn members(self) -> &'static [usize] {
        match self {
            Couple::None => &[],
            Couple::Xyz => &[0, 1, 2],
            Couple::Xy => &[0, 1],
            Couple::Yz => &[1, 2],
            Couple::Xz => &[0, 2],
        }
    }
}

/// One controlled component of the pressure tensor: a target ramped linearly from
/// `start` to `stop` over a run, and the damping period of its cell degree of freedom
/// (LAMMPS `x Pstart Pstop Pdamp`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PressureComponent {
    /// Target at the first step of a run (pressure units).
    pub start: f64,
    /// Target at the last step of a run (pressure units).
    pub stop: f64,
    /// Damping period (time units).
    pub damp: f64,
}

impl PressureComponent {
    /// The target a fraction `delta` (0 to 1) into the run.
    pub fn target(&self, delta: f64) -> f64 {
        self.start + delta * (self.stop - self.start)
    }
}

/// The pressure components a barostat controls and how they are coupled.
///
/// Built from a [`Coupling`] ([`PressureControl::from_coupling`]) or component by
/// component, as LAMMPS's `x`, `y`, `z`, `xy`, `xz`, `yz` and `couple` keywords do.
/// Components along non-periodic or (in 2-d) missing dimensions are dropped when the
/// barostat starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PressureControl {
    /// Controlled components in the order `[xx, yy, zz, xy, xz, yz]` (`None`: free).
    pub components: [Option<PressureComponent>; 6],
    /// Coupling of the diagonal components.
    pub couple: Couple,
    /// Add LAMMPS's deviatoric (reference-cell) stress, which lets diagonal targets
    /// differ and shear targets be non-zero: the stress `sigma = V0 h0^-1 (P_target -
    /// P0 I) h0^-T` (uncontrolled diagonal targets count as 0, `h0`, `V0` the cell at the
    /// start) adds the force `-h sigma h^T` on the cell and the strain energy
    /// `tr(sigma h h^T) / 2`. LAMMPS switches it on with its `x`, `y`, `z`, `xy`, `xz`, `yz`
    /// keywords, not with `iso`, `aniso` or `tri`.
    pub deviatoric: bool,
}

impl PressureControl {
    /// No component controlled and no coupling; add components with
    /// [`PressureControl::with`].
    pub fn empty() -> Self {
        PressureControl {
            components: [None; 6],
            couple: Couple::None,
            deviatoric: false,
        }
    }

    /// The LAMMPS `iso`, `aniso` or `tri` keyword with target `start -> stop` and period
    /// `damp`: `iso` controls the diagonal with `couple xyz`, `aniso` the diagonal
    /// uncoupled, `tri` all six components uncoupled with off-diagonal targets 0.
    pub fn from_coupling(coupling: Coupling, start: f64, stop: f64, damp: f64) -> Self {
        let diag = PressureComponent { start, stop, damp };
        let shear = PressureComponent {
            start: 0.0,
            stop: 0.0,
            damp,
        };
        let mut c = PressureControl::empty();
        c.components[..3].fill(Some(diag));
        match coupling {
            Coupling::Iso => c.couple = Couple::Xyz,
            Coupling::Aniso => {}
            Coupling::Tri => c.components[3..].fill(Some(shear)),
        }
        c
    }

    /// The same control with component `index` (Voigt order) set.
    pub fn with(mut self, index: usize, component: PressureComponent) -> Self {
        self.components[index] = Some(component);
        self
    }

    /// The same control with another coupling of the diagonal.
    pub fn coupled(mut self, couple: Couple) -> Self {
        self.couple = couple;
        self
    }

    /// Checks targets and periods, the coupling against the controlled components, and,
    /// without the [deviatoric](PressureControl::deviatoric) stress, that all controlled
    /// diagonal targets are equal and the off-diagonal targets zero.
    pub fn validate(&self) -> Result<(), BarostatError> {
        let names = ["x", "y", "z", "xy", "xz", "yz"];
        if self.components.iter().all(Option::is_none) {
            return Err(BarostatError(
                "no pressure component is controlled (give iso, aniso, tri, x, y, z, xy, xz or yz)"
                    .into(),
            ));
        }
        for (c, name) in self.components.iter().zip(names) {
            if let Some(c) = c {
                if !(c.start.is_finite() && c.stop.is_finite()) {
                    return Err(BarostatError(format!(
                        "{name} target pressure must be finite, got {} {}",
                        c.start, c.stop
                    )));
                }
                positive(&format!("{name} pressure damping period"), c.damp)?;
            }
        }
        for &m in self.couple.members() {
            if self.components[m].is_none() {
                return Err(BarostatError(format!(
                    "couple includes {} but its pressure is not controlled",
                    names[m]
                )));
            }
        }
        let members = self.couple.members();
        if let Some(&first) = members.first() {
            let f = self.components[first].expect("checked above");
            if members.iter().any(|&m| {
                let c = self.components[m].expect("checked above");
                c.start != f.start || c.stop != f.stop || c.damp != f.damp
            }) {
                return Err(BarostatError(
                    "coupled dimensions must have the same target pressures and damping periods"
                        .into(),
                ));
            }
        }
        if self.deviatoric {
            return Ok(());
        }
        let diag: Vec<&PressureComponent> = self.components[..3].iter().flatten().collect();
        if diag
            .windows(2)
            .any(|w| w[0].start != w[1].start || w[0].stop != w[1].stop)
        {
            return Err(BarostatError(
                "different target pressures on x, y and z need the deviatoric (reference-cell) \
                 stress"
                    .into(),
            ));
        }
        for (c, name) in self.components[3..].iter().zip(&names[3..]) {
            if let Some(c) = c
                && (c.start != 0.0 || c.stop != 0.0)
            {
                return Err(BarostatError(format!(
                    "a non-zero {name} target pressure needs the deviatoric (reference-cell) \
                     stress"
                )));
            }
        }
        Ok(())
    }

    /// True for LAMMPS's `ISO` style: all periodic diagonal components coupled, nothing
    /// else controlled (`iso`, or `couple xyz` in 3-d / `couple xy` in 2-d).
    pub(crate) fn is_iso(&self, dims: usize) -> bool {
        let all_diag = self.components[..dims].iter().all(Option::is_some);
        let full = match dims {
            2 => matches!(self.couple, Couple::Xy | Couple::Xyz),
            _ => self.couple == Couple::Xyz,
        };
        all_diag && full && self.components[3..].iter().all(Option::is_none)
    }

    /// Drops the components along missing (2-d: `z`, `xz`, `yz`) or non-periodic
    /// dimensions.
    pub(crate) fn restrict_to(&mut self, dims: usize, periodic: [bool; 3]) {
        let axes: [(usize, usize); 6] = [(0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2)];
        for (c, (a, b)) in self.components.iter_mut().zip(axes) {
            if a >= dims || b >= dims || !periodic[a] || !periodic[b] {
                *c = None;
            }
        }
    }

    /// The pressure each controlled component sees: the tensor component itself, or the
    /// mean of the coupled diagonal components (the scalar pressure for the ISO style).
    /// Uncontrolled entries are zero.
    pub(crate) fn current(&self, tensor: &[f64; 6], dims: usize) -> [f64; 6] {
        let mut p = [0.0; 6];
        let members: Vec<usize> = self
            .couple
            .members()
            .iter()
            .copied()
            .filter(|&m| m < dims && self.components[m].is_some())
            .collect();
        let mean = if members.is_empty() {
            0.0
        } else {
            members.iter().map(|&m| tensor[m]).sum::<f64>() / members.len() as f64
        };
        for (i, c) in self.components.iter().enumerate() {
            if c.is_some() {
                p[i] = if members.contains(&i) {
                    mean
                } else {
                    tensor[i]
                };
            }
        }
        p
    }
}

/// `sum m v_a v_b` (energy units) in Voigt order, summed in a thread-count-independent order.
pub(crate) fn kinetic_tensor(system: &System, units: &UnitConstants) -> [f64; 6] {
    let v = &system.velocities;
    let m = &system.masses;
    let t: Matrix3<f64> = ordered_sum(v.len(), |i| v[i] * v[i].transpose() * m[i]);
    [t.m11, t.m22, t.m33, t.m12, t.m13, t.m23].map(|x| x * units.mvv2e)
}

/// The pressure tensor `(sum m v v + W) / V` (pressure units) in Voigt order.
pub(crate) fn pressure_tensor(
    system: &System,
    units: &UnitConstants,
    virial: &[f64; 6],
) -> [f64; 6] {
    let k = kinetic_tensor(system, units);
    let vol = system.volume();
    std::array::from_fn(|i| (k[i] + virial[i]) / vol * units.nktv2p)
}

/// The upper-triangular matrix with diagonal `w[0..3]` and `xy`, `xz`, `yz` entries
/// `w[3..6]`.
pub(crate) fn upper_triangular(w: &[f64; 6]) -> Matrix3<f64> {
    Matrix3::new(w[0], w[3], w[4], 0.0, w[1], w[5], 0.0, 0.0, w[2])
}

/// The symmetric target pressure tensor a fraction `delta` into the run, with
/// uncontrolled components 0.
pub(crate) fn target_tensor(control: &PressureControl, delta: f64) -> Matrix3<f64> {
    let t = |i: usize| control.components[i].map_or(0.0, |c| c.target(delta));
    Matrix3::new(t(0), t(3), t(4), t(3), t(1), t(5), t(4), t(5), t(2))
}

/// `exp(a)` for a small matrix (a barostat's `W dt`): Taylor series to order 16 after
/// scaling `a` to norm below 1/8, then squaring back.
pub(crate) fn expm(a: &Matrix3<f64>) -> Matrix3<f64> {
    let norm = a.abs().max() * 3.0;
    let mut squarings = 0;
    let mut scale = 1.0;
    while norm * scale > 0.125 && squarings < 64 {
        scale *= 0.5;
        squarings += 1;
    }
    let b = a * scale;
    let mut term = Matrix3::identity();
    let mut sum = Matrix3::identity();
    for k in 1..=16 {
        term = term * b / k as f64;
        sum += term;
    }
    for _ in 0..squarings {
        sum = sum * sum;
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expm_matches_closed_forms() {
        let d = Matrix3::from_diagonal(&ferromd_core::nalgebra::Vector3::new(0.3, -0.2, 1e-5));
        let e = expm(&d);
        assert!((e.m11 - 0.3f64.exp()).abs() < 1e-15);
        assert!((e.m22 - (-0.2f64).exp()).abs() < 1e-15);
        assert!((e.m33 - 1e-5f64.exp()).abs() < 1e-15);
        // nilpotent: exp(N) = I + N + N^2/2
        let n = Matrix3::new(0.0, 0.7, 0.1, 0.0, 0.0, -0.4, 0.0, 0.0, 0.0);
        let exact = Matrix3::identity() + n + n * n * 0.5;
        assert!((expm(&n) - exact).abs().max() < 1e-15);
        // exp(A) exp(-A) = I for a general upper-triangular A
        let a = upper_triangular(&[0.8, -0.5, 0.1, 0.3, -0.6, 0.9]);
        assert!((expm(&a) * expm(&-a) - Matrix3::identity()).abs().max() < 1e-13);
    }

    #[test]
    fn validation_names_the_problem() {
        let iso = PressureControl::from_coupling(Coupling::Iso, 1.0, 1.0, 2.0);
        assert!(iso.validate().is_ok());
        let bad = PressureControl::from_coupling(Coupling::Aniso, 1.0, 1.0, 2.0).with(
            1,
            PressureComponent {
                start: 2.0,
                stop: 2.0,
                damp: 2.0,
            },
        );
        assert!(bad.validate().unwrap_err().0.contains("deviatoric"));
        let mut dev = bad;
        dev.deviatoric = true;
        assert!(dev.validate().is_ok());
        let shear = PressureControl::from_coupling(Coupling::Tri, 1.0, 1.0, 2.0).with(
            3,
            PressureComponent {
                start: 0.5,
                stop: 0.5,
                damp: 2.0,
            },
        );
        assert!(shear.validate().unwrap_err().0.contains("xy"));
        let couple = PressureControl::empty()
            .with(
                0,
                PressureComponent {
                    start: 1.0,
                    stop: 1.0,
                    damp: 1.0,
                },
            )
            .coupled(Couple::Xy);
        assert!(couple.validate().unwrap_err().0.contains("couple"));
        assert!(PressureControl::empty().validate().is_err());
    }

    #[test]
    fn coupled_components_see_their_mean() {
        let c = PressureControl::from_coupling(Coupling::Aniso, 0.0, 0.0, 1.0).coupled(Couple::Xy);
        let p = c.current(&[1.0, 3.0, 5.0, 7.0, 8.0, 9.0], 3);
        assert_eq!(p, [2.0, 2.0, 5.0, 0.0, 0.0, 0.0]);
        let iso = PressureControl::from_coupling(Coupling::Iso, 0.0, 0.0, 1.0);
        assert_eq!(iso.current(&[1.0, 2.0, 6.0, 0.0, 0.0, 0.0], 3)[1], 3.0);
        assert!(iso.is_iso(3));
    }
}

//! Tersoff and Stillinger-Weber against LAMMPS 29Sep2021 and against calculus.
//!
//! Reference data: `tests/reference/manybody/` (configurations written by LAMMPS's
//! `write_data`, per-atom forces and energies from `dump custom`, energy and pressure
//! tensor from `thermo`, all printed with `%.17g`; see `regenerate.sh` there). The
//! potential files are the committed copies in `tests/reference/manybody/potentials/`.
//!
//! Tolerance: 1e-10 relative. Energies are compared relative to the total energy, forces
//! relative to the largest reference force component, per-atom energies relative to the
//! largest per-atom energy, and the virial relative to its largest component. Both codes
//! evaluate the same functions; what differs is the order of summation (neighbor order,
//! cached three-body terms), so the expected differences are a few ulps times the number
//! of terms.

use std::path::{Path, PathBuf};

mod common;

use common::{ALL, ENERGY_ONLY, evaluate, max_abs, reference_per_atom, reference_thermo};
use ferromd_core::io::lammps_data::parse_lammps_data;
use ferromd_core::nalgebra::{Matrix3, Vector3};
use ferromd_core::potential::Potential;
use ferromd_core::system::System;
use ferromd_core::units::UnitSystem;
use ferromd_potentials::{StillingerWeber, Tersoff};

const TOLERANCE: f64 = 1e-10;

fn reference_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/reference/manybody")
}

fn potential_file(name: &str) -> PathBuf {
    reference_dir().join("potentials").join(name)
}

/// One LAMMPS case: the potential as `pair_coeff * * file elements` set it up.
struct Case {
    name: &'static str,
    style: &'static str,
    file: &'static str,
    elements: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        name: "si_tersoff_crystal",
        style: "tersoff",
        file: "Si.tersoff",
        elements: &["Si"],
    },
    Case {
        name: "si_tersoff_melt",
        style: "tersoff",
        file: "Si.tersoff",
        elements: &["Si"],
    },
    Case {
        name: "sic_tersoff_prism",
        style: "tersoff",
        file: "SiC.tersoff",
        elements: &["Si", "C"],
    },
    Case {
        name: "bnc_tersoff_melt",
        style: "tersoff",
        file: "BNC.tersoff",
        elements: &["B", "N", "C"],
    },
    Case {
        name: "si_sw_crystal",
        style: "sw",
        file: "Si.sw",
        elements: &["Si"],
    },
    Case {
        name: "si_sw_melt",
        style: "sw",
        file: "Si.sw",
        elements: &["Si"],
    },
    Case {
        name: "gan_sw_prism",
        style: "sw",
        file: "GaN.sw",
        elements: &["Ga", "N"],
    },
    Case {
        name: "gan_sw_melt",
        style: "sw",
        file: "GaN.sw",
        elements: &["N", "Ga"],
    },
];

impl Case {
    fn potential(&self) -> Box<dyn Potential> {
        let file = potential_file(self.file);
        match self.style {
            "tersoff" => Box::new(Tersoff::from_file(file, self.elements).unwrap()),
            "sw" => Box::new(StillingerWeber::from_file(file, self.elements).unwrap()),
            other => panic!("unknown style {other}"),
        }
    }

    fn read(&self, ext: &str) -> String {
        let path = reference_dir().join(format!("{}.{ext}", self.name));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn system(&self) -> System {
        let mut system = parse_lammps_data(&self.read("data"))
            .unwrap_or_else(|e| panic!("{}.data: {e}", self.name))
            .to_system()
            .unwrap();
        system
            .velocities
            .iter_mut()
            .for_each(|v| *v = Vector3::zeros());
        system
    }

    /// `(pe, [pxx, pyy, pzz, pxy, pxz, pyz], volume)` from the thermo line.
    fn thermo(&self) -> (f64, [f64; 6], f64) {
        reference_thermo(&self.read("ref"))
    }

    /// Per-atom `(id, force, energy)` from the dump.
    fn per_atom(&self) -> Vec<(u64, Vector3<f64>, f64)> {
        reference_per_atom(&self.read("forces"))
    }
}

#[test]
fn manybody_styles_match_lammps() {
    let nktv2p = UnitSystem::Metal.constants().nktv2p;
    let mut failures = Vec::new();
    for case in CASES {
        let potential = case.potential();
        let system = case.system();
        // with a skin, so that the list holds pairs beyond the cutoff, as LAMMPS's does
        let (out, system) = evaluate(&system, potential.as_ref(), ALL, 1.0);
        let (pe, pressure, volume) = case.thermo();
        assert!(
            (system.volume() - volume).abs() < 1e-12 * volume,
            "{}: volume",
            case.name
        );
        let e_err = (out.energy - pe).abs() / pe.abs();
        let reference = case.per_atom();
        assert_eq!(reference.len(), system.len(), "{}: atom count", case.name);
        let index: std::collections::HashMap<u64, usize> = system
            .ids
            .iter()
            .enumerate()
            .map(|(k, &id)| (id, k))
            .collect();
        let f_scale = max_abs(reference.iter().flat_map(|r| [r.1.x, r.1.y, r.1.z]));
        let e_scale = max_abs(reference.iter().map(|r| r.2));
        let (mut f_err, mut pe_err) = (0.0f64, 0.0f64);
        for (id, f, e) in &reference {
            let k = index[id];
            f_err = f_err.max((system.forces[k] - f).amax() / f_scale);
            pe_err = pe_err.max((out.per_atom_energy[k] - e).abs() / e_scale);
        }
        let w_ref: Vec<f64> = pressure.iter().map(|p| p * volume / nktv2p).collect();
        let w_scale = max_abs(w_ref.iter().copied());
        let w_err = max_abs((0..6).map(|c| out.virial[c] - w_ref[c])) / w_scale;
        eprintln!(
            "{:20} {:8} {} atoms: energy {e_err:.1e}, forces {f_err:.1e} (max |F| {f_scale:.2}), \
             per-atom energy {pe_err:.1e}, virial {w_err:.1e}",
            case.name,
            potential.name(),
            system.len()
        );
        for (what, err) in [
            ("energy", e_err),
            ("forces", f_err),
            ("per-atom energy", pe_err),
            ("virial", w_err),
        ] {
            if err.is_nan() || err >= TOLERANCE {
                failures.push(format!("{}: {what} differs by {err:e} relative", case.name));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Forces are minus the central-difference gradient of the total energy (step 1e-5 Å).
///
/// The functions are smooth except at the edges of the cutoff region, where `fc` has a
/// jump in its second derivative; the O(h²) truncation error is ~1e-9 relative and the
/// roundoff ~eps·|E|/h ~ 1e-8 eV/Å, so the bound is 1e-6 relative to the largest force.
#[test]
fn forces_are_the_energy_gradient() {
    let h = 1e-5;
    for case in CASES {
        let potential = case.potential();
        let system = case.system();
        let (_, with_forces) = evaluate(&system, potential.as_ref(), ALL, 0.0);
        let scale = max_abs(with_forces.forces.iter().map(|f| f.amax()));
        let mut worst = 0.0f64;
        for atom in [0, system.len() / 3, system.len() - 1] {
            for k in 0..3 {
                let mut plus = system.clone();
                plus.positions[atom][k] += h;
                let mut minus = system.clone();
                minus.positions[atom][k] -= h;
                let ep = evaluate(&plus, potential.as_ref(), ENERGY_ONLY, 0.0)
                    .0
                    .energy;
                let em = evaluate(&minus, potential.as_ref(), ENERGY_ONLY, 0.0)
                    .0
                    .energy;
                let fd = -(ep - em) / (2.0 * h);
                worst = worst.max((fd - with_forces.forces[atom][k]).abs() / scale);
            }
        }
        eprintln!(
            "{:20} finite-difference force error {worst:.1e} of max |F| {scale:.2}",
            case.name
        );
        assert!(worst < 1e-6, "{}: FD error {worst:e}", case.name);
    }
}

/// The virial is minus the derivative of the energy under a homogeneous strain of cell and
/// atoms: `W_ab = -dE/de_ab` (central difference, strain step 1e-6), on triclinic cells.
#[test]
fn virial_is_the_strain_derivative() {
    for name in [
        "sic_tersoff_prism",
        "bnc_tersoff_melt",
        "si_sw_melt",
        "gan_sw_prism",
    ] {
        let Some(case) = CASES.iter().find(|c| c.name == name) else {
            continue;
        };
        let potential = case.potential();
        let system = case.system();
        let (out, _) = evaluate(&system, potential.as_ref(), ALL, 0.0);
        let e = 1e-6;
        let pairs = [(0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2)];
        let scale = max_abs(out.virial);
        for (c, &(a, b)) in pairs.iter().enumerate() {
            let strained = |s: f64| {
                let mut m = Matrix3::identity();
                m[(a, b)] += s;
                let mut sys = system.clone();
                let h = m * sys.cell.matrix();
                let origin = m * sys.cell.origin();
                sys.cell = ferromd_core::cell::Cell::new(h, origin, [true; 3]).unwrap();
                for x in &mut sys.positions {
                    *x = m * *x;
                }
                evaluate(&sys, potential.as_ref(), ENERGY_ONLY, 0.0)
                    .0
                    .energy
            };
            let fd = -(strained(e) - strained(-e)) / (2.0 * e);
            let err = (fd - out.virial[c]).abs() / scale;
            assert!(
                err < 1e-6,
                "{name} virial component {c}: {} vs FD {fd} ({err:e})",
                out.virial[c]
            );
        }
    }
}

/// Per-atom energies sum to the total; 1 and 3 threads give the same forces.
#[test]
fn per_atom_energies_and_threads() {
    for case in CASES {
        let potential = case.potential();
        let system = case.system();
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let three = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let (a, sa) = one.install(|| evaluate(&system, potential.as_ref(), ALL, 0.5));
        let (b, sb) = three.install(|| evaluate(&system, potential.as_ref(), ALL, 0.5));
        let sum: f64 = a.per_atom_energy.iter().sum();
        assert!(
            (sum - a.energy).abs() < 1e-10 * a.energy.abs(),
            "{}",
            case.name
        );
        assert!(
            (a.energy - b.energy).abs() < 1e-12 * a.energy.abs(),
            "{}",
            case.name
        );
        for (fa, fb) in sa.forces.iter().zip(&sb.forces) {
            assert!((fa - fb).amax() < 1e-10, "{}", case.name);
        }
    }
}

#[test]
fn file_errors_name_the_file() {
    let e = Tersoff::from_file(potential_file("SiC.tersoff"), &["Si", "Ge"]).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("`Ge`") && msg.contains("SiC.tersoff") && msg.contains("C, Si"),
        "{msg}"
    );
    let e = Tersoff::from_file("no-such-file.tersoff", &["Si"]).unwrap_err();
    assert!(e.to_string().contains("not found"), "{e}");
    // an SW file read as Tersoff: wrong word count, reported with file and line
    let e = Tersoff::from_file(potential_file("Si.sw"), &["Si"]).unwrap_err();
    assert!(e.to_string().contains("Si.sw:"), "{e}");
}

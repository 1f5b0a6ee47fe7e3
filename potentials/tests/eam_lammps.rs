//! EAM (`eam`, `eam/alloy`, `eam/fs`) against LAMMPS 29Sep2021 and against calculus.
//!
//! Reference data: `tests/reference/eam/` (configurations written by LAMMPS's
//! `write_data`, per-atom forces and energies from `dump custom`, energy and pressure
//! tensor from `thermo`, all printed with `%.17g`; see `regenerate.sh` there). The
//! potential files are the committed copies in `tests/reference/eam/potentials/`.
//!
//! Tolerance: 1e-10 relative. Energies are compared relative to the total energy, forces
//! relative to the largest reference force component, per-atom energies relative to
//! the largest per-atom energy, and the virial relative to its largest component. Both
//! codes evaluate the same splines with the same operation order; what differs is only
//! the order in which pair contributions are summed (neighbor order), so the expected
//! differences are a few ulps times the number of terms (observed ~1e-14).

use std::path::{Path, PathBuf};

mod common;

use common::{ALL, ENERGY_ONLY, evaluate, max_abs, reference_per_atom, reference_thermo};
use ferromd_core::io::lammps_data::parse_lammps_data;
use ferromd_core::nalgebra::Vector3;
use ferromd_core::potential::Potential;
use ferromd_core::system::System;
use ferromd_core::units::UnitSystem;
use ferromd_potentials::{Eam, EamStyle};

const TOLERANCE: f64 = 1e-10;

fn reference_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/reference/eam")
}

fn potential_file(name: &str) -> PathBuf {
    reference_dir().join("potentials").join(name)
}

/// One LAMMPS case: the potential as `pair_coeff` set it up, and the output prefix.
struct Case {
    name: &'static str,
    style: EamStyle,
    /// funcfl: one file per type; setfl/fs: the file.
    files: &'static [&'static str],
    /// setfl/fs: element of each type.
    elements: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        name: "cu_u3_crystal",
        style: EamStyle::Funcfl,
        files: &["Cu_u3.eam"],
        elements: &[],
    },
    Case {
        name: "cu_u3_prism",
        style: EamStyle::Funcfl,
        files: &["Cu_u3.eam"],
        elements: &[],
    },
    Case {
        name: "cuni_u3_prism",
        style: EamStyle::Funcfl,
        files: &["Cu_u3.eam", "Ni_u3.eam"],
        elements: &[],
    },
    Case {
        name: "cu_mishin_crystal",
        style: EamStyle::Alloy,
        files: &["Cu_mishin1.eam.alloy"],
        elements: &["Cu"],
    },
    Case {
        name: "alcu_prism",
        style: EamStyle::Alloy,
        files: &["AlCu.eam.alloy"],
        elements: &["Al", "Cu"],
    },
    Case {
        name: "alcu_crystal",
        style: EamStyle::Alloy,
        files: &["AlCu.eam.alloy"],
        elements: &["Cu", "Al"],
    },
    Case {
        name: "nialh_alloy_prism",
        style: EamStyle::Alloy,
        files: &["NiAlH_jea.eam.alloy"],
        elements: &["Ni", "Al", "H"],
    },
    Case {
        name: "nialh_fs_crystal",
        style: EamStyle::FinnisSinclair,
        files: &["NiAlH_jea.eam.fs"],
        elements: &["Ni", "Al", "H"],
    },
    Case {
        name: "nialh_fs_prism",
        style: EamStyle::FinnisSinclair,
        files: &["NiAlH_jea.eam.fs"],
        elements: &["Ni", "Al", "H"],
    },
    Case {
        name: "fe_fs_prism",
        style: EamStyle::FinnisSinclair,
        files: &["Fe_mm.eam.fs"],
        elements: &["Fe"],
    },
];

impl Case {
    fn potential(&self) -> Eam {
        match self.style {
            EamStyle::Funcfl => {
                let paths: Vec<PathBuf> = self.files.iter().map(|f| potential_file(f)).collect();
                Eam::from_funcfl_files(&paths).unwrap()
            }
            style => Eam::from_file(potential_file(self.files[0]), style, self.elements).unwrap(),
        }
    }

    fn read(&self, ext: &str) -> String {
        let path = reference_dir().join(format!("{}.{ext}", self.name));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn system(&self) -> System {
        parse_lammps_data(&self.read("data"))
            .unwrap_or_else(|e| panic!("{}.data: {e}", self.name))
            .to_system()
            .unwrap()
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
fn eam_styles_match_lammps() {
    let nktv2p = UnitSystem::Metal.constants().nktv2p;
    let mut failures = Vec::new();
    for case in CASES {
        let potential = case.potential();
        let system = case.system();
        // with a skin, so that the list holds pairs beyond the cutoff, as LAMMPS's does
        let (out, system) = evaluate(&system, &potential, ALL, 1.0);
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
        let f_scale = max_abs(
            reference
                .iter()
                .flat_map(|r| r.1.iter().copied().collect::<Vec<_>>()),
        );
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
            "{:18} {:9} {} atoms: energy {e_err:.1e}, forces {f_err:.1e} (max |F| {f_scale:.2}), \
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
/// The splines are C¹ with a piecewise-constant third derivative, so the central
/// difference has an O(h²) truncation error of ~1e-10 relative plus roundoff
/// ~eps·|E|/h ~ 1e-9 eV/Å; the bound is 1e-6 relative to the largest force.
#[test]
fn eam_forces_are_the_energy_gradient() {
    let h = 1e-5;
    for case in CASES {
        let potential = case.potential();
        let system = case.system();
        let (_, with_forces) = evaluate(&system, &potential, ALL, 0.0);
        let scale = max_abs(with_forces.forces.iter().map(|f| f.amax()));
        let mut worst = 0.0f64;
        for atom in [0, system.len() / 3, system.len() - 1] {
            for k in 0..3 {
                let mut plus = system.clone();
                plus.positions[atom][k] += h;
                let mut minus = system.clone();
                minus.positions[atom][k] -= h;
                let ep = evaluate(&plus, &potential, ENERGY_ONLY, 0.0).0.energy;
                let em = evaluate(&minus, &potential, ENERGY_ONLY, 0.0).0.energy;
                let fd = -(ep - em) / (2.0 * h);
                worst = worst.max((fd - with_forces.forces[atom][k]).abs() / scale);
            }
        }
        eprintln!(
            "{:18} finite-difference force error {worst:.1e} of max |F| {scale:.2}",
            case.name
        );
        assert!(worst < 1e-6, "{}: FD error {worst:e}", case.name);
    }
}

/// The virial is minus the derivative of the energy under a homogeneous strain of cell and
/// atoms: `W_ab = -dE/de_ab` (central difference, strain step 1e-6).
#[test]
fn eam_virial_is_the_strain_derivative() {
    let case = CASES.iter().find(|c| c.name == "nialh_fs_prism").unwrap();
    let potential = case.potential();
    let system = case.system();
    let (out, _) = evaluate(&system, &potential, ALL, 0.0);
    let e = 1e-6;
    let pairs = [(0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2)];
    let scale = max_abs(out.virial);
    for (c, &(a, b)) in pairs.iter().enumerate() {
        let strained = |s: f64| {
            let mut m = ferromd_core::nalgebra::Matrix3::identity();
            m[(a, b)] += s;
            let mut sys = system.clone();
            let h = m * sys.cell.matrix();
            let origin = m * sys.cell.origin();
            sys.cell = ferromd_core::cell::Cell::new(h, origin, [true; 3]).unwrap();
            for x in &mut sys.positions {
                *x = m * *x;
            }
            evaluate(&sys, &potential, ENERGY_ONLY, 0.0).0.energy
        };
        let fd = -(strained(e) - strained(-e)) / (2.0 * e);
        let err = (fd - out.virial[c]).abs() / scale;
        assert!(
            err < 1e-6,
            "virial component {c}: {} vs FD {fd} ({err:e})",
            out.virial[c]
        );
    }
}

#[test]
fn element_map_errors_name_the_file() {
    let e = Eam::from_file(
        potential_file("AlCu.eam.alloy"),
        EamStyle::Alloy,
        &["Al", "Zr"],
    )
    .unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("Zr") && msg.contains("AlCu.eam.alloy") && msg.contains("Al, Cu"),
        "{msg}"
    );
    let e = Eam::from_file("no-such-file.eam.alloy", EamStyle::Alloy, &["Cu"]).unwrap_err();
    assert!(e.to_string().contains("not found"), "{e}");
    // a setfl file read as funcfl fails with a line number
    let e = Eam::from_file(potential_file("AlCu.eam.alloy"), EamStyle::Funcfl, &["x"]).unwrap_err();
    assert!(e.to_string().contains("AlCu.eam.alloy:"), "{e}");
}

/// Per-atom energies sum to the total; 1 and 3 threads give the same forces.
#[test]
fn per_atom_energies_and_threads() {
    let case = CASES.iter().find(|c| c.name == "alcu_prism").unwrap();
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
    let (a, sa) = one.install(|| evaluate(&system, &potential, ALL, 0.5));
    let (b, sb) = three.install(|| evaluate(&system, &potential, ALL, 0.5));
    let sum: f64 = a.per_atom_energy.iter().sum();
    assert!((sum - a.energy).abs() < 1e-10 * a.energy.abs());
    assert!((a.energy - b.energy).abs() < 1e-12 * a.energy.abs());
    for (fa, fb) in sa.forces.iter().zip(&sb.forces) {
        assert!((fa - fb).amax() < 1e-12);
    }
}

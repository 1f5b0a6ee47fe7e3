//! MACE through the TorchScript backend (feature `torch`), `pair_mace` convention:
//! a small MACE with random weights for O and Si, made by
//! `tests/reference/mlip/mace_random_model.py` at setup time (scripts/setup-mlip.sh) together
//! with energies, forces and stresses from mace's ASE `MACECalculator` on the same,
//! non-scripted model. Both float64 and float32 exports are checked, plus an NVE run.
#![cfg(feature = "torch")]

use std::path::{Path, PathBuf};

use ferromd_potentials::mlip::{
    self, Convention, LammpsMace, MaceMetadata, MlipError, MlipOptions,
};
use serde::Deserialize;

mod common;

use common::mlip_reference::{Case, Worst, compare_cases, model_dir, model_file, read_reference};
use common::script::script_pe;
use common::silicon::{si8_energy, si8_nve_energy_ranges};

#[derive(Deserialize)]
struct Reference {
    mace_torch: String,
    dtype: String,
    r_max: f64,
    elements: Vec<String>,
    structures: Vec<Case>,
}

fn model_path(dtype: &str) -> PathBuf {
    model_file(&format!("mace_sio_{dtype}.pt"))
}

/// Compares ferromd with the ASE calculator on every reference structure; returns the
/// largest differences.
fn compare(dtype: &str) -> Worst {
    let reference: Reference = read_reference(&format!("mace_sio_{dtype}_reference.json"));
    assert_eq!(reference.dtype, dtype);
    let model = model_path(dtype);
    let meta = MaceMetadata::read(&model).unwrap();
    assert_eq!(meta.r_max, reference.r_max);
    assert_eq!(meta.elements, reference.elements);
    assert_eq!(meta.double, dtype == "float64");
    let title = format!(
        "MACE (random weights, {dtype}, TorchScript LAMMPS_MACE) vs ASE MACECalculator \
         (mace-torch {})",
        reference.mace_torch
    );
    assert!(
        reference.structures.iter().all(|c| c.energies.is_some()),
        "the MACE reference has no per-atom energies: delete {}/mace_sio_* and run \
         scripts/setup-mlip.sh",
        model_dir().display()
    );
    compare_cases(&title, &reference.structures, |els| {
        // the convention is read from the file
        let pot = mlip::load_model(&model, els, &MlipOptions::default()).unwrap();
        assert_eq!(pot.name(), "mace");
        pot
    })
}

/// Energies, per-atom (node) energies, forces and stress of the float64 export.
#[test]
fn mace_float64_matches_ase_calculator() {
    compare("float64").assert_below(1e-10, 1e-10, 1e-9, 1e-10);
}

/// The same for the float32 export.
#[test]
fn mace_float32_matches_ase_calculator() {
    compare("float32").assert_below(1e-5, 1e-4, 1e-4, 1e-5);
}

/// 8 Si atoms (a cubic diamond cell smaller than twice the cutoff: several images of each
/// atom are neighbors) with the random float64 model, 1 fs steps: the energy is conserved.
#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "hundreds of model evaluations: run with --release"
)]
fn mace_nve_conserves_energy() {
    let steps = 200;
    let pot = LammpsMace::load(model_path("float64"), &["Si"], &MlipOptions::default()).unwrap();
    let (e_range, ke_range) = si8_nve_energy_ranges(Box::new(pot), 20261125, steps);
    eprintln!(
        "MACE (random, f64) NVE, 8 Si, {steps} steps of 1 fs: E/N range {e_range:.2e} eV, \
         KE/N range {ke_range:.2e} eV"
    );
    // the atoms move: kinetic energy changes by far more than the total
    assert!(ke_range > 1e-3, "KE/N range {ke_range} eV");
    assert!(e_range < 1e-2 * ke_range, "E/N range {e_range} eV");
}

#[test]
fn convention_detection_and_errors() {
    let model = model_path("float64");
    assert_eq!(mlip::detect_convention(&model).unwrap(), Convention::Mace);
    let e = LammpsMace::load(&model, &["Si", "Fe"], &MlipOptions::default()).unwrap_err();
    assert!(matches!(e, MlipError::UnknownElement { .. }), "{e}");
    assert!(
        e.to_string().contains("`Fe`") && e.to_string().contains("O Si"),
        "{e}"
    );
    // a MACE file asked for as SevenNet, and a SevenNet file asked for as MACE
    let as_e3gnn = MlipOptions {
        convention: Some(Convention::E3gnn),
        ..Default::default()
    };
    let Err(e) = mlip::load_model(&model, &["Si"], &as_e3gnn) else {
        panic!("a MACE file loaded as a SevenNet model");
    };
    assert!(matches!(e, MlipError::UnknownConvention { .. }), "{e}");
    let not_mace =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/mlip/mace_random_model.py");
    let e = LammpsMace::load(&not_mace, &["Si"], &MlipOptions::default()).unwrap_err();
    assert!(matches!(e, MlipError::NotTorchScript { .. }), "{e}");
    let e = LammpsMace::load(
        &model,
        &["Si"],
        &MlipOptions {
            device: "cuda:7".into(),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(matches!(e, MlipError::Device { .. }), "{e}");
}

/// Energy of 8-atom diamond Si evaluated directly with the MACE potential.
fn direct_energy_si8(model: &Path) -> f64 {
    si8_energy(Box::new(
        LammpsMace::load(model, &["Si"], &MlipOptions::default()).unwrap(),
    ))
}

/// `style = "mace"` in a deck, and `pair_style mace no_domain_decomposition` with
/// `pair_coeff * * MODEL Si` in a LAMMPS script, both give the model's energy.
#[test]
fn deck_and_lammps_script_run_mace() {
    let model = model_path("float64");
    let expected = direct_energy_si8(&model);
    let deck = format!(
        "units = \"metal\"\n\n[[species]]\nname = \"Si\"\nmass = 28.0855\n\n[lattice]\n\
         kind = \"diamond\"\nconstant = 5.43\nrepeat = [1, 1, 1]\nspecies = \"Si\"\n\n\
         [potential]\nstyle = \"mace\"\nmodel = \"{}\"\n\n[integrator]\nstyle = \"nve\"\n\
         timestep = 0.001\n\n[run]\nsteps = 0\nthermo = 1\n",
        model.display()
    );
    let parsed = ferromd::deck::Deck::parse(&deck, Path::new("si.toml")).unwrap();
    assert_eq!(parsed.potential.name(), "mace");
    assert_eq!(parsed.potential.cutoff(), 4.5);
    // style = "e3gnn" insists on SevenNet's convention
    let err = ferromd::deck::Deck::parse(
        &deck.replace("style = \"mace\"", "style = \"e3gnn\""),
        Path::new("si.toml"),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("chemical_symbols_to_index"),
        "{err}"
    );

    let script = format!(
        "units metal\natom_style atomic\nlattice diamond 5.43\nregion box block 0 1 0 1 0 1\n\
         create_box 1 box\ncreate_atoms 1 box\nmass 1 28.0855\n\
         pair_style mace no_domain_decomposition\npair_coeff * * {} Si\nthermo_style custom \
         step pe\nrun 0\n",
        model.display()
    );
    let pe = script_pe("script", &script).unwrap();
    assert!(
        (pe - expected).abs() < 1e-6 * expected.abs(),
        "script pe {pe} vs model {expected}"
    );
    let err = script_pe(
        "badkw",
        &script.replace("no_domain_decomposition", "domain_magic"),
    )
    .unwrap_err();
    assert!(err.contains("domain_magic") && err.contains(":8"), "{err}");
    let err = script_pe("badel", &script.replace(" Si\n", " Fe\n")).unwrap_err();
    assert!(
        err.contains("`Fe` is not covered") && err.contains(":9"),
        "{err}"
    );
}

/// `pair_style hybrid/overlay mace no_domain_decomposition zbl ...`: the energy is the sum
/// of the MACE and ZBL energies of the same (compressed, two-type O/Si) crystal, with ZBL
/// reaching the nearest neighbours.
#[test]
fn hybrid_overlay_of_mace_and_zbl_sums_the_parts() {
    let model = model_path("float64");
    let script = |pair: &str, coeffs: &str| {
        format!(
            "units metal\natom_style atomic\nlattice diamond 5.2\nregion box block 0 1 0 1 0 1\n\
             create_box 2 box\ncreate_atoms 1 box basis 1 2 basis 2 2\nmass 1 28.0855\n\
             mass 2 15.999\npair_style {pair}\n{coeffs}thermo_style custom step pe\nrun 0\n"
        )
    };
    let mace_line = format!("pair_coeff * * {} Si O\n", model.display());
    let zbl_lines = "pair_coeff 1 1 14 14\npair_coeff 1 2 14 8\npair_coeff 2 2 8 8\n";
    let mace = script_pe(
        "ov-mace",
        &script("mace no_domain_decomposition", &mace_line),
    )
    .unwrap();
    let zbl = script_pe("ov-zbl", &script("zbl 2.0 2.6", zbl_lines)).unwrap();
    let overlay_coeffs = format!(
        "pair_coeff * * mace {}{}",
        mace_line.trim_start_matches("pair_coeff * * "),
        zbl_lines
            .replace("pair_coeff 1 1 ", "pair_coeff 1 1 zbl ")
            .replace("pair_coeff 1 2 ", "pair_coeff 1 2 zbl ")
            .replace("pair_coeff 2 2 ", "pair_coeff 2 2 zbl ")
    );
    let both = script_pe(
        "ov-both",
        &script(
            "hybrid/overlay mace no_domain_decomposition zbl 2.0 2.6",
            &overlay_coeffs,
        ),
    )
    .unwrap();
    eprintln!("hybrid/overlay: mace {mace} + zbl {zbl} vs overlay {both} eV");
    assert!(
        zbl.abs() > 1e-3,
        "ZBL does not act ({zbl} eV): the test would not see it"
    );
    // the log prints 8 significant digits
    assert!(
        (both - (mace + zbl)).abs() < 1e-7 * both.abs(),
        "overlay {both} vs mace {mace} + zbl {zbl}"
    );
}

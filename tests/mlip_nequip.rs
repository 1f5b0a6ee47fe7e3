//! NequIP through the TorchScript backend (feature `torch`), legacy `pair_nequip`
//! convention: small NequIP models with random weights for O and Si, deployed by nequip
//! 0.6's `nequip-deploy build` in `tests/reference/mlip/nequip_random_model.py` at setup time
//! (scripts/setup-mlip.sh), with energies, per-atom energies, forces and stresses from
//! nequip's ASE `NequIPCalculator` on the same deployed files. A float64 model and one with
//! nequip 0.6's default precision (float32 model, float64 inputs) are checked, plus species
//! mapping, errors, decks, LAMMPS scripts and an NVE run.
#![cfg(feature = "torch")]

use std::path::{Path, PathBuf};

use ferromd_potentials::mlip::{self, Convention, MlipError, MlipOptions, Nequip, NequipMetadata};
use serde::Deserialize;

mod common;

use common::mlip_reference::{Case, Worst, compare_cases, model_file, read_reference};
use common::script::script_pe;
use common::silicon::{si8_energy, si8_nve_energy_ranges};

#[derive(Deserialize)]
struct Reference {
    nequip: String,
    dtype: String,
    r_max: f64,
    type_names: Vec<String>,
    default_dtype: String,
    model_dtype: String,
    structures: Vec<Case>,
}

fn model_path(dtype: &str) -> PathBuf {
    model_file(&format!("nequip_sio_{dtype}.pth"))
}

/// Compares ferromd with nequip's ASE calculator on every reference structure.
fn compare(dtype: &str) -> Worst {
    let reference: Reference = read_reference(&format!("nequip_sio_{dtype}_reference.json"));
    assert_eq!(reference.dtype, dtype);
    let model = model_path(dtype);
    let meta = NequipMetadata::read(&model).unwrap();
    assert_eq!(meta.r_max, reference.r_max);
    assert_eq!(meta.type_names, reference.type_names);
    assert_eq!(meta.default_double, reference.default_dtype == "float64");
    assert_eq!(meta.model_double, reference.model_dtype == "float64");
    assert_eq!(meta.model_double, dtype == "float64");
    let title = format!(
        "NequIP (random weights, model {}, inputs {}, nequip-deploy) vs ASE NequIPCalculator \
         (nequip {})",
        reference.model_dtype, reference.default_dtype, reference.nequip
    );
    compare_cases(&title, &reference.structures, |els| {
        // the convention is read from the file
        let pot = mlip::load_model(&model, els, &MlipOptions::default()).unwrap();
        assert_eq!(pot.name(), "nequip");
        pot
    })
}

/// float64 model: energy, per-atom energies, forces and stress to round-off, on a cubic
/// Si cell, a triclinic Si/O cell, 512 Si/O atoms and a slab (species order differs from
/// the model's in the multi-element cases).
#[test]
fn nequip_float64_matches_ase_calculator() {
    compare("float64").assert_below(1e-10, 1e-10, 1e-9, 1e-10);
}

/// nequip 0.6's default precision (float32 model fed float64 inputs).
#[test]
fn nequip_float32_matches_ase_calculator() {
    compare("float32").assert_below(1e-5, 1e-4, 1e-4, 1e-5);
}

/// 8 Si atoms (a cubic cell smaller than twice the cutoff: several images of each atom are
/// neighbors) with the float64 model, 1 fs steps: the energy is conserved.
#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "hundreds of model evaluations: run with --release"
)]
fn nequip_nve_conserves_energy() {
    let steps = 200;
    let pot = Nequip::load(model_path("float64"), &["Si"], &MlipOptions::default()).unwrap();
    let (e_range, ke_range) = si8_nve_energy_ranges(Box::new(pot), 20261203, steps);
    eprintln!(
        "NequIP (random, f64) NVE, 8 Si, {steps} steps of 1 fs: E/N range {e_range:.2e} eV, \
         KE/N range {ke_range:.2e} eV"
    );
    // the atoms move: kinetic energy changes by far more than the total
    assert!(ke_range > 1e-3, "KE/N range {ke_range} eV");
    assert!(e_range < 1e-2 * ke_range, "E/N range {e_range} eV");
}

#[test]
fn convention_detection_species_mapping_and_errors() {
    let model = model_path("float64");
    assert_eq!(mlip::detect_convention(&model).unwrap(), Convention::Nequip);
    let pot = Nequip::load(&model, &["Si", "O", "Si"], &MlipOptions::default()).unwrap();
    // the model's types are O Si (nequip orders chemical_symbols by atomic number)
    assert_eq!(pot.type_map(), [1, 0, 1]);
    let e = Nequip::load(&model, &["Si", "Fe"], &MlipOptions::default()).unwrap_err();
    assert!(matches!(e, MlipError::UnknownElement { .. }), "{e}");
    assert!(
        e.to_string().contains("`Fe`") && e.to_string().contains("O Si"),
        "{e}"
    );
    // a NequIP file asked for as MACE or SevenNet, and a MACE file asked for as NequIP
    for convention in [Convention::Mace, Convention::E3gnn] {
        let options = MlipOptions {
            convention: Some(convention),
            ..Default::default()
        };
        let Err(e) = mlip::load_model(&model, &["Si"], &options) else {
            panic!("a NequIP file loaded as {convention:?}");
        };
        assert!(matches!(e, MlipError::UnknownConvention { .. }), "{e}");
    }
    let mace = model_file("mace_sio_float64.pt");
    let e = Nequip::load(&mace, &["Si"], &MlipOptions::default()).unwrap_err();
    assert!(
        matches!(e, MlipError::UnknownConvention { .. }) && e.to_string().contains("nequip"),
        "{e}"
    );
    let not_model =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/mlip/nequip_random_model.py");
    let e = Nequip::load(&not_model, &["Si"], &MlipOptions::default()).unwrap_err();
    assert!(matches!(e, MlipError::NotTorchScript { .. }), "{e}");
    let e = Nequip::load(
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

/// Energy of 8-atom diamond Si evaluated directly.
fn direct_energy_si8(model: &Path) -> f64 {
    si8_energy(Box::new(
        Nequip::load(model, &["Si"], &MlipOptions::default()).unwrap(),
    ))
}

/// An 8-atom diamond cell (a = 5.43 Å) in a two-type box as a LAMMPS script, with
/// `create_atoms CREATE`, `pair_style STYLE` and `COEFFS`.
fn script(create: &str, style: &str, coeffs: &str) -> String {
    format!(
        "units metal\natom_style atomic\nlattice diamond 5.43\nregion box block 0 1 0 1 0 1\n\
         create_box 2 box\ncreate_atoms {create}\nmass 1 28.0855\nmass 2 15.999\n\
         pair_style {style}\n{coeffs}thermo_style custom step pe\nrun 0\n"
    )
}

/// `pair_style nequip` + `pair_coeff * * MODEL NAMES` in a LAMMPS script maps atom types to
/// the model's types by name, and `style = "nequip"` in a deck gives the model's energy;
/// bad names and keywords are reported at their line.
#[test]
fn lammps_script_and_deck_run_nequip() {
    let model = model_path("float64");
    let si8 = direct_energy_si8(&model);
    let coeff = |names: &str| format!("pair_coeff * * {} {names}\n", model.display());
    // all atoms of type 1, or all of type 2, named Si
    let pe = script_pe("nq-t1", &script("1 box", "nequip", &coeff("Si O"))).unwrap();
    assert!(
        (pe - si8).abs() < 1e-6 * si8.abs(),
        "script pe {pe} vs model {si8}"
    );
    let pe = script_pe("nq-t2", &script("2 box", "nequip", &coeff("O Si"))).unwrap();
    assert!(
        (pe - si8).abs() < 1e-6 * si8.abs(),
        "script pe {pe} vs model {si8}"
    );
    // the same atoms named O are another system
    let pe_o = script_pe("nq-o", &script("1 box", "nequip", &coeff("O Si"))).unwrap();
    assert!(
        (pe_o - si8).abs() > 1e-3 * si8.abs(),
        "O and Si give {pe_o} eV"
    );
    let err = script_pe("nq-kw", &script("1 box", "nequip extra", &coeff("Si O"))).unwrap_err();
    assert!(
        err.contains("unknown keyword `extra`") && err.contains(":9"),
        "{err}"
    );
    // the TorchScript keywords are read, and refused by a model without heads or charge
    let err = script_pe(
        "nq-head",
        &script("1 box", "nequip head PBE", &coeff("Si O")),
    )
    .unwrap_err();
    assert!(
        err.contains("have a single head") && err.contains("PBE"),
        "{err}"
    );
    let err = script_pe("nq-q", &script("1 box", "nequip charge 1", &coeff("Si O"))).unwrap_err();
    assert!(
        err.contains("charge") && err.contains("does not take it"),
        "{err}"
    );
    let err = script_pe("nq-badel", &script("1 box", "nequip", &coeff("Si C"))).unwrap_err();
    assert!(
        err.contains("`C` is not covered") && err.contains(":10"),
        "{err}"
    );

    let deck = format!(
        "units = \"metal\"\n\n[[species]]\nname = \"Si\"\nmass = 28.0855\n\n[lattice]\n\
         kind = \"diamond\"\nconstant = 5.43\nrepeat = [1, 1, 1]\nspecies = \"Si\"\n\n\
         [potential]\nstyle = \"nequip\"\nmodel = \"{}\"\n\n[integrator]\nstyle = \"nve\"\n\
         timestep = 0.001\n\n[run]\nsteps = 0\nthermo = 1\n",
        model.display()
    );
    let parsed = ferromd::deck::Deck::parse(&deck, Path::new("si.toml")).unwrap();
    assert_eq!(parsed.potential.name(), "nequip");
    assert_eq!(parsed.potential.cutoff(), 4.0);
    // `torchscript` reads the convention from the file
    let parsed = ferromd::deck::Deck::parse(
        &deck.replace("style = \"nequip\"", "style = \"torchscript\""),
        Path::new("si.toml"),
    )
    .unwrap();
    assert_eq!(parsed.potential.name(), "nequip");
    // `mace` insists on MACE's convention
    let err = ferromd::deck::Deck::parse(
        &deck.replace("style = \"nequip\"", "style = \"mace\""),
        Path::new("si.toml"),
    )
    .unwrap_err();
    assert!(err.to_string().contains("LAMMPS_MACE"), "{err}");
}

/// `pair_style hybrid/overlay nequip zbl ...`: the energy is the sum of the NequIP and ZBL
/// energies of the same two-type cell, with ZBL reaching the nearest neighbours (2.35 Å).
#[test]
fn hybrid_overlay_of_nequip_and_zbl_sums_the_parts() {
    let model = model_path("float64");
    let nequip_line = format!("pair_coeff * * {} Si O\n", model.display());
    let zbl_lines = "pair_coeff 1 1 14 14\npair_coeff 1 2 14 8\npair_coeff 2 2 8 8\n";
    // basis atoms 1 and 2 of type 2 (O): Si-Si, Si-O and O-O pairs
    let create = "1 box basis 1 2 basis 2 2";
    let nequip = script_pe("ov-nequip", &script(create, "nequip", &nequip_line)).unwrap();
    let zbl = script_pe("ov-zbl", &script(create, "zbl 2.0 2.6", zbl_lines)).unwrap();
    let overlay_coeffs = format!(
        "pair_coeff * * nequip {}{}",
        nequip_line.trim_start_matches("pair_coeff * * "),
        zbl_lines
            .replace(" 14 14\n", " zbl 14 14\n")
            .replace(" 14 8\n", " zbl 14 8\n")
            .replace(" 8 8\n", " zbl 8 8\n")
    );
    let both = script_pe(
        "ov-both",
        &script(create, "hybrid/overlay nequip zbl 2.0 2.6", &overlay_coeffs),
    )
    .unwrap();
    eprintln!("hybrid/overlay: nequip {nequip} + zbl {zbl} vs overlay {both} eV");
    assert!(
        zbl.abs() > 1e-3,
        "ZBL does not act ({zbl} eV): the test would not see it"
    );
    // the log prints 8 significant digits
    assert!(
        (both - (nequip + zbl)).abs() < 1e-7 * both.abs(),
        "overlay {both} vs nequip {nequip} + zbl {zbl}"
    );
}

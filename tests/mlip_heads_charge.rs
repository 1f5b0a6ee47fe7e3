//! Heads of multi-head models and the total charge and spin of the system (feature `torch`).
//!
//! * Heads: SevenNet-MF-0 (multi-fidelity, shipped with sevenn 0.13.0) exported by
//!   `scripts/export-sevennet-heads.py` with its modal as a run-time input: `head = "PBE"`
//!   gives exactly what `sevenn_get_model 7net-mf-0 --modal PBE` gives, `R2SCAN` differs,
//!   and a missing or unknown head is an error listing the valid names (both files are
//!   made by `scripts/setup-mlip.sh` beside SevenNet-0).
//! * Charge and spin: a tiny model written at test time by
//!   `tests/python/charge_spin_model.py` reads `total_charge` and `total_spin`; its
//!   energies and forces for several (Q, M) match the reference the script computed with
//!   the same model, and giving them to a model that does not read them is an error.
#![cfg(feature = "torch")]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use ferromd::check::Probe;
use ferromd::deck::Deck;
use ferromd_core::cell::Cell;
use ferromd_core::lattice::{CubicKind, Lattice};
use ferromd_core::nalgebra::{Matrix3, Vector3};
use ferromd_core::{Potential, Species, System};
use ferromd_potentials::mlip::{MlipError, MlipOptions, load_model};

mod common;

use common::on_two_threads;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The folder of the models made by scripts/setup-mlip.sh (beside SevenNet-0).
fn mlip_dir() -> PathBuf {
    std::env::var_os("FERROMD_SEVENNET0")
        .map(PathBuf::from)
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| root().join("target/mlip"))
}

fn model(name: &str) -> PathBuf {
    let path = mlip_dir().join(name);
    assert!(
        path.is_file(),
        "{} missing: run scripts/setup-mlip.sh (scripts/test.sh does)",
        path.display()
    );
    path
}

fn with_head(head: Option<&str>) -> MlipOptions {
    MlipOptions {
        head: head.map(str::to_owned),
        ..Default::default()
    }
}

fn rattled_silicon() -> System {
    let mut system = Lattice::cubic(CubicKind::Diamond, 5.43)
        .build([1; 3], vec![Species::new("Si", 28.0855)])
        .unwrap();
    for (k, x) in system.positions.iter_mut().enumerate() {
        let k = k as f64;
        *x += 0.04 * Vector3::new((0.9 * k).cos(), (1.7 * k).sin(), (2.3 * k + 0.5).cos());
    }
    system
}

fn energy_forces(potential: &dyn Potential, system: &System) -> (f64, Vec<Vector3<f64>>) {
    on_two_threads(|| Probe::new(potential).energy_forces(system).unwrap())
}

fn max_force_difference(a: &[Vector3<f64>], b: &[Vector3<f64>]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).amax())
        .fold(0.0, f64::max)
}

#[test]
fn sevennet_mf0_head_selects_the_fidelity() {
    let heads = model("sevennet_mf0_heads.pt");
    let system = rattled_silicon();
    let pbe = load_model(&heads, &["Si"], &with_head(Some("PBE"))).unwrap();
    let fixed = load_model(model("sevennet_mf0_pbe.pt"), &["Si"], &with_head(None)).unwrap();
    let r2scan = load_model(&heads, &["Si"], &with_head(Some("R2SCAN"))).unwrap();
    let (e_pbe, f_pbe) = energy_forces(pbe.as_ref(), &system);
    let (e_fixed, f_fixed) = energy_forces(fixed.as_ref(), &system);
    let (e_r2scan, f_r2scan) = energy_forces(r2scan.as_ref(), &system);
    eprintln!(
        "SevenNet-MF-0, 8 Si: E(PBE, run-time head) = {e_pbe:.6} eV, E(PBE, fixed at export) \
         = {e_fixed:.6} eV, E(R2SCAN) = {e_r2scan:.6} eV; max |dF| PBE vs R2SCAN {:.3e} eV/A",
        max_force_difference(&f_pbe, &f_r2scan)
    );
    // the same network, graph and modal: equal to single-precision rounding
    assert!((e_pbe - e_fixed).abs() < 1e-4, "{e_pbe} vs {e_fixed}");
    assert!(max_force_difference(&f_pbe, &f_fixed) < 1e-4);
    // another fidelity is another energy surface
    assert!((e_pbe - e_r2scan).abs() > 0.05, "{e_pbe} vs {e_r2scan}");
    assert!(max_force_difference(&f_pbe, &f_r2scan) > 1e-3);
}

#[test]
fn head_errors_list_the_valid_names() {
    let heads = model("sevennet_mf0_heads.pt");
    let err = load_model(&heads, &["Si"], &with_head(None))
        .err()
        .expect("the model loaded");
    assert!(matches!(err, MlipError::HeadRequired { .. }), "{err}");
    assert!(err.to_string().contains("R2SCAN, PBE"), "{err}");
    let err = load_model(&heads, &["Si"], &with_head(Some("HSE")))
        .err()
        .expect("the model loaded");
    assert!(err.to_string().contains("no head `HSE`"), "{err}");
    assert!(err.to_string().contains("R2SCAN, PBE"), "{err}");
    // a model deployed with its modal fixed, or a single-fidelity one, has nothing to choose
    let err = load_model(
        model("sevennet_mf0_pbe.pt"),
        &["Si"],
        &with_head(Some("PBE")),
    )
    .err()
    .expect("the model loaded");
    assert!(err.to_string().contains("modal fixed"), "{err}");
    assert!(
        err.to_string().contains("export-sevennet-heads.py"),
        "{err}"
    );
}

/// Runs a model-writing script of tests/python once per test binary; returns its folder.
fn python_models(script: &str, tag: &str, cell: &'static OnceLock<PathBuf>) -> &'static Path {
    cell.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("ferromd-{tag}-{}", std::process::id()));
        let python = std::env::var_os("FERROMD_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|| root().join(".venv-mlip/bin/python"));
        let out = Command::new(&python)
            .arg(root().join("tests/python").join(script))
            .arg(&dir)
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run {} (run scripts/setup-mlip.sh or set FERROMD_PYTHON): {e}",
                    python.display()
                )
            });
        assert!(out.status.success(), "{script}: {out:?}");
        dir
    })
}

#[test]
fn mace_heads_come_from_the_file() {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let dir = python_models("mace_multihead_model.py", "mace-heads", &DIR);
    let omat_file = dir.join("mace_heads_omat.pt");
    let pbe_file = dir.join("mace_heads_pbe_head.pt");
    let system = rattled_silicon();
    // no head asked: the one compiled into the file; asking for it by name is the same
    let omat = load_model(&omat_file, &["Si"], &with_head(None)).unwrap();
    let named = load_model(&omat_file, &["Si"], &with_head(Some("omat"))).unwrap();
    let pbe = load_model(&pbe_file, &["Si"], &with_head(Some("pbe_head"))).unwrap();
    let (e_omat, _) = energy_forces(omat.as_ref(), &system);
    let (e_named, _) = energy_forces(named.as_ref(), &system);
    let (e_pbe, _) = energy_forces(pbe.as_ref(), &system);
    assert_eq!(e_omat, e_named);
    assert!((e_omat - e_pbe).abs() > 1.0, "{e_omat} vs {e_pbe}");
    // another head of the model: recompile; an unknown one: the list
    let err = load_model(&omat_file, &["Si"], &with_head(Some("pbe_head")))
        .err()
        .expect("the model loaded");
    assert!(
        err.to_string().contains("compiled for head `omat`"),
        "{err}"
    );
    assert!(err.to_string().contains("--head pbe_head"), "{err}");
    let err = load_model(&omat_file, &["Si"], &with_head(Some("mp")))
        .err()
        .expect("the model loaded");
    assert!(err.to_string().contains("pbe_head, omat"), "{err}");
}

fn deck(model: &Path, extra: &str) -> String {
    format!(
        r#"units = "metal"

[[species]]
name = "Si"
mass = 28.0855

[lattice]
kind = "diamond"
constant = 5.43
repeat = [1, 1, 1]
species = "Si"

[potential]
style = "e3gnn"
model = "{}"
{extra}

[integrator]
style = "nve"
timestep = 0.001

[run]
steps = 0
"#,
        model.display()
    )
}

#[test]
fn decks_and_scripts_choose_heads() {
    let heads = model("sevennet_mf0_heads.pt");
    let energy = |potential: &dyn Potential| {
        let system = Lattice::cubic(CubicKind::Diamond, 5.43)
            .build([1; 3], vec![Species::new("Si", 28.0855)])
            .unwrap();
        energy_forces(potential, &system).0
    };
    let pbe = Deck::parse(&deck(&heads, "head = \"PBE\""), Path::new("h.toml")).unwrap();
    let r2scan = Deck::parse(&deck(&heads, "modal = \"R2SCAN\""), Path::new("m.toml")).unwrap();
    let (e_pbe, e_r2scan) = (
        energy(pbe.potential.as_ref()),
        energy(r2scan.potential.as_ref()),
    );
    assert!((e_pbe - e_r2scan).abs() > 0.05, "{e_pbe} vs {e_r2scan}");
    let err = Deck::parse(&deck(&heads, "head = \"pbe\""), Path::new("bad.toml")).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("bad.toml:16"), "{text}");
    assert!(text.contains("R2SCAN, PBE"), "{text}");
    let err = Deck::parse(&deck(&heads, ""), Path::new("none.toml")).unwrap_err();
    assert!(err.to_string().contains("several heads"), "{err}");
    // LAMMPS scripts: a ferromd keyword of pair_style
    let dir = std::env::temp_dir().join(format!("ferromd-heads-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = |style_args: &str| {
        format!(
            "units metal\natom_style atomic\nlattice diamond 5.43\nregion box block 0 1 0 1 0 1\n\
             create_box 1 box\ncreate_atoms 1 box\nmass 1 28.0855\npair_style e3gnn {style_args}\n\
             pair_coeff * * {} Si\nthermo_style custom step pe\nrun 0\n",
            heads.display()
        )
    };
    let run = |tag: &str, style_args: &str| {
        let input = dir.join(format!("in.{tag}"));
        let log = dir.join(format!("log.{tag}"));
        std::fs::write(&input, script(style_args)).unwrap();
        let options = ferromd::lammps::ScriptOptions {
            log: Some(log.clone()),
            ..Default::default()
        };
        ferromd::lammps::run_script(&input, &options)
            .map(|_| std::fs::read_to_string(log).unwrap())
            .map_err(|e| e.to_string())
    };
    let log = run("pbe", "head PBE").unwrap();
    let pe: f64 = log
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("Step"))
        .nth(1)
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("no thermo row in {log}"));
    assert!((pe - e_pbe).abs() < 1e-4, "{pe} vs {e_pbe}");
    let err = run("bad", "head HSE").unwrap_err();
    assert!(err.contains("R2SCAN, PBE"), "{err}");
    let err = run("kw", "heads PBE").unwrap_err();
    assert!(err.contains("unknown keyword `heads`"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The charge/spin models of tests/python/charge_spin_model.py.
fn charge_models() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    python_models("charge_spin_model.py", "charge", &DIR)
}

#[derive(serde::Deserialize)]
struct ChargeReference {
    positions: Vec<[f64; 3]>,
    cases: Vec<ChargeCase>,
}

#[derive(serde::Deserialize)]
struct ChargeCase {
    charge: f64,
    spin_multiplicity: f64,
    energy: f64,
    forces: Vec<[f64; 3]>,
}

#[test]
fn charge_and_spin_reach_models_that_read_them() {
    let dir = charge_models();
    let reference: ChargeReference =
        serde_json::from_str(&std::fs::read_to_string(dir.join("reference.json")).unwrap())
            .unwrap();
    let cell = Cell::new(Matrix3::identity() * 30.0, Vector3::zeros(), [false; 3]).unwrap();
    let mut system = System::new(cell, vec![Species::new("Si", 28.0855)]);
    for x in &reference.positions {
        system.push_atom(0, Vector3::from(*x));
    }
    let mut energies = Vec::new();
    for case in &reference.cases {
        let options = MlipOptions {
            charge: Some(case.charge),
            spin_multiplicity: Some(case.spin_multiplicity),
            ..Default::default()
        };
        let potential = load_model(dir.join("charge_spin.pt"), &["Si"], &options).unwrap();
        let (e, f) = energy_forces(potential.as_ref(), &system);
        assert!((e - case.energy).abs() < 1e-10, "{e} vs {}", case.energy);
        let expected: Vec<Vector3<f64>> = case.forces.iter().map(|f| Vector3::from(*f)).collect();
        assert!(max_force_difference(&f, &expected) < 1e-10);
        energies.push(e);
    }
    // the cases differ (so the values really went through), and no values = Q 0, M 1
    assert!((energies[0] - energies[1]).abs() > 0.1 && (energies[1] - energies[2]).abs() > 0.1);
    let default = load_model(dir.join("charge_spin.pt"), &["Si"], &MlipOptions::default()).unwrap();
    let (e0, _) = energy_forces(default.as_ref(), &system);
    assert_eq!(reference.cases[0].charge, 0.0);
    assert!((e0 - energies[0]).abs() < 1e-12);
}

#[test]
fn charge_and_spin_are_refused_by_models_that_ignore_them() {
    let dir = charge_models();
    let neutral = dir.join("neutral.pt");
    let charged = MlipOptions {
        charge: Some(-1.0),
        ..Default::default()
    };
    let err = load_model(&neutral, &["Si"], &charged)
        .err()
        .expect("the model loaded");
    assert!(matches!(err, MlipError::BadSystemInput { .. }), "{err}");
    assert!(err.to_string().contains("total_charge"), "{err}");
    let open_shell = MlipOptions {
        spin_multiplicity: Some(3.0),
        ..Default::default()
    };
    let err = load_model(&neutral, &["Si"], &open_shell)
        .err()
        .expect("the model loaded");
    assert!(err.to_string().contains("spin_multiplicity"), "{err}");
    // SevenNet-0 takes neither
    let sevennet = model("sevennet0.pt");
    assert!(load_model(&sevennet, &["Si"], &charged).is_err());
    // decks: the error points at the key; lj/cut does not know it
    let text = deck(&neutral, "charge = -1");
    let err = Deck::parse(&text, Path::new("q.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("q.toml:16") && err.contains("total_charge"),
        "{err}"
    );
    let text = deck(
        &dir.join("charge_spin.pt"),
        "charge = -1\nspin_multiplicity = 1.5",
    );
    let err = Deck::parse(&text, Path::new("m.toml"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("m.toml:17") && err.contains("2S + 1"), "{err}");
    let text = deck(
        &dir.join("charge_spin.pt"),
        "charge = -1\nspin_multiplicity = 2",
    );
    Deck::parse(&text, Path::new("ok.toml")).unwrap();
}

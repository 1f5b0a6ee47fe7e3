//! A committee of SevenNet-0 and SevenNet-l3i5 (both exported by `scripts/setup-mlip.sh`,
//! `$FERROMD_SEVENNET0` and `$FERROMD_SEVENNET_L3I5`) runs NVE MD on 8 Si atoms from a
//! deck and writes its uncertain frames; ASE reads them back, each member's energy and
//! forces at the first frame are those of that model alone, and the per-atom deviation in
//! the file is the spread of the members' forces in the file.
//!
//! Needs the `torch` feature (scripts/test.sh runs it with the libtorch environment).
#![cfg(feature = "torch")]

use std::path::{Path, PathBuf};
use std::process::Command;

use ferromd::core::UnitSystem;
use ferromd::core::io::extxyz::read_extxyz;
use ferromd::driver::{DriverOptions, run_deck};
use ferromd::potentials::mlip::{E3gnn, MlipOptions};

mod common;

use common::mlip_reference::{sevennet_model, sevennet0};
use common::silicon::{diamond_si8, metal_nve_simulation};

fn l3i5() -> PathBuf {
    sevennet_model("FERROMD_SEVENNET_L3I5", "sevennet_l3i5.pt")
}

fn deck(dir: &Path) -> String {
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

[velocity]
temperature = 1200.0
seed = 7

[potential]
style = "committee"

[[potential.committee]]
style = "e3gnn"
model = "{m0}"

[[potential.committee]]
style = "e3gnn"
model = "{m1}"

[integrator]
style = "nve"
timestep = 0.002

[run]
steps = 3
thermo = 1

[output]
uncertain_frames = "{frames}"
uncertainty_threshold = 0.0
"#,
        m0 = sevennet0().display(),
        m1 = l3i5().display(),
        frames = dir.join("uncertain.extxyz").display(),
    )
}

/// Energy and forces of one model alone on the perfect 8-atom lattice.
fn alone(path: &Path) -> (f64, Vec<[f64; 3]>) {
    let pot = E3gnn::load(path, &["Si"], &MlipOptions::default()).unwrap();
    let mut sim = metal_nve_simulation(diamond_si8(), Box::new(pot));
    let e = sim.evaluate().unwrap().energy;
    (
        e,
        sim.system.forces.iter().map(|f| [f.x, f.y, f.z]).collect(),
    )
}

#[test]
fn sevennet_committee_runs_md_and_writes_uncertain_frames() {
    let dir = std::env::temp_dir().join(format!("ferromd-committee-7net-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let deck_path = dir.join("si.toml");
    std::fs::write(&deck_path, deck(&dir)).unwrap();
    let mut screen = Vec::new();
    run_deck(&deck_path, &mut screen, DriverOptions::default()).unwrap();
    let screen = String::from_utf8(screen).unwrap();
    assert!(screen.contains("ForceDevMax"), "{screen}");

    // threshold 0: every step from 0 to 3 is written
    let file = dir.join("uncertain.extxyz");
    let frames = read_extxyz(&file).unwrap();
    assert_eq!(frames.len(), 4);
    let first = &frames[0];
    assert_eq!(first.info("step"), Some("0"));
    let (u0, f0) = alone(&sevennet0());
    let (u1, f1) = alone(&l3i5());
    let energy = |k: &str| -> f64 { first.info(k).unwrap().parse().unwrap() };
    assert!((energy("energy_1") - u0).abs() < 1e-6 * u0.abs(), "{u0}");
    assert!((energy("energy_2") - u1).abs() < 1e-6 * u1.abs(), "{u1}");
    assert!((u0 - u1).abs() > 1e-3, "two different models: {u0} {u1}");
    let array = |name: &str| &first.arrays.iter().find(|a| a.name == name).unwrap().values;
    // float32 models: the edge order (hence rounding) depends on the neighbor skin
    for (name, reference) in [("forces_1", &f0), ("forces_2", &f1)] {
        for (i, f) in reference.iter().enumerate() {
            for (c, fc) in f.iter().enumerate() {
                let d = (array(name)[3 * i + c] - fc).abs();
                assert!(d < 1e-5, "{name} atom {i}: {d}");
            }
        }
    }
    let later: f64 = frames[3].info("force_dev_max").unwrap().parse().unwrap();
    assert!(later > 0.0);

    // ASE reads the file: member energies in info, member forces in arrays, and the
    // deviation there is the spread of the two members' forces
    let check = r#"
import sys
import numpy as np
import ase.io
frames = ase.io.read(sys.argv[1], index=":")
assert len(frames) == 4, len(frames)
for a in frames:
    f1, f2 = a.arrays["forces_1"], a.arrays["forces_2"]
    mean = 0.5 * (f1 + f2)
    sigma = np.sqrt(0.5 * (((f1 - mean) ** 2).sum(1) + ((f2 - mean) ** 2).sum(1)))
    assert np.allclose(sigma, a.arrays["force_dev"], rtol=1e-12, atol=1e-12)
    assert np.isclose(sigma.max(), a.info["force_dev_max"], rtol=1e-12)
    assert np.allclose(a.get_forces(), mean, rtol=1e-12, atol=1e-12)
    e = 0.5 * (a.info["energy_1"] + a.info["energy_2"])
    assert np.isclose(a.get_potential_energy(), e, rtol=1e-12)
    assert a.info["committee_size"] == 2
print("ok", len(frames))
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(check)
        .arg(&file)
        .output()
        .expect("python3 (scripts/setup-mlip.sh puts its venv, which has ASE, on PATH)");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// `pair_style committee` of the two models in a LAMMPS script: the `model_devi.out` line
/// of step 0 holds the spread of each model's own forces (per atom |F⁰ − F¹|/2, the
/// `atomic` columns) and virials (each model alone, `run 0` at rest: W = P V / nktv2p).
#[test]
fn sevennet_committee_script_writes_model_devi() {
    use ferromd::lammps::{ScriptOptions, run_script};
    let dir = std::env::temp_dir().join(format!(
        "ferromd-committee-7net-script-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let prelude = "units metal\nlattice diamond 5.43\nregion box block 0 1 0 1 0 1\n\
                   create_box 1 box\ncreate_atoms 1 box\nmass 1 28.0855\n\
                   displace_atoms all random 0.1 0.1 0.1 4242 units box\n";
    let run = |text: String| -> String {
        let (input, log) = (dir.join("in.script"), dir.join("log.script"));
        std::fs::write(&input, text).unwrap();
        let options = ScriptOptions {
            log: Some(log.clone()),
            ..Default::default()
        };
        run_script(&input, &options).unwrap();
        std::fs::read_to_string(log).unwrap()
    };
    let nktv2p = UnitSystem::Metal.constants().nktv2p;
    let dump = dir.join("forces.dump");
    let mut forces = Vec::new();
    let mut virials = Vec::new();
    for model in [sevennet0(), l3i5()] {
        let log = run(format!(
            "{prelude}pair_style e3gnn\npair_coeff * * {} Si\n\
             thermo_style custom step pxx pyy pzz pxy pxz pyz vol\n\
             thermo_modify format float %.17g\n\
             dump 1 all custom 1 {} id fx fy fz\n\
             dump_modify 1 sort id format line \"%d %.17g %.17g %.17g\"\nrun 0\n",
            model.display(),
            dump.display()
        ));
        let row: Vec<f64> = log
            .lines()
            .skip_while(|l| !l.trim_start().starts_with("Step"))
            .nth(1)
            .unwrap()
            .split_whitespace()
            .map(|w| w.parse().unwrap())
            .collect();
        virials.push([1, 2, 3, 4, 5, 6].map(|c| row[c] * row[7] / nktv2p));
        let text = std::fs::read_to_string(&dump).unwrap();
        let f: Vec<[f64; 3]> = text
            .lines()
            .skip(9)
            .map(|l| {
                let w: Vec<f64> = l.split_whitespace().map(|x| x.parse().unwrap()).collect();
                [w[1], w[2], w[3]]
            })
            .collect();
        assert_eq!(f.len(), 8);
        forces.push(f);
    }
    let devi_file = dir.join("model_devi.out");
    run(format!(
        "{prelude}pair_style committee e3gnn e3gnn out_freq 1 out_file {} atomic\n\
         pair_coeff * * e3gnn 1 {} Si\npair_coeff * * e3gnn 2 {} Si\nrun 0\n",
        devi_file.display(),
        sevennet0().display(),
        l3i5().display()
    ));
    let text = std::fs::read_to_string(&devi_file).unwrap();
    let line: Vec<f64> = text
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .map(|w| w.parse().unwrap())
        .collect();
    assert_eq!(line.len(), 7 + 8);
    let sigma: Vec<f64> = (0..8)
        .map(|i| {
            let d: f64 = (0..3)
                .map(|c| (forces[0][i][c] - forces[1][i][c]).powi(2))
                .sum();
            0.5 * d.sqrt()
        })
        .collect();
    for (i, s) in sigma.iter().enumerate() {
        assert!(
            (line[7 + i] - s).abs() < 1e-5 + 1e-6 * s,
            "atom {i}: {} vs {s}",
            line[7 + i]
        );
    }
    let max_f = sigma.iter().copied().fold(0.0, f64::max);
    assert!(max_f > 1e-3, "two different models: {max_f}");
    assert!((line[4] - max_f).abs() < 1e-5 + 1e-6 * max_f);
    let v: Vec<f64> = (0..6)
        .map(|c| 0.5 * (virials[0][c] - virials[1][c]).abs() / 8.0)
        .collect();
    let max_v = v.iter().copied().fold(0.0, f64::max);
    let min_v = v.iter().copied().fold(f64::MAX, f64::min);
    assert!(max_v > 1e-4, "{v:?}");
    assert!(
        (line[1] - max_v).abs() < 1e-5 + 1e-5 * max_v,
        "{} vs {max_v}",
        line[1]
    );
    assert!(
        (line[2] - min_v).abs() < 1e-5 + 1e-5 * min_v,
        "{} vs {min_v}",
        line[2]
    );
    std::fs::remove_dir_all(&dir).ok();
}

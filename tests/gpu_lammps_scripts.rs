//! LAMMPS scripts on the GPU path: `-sf gpu` / `-pk gpu` on the command line,
//! `package gpu`, `suffix` and explicit `/gpu` styles in scripts (cargo feature `gpu`;
//! CI runs them on Mesa's software Vulkan device llvmpipe, see scripts/test.sh).
//!
//! Tolerance: the GPU path computes in f32 (gpu/README.md). After 200 steps of the
//! in.lj melt, thermo values of `-sf gpu` agree with the CPU (f64) run to 1e-4 relative
//! (measured: 4.7e-6 in T, 1e-6 in E, 1.2e-5 in P), `fmax` (one atom's force component,
//! most sensitive to the chaotic trajectory) to 1e-3 (measured 1.4e-4), and dumped
//! coordinates to 1e-3 sigma.
#![cfg(feature = "gpu")]

use std::path::Path;
use std::process::{Command, Output};

mod common;

use common::{scratch_dir, thermo_blocks};

/// bench/in.lj at 2,048 atoms (8^3 fcc cells) and 200 steps, thermo every 50, with
/// `fmax` in the thermo line (so the GPU path reads the forces back at thermo steps)
/// and a dump every 100 steps; `extra` goes before the pair style.
fn in_lj(extra: &str) -> String {
    format!(
        "# 3d Lennard-Jones melt (LAMMPS bench/in.lj, smaller)
variable x index 1
variable xx equal 8*$x
units lj
atom_style atomic
lattice fcc 0.8442
region box block 0 ${{xx}} 0 ${{xx}} 0 ${{xx}}
create_box 1 box
create_atoms 1 box
mass 1 1.0
velocity all create 1.44 87287 loop geom
{extra}
pair_style lj/cut 2.5
pair_coeff 1 1 1.0 1.0 2.5
neighbor 0.3 bin
neigh_modify delay 0 every 20 check no
fix 1 all nve
thermo_style custom step temp pe etotal press fmax
thermo 50
dump d all custom 100 dump.lj id x y z
dump_modify d sort id
run 200
"
    )
}

/// Runs `script` with ferromd and `switches` in a scratch directory.
fn run(tag: &str, script: &str, switches: &[&str]) -> (Output, std::path::PathBuf) {
    let dir = scratch_dir(tag);
    std::fs::write(dir.join("in.lj"), script).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ferromd"))
        .args(["-in", "in.lj", "-log", "none"])
        .args(switches)
        .current_dir(&dir)
        .output()
        .unwrap();
    (out, dir)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The coordinates of the last frame of a `custom id x y z` dump sorted by id.
fn last_frame(path: &Path) -> Vec<[f64; 3]> {
    let text = std::fs::read_to_string(path).unwrap();
    let start = text.rfind("ITEM: ATOMS").unwrap();
    text[start..]
        .lines()
        .skip(1)
        .map(|l| {
            let w: Vec<f64> = l.split_whitespace().map(|w| w.parse().unwrap()).collect();
            [w[1], w[2], w[3]]
        })
        .collect()
}

#[test]
fn in_lj_with_sf_gpu_matches_the_cpu_run() {
    let script = in_lj("");
    let (cpu, cpu_dir) = run("cpu", &script, &[]);
    let (gpu, gpu_dir) = run(
        "gpu",
        &script,
        &["-sf", "gpu", "-pk", "gpu", "1", "neigh", "yes"],
    );
    let (c, g) = (stdout(&cpu), stdout(&gpu));
    assert!(cpu.status.success(), "{c}");
    assert!(
        gpu.status.success(),
        "{g}\n{}",
        String::from_utf8_lossy(&gpu.stderr)
    );
    assert!(g.contains("GPU package:"), "{g}");
    assert!(!c.contains("GPU package:"), "{c}");
    let (c, g) = (thermo_blocks(&c), thermo_blocks(&g));
    assert_eq!(c.len(), 1);
    assert_eq!(g.len(), 1);
    assert_eq!(c[0].0, g[0].0);
    let fmax = c[0].0.iter().position(|h| h == "Fmax").unwrap();
    let (c, g) = (&c[0].1, &g[0].1);
    assert_eq!(c.len(), 5, "thermo rows at 0, 50, ..., 200");
    assert_eq!(g.len(), 5);
    let mut worst: f64 = 0.0;
    for (rc, rg) in c.iter().zip(g) {
        assert_eq!(rc[0], rg[0], "same steps");
        for k in 1..rc.len() {
            let err = (rc[k] - rg[k]).abs() / rc[k].abs().max(1.0);
            // one atom's largest force component follows that atom's chaotic path
            let tol = if k == fmax { 1e-3 } else { 1e-4 };
            if k != fmax {
                worst = worst.max(err);
            }
            assert!(
                err < tol,
                "step {}: column {k}: cpu {rc:?} gpu {rg:?}",
                rc[0]
            );
        }
    }
    eprintln!("largest relative thermo difference GPU vs CPU over 200 steps: {worst:.2e}");
    let (xc, xg) = (
        last_frame(&cpu_dir.join("dump.lj")),
        last_frame(&gpu_dir.join("dump.lj")),
    );
    assert_eq!(xc.len(), 2048);
    assert_eq!(xg.len(), 2048);
    let dx = xc
        .iter()
        .zip(&xg)
        .flat_map(|(a, b)| (0..3).map(move |k| (a[k] - b[k]).abs()))
        .fold(0.0, f64::max);
    eprintln!("largest coordinate difference at step 200: {dx:.2e}");
    assert!(dx < 1e-3, "dumped coordinates differ by {dx}");
    for dir in [cpu_dir, gpu_dir] {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// In-script `package gpu` + `suffix gpu`, and an explicit `lj/cut/gpu`, select the GPU
/// path as `-sf gpu` does; `suffix off` returns to the CPU.
#[test]
fn package_and_suffix_commands_and_gpu_style_names() {
    for (tag, extra, gpu) in [
        ("suffix", "package gpu 0 newton off\nsuffix gpu", true),
        ("off", "suffix gpu\nsuffix off", false),
    ] {
        let (out, dir) = run(tag, &in_lj(extra), &[]);
        let text = stdout(&out);
        assert!(out.status.success(), "{tag}: {text}");
        assert_eq!(text.contains("GPU package:"), gpu, "{tag}: {text}");
        let _ = std::fs::remove_dir_all(dir);
    }
    let script = in_lj("").replace("pair_style lj/cut 2.5", "pair_style lj/cut/gpu 2.5");
    let (out, dir) = run("style", &script, &[]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(stdout(&out).contains("GPU package:"));
    let _ = std::fs::remove_dir_all(dir);
}

/// What the GPU path cannot run is an error naming the command (and the script line),
/// never a quiet CPU run, except a pair style LAMMPS's GPU package lacks too, which
/// runs on the CPU with a note.
#[test]
fn unsupported_commands_on_the_gpu_path_are_clear_errors() {
    let cases = [
        (
            "fix 2 all temp/csvr 1.0 1.0 1.0 48279",
            "fix 2 temp/csvr is not supported on ferromd's GPU path",
        ),
        (
            "compute m all msd\nfix 2 all ave/time 10 1 10 c_m[4] file t.txt",
            "fix 2 ave/time is not sampled on ferromd's GPU path",
        ),
        (
            "pair_modify tail yes",
            "pair_modify tail yes is not supported on ferromd's GPU path",
        ),
    ];
    for (k, (line, want)) in cases.iter().enumerate() {
        let script = in_lj("").replace("run 200", &format!("{line}\nrun 200"));
        let (out, dir) = run(&format!("err{k}"), &script, &["-sf", "gpu"]);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!out.status.success(), "{line}: ran\n{}", stdout(&out));
        assert!(err.contains(want), "{line}: {err}");
        assert!(err.contains("in.lj:"), "{line}: no script line in {err}");
        assert!(!stdout(&out).contains("Loop time"), "{line}: ran");
        let _ = std::fs::remove_dir_all(dir);
    }
    // buck has a GPU variant in LAMMPS but not in ferromd
    let script = in_lj("")
        .replace("pair_style lj/cut 2.5", "pair_style buck 2.5")
        .replace("pair_coeff 1 1 1.0 1.0 2.5", "pair_coeff 1 1 100.0 0.3 1.0");
    let (out, dir) = run("buck", &script, &["-sf", "gpu"]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success());
    assert!(err.contains("pair_style buck with the gpu suffix"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
    // lj/smooth/linear has none in LAMMPS either: CPU run, saying so
    let script = in_lj("")
        .replace("pair_style lj/cut 2.5", "pair_style lj/smooth/linear 2.5")
        .replace("run 200", "run 20");
    let (out, dir) = run("smooth", &script, &["-sf", "gpu"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("has no GPU variant"), "{text}");
    assert!(!text.contains("GPU package:"), "{text}");
    let _ = std::fs::remove_dir_all(dir);
    // command-line package options are checked too
    let (out, dir) = run("pk", &in_lj(""), &["-sf", "gpu", "-pk", "gpu", "2"]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success());
    assert!(err.contains("package gpu 2"), "{err}");
    assert!(err.contains("command line"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

/// `fix nvt/gpu` (as `fix nvt` under `-sf gpu`): the chain runs on the device and its
/// energy reaches thermo (`econserve`) as on the CPU path, and a second `run` continues
/// the chain (same fixes: the state carries over, as on the CPU). The 2,048-atom melt
/// from T* 1.44 under `nvt temp 1.44 1.8 0.5` (the target ramps over each run, counted
/// on the device), two runs of 100 steps: every thermo value within 1e-4 relative of the
/// CPU run (f32 rounding through the chaotic melt).
#[test]
fn fix_nvt_on_the_gpu_matches_the_cpu_run_across_two_runs() {
    let script = in_lj("")
        .replace("fix 1 all nve", "fix 1 all nvt temp 1.44 1.8 0.5")
        .replace("press fmax", "econserve")
        .replace("run 200", "run 100\nrun 100");
    let (cpu, cpu_dir) = run("nvt-cpu", &script, &[]);
    // the explicit style name selects the GPU path as -sf gpu does
    let explicit = script.replace("all nvt temp", "all nvt/gpu temp");
    let (gpu, gpu_dir) = run("nvt-gpu", &explicit, &[]);
    let (c, g) = (stdout(&cpu), stdout(&gpu));
    assert!(cpu.status.success(), "{c}");
    assert!(
        gpu.status.success(),
        "{g}\n{}",
        String::from_utf8_lossy(&gpu.stderr)
    );
    assert!(g.contains("fix nvt"), "{g}");
    let (c, g) = (thermo_blocks(&c), thermo_blocks(&g));
    assert_eq!(c.len(), 2);
    assert_eq!(g.len(), 2);
    let mut worst: f64 = 0.0;
    for ((_, rc), (_, rg)) in c.iter().zip(&g) {
        assert_eq!(rc.len(), 3);
        assert_eq!(rg.len(), 3);
        for (a, b) in rc.iter().zip(rg) {
            assert_eq!(a[0], b[0], "same steps");
            for k in 1..a.len() {
                let err = (a[k] - b[k]).abs() / a[k].abs().max(1.0);
                worst = worst.max(err);
                assert!(err < 1e-4, "step {}: column {k}: cpu {a:?} gpu {b:?}", a[0]);
            }
        }
    }
    // the chain did work: econserve differs from etotal at the end
    let last = &c[1].1[2];
    assert!((last[4] - last[3]).abs() > 1e-3, "{last:?}");
    eprintln!("fix nvt/gpu vs CPU, 2 runs of 100 steps: largest relative difference {worst:.2e}");
    for dir in [cpu_dir, gpu_dir] {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// `fix nve` + `fix langevin ... zero yes` under `-sf gpu` runs on the device (its noise differs from
/// the CPU path's stream, so only physics is compared): from T* 1.44 the 2,048-atom melt
/// (`pair_modify shift yes`) is held near the bath's 2.0 after 200 steps with damp 0.1,
/// and econserve (etotal minus the heat the bath put in) moves no more than on the CPU
/// path (BAOAB's own energy error): within 1.5 times the CPU run's change plus 1e-3.
#[test]
fn fix_langevin_on_the_gpu_thermostats_and_tallies_the_heat() {
    let script = in_lj("")
        .replace(
            "fix 1 all nve",
            "fix 1 all nve\nfix 2 all langevin 2.0 2.0 0.1 48279 zero yes",
        )
        .replace(
            "pair_coeff 1 1 1.0 1.0 2.5",
            "pair_coeff 1 1 1.0 1.0 2.5\npair_modify shift yes",
        )
        .replace("press fmax", "econserve");
    let mut rows = Vec::new();
    for (tag, switches) in [
        ("langevin-cpu", &[][..]),
        ("langevin-gpu", &["-sf", "gpu"][..]),
    ] {
        let (out, dir) = run(tag, &script, switches);
        let text = stdout(&out);
        assert!(
            out.status.success(),
            "{text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            text.contains("fix nve + fix langevin"),
            !switches.is_empty(),
            "{text}"
        );
        let block = thermo_blocks(&text).remove(0).1;
        rows.push((block[0].clone(), block[block.len() - 1].clone()));
        let _ = std::fs::remove_dir_all(dir);
    }
    let [(cf, cl), (gf, gl)] = [rows[0].clone(), rows[1].clone()];
    let (cpu_drift, gpu_drift) = ((cl[4] - cf[4]).abs(), (gl[4] - gf[4]).abs());
    eprintln!(
        "fix langevin 200 steps: T {:.4} (GPU) {:.4} (CPU); etotal change {:.3} (GPU); \
         |econserve change| GPU {gpu_drift:.2e}, CPU {cpu_drift:.2e}",
        gl[1],
        cl[1],
        gl[3] - gf[3]
    );
    assert!((gl[1] - 2.0).abs() < 0.15, "T = {}", gl[1]);
    // heat flowed in (etotal rose) and econserve did not follow it
    assert!(gl[3] - gf[3] > 0.3, "{gf:?} -> {gl:?}");
    assert!(
        gpu_drift < 1.5 * cpu_drift + 1e-3,
        "econserve moved by {gpu_drift} per atom, on the CPU by {cpu_drift}"
    );
}

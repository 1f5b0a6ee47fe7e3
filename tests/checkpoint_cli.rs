//! The `ferromd` binary's `[output]` files, checkpoints, `--resume` and Ctrl-C: an
//! interrupted run writes a valid checkpoint and, resumed, ends in exactly the state of an
//! uninterrupted run (byte-identical trajectory and thermo files, same final thermo row).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use ferromd::core::checkpoint::Checkpoint;
use ferromd::core::io::extxyz::read_extxyz;

mod common;
use common::interrupt::interrupt_when_written;

/// `ferromd run deck.toml ARGS --threads 1 --no-progress` in `dir`.
fn ferromd(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ferromd"));
    c.current_dir(dir)
        .args(["run", "deck.toml"])
        .args(args)
        .args(["--threads", "1", "--no-progress"]);
    c
}

/// A melt deck of `repeat`³ fcc cells with an `[output]` table, in a fresh directory.
fn deck(name: &str, repeat: u32, steps: u64, output: &str) -> PathBuf {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("inputs/lj-melt.toml"),
    )
    .unwrap()
    .replace(
        "repeat = [10, 10, 10]",
        &format!("repeat = [{repeat}, {repeat}, {repeat}]"),
    )
    .replace("steps = 250", &format!("steps = {steps}"));
    let dir = std::env::temp_dir().join(format!("ferromd-ckcli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("deck.toml"),
        format!("{text}\n[output]\n{output}\n"),
    )
    .unwrap();
    dir
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "status {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// The last thermo row printed before the summary.
fn last_row(stdout: &str) -> String {
    let lines: Vec<&str> = stdout.lines().collect();
    let end = lines
        .iter()
        .position(|l| l.starts_with("Loop time"))
        .expect(stdout);
    lines[end - 1].to_string()
}

#[test]
fn trajectory_and_jsonl_thermo_hold_the_run() {
    let dir = deck(
        "formats",
        3,
        60,
        "trajectory = \"traj.extxyz\"\nevery = 20\nthermo_format = \"jsonl\"\nthermo_file = \"thermo.jsonl\"",
    );
    ok(&ferromd(&dir, &[]).output().unwrap());
    let frames = read_extxyz(&dir.join("traj.extxyz")).unwrap();
    let steps: Vec<&str> = frames.iter().map(|f| f.info("step").unwrap()).collect();
    assert_eq!(steps, ["0", "20", "40", "60"]);
    let rows: Vec<serde_json::Value> = std::fs::read_to_string(dir.join("thermo.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // the deck prints thermo every 50 steps: 0, 50, 60 (last)
    let thermo_steps: Vec<u64> = rows.iter().map(|r| r["step"].as_u64().unwrap()).collect();
    assert_eq!(thermo_steps, [0, 50, 60]);
    for (frame, row) in [(&frames[0], &rows[0]), (&frames[3], &rows[2])] {
        // the energies agree to the last bit (both written with all digits)
        assert_eq!(frame.energy.unwrap(), row["pe"].as_f64().unwrap());
        let f = frame.forces.as_ref().unwrap();
        assert_eq!(f.len(), 108);
        // Newton's third law: forces sum to zero
        let total = f
            .iter()
            .fold(ferromd::core::nalgebra::Vector3::zeros(), |a, x| a + x);
        assert!(total.norm() < 1e-9, "{total}");
        assert!(frame.velocities.is_some() && frame.lattice.is_some());
        // pressure = (2 KE / 3 + virial trace / 3) / V and stress = -virial / V
        let s = frame.stress.unwrap();
        let v = row["vol"].as_f64().unwrap();
        let ke = row["ke"].as_f64().unwrap();
        let dof = 3.0 * 108.0 - 3.0;
        let t = row["temp"].as_f64().unwrap();
        assert!((ke - 0.5 * dof * t).abs() < 1e-9 * ke);
        let p = (dof * t - s.trace() * v) / (3.0 * v);
        let want = row["press"].as_f64().unwrap();
        assert!(
            (p - want).abs() < 1e-9 * want.abs().max(1.0),
            "{p} vs {want}"
        );
    }
}

#[test]
fn csv_thermo_and_checkpoint_at_the_end() {
    let dir = deck(
        "csv",
        3,
        40,
        "thermo_format = \"csv\"\nthermo_file = \"thermo.csv\"",
    );
    ok(&ferromd(
        &dir,
        &["--checkpoint", "run.ckpt", "--checkpoint-every", "15"],
    )
    .output()
    .unwrap());
    let csv = std::fs::read_to_string(dir.join("thermo.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "step,temp,pe,ke,etotal,press,vol,econserve");
    assert_eq!(lines.len(), 3, "{csv}"); // steps 0 and 40
    let ck = Checkpoint::read(&dir.join("run.ckpt")).unwrap();
    assert_eq!(ck.step, 40);
    assert!(!dir.join("run.ckpt.tmp").exists());
}

#[test]
fn output_table_errors_are_deck_errors() {
    let dir = deck("bad", 3, 10, "thermo_format = \"csv\"");
    let out = ferromd(&dir, &[]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("thermo_file") && err.contains("deck.toml:"),
        "{err}"
    );
    let dir = deck("bad2", 3, 10, "every = 5");
    let out = ferromd(&dir, &[]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no `trajectory`"));
    let dir = deck(
        "bad3",
        3,
        10,
        "thermo_format = \"xml\"\nthermo_file = \"t\"",
    );
    let out = ferromd(&dir, &[]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown thermo format `xml`"));
}

#[test]
fn resuming_a_damaged_checkpoint_names_file_and_offset() {
    let dir = deck("damaged", 3, 10, "");
    std::fs::write(dir.join("x.ckpt"), b"FRMDCKPT\x01\0\0\0").unwrap();
    let out = ferromd(&dir, &["--resume", "x.ckpt"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("x.ckpt: byte offset 12") && err.contains("truncated"),
        "{err}"
    );
}

/// rdf, msd and vacf tables sampling every `every` steps (rdf every 10), with windows
/// long enough that every checkpoint falls inside them.
fn observables(every: u64) -> String {
    let rdf = 10 * every;
    format!(
        "[[observables]]\nkind = \"rdf\"\nfile = \"rdf.dat\"\nevery = {rdf}\nstart = {}\n\
         bins = 40\n\n[[observables]]\nkind = \"msd\"\nfile = \"msd.dat\"\nevery = {every}\n\
         window = {}\norigins = {}\ncom = true\n\n[[observables]]\nkind = \"vacf\"\n\
         file = \"vacf.dat\"\nevery = {every}\nwindow = {}\norigins = {}\n",
        2 * rdf,
        50 * every,
        5 * every,
        20 * every,
        4 * every
    )
}

/// A run of 2N steps, and N steps + checkpoint + N more from it (with the deck's step
/// count raised), write the same observable files byte for byte: sums, time origins and
/// reference positions are in the checkpoint. A checkpoint without them cannot continue
/// the averages.
#[test]
fn observable_files_continue_through_a_checkpoint_byte_for_byte() {
    let n = 200;
    let full = deck("obs-full", 3, 2 * n, &observables(3));
    ok(&ferromd(&full, &[]).output().unwrap());
    let dir = deck("obs-split", 3, n, &observables(3));
    ok(&ferromd(&dir, &["--checkpoint", "run.ckpt"])
        .output()
        .unwrap());
    let ck = Checkpoint::read(&dir.join("run.ckpt")).unwrap();
    assert_eq!(ck.observables.len(), 3);
    let halfway = std::fs::read(dir.join("msd.dat")).unwrap();
    let text = std::fs::read_to_string(dir.join("deck.toml")).unwrap();
    let longer = text.replace(&format!("steps = {n}"), &format!("steps = {}", 2 * n));
    std::fs::write(dir.join("deck.toml"), longer).unwrap();
    ok(&ferromd(&dir, &["--resume", "run.ckpt"]).output().unwrap());
    for file in ["rdf.dat", "msd.dat", "vacf.dat"] {
        let a = std::fs::read(full.join(file)).unwrap();
        let b = std::fs::read(dir.join(file)).unwrap();
        assert!(a == b, "{file} differs after the resumed run");
    }
    assert_ne!(halfway, std::fs::read(dir.join("msd.dat")).unwrap());

    // a checkpoint written without the observables cannot continue them
    let bare = deck("obs-bare", 3, n, "");
    ok(&ferromd(&bare, &["--checkpoint", "run.ckpt"])
        .output()
        .unwrap());
    std::fs::copy(bare.join("run.ckpt"), dir.join("bare.ckpt")).unwrap();
    let out = ferromd(&dir, &["--resume", "bare.ckpt"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bare.ckpt") && err.contains("no averages") && err.contains("rdf.dat"),
        "{err}"
    );
}

#[test]
fn sigint_checkpoints_and_the_resumed_run_matches_an_uninterrupted_one() {
    let output = format!(
        "trajectory = \"traj.extxyz\"\nevery = 500\nthermo_format = \"csv\"\n\
         thermo_file = \"thermo.csv\"\n{}",
        observables(20)
    );
    let output = output.as_str();
    let steps = 20000;
    let full = deck("sigint-full", 5, steps, output);
    let reference = ok(&ferromd(&full, &[]).output().unwrap());

    let dir = deck("sigint", 5, steps, output);
    let child = ferromd(&dir, &["--checkpoint", "run.ckpt"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = interrupt_when_written(child, &dir.join("thermo.csv"), 4);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(
        err.contains("resume with: ferromd run deck.toml --resume run.ckpt"),
        "{err}"
    );
    let ck = Checkpoint::read(&dir.join("run.ckpt")).unwrap();
    assert!(ck.step > 0 && ck.step < steps, "stopped at {}", ck.step);
    assert!(
        err.contains(&format!("interrupted after step {}", ck.step)),
        "{err}"
    );
    // the outputs were flushed: they hold every row up to the checkpoint
    let rows = std::fs::read_to_string(dir.join("thermo.csv")).unwrap();
    let last: u64 = rows
        .lines()
        .last()
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(last, ck.step / 50 * 50);
    // the observables' files were brought up to the checkpoint: the msd (sampled every
    // 20 steps, an origin every 100) counts every origin up to the stopping step at lag 0
    let msd = std::fs::read_to_string(dir.join("msd.dat")).unwrap();
    let lag0 = msd.lines().find(|l| !l.starts_with('#')).unwrap();
    assert!(lag0.starts_with("0 "), "{lag0}");
    let origins: u64 = lag0.split_whitespace().last().unwrap().parse().unwrap();
    assert_eq!(origins, ck.step / 100 + 1, "{lag0}");

    let resumed = ok(&ferromd(&dir, &["--resume", "run.ckpt"]).output().unwrap());
    assert!(resumed.contains(&format!("resuming from run.ckpt at step {}", ck.step)));
    assert_eq!(last_row(&resumed), last_row(&reference));
    for file in [
        "traj.extxyz",
        "thermo.csv",
        "rdf.dat",
        "msd.dat",
        "vacf.dat",
    ] {
        let a = std::fs::read(full.join(file)).unwrap();
        let b = std::fs::read(dir.join(file)).unwrap();
        assert!(a == b, "{file} differs after the resumed run");
    }
    let frames = read_extxyz(&dir.join("traj.extxyz")).unwrap();
    assert_eq!(frames.len() as u64, steps / 500 + 1);
}

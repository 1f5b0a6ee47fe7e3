//! Ctrl-C (SIGINT) on a LAMMPS-style script: the run finishes its step, flushes every
//! output, writes `SCRIPT.restart` atomically, says how to continue and exits 130; a
//! script continuing from that restart file ends with the same `fix ave/time` file, byte
//! for byte, as one that ran to the interrupted step, wrote a restart file and continued.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use ferromd::core::checkpoint::Checkpoint;

mod common;
use common::interrupt::interrupt_when_written;

const STEPS: u64 = 20000;

/// Atoms, potential and an msd time average (`file` or `append`), thermo every 50 steps.
fn definitions(file: &str) -> String {
    format!(
        "pair_style lj/cut 2.5\npair_coeff 1 1 1.0 1.0 2.5\nneighbor 0.3 bin\n\
         neigh_modify delay 0 every 20 check no\nfix 1 all nve\ncompute msd all msd\n\
         fix ave all ave/time 10 5 50 c_msd[4] {file} ave.dat\nthermo 50\n"
    )
}

const SETUP: &str = "units lj\nlattice fcc 0.8442\nregion box block 0 5 0 5 0 5\n\
                     create_box 1 box\ncreate_atoms 1 box\nmass 1 1.0\n\
                     velocity all create 3.0 87287 loop geom\n";

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ferromd-sigint-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `ferromd -in SCRIPT -log log.lammps --threads 1 --thermo-table thermo.csv` in `dir`.
fn ferromd(dir: &Path, script: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ferromd"));
    c.current_dir(dir).args([
        "-in",
        script,
        "-log",
        "log.lammps",
        "--threads",
        "1",
        "--thermo-table",
        "thermo.csv",
    ]);
    c
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "status {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn sigint_writes_a_restart_file_a_continuing_script_picks_up() {
    let dir = scratch("run");
    let script = format!(
        "{SETUP}{}run {STEPS}\nprint \"not reached\"\n",
        definitions("file")
    );
    std::fs::write(dir.join("in.long"), script).unwrap();
    let child = ferromd(&dir, "in.long")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = interrupt_when_written(child, &dir.join("thermo.csv"), 4);
    let err = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(130), "{err}\n{stdout}");
    let ck = Checkpoint::read(&dir.join("in.long.restart")).unwrap();
    let step = ck.step;
    assert!(step > 0 && step < STEPS, "stopped at {step}");
    assert!(!dir.join("in.long.restart.tmp").exists());
    for text in [&err, &stdout] {
        assert!(
            text.contains(&format!(
                "interrupted after step {step} of a run to step {STEPS}"
            )) && text.contains("restart file written to in.long.restart")
                && text.contains("read_restart in.long.restart")
                && text.contains(&format!("run {STEPS} upto"))
                && text.contains("(in.long:"),
            "{text}"
        );
    }
    assert!(!stdout.contains("not reached"), "{stdout}");
    // every output was flushed: the log and the thermo table up to the last thermo step,
    // the average up to the last window
    let log = std::fs::read_to_string(dir.join("log.lammps")).unwrap();
    assert!(log.contains("Interrupted: interrupted after step"), "{log}");
    let thermo = std::fs::read_to_string(dir.join("thermo.csv")).unwrap();
    let last_row = |text: &str, sep: char| -> u64 {
        let line = text.lines().last().unwrap();
        // the thermo table writes the step as a float (100.0)
        let first: f64 = line.split(sep).next().unwrap().trim().parse().unwrap();
        first as u64
    };
    assert_eq!(last_row(&thermo, ','), step / 50 * 50);
    let ave = std::fs::read_to_string(dir.join("ave.dat")).unwrap();
    assert_eq!(last_row(&ave, ' '), step / 50 * 50, "{ave}");

    // continue as the message says (to a nearer end, to keep the test quick), and
    // compare with a script that ran to the same step and wrote its restart file itself
    let end = STEPS.min(step + 2000);
    let continue_to = |dir: &Path, restart: &str| {
        let text = format!(
            "read_restart {restart}\n{}run {end} upto\n",
            definitions("append")
        );
        std::fs::write(dir.join("in.continue"), text).unwrap();
        ok(&ferromd(dir, "in.continue").output().unwrap());
    };
    continue_to(&dir, "in.long.restart");
    let reference = scratch("reference");
    let first = format!(
        "{SETUP}{}run {step}\nwrite_restart state.restart\n",
        definitions("file")
    );
    std::fs::write(reference.join("in.first"), first).unwrap();
    ok(&ferromd(&reference, "in.first").output().unwrap());
    continue_to(&reference, "state.restart");
    let a = std::fs::read(dir.join("ave.dat")).unwrap();
    let b = std::fs::read(reference.join("ave.dat")).unwrap();
    assert!(a == b, "ave.dat differs from the reference continuation");
    let ave = String::from_utf8(a).unwrap();
    assert_eq!(last_row(&ave, ' '), end / 50 * 50, "{ave}");
    std::fs::remove_dir_all(dir).ok();
    std::fs::remove_dir_all(reference).ok();
}

/// A signal between commands (here in a long `jump` loop of `print`s) stops the script
/// before its next command, with a restart file of the atoms as they are.
#[test]
fn sigint_between_commands_stops_before_the_next_one() {
    let dir = scratch("between");
    let script = format!(
        "{SETUP}variable i loop 2000000\nlabel again\nprint \"tick $i\" append ticks.txt\n\
         next i\njump SELF again\n"
    );
    std::fs::write(dir.join("in.loop"), script).unwrap();
    let child = ferromd(&dir, "in.loop")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = interrupt_when_written(child, &dir.join("ticks.txt"), 20);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(
        err.contains("interrupted at step 0 before this line")
            && err.contains("restart file written to in.loop.restart")
            && err.contains("(in.loop:"),
        "{err}"
    );
    let ck = Checkpoint::read(&dir.join("in.loop.restart")).unwrap();
    assert_eq!((ck.step, ck.system.len()), (0, 500));
    std::fs::remove_dir_all(dir).ok();
}

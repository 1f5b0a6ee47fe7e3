//! The `ferromd` binary: subcommands, exit codes, output shape.

use std::path::PathBuf;
use std::process::Command;

fn ferromd() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ferromd"))
}

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// A short version of the melt deck in a temporary directory.
fn short_deck(name: &str, steps: u64) -> PathBuf {
    let text = std::fs::read_to_string(repo("inputs/lj-melt.toml"))
        .unwrap()
        .replace("repeat = [10, 10, 10]", "repeat = [4, 4, 4]")
        .replace("steps = 250", &format!("steps = {steps}"))
        .replace("thermo = 50", "thermo = 10");
    let dir = std::env::temp_dir().join(format!("ferromd-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("deck.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn run_prints_lammps_shaped_thermo() {
    let deck = short_deck("run", 30);
    let out = ferromd()
        .args(["run"])
        .arg(&deck)
        .args(["--threads", "2"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    let header = lines
        .iter()
        .position(|l| l.starts_with("Step Temp E_pair E_mol TotEng Press"))
        .expect(&stdout);
    let rows: Vec<Vec<f64>> = lines[header + 1..]
        .iter()
        .take_while(|l| !l.starts_with("Loop time"))
        .map(|l| l.split_whitespace().map(|w| w.parse().unwrap()).collect())
        .collect();
    assert_eq!(
        rows.iter().map(|r| r[0] as u64).collect::<Vec<_>>(),
        [0, 10, 20, 30]
    );
    assert!(rows.iter().all(|r| r.len() == 6));
    assert!(
        (rows[0][1] - 3.0).abs() < 1e-12,
        "initial temperature {}",
        rows[0][1]
    );
    assert!(
        stdout.contains("Loop time of") && stdout.contains("atom-step/s"),
        "{stdout}"
    );
    // piped stderr: no progress bar
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn deck_shorthand_and_thread_count_give_identical_output() {
    let deck = short_deck("same", 20);
    let run = |threads: &str| {
        let out = ferromd()
            .arg(&deck)
            .args(["--threads", threads])
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let (one, two) = (run("1"), run("2"));
    assert_eq!(one.len(), 3);
    // summation order differs between thread counts; printed digits agree
    assert_eq!(one, two);
}

#[test]
fn check_deck_validates_without_running() {
    let out = ferromd()
        .arg("check-deck")
        .arg(repo("inputs/lj-bench.toml"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("32000 atoms"));
}

#[test]
fn bad_deck_exits_2_with_location() {
    let deck = short_deck("bad", 10);
    let text = std::fs::read_to_string(&deck)
        .unwrap()
        .replace("sigma = 1.0", "sigma = 1.0\nsigmma = 2.0");
    std::fs::write(&deck, text).unwrap();
    let out = ferromd().arg("check-deck").arg(&deck).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("deck.toml:") && err.contains("sigmma") && err.contains("hint:"),
        "{err}"
    );
    assert_eq!(
        err.lines().filter(|l| l.starts_with("error:")).count(),
        1,
        "{err}"
    );
}

#[test]
fn missing_deck_and_zero_threads_are_errors() {
    let out = ferromd()
        .arg("run")
        .arg("no/such/deck.toml")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/deck.toml"));
    let out = ferromd()
        .arg(repo("inputs/lj-melt.toml"))
        .args(["--threads", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = ferromd().arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("ferromd "));
}

/// `--thermo-table` (ferromd extension to the LAMMPS switches) writes every thermo line
/// of a script as a CSV row with the thermo_style keywords as header, holding the same
/// numbers as the LAMMPS-formatted log; a wrong extension is a command-line error.
#[test]
fn lammps_script_thermo_table_matches_the_log() {
    let dir = std::env::temp_dir().join(format!("ferromd-cli-{}-table", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("in.melt"),
        "units lj\nlattice fcc 0.8442\nregion box block 0 4 0 4 0 4\ncreate_box 1 box\n\
         create_atoms 1 box\nmass 1 1.0\nvelocity all create 3.0 87287 loop geom\n\
         pair_style lj/cut 2.5\npair_coeff 1 1 1.0 1.0 2.5\nfix 1 all nve\n\
         thermo_style custom step temp pe press\nthermo_modify format float %.15g\n\
         thermo 10\nrun 30\n",
    )
    .unwrap();
    let status = ferromd()
        .current_dir(&dir)
        .args([
            "-in",
            "in.melt",
            "-screen",
            "none",
            "--thermo-table",
            "t.csv",
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let table = std::fs::read_to_string(dir.join("t.csv")).unwrap();
    let mut rows = table.lines();
    assert_eq!(rows.next(), Some("step,temp,pe,press"));
    let rows: Vec<Vec<f64>> = rows
        .map(|r| r.split(',').map(|x| x.parse().unwrap()).collect())
        .collect();
    let log = std::fs::read_to_string(dir.join("log.lammps")).unwrap();
    let logged: Vec<Vec<f64>> = log
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("Step"))
        .skip(1)
        .take_while(|l| !l.starts_with("Loop time"))
        .map(|l| l.split_whitespace().map(|x| x.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 4, "{table}");
    assert_eq!(rows.len(), logged.len(), "{log}");
    for (r, l) in rows.iter().zip(&logged) {
        for (a, b) in r.iter().zip(l) {
            assert!((a - b).abs() <= 1e-13 * b.abs().max(1.0), "{r:?} vs {l:?}");
        }
    }
    let bad = ferromd()
        .current_dir(&dir)
        .args([
            "-in",
            "in.melt",
            "-screen",
            "none",
            "--thermo-table",
            "t.txt",
        ])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("t.txt") && stderr.contains(".csv"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

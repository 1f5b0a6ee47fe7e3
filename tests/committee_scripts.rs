//! `pair_style committee` in LAMMPS scripts and DeePMD-kit's `model_devi.out`, with two
//! Lennard-Jones members that differ only in epsilon, so every deviation is analytic:
//! member k's forces and virial are ε_k times those of ε = 1, hence each atom's force
//! deviation is |ε₁ − ε₂|/(ε₁ + ε₂) times the driving (mean) force on it, and each virial
//! component's deviation is |W¹ − W²|/2 per atom, from the members' own virials.
//! Also: the thermo keywords, `drive`, uncertain frames, runs continuing one another,
//! `minimize`, the deck keys `model_deviation_relative`/`_relative_v`/`_atomic`,
//! `read_restart`, deck output, and errors that name the line and the word.

use std::path::{Path, PathBuf};

use ferromd::core::io::extxyz::read_extxyz;
use ferromd::lammps::{ScriptOptions, run_script};

const EPS: (f64, f64) = (1.0, 1.25);

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "ferromd-committee-scripts-{}-{tag}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// 108 LJ atoms, rattled, with velocities: every force, velocity and virial component
/// is non-zero.
fn prelude() -> String {
    "units lj\n\
     lattice fcc 0.8442\n\
     region box block 0 3 0 3 0 3\n\
     create_box 1 box\n\
     create_atoms 1 box\n\
     mass 1 1.0\n\
     displace_atoms all random 0.05 0.05 0.05 48213\n\
     velocity all create 1.2 87287 loop geom\n\
     timestep 0.005\n\
     fix 1 all nve\n"
        .to_string()
}

/// The committee of the two LJ members, writing `model_devi.out` into `dir`.
fn committee(dir: &Path, keywords: &str) -> String {
    format!(
        "pair_style committee lj/cut 2.5 lj/cut 2.5 out_file {} {keywords}\n\
         pair_coeff * * lj/cut 1 {} 1.0\n\
         pair_coeff * * lj/cut 2 {} 1.0\n",
        dir.join("model_devi.out").display(),
        EPS.0,
        EPS.1
    )
}

/// Runs `text` as `in.script` in `dir`, returning the log.
fn run(dir: &Path, text: &str) -> Result<String, String> {
    let (input, log) = (dir.join("in.script"), dir.join("log.script"));
    std::fs::write(&input, text).unwrap();
    let options = ScriptOptions {
        log: Some(log.clone()),
        ..Default::default()
    };
    let result = run_script(&input, &options).map_err(|e| e.to_string());
    let log = std::fs::read_to_string(log).unwrap_or_default();
    result.map(|_| log)
}

/// The error of a script that must fail at `line`, checked to mention `needle`.
fn assert_error(tag: &str, text: &str, line: usize, needle: &str) {
    let dir = scratch(tag);
    let e = run(&dir, text).expect_err(tag);
    assert!(
        e.ends_with(&format!("in.script:{line})")),
        "{tag}: `{e}` does not name line {line}"
    );
    assert!(
        e.contains(needle),
        "{tag}: `{e}` does not mention `{needle}`"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// The thermo rows of a log (every line after a `Step` header up to `Loop time`).
fn thermo_rows(log: &str) -> Vec<Vec<f64>> {
    let mut rows = Vec::new();
    let mut inside = false;
    for l in log.lines() {
        if l.trim_start().starts_with("Step") {
            inside = true;
        } else if l.starts_with("Loop time") {
            inside = false;
        } else if inside && let Ok(v) = l.split_whitespace().map(str::parse).collect() {
            rows.push(v);
        }
    }
    rows
}

/// The data lines of a `model_devi.out`, checking the header.
fn model_devi(path: &Path) -> Vec<Vec<f64>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "#       step         max_devi_v         min_devi_v         avg_devi_v         \
         max_devi_f         min_devi_f         avg_devi_f"
    );
    assert_eq!(text.lines().filter(|l| l.starts_with('#')).count(), 1);
    lines
        .map(|l| l.split_whitespace().map(|w| w.parse().unwrap()).collect())
        .collect()
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * (a.abs().max(b.abs()) + 1e-12)
}

/// Reads a `dump custom` of `id fx fy fz` snapshots: step -> forces in id order.
fn dump_forces(path: &Path) -> Vec<(u64, Vec<[f64; 3]>)> {
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut k = 0;
    while k < lines.len() {
        assert_eq!(lines[k], "ITEM: TIMESTEP");
        let step = lines[k + 1].trim().parse().unwrap();
        let n: usize = lines[k + 3].trim().parse().unwrap();
        let body = &lines[k + 9..k + 9 + n];
        let forces = body
            .iter()
            .map(|l| {
                let w: Vec<f64> = l.split_whitespace().map(|x| x.parse().unwrap()).collect();
                [w[1], w[2], w[3]]
            })
            .collect();
        out.push((step, forces));
        k += 9 + n;
    }
    out
}

/// Every written step, each atom's deviation (`atomic`) is |ε₁ − ε₂|/(ε₁ + ε₂) times the
/// mean force that moves it, and the six columns are that vector's statistics; the
/// thermo keywords print the same numbers at the thermo steps.
#[test]
fn force_deviation_is_the_analytic_spread_every_out_freq_steps() {
    let dir = scratch("forces");
    let dump = dir.join("forces.dump");
    let text = format!(
        "{}{}\
         thermo_style custom step pe max_devi_f min_devi_f avg_devi_f max_devi_v avg_devi_v\n\
         thermo_modify format float %.17g\n\
         thermo 10\n\
         dump 1 all custom 5 {} id fx fy fz\n\
         dump_modify 1 sort id format line \"%d %.17g %.17g %.17g\"\n\
         run 20\n",
        prelude(),
        committee(&dir, "out_freq 5 atomic"),
        dump.display()
    );
    let log = run(&dir, &text).unwrap();
    let devi = model_devi(&dir.join("model_devi.out"));
    let steps: Vec<u64> = devi.iter().map(|r| r[0] as u64).collect();
    assert_eq!(steps, [0, 5, 10, 15, 20]);
    let ratio = (EPS.1 - EPS.0).abs() / (EPS.0 + EPS.1);
    let snapshots = dump_forces(&dump);
    assert_eq!(snapshots.len(), 5);
    for (row, (step, forces)) in devi.iter().zip(&snapshots) {
        assert_eq!(row[0] as u64, *step);
        assert_eq!(row.len(), 7 + 108, "atomic: one column per atom");
        let expected: Vec<f64> = forces
            .iter()
            .map(|f| ratio * (f[0] * f[0] + f[1] * f[1] + f[2] * f[2]).sqrt())
            .collect();
        for (i, e) in expected.iter().enumerate() {
            // %e keeps 7 significant digits
            assert!(close(row[7 + i], *e, 2e-6), "step {step} atom {}", i + 1);
        }
        let max = expected.iter().copied().fold(0.0, f64::max);
        let min = expected.iter().copied().fold(f64::MAX, f64::min);
        let avg = expected.iter().sum::<f64>() / 108.0;
        assert!(
            max > 0.1 && min < max,
            "a rattled crystal has varied forces"
        );
        assert!(close(row[4], max, 2e-6) && close(row[5], min, 2e-6) && close(row[6], avg, 2e-6));
    }
    // thermo at steps 0, 10, 20: the same numbers as the file's, at full precision
    let rows = thermo_rows(&log);
    assert_eq!(rows.len(), 3);
    for t in &rows {
        let d = devi.iter().find(|r| r[0] == t[0]).unwrap();
        for (col, file_col) in [(2, 4), (3, 5), (4, 6), (5, 1), (6, 3)] {
            assert!(
                close(t[col], d[file_col], 1e-6),
                "step {} column {col}",
                t[0]
            );
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// The virial columns from the members' own virials: each member alone (`run 0`, atoms
/// at rest so the pressure tensor is the virial over the volume) gives W^k; the file's
/// line of step 0 must hold the deviation of the nine components of W^k / N.
#[test]
fn virial_deviation_matches_the_members_virials() {
    let dir = scratch("virial");
    let at_rest = prelude().replace("velocity all create 1.2 87287 loop geom\n", "");
    let pressure = "thermo_style custom step pxx pyy pzz pxy pxz pyz vol\n\
                    thermo_modify format float %.17g\nrun 0\n";
    let mut virials = Vec::new();
    for eps in [EPS.0, EPS.1] {
        let log = run(
            &dir,
            &format!("{at_rest}pair_style lj/cut 2.5\npair_coeff * * {eps} 1.0\n{pressure}"),
        )
        .unwrap();
        let row = &thermo_rows(&log)[0];
        // LJ units: nktv2p = 1, so W = P V with no kinetic part
        virials.push([1, 2, 3, 4, 5, 6].map(|c| row[c] * row[7]));
    }
    run(
        &dir,
        &format!("{at_rest}{}run 0\n", committee(&dir, "out_freq 1")),
    )
    .unwrap();
    let devi = model_devi(&dir.join("model_devi.out"));
    assert_eq!(devi.len(), 1);
    let n = 108.0;
    // two members: the deviation of each component is half the difference
    let sigma: Vec<f64> = (0..6)
        .map(|c| 0.5 * (virials[0][c] - virials[1][c]).abs() / n)
        .collect();
    assert!(sigma.iter().all(|s| *s > 0.0), "{sigma:?}");
    let max = sigma.iter().copied().fold(0.0, f64::max);
    let min = sigma.iter().copied().fold(f64::MAX, f64::min);
    // nine components: the off-diagonal ones twice
    let rms = ((sigma[0].powi(2)
        + sigma[1].powi(2)
        + sigma[2].powi(2)
        + 2.0 * (sigma[3].powi(2) + sigma[4].powi(2) + sigma[5].powi(2)))
        / 9.0)
        .sqrt();
    let row = &devi[0];
    assert!(close(row[1], max, 2e-6), "{} vs {max}", row[1]);
    assert!(close(row[2], min, 2e-6), "{} vs {min}", row[2]);
    assert!(close(row[3], rms, 2e-6), "{} vs {rms}", row[3]);
    // relative_v L: each component over |W̄|/N + L
    run(
        &dir,
        &format!(
            "{at_rest}{}run 0\n",
            committee(&dir, "out_freq 1 relative_v 0.5 relative 0.25")
        ),
    )
    .unwrap();
    let rel = &model_devi(&dir.join("model_devi.out"))[0];
    let rel_sigma: Vec<f64> = (0..6)
        .map(|c| sigma[c] / (0.5 * (virials[0][c] + virials[1][c]).abs() / n + 0.5))
        .collect();
    let rel_max = rel_sigma.iter().copied().fold(0.0, f64::max);
    assert!(close(rel[1], rel_max, 2e-6), "{} vs {rel_max}", rel[1]);
    // at rest on a lattice with small displacements the forces are small: relative
    // deviation = ratio |F̄|/(|F̄| + 0.25) is below the absolute ratio
    let ratio = (EPS.1 - EPS.0).abs() / (EPS.0 + EPS.1);
    assert!(rel[4] < ratio && rel[4] > 0.0);
    std::fs::remove_dir_all(&dir).ok();
}

/// `drive 2`: the atoms move exactly as with member 2 alone, and the thermo energy is its.
#[test]
fn drive_member_follows_that_member() {
    let dir = scratch("drive");
    let tail = "thermo_style custom step pe ke press\nthermo_modify format float %.17g\n\
                thermo 10\nrun 30\n";
    let alone = run(
        &dir,
        &format!(
            "{}pair_style lj/cut 2.5\npair_coeff * * {} 1.0\n{tail}",
            prelude(),
            EPS.1
        ),
    )
    .unwrap();
    let driven = run(
        &dir,
        &format!("{}{}{tail}", prelude(), committee(&dir, "drive 2")),
    )
    .unwrap();
    let (a, d) = (thermo_rows(&alone), thermo_rows(&driven));
    assert_eq!(a.len(), 4);
    for (x, y) in a.iter().zip(&d) {
        for (u, v) in x.iter().zip(y) {
            assert!(close(*u, *v, 1e-12), "{x:?} vs {y:?}");
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// `frames FILE threshold X`: exactly the steps whose max_devi_f exceeds X, with both
/// members' forces; consecutive runs write their shared step once, in both files.
#[test]
fn frames_past_the_threshold_and_consecutive_runs() {
    let dir = scratch("frames");
    let frames = dir.join("uncertain.extxyz");
    let text = format!(
        "{}{}\
         thermo_style custom step max_devi_f\n\
         thermo_modify format float %.17g\n\
         thermo 1\n\
         run 12\n\
         run 12\n",
        prelude(),
        committee(
            &dir,
            &format!("out_freq 4 frames {} threshold 7.5", frames.display())
        ),
    );
    let log = run(&dir, &text).unwrap();
    let mut rows = thermo_rows(&log);
    // the second run's first row repeats step 12
    rows.dedup_by(|a, b| a[0] == b[0]);
    assert_eq!(rows.len(), 25);
    let expected: Vec<u64> = rows
        .iter()
        .filter(|r| r[1] > 7.5)
        .map(|r| r[0] as u64)
        .collect();
    assert!(
        !expected.is_empty() && expected.len() < rows.len(),
        "the threshold must split the run: {expected:?}"
    );
    let got = read_extxyz(&frames).unwrap();
    let steps: Vec<u64> = got
        .iter()
        .map(|f| f.info("step").unwrap().parse().unwrap())
        .collect();
    assert_eq!(steps, expected);
    for f in &got {
        assert_eq!(f.info("committee_size"), Some("2"));
        assert!(f.arrays.iter().any(|a| a.name == "forces_2"));
    }
    let devi: Vec<u64> = model_devi(&dir.join("model_devi.out"))
        .iter()
        .map(|r| r[0] as u64)
        .collect();
    assert_eq!(devi, [0, 4, 8, 12, 16, 20, 24]);
    std::fs::remove_dir_all(&dir).ok();
}

/// After `read_restart`, `pair_style committee` continues its files: what they held
/// before the restart step stays, the rest is written again, so the files equal those of
/// the uninterrupted run.
#[test]
fn read_restart_continues_the_files() {
    let dir = scratch("restart");
    let restart = dir.join("state.restart");
    let frames = dir.join("frames.extxyz");
    let keywords = format!("out_freq 5 frames {} threshold 7.5", frames.display());
    let first = format!(
        "{}{}run 10\nwrite_restart {}\nrun 10\n",
        prelude(),
        committee(&dir, &keywords),
        restart.display()
    );
    run(&dir, &first).unwrap();
    let whole = std::fs::read_to_string(dir.join("model_devi.out")).unwrap();
    let whole_frames = read_extxyz(&frames).unwrap();
    let second = format!(
        "read_restart {}\nfix 1 all nve\n{}run 10\n",
        restart.display(),
        committee(&dir, &keywords)
    );
    run(&dir, &second).unwrap();
    let again = std::fs::read_to_string(dir.join("model_devi.out")).unwrap();
    let steps = |t: &str| -> Vec<u64> {
        t.lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| l.split_whitespace().next().unwrap().parse().unwrap())
            .collect()
    };
    assert_eq!(steps(&whole), [0, 5, 10, 15, 20]);
    assert_eq!(steps(&again), [0, 5, 10, 15, 20]);
    let (a, b) = (
        model_devi(&dir.join("model_devi.out")),
        whole
            .lines()
            .skip(1)
            .map(|l| l.split_whitespace().map(|w| w.parse().unwrap()).collect())
            .collect::<Vec<Vec<f64>>>(),
    );
    for (x, y) in a.iter().zip(&b) {
        for (u, v) in x.iter().zip(y) {
            assert!(close(*u, *v, 1e-6), "{x:?} vs {y:?}");
        }
    }
    let frame_steps = |f: &[ferromd::core::io::extxyz::ExtXyzFrame]| -> Vec<String> {
        f.iter()
            .map(|f| f.info("step").unwrap().to_string())
            .collect()
    };
    let again_frames = read_extxyz(&frames).unwrap();
    assert!(!whole_frames.is_empty());
    assert_eq!(frame_steps(&again_frames), frame_steps(&whole_frames));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_committee_lines_name_the_line_and_word() {
    let p = prelude();
    let dir = scratch("errors");
    let file = dir.join("model_devi.out");
    let out = file.display();
    assert_error(
        "one-member",
        &format!("{p}pair_style committee lj/cut 2.5 out_file {out}\n"),
        11,
        "at least two members",
    );
    assert_error(
        "bad-out-freq",
        &format!("{p}pair_style committee lj/cut 2.5 lj/cut 2.5 out_freq often\n"),
        11,
        "`often`",
    );
    assert_error(
        "bad-drive",
        &format!("{p}pair_style committee lj/cut 2.5 lj/cut 2.5 out_file {out} drive 3\n"),
        11,
        "drive `3`",
    );
    assert_error(
        "frames-no-threshold",
        &format!("{p}pair_style committee lj/cut 2.5 morse 2.5 out_file {out} frames f.xyz\n"),
        11,
        "threshold",
    );
    assert_error(
        "no-instance",
        &format!(
            "{p}pair_style committee lj/cut 2.5 lj/cut 2.5 out_file {out}\n\
             pair_coeff * * lj/cut 1.0 1.0\n"
        ),
        12,
        "give the instance (1 to 2) after lj/cut, found `1.0`",
    );
    assert_error(
        "not-a-member",
        &format!(
            "{p}pair_style committee lj/cut 2.5 lj/cut 2.5 out_file {out}\n\
             pair_coeff * * morse 1 1 1\n"
        ),
        12,
        "`morse` is not a member",
    );
    assert_error(
        "member-unset",
        &format!(
            "{p}pair_style committee lj/cut 2.5 lj/cut 2.5 out_file {out}\n\
             pair_coeff * * lj/cut 1 1.0 1.0\nrun 1\n"
        ),
        13,
        "member 2 (lj/cut) of pair_style committee has no pair_coeff line",
    );
    assert_error(
        "member-coeff",
        &format!(
            "{p}pair_style committee lj/cut 2.5 lj/cut 2.5 out_file {out}\n\
             pair_coeff * * lj/cut 1 1.0 1.0\npair_coeff * * lj/cut 2 1.0 soft\nrun 0\n"
        ),
        14,
        "member 2 (lj/cut): expected a floating-point number for pair coefficient but found `soft`",
    );
    assert_error(
        "keyword-without-committee",
        &format!(
            "{p}pair_style lj/cut 2.5\npair_coeff * * 1 1\nthermo_style custom step max_devi_f\nrun 1\n"
        ),
        14,
        "thermo keyword max_devi_f needs pair_style committee",
    );
    assert_error(
        "hybrid-member-without-end",
        &format!("{p}pair_style committee lj/cut 2.5 hybrid/overlay lj/cut 2.5\n"),
        11,
        "member hybrid/overlay needs `end`",
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Decks: `[output] model_deviation` writes the same file, whose max_devi_f equals the
/// thermo file's force_dev_max at every written step; it needs a committee.
#[test]
fn decks_write_model_devi_out() {
    use ferromd::driver::{DriverOptions, run_deck};
    let dir = scratch("deck");
    let deck = include_str!("../inputs/lj-committee.toml")
        .replace(
            "uncertain_frames = \"lj-committee-uncertain.extxyz\"",
            &format!(
                "uncertain_frames = \"{}\"\nthermo_file = \"{}\"\nthermo_format = \"csv\"\n\
                 model_deviation = \"{}\"\nmodel_deviation_every = 5",
                dir.join("uncertain.extxyz").display(),
                dir.join("thermo.csv").display(),
                dir.join("model_devi.out").display()
            ),
        )
        .replace("steps = 200\nthermo = 20", "steps = 20\nthermo = 1");
    let path = dir.join("deck.toml");
    std::fs::write(&path, &deck).unwrap();
    run_deck(&path, &mut Vec::new(), DriverOptions::default()).unwrap();
    let devi = model_devi(&dir.join("model_devi.out"));
    let steps: Vec<u64> = devi.iter().map(|r| r[0] as u64).collect();
    assert_eq!(steps, [0, 5, 10, 15, 20]);
    let csv = std::fs::read_to_string(dir.join("thermo.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let c_max = header.iter().position(|h| *h == "force_dev_max").unwrap();
    let c_mean = header.iter().position(|h| *h == "force_dev_mean").unwrap();
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|w| w.parse().unwrap()).collect())
        .collect();
    for d in &devi {
        let r = rows.iter().find(|r| r[0] == d[0]).unwrap();
        assert!(close(d[4], r[c_max], 1e-6) && close(d[6], r[c_mean], 1e-6));
        assert!(d[1] > 0.0 && d[3] > 0.0 && d[1] >= d[2]);
    }
    // a deck without a committee cannot ask for the file
    let plain = "units = \"lj\"\n[[species]]\nname = \"A\"\nmass = 1.0\n[lattice]\nkind = \"fcc\"\n\
                 density = 0.8442\nrepeat = [2, 2, 2]\nspecies = \"A\"\n[potential]\n\
                 style = \"lj/cut\"\ncutoff = 2.5\n[[potential.coeff]]\nspecies = [\"A\", \"A\"]\n\
                 epsilon = 1.0\nsigma = 1.0\n[integrator]\nstyle = \"nve\"\ntimestep = 0.005\n\
                 [run]\nsteps = 1\n[output]\nmodel_deviation = \"m.out\"\n";
    let bad = dir.join("plain.toml");
    std::fs::write(&bad, plain).unwrap();
    let e = run_deck(&bad, &mut Vec::new(), DriverOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("`model_deviation` needs a committee potential"),
        "{e}"
    );
    assert!(e.contains(":23"), "names the line: {e}");
    std::fs::remove_dir_all(&dir).ok();
}

/// `inputs/lj-committee.toml` (members ε = 1.0 and 1.1) writing `model_devi.out` into
/// `dir` every 5 of 10 steps, with the extra `[output]` lines `extra`.
fn committee_deck(dir: &Path, extra: &str) -> PathBuf {
    let deck = include_str!("../inputs/lj-committee.toml")
        .replace(
            "uncertain_frames = \"lj-committee-uncertain.extxyz\"\n\
             uncertainty_threshold = 0.4",
            &format!(
                "model_deviation = \"{}\"\nmodel_deviation_every = 5\n{extra}",
                dir.join("model_devi.out").display()
            ),
        )
        .replace("steps = 200\nthermo = 20", "steps = 10\nthermo = 5");
    let path = dir.join("deck.toml");
    std::fs::write(&path, &deck).unwrap();
    path
}

/// Decks: `model_deviation_atomic`, `model_deviation_relative` and
/// `model_deviation_relative_v` mean the script keywords `atomic`, `relative` and
/// `relative_v`. Members differ only in ε, so |F̄_i| = σ_i (ε₁ + ε₂)/|ε₁ − ε₂| and
/// |W̄_ab|/N likewise: the relative run's numbers are functions of the absolute run's
/// (the dynamics is the same), σ ↦ σ / (σ (ε₁ + ε₂)/|ε₁ − ε₂| + L).
#[test]
fn deck_relative_and_atomic_keys_mean_the_script_keywords() {
    use ferromd::driver::{DriverOptions, run_deck};
    let dir = scratch("deck-keys");
    let read = |extra: &str| {
        let path = committee_deck(&dir, extra);
        run_deck(&path, &mut Vec::new(), DriverOptions::default()).unwrap();
        model_devi(&dir.join("model_devi.out"))
    };
    let absolute = read("model_deviation_atomic = true");
    let relative = read(
        "model_deviation_atomic = true\nmodel_deviation_relative = 0.25\n\
         model_deviation_relative_v = 0.5",
    );
    let plain = read("model_deviation_atomic = false");
    let inverse_ratio = (1.0 + 1.1) / (1.1_f64 - 1.0);
    let scaled = |sigma: f64, level: f64| sigma / (sigma * inverse_ratio + level);
    assert_eq!(absolute.len(), 3);
    for ((a, r), p) in absolute.iter().zip(&relative).zip(&plain) {
        assert_eq!((a[0], r[0], p[0]), (a[0], a[0], a[0]), "the same steps");
        assert_eq!((a.len(), r.len(), p.len()), (7 + 108, 7 + 108, 7));
        let atoms = &a[7..];
        let max = atoms.iter().copied().fold(0.0, f64::max);
        let mean = atoms.iter().sum::<f64>() / 108.0;
        assert!(close(a[4], max, 2e-6) && close(a[6], mean, 2e-6));
        assert_eq!(&a[..7], &p[..7], "atomic adds columns only");
        for (x, y) in atoms.iter().zip(&r[7..]) {
            assert!(close(*y, scaled(*x, 0.25), 1e-5), "{y} vs {x}");
        }
        let rel_mean = r[7..].iter().sum::<f64>() / 108.0;
        assert!(close(r[4], scaled(a[4], 0.25), 1e-5) && close(r[6], rel_mean, 2e-6));
        assert!(close(r[1], scaled(a[1], 0.5), 1e-5), "{} vs {}", r[1], a[1]);
        assert!(close(r[2], scaled(a[2], 0.5), 1e-5), "{} vs {}", r[2], a[2]);
    }
    // errors name the key's line
    let fails = |deck: String, needle: &str, line: usize| {
        let path = dir.join("bad.toml");
        std::fs::write(&path, deck).unwrap();
        let e = run_deck(&path, &mut Vec::new(), DriverOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains(needle), "`{e}` does not mention `{needle}`");
        assert!(
            e.contains(&format!(":{line}")),
            "`{e}` does not name line {line}"
        );
    };
    let path = committee_deck(&dir, "model_deviation_relative_v = -1.0");
    let text = std::fs::read_to_string(&path).unwrap();
    let line = text.lines().count();
    fails(
        text.clone(),
        "`model_deviation_relative_v` -1 must be zero or positive",
        line,
    );
    let without_file: String = text
        .lines()
        .filter(|l| !l.starts_with("model_deviation ") && !l.starts_with("model_deviation_every"))
        .map(|l| format!("{}\n", l.replace("-1.0", "0.5")))
        .collect();
    fails(
        without_file,
        "`model_deviation_relative_v` is given but no `model_deviation` file",
        line - 2,
    );
    fails(
        text.replace(
            "model_deviation_relative_v = -1.0",
            "model_deviation_atomic = \"yes\"",
        ),
        "model_deviation_atomic",
        line,
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// `minimize`: its thermo steps (the first and the last) get a `model_devi.out` line
/// whatever `out_freq`'s multiples, and a frame past the threshold; the last line is the
/// deviation at the relaxed positions (a new committee's `run 0` there gives the same).
#[test]
fn minimize_writes_its_thermo_steps() {
    let dir = scratch("minimize");
    let frames = dir.join("frames.extxyz");
    let again = dir.join("again.out");
    let text = format!(
        "{}{}\
         thermo_style custom step pe max_devi_f avg_devi_f\n\
         thermo_modify format float %.17g\n\
         minimize 0 1e-4 50 500\n\
         pair_style committee lj/cut 2.5 lj/cut 2.5 out_file {} out_freq 1 atomic\n\
         pair_coeff * * lj/cut 1 {} 1.0\n\
         pair_coeff * * lj/cut 2 {} 1.0\n\
         run 0\n",
        prelude(),
        committee(
            &dir,
            &format!(
                "out_freq 1000 atomic frames {} threshold 0",
                frames.display()
            )
        ),
        again.display(),
        EPS.0,
        EPS.1
    );
    let log = run(&dir, &text).unwrap();
    let rows = thermo_rows(&log);
    assert_eq!(rows.len(), 3, "minimize: first and last; run 0: one");
    let last = rows[1][0] as u64;
    assert!(last > 0, "the minimizer iterated");
    let devi = model_devi(&dir.join("model_devi.out"));
    let steps: Vec<u64> = devi.iter().map(|r| r[0] as u64).collect();
    assert_eq!(steps, [0, last]);
    for (row, d) in rows[..2].iter().zip(&devi) {
        assert!(close(row[2], d[4], 1e-6) && close(row[3], d[6], 1e-6));
    }
    assert!(
        devi[1][4] < devi[0][4],
        "relaxing lowers the forces and their spread"
    );
    let relaxed = model_devi(&again);
    assert_eq!(relaxed.len(), 1);
    // the same numbers up to rounding (a fresh neighbor list sums in another order)
    assert_eq!(relaxed[0].len(), devi[1].len());
    for (c, (a, b)) in relaxed[0].iter().zip(&devi[1]).enumerate() {
        assert!(
            (a - b).abs() <= 2e-6 * a.abs().max(b.abs()) + 1e-13,
            "column {c}: the last line is the relaxed structure's, {b} vs {a}"
        );
    }
    let frames = read_extxyz(&frames).unwrap();
    let frame_steps: Vec<u64> = frames
        .iter()
        .map(|f| f.info("step").unwrap().parse().unwrap())
        .collect();
    assert_eq!(frame_steps, [0, last]);
    std::fs::remove_dir_all(&dir).ok();
}

//! Committees in decks (`style = "committee"`): a classical committee of two Lennard-Jones
//! members differing in epsilon runs MD with the mean forces, reports the force deviation
//! as thermo columns, and writes exactly the frames whose largest deviation crosses the
//! threshold, with every member's energy and forces; bad committee tables are errors that
//! name the line and key.

use std::path::{Path, PathBuf};

use ferromd::core::io::extxyz::read_extxyz;
use ferromd::deck::Deck;
use ferromd::driver::{DriverOptions, run_deck};

const DECK: &str = include_str!("../inputs/lj-committee.toml");

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ferromd-committee-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The example deck writing into `dir`, with thermo every step into a CSV file.
fn deck_in(dir: &Path) -> String {
    DECK.replace(
        "uncertain_frames = \"lj-committee-uncertain.extxyz\"",
        &format!(
            "uncertain_frames = \"{}\"\nthermo_file = \"{}\"\nthermo_format = \"csv\"",
            dir.join("uncertain.extxyz").display(),
            dir.join("thermo.csv").display()
        ),
    )
    .replace("steps = 200\nthermo = 20", "steps = 60\nthermo = 1")
}

#[test]
fn lj_committee_records_the_frames_past_the_threshold() {
    let dir = scratch("lj");
    let deck = dir.join("deck.toml");
    std::fs::write(&deck, deck_in(&dir)).unwrap();
    let mut screen = Vec::new();
    run_deck(&deck, &mut screen, DriverOptions::default()).unwrap();
    let screen = String::from_utf8(screen).unwrap();
    assert!(screen.contains("ForceDevMax ForceDevMean"), "{screen}");

    // thermo every step: the deviation columns decide which steps must be in the file
    let csv = std::fs::read_to_string(dir.join("thermo.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (c_step, c_max, c_mean, c_pe) = (
        col("step"),
        col("force_dev_max"),
        col("force_dev_mean"),
        col("pe"),
    );
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|w| w.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 61);
    let threshold = 0.4;
    let expected: Vec<u64> = rows
        .iter()
        .filter(|r| r[c_max] > threshold)
        .map(|r| r[c_step] as u64)
        .collect();
    assert!(
        !expected.is_empty() && expected.len() < rows.len(),
        "the threshold must split the run: {expected:?}"
    );

    let frames = read_extxyz(&dir.join("uncertain.extxyz")).unwrap();
    let steps: Vec<u64> = frames
        .iter()
        .map(|f| f.info("step").unwrap().parse().unwrap())
        .collect();
    assert_eq!(steps, expected);
    let (e1, e2) = (1.0, 1.1);
    for f in &frames {
        let step: u64 = f.info("step").unwrap().parse().unwrap();
        let row = rows.iter().find(|r| r[c_step] as u64 == step).unwrap();
        let info = |k: &str| -> f64 { f.info(k).unwrap().parse().unwrap() };
        assert_eq!(f.info("committee_size"), Some("2"));
        assert_eq!(info("force_dev_max"), row[c_max]);
        assert_eq!(info("force_dev_mean"), row[c_mean]);
        // energies: each member's, and their mean as the frame's energy (= thermo pe)
        let (u1, u2) = (info("energy_1"), info("energy_2"));
        assert!((u2 / u1 - e2 / e1).abs() < 1e-12, "{u1} {u2}");
        let energy = f.energy.unwrap();
        assert!((energy - 0.5 * (u1 + u2)).abs() < 1e-12 * energy.abs());
        assert!((energy - row[c_pe]).abs() < 1e-9 * energy.abs());
        let array = |name: &str| &f.arrays.iter().find(|a| a.name == name).unwrap().values;
        let (f1, f2, dev) = (array("forces_1"), array("forces_2"), array("force_dev"));
        let mean = f.forces.as_ref().unwrap();
        let n = f.positions.len();
        assert_eq!((f1.len(), f2.len(), dev.len()), (3 * n, 3 * n, n));
        for i in 0..n {
            let g1 = [f1[3 * i], f1[3 * i + 1], f1[3 * i + 2]];
            let g2 = [f2[3 * i], f2[3 * i + 1], f2[3 * i + 2]];
            let norm1 = g1.iter().map(|x| x * x).sum::<f64>().sqrt();
            // LJ forces scale with epsilon: member 2 = 1.1 member 1, σ_i = 0.05 |F_i^1|
            for c in 0..3 {
                assert!((g2[c] - e2 / e1 * g1[c]).abs() < 1e-10 * (1.0 + norm1));
                assert!((mean[i][c] - 0.5 * (g1[c] + g2[c])).abs() < 1e-12 * (1.0 + norm1));
            }
            let analytic = 0.5 * (e2 - e1) / e1 * norm1;
            assert!(
                (dev[i] - analytic).abs() < 1e-10 * (1.0 + analytic),
                "atom {i}: {} vs {analytic}",
                dev[i]
            );
        }
        let max = dev.iter().copied().fold(0.0, f64::max);
        assert_eq!(max, info("force_dev_max"));
        assert!(max > threshold);
    }
}

#[test]
fn member_drive_moves_atoms_with_that_members_forces() {
    // member 2 alone is LJ with epsilon 1.1: the committee driven by it gives the same
    // trajectory energy as that member on its own
    let driven = DECK.replace("# drive_member = 1 ", "drive_member = 2 ");
    let deck = Deck::parse(&driven, Path::new("driven.toml")).unwrap();
    let (mut sim, _) = deck.into_simulation().unwrap();
    let potential = DECK.find("[potential]").unwrap();
    let integrator = DECK.find("[integrator]").unwrap();
    let output = DECK.find("[output]").unwrap();
    let alone = format!(
        "{}[potential]\nstyle = \"lj/cut\"\ncutoff = 2.5\n[[potential.coeff]]\n\
         species = [\"A\", \"A\"]\nepsilon = 1.1\nsigma = 1.0\n\n{}",
        &DECK[..potential],
        &DECK[integrator..output]
    );
    let deck = Deck::parse(&alone, Path::new("alone.toml")).unwrap();
    let (mut single, _) = deck.into_simulation().unwrap();
    let mut silent = ferromd::core::simulation::Silent;
    sim.run(20, 20, &mut silent).unwrap();
    single.run(20, 20, &mut silent).unwrap();
    for (a, b) in sim.system.positions.iter().zip(&single.system.positions) {
        assert!((a - b).norm() < 1e-12, "{a} vs {b}");
    }
}

/// The message of the error `deck` gives.
fn error_of(deck: &str) -> String {
    Deck::parse(deck, Path::new("bad.toml"))
        .unwrap_err()
        .to_string()
}

#[test]
fn bad_committees_are_reported_with_line_and_key() {
    let second = DECK.rfind("[[potential.committee]]").unwrap();
    let one_member = format!(
        "{}{}",
        &DECK[..second],
        &DECK[DECK.find("[integrator]").unwrap()..]
    );
    let e = error_of(&one_member);
    assert!(e.contains("at least two members, it has 1"), "{e}");
    let e = error_of(&DECK.replace("# drive_member = 1 ", "drive_member = 3 "));
    assert!(
        e.contains("member 3 does not exist") && e.contains("potential.drive_member"),
        "{e}"
    );
    assert!(e.contains("bad.toml:"), "{e}");
    let e = error_of(&DECK.replace(
        "style = \"committee\"\n",
        "style = \"committee\"\ncutoff = 2.5\n",
    ));
    assert!(
        e.contains("`cutoff` is given to the committee itself"),
        "{e}"
    );
    let e = error_of(&DECK.replacen(
        "[[potential.committee]]\nstyle = \"lj/cut\"",
        "[[potential.committee]]\nstyle = \"committee\"",
        1,
    ));
    assert!(e.contains("cannot itself be a committee"), "{e}");
    let e = error_of(&DECK.replace(
        "uncertainty_threshold = 0.4",
        "uncertainty_threshold = -1.0",
    ));
    assert!(e.contains("must be zero or positive"), "{e}");
    let e = error_of(&DECK.replace("uncertainty_threshold = 0.4", ""));
    assert!(e.contains("no `uncertainty_threshold`"), "{e}");
    // uncertain frames need a committee
    let lj = include_str!("../inputs/lj-melt.toml").to_string()
        + "\n[output]\nuncertain_frames = \"u.extxyz\"\nuncertainty_threshold = 0.1\n";
    let e = error_of(&lj);
    assert!(e.contains("needs a committee potential"), "{e}");
    // a committee key on another style
    let e = error_of(
        &include_str!("../inputs/lj-melt.toml").replace("shift = false", "drive_member = 1"),
    );
    assert!(
        e.contains("`drive_member` has no meaning for style `lj/cut`"),
        "{e}"
    );
}

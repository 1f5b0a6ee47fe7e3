//! `[[observables]]` in decks: files written during a run that obey physical identities
//! (pair symmetry of g(r), the ballistic limit and the Green-Kubo relation between MSD
//! and VACF), and errors for bad tables naming the file, line and key.

use std::path::{Path, PathBuf};

use ferromd::deck::Deck;
use ferromd::driver::{DriverOptions, run_deck};

const DECK: &str = include_str!("../inputs/lj-observables.toml");

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ferromd-obs-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The numeric rows of a data file (comment lines skipped).
fn rows(path: &Path) -> Vec<Vec<f64>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split_whitespace().map(|w| w.parse().unwrap()).collect())
        .collect()
}

/// The example deck, shortened, writing into `dir`, with a B-A rdf pair added.
fn short_deck(dir: &Path) -> String {
    let mut d = DECK
        .replace("steps = 5000", "steps = 1000")
        .replace("start = 1000", "start = 200")
        .replace("every = 50", "every = 20")
        .replace("bins = 120", "bins = 70")
        .replace(
            "pairs = [[\"A\", \"A\"], [\"A\", \"B\"], [\"B\", \"B\"]]",
            "pairs = [[\"A\", \"A\"], [\"A\", \"B\"], [\"B\", \"A\"]]",
        )
        .replace(
            "every = 10\nwindow = 2000\norigins = 100",
            "every = 2\nwindow = 100\norigins = 10",
        )
        .replace("window = 400\norigins = 20", "window = 100\norigins = 10");
    for f in ["rdf.dat", "msd.dat", "vacf.dat"] {
        d = d.replace(
            &format!("file = \"{f}\""),
            &format!("file = \"{}\"", dir.join(f).display()),
        );
    }
    d
}

#[test]
fn liquid_rdf_msd_and_vacf_obey_physical_identities() {
    let dir = scratch("liquid");
    let deck = dir.join("deck.toml");
    std::fs::write(&deck, short_deck(&dir)).unwrap();
    let mut out = Vec::new();
    run_deck(&deck, &mut out, DriverOptions::default()).unwrap();

    let rdf = rows(&dir.join("rdf.dat"));
    assert_eq!(rdf.len(), 70);
    let header = std::fs::read_to_string(dir.join("rdf.dat")).unwrap();
    assert!(header.contains("41 samples"), "{}", &header[..80]);
    let (n_a, n_b) = (375.0, 125.0);
    for r in &rdf {
        // g_AB = g_BA and n_A N_AB = n_B N_BA for every shell
        assert!((r[3] - r[5]).abs() < 1e-9 * (1.0 + r[3]), "{r:?}");
        assert!(
            (n_a * r[4] - n_b * r[6]).abs() < 1e-9 * (1.0 + n_a * r[4]),
            "{r:?}"
        );
        if r[0] < 0.8 {
            assert!(r[1] == 0.0 && r[3] == 0.0, "overlap at r = {}", r[0]);
        }
        if r[0] > 3.0 {
            assert!((r[1] - 1.0).abs() < 0.15, "g_AA({}) = {}", r[0], r[1]);
        }
    }
    let peak = rdf.iter().map(|r| r[1]).fold(0.0, f64::max);
    assert!(peak > 2.0 && peak < 4.0, "first peak {peak}");
    // around an A atom: about 12-13 neighbours within the first minimum (~1.55 sigma)
    let first_shell: f64 = rdf
        .iter()
        .find(|r| r[0] > 1.55)
        .map(|r| r[2] + r[4])
        .unwrap();
    assert!((11.0..15.0).contains(&first_shell), "{first_shell}");

    let msd = rows(&dir.join("msd.dat"));
    let vacf = rows(&dir.join("vacf.dat"));
    assert_eq!(msd.len(), 51);
    assert_eq!(vacf.len(), 51);
    assert_eq!(msd[0][5], 0.0);
    // <v^2> = 3 T for unit masses: T dips below 1.5 while the crystal melts
    assert!((3.0..5.0).contains(&vacf[0][5]), "{}", vacf[0][5]);
    // ballistic start: MSD(t) ~ <v^2> t^2 at t = 0.01
    let t = msd[1][1];
    assert!((msd[1][5] / (vacf[0][5] * t * t) - 1.0).abs() < 0.02);
    // Green-Kubo: MSD(T) = 2 int_0^T (T - s) C(s) ds
    for lag in [10.0, 50.0, 100.0] {
        let big_t = lag * 0.005;
        let pts: Vec<(f64, f64)> = vacf
            .iter()
            .filter(|r| r[1] <= big_t + 1e-12)
            .map(|r| (r[1], r[5]))
            .collect();
        let integral: f64 = pts
            .windows(2)
            .map(|w| {
                0.5 * ((big_t - w[0].0) * w[0].1 + (big_t - w[1].0) * w[1].1) * (w[1].0 - w[0].0)
            })
            .sum::<f64>()
            * 2.0;
        let m = msd.iter().find(|r| r[0] == lag).unwrap()[5];
        assert!(
            (m / integral - 1.0).abs() < 0.04,
            "lag {lag}: {m} vs {integral}"
        );
    }
    std::fs::remove_dir_all(dir).ok();
}

fn error_for(from: &str, to: &str) -> String {
    assert!(DECK.contains(from), "deck lacks `{from}`");
    let text = DECK.replacen(from, to, 1);
    let e = Deck::parse(&text, Path::new("obs.toml")).expect_err(to);
    // the error points at the last line of the replacement
    let needle = to.trim_end().lines().last().unwrap();
    let at = DECK.find(from).unwrap() + to.trim_end().rfind(needle).unwrap();
    let line = text[..at].matches('\n').count() + 1;
    let msg = e.to_string();
    assert!(msg.starts_with(&format!("obs.toml:{line}:")), "{msg}");
    msg
}

#[test]
fn bad_observable_tables_name_line_and_key() {
    assert!(error_for("kind = \"rdf\"", "kind = \"rfd\"").contains("unknown observable `rfd`"));
    assert!(error_for("bins = 120", "bins = 0").contains("`bins` must be positive"));
    let m = error_for("[\"B\", \"B\"]]", "[\"B\", \"C\"]]");
    assert!(m.contains("unknown species `C`"), "{m}");
    let m = error_for("window = 2000", "window = 2005");
    assert!(m.contains("multiple of every"), "{m}");
    let m = error_for("com = true", "com = true\nbins = 4");
    assert!(m.contains("`bins` does not apply to kind = \"msd\""), "{m}");
    let m = error_for("file = \"vacf.dat\"", "file = \"msd.dat\"");
    assert!(m.contains("two observables write to `msd.dat`"), "{m}");
    let m = error_for("every = 2\n", "every = 0\n");
    assert!(m.contains("`every` must be positive"), "{m}");
}

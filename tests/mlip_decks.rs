//! TorchScript models in TOML decks (`style = "e3gnn"`) and LAMMPS scripts (`pair_style e3gnn`).
//!
//! Without the `torch` feature both must fail with an error saying how to build with it;
//! with it, SevenNet-0 (from `scripts/setup-mlip.sh`) loads, runs, and bad elements or units
//! are reported clearly.

use std::path::{Path, PathBuf};

use ferromd::deck::Deck;

fn scratch_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ferromd-mlip-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The model path for decks: `$FERROMD_SEVENNET0`, by default `target/mlip/sevennet0.pt`.
fn model_path() -> PathBuf {
    std::env::var_os("FERROMD_SEVENNET0")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/mlip/sevennet0.pt"))
}

fn deck_text(units: &str, species: &str, extra: &str) -> String {
    format!(
        r#"units = "{units}"

[[species]]
name = "{species}"
mass = 28.0855

[lattice]
kind = "diamond"
constant = 5.43
repeat = [2, 2, 2]
species = "{species}"

[velocity]
temperature = 300.0
seed = 1

[potential]
style = "e3gnn"
model = "{model}"
{extra}

[integrator]
style = "nve"
timestep = 0.001

[run]
steps = 2
thermo = 1
"#,
        model = model_path().display()
    )
}

fn script_text(model: &Path) -> String {
    format!(
        "units metal\natom_style atomic\nlattice diamond 5.43\nregion box block 0 2 0 2 0 2\n\
         create_box 1 box\ncreate_atoms 1 box\nmass 1 28.0855\npair_style e3gnn\n\
         pair_coeff * * {} Si\nvelocity all create 300.0 4928459\nfix 1 all nve\nthermo 2\n\
         run 4\n",
        model.display()
    )
}

/// Runs a script in-process (not through the binary, which builds with other feature sets
/// may replace); returns the log text, or the error message.
fn run_script(tag: &str, text: &str) -> Result<String, String> {
    let dir = scratch_dir(tag);
    let input = dir.join("in.e3gnn");
    let log = dir.join("log.e3gnn");
    std::fs::write(&input, text).unwrap();
    let options = ferromd::lammps::ScriptOptions {
        log: Some(log.clone()),
        ..Default::default()
    };
    ferromd::lammps::run_script(&input, &options).map_err(|e| e.to_string())?;
    Ok(std::fs::read_to_string(log).unwrap())
}

#[cfg(not(feature = "torch"))]
#[test]
fn without_torch_feature_models_ask_for_it() {
    let path = Path::new("si.toml");
    let err = Deck::parse(&deck_text("metal", "Si", ""), path).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("--features torch") && text.contains("setup-mlip.sh"),
        "{text}"
    );
    let err = run_script("nofeature", &script_text(&model_path())).unwrap_err();
    assert!(err.contains("--features torch"), "{err}");
}

#[cfg(feature = "torch")]
mod with_torch {
    use super::*;
    use ferromd::core::neighbor::NeighborSettings;
    use ferromd::core::{IntegrationParameters, Simulation, UnitSystem};
    use ferromd::integrators::VelocityVerlet;
    use ferromd::potentials::mlip::{E3gnn, MlipOptions};

    #[test]
    fn deck_loads_sevennet_and_reports_bad_input() {
        let deck = Deck::parse(&deck_text("metal", "Si", ""), Path::new("si.toml")).unwrap();
        assert_eq!(deck.potential.name(), "e3gnn");
        assert_eq!(deck.potential.cutoff(), 5.0);
        // a species that is no element of the model: the error lists what the model covers
        let err = Deck::parse(&deck_text("metal", "Qq", ""), Path::new("q.toml")).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("`Qq` is not covered") && text.contains(" Si "),
            "{text}"
        );
        // ... unless `elements` maps it
        let deck = Deck::parse(
            &deck_text("metal", "A", "elements = [\"Si\"]"),
            Path::new("a.toml"),
        )
        .unwrap();
        assert_eq!(deck.potential.name(), "e3gnn");
        let err = Deck::parse(&deck_text("lj", "Si", ""), Path::new("lj.toml")).unwrap_err();
        assert!(err.to_string().contains("metal units"), "{err}");
        let err = Deck::parse(
            &deck_text("metal", "Si", "").replace("sevennet0.pt", "missing.pt"),
            Path::new("m.toml"),
        )
        .unwrap_err();
        assert!(err.to_string().contains("not found"), "{err}");
    }

    /// `pair_style e3gnn` + `pair_coeff * * MODEL Si` runs, and its step-0 energy is the
    /// model's energy of the lattice.
    #[test]
    fn lammps_script_runs_e3gnn() {
        let stdout = run_script("script", &script_text(&model_path())).unwrap();
        let mut lines = stdout
            .lines()
            .skip_while(|l| !l.trim_start().starts_with("Step"));
        let header: Vec<&str> = lines
            .next()
            .expect("thermo header")
            .split_whitespace()
            .collect();
        let row: Vec<f64> = lines
            .next()
            .unwrap()
            .split_whitespace()
            .map(|w| w.parse().unwrap())
            .collect();
        let pe = row[header
            .iter()
            .position(|&h| h == "PotEng" || h == "E_pair")
            .unwrap()];

        let system = ferromd::core::lattice::Lattice::cubic(
            ferromd::core::lattice::CubicKind::Diamond,
            5.43,
        )
        .build([2; 3], vec![ferromd::core::Species::new("Si", 28.0855)])
        .unwrap();
        let pot = E3gnn::load(model_path(), &["Si"], &MlipOptions::default()).unwrap();
        let mut sim = Simulation::new(
            system,
            UnitSystem::Metal,
            IntegrationParameters {
                dt: 0.001,
                neighbor: NeighborSettings::with_skin(2.0),
            },
            Box::new(pot),
            Box::new(VelocityVerlet::new()),
        )
        .unwrap();
        let e = sim.evaluate().unwrap().energy;
        assert!(
            (pe - e).abs() < 1e-6 * e.abs(),
            "script PotEng {pe} vs model {e}"
        );
        // an element the model does not cover is reported at pair_coeff
        let err = run_script(
            "badel",
            &script_text(&model_path()).replace(" Si\n", " Qq\n"),
        )
        .unwrap_err();
        assert!(
            err.contains("`Qq` is not covered") && err.contains(":9"),
            "{err}"
        );
    }

    /// The deck `text` with its `[potential]` section replaced by `potential`.
    fn with_potential(text: &str, potential: &str) -> String {
        let start = text.find("[potential]").unwrap();
        let end = text.find("[integrator]").unwrap();
        format!("{}{potential}\n\n{}", &text[..start], &text[end..])
    }

    /// Energy, virial and forces of a deck's potential on the deck's own system, each atom
    /// displaced by the same deterministic amount (up to 0.1 Å) so that forces do not vanish.
    fn deck_evaluation(text: &str, tag: &str) -> (f64, [f64; 6], Vec<[f64; 3]>) {
        let mut deck = Deck::parse(text, Path::new(tag)).unwrap_or_else(|e| panic!("{tag}: {e}"));
        for (i, x) in deck.system.positions.iter_mut().enumerate() {
            let t = i as f64;
            x.x += 0.1 * (1.3 * t).sin();
            x.y += 0.1 * (2.1 * t + 0.4).sin();
            x.z += 0.1 * (0.7 * t + 1.1).cos();
        }
        let mut sim = Simulation::new(
            deck.system,
            UnitSystem::Metal,
            IntegrationParameters {
                dt: 0.001,
                neighbor: NeighborSettings::with_skin(1.0),
            },
            deck.potential,
            Box::new(VelocityVerlet::new()),
        )
        .unwrap();
        let e = sim.evaluate().unwrap();
        let forces = sim.system.forces.iter().map(|f| [f.x, f.y, f.z]).collect();
        (e.energy, e.virial, forces)
    }

    /// `hybrid/overlay` in a deck (the MLIP + ZBL form users put on top of a foundation
    /// model): on a rattled crystal compressed until the ZBL core acts (nearest neighbours 1.99 Å,
    /// ZBL out to 2.2 Å), SevenNet-0 + ZBL gives the energy, virial and forces of the two
    /// decks with one potential each, summed. SevenNet-0 computes in float32 and the
    /// overlay hands it the same edges in another order, so the sums agree to float32
    /// round-off (measured: 8e-9 relative in the virial), not bit for bit.
    #[test]
    fn deck_overlays_sevennet_and_zbl() {
        let base = deck_text("metal", "Si", "").replace("constant = 5.43", "constant = 4.6");
        let model = format!(
            "style = \"e3gnn\"\nmodel = \"{}\"\n",
            model_path().display()
        );
        let zbl = "style = \"zbl\"\ninner = 1.5\nouter = 2.2\n\
                   [[potential.coeff]]\nspecies = [\"Si\", \"Si\"]\nz = [14.0, 14.0]\n";
        let overlay = format!(
            "[potential]\nstyle = \"hybrid/overlay\"\n[[potential.overlay]]\n{model}\
             [[potential.overlay]]\n{}",
            zbl.replace("potential.coeff", "potential.overlay.coeff")
        );
        let (e_sum, w_sum, f_sum) =
            deck_evaluation(&with_potential(&base, &overlay), "overlay.toml");
        let (e_mlip, w_mlip, f_mlip) = deck_evaluation(
            &with_potential(&base, &format!("[potential]\n{model}")),
            "mlip.toml",
        );
        let (e_zbl, w_zbl, f_zbl) = deck_evaluation(
            &with_potential(&base, &format!("[potential]\n{zbl}")),
            "zbl.toml",
        );
        assert!(e_zbl > 1.0, "the ZBL core must act here: {e_zbl} eV");
        assert!(
            (e_sum - (e_mlip + e_zbl)).abs() < 1e-6 * e_sum.abs(),
            "overlay {e_sum} vs {e_mlip} + {e_zbl}"
        );
        let w_scale = w_sum.iter().fold(0.0f64, |m, &x| m.max(x.abs()));
        for k in 0..6 {
            let expected = w_mlip[k] + w_zbl[k];
            assert!(
                (w_sum[k] - expected).abs() < 1e-6 * w_scale,
                "virial[{k}] {} vs {expected}",
                w_sum[k]
            );
        }
        let scale = f_sum
            .iter()
            .flatten()
            .fold(0.0f64, |m, &x| m.max(x.abs()))
            .max(1e-3);
        for (i, ((s, m), z)) in f_sum.iter().zip(&f_mlip).zip(&f_zbl).enumerate() {
            for k in 0..3 {
                assert!(
                    (s[k] - (m[k] + z[k])).abs() < 1e-5 * scale,
                    "atom {i} force[{k}]: {} vs {} + {}",
                    s[k],
                    m[k],
                    z[k]
                );
            }
        }
    }
}

//! The thermostat styles of `[integrator]` in TOML decks: `inputs/lj-nvt.toml` and each
//! style build, and misplaced or missing keys are reported with the key and a hint.

use std::path::Path;

use ferromd::deck::{Deck, DeckError};

const NVT: &str = include_str!("../inputs/lj-nvt.toml");

/// The example deck with its `[integrator]` table replaced by `table`.
fn with_integrator(table: &str) -> Result<Deck, DeckError> {
    let start = NVT.find("[integrator]").expect("[integrator]");
    let end = NVT.find("[run]").expect("[run]");
    let text = format!("{}{table}\n\n{}", &NVT[..start], &NVT[end..]);
    Deck::parse(&text, Path::new("deck.toml"))
}

#[test]
fn the_nvt_example_deck_is_valid() {
    let d = Deck::parse(NVT, Path::new("lj-nvt.toml")).unwrap();
    assert_eq!(d.system.len(), 4000);
    assert_eq!(d.integrator.name(), "nvt");
    assert_eq!(d.params.dt, 0.005);
}

#[test]
fn every_thermostat_style_builds() {
    let cases = [
        (
            "style = \"langevin\"\ntemperature = 1.5\ndamping = 0.1\nseed = 7\nzero_momentum = true",
            "langevin",
        ),
        (
            "style = \"nvt\"\ntemperature = 1.5\ndamping = 0.5\nchain = 5\nloops = 2\nsuzuki_yoshida = 3",
            "nvt",
        ),
        (
            "style = \"csvr\"\ntemperature = 1.5\ndamping = 0.1\nseed = 7",
            "csvr",
        ),
        (
            "style = \"berendsen\"\ntemperature = 1.5\ndamping = 0.1",
            "berendsen",
        ),
        ("style = \"nve\"", "nve"),
    ];
    for (table, name) in cases {
        let d = with_integrator(&format!("[integrator]\n{table}"))
            .unwrap_or_else(|e| panic!("{table}: {e}"));
        assert_eq!(d.integrator.name(), name);
    }
}

fn error(table: &str) -> DeckError {
    match with_integrator(&format!("[integrator]\n{table}")) {
        Ok(_) => panic!("accepted: {table}"),
        Err(e) => e,
    }
}

#[test]
fn missing_and_misplaced_keys_are_errors() {
    let e = error("style = \"langevin\"\ntemperature = 1.5\ndamping = 0.1");
    assert_eq!(e.key.as_deref(), Some("integrator.seed"), "{e}");
    assert!(e.hint.is_some());
    let e = error("style = \"csvr\"\ndamping = 0.1\nseed = 1");
    assert_eq!(e.key.as_deref(), Some("integrator.temperature"), "{e}");
    let e = error("style = \"nvt\"\ntemperature = 1.5");
    assert_eq!(e.key.as_deref(), Some("integrator.damping"), "{e}");
    let e = error("style = \"berendsen\"\ntemperature = 1.5\ndamping = 0.1\nseed = 3");
    assert_eq!(e.key.as_deref(), Some("integrator.seed"), "{e}");
    let e = error("style = \"nve\"\ntemperature = 1.5");
    assert_eq!(e.key.as_deref(), Some("integrator.temperature"), "{e}");
    let e = error("style = \"csvr\"\ntemperature = 1.5\ndamping = 0.1\nseed = 1\nchain = 4");
    assert_eq!(e.key.as_deref(), Some("integrator.chain"), "{e}");
}

#[test]
fn bad_values_are_errors() {
    let e = error("style = \"nvt\"\ntemperature = 1.5\ndamping = -0.5");
    assert_eq!(e.key.as_deref(), Some("integrator.damping"), "{e}");
    assert!(e.location.is_some());
    let e = error("style = \"nvt\"\ntemperature = 0.0\ndamping = 0.5");
    assert_eq!(e.key.as_deref(), Some("integrator.temperature"), "{e}");
    let e = error("style = \"nvt\"\ntemperature = 1.5\ndamping = 0.5\nsuzuki_yoshida = 4");
    assert!(e.to_string().contains("Suzuki-Yoshida"), "{e}");
    let e = error("style = \"nvt\"\ntemperature = 1.5\ndamping = 0.5\nchain = 0");
    assert!(e.to_string().contains("chain"), "{e}");
    let e = error("style = \"nosehoover\"");
    assert_eq!(e.key.as_deref(), Some("integrator.style"), "{e}");
}

/// `barostat = "c-rescale"` wraps a thermostat style in stochastic cell rescaling; it
/// needs `pressure`, `pressure_damping` and `seed`, takes `modulus` and the couplings
/// iso, aniso and the semi-isotropic xy, xz, yz (not tri), and no other barostat name.
#[test]
fn c_rescale_barostat_wraps_thermostats() {
    for style in ["csvr", "nvt", "langevin", "berendsen"] {
        let table = format!(
            "[integrator]\nstyle = \"{style}\"\ntemperature = 1.5\ndamping = 0.25\nseed = 7\n\
             barostat = \"c-rescale\"\npressure = 1.0\npressure_damping = 0.5\nmodulus = 2.5"
        );
        let d = with_integrator(&table).unwrap_or_else(|e| panic!("{table}: {e}"));
        assert_eq!(d.integrator.name(), "press/crescale");
    }
    let base =
        "style = \"csvr\"\ntemperature = 1.5\ndamping = 0.25\nseed = 7\nbarostat = \"c-rescale\"";
    let e = error(&format!("{base}\npressure_damping = 0.5"));
    assert_eq!(e.key.as_deref(), Some("integrator.pressure"), "{e}");
    let e = error(&format!("{base}\npressure = 1.0"));
    assert_eq!(e.key.as_deref(), Some("integrator.pressure_damping"), "{e}");
    let e = error(&format!(
        "{base}\npressure = 1.0\npressure_damping = 0.5\nmodulus = -1"
    ));
    assert_eq!(e.key.as_deref(), Some("integrator.modulus"), "{e}");
    for coupling in ["iso", "aniso", "xy", "xz", "yz"] {
        let table = format!(
            "[integrator]\n{base}\npressure = 1.0\npressure_damping = 0.5\ncoupling = \"{coupling}\""
        );
        let d = with_integrator(&table).unwrap_or_else(|e| panic!("{table}: {e}"));
        assert_eq!(d.integrator.name(), "press/crescale");
    }
    let e = error(&format!(
        "{base}\npressure = 1.0\npressure_damping = 0.5\ncoupling = \"tri\""
    ));
    assert_eq!(e.key.as_deref(), Some("integrator.coupling"), "{e}");
    let e =
        error("style = \"csvr\"\ntemperature = 1.5\ndamping = 0.25\nseed = 7\nbarostat = \"mc\"");
    assert_eq!(e.key.as_deref(), Some("integrator.barostat"), "{e}");
    let e = error("style = \"nve\"\nbarostat = \"c-rescale\"");
    assert_eq!(e.key.as_deref(), Some("integrator.barostat"), "{e}");
    let e = error("style = \"csvr\"\ntemperature = 1.5\ndamping = 0.25\nseed = 7\nmodulus = 2.0");
    assert_eq!(e.key.as_deref(), Some("integrator.modulus"), "{e}");
}

/// `temperature_stop` and `pressure_stop` ramp the targets over each run (LAMMPS
/// `Tstop`, `Pstop`): accepted by the styles that have such a target, refused elsewhere
/// or when not finite (a temperature also when negative), naming the key.
#[test]
fn ramp_keys_are_read_by_the_styles_with_targets() {
    let thermostat = "temperature = 1.5\ndamping = 0.25\nseed = 7\ntemperature_stop = 1.0";
    for style in ["csvr", "nvt", "langevin", "berendsen"] {
        let seedless = thermostat.replace("seed = 7\n", "");
        let keys = if matches!(style, "csvr" | "langevin") {
            thermostat
        } else {
            &seedless
        };
        let table = format!("[integrator]\nstyle = \"{style}\"\n{keys}");
        with_integrator(&table).unwrap_or_else(|e| panic!("{table}: {e}"));
    }
    for table in [
        format!(
            "style = \"csvr\"\n{thermostat}\nbarostat = \"c-rescale\"\npressure = 1.0\n\
             pressure_damping = 0.5\npressure_stop = 2.0"
        ),
        "style = \"npt\"\ntemperature = 1.5\ndamping = 0.25\ntemperature_stop = 2.0\n\
         pressure = 1.0\npressure_damping = 2.5\npressure_stop = 0.5"
            .to_string(),
        "style = \"nph\"\npressure = 1.0\npressure_damping = 2.5\npressure_stop = 0.5".to_string(),
    ] {
        with_integrator(&format!("[integrator]\n{table}"))
            .unwrap_or_else(|e| panic!("{table}: {e}"));
    }
    let e = error("style = \"nve\"\ntemperature_stop = 1.0");
    assert_eq!(e.key.as_deref(), Some("integrator.temperature_stop"), "{e}");
    let e = error(&format!(
        "style = \"csvr\"\n{thermostat}\npressure_stop = 1.0"
    ));
    assert_eq!(e.key.as_deref(), Some("integrator.pressure_stop"), "{e}");
    let e = error(
        "style = \"csvr\"\ntemperature = 1.5\ndamping = 0.25\nseed = 7\ntemperature_stop = -1.0",
    );
    assert_eq!(e.key.as_deref(), Some("integrator.temperature_stop"), "{e}");
    let e = error("style = \"nph\"\npressure = 1.0\npressure_damping = 2.5\npressure_stop = nan");
    assert_eq!(e.key.as_deref(), Some("integrator.pressure_stop"), "{e}");
}

//! Every way a deck can be wrong gives one clear error naming file, line, column and key.

use std::path::Path;

use ferromd::deck::{Deck, DeckError};

const GOOD: &str = include_str!("../inputs/lj-melt.toml");

fn parse(text: &str) -> Result<Deck, DeckError> {
    Deck::parse(text, Path::new("deck.toml"))
}

/// Replaces the first occurrence of `from` in the good deck and returns the error.
fn error_after(from: &str, to: &str) -> DeckError {
    assert!(GOOD.contains(from), "test deck lacks `{from}`");
    match parse(&GOOD.replacen(from, to, 1)) {
        Ok(_) => panic!("deck with `{to}` was accepted"),
        Err(e) => e,
    }
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .expect("needle")
        + 1
}

#[test]
fn the_example_deck_is_valid() {
    let d = parse(GOOD).unwrap();
    assert_eq!(d.system.len(), 4000);
    assert_eq!(d.steps, 250);
}

#[test]
fn unknown_key_names_line_and_key() {
    let e = error_after("temperature = 3.0", "tempreature = 3.0");
    let msg = e.to_string();
    assert_eq!(
        e.location.map(|l| l.0),
        Some(line_of(GOOD, "temperature = 3.0")),
        "{msg}"
    );
    assert!(msg.starts_with("deck.toml:"), "{msg}");
    assert!(msg.contains("tempreature"), "{msg}");
    assert!(e.hint.is_some(), "{msg}");
}

#[test]
fn wrong_type_names_the_key() {
    let e = error_after("cutoff = 2.5", "cutoff = \"far\"");
    assert_eq!(e.key.as_deref(), Some("cutoff"), "{e}");
    assert_eq!(e.location.map(|l| l.0), Some(line_of(GOOD, "cutoff = 2.5")));
}

#[test]
fn unknown_species_points_at_the_reference() {
    let e = error_after("species = [\"A\", \"A\"]", "species = [\"A\", \"B\"]");
    let msg = e.to_string();
    assert!(msg.contains("unknown species `B`"), "{msg}");
    assert_eq!(
        e.location.map(|l| l.0),
        Some(line_of(GOOD, "species = [\"A\", \"A\"]"))
    );
    assert!(msg.contains("hint"), "{msg}");
}

#[test]
fn bad_values_are_rejected_with_their_key() {
    let cases = [
        ("units = \"lj\"", "units = \"cgs\"", "units"),
        ("kind = \"fcc\"", "kind = \"fcx\"", "lattice.kind"),
        ("density = 0.8442", "density = -1.0", "lattice.density"),
        (
            "repeat = [10, 10, 10]",
            "repeat = [10, 0, 10]",
            "lattice.repeat",
        ),
        ("mass = 1.0", "mass = 0.0", "species.mass"),
        ("timestep = 0.005", "timestep = 0.0", "integrator.timestep"),
        ("style = \"nve\"", "style = \"nvx\"", "integrator.style"),
        (
            "style = \"lj/cut\"",
            "style = \"lj/cutt\"",
            "potential.style",
        ),
        ("skin = 0.3", "skin = -0.3", "neighbor.skin"),
        ("every = 20", "every = 0", "neighbor.every"),
        (
            "temperature = 3.0",
            "temperature = -3.0",
            "velocity.temperature",
        ),
    ];
    for (from, to, key) in cases {
        let e = error_after(from, to);
        let (line, col) = e
            .location
            .unwrap_or_else(|| panic!("no location for {to}: {e}"));
        assert_eq!(line, line_of(GOOD, from), "{to}: {e}");
        assert!(col >= 1);
        let k = e.key.clone().unwrap_or_default();
        assert!(
            k == key || key.ends_with(&k),
            "{to}: key {k:?}, wanted {key}: {e}"
        );
    }
}

#[test]
fn missing_sections_and_syntax_errors() {
    let e = error_after("[run]\nsteps = 250\nthermo = 50\n", "");
    assert!(e.to_string().contains("run"), "{e}");
    let e = error_after("[lattice]", "[lattice");
    assert!(e.location.is_some(), "{e}");
    let e = parse("units = \"lj\"\n").unwrap_err();
    assert!(e.to_string().contains("missing"), "{e}");
}

#[test]
fn structure_file_errors_name_that_file() {
    let dir = std::env::temp_dir().join(format!("ferromd-deck-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let deck_text = GOOD.replace(
        "[lattice]\nkind = \"fcc\"                 # sc | bcc | fcc | diamond | custom\ndensity = 0.8442             # reduced number density (or: constant = 1.6796)\nrepeat = [10, 10, 10]        # unit cells along a, b, c -> 4,000 atoms\nspecies = \"A\"\n",
        "[structure]\nfile = \"two.xyz\"\n",
    );
    assert!(deck_text.contains("two.xyz"));
    let deck = dir.join("deck.toml");
    std::fs::write(&deck, &deck_text).unwrap();

    let e = Deck::load(&deck).unwrap_err();
    assert!(e.to_string().contains("cannot read structure file"), "{e}");

    std::fs::write(
        dir.join("two.xyz"),
        "2\nLattice=\"6 0 0 0 6 0 0 0 6\"\nA 0 0 0\nA 1.1 zero 0\n",
    )
    .unwrap();
    let e = Deck::load(&deck).unwrap_err();
    assert!(
        e.file.ends_with("two.xyz") && e.location == Some((4, 1)),
        "{e}"
    );

    std::fs::write(
        dir.join("two.xyz"),
        "2\nLattice=\"6 0 0 0 6 0 0 0 6\"\nA 0 0 0\nB 1.1 0 0\n",
    )
    .unwrap();
    let e = Deck::load(&deck).unwrap_err();
    assert!(
        e.to_string().contains("`B`") && e.location == Some((4, 1)),
        "{e}"
    );

    std::fs::write(
        dir.join("two.xyz"),
        "2\nLattice=\"6 0 0 0 6 0 0 0 6\"\nA 0 0 0\nA 1.1 0 0\n",
    )
    .unwrap();
    let d = Deck::load(&deck).unwrap();
    assert_eq!(d.system.len(), 2);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn overlapping_atoms_stop_the_run_naming_them() {
    let dir = std::env::temp_dir().join(format!("ferromd-overlap-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let deck_text = GOOD.replace(
        "[lattice]\nkind = \"fcc\"                 # sc | bcc | fcc | diamond | custom\ndensity = 0.8442             # reduced number density (or: constant = 1.6796)\nrepeat = [10, 10, 10]        # unit cells along a, b, c -> 4,000 atoms\nspecies = \"A\"\n",
        "[structure]\nfile = \"pair.xyz\"\n",
    );
    let deck = dir.join("deck.toml");
    std::fs::write(&deck, &deck_text).unwrap();
    std::fs::write(
        dir.join("pair.xyz"),
        "3\nLattice=\"8 0 0 0 8 0 0 0 8\"\nA 1 1 1\nA 1 1 1\nA 4 4 4\n",
    )
    .unwrap();
    let err = Deck::load(&deck).unwrap().into_simulation().unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("step 0") && msg.contains('1') && msg.contains('2'),
        "{msg}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn absurd_lattice_is_refused_not_allocated() {
    let e = error_after("repeat = [10, 10, 10]", "repeat = [100000, 100000, 100000]");
    assert!(e.to_string().contains("at most"), "{e}");
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Corrupting any byte range of a valid deck yields a deck or an error, never a panic.
        #[test]
        fn corrupted_decks_never_panic(start in 0usize..GOOD.len(), len in 0usize..12, junk in "[ -~\n]{0,6}") {
            let end = (start + len).min(GOOD.len());
            // leave the repeat line alone: a valid but enormous lattice is legal, just slow
            let repeat = GOOD.find("repeat =").unwrap();
            let repeat_end = repeat + GOOD[repeat..].find('\n').unwrap();
            let touches_repeat = start <= repeat_end && end + 6 >= repeat;
            if !touches_repeat && GOOD.is_char_boundary(start) && GOOD.is_char_boundary(end) {
                let text = format!("{}{}{}", &GOOD[..start], junk, &GOOD[end..]);
                if let Err(e) = parse(&text) {
                    prop_assert!(e.to_string().starts_with("deck.toml"));
                }
            }
        }
    }
}

#[test]
fn barostat_decks_validate_their_keys() {
    let npt = include_str!("../inputs/lj-npt.toml");
    let d = Deck::parse(npt, Path::new("npt.toml")).unwrap();
    assert_eq!(d.integrator.name(), "npt");
    let bad = |from: &str, to: &str| {
        Deck::parse(&npt.replacen(from, to, 1), Path::new("npt.toml")).unwrap_err()
    };
    let e = bad("pressure = 1.0\n", "");
    assert!(e.to_string().contains("needs `pressure`"), "{e}");
    let e = bad("coupling = \"iso\"", "coupling = \"shear\"");
    assert!(e.to_string().contains("unknown coupling `shear`"), "{e}");
    let tri = Deck::parse(
        &npt.replacen("coupling = \"iso\"", "coupling = \"tri\"", 1),
        Path::new("npt.toml"),
    )
    .unwrap();
    assert_eq!(tri.integrator.name(), "npt");
    let e = bad("pressure_damping = 5.0", "pressure_damping = -5.0");
    assert!(e.to_string().contains("must be positive"), "{e}");
    let e = bad("style = \"npt\"", "style = \"nvt\"");
    assert!(
        e.to_string()
            .contains("`pressure` has no meaning for style `nvt`"),
        "{e}"
    );
}

/// EAM/Tersoff/SW files hold metal-unit numbers that ferromd does not convert: a deck
/// in other units is refused at the style, with the fix as hint, never run in wrong units.
#[test]
fn file_potentials_outside_metal_units_are_refused() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for deck in [
        "si-tersoff-bench.toml",
        "si-sw-bench.toml",
        "cu-eam-bench.toml",
    ] {
        let path = root.join("inputs").join(deck);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("units = \"metal\""), "{deck}");
        let real = text.replacen("units = \"metal\"", "units = \"real\"", 1);
        let e = match Deck::parse(&real, &path) {
            Ok(_) => panic!("{deck} in real units was accepted"),
            Err(e) => e,
        };
        let msg = e.to_string();
        assert!(msg.contains("metal units"), "{deck}: {msg}");
        assert_eq!(e.key.as_deref(), Some("potential.style"), "{deck}: {msg}");
        assert_eq!(
            e.location.map(|l| l.0),
            Some(line_of(&text, "style = ")),
            "{deck}: {msg}"
        );
    }
}

#[test]
fn model_only_keys_are_refused_for_classical_styles() {
    for key in [
        "head = \"PBE\"",
        "modal = \"PBE\"",
        "charge = -1",
        "spin_multiplicity = 2",
    ] {
        let e = error_after("cutoff = 2.5", &format!("cutoff = 2.5\n{key}"));
        let msg = e.to_string();
        assert_eq!(
            e.location.map(|l| l.0),
            Some(line_of(GOOD, "cutoff = 2.5") + 1),
            "{msg}"
        );
        assert!(msg.contains("has no meaning for style `lj/cut`"), "{msg}");
        assert!(e.hint.is_some(), "{msg}");
    }
}

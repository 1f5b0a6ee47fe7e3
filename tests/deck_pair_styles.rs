//! The coefficient pair styles in TOML decks (`[potential]` with named keys per species
//! pair, and `hybrid/overlay`): each deck gives the energy, forces and virial of the same
//! potential built directly from the library, and misplaced or missing keys are errors
//! naming the key.

use std::path::{Path, PathBuf};

use ferromd::deck::{Deck, DeckError};
use ferromd_core::evaluation::evaluate_forces;
use ferromd_core::neighbor::{NeighborSettings, Neighbors};
use ferromd_core::potential::{ForceOutput, ForceRequest, Potential};
use ferromd_core::system::System;
use ferromd_potentials::{
    Born, Buckingham, Morse, PairPotential, Shifted, TablePotential, TableSection, TableStyle,
    Tabulated, Yukawa,
};

/// A binary fcc crystal (species A on corners, B on face centres), compressed a little
/// and without velocities, with the `[potential]` table `potential`.
fn deck(potential: &str) -> Result<Deck, DeckError> {
    let text = format!(
        r#"units = "lj"
[[species]]
name = "A"
mass = 1.0
[[species]]
name = "B"
mass = 2.0
[lattice]
kind = "custom"
constant = 1.6
repeat = [4, 4, 4]
vectors = [[1.0, 0.0, 0.0], [0.1, 1.0, 0.0], [0.0, 0.2, 1.0]]
basis = [
  {{ position = [0.0, 0.0, 0.0], species = "A" }},
  {{ position = [0.5, 0.52, 0.0], species = "B" }},
  {{ position = [0.5, 0.0, 0.47], species = "B" }},
  {{ position = [0.03, 0.5, 0.5], species = "A" }},
]
{potential}
[integrator]
style = "nve"
[run]
steps = 0
"#
    );
    Deck::parse(&text, &reference_dir().join("deck.toml"))
}

fn reference_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/table")
}

/// Energy, forces and virial of `potential` on `system`.
fn evaluate(system: &System, potential: &dyn Potential) -> ForceOutput {
    let mut system = system.clone();
    let mut neighbors = Neighbors::new(
        NeighborSettings::with_skin(0.3),
        potential.cutoff(),
        potential.list_kind(),
    );
    neighbors.rebuild(&mut system).unwrap();
    let mut out = ForceOutput::new();
    let request = ForceRequest {
        energy: true,
        virial: true,
        per_atom_energy: false,
    };
    evaluate_forces(&mut system, &neighbors, potential, request, &mut out, 0).unwrap();
    out
}

/// The deck's potential and `expected` agree to round-off on the deck's crystal.
fn assert_same(potential: &str, expected: &dyn Potential) {
    let d = deck(potential).unwrap_or_else(|e| panic!("{potential}\n{e}"));
    let (a, b) = (
        evaluate(&d.system, d.potential.as_ref()),
        evaluate(&d.system, expected),
    );
    assert!(a.energy != 0.0, "{potential}: no interaction");
    let close = |x: f64, y: f64, scale: f64| (x - y).abs() <= 1e-12 * scale.max(1e-300);
    assert!(
        close(a.energy, b.energy, a.energy.abs()),
        "{potential}: {} vs {}",
        a.energy,
        b.energy
    );
    let vscale = a.virial.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for k in 0..6 {
        assert!(
            close(a.virial[k], b.virial[k], vscale),
            "{potential}: virial {k}"
        );
    }
    let fscale = a.forces.iter().fold(0.0f64, |m, f| m.max(f.amax()));
    for (fa, fb) in a.forces.iter().zip(&b.forces) {
        assert!((fa - fb).amax() <= 1e-12 * fscale, "{potential}: forces");
    }
}

/// Row-major 2 x 2 entries of an interaction built per pair, with per-pair cutoffs.
fn two_types<F: ferromd_potentials::PairInteraction>(
    make: impl Fn(usize, usize) -> (F, f64),
) -> Vec<(F, f64)> {
    (0..4).map(|k| make(k / 2, k % 2)).collect()
}

#[test]
fn morse_buck_born_yukawa_decks_match_the_library() {
    let morse = PairPotential::from_table(
        "morse",
        2,
        two_types(|i, j| {
            let (d0, a, r0, rc) = match (i, j) {
                (0, 0) => (1.0, 2.0, 1.1, 2.5),
                (1, 1) => (0.8, 1.8, 1.2, 2.2),
                _ => (0.9, 1.9, 1.15, 2.5),
            };
            (Shifted::new(Morse::new(d0, a, r0), rc, true), rc)
        }),
    );
    assert_same(
        r#"[potential]
style = "morse"
cutoff = 2.5
shift = true
[[potential.coeff]]
species = ["A", "A"]
d0 = 1.0
alpha = 2.0
r0 = 1.1
[[potential.coeff]]
species = ["B", "B"]
d0 = 0.8
alpha = 1.8
r0 = 1.2
cutoff = 2.2
[[potential.coeff]]
species = ["B", "A"]
d0 = 0.9
alpha = 1.9
r0 = 1.15
"#,
        &morse,
    );
    let buck = PairPotential::from_table(
        "buck",
        2,
        two_types(|i, j| {
            let c = if i == j { 1.0 + i as f64 } else { 1.5 };
            (
                Shifted::new(Buckingham::new(100.0 * c, 0.2, c), 2.5, false),
                2.5,
            )
        }),
    );
    assert_same(
        r#"[potential]
style = "buck"
cutoff = 2.5
[[potential.coeff]]
species = ["A", "A"]
a = 100.0
rho = 0.2
c = 1.0
[[potential.coeff]]
species = ["B", "B"]
a = 200.0
rho = 0.2
c = 2.0
[[potential.coeff]]
species = ["A", "B"]
a = 150.0
rho = 0.2
c = 1.5
"#,
        &buck,
    );
    let born = PairPotential::from_table(
        "born",
        2,
        two_types(|_, _| {
            (
                Shifted::new(Born::new(10.0, 0.3, 0.9, 1.0, 0.5), 2.5, false),
                2.5,
            )
        }),
    );
    assert_same(
        r#"[potential]
style = "born"
cutoff = 2.5
[[potential.coeff]]
species = ["A", "A"]
a = 10.0
rho = 0.3
sigma = 0.9
c = 1.0
d = 0.5
[[potential.coeff]]
species = ["B", "B"]
a = 10.0
rho = 0.3
sigma = 0.9
c = 1.0
d = 0.5
[[potential.coeff]]
species = ["A", "B"]
a = 10.0
rho = 0.3
sigma = 0.9
c = 1.0
d = 0.5
"#,
        &born,
    );
    // yukawa mixes the prefactor geometrically
    let yukawa = PairPotential::from_table(
        "yukawa",
        2,
        two_types(|i, j| {
            let a = [1.0f64, 4.0];
            (
                Shifted::new(Yukawa::new((a[i] * a[j]).sqrt(), 2.0), 2.5, false),
                2.5,
            )
        }),
    );
    assert_same(
        r#"[potential]
style = "yukawa"
kappa = 2.0
cutoff = 2.5
[[potential.coeff]]
species = ["A", "A"]
a = 1.0
[[potential.coeff]]
species = ["B", "B"]
a = 4.0
"#,
        &yukawa,
    );
}

fn table(keyword: &str, style: TableStyle, n: usize, cut: Option<f64>) -> Tabulated {
    let s = TableSection::read(&reference_dir().join("analytic.table"), keyword).unwrap();
    Tabulated::new(&s, style, n, cut).unwrap()
}

const TABLE_DECK: &str = r#"[potential]
style = "table"
interpolation = "spline"
points = 1200
[[potential.coeff]]
species = ["A", "A"]
file = "analytic.table"
keyword = "LJ11"
[[potential.coeff]]
species = ["A", "B"]
file = "analytic.table"
keyword = "LJ12"
cutoff = 2.2
[[potential.coeff]]
species = ["B", "B"]
file = "analytic.table"
keyword = "MORSE"
cutoff = 2.5
"#;

fn table_potential() -> TablePotential {
    let lj12 = table("LJ12", TableStyle::Spline, 1200, Some(2.2));
    TablePotential::new(
        2,
        vec![
            (
                table("LJ11", TableStyle::Spline, 1200, None),
                2.5,
                "LJ11".into(),
            ),
            (lj12.clone(), 2.2, "LJ12".into()),
            (lj12, 2.2, "LJ12".into()),
            (
                table("MORSE", TableStyle::Spline, 1200, Some(2.5)),
                2.5,
                "MORSE".into(),
            ),
        ],
    )
}

/// Table files are found beside the deck.
#[test]
fn table_deck_matches_the_library() {
    assert_same(TABLE_DECK, &table_potential());
}

/// `hybrid/overlay` sums its parts: a table plus `zbl` plus `soft`.
#[test]
fn hybrid_overlay_deck_is_the_sum_of_its_parts() {
    let zbl = r#"style = "zbl"
inner = 0.8
outer = 1.2
[[potential.overlay.coeff]]
species = ["A", "A"]
z = [1.0, 1.0]
[[potential.overlay.coeff]]
species = ["A", "B"]
z = [1.0, 2.0]
[[potential.overlay.coeff]]
species = ["B", "B"]
z = [2.0, 2.0]
"#;
    let parts = TABLE_DECK
        .replace("[potential]", "[[potential.overlay]]")
        .replace("[[potential.coeff]]", "[[potential.overlay.coeff]]");
    let text =
        format!("[potential]\nstyle = \"hybrid/overlay\"\n{parts}[[potential.overlay]]\n{zbl}");
    let sum = deck(&text).unwrap_or_else(|e| panic!("{e}"));
    let only_zbl = deck(&format!(
        "[potential]\n{}",
        zbl.replace("potential.overlay.coeff", "potential.coeff")
    ))
    .unwrap();
    let only_table = deck(TABLE_DECK).unwrap();
    let e = |d: &Deck| evaluate(&d.system, d.potential.as_ref()).energy;
    let (total, a, b) = (e(&sum), e(&only_table), e(&only_zbl));
    assert!(a != 0.0 && b != 0.0);
    assert!(
        (total - (a + b)).abs() <= 1e-12 * total.abs(),
        "{total} vs {a} + {b}"
    );
}

fn error(potential: &str) -> String {
    match deck(potential) {
        Ok(_) => panic!("accepted:\n{potential}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn misplaced_and_missing_keys_are_named() {
    let e = error("[potential]\nstyle = \"morse\"\ncutoff = 2.5\nkappa = 1.0\n");
    assert!(
        e.contains("`kappa` has no meaning for style `morse`"),
        "{e}"
    );
    let e = error(
        "[potential]\nstyle = \"morse\"\ncutoff = 2.5\n[[potential.coeff]]\nspecies = [\"A\", \"A\"]\nd0 = 1.0\nalpha = 2.0\n",
    );
    assert!(e.contains("morse needs `r0`"), "{e}");
    let e = error(
        "[potential]\nstyle = \"buck\"\ncutoff = 2.5\n[[potential.coeff]]\nspecies = [\"A\", \"A\"]\na = 1.0\nrho = 0.2\nc = 1.0\nepsilon = 1.0\n",
    );
    assert!(
        e.contains("`epsilon` has no meaning for style `buck`"),
        "{e}"
    );
    let e = error("[potential]\nstyle = \"yukawa\"\ncutoff = 2.5\n");
    assert!(e.contains("yukawa needs `kappa`"), "{e}");
    // morse does not mix: the unlike pair is missing
    let e = error(
        "[potential]\nstyle = \"morse\"\ncutoff = 2.5\n[[potential.coeff]]\nspecies = [\"A\", \"A\"]\nd0 = 1.0\nalpha = 2.0\nr0 = 1.0\n[[potential.coeff]]\nspecies = [\"B\", \"B\"]\nd0 = 1.0\nalpha = 2.0\nr0 = 1.0\n",
    );
    assert!(e.contains("1 2"), "{e}");
    let e = error(
        "[potential]\nstyle = \"table\"\ninterpolation = \"cubic\"\npoints = 100\n[[potential.coeff]]\nspecies = [\"A\", \"A\"]\nfile = \"analytic.table\"\nkeyword = \"LJ11\"\n",
    );
    assert!(e.contains("cubic"), "{e}");
    let e = error(
        "[potential]\nstyle = \"table\"\ninterpolation = \"linear\"\npoints = 100\n[[potential.coeff]]\nspecies = [\"A\", \"A\"]\nfile = \"analytic.table\"\nkeyword = \"NOPE\"\n",
    );
    assert!(e.contains("analytic.table") && e.contains("NOPE"), "{e}");
    let e = error("[potential]\nstyle = \"hybrid/overlay\"\ncutoff = 2.0\n");
    assert!(e.contains("hybrid/overlay needs"), "{e}");
}

/// The example decks `inputs/lj-table.toml` and `inputs/cu-eam-zbl.toml` build.
#[test]
fn example_decks_are_valid() {
    for (name, potential) in [
        ("lj-table.toml", "table"),
        ("cu-eam-zbl.toml", "hybrid/overlay"),
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("inputs")
            .join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let d = Deck::parse(&text, &path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(d.potential.name(), potential, "{name}");
        let out = evaluate(&d.system, d.potential.as_ref());
        assert!(
            out.energy.is_finite() && out.energy < 0.0,
            "{name}: {}",
            out.energy
        );
    }
}

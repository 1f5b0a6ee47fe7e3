//! Committee members that are themselves sums (`hybrid/overlay`), the "MLIP + ZBL as one
//! member" of high-energy sampling, with classical stand-ins: members (LJ ε₁ + ZBL) and
//! (LJ ε₂ + ZBL). The ZBL term is the same in both, so it cancels from the deviation:
//! each atom's force deviation must be |ε₁ − ε₂|/2 · |F_i(LJ, ε = 1)| exactly as without
//! it, while the forces that move the atoms do include it. Scripts and decks.

use std::path::{Path, PathBuf};

use ferromd::driver::{DriverOptions, run_deck};
use ferromd::lammps::{ScriptOptions, run_script};

/// The two members' LJ well depths (eV).
const EPS: (f64, f64) = (0.0104, 0.0130);
/// Argon: the ZBL term is strong at the nearest-neighbour distance inside its cutoff.
const ZBL: &str = "zbl 3.0 4.5";

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "ferromd-committee-hybrid-{}-{tag}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// 108 rattled argon atoms (every force non-zero), a dump of `id fx fy fz` at every step.
fn prelude(dump: &Path) -> String {
    format!(
        "units metal\n\
         lattice fcc 5.26\n\
         region box block 0 3 0 3 0 3\n\
         create_box 1 box\n\
         create_atoms 1 box\n\
         mass 1 39.95\n\
         displace_atoms all random 0.15 0.15 0.15 48213 units box\n\
         dump 1 all custom 1 {} id fx fy fz\n\
         dump_modify 1 sort id format line \"%d %.17g %.17g %.17g\"\n",
        dump.display()
    )
}

/// Runs `text` as a script in `dir`.
fn run(dir: &Path, text: &str) -> Result<(), String> {
    let input = dir.join("in.script");
    std::fs::write(&input, text).unwrap();
    let options = ScriptOptions {
        log: Some(dir.join("log.script")),
        ..Default::default()
    };
    run_script(&input, &options).map_err(|e| e.to_string())
}

/// The forces of a one-snapshot `dump custom` of `id fx fy fz`, in id order.
fn dumped_forces(path: &Path) -> Vec<[f64; 3]> {
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let n: usize = lines[3].trim().parse().unwrap();
    lines[9..9 + n]
        .iter()
        .map(|l| {
            let w: Vec<f64> = l.split_whitespace().map(|x| x.parse().unwrap()).collect();
            [w[1], w[2], w[3]]
        })
        .collect()
}

/// The data lines of a `model_devi.out`.
fn model_devi(path: &Path) -> Vec<Vec<f64>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split_whitespace().map(|w| w.parse().unwrap()).collect())
        .collect()
}

fn norm(f: &[f64; 3]) -> f64 {
    (f[0] * f[0] + f[1] * f[1] + f[2] * f[2]).sqrt()
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * (a.abs().max(b.abs()) + 1e-12)
}

/// Scripts: `hybrid/overlay ... end` members. Every atom's deviation (`atomic`) equals the
/// analytic LJ spread from a plain `lj/cut` run of ε = 1 on the same atoms, and the
/// committee's driving forces differ from the LJ mean by the (large) ZBL forces.
#[test]
fn zbl_cancels_from_the_deviation_of_hybrid_members() {
    let dir = scratch("script");
    let (lj_dump, committee_dump) = (dir.join("lj.dump"), dir.join("committee.dump"));
    run(
        &dir,
        &format!(
            "{}pair_style lj/cut 7.0\npair_coeff * * 1.0 3.4\nrun 0\n",
            prelude(&lj_dump)
        ),
    )
    .unwrap();
    let devi_path = dir.join("model_devi.out");
    run(
        &dir,
        &format!(
            "{}pair_style committee hybrid/overlay lj/cut 7.0 {ZBL} end \
             hybrid/overlay lj/cut 7.0 {ZBL} end out_freq 1 out_file {} atomic\n\
             pair_coeff * * hybrid/overlay 1 lj/cut {} 3.4\n\
             pair_coeff * * hybrid/overlay 1 zbl 18 18\n\
             pair_coeff * * hybrid/overlay 2 lj/cut {} 3.4\n\
             pair_coeff * * hybrid/overlay 2 zbl 18 18\n\
             run 0\n",
            prelude(&committee_dump),
            devi_path.display(),
            EPS.0,
            EPS.1
        ),
    )
    .unwrap();
    let lj = dumped_forces(&lj_dump);
    let driving = dumped_forces(&committee_dump);
    let devi = model_devi(&devi_path);
    assert_eq!(devi.len(), 1, "run 0 writes step 0 once");
    let row = &devi[0];
    assert_eq!(row.len(), 7 + 108);
    let half = (EPS.1 - EPS.0).abs() / 2.0;
    let mean = (EPS.0 + EPS.1) / 2.0;
    let mut zbl_largest: f64 = 0.0;
    for (i, (f, d)) in lj.iter().zip(&driving).enumerate() {
        // %e keeps 7 significant digits
        assert!(
            close(row[7 + i], half * norm(f), 2e-6),
            "atom {}: {} vs {}",
            i + 1,
            row[7 + i],
            half * norm(f)
        );
        let zbl = [d[0] - mean * f[0], d[1] - mean * f[1], d[2] - mean * f[2]];
        zbl_largest = zbl_largest.max(norm(&zbl));
    }
    let lj_largest = lj.iter().map(norm).fold(0.0, f64::max) * mean;
    assert!(
        zbl_largest > 0.1 * lj_largest,
        "the ZBL term acts: {zbl_largest} eV/Å beside LJ's {lj_largest}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// A plain member beside a hybrid one, and the errors of hybrid members.
#[test]
fn hybrid_members_mix_with_plain_ones_and_errors_name_the_line() {
    let dir = scratch("mixed");
    let (dump, devi_path) = (dir.join("forces.dump"), dir.join("model_devi.out"));
    // member 2 is LJ ε₂ + ZBL, member 1 LJ ε₂ alone: the deviation is |F_ZBL| / 2
    let script = |pair_coeffs: &str| {
        format!(
            "{}pair_style committee lj/cut 7.0 hybrid/overlay lj/cut 7.0 {ZBL} end \
             out_freq 1 out_file {} atomic\n{pair_coeffs}run 0\n",
            prelude(&dump),
            devi_path.display(),
        )
    };
    let both = format!(
        "pair_coeff * * lj/cut {e} 3.4\n\
         pair_coeff * * hybrid/overlay lj/cut {e} 3.4\n\
         pair_coeff * * hybrid/overlay zbl 18 18\n",
        e = EPS.1
    );
    run(&dir, &script(&both)).unwrap();
    let with_zbl = dumped_forces(&dump);
    let row = model_devi(&devi_path).remove(0);
    run(
        &dir,
        &format!(
            "{}pair_style lj/cut 7.0\npair_coeff * * {} 3.4\nrun 0\n",
            prelude(&dump),
            EPS.1
        ),
    )
    .unwrap();
    let lj = dumped_forces(&dump);
    for (i, (m, f)) in with_zbl.iter().zip(&lj).enumerate() {
        // the mean force is F_LJ + F_ZBL/2, the deviation |F_ZBL|/2
        let half_zbl = [m[0] - f[0], m[1] - f[1], m[2] - f[2]];
        assert!(close(row[7 + i], norm(&half_zbl), 1e-5), "atom {}", i + 1);
    }
    // errors name the line and the word
    let err = |text: String| run(&dir, &text).unwrap_err();
    let e = err(format!(
        "{}pair_style committee lj/cut 7.0 hybrid/overlay lj/cut 7.0 {ZBL}\n",
        prelude(&dump)
    ));
    assert!(
        e.contains("member hybrid/overlay needs `end`") && e.ends_with("in.script:10)"),
        "{e}"
    );
    let e = err(script(
        "pair_coeff * * lj/cut 1 3.4\npair_coeff * * hybrid/overlay morse 1 1 1\n",
    ));
    assert!(
        e.contains("member 2 (hybrid/overlay)")
            && e.contains("`morse` is not a sub-style")
            && e.ends_with("in.script:12)"),
        "{e}"
    );
    let e = err(script(
        "pair_coeff * * lj/cut 1 3.4\npair_coeff * * hybrid/overlay zbl 18 x\n",
    ));
    assert!(e.contains("`x`") && e.ends_with("in.script:12)"), "{e}");
    let e = err(script(
        "pair_coeff * * lj/cut 1 3.4\npair_coeff * * hybrid/overlay zbl 18 18\n",
    ));
    assert!(
        e.contains("member 2 (hybrid/overlay)") && e.contains("lj/cut"),
        "a sub-style without pair_coeff lines: {e}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// 32 argon atoms, fcc displaced by a fixed pattern, as extended XYZ.
fn rattled_structure() -> String {
    let a = 5.26;
    let basis = [
        [0.0, 0.0, 0.0],
        [0.5, 0.5, 0.0],
        [0.5, 0.0, 0.5],
        [0.0, 0.5, 0.5],
    ];
    let mut text = format!(
        "32\nLattice=\"{l} 0 0 0 {l} 0 0 0 {l}\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\n",
        l = 2.0 * a
    );
    let mut k = 0.0_f64;
    for (i, j, l) in (0..8).map(|c| (c % 2, (c / 2) % 2, c / 4)) {
        for b in basis {
            k += 1.0;
            let r = [
                (i as f64 + b[0]) * a + 0.12 * (1.7 * k).sin(),
                (j as f64 + b[1]) * a + 0.12 * (2.3 * k).cos(),
                (l as f64 + b[2]) * a + 0.12 * (0.9 * k).sin(),
            ];
            text.push_str(&format!("Ar {} {} {}\n", r[0], r[1], r[2]));
        }
    }
    text
}

/// A deck member: `lj/cut` of well depth `eps`, with ZBL through a `hybrid/overlay`
/// member if `zbl`.
fn deck_member(eps: f64, zbl: bool) -> String {
    let lj = format!(
        "style = \"lj/cut\"\ncutoff = 7.0\n[[PREFIX.coeff]]\nspecies = [\"Ar\", \"Ar\"]\n\
         epsilon = {eps}\nsigma = 3.4\n"
    );
    if zbl {
        format!(
            "[[potential.committee]]\nstyle = \"hybrid/overlay\"\n\
             [[potential.committee.overlay]]\n{}\
             [[potential.committee.overlay]]\nstyle = \"zbl\"\ninner = 3.0\nouter = 4.5\n\
             [[potential.committee.overlay.coeff]]\nspecies = [\"Ar\", \"Ar\"]\nz = [18.0, 18.0]\n",
            lj.replace("PREFIX", "potential.committee.overlay")
        )
    } else {
        format!(
            "[[potential.committee]]\n{}",
            lj.replace("PREFIX", "potential.committee")
        )
    }
}

/// Runs a one-step committee deck of the two members in `dir`, returning the step-0 line
/// of its `model_devi.out` and its step-0 potential energy.
fn run_committee_deck(dir: &Path, zbl: bool) -> (Vec<f64>, f64) {
    std::fs::write(dir.join("rattled.extxyz"), rattled_structure()).unwrap();
    let deck = format!(
        "units = \"metal\"\n[[species]]\nname = \"Ar\"\nmass = 39.95\n\
         [structure]\nfile = \"{}\"\n\
         [potential]\nstyle = \"committee\"\n{}{}\
         [integrator]\nstyle = \"nve\"\ntimestep = 0.001\n[run]\nsteps = 1\nthermo = 1\n\
         [output]\nthermo_file = \"{}\"\nthermo_format = \"csv\"\nmodel_deviation = \"{}\"\n",
        dir.join("rattled.extxyz").display(),
        deck_member(EPS.0, zbl),
        deck_member(EPS.1, zbl),
        dir.join("thermo.csv").display(),
        dir.join("model_devi.out").display(),
    );
    let path = dir.join("deck.toml");
    std::fs::write(&path, deck).unwrap();
    run_deck(&path, &mut Vec::new(), DriverOptions::default()).unwrap();
    let csv = std::fs::read_to_string(dir.join("thermo.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let pe = header.iter().position(|h| *h == "pe").expect("a pe column");
    let first: Vec<f64> = lines
        .next()
        .unwrap()
        .split(',')
        .map(|w| w.parse().unwrap())
        .collect();
    let devi = model_devi(&dir.join("model_devi.out")).remove(0);
    (devi, first[pe])
}

/// Decks: a `[[potential.committee]]` of style `hybrid/overlay` with its own
/// `[[potential.committee.overlay]]` tables. With ZBL in both members the step-0
/// deviations (forces and virials) equal those of the plain LJ members, while the energy
/// does not.
#[test]
fn decks_take_hybrid_overlay_members() {
    let dir = scratch("deck");
    let (with_zbl, pe_zbl) = run_committee_deck(&dir, true);
    let (plain, pe_plain) = run_committee_deck(&dir, false);
    assert_eq!(with_zbl[0], 0.0);
    for c in 1..7 {
        assert!(
            close(with_zbl[c], plain[c], 1e-6),
            "column {c}: {} vs {}",
            with_zbl[c],
            plain[c]
        );
    }
    assert!(plain[4] > 1e-3, "the rattled atoms feel forces");
    assert!(
        (pe_zbl - pe_plain).abs() > 0.1,
        "ZBL adds energy: {pe_zbl} vs {pe_plain}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

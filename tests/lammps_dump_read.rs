//! Reading LAMMPS dumps: frames written by ferromd's `dump custom` (triclinic, wrapped
//! with image flags, unwrapped, scaled) read back to the atoms `write_data` saved at
//! the same step; LAMMPS's own dumps read and agree with each other; damaged dumps give
//! errors naming the line.

use std::path::PathBuf;
use std::process::Command;

use ferromd::deck::Deck;
use ferromd_core::io::lammps_data::parse_lammps_data;
use ferromd_core::io::lammps_dump::parse_lammps_dump;
use ferromd_core::simulation::Silent;

const SCRIPT: &str = "\
units lj
lattice fcc 0.8442
region box prism 0 4 0 4 0 4 1.5 0.5 -1.0
create_box 2 box
create_atoms 1 box basis 2 2
mass * 1.0
velocity all create 3.0 23761 loop geom
pair_style lj/cut 2.5
pair_coeff * * 1.0 1.0 2.5
neigh_modify delay 0 every 1 check yes
fix 1 all nve
dump w all custom 40 dump.wrapped id type x y z ix iy iz vx vy vz fx fy fz
dump_modify w sort id format line \"%d %d %.17g %.17g %.17g %d %d %d %.17g %.17g %.17g %.17g %.17g %.17g\"
dump u all custom 40 dump.unwrapped id type xu yu zu
dump_modify u sort id format line \"%d %d %.17g %.17g %.17g\"
dump s all custom 40 dump.scaled id type xs ys zs
dump_modify s sort id format line \"%d %d %.17g %.17g %.17g\"
run 200
write_data data.final
run 40
";

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ferromd-dump-read-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn triclinic_dumps_read_back_to_the_written_atoms() {
    let dir = scratch();
    std::fs::write(dir.join("in.dumps"), SCRIPT).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ferromd"))
        .args(["-in", "in.dumps", "-log", "none", "-screen", "none"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read =
        |name: &str| parse_lammps_dump(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap();
    let (wrapped, unwrapped, scaled) = (
        read("dump.wrapped"),
        read("dump.unwrapped"),
        read("dump.scaled"),
    );
    assert_eq!(wrapped.len(), 7);
    assert_eq!(
        wrapped.iter().map(|f| f.step).collect::<Vec<_>>(),
        [0, 40, 80, 120, 160, 200, 240]
    );
    let data =
        parse_lammps_data(&std::fs::read_to_string(dir.join("data.final")).unwrap()).unwrap();
    let last = &wrapped[5];
    assert_eq!(last.tilt, data.tilt);
    assert!((last.lo - data.lo).norm() < 1e-14 && (last.hi - data.hi).norm() < 1e-14);
    assert_eq!(last.periodic, [true; 3]);
    let cell = last.cell().unwrap();
    let types = last.types.as_ref().unwrap();
    assert_eq!(types.iter().filter(|t| **t == 2).count(), 64);
    let mut crossed = 0;
    for (k, a) in data.atoms.iter().enumerate() {
        assert_eq!(last.ids[k], a.id);
        assert_eq!(types[k], a.type_index);
        // write_data wraps atoms into the box; the dump holds them as the step left
        // them (wrapped at the last neighbor build): the unwrapped positions agree
        let u = a.position + cell.image_shift(a.image);
        let dumped = last.positions[k] + cell.image_shift(last.images[k]);
        assert!(
            (dumped - u).norm() < 1e-12,
            "atom {}: {dumped} vs {u}",
            a.id
        );
        crossed += (a.image != [0; 3]) as usize;
        // %.17g round-trips every double: the same bits as write_data's
        let v = data
            .velocities
            .iter()
            .find(|(id, _)| *id == a.id)
            .unwrap()
            .1;
        assert_eq!(last.velocities.as_ref().unwrap()[k], v);
        // unwrapped and scaled columns describe the same atoms
        assert!((unwrapped[5].positions[k] - u).norm() < 1e-12);
        assert!((scaled[5].positions[k] - last.positions[k]).norm() < 1e-12);
    }
    assert!(crossed > 10, "only {crossed} atoms crossed a boundary");
    assert!(last.forces.as_ref().unwrap().iter().any(|f| f.norm() > 1.0));

    // a deck started from the step-200 frame follows the script's trajectory to step 240
    let deck = String::from(
        "units = \"lj\"\n[[species]]\nname = \"A\"\nmass = 1.0\n[[species]]\nname = \"B\"\n\
         mass = 1.0\n[structure]\nfile = \"dump.wrapped\"\nframe = 5\n[potential]\n\
         style = \"lj/cut\"\ncutoff = 2.5\n[[potential.coeff]]\nspecies = [\"A\", \"A\"]\n\
         epsilon = 1.0\nsigma = 1.0\n[[potential.coeff]]\nspecies = [\"B\", \"B\"]\n\
         epsilon = 1.0\nsigma = 1.0\n[[potential.coeff]]\nspecies = [\"A\", \"B\"]\n\
         epsilon = 1.0\nsigma = 1.0\n[integrator]\nstyle = \"nve\"\n[run]\nsteps = 40\n",
    );
    let d = Deck::parse(&deck, &dir.join("from-dump.toml")).unwrap();
    assert_eq!(d.system.len(), 256);
    assert_eq!(d.system.cell.lammps_bounds().unwrap().2, data.tilt);
    assert_eq!(d.system.types.iter().filter(|t| **t == 1).count(), 64);
    let (mut sim, _) = d.into_simulation().unwrap();
    sim.run(40, 0, &mut Silent).unwrap();
    let end = &wrapped[6];
    for k in 0..256 {
        let mine = sim.system.unwrapped_position(k);
        let theirs = end.positions[k] + cell.image_shift(end.images[k]);
        assert_eq!(sim.system.ids[k], end.ids[k]);
        assert!(
            (mine - theirs).norm() < 1e-9,
            "atom {}: {mine} vs {theirs}",
            end.ids[k]
        );
    }
    // a frame that does not exist is an error naming the file
    let e = Deck::parse(&deck.replace("frame = 5", "frame = 7"), &dir.join("d.toml")).unwrap_err();
    assert!(
        e.to_string()
            .contains("frame 7 does not exist: the dump has 7 frames"),
        "{e}"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn lammps_written_atom_and_custom_dumps_agree() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/reference/lammps");
    let read =
        |name: &str| parse_lammps_dump(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap();
    let custom = read("dump.custom.dump");
    let atom = read("dump.atom.dump");
    // dump atom every 100 steps, custom every 50: compare the common steps
    let mut compared = 0;
    for a in &atom {
        let c = custom.iter().find(|c| c.step == a.step).unwrap();
        assert_eq!(a.ids, c.ids);
        for (p, q) in a.positions.iter().zip(&c.positions) {
            // dump atom prints %g (6 digits) scaled coordinates
            assert!((p - q).norm() < 2e-5 * 6.72, "step {}: {p} vs {q}", a.step);
        }
        compared += 1;
    }
    assert!(compared >= 2);
}

#[test]
fn damaged_dumps_name_the_line() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/reference/lammps");
    let good = std::fs::read_to_string(dir.join("dump.custom.dump")).unwrap();
    let lines: Vec<&str> = good.lines().collect();
    // truncated in the middle of the atoms of the first frame
    let cut = lines[..20].join("\n");
    let e = parse_lammps_dump(&cut).unwrap_err();
    assert_eq!(e.line, 21, "{e}");
    assert!(e.message.contains("truncated"), "{e}");
    // a corrupted number
    let bad = good.replacen("0.7820919496", "0.78z0919496", 1);
    let e = parse_lammps_dump(&bad).unwrap_err();
    assert_eq!(e.line, 10);
    assert!(e.message.contains("`0.78z0919496`"), "{e}");
    // a missing column value
    let bad = good.replacen(" 0.09469950342", "", 1);
    assert_eq!(parse_lammps_dump(&bad).unwrap_err().line, 10);
    // a wrong item header
    let bad = good.replacen("ITEM: NUMBER OF ATOMS", "ITEM: NUMBER OF ATOM", 1);
    assert_eq!(parse_lammps_dump(&bad).unwrap_err().line, 3);
    assert_eq!(parse_lammps_dump("").unwrap_err().line, 1);
    // every truncation point is an error or a shorter valid file, never a panic
    for end in (0..good.len().min(4000)).step_by(37) {
        if let Ok(frames) = parse_lammps_dump(&good[..end]) {
            assert!(frames.len() <= 1);
        }
    }
}

/// `read_dump` in scripts replaces positions, velocities and image flags from a snapshot
/// of LAMMPS's dumps, takes the box or keeps it, and continues at the snapshot's step:
/// the data files ferromd writes after each `read_dump` match those LAMMPS wrote after
/// the same commands (tests/reference/lammps/read-dump, made by its regenerate.sh).
#[test]
fn read_dump_in_scripts_matches_lammps() {
    let reference =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/reference/lammps/read-dump");
    let dir = std::env::temp_dir().join(format!("ferromd-read-dump-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["data.start", "dump.w", "dump.u"] {
        std::fs::copy(reference.join(f), dir.join(f)).unwrap();
    }
    let script = "units lj\nread_data data.start\n\
                  read_dump dump.w 100 x y z vx vy vz box yes\nwrite_data data.wrapped\n\
                  read_dump dump.w 0 x y z ix iy iz box no\nwrite_data data.images\n\
                  read_dump dump.u 100 x y z\nwrite_data data.unwrapped\n";
    std::fs::write(dir.join("in.read"), script).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ferromd"))
        .args(["-in", "in.read", "-log", "none"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("108 atoms replaced"), "{text}");
    let data = |path: PathBuf| parse_lammps_data(&std::fs::read_to_string(path).unwrap()).unwrap();
    for (name, step) in [
        ("data.wrapped", 100),
        ("data.images", 0),
        ("data.unwrapped", 100),
    ] {
        let header = std::fs::read_to_string(dir.join(name)).unwrap();
        assert!(
            header
                .lines()
                .next()
                .unwrap()
                .contains(&format!("timestep = {step}")),
            "{name}: {}",
            header.lines().next().unwrap()
        );
        assert_same_atoms(name, &reference.join(name), &dir.join(name));
    }
    // the box of data.start was changed along x; box yes took the snapshot's back
    let start = data(reference.join("data.start"));
    assert!((start.hi.x - data(dir.join("data.wrapped")).hi.x).abs() > 0.01);

    // a missing snapshot or column is an error naming the file and the script line
    for (line, words) in [
        ("read_dump dump.w 150 x y z", "no snapshot at timestep 150"),
        ("read_dump dump.u 100 x y z vx", "no vx vy vz columns"),
        ("read_dump dump.w 100 x y z format xyz", "format xyz"),
    ] {
        assert_fails_at_line_3(&dir, line, words);
    }
    std::fs::remove_dir_all(dir).ok();
}

/// `line` after reading data.start in `dir` fails with an error holding `words` and
/// naming the script line.
fn assert_fails_at_line_3(dir: &std::path::Path, line: &str, words: &str) {
    std::fs::write(
        dir.join("in.bad"),
        format!("units lj\nread_data data.start\n{line}\n"),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ferromd"))
        .args(["-in", "in.bad", "-log", "none"])
        .current_dir(dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{line}");
    assert!(
        text.contains(words) && text.contains("(in.bad:3)"),
        "{line}: {text}"
    );
}

/// The data file `got` (ferromd's) holds the atoms of `want` (LAMMPS's): box, ids, types,
/// image flags, positions and velocities.
fn assert_same_atoms(name: &str, want: &std::path::Path, got: &std::path::Path) {
    let data = |path: &std::path::Path| {
        parse_lammps_data(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let (want, got) = (data(want), data(got));
    assert!((want.lo - got.lo).norm() < 1e-14 && (want.hi - got.hi).norm() < 1e-14);
    let mut atoms = got.atoms.clone();
    atoms.sort_by_key(|a| a.id);
    let mut expected = want.atoms.clone();
    expected.sort_by_key(|a| a.id);
    assert_eq!(atoms.len(), expected.len(), "{name}");
    for (a, b) in atoms.iter().zip(&expected) {
        assert_eq!(
            (a.id, a.type_index, a.image),
            (b.id, b.type_index, b.image),
            "{name}"
        );
        assert!(
            (a.position - b.position).norm() < 1e-12,
            "{name}: atom {}",
            a.id
        );
    }
    let (mut va, mut vb) = (got.velocities.clone(), want.velocities.clone());
    va.sort_by_key(|v| v.0);
    vb.sort_by_key(|v| v.0);
    assert_eq!(va.len(), vb.len(), "{name}");
    for (a, b) in va.iter().zip(&vb) {
        assert_eq!(a.0, b.0);
        assert!(
            (a.1 - b.1).norm() < 1e-13,
            "{name}: velocity of atom {}",
            a.0
        );
    }
}

/// `read_dump` with `trim yes`, `add yes|keep`, `purge yes` and `replace no` on a
/// snapshot holding 60 of the 108 atoms and ten new ones gives the atoms LAMMPS had after
/// the same commands (tests/reference/lammps/read-dump/in.make).
#[test]
fn read_dump_trim_add_purge_match_lammps() {
    let reference =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/reference/lammps/read-dump");
    let dir = std::env::temp_dir().join(format!("ferromd-read-dump-add-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["data.start", "dump.part"] {
        std::fs::copy(reference.join(f), dir.join(f)).unwrap();
    }
    for (name, keywords, counts) in [
        ("data.trim-add", "trim yes add yes", [0, 60, 48, 10, 70]),
        ("data.add-keep", "add keep box no", [0, 60, 0, 10, 118]),
        (
            "data.purge",
            "purge yes replace no add keep",
            [108, 0, 0, 70, 70],
        ),
        ("data.add-only", "replace no add yes", [0, 0, 0, 10, 118]),
    ] {
        let script = format!(
            "units lj\nread_data data.start\n\
             read_dump dump.part 100 x y z vx vy vz {keywords}\nwrite_data {name}\n"
        );
        std::fs::write(dir.join("in.read"), script).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_ferromd"))
            .args(["-in", "in.read", "-log", "none"])
            .current_dir(&dir)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{keywords}: {text}");
        let [purged, replaced, trimmed, added, after] = counts;
        let report = format!(
            "  70 atoms in snapshot\n  {purged} atoms purged\n  {replaced} atoms replaced\n  \
             {trimmed} atoms trimmed\n  {added} atoms added\n  {after} atoms after read"
        );
        assert!(text.contains(&report), "{keywords}: {text}");
        assert_same_atoms(name, &reference.join(name), &dir.join(name));
    }
    // LAMMPS's rules: purge cannot replace or trim; add needs positions and types
    for (keywords, words) in [
        ("x y z purge yes", "purge yes cannot replace or trim"),
        ("x y add yes", "needs the fields x y z"),
        ("x y z add maybe", "add `maybe`"),
    ] {
        assert_fails_at_line_3(&dir, &format!("read_dump dump.part 100 {keywords}"), words);
    }
    std::fs::remove_dir_all(dir).ok();
}

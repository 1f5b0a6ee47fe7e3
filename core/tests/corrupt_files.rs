//! Truncated or corrupted LAMMPS data, extended XYZ and plain XYZ files give an error
//! naming a line of the file, never a panic; a file cut so that atoms or velocities are
//! missing is always an error (never a smaller system read as if complete).

use ferromd_core::io::extxyz::{ExtXyzFrame, parse_extxyz, parse_first_frame, write_extxyz};
use ferromd_core::io::lammps_data::{parse_lammps_data, write_lammps_data};
use ferromd_core::io::xyz::parse_xyz;
use ferromd_core::lattice::{CubicKind, Lattice};
use ferromd_core::nalgebra::Vector3;
use ferromd_core::{Species, System};
use proptest::prelude::*;

fn system() -> System {
    let mut s = Lattice::cubic(CubicKind::Fcc, 1.6)
        .build([2, 2, 2], vec![Species::new("Ar", 39.95)])
        .unwrap();
    for (i, v) in s.velocities.iter_mut().enumerate() {
        *v = Vector3::new(0.1 * i as f64, -0.2, 0.05);
    }
    s
}

fn data_text() -> String {
    let mut buf = Vec::new();
    write_lammps_data(&mut buf, &system(), 0).unwrap();
    String::from_utf8(buf).unwrap()
}

fn extxyz_text() -> String {
    let mut buf = Vec::new();
    write_extxyz(
        &mut buf,
        &[ExtXyzFrame::from_system(&system(), true, false)],
    )
    .unwrap();
    String::from_utf8(buf).unwrap()
}

/// Byte offset where the last line with content starts.
fn last_line_start(text: &str) -> usize {
    text.trim_end().rfind('\n').map_or(0, |i| i + 1)
}

#[test]
fn every_cut_before_the_last_line_is_an_error_naming_a_line() {
    let data = data_text();
    let lines = data.lines().count();
    // a file that ends after its Atoms section is complete (Velocities are optional):
    // cuts from the last atom line (a shortened last number still parses) up to the
    // Velocities header may be read; every other cut loses atoms or velocities
    let velocities = data.find("\nVelocities").expect("velocities written") + 1;
    let last_atom = data[..velocities].trim_end().rfind('\n').unwrap() + 1;
    for cut in (0..last_line_start(&data)).filter(|c| !(last_atom..velocities + 10).contains(c)) {
        let e = match parse_lammps_data(&data[..cut]) {
            Err(e) => e,
            Ok(d) => match d.to_system() {
                Ok(_) => panic!(
                    "data file cut at byte {cut} was accepted; it ends ...{:?}",
                    &data[cut.saturating_sub(60)..cut]
                ),
                Err(e) => panic!("cut {cut}: parsed but not a system: {e}"),
            },
        };
        assert!(e.line <= lines + 1, "cut {cut}: {e}");
    }
    let xyz = extxyz_text();
    let lines = xyz.lines().count();
    // the last line of an extxyz file is an atom line: any earlier cut loses atoms
    for cut in 0..last_line_start(&xyz) {
        // (an empty text is a trajectory of no frames; readers of one frame refuse it)
        if cut == 0 {
            assert!(parse_first_frame("").is_err());
        } else {
            let e = parse_extxyz(&xyz[..cut]).expect_err("cut extxyz accepted");
            assert!(e.line >= 1 && e.line <= lines + 1, "cut {cut}: {e}");
        }
        let e = parse_xyz(&xyz[..cut]).expect_err("cut xyz accepted");
        assert!(e.line >= 1 && e.line <= lines + 1, "cut {cut}: {e}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Any byte replaced by printable junk: parsing returns (an error naming a line
    /// within the file, or a system), never panics.
    #[test]
    fn corrupted_files_never_panic(at in 0.0f64..1.0, junk in "[ -~\n]{1,4}") {
        for text in [data_text(), extxyz_text()] {
            let k = ((text.len() as f64 * at) as usize).min(text.len() - 1);
            let k = (0..=k).rev().find(|&i| text.is_char_boundary(i)).unwrap();
            let bad = format!("{}{}{}", &text[..k], junk, &text[k + 1..]);
            let lines = bad.lines().count() + 1;
            if let Err(e) = parse_lammps_data(&bad) {
                prop_assert!(e.line <= lines, "{}", e);
            } else if let Ok(d) = parse_lammps_data(&bad) {
                let _ = d.to_system();
            }
            if let Err(e) = parse_extxyz(&bad) {
                prop_assert!(e.line <= lines, "{}", e);
            }
            if let Err(e) = parse_xyz(&bad) {
                prop_assert!(e.line <= lines, "{}", e);
            }
        }
    }
}

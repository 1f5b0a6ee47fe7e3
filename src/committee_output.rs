//! What committee runs write, shared by decks and LAMMPS scripts: DeePMD-kit's
//! `model_devi.out` lines and the extended XYZ frames of uncertain steps.
//!
//! `model_devi.out` is laid out as `pair_style deepmd` writes it: a `#` header naming the
//! columns, then per line the step (width 12) and six numbers in C's `%e` notation (width
//! 18, one space before each), the virial deviations first:
//!
//! ```text
//! #       step         max_devi_v         min_devi_v         avg_devi_v         max_devi_f         min_devi_f         avg_devi_f
//!            0       3.270512e-03       1.284101e-05       1.604212e-03       1.212052e-01       1.830166e-02       6.441029e-02
//! ```
//!
//! With `atomic` every atom's force deviation follows, in atom-ID order.

use ferromd_core::System;
use ferromd_core::io::extxyz::{ExtXyzFrame, RealArray};
use ferromd_potentials::{CommitteeDrive, CommitteeRecord, MemberResults, ModelDeviation};

/// The column names of `model_devi.out` after `step`.
pub const MODEL_DEVI_COLUMNS: [&str; 6] = [
    "max_devi_v",
    "min_devi_v",
    "avg_devi_v",
    "max_devi_f",
    "min_devi_f",
    "avg_devi_f",
];

/// The header line of `model_devi.out` (with its newline).
pub fn model_devi_header() -> String {
    let mut h = format!("#{:>11}", "step");
    for c in MODEL_DEVI_COLUMNS {
        h.push_str(&format!("{c:>19}"));
    }
    h.push('\n');
    h
}

/// `x` as C's `%e` prints it (six decimals, a signed exponent of at least two digits).
pub fn scientific(x: f64) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "nan".into()
        } else if x > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    let s = format!("{x:.6e}");
    let (mantissa, exponent) = s.split_once('e').expect("Rust's {:e} has an exponent");
    let e: i32 = exponent.parse().expect("an integer exponent");
    let sign = if e < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", e.abs())
}

/// One `model_devi.out` line (with its newline): the step, the six deviations and, with
/// `atomic`, every atom's force deviation.
pub fn model_devi_line(step: u64, d: &ModelDeviation, atomic: Option<&[f64]>) -> String {
    let mut line = format!("{step:>12}");
    for x in d.columns().iter().chain(atomic.unwrap_or(&[])) {
        line.push_str(&format!(" {:>18}", scientific(*x)));
    }
    line.push('\n');
    line
}

/// Per-atom `values` (in the system's storage order) rearranged in atom-ID order.
pub fn in_id_order(system: &System, values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by_key(|&i| system.ids[i]);
    order.into_iter().map(|i| values[i]).collect()
}

/// The extended XYZ frame of an uncertain step: positions, cell, the forces that move the
/// atoms, the energy that goes with them (when the members computed energies), and per
/// frame `step`, `committee_size`, `force_dev_max`, `force_dev_mean` and every member's
/// energy `energy_k`; per atom every member's forces `forces_k` (k from 1) and the
/// deviation `force_dev`.
pub fn uncertain_frame(
    step: u64,
    system: &System,
    record: &CommitteeRecord,
    r: &MemberResults<'_>,
) -> ExtXyzFrame {
    let mut frame = ExtXyzFrame::from_system(system, false, true);
    if let Some(e) = r.energies {
        frame.energy = Some(match record.drive() {
            CommitteeDrive::Mean => e.iter().sum::<f64>() / e.len() as f64,
            CommitteeDrive::Member(k) => e[k],
        });
    }
    let info = &mut frame.info;
    info.push(("step".into(), step.to_string()));
    info.push(("committee_size".into(), r.forces.len().to_string()));
    info.push(("force_dev_max".into(), format!("{:?}", r.summary.max)));
    info.push(("force_dev_mean".into(), format!("{:?}", r.summary.mean)));
    for (k, e) in r.energies.unwrap_or(&[]).iter().enumerate() {
        info.push((format!("energy_{}", k + 1), format!("{e:?}")));
    }
    for (k, f) in r.forces.iter().enumerate() {
        frame
            .arrays
            .push(RealArray::vectors(format!("forces_{}", k + 1), f));
    }
    frame
        .arrays
        .push(RealArray::scalars("force_dev", r.deviation));
    frame
}

/// The uncertain frame of `step` as text, if the latest evaluation's largest force
/// deviation exceeds `threshold`.
pub fn uncertain_frame_text(
    step: u64,
    system: &System,
    record: &CommitteeRecord,
    threshold: f64,
) -> std::io::Result<Option<String>> {
    let frame = record.with_members(|r| {
        (r.summary.max > threshold).then(|| uncertain_frame(step, system, record, r))
    });
    let Some(Some(frame)) = frame else {
        return Ok(None);
    };
    let mut buf = Vec::new();
    frame.write(&mut buf)?;
    Ok(Some(String::from_utf8_lossy(&buf).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_c_scientific() {
        assert_eq!(scientific(0.1212052), "1.212052e-01");
        assert_eq!(scientific(0.0), "0.000000e+00");
        assert_eq!(scientific(-1234.5), "-1.234500e+03");
        assert_eq!(scientific(1e-120), "1.000000e-120");
        assert_eq!(scientific(f64::NAN), "nan");
    }

    #[test]
    fn header_and_line_layout_match_deepmd() {
        assert_eq!(
            model_devi_header(),
            "#       step         max_devi_v         min_devi_v         avg_devi_v         \
             max_devi_f         min_devi_f         avg_devi_f\n"
        );
        let d = ModelDeviation {
            max_devi_v: 3.270512e-3,
            min_devi_v: 1.284101e-5,
            avg_devi_v: 1.604212e-3,
            max_devi_f: 0.1212052,
            min_devi_f: 0.01830166,
            avg_devi_f: 0.06441029,
        };
        assert_eq!(
            model_devi_line(0, &d, None),
            "           0       3.270512e-03       1.284101e-05       1.604212e-03       \
             1.212052e-01       1.830166e-02       6.441029e-02\n"
        );
        let line = model_devi_line(20, &d, Some(&[0.5, 0.25]));
        assert!(
            line.ends_with("       5.000000e-01       2.500000e-01\n"),
            "{line}"
        );
    }
}

//! Printing a [`Report`]: a fixed-width table for people, JSON for programs.

use std::fmt::Write as _;

use super::{Report, Status};

/// The report as a table: one line per row, the details of warn and fail rows (of every
/// row with `verbose`) indented below it, and a summary line.
pub fn table(report: &Report, verbose: bool) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "ferromd check: {} ({}, {} atoms, {} units)",
        report.target, report.potential, report.atoms, report.units
    );
    let name_w = report
        .rows
        .iter()
        .map(|r| r.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let _ = writeln!(
        s,
        "{:<16}  {:<name_w$}  {:<6}  {:>10}  {:<22}  threshold",
        "check", "test", "status", "value", "unit"
    );
    let _ = writeln!(s, "{}", "-".repeat(16 + name_w + 6 + 10 + 22 + 20));
    for r in &report.rows {
        let _ = writeln!(
            s,
            "{:<16}  {:<name_w$}  {:<6}  {:>10}  {:<22}  {}",
            r.check,
            r.name,
            r.status.name(),
            format_value(r.value),
            r.unit,
            r.threshold
        );
        if verbose || matches!(r.status, Status::Warn | Status::Fail) {
            let _ = writeln!(s, "{:<16}    {}", "", r.detail);
        }
    }
    let count = |st: Status| report.rows.iter().filter(|r| r.status == st).count();
    let _ = writeln!(
        s,
        "{} pass, {} warn, {} fail, {} info in {:.1} s",
        count(Status::Pass),
        count(Status::Warn),
        count(Status::Fail),
        count(Status::Info),
        report.seconds
    );
    s
}

/// The report as pretty-printed JSON (non-finite values as `null`).
pub fn json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

fn format_value(v: f64) -> String {
    if !v.is_finite() {
        "-".into()
    } else if v == 0.0 || (1e-2..1e4).contains(&v.abs()) {
        format!("{v:.4}")
    } else {
        format!("{v:.3e}")
    }
}

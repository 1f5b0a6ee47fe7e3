//! Running LAMMPS scripts in-process from tests.

use std::path::PathBuf;

/// A fresh scratch directory for test `tag` of this process.
pub fn scratch_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ferromd-test-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs a LAMMPS script in-process and returns the potential energy of its first thermo
/// row (`thermo_style custom step pe`), or the error message.
pub fn script_pe(tag: &str, text: &str) -> Result<f64, String> {
    let dir = scratch_dir(tag);
    let (input, log) = (dir.join("in.script"), dir.join("log.script"));
    std::fs::write(&input, text).unwrap();
    let options = ferromd::lammps::ScriptOptions {
        log: Some(log.clone()),
        ..Default::default()
    };
    let result = ferromd::lammps::run_script(&input, &options).map_err(|e| e.to_string());
    let log = std::fs::read_to_string(log).unwrap_or_default();
    std::fs::remove_dir_all(&dir).ok();
    result?;
    let mut lines = log
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("Step"));
    lines.next().expect("thermo header");
    Ok(lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|w| w.parse().ok())
        .expect("a thermo row"))
}

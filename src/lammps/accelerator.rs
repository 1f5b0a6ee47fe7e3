//! LAMMPS's accelerator switches for the GPU package: `package gpu`, `suffix gpu`
//! (also `-sf gpu` and `-pk gpu` on the command line) and explicit `/gpu` style names.
//!
//! They select ferromd's GPU path (cargo feature `gpu`) for `run`. That path evaluates a
//! few pair styles and integrates with `fix nve`, `fix nvt` or `fix nve` + `fix langevin`
//! (thermostats resident on the device); what it cannot run is an error
//! naming the command, except pair styles that LAMMPS's GPU package does not accelerate
//! either, which run on the CPU path with a note (as LAMMPS runs them on the host).

use super::error::{ScriptError, ScriptResult, fail};
use super::words::{float, integer, word};

/// Pair styles ferromd's GPU path evaluates.
pub const GPU_PAIR_STYLES: &[&str] = &["lj/cut", "morse", "eam", "eam/alloy", "eam/fs"];

/// Pair styles ferromd implements on the CPU that LAMMPS's GPU package accelerates
/// (`pair_<name>_gpu` in LAMMPS's src/GPU), or whose sub-styles it accelerates (hybrid).
/// With the gpu suffix these are an error: running them on the CPU would quietly differ
/// from what LAMMPS does.
const LAMMPS_GPU_ONLY: &[&str] = &[
    "buck",
    "born",
    "yukawa",
    "soft",
    "zbl",
    "tersoff",
    "tersoff/mod",
    "sw",
    "coul/cut",
    "lj/cut/coul/cut",
    "hybrid",
    "hybrid/overlay",
];

/// Where a `run` goes under the accelerator settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunPath {
    /// The CPU path (no gpu suffix or style in use).
    Cpu,
    /// The GPU path.
    Gpu,
    /// The CPU path although the gpu suffix is on: the pair style has no GPU variant in
    /// LAMMPS either. The text says so.
    CpuWithNote(String),
}

/// The accelerator state of a session.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Accelerator {
    /// The suffix of `suffix STYLE` / `-sf STYLE`.
    suffix: Option<String>,
    /// `suffix off` turned it off (`suffix on` back on).
    suffix_off: bool,
}

impl Accelerator {
    /// Whether the gpu suffix is in force.
    pub fn gpu_suffix(&self) -> bool {
        !self.suffix_off && self.suffix.as_deref() == Some("gpu")
    }

    /// `suffix STYLE | off | on` (also what `-sf STYLE` does before the script).
    pub fn suffix_command(&mut self, args: &[String]) -> ScriptResult<()> {
        let s = word(args, 0, "suffix style")?;
        if args.len() > 1 {
            return Err(ScriptError::unsupported("suffix", &args.join(" ")));
        }
        match s {
            "off" => self.suffix_off = true,
            "on" => {
                if self.suffix.is_none() {
                    return fail("suffix on: no suffix was set before (use suffix gpu)");
                }
                self.suffix_off = false;
            }
            // CPU accelerator suffixes: ferromd's CPU styles are its own multithreaded ones
            "gpu" | "omp" | "opt" | "intel" => {
                self.suffix = Some(s.to_string());
                self.suffix_off = false;
            }
            other => return Err(ScriptError::unsupported("suffix", other)),
        }
        Ok(())
    }

    /// `package gpu Ngpu [keyword value ...]` (also `-pk gpu ...`). One device is used:
    /// `Ngpu` must be 0 (all, LAMMPS's default) or 1. Keywords that only tune LAMMPS's own
    /// kernels (`tpa`, `blocksize`, `binsize`) are checked and have no effect; `neigh yes`,
    /// `newton off` and `split 1.0` state what ferromd does anyway (the list is built on
    /// the device, full, with all atoms there). Anything else is an error.
    pub fn package_command(&mut self, args: &[String]) -> ScriptResult<()> {
        match word(args, 0, "package style")? {
            "gpu" => {}
            other => return Err(ScriptError::unsupported("package", other)),
        }
        let ngpu = integer(args, 1, "package gpu Ngpu")?;
        if !(0..=1).contains(&ngpu) {
            return Err(ScriptError::unsupported(
                "package gpu",
                &format!("{ngpu} (ferromd drives one GPU: Ngpu 0 or 1)"),
            ));
        }
        let mut k = 2;
        while k < args.len() {
            let key = args[k].as_str();
            let value = word(args, k + 1, &format!("package gpu {key}"))?;
            match (key, value) {
                ("neigh", "yes") | ("newton", "off") => {}
                ("split", _) if float(args, k + 1, "package gpu split")? == 1.0 => {}
                ("tpa" | "blocksize", _) => {
                    if integer(args, k + 1, &format!("package gpu {key}"))? < 1 {
                        return fail(format!("package gpu {key} must be at least 1"));
                    }
                }
                ("binsize", _) => {
                    float(args, k + 1, "package gpu binsize")?;
                }
                _ => {
                    return Err(ScriptError::unsupported(
                        "package gpu",
                        &format!("{key} {value}"),
                    ));
                }
            }
            k += 2;
        }
        Ok(())
    }

    /// Where a run with pair style `pair` goes, given whether the pair style (`pair_gpu`)
    /// or a fix (`fix_gpu`) was named with an explicit `/gpu`.
    pub fn run_path(&self, pair: &str, pair_gpu: bool, fix_gpu: bool) -> ScriptResult<RunPath> {
        if !(self.gpu_suffix() || pair_gpu || fix_gpu) {
            return Ok(RunPath::Cpu);
        }
        if GPU_PAIR_STYLES.contains(&pair) {
            return Ok(RunPath::Gpu);
        }
        if LAMMPS_GPU_ONLY.contains(&pair) || pair_gpu {
            return fail(format!(
                "pair_style {pair} with the gpu suffix: ferromd's GPU path evaluates {} only; \
                 remove -sf gpu / suffix gpu (or give `suffix off` before the run) to run \
                 {pair} on the CPU",
                GPU_PAIR_STYLES.join(", ")
            ));
        }
        Ok(RunPath::CpuWithNote(format!(
            "NOTE: pair_style {pair} has no GPU variant (LAMMPS's GPU package has none \
             either): this run uses the CPU path"
        )))
    }
}

/// Splits an explicit `/gpu` suffix off a style name: `lj/cut/gpu` -> (`lj/cut`, true).
pub fn strip_gpu_suffix(style: &str) -> (&str, bool) {
    match style.strip_suffix("/gpu") {
        Some(base) if !base.is_empty() => (base, true),
        _ => (style, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn package_gpu_keywords_are_checked() {
        let mut a = Accelerator::default();
        a.package_command(&words("gpu 0 neigh yes newton off split 1.0 tpa 8"))
            .unwrap();
        for bad in [
            "gpu 2",
            "gpu 1 neigh no",
            "gpu 1 split 0.5",
            "gpu 1 gpuID 0 1",
            "kokkos",
            "gpu 1 tpa 0",
        ] {
            let e = a.package_command(&words(bad)).unwrap_err();
            assert!(e.message.contains("package"), "{bad}: {}", e.message);
        }
    }

    #[test]
    fn suffix_selects_the_path() {
        let mut a = Accelerator::default();
        assert_eq!(a.run_path("lj/cut", false, false).unwrap(), RunPath::Cpu);
        assert_eq!(a.run_path("lj/cut", true, false).unwrap(), RunPath::Gpu);
        assert_eq!(a.run_path("lj/cut", false, true).unwrap(), RunPath::Gpu);
        // fix nve/gpu with a style LAMMPS has no GPU variant of: host pair, as in LAMMPS
        assert!(matches!(
            a.run_path("lj/smooth/linear", false, true).unwrap(),
            RunPath::CpuWithNote(_)
        ));
        assert!(a.run_path("buck", true, false).is_err());
        a.suffix_command(&words("gpu")).unwrap();
        assert_eq!(a.run_path("eam/alloy", false, false).unwrap(), RunPath::Gpu);
        let e = a.run_path("tersoff", false, false).unwrap_err();
        assert!(e.message.contains("pair_style tersoff"), "{}", e.message);
        assert!(matches!(
            a.run_path("lj/smooth/linear", false, false).unwrap(),
            RunPath::CpuWithNote(_)
        ));
        a.suffix_command(&words("off")).unwrap();
        assert_eq!(a.run_path("lj/cut", false, false).unwrap(), RunPath::Cpu);
        a.suffix_command(&words("on")).unwrap();
        assert!(a.gpu_suffix());
        assert!(a.suffix_command(&words("kk")).is_err());
    }

    #[test]
    fn explicit_gpu_names_are_split() {
        assert_eq!(strip_gpu_suffix("lj/cut/gpu"), ("lj/cut", true));
        assert_eq!(strip_gpu_suffix("nve"), ("nve", false));
        assert_eq!(strip_gpu_suffix("/gpu"), ("/gpu", false));
    }
}

//! The command interpreter: state of a LAMMPS-style session and one handler per command.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use ferromd_core::cell::Cell;
use ferromd_core::io::lammps_data::AtomStyle;
use ferromd_core::nalgebra::{Matrix3, Vector3};
use ferromd_core::simulation::RunObserver;
use ferromd_core::thermo::format_g;
use ferromd_core::{
    IntegrationParameters, Integrator, NeighborSettings, Potential, Simulation, Species,
    StepContext, System, ThermoSample, UnitSystem,
};
use ferromd_integrators::minimize::{ConjugateGradient, Fire, MinParameters, Minimizer};
use ferromd_integrators::{
    Berendsen, BerendsenBarostat, Coupling, Csvr, Langevin, NoseHooverChain, VelocityVerlet,
};
use ferromd_potentials::mlip::{self, MlipOptions};
use ferromd_potentials::{CommitteeRecord, Eam, EamStyle, Mixing, NULL_ELEMENT};

use super::accelerator::{Accelerator, RunPath, strip_gpu_suffix};
use super::cformat::cformat;
use super::coefficient_styles::{PairModifiers, build_coefficient_style, is_coefficient_style};
use super::committee_files::CommitteeFiles;
use super::data_file::{read_data, write_data};
use super::dump::Dump;
use super::error::{ScriptError, ScriptResult, fail};
use super::fix_nh::barostat;
use super::formula::FormulaContext;
use super::geometry::{LammpsLattice, Region, lammps_remap_and_migrate};
use super::input::{Reference, logical_lines, split_words, strip_comment, substitute};
use super::manybody_styles::{MANYBODY_STYLES, build_manybody, check_manybody_args};
use super::modifiers::{Modified, MomentumFix, RecenterFix};
use super::observables::Observables;
use super::output::Output;
use super::pair_committee::{COMMITTEE_STYLE, build_committee, coeff_style, parse_committee};
use super::pair_coulomb::{COULOMB_STYLES, check_coulomb_coeff, coulomb_global_args};
use super::pair_hybrid::{HYBRID_STYLES, build_hybrid, coeff_target, parse_sub_styles};
use super::pair_styles::{PAIR_STYLES, global_args};
use super::pair_table::{check_table_coeff, table_args};
use super::pair_zbl::build_zbl;
use super::press_crescale::{bath_temperature, press_crescale};
use super::read_dump::read_dump;
use super::retain_atoms::retain_atoms;
use super::set_command::set_command;
use super::star_coeff::{file_and_elements, refuse_null_outside_hybrid};
use super::thermo::{
    Keyword, MODEL_DEVIATION_KEYWORDS, ThermoState, ThermoStyle, is_extensive, keyword_value,
};
use super::variables::Variables;
use super::velocity::velocity_command;
use super::words::{float, integer, order_pair_types, type_range, word, yes_no};

#[cfg(feature = "gpu")]
mod gpu_run;

/// Where echoed commands go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Echo {
    /// Echo to the screen.
    pub screen: bool,
    /// Echo to the log file.
    pub log: bool,
}

/// Pair style settings collected from `pair_style`, `pair_coeff` and `pair_modify`.
#[derive(Debug, Clone, Default)]
struct PairSettings {
    style: String,
    args: Vec<String>,
    coeffs: Vec<Vec<String>>,
    shift: bool,
    tail: bool,
    mixing: Mixing,
    /// Named with an explicit `/gpu` (`pair_style lj/cut/gpu`).
    explicit_gpu: bool,
}

/// A fix: ID, style and arguments.
#[derive(Debug, Clone, PartialEq)]
struct FixSpec {
    id: String,
    /// The style without an explicit `/gpu`.
    style: String,
    args: Vec<String>,
    /// Named with an explicit `/gpu` (`fix 1 all nve/gpu`).
    gpu: bool,
}

/// An integrator kept from the last run with the fixes, timestep and atom count it was
/// built for.
type KeptIntegrator = (Vec<FixSpec>, f64, usize, Box<dyn Integrator>);

/// A run's potential, with the record of its evaluations if it is a committee.
type BuiltPotential = (Box<dyn Potential>, Option<Arc<CommitteeRecord>>);

/// What a command asks of the file loop.
enum Flow {
    Next,
    Jump {
        file: Option<PathBuf>,
        label: Option<String>,
    },
}

/// A LAMMPS-style session.
pub struct Interpreter {
    out: Output,
    echo: Echo,
    vars: Variables,
    units: UnitSystem,
    atom_style: AtomStyle,
    dimension: usize,
    boundary: [String; 3],
    lattice: LammpsLattice,
    regions: HashMap<String, Region>,
    system: Option<System>,
    masses_set: Vec<bool>,
    pair: Option<PairSettings>,
    neighbor: NeighborSettings,
    skin_set: bool,
    timestep: Option<f64>,
    fixes: Vec<FixSpec>,
    dumps: Vec<Dump>,
    thermo_every: u64,
    thermo_style: ThermoStyle,
    step: u64,
    time: f64,
    last_sample: Option<ThermoSample>,
    skip_next_jump: bool,
    threads: usize,
    min_style: String,
    min_dmax: f64,
    /// The integrator of the last run and the fixes and timestep it was built from: reused
    /// by the next run if those are unchanged, so thermostat and barostat variables carry
    /// over between consecutive `run` commands as LAMMPS fix state does.
    kept_integrator: Option<KeptIntegrator>,
    /// Computes and `fix ave/time` averages.
    observables: Observables,
    /// `package gpu` and `suffix` settings.
    accel: Accelerator,
    /// The files of the current `pair_style committee`.
    committee_files: Option<CommitteeFiles>,
    /// The step of the last `read_restart` while no `pair_style committee` has followed
    /// it: that command then continues its files instead of starting them anew.
    restart_step: Option<u64>,
    /// The GPU opened by the first run on the GPU path, kept for later runs.
    #[cfg(feature = "gpu")]
    gpu_context: Option<std::sync::Arc<ferromd_gpu::GpuContext>>,
    /// Set by a signal handler to stop the script cleanly (see [`Interpreter::stop_on`]).
    stop: Option<Arc<AtomicBool>>,
    /// The script given to [`Interpreter::run_file`] (names the interrupt restart file).
    script: Option<PathBuf>,
}

impl Interpreter {
    /// A fresh session writing to `out`, with `-var` definitions applied first.
    pub fn new(out: Output, echo: Echo, variables: &[(String, Vec<String>)]) -> Self {
        let mut vars = Variables::new();
        for (name, values) in variables {
            vars.define_index(name, values.clone());
        }
        Interpreter {
            out,
            echo,
            vars,
            units: UnitSystem::Lj,
            atom_style: AtomStyle::Atomic,
            dimension: 3,
            boundary: ["pp".into(), "pp".into(), "pp".into()],
            lattice: LammpsLattice::none(),
            regions: HashMap::new(),
            system: None,
            masses_set: Vec::new(),
            pair: None,
            // LAMMPS 29Sep2021 defaults: every 1, delay 10, check yes
            neighbor: NeighborSettings {
                delay: 10,
                ..NeighborSettings::with_skin(UnitSystem::Lj.constants().default_skin)
            },
            skin_set: false,
            timestep: None,
            fixes: Vec::new(),
            dumps: Vec::new(),
            thermo_every: 0,
            thermo_style: ThermoStyle::one(),
            step: 0,
            time: 0.0,
            last_sample: None,
            skip_next_jump: false,
            threads: rayon::current_num_threads(),
            min_style: "cg".into(),
            min_dmax: 0.1,
            kept_integrator: None,
            observables: Observables::default(),
            accel: Accelerator::default(),
            committee_files: None,
            restart_step: None,
            #[cfg(feature = "gpu")]
            gpu_context: None,
            stop: None,
            script: None,
        }
    }

    /// Applies the accelerator switches of the command line (`-sf STYLE`, then each
    /// `-pk STYLE ARGS...`) before the script runs.
    pub fn command_line_switches(
        &mut self,
        suffix: Option<&str>,
        packages: &[Vec<String>],
    ) -> ScriptResult<()> {
        if let Some(s) = suffix {
            self.accel.suffix_command(&[s.to_string()])?;
        }
        for p in packages {
            self.accel.package_command(p)?;
        }
        Ok(())
    }

    /// The output (for captured runs).
    pub fn output(&self) -> &Output {
        &self.out
    }

    /// The current atoms, once a box exists.
    pub fn system(&self) -> Option<&System> {
        self.system.as_ref()
    }

    /// The thermodynamic state at the end of the last run.
    pub fn last_sample(&self) -> Option<&ThermoSample> {
        self.last_sample.as_ref()
    }

    /// Stops the script cleanly when `flag` is set (by a SIGINT/SIGTERM handler): a run
    /// finishes its current step, a restart file is written (atomically) and the script
    /// ends with an [`ScriptError::interrupted`] error saying how to continue.
    pub fn stop_on(&mut self, flag: Arc<AtomicBool>) {
        self.stop = Some(flag);
    }

    fn stop_requested(&self) -> bool {
        self.stop.as_ref().is_some_and(|s| s.load(Ordering::SeqCst))
    }

    /// The restart file of an interrupted script: `SCRIPT.restart` in the working
    /// directory.
    fn interrupt_restart_path(&self) -> PathBuf {
        let name = self
            .script
            .as_ref()
            .and_then(|p| p.file_name())
            .map_or_else(|| "ferromd".into(), |n| n.to_string_lossy().into_owned());
        PathBuf::from(format!("{name}.restart"))
    }

    /// Writes the restart file of an interrupted script and the error that ends it;
    /// `end` is the step the interrupted run would have reached.
    fn interrupted(&mut self, end: Option<u64>) -> ScriptError {
        let path = self.interrupt_restart_path();
        let restart = if self.system.is_some() {
            self.write_restart(&path)
                .map(|()| path.display().to_string())
        } else {
            Err(ScriptError::new("no atoms yet, so no restart file"))
        };
        let step = self.step;
        let message = match (restart, end) {
            (Ok(file), Some(end)) => format!(
                "interrupted after step {step} of a run to step {end}; restart file written \
                 to {file}\n  continue with a script that reads `read_restart {file}`, \
                 defines the pair style, computes and fixes again (fix ave/time with \
                 `append FILE` continues its file) and runs `run {end} upto`"
            ),
            (Ok(file), None) => format!(
                "interrupted at step {step} before this line; restart file written to \
                 {file}\n  continue with a script that reads `read_restart {file}` and \
                 defines the pair style, computes and fixes again"
            ),
            (Err(e), _) => format!("interrupted at step {step} ({})", e.message),
        };
        let _ = self.out.line(&format!("Interrupted: {message}"));
        ScriptError::interrupted(message)
    }

    /// Writes the atoms, box, step, timestep, neighbor settings, the integrator's state
    /// and the computes' and time averages' states to `path` (atomically).
    fn write_restart(&self, path: &Path) -> ScriptResult<()> {
        let system = self.system_ref("write_restart")?.clone();
        let (integrator_name, integrator_state) = match &self.kept_integrator {
            Some((_, _, _, i)) => (i.name().to_string(), i.save_state()),
            None => ("none".to_string(), Vec::new()),
        };
        let checkpoint = ferromd_core::checkpoint::Checkpoint {
            step: self.step,
            units: self.units,
            params: IntegrationParameters {
                dt: self.dt(),
                neighbor: self.neighbor,
            },
            system,
            energy: None,
            virial: None,
            neighbor: None,
            integrator_name,
            integrator_state,
            potential_name: self
                .pair
                .as_ref()
                .map_or("none".into(), |p| p.style.clone()),
            potential_cutoff: 0.0,
            extra: vec![("time_bits".into(), self.time.to_bits())],
            observables: self.observables.save(),
        };
        checkpoint
            .write(path)
            .map_err(|e| ScriptError::new(format!("write_restart: {e}")))
    }

    fn say(&mut self, text: &str) -> ScriptResult<()> {
        self.out
            .line(text)
            .map_err(|e| ScriptError::new(format!("cannot write output: {e}")))
    }

    /// Runs a script file, following `include` and `jump`.
    pub fn run_file(&mut self, path: &Path) -> ScriptResult<()> {
        self.script.get_or_insert_with(|| path.to_path_buf());
        let mut file = path.to_path_buf();
        let mut label: Option<String> = None;
        loop {
            match self.run_one_file(&file, label.take())? {
                Flow::Next => return Ok(()),
                Flow::Jump { file: f, label: l } => {
                    if let Some(f) = f {
                        file = f;
                    }
                    label = l;
                }
            }
        }
    }

    fn run_one_file(&mut self, path: &Path, mut seek_label: Option<String>) -> ScriptResult<Flow> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ScriptError::new(format!("cannot open input script {name}: {e}")))?;
        for line in logical_lines(&text) {
            let stripped = strip_comment(&line.text).trim().to_string();
            if let Some(l) = &seek_label {
                let words = split_words(&stripped).unwrap_or_default();
                if words.len() >= 2 && words[0] == "label" && &words[1] == l {
                    seek_label = None;
                }
                continue;
            }
            match self
                .execute(&stripped)
                .map_err(|e| e.at(&name, line.line))?
            {
                Flow::Next => {}
                jump @ Flow::Jump { .. } => return Ok(jump),
            }
        }
        if let Some(l) = seek_label {
            return fail(format!("label {l} not found in {name}"));
        }
        Ok(Flow::Next)
    }

    /// Executes one command line (comment already removed).
    fn execute(&mut self, text: &str) -> ScriptResult<Flow> {
        if text.is_empty() {
            return Ok(Flow::Next);
        }
        let substituted = {
            let normalize = self.normalize();
            let state_sample = self.last_sample;
            let vars = &self.vars;
            let mut resolve = |r: &Reference| -> ScriptResult<String> {
                let mut ctx = FormulaContext {
                    vars,
                    state: None,
                    normalize,
                    depth: 0,
                };
                let bounds;
                if let Some(s) = state_sample.as_ref() {
                    bounds = Default::default();
                    ctx.state = Some(simple_state(s, bounds));
                }
                match r {
                    Reference::Variable(n) => ctx.substitute_variable(n),
                    Reference::Immediate { expression, format } => {
                        let v = ctx.evaluate(expression)?;
                        match format {
                            Some(f) => cformat(f, v).ok_or_else(|| {
                                ScriptError::new(format!(
                                    "invalid format `{f}` in immediate variable"
                                ))
                            }),
                            None => Ok(format_g(v, 20)),
                        }
                    }
                }
            };
            substitute(text, &mut resolve)?
        };
        if self.echo.screen {
            let _ = self.out.screen_only(&substituted);
        }
        if self.echo.log {
            let _ = self.out.log_only(&substituted);
        }
        let words = split_words(&substituted)?;
        let Some((command, args)) = words.split_first() else {
            return Ok(Flow::Next);
        };
        self.command(command, args)
    }

    fn normalize(&self) -> bool {
        self.thermo_style
            .norm
            .unwrap_or(self.units == UnitSystem::Lj)
    }

    fn command(&mut self, command: &str, args: &[String]) -> ScriptResult<Flow> {
        if self.stop_requested() {
            return Err(self.interrupted(None));
        }
        match command {
            "units" => self.units_command(args)?,
            "dimension" => {
                self.require_no_box("dimension")?;
                self.dimension = match word(args, 0, "dimension")? {
                    "2" => 2,
                    "3" => 3,
                    other => return fail(format!("dimension `{other}` must be 2 or 3")),
                };
            }
            "boundary" => self.boundary_command(args)?,
            "atom_style" => {
                self.require_no_box("atom_style")?;
                let name = word(args, 0, "atom style")?;
                self.atom_style = AtomStyle::from_name(name)
                    .ok_or_else(|| ScriptError::unsupported("atom_style", name))?;
                if args.len() > 1 {
                    return fail(format!("atom_style {name} takes no arguments"));
                }
            }
            "set" => {
                let system = self.system_mut("set")?;
                let count = set_command(args, system)?;
                self.say(&format!("  {count} settings made for {}", args[2]))?;
            }
            "atom_modify" => {
                let mut k = 0;
                while k < args.len() {
                    match args[k].as_str() {
                        "map" | "sort" if args.len() > k + 1 => {}
                        other => return Err(ScriptError::unsupported("atom_modify", other)),
                    }
                    k += if args[k] == "sort" { 3 } else { 2 };
                }
            }
            "newton" => {
                if args.iter().any(|a| a != "on") {
                    return Err(ScriptError::unsupported("newton", "off"));
                }
            }
            "processors" => {
                if args.iter().take(3).any(|a| a != "*" && a != "1") {
                    return Err(ScriptError::unsupported("processors", &args.join(" ")));
                }
            }
            "lattice" => {
                self.lattice =
                    LammpsLattice::parse(args, self.units == UnitSystem::Lj, self.dimension)?;
                let s = self.lattice.spacing;
                if self.lattice.style != "none" {
                    self.say(&format!(
                        "Lattice spacing in x,y,z = {} {} {}",
                        format_g(s.x, 8),
                        format_g(s.y, 8),
                        format_g(s.z, 8)
                    ))?;
                }
            }
            "region" => {
                let id = word(args, 0, "region ID")?.to_string();
                let bounds = self
                    .system
                    .as_ref()
                    .and_then(|s| s.cell.lammps_bounds())
                    .map(|(lo, hi, _)| (lo, hi));
                let region = Region::parse(&args[1..], &self.lattice, bounds)?;
                self.regions.insert(id, region);
            }
            "create_box" => self.create_box(args)?,
            "read_data" => {
                self.require_no_box("read_data")?;
                let file = word(args, 0, "data file")?;
                if args.len() > 1 {
                    return Err(ScriptError::unsupported("read_data", &args[1]));
                }
                let (system, masses_set) = read_data(
                    Path::new(file),
                    self.periodic(),
                    self.dimension,
                    self.atom_style,
                )?;
                let n = system.len();
                self.masses_set = masses_set;
                self.system = Some(system);
                self.say(&format!("  {n} atoms read from {file}"))?;
            }
            "write_restart" => {
                let file = word(args, 0, "restart file")?;
                if args.len() > 1 {
                    return Err(ScriptError::unsupported("write_restart", &args[1]));
                }
                self.write_restart(Path::new(file))?;
            }
            "read_restart" => {
                self.require_no_box("read_restart")?;
                let file = word(args, 0, "restart file")?;
                if args.len() > 1 {
                    return Err(ScriptError::unsupported("read_restart", &args[1]));
                }
                let c = ferromd_core::checkpoint::Checkpoint::read(Path::new(file))
                    .map_err(|e| ScriptError::new(format!("read_restart: {e}")))?;
                self.units = c.units;
                self.step = c.step;
                self.restart_step = Some(c.step);
                self.time = c
                    .extra("time_bits")
                    .map_or(c.step as f64 * c.params.dt, f64::from_bits);
                self.timestep = Some(c.params.dt);
                self.neighbor = c.params.neighbor;
                self.skin_set = true;
                self.dimension = c.system.dimension;
                let periodic = c.system.cell.periodic();
                for (a, b) in self.boundary.iter_mut().enumerate() {
                    *b = if periodic[a] || (a == 2 && self.dimension == 2) {
                        "pp".into()
                    } else {
                        "ff".into()
                    };
                }
                self.masses_set = vec![true; c.system.n_types()];
                self.observables.restored(c.observables);
                let n = c.system.len();
                self.system = Some(c.system);
                self.say(&format!(
                    "  {n} atoms read from restart file {file} (step {})",
                    self.step
                ))?;
            }
            "read_dump" => {
                let r = read_dump(args, self.system_mut("read_dump")?)?;
                // LAMMPS continues from the snapshot's timestep
                self.step = r.step;
                self.time = self.step as f64 * self.dt();
                self.say(&format!(
                    "  {} atoms in snapshot\n  {} atoms purged\n  {} atoms replaced\n  \
                     {} atoms trimmed\n  {} atoms added\n  {} atoms after read",
                    r.in_snapshot, r.purged, r.replaced, r.trimmed, r.added, r.after
                ))?;
            }
            "write_data" => {
                let file = word(args, 0, "data file")?;
                if args.len() > 1 {
                    return Err(ScriptError::unsupported("write_data", &args[1]));
                }
                let step = self.step;
                write_data(Path::new(file), self.system_ref("write_data")?, step)?;
            }
            "create_atoms" => self.create_atoms(args)?,
            "mass" => self.mass_command(args)?,
            "velocity" => {
                self.require_group(args.first())?;
                let spacing = self.lattice.spacing;
                let units = self.units.constants();
                let system = self.system_mut("velocity")?;
                velocity_command(&args[1..], system, &units, spacing)?;
            }
            "displace_atoms" => self.displace_atoms(args)?,
            "delete_atoms" => self.delete_atoms(args)?,
            "pair_style" => {
                let raw = word(args, 0, "pair style")?;
                let (style, explicit_gpu) = strip_gpu_suffix(raw);
                match style {
                    s if PAIR_STYLES.contains(&s) => {
                        let n = global_args(s);
                        if args.len() != 1 + n {
                            return fail(format!("pair_style {s} takes {n} argument(s)"));
                        }
                        for k in 1..=n {
                            float(args, k, "pair_style argument")?;
                        }
                    }
                    s if MANYBODY_STYLES.contains(&s) => check_manybody_args(s, &args[1..])?,
                    "eam" | "eam/alloy" | "eam/fs" => {
                        if args.len() > 1 {
                            return fail(format!("pair_style {style} takes no arguments"));
                        }
                    }
                    "table" => {
                        table_args(&args[1..])?;
                    }
                    "zbl" => {
                        if args.len() != 3 {
                            return fail("pair_style zbl takes 2 arguments (inner, outer cutoff)");
                        }
                        float(args, 1, "zbl inner cutoff")?;
                        float(args, 2, "zbl outer cutoff")?;
                    }
                    s if HYBRID_STYLES.contains(&s) => {
                        parse_sub_styles(s, &args[1..])?;
                    }
                    COMMITTEE_STYLE => {
                        let settings = parse_committee(&args[1..])?;
                        let restart = self.restart_step.take();
                        self.committee_files = Some(CommitteeFiles::open(&settings, restart)?);
                    }
                    "e3gnn" | "mace" | "nequip" => {
                        mlip_style_args(style, &args[1..])?;
                    }
                    s if COULOMB_STYLES.contains(&s) => {
                        let (lo, hi) = coulomb_global_args(s);
                        if args.len() < 1 + lo || args.len() > 1 + hi {
                            return fail(format!("pair_style {s} takes {lo} to {hi} argument(s)"));
                        }
                        for k in 1..args.len() {
                            float(args, k, "pair_style argument")?;
                        }
                    }
                    _ => return Err(ScriptError::unsupported("pair_style", raw)),
                }
                if style != COMMITTEE_STYLE {
                    self.committee_files = None;
                }
                self.pair = Some(PairSettings {
                    style: style.to_string(),
                    args: args[1..].to_vec(),
                    explicit_gpu,
                    ..Default::default()
                });
            }
            "pair_coeff" => {
                let n_types = self.system_ref("pair_coeff")?.n_types();
                let Some(pair) = self.pair.as_mut() else {
                    return fail("pair_coeff command before pair_style is defined");
                };
                if args.len() < 2 {
                    return fail("pair_coeff needs two type ranges and coefficients");
                }
                let mut args = args.to_vec();
                order_pair_types(&mut args, n_types)?;
                let mut style = pair.style.clone();
                let mut style_args = pair.args.clone();
                if HYBRID_STYLES.contains(&style.as_str()) {
                    // check the sub-style now, then treat the line as that sub-style's
                    let subs = parse_sub_styles(&style, &pair.args)?;
                    let (k, line) = coeff_target(&style, &subs, &args)?;
                    pair.coeffs.push(args.clone());
                    style = args[2].clone();
                    args = line;
                    if let Some(k) = k {
                        style_args = subs[k].args.clone();
                    }
                } else if style == COMMITTEE_STYLE {
                    // the line of one member: check it as that member's own line
                    let settings = parse_committee(&pair.args)?;
                    let (member_style, member_args, line) = coeff_style(&settings, &args)?;
                    pair.coeffs.push(args.clone());
                    (style, style_args, args) = (member_style, member_args, line);
                } else {
                    pair.coeffs.push(args.clone());
                }
                let args = args.as_slice();
                if COULOMB_STYLES.contains(&style.as_str()) {
                    check_coulomb_coeff(&style, args)?;
                }
                if style == "table" {
                    // read the table now: errors in the file point at this line
                    check_table_coeff(&style_args, args, self.units)?;
                }
                if style == "zbl" {
                    // charges are checked at this line, as LAMMPS does
                    build_zbl(&style_args, &[args.to_vec()], n_types, self.units, true)?;
                }
                if matches!(style.as_str(), "e3gnn" | "mace" | "nequip") {
                    // load the model now: a bad file or element is reported at this line
                    mlip_from_coeffs(&style, &style_args, &[args.to_vec()], n_types, self.units)?;
                }
                if MANYBODY_STYLES.contains(&style.as_str()) {
                    // read the file now: errors point at this line (a NULL type is an
                    // error only at the run, when no hybrid covers it)
                    build_manybody(&style, &[args.to_vec()], n_types, true)?;
                }
                if style.starts_with("eam") {
                    // read the file now: errors point at this line, and masses come from it
                    let all = vec![true; n_types];
                    let eam = eam_from_coeffs(&style, &[args.to_vec()], n_types, Some(&all))?;
                    let system = self.system.as_mut().expect("checked");
                    for (t, &m) in eam.masses().iter().enumerate() {
                        if m > 0.0
                            && (style != "eam" || type_range(&args[0], n_types)?.contains(&(t + 1)))
                        {
                            system.species[t].mass = m;
                            self.masses_set[t] = true;
                        }
                    }
                    system.refresh_masses();
                }
            }
            "pair_modify" => {
                let Some(pair) = self.pair.as_mut() else {
                    return fail("pair_modify command before pair_style is defined");
                };
                let mut k = 0;
                while k < args.len() {
                    match args[k].as_str() {
                        "shift" => pair.shift = yes_no(args, k + 1, "pair_modify shift")?,
                        "mix" => {
                            let m = word(args, k + 1, "pair_modify mix")?;
                            pair.mixing = Mixing::from_name(m).ok_or_else(|| ScriptError::new(format!("pair_modify mix `{m}` must be geometric, arithmetic or sixthpower")))?;
                        }
                        "tail" => pair.tail = yes_no(args, k + 1, "pair_modify tail")?,
                        other => return Err(ScriptError::unsupported("pair_modify", other)),
                    }
                    k += 2;
                }
            }
            "neighbor" => {
                let skin = float(args, 0, "neighbor skin")?;
                if skin < 0.0 {
                    return fail(format!("neighbor skin {skin} must not be negative"));
                }
                match word(args, 1, "neighbor style")? {
                    "bin" | "nsq" => {}
                    other => return Err(ScriptError::unsupported("neighbor", other)),
                }
                self.neighbor.skin = skin;
                self.skin_set = true;
            }
            "neigh_modify" => self.neigh_modify(args)?,
            "timestep" => {
                let dt = float(args, 0, "timestep")?;
                if dt <= 0.0 {
                    return fail(format!("timestep {dt} must be positive"));
                }
                self.timestep = Some(dt);
            }
            "fix" => self.fix_command(args)?,
            "compute" => {
                self.require_group(args.get(1))?;
                self.observables
                    .compute_command(args, self.system.as_ref())?
            }
            "uncompute" => self.observables.uncompute(args)?,
            "comm_modify" => comm_modify(args)?,
            "unfix" => {
                let id = word(args, 0, "fix ID")?;
                let before = self.fixes.len();
                self.fixes.retain(|f| f.id != id);
                if self.fixes.len() == before && !self.observables.unfix(id) {
                    return fail(format!("could not find fix ID {id} to delete"));
                }
            }
            "thermo" => {
                let n = integer(args, 0, "thermo interval")?;
                if n < 0 {
                    return fail("thermo interval must not be negative");
                }
                self.thermo_every = n as u64;
            }
            "thermo_style" => {
                let norm = self.thermo_style.norm;
                self.thermo_style = match word(args, 0, "thermo style")? {
                    "one" => ThermoStyle::one(),
                    "custom" => ThermoStyle::custom(&args[1..])?,
                    "multi" => ThermoStyle::multi(),
                    other => return Err(ScriptError::unsupported("thermo_style", other)),
                };
                self.thermo_style.norm = norm;
            }
            "thermo_modify" => self.thermo_style.modify(args)?,
            "dump" => {
                let d = Dump::parse(args)?;
                if self.dumps.iter().any(|x| x.id == d.id) {
                    return fail(format!("reuse of dump ID {}", d.id));
                }
                self.dumps.push(d);
            }
            "dump_modify" => {
                let id = word(args, 0, "dump ID")?;
                let Some(d) = self.dumps.iter_mut().find(|d| d.id == id) else {
                    return fail(format!("could not find dump_modify ID {id}"));
                };
                d.modify(&args[1..])?;
            }
            "undump" => {
                let id = word(args, 0, "dump ID")?;
                let before = self.dumps.len();
                self.dumps.retain(|d| d.id != id);
                if before == self.dumps.len() {
                    return fail(format!("could not find undump ID {id}"));
                }
            }
            "run" => self.run_command(args)?,
            "package" => self.accel.package_command(args)?,
            "suffix" => self.accel.suffix_command(args)?,
            "minimize" => self.minimize_command(args)?,
            "min_style" => {
                self.min_style = match word(args, 0, "min_style")? {
                    s @ ("cg" | "fire") => s.to_string(),
                    other => return Err(ScriptError::unsupported("min_style", other)),
                };
            }
            "min_modify" => {
                let mut k = 0;
                while k < args.len() {
                    match args[k].as_str() {
                        "dmax" => {
                            let d = float(args, k + 1, "min_modify dmax")?;
                            if d <= 0.0 {
                                return fail("min_modify dmax must be positive");
                            }
                            self.min_dmax = d;
                        }
                        other => return Err(ScriptError::unsupported("min_modify", other)),
                    }
                    k += 2;
                }
            }
            "reset_timestep" => {
                let n = integer(args, 0, "reset_timestep step")?;
                if n < 0 {
                    return fail("reset_timestep step must not be negative");
                }
                self.step = n as u64;
                self.time = self.step as f64 * self.dt();
            }
            "variable" => self.vars.command(args)?,
            "next" => {
                if self.vars.next(args)? {
                    self.skip_next_jump = true;
                }
            }
            "print" => self.print_command(args)?,
            "echo" => {
                self.echo = match word(args, 0, "echo style")? {
                    "none" => Echo::default(),
                    "screen" => Echo {
                        screen: true,
                        log: false,
                    },
                    "log" => Echo {
                        screen: false,
                        log: true,
                    },
                    "both" => Echo {
                        screen: true,
                        log: true,
                    },
                    other => {
                        return fail(format!("echo `{other}` must be none, screen, log or both"));
                    }
                };
            }
            "log" => {
                let file = word(args, 0, "log file")?;
                let append = args.get(1).map(String::as_str) == Some("append");
                let path = (file != "none").then(|| PathBuf::from(file));
                self.out
                    .set_log(path.as_deref(), append)
                    .map_err(|e| ScriptError::new(format!("cannot open log file {file}: {e}")))?;
            }
            "include" => {
                let file = PathBuf::from(word(args, 0, "include file")?);
                self.run_file(&file)?;
            }
            "label" => {
                word(args, 0, "label name")?;
            }
            "jump" => {
                let file = word(args, 0, "jump file")?;
                if self.skip_next_jump {
                    self.skip_next_jump = false;
                    return Ok(Flow::Next);
                }
                let label = args.get(1).cloned();
                let file = (file != "SELF").then(|| PathBuf::from(file));
                return Ok(Flow::Jump { file, label });
            }
            "clear" => return Err(ScriptError::unsupported("clear", "")),
            other => {
                return Err(ScriptError::new(format!(
                    "{other} is not supported by ferromd (unknown command or not yet implemented)"
                )));
            }
        }
        Ok(Flow::Next)
    }

    fn dt(&self) -> f64 {
        self.timestep
            .unwrap_or(self.units.constants().default_timestep)
    }

    fn require_no_box(&self, what: &str) -> ScriptResult<()> {
        if self.system.is_some() {
            return fail(format!("{what} command after simulation box is defined"));
        }
        Ok(())
    }

    fn require_group(&self, group: Option<&String>) -> ScriptResult<()> {
        match group.map(String::as_str) {
            Some("all") => Ok(()),
            Some(g) => Err(ScriptError::new(format!(
                "group {g} is not supported by ferromd (only the group all exists)"
            ))),
            None => fail("missing group ID"),
        }
    }

    fn system_ref(&self, what: &str) -> ScriptResult<&System> {
        self.system.as_ref().ok_or_else(|| {
            ScriptError::new(format!("{what} command before simulation box is defined"))
        })
    }

    fn system_mut(&mut self, what: &str) -> ScriptResult<&mut System> {
        self.system.as_mut().ok_or_else(|| {
            ScriptError::new(format!("{what} command before simulation box is defined"))
        })
    }

    fn units_command(&mut self, args: &[String]) -> ScriptResult<()> {
        self.require_no_box("units")?;
        let name = word(args, 0, "units style")?;
        self.units = name.parse().map_err(|_| {
            if ["si", "cgs", "electron", "micro", "nano"].contains(&name) {
                ScriptError::unsupported("units", name)
            } else {
                ScriptError::new(format!("units `{name}` is not a LAMMPS unit style"))
            }
        })?;
        if !self.skin_set {
            self.neighbor.skin = self.units.constants().default_skin;
        }
        self.lattice = LammpsLattice::none();
        Ok(())
    }

    fn boundary_command(&mut self, args: &[String]) -> ScriptResult<()> {
        self.require_no_box("boundary")?;
        if args.len() != 3 {
            return fail("boundary needs 3 styles, one per axis");
        }
        for (a, w) in args.iter().enumerate() {
            let w = if w.len() == 1 {
                format!("{w}{w}")
            } else {
                w.clone()
            };
            let ok = matches!(w.as_str(), "pp" | "ff");
            if !ok {
                if w.contains('p') {
                    return fail(format!(
                        "boundary `{w}`: both sides must be periodic or neither"
                    ));
                }
                return Err(ScriptError::unsupported("boundary", &w));
            }
            self.boundary[a] = w;
        }
        Ok(())
    }

    fn periodic(&self) -> [bool; 3] {
        let mut p = [0, 1, 2].map(|a| self.boundary[a] == "pp");
        if self.dimension == 2 {
            // 2-d: no images along z
            p[2] = false;
        }
        p
    }

    fn boundary_string(&self) -> String {
        self.boundary.join(" ")
    }

    fn create_box(&mut self, args: &[String]) -> ScriptResult<()> {
        self.require_no_box("create_box")?;
        let n = integer(args, 0, "number of atom types")?;
        if n < 1 {
            return fail(format!("create_box needs at least 1 atom type, got {n}"));
        }
        let id = word(args, 1, "region ID")?;
        let region = self
            .regions
            .get(id)
            .ok_or_else(|| ScriptError::new(format!("create_box region {id} does not exist")))?
            .clone();
        if args.len() > 2 {
            return Err(ScriptError::unsupported("create_box", &args[2]));
        }
        if self.dimension == 2 && (region.lo.z > 0.0 || region.hi.z < 0.0) {
            return fail("2-d simulation box must span z = 0");
        }
        if self.dimension == 2 && (region.tilt[1] != 0.0 || region.tilt[2] != 0.0) {
            return fail("2-d simulation box cannot have xz or yz tilt");
        }
        if region
            .lo
            .iter()
            .chain(region.hi.iter())
            .any(|v| v.abs() >= 1e19)
        {
            return fail("create_box region must be finite (no INF bounds)");
        }
        let cell = Cell::triclinic_lammps(region.lo, region.hi, region.tilt)
            .map_err(|e| ScriptError::new(format!("create_box: {e}")))?
            .with_periodicity(self.periodic());
        let species = (1..=n).map(|t| Species::new(t.to_string(), 1.0)).collect();
        let mut system = System::new(cell, species);
        system.dimension = self.dimension;
        if self.atom_style == AtomStyle::Charge {
            system.enable_charges();
        }
        self.masses_set = vec![false; n as usize];
        self.system = Some(system);
        let (lo, hi, _) = (region.lo, region.hi, ());
        let kind = if region.prism {
            "triclinic"
        } else {
            "orthogonal"
        };
        self.say(&format!(
            "Created {kind} box = ({} {} {}) to ({} {} {})",
            format_g(lo.x, 8),
            format_g(lo.y, 8),
            format_g(lo.z, 8),
            format_g(hi.x, 8),
            format_g(hi.y, 8),
            format_g(hi.z, 8)
        ))
    }

    fn create_atoms(&mut self, args: &[String]) -> ScriptResult<()> {
        let n_types = self.system_ref("create_atoms")?.n_types();
        let t = integer(args, 0, "atom type")?;
        if t < 1 || t as usize > n_types {
            return fail(format!("create_atoms type {t} is outside 1..{n_types}"));
        }
        let style = word(args, 1, "create_atoms style")?;
        let (region, mut k) = match style {
            "box" => (None, 2),
            "region" => {
                let id = word(args, 2, "region ID")?;
                let r = self.regions.get(id).ok_or_else(|| {
                    ScriptError::new(format!("create_atoms region {id} does not exist"))
                })?;
                (Some(r.clone()), 3)
            }
            "single" | "random" => return Err(ScriptError::unsupported("create_atoms", style)),
            other => {
                return fail(format!(
                    "create_atoms style `{other}` must be box, region, single or random"
                ));
            }
        };
        if self.lattice.basis.is_empty() {
            return fail("cannot create atoms with undefined lattice");
        }
        let mut basis_types = vec![(t - 1) as u32; self.lattice.basis.len()];
        while k < args.len() {
            match args[k].as_str() {
                "basis" => {
                    let m = integer(args, k + 1, "basis index")?;
                    let bt = integer(args, k + 2, "basis type")?;
                    if m < 1 || m as usize > basis_types.len() || bt < 1 || bt as usize > n_types {
                        return fail(format!("create_atoms basis {m} {bt} is out of range"));
                    }
                    basis_types[m as usize - 1] = (bt - 1) as u32;
                    k += 3;
                }
                other => return Err(ScriptError::unsupported("create_atoms", other)),
            }
        }
        let lattice = self.lattice.clone();
        let periodic = self.periodic();
        let dimension = self.dimension;
        let system = self.system.as_mut().expect("checked above");
        let cell = system.cell.clone();
        // limits in fractional coordinates, as LAMMPS sets them: along periodic axes a
        // point just below the lower face is kept and one on the upper face dropped
        const EPS: f64 = 1e-6;
        let mut lo = [0.0; 3];
        let mut hi = [1.0; 3];
        for a in 0..3 {
            if periodic[a] {
                lo[a] -= EPS;
                hi[a] -= 2.0 * EPS;
            }
        }
        // lattice-index bounds from the box corners
        let mut lmin = Vector3::repeat(f64::INFINITY);
        let mut lmax = Vector3::repeat(f64::NEG_INFINITY);
        for c in 0..8 {
            let s = Vector3::new((c & 1) as f64, ((c >> 1) & 1) as f64, ((c >> 2) & 1) as f64);
            let l = lattice.to_lattice(cell.to_cartesian(&s));
            lmin = lmin.inf(&l);
            lmax = lmax.sup(&l);
        }
        let range = |a: usize| (lmin[a].floor() as i64 - 1)..=(lmax[a].ceil() as i64 + 1);
        let total = range(0).count() * range(1).count() * range(2).count() * lattice.basis.len();
        if total > 2_000_000_000 {
            return fail("create_atoms would place more than 2e9 lattice points");
        }
        let before = system.len();
        let mut next_id = system.ids.iter().max().copied().unwrap_or(0);
        for kk in range(2) {
            for jj in range(1) {
                for ii in range(0) {
                    for (m, b) in lattice.basis.iter().enumerate() {
                        let x = lattice.to_box(Vector3::new(
                            ii as f64 + b.x,
                            jj as f64 + b.y,
                            kk as f64 + b.z,
                        ));
                        if dimension == 2 && x.z != 0.0 {
                            continue;
                        }
                        let s = cell.to_fractional(&x);
                        if (0..3).any(|a| s[a] < lo[a] || s[a] >= hi[a]) {
                            continue;
                        }
                        if let Some(r) = &region
                            && !r.contains(&x)
                        {
                            continue;
                        }
                        let ty = basis_types[m];
                        next_id += 1;
                        system.positions.push(x);
                        system.velocities.push(Vector3::zeros());
                        system.forces.push(Vector3::zeros());
                        system.masses.push(system.species[ty as usize].mass);
                        system.types.push(ty);
                        system.ids.push(next_id);
                        system.images.push([0; 3]);
                        if let Some(q) = &mut system.charges {
                            q.push(0.0);
                        }
                    }
                }
            }
        }
        let created = system.len() - before;
        self.say(&format!("Created {created} atoms"))
    }

    fn mass_command(&mut self, args: &[String]) -> ScriptResult<()> {
        let n_types = self.system_ref("mass")?.n_types();
        let range = type_range(word(args, 0, "mass type")?, n_types)?;
        let m = float(args, 1, "mass value")?;
        if m <= 0.0 {
            return fail(format!("invalid mass value {m}: masses must be positive"));
        }
        let system = self.system.as_mut().expect("checked");
        for t in range {
            system.species[t - 1].mass = m;
            self.masses_set[t - 1] = true;
        }
        system.refresh_masses();
        Ok(())
    }

    fn displace_atoms(&mut self, args: &[String]) -> ScriptResult<()> {
        self.require_group(args.first())?;
        let spacing = self.lattice.spacing;
        let style = word(args, 1, "displace_atoms style")?.to_string();
        let n_args = match style.as_str() {
            "move" => 3,
            "random" => 4,
            other => return Err(ScriptError::unsupported("displace_atoms", other)),
        };
        let mut lattice_units = true;
        let mut k = 2 + n_args;
        while k < args.len() {
            match args[k].as_str() {
                "units" => {
                    lattice_units = match word(args, k + 1, "units")? {
                        "lattice" => true,
                        "box" => false,
                        other => {
                            return fail(format!(
                                "displace_atoms units `{other}` must be box or lattice"
                            ));
                        }
                    };
                    k += 2;
                }
                other => return Err(ScriptError::unsupported("displace_atoms", other)),
            }
        }
        let scale = if lattice_units {
            spacing
        } else {
            Vector3::repeat(1.0)
        };
        let d = Vector3::new(
            float(args, 2, "dx")?,
            float(args, 3, "dy")?,
            float(args, 4, "dz")?,
        )
        .component_mul(&scale);
        let dimension = self.dimension;
        let system = self.system_mut("displace_atoms")?;
        if style == "move" {
            for x in &mut system.positions {
                *x += d;
            }
        } else {
            let seed = integer(args, 5, "seed")?;
            let seed = i32::try_from(seed).ok().filter(|s| *s > 0).ok_or_else(|| {
                ScriptError::new("displace_atoms random seed must be a positive 32-bit integer")
            })?;
            // LAMMPS: one RanPark stream, reseeded per atom from its position
            let mut rng = ferromd_core::rng::RanPark::new(seed).expect("positive");
            for x in &mut system.positions {
                rng.reset_from_position(seed, [x.x, x.y, x.z]);
                let r = Vector3::new(
                    d.x * 2.0 * (rng.uniform() - 0.5),
                    d.y * 2.0 * (rng.uniform() - 0.5),
                    if dimension == 3 {
                        d.z * 2.0 * (rng.uniform() - 0.5)
                    } else {
                        0.0
                    },
                );
                *x += r;
            }
        }
        // LAMMPS remaps displaced atoms into the box right away
        let cell = system.cell.clone();
        for (x, img) in system.positions.iter_mut().zip(system.images.iter_mut()) {
            lammps_remap_and_migrate(&cell, x, img);
        }
        Ok(())
    }

    /// `delete_atoms overlap CUT all all [compress yes|no]` with LAMMPS's rule: visiting
    /// atoms in order, atom i is deleted if some atom within the cutoff is a surviving
    /// local atom or a periodic image of an atom with a larger id (or of itself).
    fn delete_atoms(&mut self, args: &[String]) -> ScriptResult<()> {
        match word(args, 0, "delete_atoms style")? {
            "overlap" => {}
            other => return Err(ScriptError::unsupported("delete_atoms", other)),
        }
        let cut = float(args, 1, "delete_atoms cutoff")?;
        if cut <= 0.0 {
            return fail(format!("delete_atoms cutoff {cut} must be positive"));
        }
        for g in [2, 3] {
            self.require_group(args.get(g))?;
        }
        let mut compress = true;
        let mut k = 4;
        while k < args.len() {
            match args[k].as_str() {
                "compress" => compress = yes_no(args, k + 1, "delete_atoms compress")?,
                other => return Err(ScriptError::unsupported("delete_atoms", other)),
            }
            k += 2;
        }
        if self.pair.is_none() {
            return fail("delete_atoms requires a pair style be defined");
        }
        let system = self.system_mut("delete_atoms")?;
        let mut nb = ferromd_core::neighbor::Neighbors::new(
            NeighborSettings::with_skin(0.0),
            cut,
            ferromd_core::ListKind::Full,
        );
        nb.rebuild(system)
            .map_err(|e| ScriptError::new(format!("delete_atoms: {e}")))?;
        let n = system.len();
        let x = nb.ghosts().positions();
        let mut delete = vec![false; n];
        for i in 0..n {
            for &j in nb.list().neighbors(i) {
                let j = j as usize;
                if (x[j] - x[i]).norm_squared() >= cut * cut {
                    continue;
                }
                if j < n {
                    if delete[j] {
                        continue;
                    }
                } else if system.ids[i] > system.ids[nb.ghosts().owner(j)] {
                    continue;
                }
                delete[i] = true;
                break;
            }
        }
        let removed = delete.iter().filter(|d| **d).count();
        let keep: Vec<usize> = (0..n).filter(|&i| !delete[i]).collect();
        let s = &mut *system;
        retain_atoms(s, &keep);
        if compress {
            // LAMMPS renumbers the survivors 1..N in id order
            let mut order: Vec<usize> = (0..s.ids.len()).collect();
            order.sort_by_key(|&k| s.ids[k]);
            for (new, k) in order.into_iter().enumerate() {
                s.ids[k] = new as u64 + 1;
            }
        }
        let left = s.len();
        self.say(&format!("Deleted {removed} atoms, new total = {left}"))
    }

    fn neigh_modify(&mut self, args: &[String]) -> ScriptResult<()> {
        let mut k = 0;
        while k < args.len() {
            match args[k].as_str() {
                "every" => {
                    let n = integer(args, k + 1, "neigh_modify every")?;
                    if n < 1 {
                        return fail("neigh_modify every must be at least 1");
                    }
                    self.neighbor.every = n as u64;
                }
                "delay" => {
                    let n = integer(args, k + 1, "neigh_modify delay")?;
                    if n < 0 {
                        return fail("neigh_modify delay must not be negative");
                    }
                    self.neighbor.delay = n as u64;
                }
                "check" => self.neighbor.check = yes_no(args, k + 1, "neigh_modify check")?,
                // capacity settings of LAMMPS's fixed-size pages: ferromd's lists grow as needed
                "one" | "page" => {
                    integer(args, k + 1, &args[k])?;
                }
                "binsize" => {
                    float(args, k + 1, "neigh_modify binsize")?;
                }
                other => return Err(ScriptError::unsupported("neigh_modify", other)),
            }
            k += 2;
        }
        Ok(())
    }

    fn fix_command(&mut self, args: &[String]) -> ScriptResult<()> {
        let id = word(args, 0, "fix ID")?.to_string();
        self.require_group(args.get(1))?;
        let raw = word(args, 2, "fix style")?;
        let (style, gpu) = strip_gpu_suffix(raw);
        if gpu && !matches!(style, "nve" | "nvt") {
            return Err(ScriptError::unsupported(
                "fix",
                &format!("{raw} (ferromd's GPU styles: fix nve/gpu, fix nvt/gpu)"),
            ));
        }
        let style = style.to_string();
        if style == "ave/time" {
            self.fixes.retain(|f| f.id != id);
            return self
                .observables
                .ave_time_command(&id, &args[3..], self.step);
        }
        self.observables.unfix(&id);
        match style.as_str() {
            "nve" => {
                if args.len() > 3 {
                    return fail("fix nve takes no arguments");
                }
            }
            "enforce2d" => {
                if self.dimension != 2 {
                    return fail("fix enforce2d is for 2-d simulations");
                }
            }
            "momentum" => {
                MomentumFix::parse(&args[3..])?;
            }
            "recenter" => {
                RecenterFix::parse(&args[3..])?;
            }
            "box/relax" => {
                box_relax_pressure(&args[3..])?;
            }
            "npt" | "nph" => {
                barostat(&style, &args[3..], self.dimension)?;
            }
            "press/berendsen" => {
                press_berendsen(&args[3..], Box::new(NoIntegration))?;
            }
            "press/crescale" => {
                press_crescale(
                    &args[3..],
                    Some((1.0, 1.0)),
                    Box::new(NoIntegration),
                    self.dimension,
                )?;
            }
            "nvt" | "langevin" | "temp/csvr" | "temp/berendsen" => {
                // parsed (and checked) now so errors point at this line
                thermostat(&style, &args[3..])?;
            }
            other => return Err(ScriptError::unsupported("fix", other)),
        }
        self.fixes.retain(|f| f.id != id);
        self.fixes.push(FixSpec {
            id,
            style,
            args: args[3..].to_vec(),
            gpu,
        });
        Ok(())
    }

    fn print_command(&mut self, args: &[String]) -> ScriptResult<()> {
        let text = word(args, 0, "print text")?.to_string();
        let mut k = 1;
        let mut screen = true;
        let mut file: Option<(String, bool)> = None;
        while k < args.len() {
            match args[k].as_str() {
                "screen" => screen = yes_no(args, k + 1, "print screen")?,
                "file" => file = Some((word(args, k + 1, "print file")?.to_string(), false)),
                "append" => file = Some((word(args, k + 1, "print append")?.to_string(), true)),
                "universe" => {
                    yes_no(args, k + 1, "print universe")?;
                }
                other => return fail(format!("print: unknown keyword `{other}`")),
            }
            k += 2;
        }
        if let Some((path, append)) = file {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .write(true)
                .append(append)
                .truncate(!append)
                .open(&path)
                .map_err(|e| ScriptError::new(format!("cannot open print file {path}: {e}")))?;
            writeln!(f, "{text}")
                .map_err(|e| ScriptError::new(format!("cannot write print file {path}: {e}")))?;
        }
        if screen {
            self.say(&text)?;
        } else {
            let _ = self.out.log_only(&text);
        }
        Ok(())
    }

    /// The pair style's potential, and the record of its evaluations if it is a committee.
    fn build_potential(&self, n_types: usize) -> ScriptResult<BuiltPotential> {
        let Some(pair) = &self.pair else {
            return fail("run needs a pair style (pair_style and pair_coeff)");
        };
        let style = pair.style.as_str();
        if style == COMMITTEE_STYLE {
            let settings = parse_committee(&pair.args)?;
            let committee = build_committee(&settings, &pair.coeffs, |member, lines| {
                self.build_single_or_hybrid(&member.name, &member.args, lines, n_types)
            })?;
            let record = committee.record();
            return Ok((Box::new(committee), Some(record)));
        }
        self.build_single_or_hybrid(style, &pair.args, &pair.coeffs, n_types)
            .map(|p| (p, None))
    }

    /// Builds a pair style that is not a committee (the script's, or a committee member)
    /// from its global arguments and `pair_coeff` lines.
    fn build_single_or_hybrid(
        &self,
        style: &str,
        args: &[String],
        coeffs: &[Vec<String>],
        n_types: usize,
    ) -> ScriptResult<Box<dyn Potential>> {
        let pair = self.pair.as_ref().expect("checked by build_potential");
        if HYBRID_STYLES.contains(&style) {
            if pair.tail {
                return Err(ScriptError::unsupported("pair_modify tail yes with", style));
            }
            let subs = parse_sub_styles(style, args)?;
            return build_hybrid(style, &subs, coeffs, n_types, |sub| {
                self.build_style(
                    &sub.style.name,
                    &sub.style.args,
                    &sub.coeffs,
                    n_types,
                    (sub.partial, Some(&sub.types)),
                )
            });
        }
        self.build_style(style, args, coeffs, n_types, (false, None))
    }

    /// Builds one (non-hybrid) pair style. `partial` (a hybrid sub-style acting on some
    /// type pairs only): pairs without coefficients are allowed where the style can leave
    /// them out. `types` (a hybrid sub-style): the types it acts on; the styles that map
    /// types to elements leave the others out, and may be given `NULL` types.
    fn build_style(
        &self,
        style: &str,
        args: &[String],
        coeffs: &[Vec<String>],
        n_types: usize,
        (partial, types): (bool, Option<&[bool]>),
    ) -> ScriptResult<Box<dyn Potential>> {
        let pair = self.pair.as_ref().expect("pair style defined");
        match style {
            style if is_coefficient_style(style) => {
                let modifiers = PairModifiers {
                    shift: pair.shift,
                    tail: pair.tail,
                    mixing: pair.mixing,
                };
                build_coefficient_style(
                    style, args, coeffs, modifiers, n_types, self.units, partial,
                )
            }
            eam if eam.starts_with("eam") => {
                require_metal_files(eam, self.units)?;
                Ok(Box::new(eam_from_coeffs(eam, coeffs, n_types, types)?))
            }
            s @ ("e3gnn" | "mace" | "nequip") => {
                mlip_from_coeffs(s, args, coeffs, n_types, self.units)
            }
            style if MANYBODY_STYLES.contains(&style) => {
                require_metal_files(style, self.units)?;
                build_manybody(style, coeffs, n_types, types.is_some())
            }
            other => Err(ScriptError::unsupported("pair_style", other)),
        }
    }

    /// Maps the active fixes onto one integrator: `nve` alone is velocity Verlet, `nvt` is a
    /// Nosé-Hoover chain, and `nve` with `langevin`, `temp/csvr` or `temp/berendsen` is the
    /// corresponding thermostatted integrator (in LAMMPS those fixes only modify forces or
    /// velocities while `fix nve` integrates).
    fn build_integrator(&self) -> ScriptResult<Box<dyn Integrator>> {
        let mut base = self.build_base_integrator()?;
        let pb: Vec<&FixSpec> = self
            .fixes
            .iter()
            .filter(|f| f.style == "press/berendsen")
            .collect();
        match pb.as_slice() {
            [] => {}
            [f] => base = press_berendsen(&f.args, base)?,
            _ => return fail("more than one fix press/berendsen"),
        }
        let crescale: Vec<&FixSpec> = self
            .fixes
            .iter()
            .filter(|f| f.style == "press/crescale")
            .collect();
        match crescale.as_slice() {
            [] => {}
            [f] if pb.is_empty() => {
                let bath = self
                    .fixes
                    .iter()
                    .find_map(|t| bath_temperature(&t.style, &t.args));
                base = press_crescale(&f.args, bath, base, self.dimension)?;
            }
            [_] => return fail("fix press/crescale and fix press/berendsen together"),
            _ => return fail("more than one fix press/crescale"),
        }
        let mut momentum = Vec::new();
        let mut recenter = Vec::new();
        for f in &self.fixes {
            match f.style.as_str() {
                "momentum" => momentum.push(MomentumFix::parse(&f.args)?),
                "recenter" => recenter.push(RecenterFix::parse(&f.args)?),
                _ => {}
            }
        }
        if momentum.is_empty() && recenter.is_empty() {
            return Ok(base);
        }
        Ok(Box::new(Modified {
            inner: base,
            momentum,
            recenter,
        }))
    }

    fn build_base_integrator(&self) -> ScriptResult<Box<dyn Integrator>> {
        let active: Vec<&FixSpec> = self
            .fixes
            .iter()
            .filter(|f| {
                !matches!(
                    f.style.as_str(),
                    "enforce2d"
                        | "momentum"
                        | "recenter"
                        | "press/berendsen"
                        | "press/crescale"
                        | "box/relax"
                )
            })
            .collect();
        let nve = active.iter().any(|f| f.style == "nve");
        let others: Vec<&&FixSpec> = active.iter().filter(|f| f.style != "nve").collect();
        match (nve, others.as_slice()) {
            (false, []) => Ok(Box::new(NoIntegration)),
            (true, []) => Ok(Box::new(VelocityVerlet::new())),
            (false, [f]) if f.style == "nvt" => thermostat(&f.style, &f.args),
            (false, [f]) if f.style == "npt" || f.style == "nph" => {
                barostat(&f.style, &f.args, self.dimension)
            }
            (true, [f]) if f.style == "npt" || f.style == "nph" => fail(format!(
                "fix {} ({}) and fix nve both integrate the same atoms",
                f.id, f.style
            )),
            (true, [f]) if f.style == "nvt" => fail(format!(
                "fix {} (nvt) and fix nve both integrate the same atoms",
                f.id
            )),
            (true, [f]) => thermostat(&f.style, &f.args),
            (false, [f]) => fail(format!(
                "fix {} {} only thermostats; add fix nve to integrate, as in LAMMPS",
                f.id, f.style
            )),
            _ => fail("more than one thermostat on the same atoms; ferromd supports one"),
        }
    }

    fn run_command(&mut self, args: &[String]) -> ScriptResult<()> {
        let n = integer(args, 0, "number of steps")?;
        if n < 0 {
            return fail(format!("run {n}: the number of steps must not be negative"));
        }
        let mut n = n as u64;
        let mut post = true;
        let mut k = 1;
        while k < args.len() {
            match args[k].as_str() {
                "upto" => {
                    if n < self.step {
                        return fail(format!(
                            "run upto {n} is before the current step {}",
                            self.step
                        ));
                    }
                    n -= self.step;
                    k += 1;
                }
                "pre" => {
                    yes_no(args, k + 1, "run pre")?;
                    k += 2;
                }
                "post" => {
                    post = yes_no(args, k + 1, "run post")?;
                    k += 2;
                }
                "start" | "stop" => {
                    integer(args, k + 1, &args[k])?;
                    k += 2;
                }
                other => return Err(ScriptError::unsupported("run", other)),
            }
        }
        match self.run_path()? {
            RunPath::Gpu => return self.run_on_gpu(n, post),
            RunPath::CpuWithNote(note) => self.say(&note)?,
            RunPath::Cpu => {}
        }
        let system = self.ready_for("run")?;
        let n_types = system.n_types();
        let (potential, committee) = self.build_potential(n_types)?;
        let n_atoms = system.len();
        let integrator = match self.kept_integrator.take() {
            Some((fixes, dt, n, kept))
                if fixes == self.fixes && dt == self.dt() && n == n_atoms =>
            {
                kept
            }
            _ => self.build_integrator()?,
        };
        let start_step = self.step;
        let end = start_step + n;
        self.observables
            .run_starting(start_step, potential.cutoff())?;
        let mut sim = self.start_simulation(potential, integrator)?;
        let params = sim.params;
        let normalize = self.normalize();
        let boundary = self.boundary_string();
        let units = self.units.constants();
        let mut observer = ScriptObserver::new(
            &self.thermo_style,
            &self.vars,
            &mut self.out,
            &mut self.dumps,
            &mut self.observables,
            &boundary,
            normalize,
            (start_step, params.dt, self.time),
            units,
        )
        .with_committee(committee, self.committee_files.as_mut());
        observer.stop = self.stop.clone();
        let result = sim.run(n, self.thermo_every, &mut observer);
        let error = observer.error.take();
        let interrupted = observer.interrupted;
        let last = observer.last;
        self.step = sim.current_step();
        self.time += (self.step - start_step) as f64 * params.dt;
        self.last_sample = last;
        let summary = result.map_err(|e| ScriptError::new(e.to_string()));
        let (system, integrator) = sim.into_system_and_integrator();
        self.system = Some(system);
        let n = self.system.as_ref().map_or(0, System::len);
        self.kept_integrator = Some((self.fixes.clone(), params.dt, n, integrator));
        if let Some(e) = error {
            return Err(e);
        }
        if interrupted {
            return Err(self.interrupted(Some(end)));
        }
        let summary = summary?;
        if post {
            self.run_summary(&summary, params.dt)?;
        }
        Ok(())
    }

    /// `minimize etol ftol maxiter maxeval` with the current `min_style`, printing thermo
    /// before and after and LAMMPS's "Minimization stats" block.
    fn minimize_command(&mut self, args: &[String]) -> ScriptResult<()> {
        let etol = float(args, 0, "minimize etol")?;
        let ftol = float(args, 1, "minimize ftol")?;
        let maxiter = integer(args, 2, "minimize maxiter")?;
        let maxeval = integer(args, 3, "minimize maxeval")?;
        if etol < 0.0 || ftol < 0.0 || maxiter < 0 || maxeval < 0 || args.len() != 4 {
            return fail("minimize needs etol ftol maxiter maxeval (non-negative)");
        }
        if self.run_path()? == RunPath::Gpu {
            return fail(
                "minimize with the gpu suffix: ferromd's GPU path runs MD only; give \
                 `suffix off` before minimize (and `suffix on` after it)",
            );
        }
        let system = self.ready_for("minimize")?;
        let (potential, committee) = self.build_potential(system.n_types())?;
        let mut params = MinParameters::new(etol, ftol, maxiter as u64, maxeval as u64);
        params.dmax = self.min_dmax;
        let relax: Vec<&FixSpec> = self
            .fixes
            .iter()
            .filter(|f| f.style == "box/relax")
            .collect();
        if let [f] = relax.as_slice() {
            if self.min_style != "cg" {
                return Err(ScriptError::unsupported(
                    "fix box/relax with min_style",
                    &self.min_style,
                ));
            }
            let (coupling, p) = box_relax_pressure(&f.args)?;
            params.box_pressure = Some(p);
            params.box_coupling = coupling;
        }
        let start_step = self.step;
        let mut sim = self.start_simulation(potential, Box::new(NoIntegration))?;
        let integrate = sim.params;
        let started = Instant::now();
        let units = self.units.constants();
        let boundary = self.boundary_string();
        let normalize = self.normalize();
        let before = sim.thermo().map_err(|e| ScriptError::new(e.to_string()));
        let mut observer = ScriptObserver::new(
            &self.thermo_style,
            &self.vars,
            &mut self.out,
            &mut self.dumps,
            &mut self.observables,
            &boundary,
            normalize,
            (start_step, integrate.dt, self.time),
            units,
        )
        .with_committee(committee, self.committee_files.as_mut());
        let result = before.and_then(|sample| {
            observer.thermo_with_system(&sample, &sim.system);
            observer.committee_minimization_step(sample.step, &sim.system);
            let r = match self.min_style.as_str() {
                "fire" => Fire::new(integrate.dt).minimize(&mut sim, &params),
                _ => ConjugateGradient::new().minimize(&mut sim, &params),
            }
            .map_err(|e| ScriptError::new(e.to_string()))?;
            sim.reset_step(start_step + r.iterations);
            let after = sim.thermo().map_err(|e| ScriptError::new(e.to_string()))?;
            observer.thermo_with_system(&after, &sim.system);
            observer.committee_minimization_step(after.step, &sim.system);
            Ok(r)
        });
        let error = observer.error.take();
        self.last_sample = observer.last;
        self.step = sim.current_step();
        self.system = Some(sim.into_system());
        if let Some(e) = error {
            return Err(e);
        }
        let r = result?;
        let n = self.system.as_ref().map_or(0, System::len);
        self.say(&format!(
            "Loop time of {} on {} procs for {} steps with {} atoms\n",
            format_g(started.elapsed().as_secs_f64(), 6),
            self.threads,
            r.iterations,
            n
        ))?;
        let norm = if normalize { n.max(1) as f64 } else { 1.0 };
        let g = |v: f64| format_g(v, 15);
        self.say("Minimization stats:")?;
        self.say(&format!("  Stopping criterion = {}", r.stop.lammps_name()))?;
        self.say("  Energy initial, next-to-last, final = ")?;
        self.say(&format!(
            "    {:>18} {:>18} {:>18}",
            g(r.initial_energy / norm),
            g(r.next_to_last_energy / norm),
            g(r.final_energy / norm)
        ))?;
        self.say(&format!(
            "  Iterations, force evaluations = {} {}",
            r.iterations, r.evaluations
        ))?;
        self.say(&format!("  Force two-norm final = {}", g(r.fnorm2)))?;
        self.say(&format!(
            "  Force max component final = {}\n",
            g(r.fnorm_inf)
        ))
    }

    /// Where the next run goes (CPU or GPU path) under the accelerator settings.
    fn run_path(&self) -> ScriptResult<RunPath> {
        let fix_gpu = self.fixes.iter().any(|f| f.gpu);
        match &self.pair {
            Some(p) => self.accel.run_path(&p.style, p.explicit_gpu, fix_gpu),
            None => Ok(RunPath::Cpu),
        }
    }

    /// The atoms, checked ready for `what` (a run or a minimization): present, with masses.
    fn ready_for(&self, what: &str) -> ScriptResult<&System> {
        let system = self.system_ref(what)?;
        if system.is_empty() {
            return fail(format!("{what} with no atoms"));
        }
        if let Some(t) = self.masses_set.iter().position(|s| !s) {
            return fail(format!("all masses are not set (type {} has none)", t + 1));
        }
        Ok(system)
    }

    /// ferromd reports one potential energy, not LAMMPS's van der Waals / Coulomb split:
    /// with a Coulomb pair style, thermo `evdwl` and `ecoul` would print the whole energy
    /// and zero, so a run that asks for them is refused instead of printing wrong numbers.
    fn check_energy_split(&self) -> ScriptResult<()> {
        let Some(pair) = &self.pair else {
            return Ok(());
        };
        let coulomb = std::iter::once(&pair.style)
            .chain(pair.args.iter())
            .any(|w| COULOMB_STYLES.contains(&w.as_str()));
        let split = self.thermo_style.keywords.iter().find_map(|k| match k {
            Keyword::Builtin(name @ ("evdwl" | "ecoul")) => Some(*name),
            _ => None,
        });
        match split {
            Some(name) if coulomb => fail(format!(
                "thermo keyword {name} with pair_style {}: ferromd does not split the pair \
                 energy into evdwl and ecoul; use pe (or thermo_style custom without them)",
                pair.style
            )),
            _ => Ok(()),
        }
    }

    /// The model-deviation thermo keywords need a committee to measure it.
    fn check_model_deviation_keywords(&self) -> ScriptResult<()> {
        let used = self.thermo_style.keywords.iter().find_map(|k| match k {
            Keyword::Builtin(name) if MODEL_DEVIATION_KEYWORDS.contains(name) => Some(*name),
            _ => None,
        });
        match used {
            Some(name) if self.committee_files.is_none() => fail(format!(
                "thermo keyword {name} needs pair_style committee (the spread of several \
                 potentials), but the pair style is {}",
                self.pair.as_ref().map_or("not set", |p| p.style.as_str())
            )),
            _ => Ok(()),
        }
    }

    /// Moves the session's atoms into a simulation at the current step and prints the
    /// thermo header.
    fn start_simulation(
        &mut self,
        potential: Box<dyn Potential>,
        integrator: Box<dyn Integrator>,
    ) -> ScriptResult<Simulation> {
        let params = IntegrationParameters {
            dt: self.dt(),
            neighbor: self.neighbor,
        };
        self.check_energy_split()?;
        self.check_model_deviation_keywords()?;
        let system = self.system.take().expect("checked by ready_for");
        let mut sim = Simulation::new(system, self.units, params, potential, integrator)
            .map_err(|e| ScriptError::new(e.to_string()))?;
        sim.reset_step(self.step);
        let header = self.thermo_style.header();
        if !header.is_empty() {
            self.say(&header)?;
        }
        Ok(sim)
    }

    fn run_summary(&mut self, s: &ferromd_core::RunSummary, dt: f64) -> ScriptResult<()> {
        let total = s.elapsed.as_secs_f64();
        self.say(&format!(
            "Loop time of {} on {} procs for {} steps with {} atoms\n",
            format_g(total, 6),
            self.threads,
            s.steps,
            s.atoms
        ))?;
        let secs = total.max(1e-12);
        let steps_per_s = s.steps as f64 / secs;
        let c = self.units.constants();
        let perf = if self.units == UnitSystem::Lj {
            format!("{:.3} tau/day", steps_per_s * dt * 86400.0)
        } else {
            let ns_day = steps_per_s * dt * c.time_to_fs * 1e-6 * 86400.0;
            format!("{:.3} ns/day, {:.3} hours/ns", ns_day, 24.0 / ns_day)
        };
        self.say(&format!(
            "Performance: {perf}, {:.3} timesteps/s, {:.3} katom-step/s",
            steps_per_s,
            s.atom_steps_per_second() / 1000.0
        ))?;
        self.say(&format!(
            "100.0% CPU use with 1 MPI tasks x {} OpenMP threads\n",
            self.threads
        ))?;
        self.say("MPI task timing breakdown:")?;
        self.say("Section |  min time  |  avg time  |  max time  |%varavg| %total")?;
        self.say("---------------------------------------------------------------")?;
        let sec = &s.sections;
        let other = (total
            - sec.pair.as_secs_f64()
            - sec.neigh.as_secs_f64()
            - sec.modify.as_secs_f64()
            - sec.output.as_secs_f64())
        .max(0.0);
        let rows = [
            ("Pair", sec.pair.as_secs_f64()),
            ("Neigh", sec.neigh.as_secs_f64()),
            ("Comm", 0.0),
            ("Output", sec.output.as_secs_f64()),
            ("Modify", sec.modify.as_secs_f64()),
        ];
        for (name, t) in rows {
            self.say(&format!(
                "{name:<8}| {t:<10.5} | {t:<10.5} | {t:<10.5} |   0.0 | {:6.2}",
                100.0 * t / secs
            ))?;
        }
        self.say(&format!(
            "Other   |            | {other:<10.5} |            |       | {:6.2}\n",
            100.0 * other / secs
        ))?;
        self.say(&format!("Total # of neighbors = {}", self.neighbor_count()))?;
        self.say(&format!("Neighbor list builds = {}", s.neighbor.builds))?;
        self.say(&format!("Dangerous builds = {}\n", s.neighbor.dangerous))
    }

    fn neighbor_count(&self) -> String {
        "n/a".into()
    }
}

#[cfg(not(feature = "gpu"))]
impl Interpreter {
    /// Without the `gpu` feature a run on the GPU path is a clear error.
    fn run_on_gpu(&mut self, _n: u64, _post: bool) -> ScriptResult<()> {
        fail(
            "the gpu suffix or a /gpu style asks for ferromd's GPU path, but this ferromd was \
             built without the `gpu` feature; rebuild with `cargo build --release --features gpu`",
        )
    }
}

/// Builds an EAM potential from `pair_coeff` lines. `types` (a hybrid sub-style, or a
/// `pair_coeff` line read for its masses): the types the style acts on; the others, and
/// those without a funcfl file or mapped to `NULL`, are left out. Without it every type
/// must have a file or an element.
fn eam_from_coeffs(
    style: &str,
    coeffs: &[Vec<String>],
    n_types: usize,
    types: Option<&[bool]>,
) -> ScriptResult<Eam> {
    let eam_err = |e: ferromd_potentials::EamError| ScriptError::new(format!("pair_coeff: {e}"));
    let acting = |t: usize| types.is_none_or(|a| a[t]);
    if style == "eam" {
        let mut files: Vec<Option<String>> = vec![None; n_types];
        for c in coeffs {
            if c.len() != 3 {
                return fail("pair_coeff for eam needs I J FILE");
            }
            let (ri, rj) = (type_range(&c[0], n_types)?, type_range(&c[1], n_types)?);
            // as LAMMPS: only the like pairs I I take a file, and a line naming none is wrong
            let like: Vec<usize> = ri.filter(|i| rj.contains(i)).collect();
            if like.is_empty() {
                return fail(format!(
                    "pair_coeff {}: eam needs the same type twice (I I FILE)",
                    c.join(" ")
                ));
            }
            for i in like {
                files[i - 1] = Some(c[2].clone());
            }
        }
        for (t, f) in files.iter_mut().enumerate() {
            if f.is_none() && types.is_none() {
                return fail(format!(
                    "all pair coeffs are not set: type {} has no eam file",
                    t + 1
                ));
            }
            if !acting(t) {
                *f = None;
            }
        }
        return Eam::from_funcfl_type_files(&files).map_err(eam_err);
    }
    let (file, mut elements) =
        file_and_elements(style, coeffs, n_types, ("FILE", "potential file"))?;
    if types.is_none() {
        refuse_null_outside_hybrid(style, &elements)?;
    }
    for (t, el) in elements.iter_mut().enumerate() {
        if !acting(t) {
            *el = NULL_ELEMENT;
        }
    }
    let style =
        EamStyle::from_name(style).ok_or_else(|| ScriptError::unsupported("pair_style", style))?;
    Eam::from_file(file, style, &elements).map_err(eam_err)
}

/// `fix box/relax iso|aniso P` (the forms supported): coupling and target pressure.
fn box_relax_pressure(a: &[String]) -> ScriptResult<(Coupling, f64)> {
    let coupling = match word(a, 0, "fix box/relax coupling")? {
        "iso" => Coupling::Iso,
        "aniso" => Coupling::Aniso,
        other => return Err(ScriptError::unsupported("fix box/relax", other)),
    };
    let p = float(a, 1, "fix box/relax pressure")?;
    if a.len() > 2 {
        return Err(ScriptError::unsupported("fix box/relax", &a[2]));
    }
    Ok((coupling, p))
}

/// Parses `fix press/berendsen` arguments and wraps `inner`.
fn press_berendsen(a: &[String], inner: Box<dyn Integrator>) -> ScriptResult<Box<dyn Integrator>> {
    let coupling = match word(a, 0, "fix press/berendsen coupling")? {
        "iso" => Coupling::Iso,
        "aniso" => Coupling::Aniso,
        other => return Err(ScriptError::unsupported("fix press/berendsen", other)),
    };
    let (p0, p1) = (float(a, 1, "Pstart")?, float(a, 2, "Pstop")?);
    let pdamp = float(a, 3, "Pdamp")?;
    let err = |e: ferromd_integrators::BarostatError| {
        ScriptError::new(format!("fix press/berendsen: {e}"))
    };
    let mut b = BerendsenBarostat::new(inner, p0, pdamp, coupling)
        .and_then(|b| b.ramp_to(p1))
        .map_err(err)?;
    let mut k = 4;
    while k < a.len() {
        match a[k].as_str() {
            "modulus" => b = b.modulus(float(a, k + 1, "modulus")?).map_err(err)?,
            other => return Err(ScriptError::unsupported("fix press/berendsen", other)),
        }
        k += 2;
    }
    Ok(Box::new(b))
}

/// Parses a thermostat fix's arguments (after `fix ID group style`) into an integrator.
fn thermostat(style: &str, a: &[String]) -> ScriptResult<Box<dyn Integrator>> {
    let temps = |i: usize| -> ScriptResult<(f64, f64)> {
        let (t0, t1) = (
            float(a, i, "start temperature")?,
            float(a, i + 1, "stop temperature")?,
        );
        for t in [t0, t1] {
            if t <= 0.0 {
                return fail(format!("fix {style}: temperature {t} must be positive"));
            }
        }
        Ok((t0, t1))
    };
    let positive = |v: f64, what: &str| -> ScriptResult<f64> {
        if v > 0.0 {
            Ok(v)
        } else {
            fail(format!("fix {style}: {what} {v} must be positive"))
        }
    };
    let seed = |i: usize| -> ScriptResult<u64> {
        let s = integer(a, i, "seed")?;
        if s <= 0 {
            return fail(format!("fix {style}: seed {s} must be positive"));
        }
        Ok(s as u64)
    };
    match style {
        "nvt" => {
            if word(a, 0, "fix nvt keyword")? != "temp" {
                return Err(ScriptError::unsupported("fix nvt", &a[0]));
            }
            let (t, t_stop) = temps(1)?;
            let damp = positive(float(a, 3, "Tdamp")?, "Tdamp")?;
            let (mut chain, mut loops) = (3usize, 1usize);
            let mut k = 4;
            while k < a.len() {
                let n = integer(a, k + 1, &a[k])?;
                match a[k].as_str() {
                    "tchain" if n >= 1 => chain = n as usize,
                    "tloop" if n >= 1 => loops = n as usize,
                    "tchain" | "tloop" => {
                        return fail(format!("fix nvt {} must be at least 1", a[k]));
                    }
                    other => return Err(ScriptError::unsupported("fix nvt", other)),
                }
                k += 2;
            }
            let nh = NoseHooverChain::with_options(t, damp, chain, loops, 1)
                .and_then(|c| c.ramp_to(t_stop))
                .map_err(|e| ScriptError::new(format!("fix nvt: {e}")))?;
            Ok(Box::new(nh))
        }
        "langevin" => {
            let (t, t_stop) = temps(0)?;
            let damp = positive(float(a, 2, "damp")?, "damp")?;
            let s = seed(3)?;
            let mut zero = false;
            let mut k = 4;
            while k < a.len() {
                match a[k].as_str() {
                    "zero" => zero = yes_no(a, k + 1, "fix langevin zero")?,
                    other => return Err(ScriptError::unsupported("fix langevin", other)),
                }
                k += 2;
            }
            Ok(Box::new(
                Langevin::new(t, damp, s)
                    .ramp_to(t_stop)
                    .zero_momentum(zero),
            ))
        }
        "temp/csvr" => {
            let (t, t_stop) = temps(0)?;
            let damp = positive(float(a, 2, "damp")?, "damp")?;
            if a.len() > 4 {
                return Err(ScriptError::unsupported("fix temp/csvr", &a[4]));
            }
            Ok(Box::new(Csvr::new(t, damp, seed(3)?).ramp_to(t_stop)))
        }
        _ => {
            let (t, t_stop) = temps(0)?;
            let damp = positive(float(a, 2, "damp")?, "damp")?;
            if a.len() > 3 {
                return Err(ScriptError::unsupported("fix temp/berendsen", &a[3]));
            }
            Ok(Box::new(Berendsen::new(t, damp).ramp_to(t_stop)))
        }
    }
}

/// Reads the arguments of `pair_style e3gnn`, `mace` and `nequip` into model options.
///
/// `mace` accepts LAMMPS's `no_domain_decomposition` (ferromd builds the graph over the
/// local atoms with image shifts, which is what that keyword selects in LAMMPS; without it
/// LAMMPS gives the same result on one process). All accept the ferromd keywords
/// `head NAME` (alias `modal`: the head of a multi-head model), `charge Q` and
/// `spin_multiplicity M` (total charge and spin multiplicity, for models that read them).
fn mlip_style_args(style: &str, args: &[String]) -> ScriptResult<MlipOptions> {
    let mut options = MlipOptions {
        convention: mlip::Convention::from_style(style).flatten(),
        ..Default::default()
    };
    let mut k = 0;
    while k < args.len() {
        let key = args[k].as_str();
        match key {
            "no_domain_decomposition" if style == "mace" => {
                k += 1;
                continue;
            }
            "head" | "modal" | "charge" | "spin_multiplicity" => {}
            other => {
                let lammps = if style == "mace" {
                    "no_domain_decomposition, "
                } else {
                    ""
                };
                return fail(format!(
                    "pair_style {style}: unknown keyword `{other}` (expected {lammps}head, \
                     charge or spin_multiplicity)"
                ));
            }
        }
        let Some(value) = args.get(k + 1) else {
            return fail(format!("pair_style {style}: `{key}` needs a value"));
        };
        match key {
            "head" | "modal" => options.head = Some(value.clone()),
            "charge" => options.charge = Some(float(args, k + 1, "charge")?),
            _ => options.spin_multiplicity = Some(float(args, k + 1, "spin_multiplicity")?),
        }
        k += 2;
    }
    Ok(options)
}

/// EAM, Tersoff and SW files hold metal-unit numbers (eV, Å). LAMMPS converts them for
/// `units real`; ferromd does not, so any other unit system is refused rather than run with
/// numbers in the wrong units.
fn require_metal_files(style: &str, units: UnitSystem) -> ScriptResult<()> {
    if units != UnitSystem::Metal {
        return fail(format!(
            "pair_style {style} reads potential files in metal units (eV, Å) and ferromd does \
             not convert them to units {}; use units metal",
            units.name()
        ));
    }
    Ok(())
}

/// Loads the TorchScript model of `pair_style e3gnn`, `mace` or `nequip` from
/// `pair_coeff * * MODEL EL1 EL2 ...` (one element, for NequIP one model type name, per atom
/// type; masses stay as the script sets them).
fn mlip_from_coeffs(
    style: &str,
    style_args: &[String],
    coeffs: &[Vec<String>],
    n_types: usize,
    units: UnitSystem,
) -> ScriptResult<Box<dyn Potential>> {
    if units != UnitSystem::Metal {
        return fail(format!("pair_style {style} requires units metal"));
    }
    let (file, elements) = file_and_elements(style, coeffs, n_types, ("MODEL", "model file"))?;
    let options = mlip_style_args(style, style_args)?;
    mlip::load_model(file, &elements, &options)
        .map_err(|e| ScriptError::new(format!("pair_coeff: {e}")))
}

/// Integrator used when no fix integrates: atoms stay put (as a LAMMPS run without `fix nve`).
struct NoIntegration;

impl Integrator for NoIntegration {
    fn initial_integrate(&mut self, _system: &mut System, _ctx: &StepContext) {}
    fn final_integrate(&mut self, _system: &mut System, _ctx: &StepContext) {}
    fn name(&self) -> &str {
        "none"
    }
}

/// `comm_modify cutoff Rc` (or `vel yes|no`): ferromd's ghost atoms always reach the
/// longest cutoff in use, so the settings are checked and need nothing else.
fn comm_modify(args: &[String]) -> ScriptResult<()> {
    if args.is_empty() {
        return fail("comm_modify needs keywords");
    }
    let mut k = 0;
    while k < args.len() {
        match args[k].as_str() {
            "cutoff" => {
                if float(args, k + 1, "comm_modify cutoff")? < 0.0 {
                    return fail("comm_modify cutoff must not be negative");
                }
            }
            "vel" => {
                yes_no(args, k + 1, "comm_modify vel")?;
            }
            other => return Err(ScriptError::unsupported("comm_modify", other)),
        }
        k += 2;
    }
    Ok(())
}

/// A thermo state with default extras (for formulas evaluated between runs).
fn simple_state(
    s: &ThermoSample,
    bounds: (Vector3<f64>, Vector3<f64>, [f64; 3]),
) -> ThermoState<'_> {
    ThermoState {
        sample: s,
        run_start_step: s.step,
        dt: 0.0,
        time: 0.0,
        cpu: 0.0,
        rates: (0.0, 0.0),
        bounds,
        forces: (0.0, 0.0),
        mass_density: (0.0, 0.0),
        nktv2p: 1.0,
        model_deviation: None,
    }
}

/// Prints thermo lines and writes dumps during a run.
struct ScriptObserver<'a> {
    style: &'a ThermoStyle,
    vars: &'a Variables,
    out: &'a mut Output,
    dumps: &'a mut Vec<Dump>,
    observables: &'a mut Observables,
    boundary: &'a str,
    normalize: bool,
    run_start_step: u64,
    dt: f64,
    time_at_start: f64,
    started: Instant,
    last_line: (Instant, u64),
    units: ferromd_core::UnitConstants,
    error: Option<ScriptError>,
    last: Option<ThermoSample>,
    /// A committee's record of its latest evaluation and its files.
    committee: Option<(Arc<CommitteeRecord>, &'a mut CommitteeFiles)>,
    /// Set by a signal handler: stop after the current step.
    stop: Option<Arc<AtomicBool>>,
    /// The run stopped because `stop` was set.
    interrupted: bool,
}

impl<'a> ScriptObserver<'a> {
    /// An observer for a run starting at `(step, dt, time)`; its clocks start now.
    #[allow(clippy::too_many_arguments)]
    fn new(
        style: &'a ThermoStyle,
        vars: &'a Variables,
        out: &'a mut Output,
        dumps: &'a mut Vec<Dump>,
        observables: &'a mut Observables,
        boundary: &'a str,
        normalize: bool,
        (run_start_step, dt, time_at_start): (u64, f64, f64),
        units: ferromd_core::UnitConstants,
    ) -> Self {
        let now = Instant::now();
        ScriptObserver {
            style,
            vars,
            out,
            dumps,
            observables,
            boundary,
            normalize,
            run_start_step,
            dt,
            time_at_start,
            started: now,
            last_line: (now, run_start_step),
            units,
            error: None,
            last: None,
            committee: None,
            stop: None,
            interrupted: false,
        }
    }

    /// Reports the committee whose record is `record` (model-deviation thermo keywords,
    /// model-deviation lines and uncertain frames into `files`).
    fn with_committee(
        mut self,
        record: Option<Arc<CommitteeRecord>>,
        files: Option<&'a mut CommitteeFiles>,
    ) -> Self {
        self.committee = record.zip(files);
        self
    }

    /// Writes the committee's uncertain frame of `step`, if it has one.
    fn committee_frame(&mut self, step: u64, system: &System) {
        if let Some((record, files)) = &mut self.committee
            && let Err(e) = files.record_frame(step, system, record)
        {
            self.error.get_or_insert(e);
        }
    }

    /// Writes the committee's model-deviation line and uncertain frame of a minimization's
    /// thermo step (its first and last).
    fn committee_minimization_step(&mut self, step: u64, system: &System) {
        if let Some((record, files)) = &mut self.committee
            && let Err(e) = files.write_minimization_step(step, system, record)
        {
            self.error.get_or_insert(e);
        }
    }

    /// The thermodynamic state of `sample` for thermo keywords and formulas, with
    /// `rates` (simulated time and steps per CPU second since the last thermo line).
    fn thermo_state<'s>(
        &self,
        sample: &'s ThermoSample,
        system: &System,
        rates: (f64, f64),
    ) -> ThermoState<'s> {
        let (lo, hi, tilt) = system.cell.lammps_bounds().unwrap_or_default();
        let fmax = system
            .forces
            .iter()
            .flat_map(|f| f.iter().map(|c| c.abs()))
            .fold(0.0, f64::max);
        let fnorm = system
            .forces
            .iter()
            .map(|f| f.norm_squared())
            .sum::<f64>()
            .sqrt();
        let mv2d = if self.units.nktv2p == 1.0 {
            1.0
        } else {
            1.0 / 0.602214129
        };
        ThermoState {
            sample,
            run_start_step: self.run_start_step,
            dt: self.dt,
            time: self.time_at_start + (sample.step - self.run_start_step) as f64 * self.dt,
            cpu: self.started.elapsed().as_secs_f64(),
            rates,
            bounds: (lo, hi, tilt),
            forces: (fmax, fnorm),
            mass_density: (system.total_mass(), mv2d),
            nktv2p: self.units.nktv2p,
            model_deviation: self
                .committee
                .as_ref()
                .and_then(|(record, files)| files.deviation(record)),
        }
    }

    /// Whether a stop was requested; records it. Every output is flushed at each write.
    fn stop_now(&mut self) -> bool {
        self.interrupted = self.stop.as_ref().is_some_and(|s| s.load(Ordering::SeqCst));
        self.interrupted
    }

    /// Samples the time averages due at `step`; `sample` is the thermodynamic state
    /// there, if the run computed it (`v_name` values need it).
    fn step_observables(&mut self, step: u64, system: &System, sample: Option<ThermoSample>) {
        let state = sample
            .as_ref()
            .map(|s| self.thermo_state(s, system, (0.0, 0.0)));
        let formulas = (self.vars, state, self.normalize);
        if let Err(e) = self.observables.step(step, system, formulas) {
            self.error.get_or_insert(e);
        }
    }

    fn thermo_line(&mut self, sample: &ThermoSample, system: &System) -> ScriptResult<String> {
        let now = Instant::now();
        let cpu_since = (now - self.last_line.0).as_secs_f64().max(1e-12);
        let steps_since = (sample.step - self.last_line.1) as f64;
        self.last_line = (now, sample.step);
        let rates = (steps_since * self.dt / cpu_since, steps_since / cpu_since);
        let state = self.thermo_state(sample, system, rates);
        let n = sample.atoms.max(1) as f64;
        let mut values = Vec::with_capacity(self.style.keywords.len());
        for k in &self.style.keywords {
            let v = match k {
                Keyword::Builtin(name) => {
                    let v = keyword_value(name, &state).unwrap_or(0.0);
                    if self.normalize && is_extensive(name) {
                        v / n
                    } else {
                        v
                    }
                }
                Keyword::Variable(name) => {
                    let mut ctx = FormulaContext {
                        vars: self.vars,
                        state: Some(state),
                        normalize: self.normalize,
                        depth: 0,
                    };
                    ctx.variable(name)?
                }
                Keyword::Compute { id, index } => {
                    self.observables.thermo_value(id, *index, system)?
                }
            };
            values.push(v);
        }
        self.out
            .thermo_row(&self.style.column_names(), &values)
            .map_err(|e| ScriptError::new(format!("cannot write thermo table: {e}")))?;
        self.style.line(&values)
    }
}

use super::expression::ExpressionContext;

impl RunObserver for ScriptObserver<'_> {
    fn wants_energy(&self, step: u64) -> bool {
        // committee deviations, and the thermodynamic state for ave/time's variables
        self.committee
            .as_ref()
            .is_some_and(|(_, files)| files.wants_deviation(step))
            || self.observables.needs_state_at(step)
    }

    fn energy_step(
        &mut self,
        step: u64,
        _energy: f64,
        _virial: &ferromd_core::potential::Virial,
        system: &System,
    ) {
        if let Some((record, files)) = &mut self.committee
            && let Err(e) = files.write_deviation(step, system, record)
        {
            self.error.get_or_insert(e);
        }
    }

    fn thermo_with_system(&mut self, sample: &ThermoSample, system: &System) {
        self.last = Some(*sample);
        if self.error.is_some() {
            return;
        }
        match self.thermo_line(sample, system) {
            Ok(line) => {
                if let Err(e) = self.out.line(&line) {
                    self.error = Some(ScriptError::new(format!("cannot write output: {e}")));
                }
            }
            Err(e) => self.error = Some(e),
        }
    }

    fn run_started(&mut self, step: u64, system: &System) {
        // the run's first thermo sample is at this step
        let sample = self.last.filter(|s| s.step == step);
        self.step_observables(step, system, sample);
        self.committee_frame(step, system);
        for d in self.dumps.iter_mut() {
            if let Err(e) = d.maybe_write(step, system, self.boundary, false) {
                self.error.get_or_insert(e);
            }
        }
    }

    fn step_done(&mut self, step: u64, system: &System) -> std::ops::ControlFlow<()> {
        self.committee_frame(step, system);
        for d in self.dumps.iter_mut() {
            if let Err(e) = d.maybe_write(step, system, self.boundary, false) {
                self.error.get_or_insert(e);
            }
        }
        if self.error.is_some() {
            std::ops::ControlFlow::Break(())
        } else {
            std::ops::ControlFlow::Continue(())
        }
    }

    fn simulation_step_done(&mut self, sim: &Simulation) -> std::ops::ControlFlow<()> {
        let step = sim.current_step();
        // the thermo sample of this step, or one measured for the averages' variables
        // (wants_energy asked for the energy and virial)
        let sample = match self.last {
            Some(s) if s.step == step => Some(s),
            _ if self.observables.needs_state_at(step) => {
                let forces = sim.last_forces();
                Some(ThermoSample::measure(
                    &sim.system,
                    &sim.units.constants(),
                    step,
                    forces.energy,
                    &forces.virial,
                    sim.integrator().reservoir_energy(),
                ))
            }
            _ => None,
        };
        self.step_observables(step, &sim.system, sample);
        if self.error.is_some() || self.stop_now() {
            std::ops::ControlFlow::Break(())
        } else {
            std::ops::ControlFlow::Continue(())
        }
    }
}

#[allow(dead_code)]
fn unused(_: Matrix3<f64>) {}

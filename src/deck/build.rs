//! Turns a parsed [`DeckSpec`] into a system, potential and integrator.

use std::path::{Path, PathBuf};

use ferromd_core::Integrator;
use ferromd_core::cell::Cell;
use ferromd_core::io::xyz::parse_xyz;
use ferromd_core::lattice::{CubicKind, Lattice};
use ferromd_core::nalgebra::{Matrix3, Vector3};
use ferromd_core::velocity::create_velocities;
use ferromd_core::{
    IntegrationParameters, NeighborSettings, Potential, Species, System, UnitSystem,
};
use ferromd_integrators::{
    Berendsen, CRescale, Couple, Coupling, Csvr, Langevin, MtkBarostat, NoseHooverChain,
    PressureControl, VelocityVerlet,
};
use ferromd_potentials::mlip::{self, MlipError, MlipOptions};
use ferromd_potentials::{
    Committee, CommitteeDrive, DeviationScale, Eam, EamStyle, LjCutBuilder, Mixing, Overlay,
    manybody,
};
use toml::Spanned;

use super::pair_styles;
use super::schema::*;
use super::{
    Backend, Deck, DeckError, DeviceIntegrator, DevicePotential, ModelDeviationFile, OutputPlan,
    ThermoFormat, UncertainFrames,
};

/// Most atoms a deck may create (neighbor lists index atoms and their ghosts with `u32`).
const MAX_ATOMS: u128 = 1 << 30;

/// Error helper bound to one deck file.
pub(super) struct Ctx<'a> {
    text: &'a str,
    path: &'a Path,
}

impl Ctx<'_> {
    /// Where a potential or model `file` named in the deck is read from: beside the deck
    /// when it exists there, otherwise as given (the potential-file search then applies).
    pub(super) fn beside_deck(&self, file: &str) -> std::path::PathBuf {
        match self.path.parent().map(|d| d.join(file)) {
            Some(q) if q.is_file() => q,
            _ => std::path::PathBuf::from(file),
        }
    }

    pub(super) fn at<T>(&self, s: &Spanned<T>, message: impl Into<String>) -> DeckError {
        self.at_span(s.span(), message)
    }

    fn at_span(&self, span: std::ops::Range<usize>, message: impl Into<String>) -> DeckError {
        DeckError::at(self.path, self.text, Some(span), message)
    }

    fn general(&self, message: impl Into<String>) -> DeckError {
        DeckError::general(self.path, message)
    }
}

pub(super) fn assemble(spec: DeckSpec, text: &str, path: &Path) -> Result<Deck, DeckError> {
    let cx = Ctx { text, path };
    let units: UnitSystem =
        spec.units
            .get_ref()
            .parse()
            .map_err(|e: ferromd_core::units::UnknownUnits| {
                cx.at(&spec.units, e.to_string())
                    .with_hint("write units = \"lj\", \"metal\" or \"real\"")
            })?;
    let constants = units.constants();
    let species = species(&cx, &spec.species)?;
    let mut system = match (&spec.lattice, &spec.structure) {
        (Some(l), None) => lattice_system(&cx, l, &species)?,
        (None, Some(s)) => structure_system(&cx, s, &species)?,
        (Some(l), Some(_)) => {
            return Err(cx
                .at(l, "both [lattice] and [structure] are given")
                .with_hint("keep one of them: the system comes from a lattice or from a file"));
        }
        (None, None) => {
            return Err(cx
                .general("the deck defines no atoms")
                .with_hint("add a [lattice] table or a [structure] table with a file"));
        }
    };
    if let Some(v) = &spec.velocity {
        let t = *v.temperature.get_ref();
        if !(t.is_finite() && t >= 0.0) {
            return Err(cx
                .at(
                    &v.temperature,
                    format!("temperature {t} must be zero or positive"),
                )
                .with_key("velocity.temperature"));
        }
        create_velocities(&mut system, t, v.seed, &constants);
    }
    let output = output(&cx, &spec)?;
    let (potential, device_potential, committee) = if is_committee(&spec.potential) {
        let c = committee(
            &cx,
            &spec.potential,
            &species,
            units,
            output.uncertain.is_some(),
        )?;
        let record = c.record();
        let style = DevicePotential::Unsupported(COMMITTEE.to_string());
        (Box::new(c) as Box<dyn Potential>, style, Some(record))
    } else {
        reject_committee_keys(&cx, &spec.potential)?;
        let (p, d) = potential(&cx, &spec.potential, &species, units)?;
        (p, d, None)
    };
    let backend = backend(&cx, spec.backend.as_ref())?;
    let params = parameters(&cx, &spec, units)?;
    let integrator = integrator(&cx, &spec.integrator)?;
    let device_integrator = device_integrator(&spec.integrator);
    let observables =
        super::observables::build(&spec.observables, &species, potential.cutoff(), path, text)?;
    Ok(Deck {
        path: path.to_path_buf(),
        units,
        system,
        potential,
        integrator,
        params,
        steps: spec.run.steps,
        thermo_every: spec.run.thermo,
        output,
        observables,
        backend,
        device_potential,
        device_integrator,
        committee,
    })
}

/// The deck's integrator for the GPU path (after [`integrator`] checked the keys).
fn device_integrator(spec: &IntegratorSpec) -> DeviceIntegrator {
    let style = spec.style.get_ref().as_str();
    let value = |v: &Option<Spanned<f64>>| v.as_ref().map_or(0.0, |s| *s.get_ref());
    let count = |v: &Option<Spanned<u64>>, default: u64| {
        v.as_ref().map_or(default, |s| *s.get_ref()) as usize
    };
    let temperature = value(&spec.temperature);
    let temperature_stop = spec
        .temperature_stop
        .as_ref()
        .map_or(temperature, |s| *s.get_ref());
    if spec.barostat.is_some() {
        return DeviceIntegrator::Unsupported(format!(
            "integrator `{style}` with barostat = \"c-rescale\" has no GPU implementation"
        ));
    }
    match style {
        "nve" | "velocity-verlet" => DeviceIntegrator::Nve,
        "langevin" => DeviceIntegrator::Langevin {
            temperature,
            temperature_stop,
            damping: value(&spec.damping),
            seed: spec.seed.as_ref().map_or(0, |s| *s.get_ref()),
            zero_momentum: spec.zero_momentum.unwrap_or(false),
        },
        "nvt" => DeviceIntegrator::NoseHoover {
            temperature,
            temperature_stop,
            damping: value(&spec.damping),
            chain: count(&spec.chain, 3),
            loops: count(&spec.loops, 1),
            suzuki_yoshida: count(&spec.suzuki_yoshida, 1),
        },
        other => {
            DeviceIntegrator::Unsupported(format!("integrator `{other}` has no GPU implementation"))
        }
    }
}

/// The `backend` key.
fn backend(cx: &Ctx<'_>, spec: Option<&Spanned<String>>) -> Result<Backend, DeckError> {
    let Some(name) = spec else {
        return Ok(Backend::Cpu);
    };
    Backend::from_name(name.get_ref()).ok_or_else(|| {
        cx.at(name, format!("unknown backend `{}`", name.get_ref()))
            .with_key("backend")
            .with_hint("write backend = \"cpu\" or backend = \"gpu\"")
    })
}

/// The `[output]` table.
fn output(cx: &Ctx<'_>, spec: &DeckSpec) -> Result<OutputPlan, DeckError> {
    let Some(o) = &spec.output else {
        return Ok(OutputPlan::default());
    };
    let table = o;
    let o = o.get_ref();
    let path = |s: &Spanned<String>, key: &str| {
        if s.get_ref().trim().is_empty() {
            Err(cx
                .at(s, format!("`{key}` is an empty file name"))
                .with_key(format!("output.{key}")))
        } else {
            Ok(PathBuf::from(s.get_ref()))
        }
    };
    let trajectory = o
        .trajectory
        .as_ref()
        .map(|s| path(s, "trajectory"))
        .transpose()?;
    if let Some(every) = &o.every
        && trajectory.is_none()
    {
        return Err(cx
            .at(every, "`every` is given but no `trajectory`")
            .with_key("output.every")
            .with_hint("add trajectory = \"traj.extxyz\" or remove `every`"));
    }
    let thermo_file = o
        .thermo_file
        .as_ref()
        .map(|s| path(s, "thermo_file"))
        .transpose()?;
    let thermo_format = match &o.thermo_format {
        None => ThermoFormat::Lammps,
        Some(f) => {
            let format = match f.get_ref().as_str() {
                "lammps" => ThermoFormat::Lammps,
                "csv" => ThermoFormat::Csv,
                "jsonl" => ThermoFormat::Jsonl,
                other => {
                    return Err(cx
                        .at(f, format!("unknown thermo format `{other}`"))
                        .with_key("output.thermo_format")
                        .with_hint("write thermo_format = \"lammps\", \"csv\" or \"jsonl\""));
                }
            };
            if thermo_file.is_none() {
                return Err(cx
                    .at(f, "`thermo_format` is given but no `thermo_file`")
                    .with_key("output.thermo_format")
                    .with_hint(
                        "add thermo_file = \"thermo.csv\": the screen keeps LAMMPS's table",
                    ));
            }
            format
        }
    };
    if trajectory.is_some() && trajectory == thermo_file {
        return Err(cx
            .at(table, "`trajectory` and `thermo_file` name the same file")
            .with_key("output"));
    }
    let uncertain = uncertain_frames(cx, spec, o)?;
    if let Some(u) = &uncertain
        && (Some(&u.path) == trajectory.as_ref() || Some(&u.path) == thermo_file.as_ref())
    {
        return Err(cx
            .at(table, "`uncertain_frames` names the file of another output")
            .with_key("output.uncertain_frames"));
    }
    let model_deviation = model_deviation_file(cx, spec, o)?;
    if let Some(m) = &model_deviation {
        let taken = [
            trajectory.as_ref(),
            thermo_file.as_ref(),
            uncertain.as_ref().map(|u| &u.path),
        ];
        if taken.contains(&Some(&m.path)) {
            return Err(cx
                .at(table, "`model_deviation` names the file of another output")
                .with_key("output.model_deviation"));
        }
    }
    Ok(OutputPlan {
        trajectory,
        every: o.every.as_ref().map_or(spec.run.thermo, |e| *e.get_ref()),
        thermo_format,
        thermo_file,
        uncertain,
        model_deviation,
    })
}

/// `model_deviation` and `model_deviation_every` of `[output]`: only with a committee
/// potential, the interval only with the file.
fn model_deviation_file(
    cx: &Ctx<'_>,
    spec: &DeckSpec,
    o: &OutputSpec,
) -> Result<Option<ModelDeviationFile>, DeckError> {
    let Some(file) = &o.model_deviation else {
        let settings = [
            (
                "model_deviation_every",
                o.model_deviation_every.as_ref().map(Spanned::span),
            ),
            (
                "model_deviation_relative",
                o.model_deviation_relative.as_ref().map(Spanned::span),
            ),
            (
                "model_deviation_relative_v",
                o.model_deviation_relative_v.as_ref().map(Spanned::span),
            ),
            (
                "model_deviation_atomic",
                o.model_deviation_atomic.as_ref().map(Spanned::span),
            ),
        ];
        return match settings
            .into_iter()
            .find_map(|(key, at)| at.map(|at| (key, at)))
        {
            None => Ok(None),
            Some((key, at)) => Err(cx
                .at_span(
                    at,
                    format!("`{key}` is given but no `model_deviation` file"),
                )
                .with_key("output.model_deviation")
                .with_hint("add model_deviation = \"model_devi.out\"")),
        };
    };
    committee_file(cx, spec, file, "model_deviation")?;
    let level = |key: &str, value: &Option<Spanned<f64>>| match value {
        None => Ok(None),
        Some(v) if v.get_ref().is_finite() && *v.get_ref() >= 0.0 => Ok(Some(*v.get_ref())),
        Some(v) => Err(cx
            .at(
                v,
                format!("`{key}` {} must be zero or positive", v.get_ref()),
            )
            .with_key(format!("output.{key}"))),
    };
    Ok(Some(ModelDeviationFile {
        path: PathBuf::from(file.get_ref()),
        every: o
            .model_deviation_every
            .as_ref()
            .map_or(spec.run.thermo, |e| *e.get_ref()),
        scale: DeviationScale {
            relative_force: level("model_deviation_relative", &o.model_deviation_relative)?,
            relative_virial: level("model_deviation_relative_v", &o.model_deviation_relative_v)?,
        },
        atomic: o
            .model_deviation_atomic
            .as_ref()
            .is_some_and(|a| *a.get_ref()),
    }))
}

/// Checks the file name of `[output]` key `key`, an output only a committee potential
/// writes: the potential must be one, the name not empty.
fn committee_file(
    cx: &Ctx<'_>,
    spec: &DeckSpec,
    file: &Spanned<String>,
    key: &str,
) -> Result<(), DeckError> {
    if !is_committee(&spec.potential) {
        return Err(cx
            .at(file, format!("`{key}` needs a committee potential"))
            .with_key(format!("output.{key}"))
            .with_hint(
                "set style = \"committee\" in [potential] and list the members as \
                 [[potential.committee]] tables",
            ));
    }
    if file.get_ref().trim().is_empty() {
        return Err(cx
            .at(file, format!("`{key}` is an empty file name"))
            .with_key(format!("output.{key}")));
    }
    Ok(())
}

/// `uncertain_frames` and `uncertainty_threshold` of `[output]`: both or neither, and only
/// with a committee potential.
fn uncertain_frames(
    cx: &Ctx<'_>,
    spec: &DeckSpec,
    o: &OutputSpec,
) -> Result<Option<UncertainFrames>, DeckError> {
    let (file, threshold) = match (&o.uncertain_frames, &o.uncertainty_threshold) {
        (None, None) => return Ok(None),
        (Some(f), Some(t)) => (f, t),
        (Some(f), None) => {
            return Err(cx
                .at(
                    f,
                    "`uncertain_frames` is given but no `uncertainty_threshold`",
                )
                .with_key("output.uncertainty_threshold")
                .with_hint(
                    "add uncertainty_threshold = 0.3 (the largest atomic force deviation, \
                     in force units, above which a frame is written)",
                ));
        }
        (None, Some(t)) => {
            return Err(cx
                .at(
                    t,
                    "`uncertainty_threshold` is given but no `uncertain_frames` file",
                )
                .with_key("output.uncertain_frames")
                .with_hint("add uncertain_frames = \"uncertain.extxyz\""));
        }
    };
    committee_file(cx, spec, file, "uncertain_frames")?;
    let t = *threshold.get_ref();
    if !(t.is_finite() && t >= 0.0) {
        return Err(cx
            .at(threshold, format!("threshold {t} must be zero or positive"))
            .with_key("output.uncertainty_threshold"));
    }
    Ok(Some(UncertainFrames {
        path: PathBuf::from(file.get_ref()),
        threshold: t,
    }))
}

fn species(cx: &Ctx<'_>, specs: &[SpeciesSpec]) -> Result<Vec<Species>, DeckError> {
    if specs.is_empty() {
        return Err(cx
            .general("no [[species]] defined")
            .with_hint("add [[species]] with name = \"A\" and mass = 1.0"));
    }
    let mut out: Vec<Species> = Vec::new();
    for s in specs {
        let name = s.name.get_ref();
        if out.iter().any(|o| &o.name == name) {
            return Err(cx
                .at(&s.name, format!("species `{name}` is defined twice"))
                .with_key("species.name"));
        }
        let m = *s.mass.get_ref();
        if !(m.is_finite() && m > 0.0) {
            return Err(cx
                .at(&s.mass, format!("mass {m} must be positive"))
                .with_key("species.mass"));
        }
        out.push(Species::new(name.clone(), m));
    }
    Ok(out)
}

fn species_index(
    cx: &Ctx<'_>,
    species: &[Species],
    name: &Spanned<String>,
    key: &str,
) -> Result<u32, DeckError> {
    species
        .iter()
        .position(|s| &s.name == name.get_ref())
        .map(|i| i as u32)
        .ok_or_else(|| {
            let known: Vec<&str> = species.iter().map(|s| s.name.as_str()).collect();
            cx.at(name, format!("unknown species `{}`", name.get_ref()))
                .with_key(key)
                .with_hint(format!(
                    "define it under [[species]]; known: {}",
                    known.join(", ")
                ))
        })
}

fn lattice_system(
    cx: &Ctx<'_>,
    spec: &Spanned<LatticeSpec>,
    species: &[Species],
) -> Result<System, DeckError> {
    let l = spec.get_ref();
    let kind = l.kind.get_ref().as_str();
    let mut lattice = if kind == "custom" {
        let (Some(vectors), Some(basis)) = (&l.vectors, &l.basis) else {
            return Err(cx
                .at(&l.kind, "a custom lattice needs `vectors` and `basis`")
                .with_hint("add vectors = [[1,0,0],[0,1,0],[0,0,1]] and basis = [{ position = [0,0,0], species = \"A\" }]"));
        };
        if basis.is_empty() {
            return Err(cx
                .at(&l.kind, "a custom lattice needs at least one basis atom")
                .with_key("lattice.basis"));
        }
        let rows: Vec<Vector3<f64>> = vectors.iter().map(|r| Vector3::from(*r)).collect();
        let mut b = Vec::new();
        for atom in basis {
            let t = species_index(cx, species, &atom.species, "lattice.basis.species")?;
            b.push((Vector3::from(atom.position), t));
        }
        Lattice {
            vectors: Matrix3::from_columns(&rows),
            basis: b,
            constant: 1.0,
        }
    } else {
        let Some(cubic) = CubicKind::from_name(kind) else {
            return Err(cx
                .at(&l.kind, format!("unknown lattice kind `{kind}`"))
                .with_key("lattice.kind")
                .with_hint("use sc, bcc, fcc, diamond or custom"));
        };
        let Some(name) = &l.species else {
            return Err(cx
                .at(spec, "missing key `species` in [lattice]")
                .with_hint("name the species of the lattice atoms, e.g. species = \"A\""));
        };
        let t = species_index(cx, species, name, "lattice.species")?;
        let mut lat = Lattice::cubic(cubic, 1.0);
        lat.basis.iter_mut().for_each(|b| b.1 = t);
        lat
    };
    if lattice.vectors.determinant() <= 0.0 {
        return Err(cx
            .at(
                &l.kind,
                "lattice vectors must be right-handed and independent",
            )
            .with_key("lattice.vectors"));
    }
    lattice.constant = match (&l.constant, &l.density) {
        (Some(a), None) => {
            let v = *a.get_ref();
            if !(v.is_finite() && v > 0.0) {
                return Err(cx
                    .at(a, format!("lattice constant {v} must be positive"))
                    .with_key("lattice.constant"));
            }
            v
        }
        (None, Some(rho)) => {
            let v = *rho.get_ref();
            if !(v.is_finite() && v > 0.0) {
                return Err(cx
                    .at(rho, format!("density {v} must be positive"))
                    .with_key("lattice.density"));
            }
            let n = lattice.basis.len() as f64;
            (n / (v * lattice.vectors.determinant())).cbrt()
        }
        (Some(a), Some(_)) => {
            return Err(cx
                .at(a, "give either `constant` or `density`, not both")
                .with_key("lattice.constant"));
        }
        (None, None) => {
            return Err(cx
                .at(spec, "[lattice] needs `constant` or `density`")
                .with_hint("e.g. density = 0.8442 (reduced units) or constant = 3.615"));
        }
    };
    let repeat = *l.repeat.get_ref();
    if repeat.contains(&0) {
        return Err(cx
            .at(&l.repeat, "every repeat count must be at least 1")
            .with_key("lattice.repeat"));
    }
    let n_atoms = repeat.iter().map(|&r| r as u128).product::<u128>() * lattice.basis.len() as u128;
    if n_atoms > MAX_ATOMS {
        return Err(cx
            .at(
                &l.repeat,
                format!(
                    "this lattice would hold {n_atoms} atoms; ferromd handles at most {MAX_ATOMS}"
                ),
            )
            .with_key("lattice.repeat"));
    }
    lattice
        .build(repeat.map(|r| r as usize), species.to_vec())
        .map_err(|e| cx.at(&l.kind, e.to_string()))
}

fn structure_system(
    cx: &Ctx<'_>,
    spec: &Spanned<StructureSpec>,
    species: &[Species],
) -> Result<System, DeckError> {
    let s = spec.get_ref();
    let file = cx
        .path
        .parent()
        .unwrap_or(Path::new("."))
        .join(s.file.get_ref());
    let text = std::fs::read_to_string(&file).map_err(|e| {
        cx.at(
            &s.file,
            format!("cannot read structure file {}: {e}", file.display()),
        )
        .with_key("structure.file")
    })?;
    if super::dump_structure::is_dump(&text) {
        if s.cell.is_some() || s.periodic.is_some() {
            return Err(cx
                .at(&s.file, "a LAMMPS dump gives its own box and boundaries")
                .with_key("structure")
                .with_hint("remove `cell` and `periodic` from [structure]"));
        }
        let frame = s.frame.as_ref().map_or(-1, |f| *f.get_ref());
        return super::dump_structure::system_from_dump(&text, &file, frame, species);
    }
    if let Some(f) = &s.frame {
        return Err(cx
            .at(f, "`frame` applies to LAMMPS dumps only")
            .with_key("structure.frame"));
    }
    let frame = parse_xyz(&text)
        .map_err(|e| DeckError::general(&file, e.message.clone()).with_location(e.line))?;
    let h = match (&s.cell, frame.lattice) {
        (Some(rows), _) => Matrix3::from_columns(&rows.map(Vector3::from)),
        (None, Some(h)) => h,
        (None, None) => {
            return Err(cx
                .at(
                    &s.file,
                    "the structure file has no Lattice and the deck gives no `cell`",
                )
                .with_hint("add cell = [[ax,ay,az],[bx,by,bz],[cx,cy,cz]] to [structure]"));
        }
    };
    let periodic = s.periodic.or(frame.pbc).unwrap_or([true; 3]);
    let cell =
        Cell::new(h, Vector3::zeros(), periodic).map_err(|e| cx.at(&s.file, e.to_string()))?;
    let mut system = System::new(cell, species.to_vec());
    for (k, (sym, x)) in frame.symbols.iter().zip(&frame.positions).enumerate() {
        let Some(t) = species.iter().position(|sp| &sp.name == sym) else {
            return Err(DeckError::general(
                &file,
                format!(
                    "atom {} has species `{sym}`, which the deck does not define",
                    k + 1
                ),
            )
            .with_location(k + 3)
            .with_hint(format!(
                "add [[species]] name = \"{sym}\" to {}",
                cx.path.display()
            )));
        };
        system.push_atom(t as u32, *x);
    }
    Ok(system)
}

fn potential(
    cx: &Ctx<'_>,
    p: &PotentialSpec,
    species: &[Species],
    units: UnitSystem,
) -> Result<(Box<dyn Potential>, DevicePotential), DeckError> {
    let model_keys = [
        ("head", p.head.as_ref().map(Spanned::span)),
        ("charge", p.charge.as_ref().map(Spanned::span)),
        (
            "spin_multiplicity",
            p.spin_multiplicity.as_ref().map(Spanned::span),
        ),
    ];
    if !mlip::STYLE_NAMES.contains(&p.style.get_ref().as_str())
        && let Some((key, Some(span))) = model_keys.iter().find(|(_, span)| span.is_some())
    {
        return Err(cx
            .at_span(
                span.clone(),
                format!("`{key}` has no meaning for style `{}`", p.style.get_ref()),
            )
            .with_key(format!("potential.{key}"))
            .with_hint("it is read by TorchScript models (e3gnn, sevennet, mace, torchscript)"));
    }
    match p.style.get_ref().as_str() {
        // lj/cut keeps its own path: the GPU backend converts its builder
        "lj/cut" if !p.tail => {}
        "hybrid/overlay" => return Ok((overlay(cx, p, species, units)?, unsupported(p))),
        name if pair_styles::is_coefficient_style(name) => {
            return Ok((pair_styles::build(cx, p, species, units)?, unsupported(p)));
        }
        name if mlip::STYLE_NAMES.contains(&name) => {
            let unsupported = DevicePotential::Unsupported(name.to_string());
            return Ok((torchscript(cx, p, species, units)?, unsupported));
        }
        name if manybody::STYLES.contains(&name) => {
            require_metal_files(cx, p, units)?;
            let unsupported = DevicePotential::Unsupported(name.to_string());
            return Ok((manybody_file(cx, p, name, species)?, unsupported));
        }
        name => {
            if let Some(style) = EamStyle::from_name(name) {
                require_metal_files(cx, p, units)?;
                let eam = eam(cx, p, style, species)?;
                let tables = DevicePotential::Eam(eam.tables().clone());
                return Ok((Box::new(eam), tables));
            }
            return Err(cx
                .at(&p.style, format!("unknown potential style `{name}`"))
                .with_key("potential.style")
                .with_hint(
                    "supported styles: lj/cut, lj/smooth/linear, morse, buck, born, yukawa, \
                     soft, zbl, coul/cut, lj/cut/coul/cut, table, eam, eam/alloy, eam/fs, \
                     tersoff, tersoff/mod, sw, e3gnn (sevennet), mace, nequip, torchscript, hybrid/overlay, \
                     committee",
                ));
        }
    }
    pair_styles::check_keys(cx, p)?;
    let Some(cut) = &p.cutoff else {
        return Err(cx
            .at(&p.style, "lj/cut needs a global `cutoff`")
            .with_hint("add cutoff = 2.5 to [potential]"));
    };
    let rc = *cut.get_ref();
    if !(rc.is_finite() && rc > 0.0) {
        return Err(cx
            .at(cut, format!("cutoff {rc} must be positive"))
            .with_key("potential.cutoff"));
    }
    let mut builder = LjCutBuilder::new(species.len(), rc);
    builder.shift(p.shift);
    if let Some(m) = &p.mixing {
        let mixing = Mixing::from_name(m.get_ref()).ok_or_else(|| {
            cx.at(m, format!("unknown mixing rule `{}`", m.get_ref()))
                .with_key("potential.mixing")
                .with_hint("use geometric, arithmetic or sixthpower")
        })?;
        builder.mixing(mixing);
    }
    for c in &p.coeff {
        let pair = c.get_ref();
        let [a, b] = pair.species.get_ref();
        let find = |name: &String| -> Result<usize, DeckError> {
            species
                .iter()
                .position(|s| &s.name == name)
                .map(|i| i + 1)
                .ok_or_else(|| {
                    cx.at(&pair.species, format!("unknown species `{name}`"))
                        .with_key("potential.coeff.species")
                        .with_hint("name species defined under [[species]]")
                })
        };
        let (i, j) = (find(a)?, find(b)?);
        let (Some(epsilon), Some(sigma)) = (pair.epsilon, pair.sigma) else {
            return Err(cx
                .at(c, "lj/cut needs `epsilon` and `sigma` for every pair")
                .with_key("potential.coeff"));
        };
        builder
            .pair(i, j, epsilon, sigma, pair.cutoff)
            .map_err(|e| cx.at(c, e.to_string()).with_key("potential.coeff"))?;
    }
    let lj = builder.build().map_err(|e| {
        cx.at(&p.style, e.to_string())
            .with_hint("add a [[potential.coeff]] for each species pair that cannot be mixed")
    })?;
    let device = DevicePotential::LjCut {
        builder,
        shift: p.shift,
    };
    Ok((Box::new(lj), device))
}

/// What the GPU backend is told about a potential it cannot convert.
fn unsupported(p: &PotentialSpec) -> DevicePotential {
    DevicePotential::Unsupported(p.style.get_ref().clone())
}

/// `hybrid/overlay`: the sum of the `[[potential.overlay]]` potentials, each acting on
/// every species pair (e.g. an MLIP or EAM plus `zbl` at short range).
fn overlay(
    cx: &Ctx<'_>,
    p: &PotentialSpec,
    species: &[Species],
    units: UnitSystem,
) -> Result<Box<dyn Potential>, DeckError> {
    if p.overlay.is_empty() {
        return Err(cx
            .at(&p.style, "hybrid/overlay needs the potentials it sums")
            .with_key("potential.overlay")
            .with_hint("add one [[potential.overlay]] table per potential, each with its style"));
    }
    let given = [
        p.cutoff.is_some(),
        p.file.is_some(),
        p.model.is_some(),
        p.elements.is_some(),
        !p.coeff.is_empty(),
        p.mixing.is_some(),
        p.shift || p.tail,
    ];
    if given.iter().any(|&g| g) {
        return Err(cx
            .at(&p.style, "hybrid/overlay takes only `style` and `overlay`")
            .with_key("potential")
            .with_hint("move the other keys into the [[potential.overlay]] they belong to"));
    }
    let mut sum = Overlay::new("hybrid/overlay");
    for sub in &p.overlay {
        if sub.style.get_ref() == "hybrid/overlay" {
            return Err(cx
                .at(&sub.style, "a hybrid/overlay cannot contain another")
                .with_key("potential.overlay.style"));
        }
        let (part, _) = potential(cx, sub, species, units)?;
        sum.push(part, None);
    }
    Ok(Box::new(sum))
}

/// The style name of committees.
const COMMITTEE: &str = "committee";

fn is_committee(p: &PotentialSpec) -> bool {
    p.style.get_ref() == COMMITTEE
}

/// The committee-only keys must not be given to another style.
fn reject_committee_keys(cx: &Ctx<'_>, p: &PotentialSpec) -> Result<(), DeckError> {
    if let Some(first) = p.committee.first() {
        return Err(cx
            .at(
                first,
                format!(
                    "[[potential.committee]] members are given to style `{}`",
                    p.style.get_ref()
                ),
            )
            .with_key("potential.committee")
            .with_hint("set style = \"committee\" to evaluate several potentials together"));
    }
    if let Some(d) = &p.drive_member {
        return Err(cx
            .at(
                d,
                format!(
                    "`drive_member` has no meaning for style `{}`",
                    p.style.get_ref()
                ),
            )
            .with_key("potential.drive_member")
            .with_hint("`drive_member` is read by style \"committee\""));
    }
    Ok(())
}

/// `committee`: the members of `[[potential.committee]]` (at least two, none a committee
/// itself), moved by their mean or by member `drive_member`. `always_energies`: members
/// compute their energies at every step (uncertain frames carry them).
fn committee(
    cx: &Ctx<'_>,
    p: &PotentialSpec,
    species: &[Species],
    units: UnitSystem,
    always_energies: bool,
) -> Result<Committee, DeckError> {
    let stray = [
        ("cutoff", p.cutoff.is_some()),
        ("shift", p.shift),
        ("mixing", p.mixing.is_some()),
        ("coeff", !p.coeff.is_empty()),
        ("file", p.file.is_some()),
        ("elements", p.elements.is_some()),
        ("model", p.model.is_some()),
        ("device", p.device.is_some()),
        ("head", p.head.is_some()),
        ("charge", p.charge.is_some()),
        ("spin_multiplicity", p.spin_multiplicity.is_some()),
    ];
    if let Some((key, _)) = stray.iter().find(|(_, given)| *given) {
        return Err(cx
            .at(
                &p.style,
                format!("`{key}` is given to the committee itself"),
            )
            .with_key(format!("potential.{key}"))
            .with_hint(
                "give it to the member it belongs to, in its [[potential.committee]] table",
            ));
    }
    if p.committee.len() < 2 {
        return Err(cx
            .at(
                &p.style,
                format!(
                    "a committee needs at least two members, it has {}",
                    p.committee.len()
                ),
            )
            .with_key("potential.committee")
            .with_hint("add one [[potential.committee]] table per member, e.g. style and model"));
    }
    let mut members = Vec::with_capacity(p.committee.len());
    for m in &p.committee {
        let spec = m.get_ref();
        if is_committee(spec) {
            return Err(cx
                .at(
                    &spec.style,
                    "a committee member cannot itself be a committee",
                )
                .with_key("potential.committee.style"));
        }
        reject_committee_keys(cx, spec)?;
        members.push(potential(cx, spec, species, units)?.0);
    }
    let drive = match &p.drive_member {
        None => CommitteeDrive::Mean,
        Some(d) => {
            let k = *d.get_ref();
            if k < 1 || k as usize > members.len() {
                return Err(cx
                    .at(
                        d,
                        format!(
                            "member {k} does not exist: the committee has {} members",
                            members.len()
                        ),
                    )
                    .with_key("potential.drive_member")
                    .with_hint("number members from 1, in the order of their tables"));
            }
            CommitteeDrive::Member(k as usize - 1)
        }
    };
    let committee = Committee::new(members, drive).map_err(|e| {
        cx.at(&p.style, e.to_string())
            .with_key("potential.committee")
    })?;
    Ok(committee.with_energies_always(always_energies))
}

/// `eam`, `eam/alloy`, `eam/fs`: one file; for setfl styles, an element per species.
fn eam(
    cx: &Ctx<'_>,
    p: &PotentialSpec,
    style: EamStyle,
    species: &[Species],
) -> Result<Eam, DeckError> {
    let Some(file) = &p.file else {
        return Err(cx
            .at(
                &p.style,
                format!("{} needs a potential `file`", style.name()),
            )
            .with_key("potential.file")
            .with_hint("add file = \"Cu_u3.eam\" (or a setfl file for eam/alloy, eam/fs)"));
    };
    let names = element_names(cx, p, species, "file")?;
    let map: Vec<&str> = names.iter().map(String::as_str).collect();
    let path = cx.beside_deck(file.get_ref());
    let eam = Eam::from_file(&path, style, &map).map_err(|e| {
        cx.at(file, e.to_string())
            .with_key("potential.file")
            .with_hint("check the file name, its format and the element names")
    })?;
    Ok(eam)
}

/// EAM, Tersoff and SW files hold metal-unit numbers (eV, Å), which ferromd does not
/// convert: any other unit system is an error rather than a run in the wrong units.
fn require_metal_files(
    cx: &Ctx<'_>,
    p: &PotentialSpec,
    units: UnitSystem,
) -> Result<(), DeckError> {
    if units == UnitSystem::Metal {
        return Ok(());
    }
    let style = p.style.get_ref();
    Err(cx
        .at(
            &p.style,
            format!("{style} potential files are in metal units (eV, Å), not {units}"),
        )
        .with_key("potential.style")
        .with_hint("write units = \"metal\""))
}

/// `tersoff`, `sw`: one element-triplet file and an element per species.
fn manybody_file(
    cx: &Ctx<'_>,
    p: &PotentialSpec,
    style: &str,
    species: &[Species],
) -> Result<Box<dyn Potential>, DeckError> {
    let Some(file) = &p.file else {
        return Err(cx
            .at(&p.style, format!("{style} needs a potential `file`"))
            .with_key("potential.file")
            .with_hint("add file = \"Si.tersoff\" (or Si.sw for sw)"));
    };
    let names = element_names(cx, p, species, "file")?;
    let map: Vec<&str> = names.iter().map(String::as_str).collect();
    let path = cx.beside_deck(file.get_ref());
    manybody::from_style(style, &path, &map).map_err(|e| {
        cx.at(file, e.to_string())
            .with_key("potential.file")
            .with_hint("check the file name, its format and the element names")
    })
}

/// The element of each species: `elements` from the deck (one per species, in order) or
/// the species names. `source` names what the elements must exist in (`file`, `model`).
fn element_names(
    cx: &Ctx<'_>,
    p: &PotentialSpec,
    species: &[Species],
    source: &str,
) -> Result<Vec<String>, DeckError> {
    match &p.elements {
        Some(e) if e.get_ref().len() != species.len() => Err(cx
            .at(
                e,
                format!(
                    "{} elements for {} species",
                    e.get_ref().len(),
                    species.len()
                ),
            )
            .with_key("potential.elements")
            .with_hint(format!(
                "give one element of the {source} per [[species]], in order"
            ))),
        Some(e) => Ok(e.get_ref().clone()),
        None => Ok(species.iter().map(|s| s.name.clone()).collect()),
    }
}

/// `e3gnn` (alias `sevennet`), `mace`, `nequip` or `torchscript`: a TorchScript model in
/// SevenNet's `pair_e3gnn`, MACE's `pair_mace` or NequIP's `pair_nequip` convention
/// (`torchscript`: read from the file), with an element (NequIP: a type name) per species
/// (the species names unless `elements` is given).
fn torchscript(
    cx: &Ctx<'_>,
    p: &PotentialSpec,
    species: &[Species],
    units: UnitSystem,
) -> Result<Box<dyn Potential>, DeckError> {
    let style = p.style.get_ref();
    if units != UnitSystem::Metal {
        return Err(cx
            .at(
                &p.style,
                format!("{style} models work in metal units (eV, Å)"),
            )
            .with_key("potential.style")
            .with_hint("write units = \"metal\""));
    }
    let Some(model) = &p.model else {
        return Err(cx
            .at(&p.style, format!("{style} needs a `model` file"))
            .with_key("potential.model")
            .with_hint("add model = \"sevennet0.pt\" (scripts/setup-mlip.sh exports SevenNet-0)"));
    };
    let names = element_names(cx, p, species, "model")?;
    let elements: Vec<&str> = names.iter().map(String::as_str).collect();
    let options = MlipOptions {
        convention: mlip::Convention::from_style(style).flatten(),
        device: p
            .device
            .as_ref()
            .map_or_else(|| "cpu".to_owned(), |d| d.get_ref().clone()),
        head: p.head.as_ref().map(|h| h.get_ref().clone()),
        charge: p.charge.as_ref().map(|q| *q.get_ref()),
        spin_multiplicity: p.spin_multiplicity.as_ref().map(|m| *m.get_ref()),
    };
    let path = cx.beside_deck(model.get_ref());
    mlip::load_model(&path, &elements, &options).map_err(|e| match &e {
        MlipError::FeatureDisabled => cx
            .at(&p.style, e.to_string())
            .with_key("potential.style")
            .with_hint("ferromd was built without the `torch` feature"),
        MlipError::Device { .. } => cx
            .at(p.device.as_ref().unwrap_or(&p.style), e.to_string())
            .with_key("potential.device")
            .with_hint("use device = \"cpu\", or \"cuda:N\" where torch sees a GPU"),
        MlipError::HeadRequired { .. }
        | MlipError::UnknownHead { .. }
        | MlipError::NoHeads { .. } => cx
            .at_span(
                p.head.as_ref().map_or(model.span(), Spanned::span),
                e.to_string(),
            )
            .with_key("potential.head")
            .with_hint("the model's heads are read from its metadata"),
        MlipError::BadSystemInput { input, .. } => {
            let span = match input.as_str() {
                "charge" => p.charge.as_ref().map(Spanned::span),
                _ => p.spin_multiplicity.as_ref().map(Spanned::span),
            };
            cx.at_span(span.unwrap_or(model.span()), e.to_string())
                .with_key(format!("potential.{input}"))
                .with_hint("charge and spin_multiplicity are for models that read them")
        }
        MlipError::UnknownElement { .. } | MlipError::NoTypes => match &p.elements {
            Some(els) => cx.at(els, e.to_string()).with_key("potential.elements"),
            None => cx.at(model, e.to_string()).with_key("species.name"),
        }
        .with_hint("name species by element, or map them with elements = [...]"),
        _ => cx
            .at(model, e.to_string())
            .with_key("potential.model")
            .with_hint(
                "check the path; export SevenNet models with sevenn_get_model or sevenn_deploy, \
                 MACE models with mace_create_lammps_model, NequIP models with nequip-deploy",
            ),
    })
}

/// The integrator of `[integrator]`: `nve` or one of the thermostats.
fn integrator(cx: &Ctx<'_>, spec: &IntegratorSpec) -> Result<Box<dyn Integrator>, DeckError> {
    let style = spec.style.get_ref().as_str();
    let barostat = matches!(style, "npt" | "nph");
    let thermostat = matches!(style, "langevin" | "nvt" | "csvr" | "berendsen" | "npt");
    if !thermostat && !barostat && style != "nve" && style != "velocity-verlet" {
        return Err(cx
            .at(&spec.style, format!("unknown integrator style `{style}`"))
            .with_key("integrator.style")
            .with_hint(
                "supported: \"nve\" (velocity Verlet), \"langevin\", \"nvt\", \"csvr\", \
                 \"berendsen\", \"npt\", \"nph\"",
            ));
    }
    // keys that only some styles read must not be given to the others
    let only = |present: bool, key: &str, styles: &[&str]| -> Result<(), DeckError> {
        if present && !styles.contains(&style) {
            return Err(cx
                .at(
                    &spec.style,
                    format!("`{key}` has no meaning for style `{style}`"),
                )
                .with_key(format!("integrator.{key}"))
                .with_hint(format!("`{key}` is read by: {}", styles.join(", "))));
        }
        Ok(())
    };
    let thermostats = ["langevin", "nvt", "csvr", "berendsen", "npt"];
    let barostats = ["npt", "nph"];
    let crescale = c_rescale_requested(cx, spec)?;
    only(
        crescale,
        "barostat",
        &["langevin", "nvt", "csvr", "berendsen"],
    )?;
    only(
        spec.modulus.is_some() && !crescale,
        "modulus",
        &["barostat = \"c-rescale\""],
    )?;
    only(spec.temperature.is_some(), "temperature", &thermostats)?;
    only(
        spec.temperature_stop.is_some(),
        "temperature_stop",
        &thermostats,
    )?;
    only(
        spec.pressure_stop.is_some() && !crescale,
        "pressure_stop",
        &barostats,
    )?;
    let t_stop = ramp_stop(cx, spec.temperature_stop.as_ref(), "temperature_stop")?;
    let p_stop = ramp_stop(cx, spec.pressure_stop.as_ref(), "pressure_stop")?;
    only(spec.damping.is_some(), "damping", &thermostats)?;
    only(
        spec.seed.is_some() && !crescale,
        "seed",
        &["langevin", "csvr"],
    )?;
    only(spec.chain.is_some(), "chain", &["nvt", "npt"])?;
    only(spec.loops.is_some(), "loops", &["nvt", "npt"])?;
    only(
        spec.suzuki_yoshida.is_some(),
        "suzuki_yoshida",
        &["nvt", "npt"],
    )?;
    only(spec.zero_momentum.is_some(), "zero_momentum", &["langevin"])?;
    only(spec.pressure.is_some() && !crescale, "pressure", &barostats)?;
    only(
        spec.pressure_damping.is_some() && !crescale,
        "pressure_damping",
        &barostats,
    )?;
    only(spec.coupling.is_some() && !crescale, "coupling", &barostats)?;
    if !thermostat && !barostat {
        return Ok(Box::new(VelocityVerlet::new()));
    }
    if barostat {
        return barostat_integrator(cx, spec, style, t_stop, p_stop);
    }
    let required = |value: Option<&Spanned<f64>>, key: &str, hint: &str| {
        let Some(v) = value else {
            return Err(cx
                .at(&spec.style, format!("style `{style}` needs `{key}`"))
                .with_key(format!("integrator.{key}"))
                .with_hint(hint.to_string()));
        };
        let x = *v.get_ref();
        if !(x.is_finite() && x > 0.0) {
            return Err(cx
                .at(v, format!("{key} {x} must be positive"))
                .with_key(format!("integrator.{key}")));
        }
        Ok(x)
    };
    let t = required(
        spec.temperature.as_ref(),
        "temperature",
        "add temperature = 1.5 (the target)",
    )?;
    let damp = required(
        spec.damping.as_ref(),
        "damping",
        "add damping = 0.5 (time units; LAMMPS suggests 100 timesteps)",
    )?;
    let seed = || match &spec.seed {
        Some(s) => Ok(*s.get_ref()),
        None => Err(cx
            .at(&spec.style, format!("style `{style}` needs a `seed`"))
            .with_key("integrator.seed")
            .with_hint("add seed = 4928459")),
    };
    let t1 = t_stop.unwrap_or(t);
    let thermostat: Box<dyn Integrator> = match style {
        "langevin" => Box::new(
            Langevin::new(t, damp, seed()?)
                .zero_momentum(spec.zero_momentum.unwrap_or(false))
                .ramp_to(t1),
        ),
        "csvr" => Box::new(Csvr::new(t, damp, seed()?).ramp_to(t1)),
        "berendsen" => Box::new(Berendsen::new(t, damp).ramp_to(t1)),
        _ => {
            let count = |v: &Option<Spanned<u64>>, default: u64| {
                v.as_ref().map_or(default, |s| *s.get_ref()) as usize
            };
            let nh = NoseHooverChain::with_options(
                t,
                damp,
                count(&spec.chain, 3),
                count(&spec.loops, 1),
                count(&spec.suzuki_yoshida, 1),
            )
            .and_then(|c| c.ramp_to(t1));
            match nh {
                Ok(nh) => Box::new(nh),
                Err(e) => {
                    return Err(cx
                        .at(&spec.style, e.to_string())
                        .with_key("integrator")
                        .with_hint("chain >= 1, loops >= 1, suzuki_yoshida in 1, 3, 5, 7"));
                }
            }
        }
    };
    if crescale {
        return c_rescale(cx, spec, thermostat, (t, t1), p_stop, seed()?);
    }
    Ok(thermostat)
}

/// The value of a ramp key (`temperature_stop`, `pressure_stop`): finite, and not
/// negative for a temperature.
fn ramp_stop(
    cx: &Ctx<'_>,
    value: Option<&Spanned<f64>>,
    key: &str,
) -> Result<Option<f64>, DeckError> {
    let Some(v) = value else {
        return Ok(None);
    };
    let x = *v.get_ref();
    let temperature = key.starts_with("temperature");
    if !x.is_finite() || (temperature && x < 0.0) {
        let need = if temperature { ">= 0" } else { "finite" };
        return Err(cx
            .at(v, format!("{key} {x} must be {need}"))
            .with_key(format!("integrator.{key}")));
    }
    Ok(Some(x))
}

/// Whether `barostat = "c-rescale"` is given (any other value is an error).
fn c_rescale_requested(cx: &Ctx<'_>, spec: &IntegratorSpec) -> Result<bool, DeckError> {
    match &spec.barostat {
        None => Ok(false),
        Some(b) if b.get_ref() == "c-rescale" => Ok(true),
        Some(b) => Err(cx
            .at(b, format!("unknown barostat `{}`", b.get_ref()))
            .with_key("integrator.barostat")
            .with_hint("supported: \"c-rescale\" (or use style \"npt\" for MTK)")),
    }
}

/// `barostat = "c-rescale"`: wraps `thermostat` (ramped from `temperature.0` to
/// `temperature.1`) in stochastic cell rescaling, with the target pressure ramped to
/// `pressure_stop` if given, seeded with `seed + 1`.
fn c_rescale(
    cx: &Ctx<'_>,
    spec: &IntegratorSpec,
    thermostat: Box<dyn Integrator>,
    temperature: (f64, f64),
    pressure_stop: Option<f64>,
    seed: u64,
) -> Result<Box<dyn Integrator>, DeckError> {
    let missing = |key: &str, hint: &str| {
        cx.at(&spec.style, format!("barostat `c-rescale` needs `{key}`"))
            .with_key(format!("integrator.{key}"))
            .with_hint(hint.to_string())
    };
    let p = spec
        .pressure
        .as_ref()
        .ok_or_else(|| missing("pressure", "add pressure = 1.0 (target, pressure units)"))?;
    let tau = spec.pressure_damping.as_ref().ok_or_else(|| {
        missing(
            "pressure_damping",
            "add pressure_damping = 0.5 (time units)",
        )
    })?;
    let (p0, tau) = (*p.get_ref(), *tau.get_ref());
    let p1 = pressure_stop.unwrap_or(p0);
    let control = match spec.coupling.as_ref().map(|c| (c, c.get_ref().as_str())) {
        None | Some((_, "iso")) => PressureControl::from_coupling(Coupling::Iso, p0, p1, tau),
        Some((_, "aniso")) => PressureControl::from_coupling(Coupling::Aniso, p0, p1, tau),
        Some((_, pair @ ("xy" | "xz" | "yz"))) => {
            let couple = match pair {
                "xy" => Couple::Xy,
                "xz" => Couple::Xz,
                _ => Couple::Yz,
            };
            PressureControl::from_coupling(Coupling::Aniso, p0, p1, tau).coupled(couple)
        }
        Some((c, other)) => {
            return Err(cx
                .at(c, format!("barostat `c-rescale` has no coupling `{other}`"))
                .with_key("integrator.coupling")
                .with_hint(
                    "use \"iso\", \"aniso\", or \"xy\", \"xz\", \"yz\" (semi-isotropic: \
                     those two axes share one scale factor)",
                ));
        }
    };
    let mut b = CRescale::with_control(thermostat, temperature.0, control, seed.wrapping_add(1))
        .and_then(|b| b.temperature_ramp_to(temperature.1))
        .map_err(|e| cx.at(p, e.to_string()).with_key("integrator"))?;
    if let Some(m) = &spec.modulus {
        b = b
            .modulus(*m.get_ref())
            .map_err(|e| cx.at(m, e.to_string()).with_key("integrator.modulus"))?;
    }
    Ok(Box::new(b))
}

/// `npt` / `nph`: the MTK barostat (with a Nosé-Hoover chain for `npt`), its targets
/// ramped to `temperature_stop` and `pressure_stop` when given.
fn barostat_integrator(
    cx: &Ctx<'_>,
    spec: &IntegratorSpec,
    style: &str,
    temperature_stop: Option<f64>,
    pressure_stop: Option<f64>,
) -> Result<Box<dyn Integrator>, DeckError> {
    let missing = |key: &str, hint: &str| {
        cx.at(&spec.style, format!("style `{style}` needs `{key}`"))
            .with_key(format!("integrator.{key}"))
            .with_hint(hint.to_string())
    };
    let positive = |v: &Spanned<f64>, key: &str| -> Result<f64, DeckError> {
        let x = *v.get_ref();
        if x.is_finite() && x > 0.0 {
            Ok(x)
        } else {
            Err(cx
                .at(v, format!("{key} {x} must be positive"))
                .with_key(format!("integrator.{key}")))
        }
    };
    let p = spec
        .pressure
        .as_ref()
        .ok_or_else(|| missing("pressure", "add pressure = 1.0 (target, pressure units)"))?;
    let pressure = *p.get_ref();
    if !pressure.is_finite() {
        return Err(cx
            .at(p, "pressure must be finite")
            .with_key("integrator.pressure"));
    }
    let pdamp = positive(
        spec.pressure_damping.as_ref().ok_or_else(|| {
            missing(
                "pressure_damping",
                "add pressure_damping = 5.0 (LAMMPS suggests 1000 timesteps)",
            )
        })?,
        "pressure_damping",
    )?;
    let coupling = match spec.coupling.as_ref().map(|c| (c, c.get_ref().as_str())) {
        None | Some((_, "iso")) => Coupling::Iso,
        Some((_, "aniso")) => Coupling::Aniso,
        Some((_, "tri")) if style != "berendsen" => Coupling::Tri,
        Some((c, other)) => {
            return Err(cx
                .at(c, format!("unknown coupling `{other}`"))
                .with_key("integrator.coupling")
                .with_hint("use \"iso\", \"aniso\" or (MTK only) \"tri\""));
        }
    };
    let thermostat = if style == "npt" {
        let t = positive(
            spec.temperature
                .as_ref()
                .ok_or_else(|| missing("temperature", "add temperature = 1.5"))?,
            "temperature",
        )?;
        let damp = positive(
            spec.damping
                .as_ref()
                .ok_or_else(|| missing("damping", "add damping = 0.5"))?,
            "damping",
        )?;
        let count = |v: &Option<Spanned<u64>>, default: u64| {
            v.as_ref().map_or(default, |s| *s.get_ref()) as usize
        };
        let chain = NoseHooverChain::with_options(
            t,
            damp,
            count(&spec.chain, 3),
            count(&spec.loops, 1),
            count(&spec.suzuki_yoshida, 1),
        )
        .and_then(|c| c.ramp_to(temperature_stop.unwrap_or(t)))
        .map_err(|e| cx.at(&spec.style, e.to_string()).with_key("integrator"))?;
        Some(chain)
    } else {
        None
    };
    let control = PressureControl::from_coupling(
        coupling,
        pressure,
        pressure_stop.unwrap_or(pressure),
        pdamp,
    );
    let built = MtkBarostat::with_control(thermostat, control);
    built
        .map(|b| Box::new(b) as Box<dyn Integrator>)
        .map_err(|e| cx.at(&spec.style, e.to_string()).with_key("integrator"))
}

fn parameters(
    cx: &Ctx<'_>,
    spec: &DeckSpec,
    units: UnitSystem,
) -> Result<IntegrationParameters, DeckError> {
    let mut params = IntegrationParameters::defaults_for(units);
    if let Some(dt) = &spec.integrator.timestep {
        let v = *dt.get_ref();
        if !(v.is_finite() && v > 0.0) {
            return Err(cx
                .at(dt, format!("timestep {v} must be positive"))
                .with_key("integrator.timestep"));
        }
        params.dt = v;
    }
    let n = &spec.neighbor;
    let mut nb = NeighborSettings::with_skin(units.constants().default_skin);
    if let Some(skin) = &n.skin {
        let v = *skin.get_ref();
        if !(v.is_finite() && v >= 0.0) {
            return Err(cx
                .at(skin, format!("skin {v} must be zero or positive"))
                .with_key("neighbor.skin"));
        }
        nb.skin = v;
    }
    if let Some(every) = &n.every {
        if *every.get_ref() == 0 {
            return Err(cx
                .at(every, "every must be at least 1")
                .with_key("neighbor.every"));
        }
        nb.every = *every.get_ref();
    }
    nb.delay = n.delay.unwrap_or(0);
    nb.check = n.check.unwrap_or(true);
    params.neighbor = nb;
    Ok(params)
}

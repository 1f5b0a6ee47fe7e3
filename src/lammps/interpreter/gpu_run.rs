//! `run` on the GPU path (`-sf gpu`, `suffix gpu`, `package gpu`, `/gpu` styles): the
//! atoms stay on the device. At thermo steps the host reads back the thermo sums; it
//! reads the atoms back only where a thermo keyword (`fmax`, `fnorm`, computes,
//! variables), a dump or the end of the run needs them.

use std::sync::Arc;
use std::time::Instant;

use ferromd_core::System;
use ferromd_core::neighbor::NeighborStats;
use ferromd_core::simulation::{RunObserver, RunSummary, SectionTimes};
use ferromd_gpu::{GpuContext, GpuError, GpuRunSettings, GpuSimulation};

use super::{Interpreter, ScriptObserver, eam_from_coeffs, require_metal_files};
use crate::deck::{DeviceIntegrator, DevicePotential};
use crate::lammps::dump::Dump;
use crate::lammps::error::{ScriptError, ScriptResult, fail};
use crate::lammps::pair_styles::{lj_cut_builder, morse_coefficients};
use crate::lammps::words::{float, integer, yes_no};

fn gpu_error(e: GpuError) -> ScriptError {
    ScriptError::new(e.to_string())
}

/// How a script asks to leave the GPU path, for error messages.
const USE_CPU: &str =
    "remove -sf gpu / suffix gpu (or give `suffix off` before the run) to use the CPU path";

impl Interpreter {
    /// The session's pair style in the form the GPU path converts.
    fn device_potential(&self, n_types: usize) -> ScriptResult<DevicePotential> {
        let Some(pair) = &self.pair else {
            return fail("run needs a pair style (pair_style and pair_coeff)");
        };
        if pair.tail {
            return fail(format!(
                "pair_modify tail yes is not supported on ferromd's GPU path; {USE_CPU}"
            ));
        }
        match pair.style.as_str() {
            "lj/cut" => {
                let builder =
                    lj_cut_builder(&pair.args, &pair.coeffs, pair.shift, pair.mixing, n_types)?;
                builder
                    .resolved()
                    .map_err(|e| ScriptError::new(format!("all pair coeffs are not set: {e}")))?;
                Ok(DevicePotential::LjCut {
                    builder,
                    shift: pair.shift,
                })
            }
            "morse" => Ok(DevicePotential::Morse {
                n_types,
                pairs: morse_coefficients(&pair.args, &pair.coeffs, n_types)?,
                shift: pair.shift,
            }),
            eam if eam.starts_with("eam") => {
                require_metal_files(eam, self.units)?;
                let eam = eam_from_coeffs(eam, &pair.coeffs, n_types, None)?;
                Ok(DevicePotential::Eam(eam.tables().clone()))
            }
            other => fail(format!(
                "pair_style {other} has no implementation on ferromd's GPU path; {USE_CPU}"
            )),
        }
    }

    /// Fails unless the fixes are what the GPU path integrates (`fix nve`, `fix nvt`,
    /// `fix nve` + `fix langevin`) and nothing samples during the run (`fix ave/time`).
    fn check_gpu_fixes(&self) -> ScriptResult<()> {
        if let Some(f) = self
            .fixes
            .iter()
            .find(|f| !matches!(f.style.as_str(), "nve" | "nvt" | "langevin"))
        {
            return fail(format!(
                "fix {} {} is not supported on ferromd's GPU path (it integrates with fix nve, \
                 fix nvt and fix nve + fix langevin); {USE_CPU}",
                f.id, f.style
            ));
        }
        if self.fixes.is_empty() {
            return fail(
                "run on ferromd's GPU path needs fix nve or fix nvt (the GPU path always \
                 integrates)",
            );
        }
        if let Some(id) = self.observables.average_ids().first() {
            return fail(format!(
                "fix {id} ave/time is not sampled on ferromd's GPU path; {USE_CPU}"
            ));
        }
        Ok(())
    }

    /// The thermostat of the fixes (checked by [`Interpreter::check_gpu_fixes`] and
    /// `build_integrator`) in the form the GPU path converts.
    fn device_integrator(&self) -> ScriptResult<DeviceIntegrator> {
        for f in &self.fixes {
            let a = &f.args;
            match f.style.as_str() {
                "nvt" => {
                    let (mut chain, mut loops) = (3, 1);
                    let mut k = 4;
                    while k + 1 < a.len() {
                        let n = integer(a, k + 1, &a[k])?.max(1) as usize;
                        match a[k].as_str() {
                            "tchain" => chain = n,
                            _ => loops = n,
                        }
                        k += 2;
                    }
                    return Ok(DeviceIntegrator::NoseHoover {
                        temperature: float(a, 1, "Tstart")?,
                        temperature_stop: float(a, 2, "Tstop")?,
                        damping: float(a, 3, "Tdamp")?,
                        chain,
                        loops,
                        suzuki_yoshida: 1,
                    });
                }
                "langevin" => {
                    let mut zero_momentum = false;
                    let mut k = 4;
                    while k + 1 < a.len() {
                        zero_momentum = yes_no(a, k + 1, "fix langevin zero")?;
                        k += 2;
                    }
                    return Ok(DeviceIntegrator::Langevin {
                        temperature: float(a, 0, "Tstart")?,
                        temperature_stop: float(a, 1, "Tstop")?,
                        damping: float(a, 2, "damp")?,
                        seed: integer(a, 3, "seed")? as u64,
                        zero_momentum,
                    });
                }
                _ => {}
            }
        }
        Ok(DeviceIntegrator::Nve)
    }

    /// The GPU, opened on the first GPU run of the session.
    fn gpu(&mut self) -> ScriptResult<Arc<GpuContext>> {
        if let Some(c) = &self.gpu_context {
            return Ok(c.clone());
        }
        let c = Arc::new(GpuContext::new().map_err(gpu_error)?);
        self.gpu_context = Some(c.clone());
        Ok(c)
    }

    /// `run N` on the GPU path: thermo and dumps at their intervals, the run summary,
    /// and the atoms back on the host at the end.
    pub(super) fn run_on_gpu(&mut self, n: u64, post: bool) -> ScriptResult<()> {
        self.check_gpu_fixes()?;
        let n_types = self.ready_for("run")?.n_types();
        let device = self.device_potential(n_types)?;
        let potential = crate::gpu::device_potential(&device).map_err(gpu_error)?;
        self.check_energy_split()?;
        self.check_model_deviation_keywords()?;
        let device_integrator = self.device_integrator()?;
        let thermostat = crate::gpu::device_thermostat(&device_integrator).map_err(gpu_error)?;
        let dt = self.dt();
        let n_atoms = self.ready_for("run")?.len();
        // a thermostat continues from the previous run with the same fixes, as on the CPU
        let mut integrator = match self.kept_integrator.take() {
            Some((fixes, kept_dt, n, kept))
                if fixes == self.fixes && kept_dt == dt && n == n_atoms =>
            {
                kept
            }
            _ => self.build_integrator()?,
        };
        let fix_names = self
            .fixes
            .iter()
            .map(|f| format!("fix {}", f.style))
            .collect::<Vec<_>>()
            .join(" + ");
        let ctx = self.gpu()?;
        let start_step = self.step;
        let end = start_step + n;
        self.observables
            .run_starting(start_step, potential.cutoff())?;
        let mut settings = GpuRunSettings::new(dt, self.neighbor, self.units.constants());
        settings.thermostat = thermostat;
        let system = self.system.take().expect("checked by ready_for");
        let mut sim =
            GpuSimulation::new(ctx.clone(), system, &potential, settings).map_err(gpu_error)?;
        sim.set_step(start_step);
        sim.set_thermostat_span(start_step, start_step + n);
        sim.set_thermostat_state(&integrator.save_state())
            .map_err(gpu_error)?;
        let builds_before = sim.stats().builds;
        let style = self.pair.as_ref().map_or("", |p| p.style.as_str());
        self.say(&format!(
            "GPU package: {} (ferromd GPU path: pair_style {style}, {fix_names}, f32 arithmetic)",
            ctx.description()
        ))?;
        let header = self.thermo_style.header();
        if !header.is_empty() {
            self.say(&header)?;
        }
        let needs_atoms = self.thermo_style.needs_atoms();
        let normalize = self.normalize();
        let boundary = self.boundary_string();
        let units = self.units.constants();
        let thermo_every = self.thermo_every;
        let mut observer = ScriptObserver::new(
            &self.thermo_style,
            &self.vars,
            &mut self.out,
            &mut self.dumps,
            &mut self.observables,
            &boundary,
            normalize,
            (start_step, dt, self.time),
            units,
        );
        observer.stop = self.stop.clone();
        let started = Instant::now();
        let result = observe_gpu_run(
            &mut sim,
            &mut observer,
            (start_step, start_step + n),
            thermo_every,
            needs_atoms,
        );
        let elapsed = started.elapsed();
        let error = observer.error.take();
        let interrupted = observer.interrupted;
        self.last_sample = observer.last;
        let stats = sim.stats();
        let steps = sim.step() - start_step;
        self.step = sim.step();
        self.time += steps as f64 * dt;
        let state = sim.thermostat_state().map_err(gpu_error)?;
        if !state.is_empty() {
            integrator.load_state(&state).map_err(ScriptError::new)?;
        }
        self.system = Some(sim.into_system().map_err(gpu_error)?);
        self.kept_integrator = Some((self.fixes.clone(), dt, n_atoms, integrator));
        if let Some(e) = error {
            return Err(e);
        }
        result?;
        if interrupted {
            return Err(self.interrupted(Some(end)));
        }
        if post {
            let summary = RunSummary {
                steps,
                elapsed,
                neighbor: NeighborStats {
                    builds: stats.builds - builds_before,
                    dangerous: 0,
                },
                atoms: n_atoms,
                sections: SectionTimes::default(),
            };
            self.run_summary(&summary, dt)?;
            self.say(&format!(
                "GPU neighbor list: {} regrowths, capacity {} neighbors per atom, {} atoms per \
                 bin, {} list buffers\n",
                stats.regrowths, stats.neighbor_capacity, stats.bin_capacity, stats.list_chunks
            ))?;
        }
        Ok(())
    }
}

/// Advances `sim` from `first` to `last`, stopping at every thermo and dump step; the
/// atoms are read back only at dump steps and, when the thermo style needs them, at
/// thermo steps.
fn observe_gpu_run(
    sim: &mut GpuSimulation,
    observer: &mut ScriptObserver<'_>,
    (first, last): (u64, u64),
    thermo_every: u64,
    needs_atoms: bool,
) -> ScriptResult<()> {
    let sample = sim.thermo().map_err(gpu_error)?;
    let system: &System = if needs_atoms || dump_due(&observer.dumps[..], first) {
        sim.download().map_err(gpu_error)?
    } else {
        sim.host_system()
    };
    observer.thermo_with_system(&sample, system);
    observer.run_started(first, system);
    let mut step = first;
    while step < last && observer.error.is_none() {
        let mut next = last;
        if let Some(k) = step.checked_div(thermo_every) {
            next = next.min((k + 1) * thermo_every);
        }
        for d in observer.dumps.iter() {
            next = next.min(d.next_due(step));
        }
        sim.advance(next - step).map_err(gpu_error)?;
        step = next;
        let thermo_now = step == last || (thermo_every > 0 && step.is_multiple_of(thermo_every));
        let dump_now = dump_due(&observer.dumps[..], step);
        let sample = if thermo_now {
            Some(sim.thermo().map_err(gpu_error)?)
        } else {
            None
        };
        let system: &System = if dump_now || (thermo_now && needs_atoms) {
            sim.download().map_err(gpu_error)?
        } else {
            sim.host_system()
        };
        if let Some(s) = sample {
            observer.thermo_with_system(&s, system);
        }
        if observer.step_done(step, system).is_break() || observer.stop_now() {
            break;
        }
    }
    Ok(())
}

/// Whether any dump writes at `step`.
fn dump_due(dumps: &[Dump], step: u64) -> bool {
    dumps
        .iter()
        .any(|d| step == 0 || d.next_due(step - 1) == step)
}

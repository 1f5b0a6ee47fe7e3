//! The wgpu backend (feature `gpu`) against the CPU f64 path, on whatever adapter the
//! machine has (CI: Mesa's software Vulkan device llvmpipe, see scripts/test.sh).
//!
//! Tolerances (f32 device arithmetic, see gpu/README.md): every force component within
//! `FORCE_TOL` times the RMS force of the CPU path; energies per atom within 1e-5
//! relative; the neighbor list equal as a set to the CPU full list.
#![cfg(feature = "gpu")]

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use ferromd::ferromd_gpu::{
    GpuContext, GpuPotential, GpuRunSettings, GpuSimulation, GpuThermostat, MorsePair, PairTable,
};
use ferromd::gpu::{eam_tables, lj_table};
use ferromd_core::lattice::{CubicKind, Lattice};
use ferromd_core::nalgebra::{Matrix3, Vector3};
use ferromd_core::neighbor::Neighbors;
use ferromd_core::{
    Cell, IntegrationParameters, ListKind, NeighborSettings, Potential, Simulation, Species,
    System, UnitSystem,
};
use ferromd_integrators::VelocityVerlet;
use ferromd_potentials::pair::{PairPotential, Shifted};
use ferromd_potentials::{Eam, EamStyle, LjCutBuilder, Morse};

/// Largest force-component error allowed, relative to the RMS CPU force.
const FORCE_TOL: f64 = 1e-4;

fn context() -> Arc<GpuContext> {
    static CTX: OnceLock<Arc<GpuContext>> = OnceLock::new();
    CTX.get_or_init(|| {
        let ctx = GpuContext::new().unwrap_or_else(|e| {
            panic!("GPU tests need a Vulkan adapter (scripts/test.sh installs llvmpipe): {e}")
        });
        eprintln!("GPU adapter: {}", ctx.description());
        Arc::new(ctx)
    })
    .clone()
}

/// A small deterministic generator for displacements.
fn jitter(system: &mut System, amplitude: f64, seed: u64) {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    };
    for x in &mut system.positions {
        *x += Vector3::new(next(), next(), next()) * amplitude;
    }
}

/// An fcc crystal of `n`³ cells at number density `density`, jittered, optionally
/// sheared into a triclinic cell (same fractional coordinates).
fn fcc(n: usize, density: f64, mass: f64, triclinic: bool) -> System {
    let species = vec![Species::new("A", mass)];
    let mut system = Lattice::cubic_with_density(CubicKind::Fcc, density)
        .build([n; 3], species)
        .unwrap();
    jitter(&mut system, 0.04 * (1.0 / density).cbrt(), 7);
    if triclinic {
        let l = system.cell.matrix()[(0, 0)];
        #[rustfmt::skip]
        let h = Matrix3::new(
            l, 0.15 * l, 0.1 * l,
            0.0, l, -0.12 * l,
            0.0, 0.0, l,
        );
        let cell = Cell::new(h, Vector3::new(-1.0, 2.0, 0.5), [true; 3]).unwrap();
        let old = system.cell.clone();
        for x in &mut system.positions {
            *x = cell.to_cartesian(&old.to_fractional(x));
        }
        system.cell = cell;
    }
    system
}

fn settings(units: UnitSystem, skin: f64, dt: f64) -> GpuRunSettings {
    GpuRunSettings::new(dt, NeighborSettings::with_skin(skin), units.constants())
}

/// CPU forces, energy and virial pressure of `system`.
fn cpu_reference(
    system: &System,
    units: UnitSystem,
    skin: f64,
    potential: Box<dyn Potential>,
) -> (Vec<Vector3<f64>>, f64, f64) {
    let mut params = IntegrationParameters::defaults_for(units);
    params.neighbor = NeighborSettings::with_skin(skin);
    let mut sim = Simulation::new(
        system.clone(),
        units,
        params,
        potential,
        Box::new(VelocityVerlet::new()),
    )
    .unwrap();
    let eval = sim.evaluate().unwrap();
    let w = eval.virial[0] + eval.virial[1] + eval.virial[2];
    (sim.system.forces.clone(), eval.energy, w)
}

/// Compares GPU forces, energy and virial with the CPU path; returns the worst
/// force error relative to the RMS force.
fn compare(
    system: System,
    units: UnitSystem,
    skin: f64,
    cpu: Box<dyn Potential>,
    gpu: &GpuPotential,
) -> f64 {
    compare_with(system, units, cpu, gpu, settings(units, skin, 0.001))
}

/// [`compare`] with the GPU run's settings given.
fn compare_with(
    system: System,
    units: UnitSystem,
    cpu: Box<dyn Potential>,
    gpu: &GpuPotential,
    gpu_settings: GpuRunSettings,
) -> f64 {
    let skin = gpu_settings.neighbor.skin;
    let (f_cpu, e_cpu, w_cpu) = cpu_reference(&system, units, skin, cpu);
    let n = system.len();
    let vol = system.cell.volume();
    let c = units.constants();
    let mut sim = GpuSimulation::new(context(), system, gpu, gpu_settings).unwrap();
    let thermo = sim.thermo().unwrap();
    let sys = sim.download().unwrap();
    let rms = (f_cpu.iter().map(|f| f.norm_squared()).sum::<f64>() / n as f64).sqrt();
    let worst = f_cpu
        .iter()
        .zip(&sys.forces)
        .map(|(a, b)| (a - b).amax())
        .fold(0.0, f64::max)
        / rms;
    let e_err = (thermo.pe - e_cpu).abs() / n as f64;
    // the GPU pressure holds only the virial part here: velocities are zero
    let w_gpu = thermo.press * 3.0 * vol / c.nktv2p;
    eprintln!(
        "{n} atoms: max |dF|/F_rms = {worst:.2e}, |dE|/N = {e_err:.2e} (E/N = {:.4}), W cpu {w_cpu:.6e} gpu {w_gpu:.6e}",
        e_cpu / n as f64
    );
    assert!(
        worst < FORCE_TOL,
        "force error {worst:e} exceeds {FORCE_TOL:e}"
    );
    assert!(
        e_err < 1e-5 * (e_cpu / n as f64).abs().max(1.0),
        "energy {} vs {e_cpu}",
        thermo.pe
    );
    assert!(
        (w_gpu - w_cpu).abs() < 1e-4 * w_cpu.abs().max(n as f64),
        "virial {w_gpu} vs {w_cpu}"
    );
    worst
}

fn lj_potentials(rc: f64) -> (Box<dyn Potential>, GpuPotential) {
    let mut b = LjCutBuilder::new(1, rc);
    b.pair(1, 1, 1.0, 1.0, None).unwrap();
    (
        Box::new(b.build().unwrap()),
        GpuPotential::Pair(lj_table(&b, false).unwrap()),
    )
}

#[test]
fn lj_forces_match_cpu_orthorhombic_and_triclinic() {
    for triclinic in [false, true] {
        let (cpu, gpu) = lj_potentials(2.5);
        compare(
            fcc(7, 0.8442, 1.0, triclinic),
            UnitSystem::Lj,
            0.3,
            cpu,
            &gpu,
        );
    }
}

#[test]
fn morse_forces_match_cpu_orthorhombic_and_triclinic() {
    let (d0, alpha, r0, rc) = (0.3429, 1.3588, 2.866, 6.0);
    for triclinic in [false, true] {
        let inner = Shifted::new(Morse::new(d0, alpha, r0), rc, true);
        let cpu = PairPotential::from_table("morse", 1, vec![(inner, rc)]);
        let table = PairTable::morse(
            1,
            &[MorsePair {
                d0,
                alpha,
                r0,
                cutoff: rc,
            }],
            true,
        )
        .unwrap();
        // copper-like fcc, a = 3.61
        let system = fcc(7, 4.0 / 3.61f64.powi(3), 63.55, triclinic);
        compare(
            system,
            UnitSystem::Metal,
            1.0,
            Box::new(cpu),
            &GpuPotential::Pair(table),
        );
    }
}

#[test]
fn eam_forces_match_cpu_orthorhombic_and_triclinic() {
    let file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/eam/potentials/Cu_u3.eam");
    let eam = Eam::from_file(&file, EamStyle::Funcfl, &["Cu"]).unwrap();
    let gpu = GpuPotential::Eam(eam_tables(eam.tables()));
    for triclinic in [false, true] {
        let eam = Eam::from_file(&file, EamStyle::Funcfl, &["Cu"]).unwrap();
        let system = fcc(7, 4.0 / 3.615f64.powi(3), 63.55, triclinic);
        compare(system, UnitSystem::Metal, 1.0, Box::new(eam), &gpu);
    }
}

/// The CPU full list as sorted rows of owner indices, without the pairs within `margin`
/// of the list cutoff (where f32 and f64 rounding may legitimately disagree), and those
/// borderline pairs.
fn cpu_rows(system: &System, rlist: f64, margin: f64) -> (Vec<Vec<u32>>, Vec<(u32, u32)>) {
    let mut system = system.clone();
    let settings = NeighborSettings::with_skin(0.0);
    let mut nb = Neighbors::new(settings, rlist + 2.0 * margin, ListKind::Full);
    nb.update(&mut system).unwrap();
    let ghosts = nb.ghosts();
    let x = ghosts.positions();
    let mut borderline = Vec::new();
    let rows = (0..system.len())
        .map(|i| {
            let mut row = Vec::new();
            for &j in nb.list().neighbors(i) {
                let r = (x[i] - x[j as usize]).norm();
                let owner = ghosts.owner(j as usize) as u32;
                if (r - rlist).abs() < margin {
                    borderline.push((i as u32, owner));
                } else if r < rlist {
                    row.push(owner);
                }
            }
            row.sort_unstable();
            row
        })
        .collect();
    (rows, borderline)
}

/// GPU rows with the borderline pairs removed, compared with the CPU rows.
fn assert_same_lists(gpu: &[Vec<u32>], cpu: &[Vec<u32>], borderline: &[(u32, u32)]) {
    assert_eq!(gpu.len(), cpu.len());
    assert!(
        borderline.len() < 20,
        "{} borderline pairs",
        borderline.len()
    );
    for (i, (g, c)) in gpu.iter().zip(cpu).enumerate() {
        let g: Vec<u32> = g
            .iter()
            .copied()
            .filter(|&j| !borderline.contains(&(i as u32, j)))
            .collect();
        assert_eq!(&g, c, "neighbors of atom {i} differ");
    }
}

#[test]
fn neighbor_list_equals_cpu_list() {
    for triclinic in [false, true] {
        let system = fcc(7, 0.8442, 1.0, triclinic);
        let (_, gpu) = lj_potentials(2.5);
        let sim = GpuSimulation::new(
            context(),
            system.clone(),
            &gpu,
            settings(UnitSystem::Lj, 0.3, 0.005),
        )
        .unwrap();
        let rows = sim.neighbor_rows().unwrap();
        let (cpu, borderline) = cpu_rows(&system, 2.8, 1e-5);
        let total: usize = cpu.iter().map(Vec::len).sum();
        eprintln!(
            "{total} entries, {} within 1e-5 of the cutoff",
            borderline.len()
        );
        assert!(total > 70 * system.len());
        assert_same_lists(&rows, &cpu, &borderline);
    }
}

#[test]
fn compressing_the_box_regrows_the_list_without_losing_neighbors() {
    // a dilute gas: capacities are sized for it, then the box shrinks to liquid density
    let system = fcc(7, 0.3, 1.0, false);
    let (_, gpu) = lj_potentials(2.5);
    let mut sim = GpuSimulation::new(
        context(),
        system,
        &gpu,
        settings(UnitSystem::Lj, 0.3, 0.005),
    )
    .unwrap();
    let before = sim.stats();
    let l = (1372.0f64 / 0.8442).cbrt();
    let cell = Cell::cubic(l).unwrap();
    sim.remap_cell(cell).unwrap();
    let after = sim.stats();
    eprintln!("{before:?} -> {after:?}");
    assert!(after.regrowths > before.regrowths);
    assert!(after.neighbor_capacity > before.neighbor_capacity);
    let rows = sim.neighbor_rows().unwrap();
    let system = sim.download().unwrap().clone();
    let (cpu, borderline) = cpu_rows(&system, 2.8, 1e-5);
    assert_same_lists(&rows, &cpu, &borderline);
    // and forces at the compressed state agree with the CPU path
    let (cpu_pot, gpu) = lj_potentials(2.5);
    compare(system, UnitSystem::Lj, 0.3, cpu_pot, &gpu);
}

/// A neighbor list split into several buffers (chunks of consecutive atoms, as a 1M-atom
/// list must be on llvmpipe's 128 MiB bindings) equals the CPU list, also after the
/// compressed box regrows it into more chunks, and gives the CPU forces.
#[test]
fn neighbor_list_split_into_chunks_equals_cpu_list() {
    let (_, gpu) = lj_potentials(2.5);
    let mut s = settings(UnitSystem::Lj, 0.3, 0.005);
    s.max_list_chunk_bytes = Some(256 * 1024);
    let mut sim = GpuSimulation::new(context(), fcc(7, 0.3, 1.0, true), &gpu, s.clone()).unwrap();
    let before = sim.stats();
    assert!(before.list_chunks >= 2, "{before:?}");
    let system = sim.download().unwrap().clone();
    let (cpu, borderline) = cpu_rows(&system, 2.8, 1e-5);
    assert_same_lists(&sim.neighbor_rows().unwrap(), &cpu, &borderline);
    // compress to liquid density: the rows grow, so the chunks get fewer atoms each
    let l = (1372.0f64 / 0.8442).cbrt();
    let old = system.cell.matrix();
    let cell = Cell::new(old * (l / old[(0, 0)]), Vector3::zeros(), [true; 3]).unwrap();
    sim.remap_cell(cell).unwrap();
    let after = sim.stats();
    eprintln!("{before:?} -> {after:?}");
    assert!(after.regrowths > before.regrowths);
    assert!(after.list_chunks > before.list_chunks, "{after:?}");
    let system = sim.download().unwrap().clone();
    let (cpu, borderline) = cpu_rows(&system, 2.8, 1e-5);
    let total: usize = cpu.iter().map(Vec::len).sum();
    assert!(total > 70 * system.len());
    assert_same_lists(&sim.neighbor_rows().unwrap(), &cpu, &borderline);
    let (cpu_pot, gpu) = lj_potentials(2.5);
    compare_with(system, UnitSystem::Lj, cpu_pot, &gpu, s);
}

/// Energy per atom of a 4,000-atom LJ liquid sampled every 100 steps for `steps` steps,
/// on the GPU: fcc at density 0.8442 melting from T* = 1.44, `lj/cut 2.5` with energies
/// shifted to zero at the cutoff, skin 0.3, dt = 0.005 (the protocol of tests/nve_lj.rs).
fn gpu_lj_liquid_energies(steps: u64) -> (Vec<f64>, f64, u64) {
    let units = UnitSystem::Lj;
    let species = vec![Species::new("A", 1.0)];
    let mut system = Lattice::cubic_with_density(CubicKind::Fcc, 0.8442)
        .build([10; 3], species)
        .unwrap();
    ferromd_core::velocity::create_velocities(&mut system, 1.44, 12345, &units.constants());
    let mut b = LjCutBuilder::new(1, 2.5);
    b.pair(1, 1, 1.0, 1.0, None).unwrap().shift(true);
    let gpu = GpuPotential::Pair(lj_table(&b, true).unwrap());
    let mut sim = GpuSimulation::new(context(), system, &gpu, settings(units, 0.3, 0.005)).unwrap();
    let mut etot = vec![sim.thermo().unwrap().etotal() / 4000.0];
    for _ in 0..steps / 100 {
        sim.advance(100).unwrap();
        etot.push(sim.thermo().unwrap().etotal() / 4000.0);
    }
    let temp = sim.thermo().unwrap().temp;
    (etot, temp, sim.stats().builds)
}

/// 4,000-atom LJ NVE for 5,000 steps on the GPU. Stated bound: |E(end) - E(start)|/N and
/// the largest deviation of E/N from its start stay below 1e-3 epsilon. The f64 CPU path
/// on the same protocol wanders by about 1e-4 over 10,000 steps (tests/nve_lj.rs); the
/// GPU's f32 arithmetic adds rounding noise on top (measured values in gpu/README.md).
#[test]
fn lj_nve_4000_atoms_5000_steps_conserves_energy() {
    let (etot, temp, builds) = gpu_lj_liquid_energies(5000);
    let e0 = etot[0];
    let end = (etot[etot.len() - 1] - e0).abs();
    let dev = etot.iter().map(|e| (e - e0).abs()).fold(0.0, f64::max);
    eprintln!(
        "GPU 4000-atom LJ liquid, 5000 steps: E/N {e0:.6} -> {:.6}, |dE|/N = {end:.2e}, max |E - E0|/N = {dev:.2e}, T end {temp:.4}, {builds} builds",
        etot[etot.len() - 1]
    );
    assert!(
        (0.5..1.2).contains(&temp),
        "temperature {temp} far from the melt's"
    );
    assert!(end < 1e-3, "energy drift {end:e} per atom");
    assert!(dev < 1e-3, "energy deviation {dev:e} per atom");
    assert!(builds > 100);
}

fn run_deck_text(path: &Path, gpu: bool) -> Result<String, String> {
    let mut out = Vec::new();
    let options = ferromd::driver::DriverOptions {
        gpu,
        ..Default::default()
    };
    ferromd::driver::run_deck(path, &mut out, options).map_err(|e| e.to_string())?;
    Ok(String::from_utf8(out).unwrap())
}

/// The last thermo row's numbers.
fn last_row(text: &str) -> Vec<f64> {
    let lines: Vec<&str> = text.lines().collect();
    let last = lines
        .iter()
        .rev()
        .find(|l| l.trim_start().starts_with("250 "))
        .expect("a thermo row for step 250");
    last.split_whitespace()
        .map(|w| w.parse().unwrap())
        .collect()
}

/// `ferromd run --gpu` on the LJ melt deck: same thermo as the CPU path to f32 accuracy.
#[test]
fn melt_deck_on_gpu_matches_cpu_thermo() {
    let deck = Path::new(env!("CARGO_MANIFEST_DIR")).join("inputs/lj-melt.toml");
    let gpu = run_deck_text(&deck, true).unwrap();
    assert!(gpu.contains("GPU backend:"), "{gpu}");
    let cpu = run_deck_text(&deck, false).unwrap();
    let (g, c) = (last_row(&gpu), last_row(&cpu));
    eprintln!("step 250 GPU {g:?}\n         CPU {c:?}");
    // temperature, pair energy and total energy after 250 steps of a chaotic melt
    for k in [1, 2, 4] {
        assert!(
            (g[k] - c[k]).abs() < 1e-4 * c[k].abs().max(1.0),
            "column {k}: {g:?} vs {c:?}"
        );
    }
}

/// Decks whose integrator has no GPU implementation fail with a clear message.
#[test]
fn unsupported_integrator_is_a_clear_error() {
    let nvt = Path::new(env!("CARGO_MANIFEST_DIR")).join("inputs/lj-nvt.toml");
    let text = std::fs::read_to_string(&nvt).unwrap();
    let dir = std::env::temp_dir().join(format!("ferromd-gpu-csvr-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (style, want) in [
        (
            "style = \"csvr\"\nseed = 5",
            "integrator `csvr` has no GPU implementation",
        ),
        (
            "style = \"berendsen\"",
            "integrator `berendsen` has no GPU implementation",
        ),
    ] {
        let deck = dir.join("deck.toml");
        let edited = text
            .replacen("style = \"nvt\"", style, 1)
            .replace("chain = 3", "")
            .replace("loops = 1 ", "")
            .replace("suzuki_yoshida = 1 ", "");
        std::fs::write(&deck, edited).unwrap();
        let err = run_deck_text(&deck, true).unwrap_err();
        assert!(err.contains(want), "{err}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// inputs/lj-nvt.toml (Nosé-Hoover chain, `fix nvt temp 1.5 1.5 0.5`) at 864 atoms and
/// 200 steps with `--gpu`: the chain runs on the device and the thermo at step 200
/// equals the CPU run's to 1e-4 relative (T, E_pair, TotEng).
#[test]
fn nvt_deck_on_gpu_matches_cpu_thermo() {
    let nvt = Path::new(env!("CARGO_MANIFEST_DIR")).join("inputs/lj-nvt.toml");
    let text = std::fs::read_to_string(&nvt)
        .unwrap()
        .replace("repeat = [10, 10, 10]", "repeat = [6, 6, 6]")
        .replace("steps = 1000", "steps = 200");
    let dir = std::env::temp_dir().join(format!("ferromd-gpu-nvt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let deck = dir.join("nvt.toml");
    std::fs::write(&deck, text).unwrap();
    let gpu = run_deck_text(&deck, true).unwrap();
    assert!(gpu.contains("integrator nvt"), "{gpu}");
    let cpu = run_deck_text(&deck, false).unwrap();
    let row = |text: &str| -> Vec<f64> {
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with("200 "))
            .expect("a thermo row for step 200");
        line.split_whitespace()
            .map(|w| w.parse().unwrap())
            .collect()
    };
    let (g, c) = (row(&gpu), row(&cpu));
    eprintln!("nvt deck step 200 GPU {g:?}\n                    CPU {c:?}");
    for k in [1, 2, 4] {
        assert!(
            (g[k] - c[k]).abs() < 1e-4 * c[k].abs().max(1.0),
            "column {k}: {g:?} vs {c:?}"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// An unknown `backend` names the key and the offending word.
#[test]
fn unknown_backend_is_a_deck_error() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("inputs/lj-melt.toml");
    let text = std::fs::read_to_string(&path).unwrap().replacen(
        "units = \"lj\"",
        "backend = \"tpu\"\nunits = \"lj\"",
        1,
    );
    let err = ferromd::deck::Deck::parse(&text, &path)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("unknown backend `tpu`"), "{err}");
    assert!(err.contains("lj-melt.toml"), "{err}");
}

/// A neighbor row overflowing during `advance` (not at set-up) is caught after the
/// submission: buffers regrow and the submission's steps rerun from its snapshot, so the
/// run conserves energy as one that never overflowed. Here a cold, stretched fcc crystal
/// (density 0.3, T* 0.05) is mechanically unstable and collapses into dense clusters,
/// whose atoms have about twice the neighbors the set-up sized the list for. (The two
/// runs sum forces in different orders after the rerun, so their chaotic trajectories
/// part; conservation is what must hold.)
#[test]
fn overflow_during_a_run_reruns_the_steps_with_a_larger_list() {
    let units = UnitSystem::Lj;
    let species = vec![Species::new("A", 1.0)];
    let mut system = Lattice::cubic_with_density(CubicKind::Fcc, 0.3)
        .build([7; 3], species)
        .unwrap();
    ferromd_core::velocity::create_velocities(&mut system, 0.05, 4242, &units.constants());
    let mut b = LjCutBuilder::new(1, 2.5);
    b.pair(1, 1, 1.0, 1.0, None).unwrap().shift(true);
    let gpu = GpuPotential::Pair(lj_table(&b, true).unwrap());
    let n = system.len() as f64;
    let run = |capacity: Option<u32>| {
        let mut s = settings(units, 0.3, 0.005);
        s.steps_per_submission = 50;
        // capacity 1: the set-up regrows to the stretched crystal's neighbors plus a margin
        s.initial_neighbor_capacity = capacity;
        let mut sim = GpuSimulation::new(context(), system.clone(), &gpu, s).unwrap();
        let after_setup = sim.stats();
        let e0 = sim.thermo().unwrap().etotal() / n;
        let mut worst: f64 = 0.0;
        for _ in 0..15 {
            sim.advance(100).unwrap();
            worst = worst.max((sim.thermo().unwrap().etotal() / n - e0).abs());
        }
        let t = sim.thermo().unwrap();
        (worst, t.pe / n, after_setup, sim.stats())
    };
    let (tight, tight_pe, setup, stats) = run(Some(1));
    let (roomy, roomy_pe, _, roomy_stats) = run(Some(200));
    eprintln!("tight: {setup:?} -> {stats:?}; roomy: {roomy_stats:?}");
    eprintln!(
        "max |E - E0|/N: tight {tight:.2e}, roomy {roomy:.2e}; PE/N {tight_pe:.4} vs {roomy_pe:.4}"
    );
    assert!(
        stats.regrowths > setup.regrowths,
        "no overflow during the run"
    );
    assert!(stats.neighbor_capacity > setup.neighbor_capacity);
    assert_eq!(roomy_stats.regrowths, 0);
    // the collapse releases potential energy (PE/N drops from about -0.9 to below -2)
    assert!(tight_pe < -2.0 && roomy_pe < -2.0);
    assert!(
        tight < 1e-3,
        "energy not conserved across the reruns: {tight:e}"
    );
}

/// The WGSL Philox4x32-10 gives the same words as the Rust implementation (itself
/// checked against Random123's known-answer vectors in the crate's unit tests) for the
/// known-answer inputs and 4,096 pseudo-random (counter, key) pairs; the Gaussian
/// triples the Langevin kernel draws from them agree with the f64 Box-Muller to f32
/// accuracy. Stated bound 4e-3 absolute: Vulkan allows sin/cos an absolute error of
/// 2^-11 on [-pi, pi], times the Box-Muller radius (at most 5.9).
#[test]
fn wgsl_philox_matches_the_rust_implementation() {
    use ferromd::ferromd_gpu::{philox_gaussian3, philox_on_device, philox4x32_10};
    let mut s = 0x1234_5678_9abc_def0u64;
    let mut next = || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 32) as u32
    };
    let mut inputs = vec![
        ([0u32; 4], [0u32; 2]),
        ([u32::MAX; 4], [u32::MAX; 2]),
        (
            [0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344],
            [0xa409_3822, 0x299f_31d0],
        ),
    ];
    for _ in 0..4096 {
        inputs.push(([next(), next(), next(), next()], [next(), next()]));
    }
    let device = philox_on_device(&context(), &inputs).unwrap();
    assert_eq!(
        device[2].0,
        [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1]
    );
    let mut worst: f64 = 0.0;
    for ((c, k), (words, gauss)) in inputs.iter().zip(&device) {
        assert_eq!(*words, philox4x32_10(*c, *k), "counter {c:x?} key {k:x?}");
        let host = philox_gaussian3(*c, *k);
        for (g, h) in gauss.iter().zip(host) {
            worst = worst.max((*g as f64 - h).abs());
        }
    }
    eprintln!("WGSL Philox: 4,099 blocks equal; Gaussian max |device - host| = {worst:.2e}");
    assert!(worst < 4e-3, "Gaussian numbers differ by {worst}");
}

/// A 500-atom LJ liquid (fcc 5^3 at density 0.8442, lj/cut 2.5 shifted, skin 0.3, dt
/// 0.005) with `thermostat` on the GPU, from velocities at T* = 1.5.
fn thermostatted_liquid(thermostat: GpuThermostat) -> GpuSimulation {
    let units = UnitSystem::Lj;
    let species = vec![Species::new("A", 1.0)];
    let mut system = Lattice::cubic_with_density(CubicKind::Fcc, 0.8442)
        .build([5; 3], species)
        .unwrap();
    ferromd_core::velocity::create_velocities(&mut system, 1.5, 4711, &units.constants());
    let mut b = LjCutBuilder::new(1, 2.5);
    b.pair(1, 1, 1.0, 1.0, None).unwrap().shift(true);
    let gpu = GpuPotential::Pair(lj_table(&b, true).unwrap());
    let mut s = settings(units, 0.3, 0.005);
    s.thermostat = thermostat;
    GpuSimulation::new(context(), system, &gpu, s).unwrap()
}

/// The CPU path's run of [`thermostatted_liquid`]'s protocol from `system` with
/// `integrator`, set up.
fn cpu_liquid(system: &System, integrator: Box<dyn ferromd_core::Integrator>) -> Simulation {
    let units = UnitSystem::Lj;
    let mut params = IntegrationParameters::defaults_for(units);
    params.dt = 0.005;
    params.neighbor = NeighborSettings::with_skin(0.3);
    let mut b = LjCutBuilder::new(1, 2.5);
    b.pair(1, 1, 1.0, 1.0, None).unwrap().shift(true);
    let mut cpu = Simulation::new(
        system.clone(),
        units,
        params,
        Box::new(b.build().unwrap()),
        integrator,
    )
    .unwrap();
    cpu.setup().unwrap();
    cpu
}

/// Mean and standard error of `x` from `blocks` consecutive block means (the blocks
/// are long against the correlation time, so their means are nearly independent).
fn block_mean(x: &[f64], blocks: usize) -> (f64, f64) {
    let len = x.len() / blocks;
    let means: Vec<f64> = (0..blocks)
        .map(|b| x[b * len..(b + 1) * len].iter().sum::<f64>() / len as f64)
        .collect();
    let mean = means.iter().sum::<f64>() / blocks as f64;
    let var = means.iter().map(|m| (m - mean).powi(2)).sum::<f64>() / (blocks - 1) as f64;
    (mean, (var / blocks as f64).sqrt())
}

/// The Langevin thermostat on the GPU samples the canonical kinetic energy. Without
/// `zero yes` all 3N velocity components are thermostatted, so K is a sum of 3N
/// independent squares: <K> = (3N/2) kT and var(K) = (3N/2) (kT)^2. 500 atoms at T* = 1.5,
/// damp 0.05 (10 steps), 300 steps to melt and equilibrate, then K every 5 steps for
/// 1,500 steps (300 samples). Error bars: standard errors from 10 blocks of 150 steps
/// (K decorrelates in about damp/2 = 5 steps). Stated bounds: <K> within 4 standard
/// errors plus 0.5 % (BAOAB's O(dt^2) bias), var(K) within 4 standard errors plus 5 %.
/// Also: `etotal + reservoir` (the heat bookkeeping) stays as constant as on the f64 CPU
/// path with the same protocol (BAOAB's own energy error: within 1.5 times the CPU
/// run's largest deviation plus 5e-4 per atom).
#[test]
fn langevin_samples_the_canonical_kinetic_energy() {
    use ferromd_integrators::Langevin;
    let (t, n) = (1.5, 500.0);
    let mut sim = thermostatted_liquid(GpuThermostat::Langevin {
        temperature: t,
        temperature_stop: t,
        damping: 0.05,
        seed: 2718,
        zero_momentum: false,
    });
    let mut cpu = cpu_liquid(sim.host_system(), Box::new(Langevin::new(t, 0.05, 2718)));
    let e0 = sim.thermo().unwrap().econserve();
    let c0 = cpu.thermo().unwrap().econserve();
    sim.advance(300).unwrap();
    cpu.run(300, 0, &mut Quiet).unwrap();
    let mut k = Vec::new();
    let mut drift: f64 = 0.0;
    let mut cpu_drift: f64 = 0.0;
    for _ in 0..300 {
        sim.advance(5).unwrap();
        cpu.run(5, 0, &mut Quiet).unwrap();
        let s = sim.thermo().unwrap();
        k.push(s.ke);
        drift = drift.max((s.econserve() - e0).abs() / n);
        cpu_drift = cpu_drift.max((cpu.thermo().unwrap().econserve() - c0).abs() / n);
    }
    let last = sim.thermo().unwrap();
    let expected = 1.5 * n * t;
    let (mean, mean_err) = block_mean(&k, 10);
    let sq: Vec<f64> = k.iter().map(|x| (x - mean).powi(2)).collect();
    let (var, var_err) = block_mean(&sq, 10);
    let expected_var = 1.5 * n * t * t;
    eprintln!(
        "GPU Langevin, 500 LJ atoms: <K> = {mean:.2} +- {mean_err:.2} (canonical {expected}), \
         var(K) = {var:.1} +- {var_err:.1} (canonical {expected_var}); \
         heat put in {:.2}, max |econserve - e0|/N = {drift:.2e} (CPU f64 {cpu_drift:.2e})",
        -last.reservoir
    );
    assert!(
        (mean - expected).abs() < 4.0 * mean_err + 0.005 * expected,
        "<K> = {mean} +- {mean_err}, expected {expected}"
    );
    assert!(
        (var - expected_var).abs() < 4.0 * var_err + 0.05 * expected_var,
        "var(K) = {var} +- {var_err}, expected {expected_var}"
    );
    // the melt's heat goes to the bath and shows in the reservoir
    assert!(last.reservoir.abs() > 10.0);
    assert!(
        drift < 1.5 * cpu_drift + 5e-4,
        "econserve drifts by {drift} per atom, the CPU path's by {cpu_drift}"
    );
}

/// Langevin with `zero yes` on the GPU: the kicks' net momentum is removed each step
/// (a momentum reduction and one workgroup on the device), so a 500-atom liquid created
/// with zero momentum keeps it (|P| below 1e-3 of its growth without `zero`, f32
/// rounding of the sums) and its temperature over the 3N - 3 internal degrees of
/// freedom goes to the target. 300 steps at damp 0.05 from T* 1.5 to a bath at 1.0.
#[test]
fn langevin_zero_momentum_keeps_the_momentum_zero() {
    let momentum = |zero_momentum: bool| {
        let mut sim = thermostatted_liquid(GpuThermostat::Langevin {
            temperature: 1.0,
            temperature_stop: 1.0,
            damping: 0.05,
            seed: 99,
            zero_momentum,
        });
        let p0 = sim.host_system().total_momentum().norm();
        let mut t = Vec::new();
        for _ in 0..6 {
            sim.advance(50).unwrap();
            t.push(sim.thermo().unwrap().temp);
        }
        let p = sim.download().unwrap().total_momentum().norm();
        (p0, p, t)
    };
    let (p0, with_zero, t) = momentum(true);
    let (_, without, _) = momentum(false);
    let t_late = (t[3] + t[4] + t[5]) / 3.0;
    eprintln!(
        "GPU Langevin zero yes: |P| {p0:.1e} -> {with_zero:.2e} (without zero: {without:.2e}); \
         T {t:.3?}"
    );
    assert!(p0 < 1e-9);
    assert!(without > 1.0, "the kicks carry momentum: {without}");
    assert!(with_zero < 1e-3 * without, "{with_zero} vs {without}");
    // mean of three samples 50 steps apart: 3 sigma of one is 3 sqrt(2/1497) = 0.11
    assert!((t_late - 1.0).abs() < 0.1, "T = {t:?}");
}

/// A run observer that ignores everything.
struct Quiet;
impl ferromd_core::simulation::RunObserver for Quiet {}

/// `fix nvt temp 1.5 1.5 0.5` (chain of 3) on the GPU against the CPU path: the same
/// 500-atom melt gives the same thermo every 50 steps to step 200 (stated bound 1e-4
/// relative in T, PE, etotal and econserve: f32 rounding grows through the chaotic
/// melt, as for NVE in `melt_deck_on_gpu_matches_cpu_thermo`), and on to step 1,500
/// the NH conserved quantity econserve = etotal + chain energy stays within 1e-3 per
/// atom of its start while the chain exchanges several units per atom with the atoms.
#[test]
fn nose_hoover_chain_matches_the_cpu_path_and_conserves_its_energy() {
    use ferromd_integrators::NoseHooverChain;
    let n = 500.0;
    let mut gpu = thermostatted_liquid(GpuThermostat::nose_hoover(1.5, 1.5, 0.5));
    let mut cpu = cpu_liquid(gpu.host_system(), Box::new(NoseHooverChain::new(1.5, 0.5)));
    let mut worst: f64 = 0.0;
    for block in 0..=4 {
        if block > 0 {
            gpu.advance(50).unwrap();
            cpu.run(50, 0, &mut Quiet).unwrap();
        }
        let (g, c) = (gpu.thermo().unwrap(), cpu.thermo().unwrap());
        assert_eq!(g.step, c.step);
        for (what, x, y) in [
            ("temp", g.temp, c.temp),
            ("pe", g.pe / n, c.pe / n),
            ("etotal", g.etotal() / n, c.etotal() / n),
            ("econserve", g.econserve() / n, c.econserve() / n),
            ("reservoir", g.reservoir / n, c.reservoir / n),
        ] {
            let err = (x - y).abs() / y.abs().max(1.0);
            worst = worst.max(err);
            assert!(err < 1e-4, "step {}: {what} gpu {x} cpu {y}", g.step);
        }
    }
    let e0 = gpu.thermo().unwrap().econserve() / n;
    let c0 = cpu.thermo().unwrap().econserve() / n;
    let mut drift: f64 = 0.0;
    let mut cpu_drift: f64 = 0.0;
    let mut reservoir: f64 = 0.0;
    for _ in 0..13 {
        gpu.advance(100).unwrap();
        cpu.run(100, 0, &mut Quiet).unwrap();
        let s = gpu.thermo().unwrap();
        drift = drift.max((s.econserve() / n - e0).abs());
        cpu_drift = cpu_drift.max((cpu.thermo().unwrap().econserve() / n - c0).abs());
        reservoir = reservoir.max(s.reservoir.abs() / n);
    }
    let end = gpu.thermo().unwrap();
    eprintln!(
        "GPU NH chain, 500 LJ atoms: thermo to step 200 within {worst:.1e} of the CPU; \
         steps 200-1500: max |econserve - e0|/N = {drift:.2e} (CPU f64 {cpu_drift:.2e}), \
         chain energy up to {reservoir:.3}/atom, T at 1500 {:.4}",
        end.temp
    );
    // the drift is the integrator's (the shifted-energy cutoff through the melt), not
    // f32's: the f64 CPU run drifts as much
    assert!(
        drift < 1.5 * cpu_drift + 2e-4,
        "econserve drifts by {drift} per atom, the CPU path's by {cpu_drift}"
    );
    assert!(reservoir > 0.1, "the chain did no work");
    assert!((end.temp - 1.5).abs() < 0.3, "T = {}", end.temp);
}

/// inputs/lj-nvt.toml cut to 500 atoms and 200 steps, writing its thermo file in
/// `format` and, when `trajectory`, an extended XYZ frame every 50 steps, into `dir`;
/// returns the deck's path.
fn nvt_deck_with_outputs(dir: &Path, tag: &str, format: &str, trajectory: bool) -> PathBuf {
    let nvt = Path::new(env!("CARGO_MANIFEST_DIR")).join("inputs/lj-nvt.toml");
    let mut text = std::fs::read_to_string(&nvt)
        .unwrap()
        .replace("repeat = [10, 10, 10]", "repeat = [5, 5, 5]")
        .replace("steps = 1000", "steps = 200")
        .replace("thermo = 100", "thermo = 20");
    let path = |name: String| dir.join(name).display().to_string();
    text.push_str(&format!(
        "\n[output]\nthermo_format = \"{format}\"\nthermo_file = \"{}\"\n",
        path(format!("{tag}.{format}"))
    ));
    if trajectory {
        text.push_str(&format!(
            "trajectory = \"{}\"\nevery = 50\n",
            path(format!("{tag}.extxyz"))
        ));
    }
    let deck = dir.join(format!("{tag}.toml"));
    std::fs::write(&deck, text).unwrap();
    deck
}

/// The rows of a CSV or JSON-lines thermo file: column names, then one row of numbers
/// per line.
fn thermo_rows(path: &Path) -> (Vec<String>, Vec<Vec<f64>>) {
    let text = std::fs::read_to_string(path).unwrap();
    if path.extension().is_some_and(|e| e == "jsonl") {
        let mut names = Vec::new();
        let rows = text
            .lines()
            .map(|l| {
                let body = l.trim_start_matches('{').trim_end_matches('}');
                names.clear();
                body.split(',')
                    .map(|kv| {
                        let (k, v) = kv.split_once(':').unwrap();
                        names.push(k.trim_matches('"').to_string());
                        v.parse().unwrap()
                    })
                    .collect()
            })
            .collect();
        return (names, rows);
    }
    let mut lines = text.lines();
    let names = lines.next().unwrap().split(',').map(String::from).collect();
    let rows = lines
        .map(|l| l.split(',').map(|w| w.parse().unwrap()).collect())
        .collect();
    (names, rows)
}

/// The largest difference, relative to max(|want|, 1), between the values of thermo
/// rows `got` and `want` (same steps), asserting each is below `tol`.
fn largest_row_difference(got: &[Vec<f64>], want: &[Vec<f64>], tol: f64, what: &str) -> f64 {
    let mut worst = 0f64;
    for (g, w) in got.iter().zip(want) {
        assert_eq!(g[0], w[0], "{what}: step");
        for k in 1..g.len() {
            let err = (g[k] - w[k]).abs() / w[k].abs().max(1.0);
            worst = worst.max(err);
            assert!(
                err < tol,
                "{what} step {}, column {k}: {g:?} vs {w:?}",
                w[0]
            );
        }
    }
    worst
}

/// Largest relative difference allowed between a GPU and a CPU thermo value (f32
/// device arithmetic over 200 steps of a 500-atom Nosé-Hoover liquid; the existing
/// 4,000-atom melt test holds 1e-4 after 250 steps).
const THERMO_FILE_TOL: f64 = 1e-4;

/// `[output]` thermo files on the GPU path: the same columns (econserve included: the
/// Nosé-Hoover chain's energy read back from the device) and rows as the CPU path's,
/// every value within [`THERMO_FILE_TOL`] relative (of max(|cpu|, 1)), in CSV and JSON
/// lines (measured: 2.2e-5 on llvmpipe).
#[test]
fn gpu_thermo_file_equals_the_cpu_one() {
    let dir = std::env::temp_dir().join(format!("ferromd-gpu-thermo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for format in ["csv", "jsonl"] {
        let gpu_deck = nvt_deck_with_outputs(&dir, "gpu", format, false);
        let cpu_deck = nvt_deck_with_outputs(&dir, "cpu", format, false);
        run_deck_text(&gpu_deck, true).unwrap();
        run_deck_text(&cpu_deck, false).unwrap();
        let (gnames, g) = thermo_rows(&dir.join(format!("gpu.{format}")));
        let (cnames, c) = thermo_rows(&dir.join(format!("cpu.{format}")));
        assert_eq!(gnames, cnames);
        assert_eq!(
            cnames,
            [
                "step",
                "temp",
                "pe",
                "ke",
                "etotal",
                "press",
                "vol",
                "econserve"
            ]
        );
        assert_eq!(g.len(), 11, "rows at steps 0, 20, ..., 200");
        assert_eq!(g.len(), c.len());
        let worst = largest_row_difference(&g, &c, THERMO_FILE_TOL, format);
        // the chain holds energy: econserve is not etotal
        let last = c.last().unwrap();
        assert!((last[7] - last[4]).abs() > 1.0, "{last:?}");
        eprintln!("{format}: largest relative difference {worst:e}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// The frames of an extended XYZ file: (comment line, positions).
fn xyz_frames(path: &Path) -> Vec<(String, Vec<[f64; 3]>)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let mut frames = Vec::new();
    while let Some(n) = lines.next() {
        let n: usize = n.trim().parse().unwrap();
        let comment = lines.next().unwrap().to_string();
        let atoms = (0..n)
            .map(|_| {
                let w: Vec<f64> = lines
                    .next()
                    .unwrap()
                    .split_whitespace()
                    .skip(1)
                    .take(3)
                    .map(|w| w.parse().unwrap())
                    .collect();
                [w[0], w[1], w[2]]
            })
            .collect();
        frames.push((comment, atoms));
    }
    frames
}

/// The number right after `marker` in an extended XYZ comment line.
fn xyz_number_after(comment: &str, marker: &str) -> f64 {
    let at = comment.find(marker).expect(marker) + marker.len();
    comment[at..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// The value of `key=` in an extended XYZ comment line.
fn xyz_info(comment: &str, key: &str) -> f64 {
    xyz_number_after(comment, &format!(" {key}="))
}

/// The first number of an extended XYZ comment's `Lattice` (a cubic box's edge).
fn xyz_lattice_edge(comment: &str) -> f64 {
    xyz_number_after(comment, "Lattice=\"")
}

/// The GPU path's trajectory: frames at steps 0, 50, 100, 150 and 200 as the CPU path
/// writes them (atoms read back from the device only then); energies within
/// [`THERMO_FILE_TOL`] relative, positions within `POSITION_TOL` (σ) of the CPU run's (measured: 2.2e-5 and 7e-5).
#[test]
fn gpu_trajectory_holds_the_cpu_frames() {
    const POSITION_TOL: f64 = 5e-4;
    let dir = std::env::temp_dir().join(format!("ferromd-gpu-traj-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let gpu_deck = nvt_deck_with_outputs(&dir, "gpu", "csv", true);
    let cpu_deck = nvt_deck_with_outputs(&dir, "cpu", "csv", true);
    run_deck_text(&gpu_deck, true).unwrap();
    run_deck_text(&cpu_deck, false).unwrap();
    let g = xyz_frames(&dir.join("gpu.extxyz"));
    let c = xyz_frames(&dir.join("cpu.extxyz"));
    let steps: Vec<f64> = g.iter().map(|(l, _)| xyz_info(l, "step")).collect();
    assert_eq!(steps, [0.0, 50.0, 100.0, 150.0, 200.0]);
    assert_eq!(g.len(), c.len());
    let mut worst = 0f64;
    for ((gl, gx), (cl, cx)) in g.iter().zip(&c) {
        assert_eq!(xyz_info(gl, "step"), xyz_info(cl, "step"));
        let (ge, ce) = (xyz_info(gl, "energy"), xyz_info(cl, "energy"));
        assert!(
            (ge - ce).abs() < THERMO_FILE_TOL * ce.abs().max(1.0),
            "{gl}\n{cl}"
        );
        assert_eq!(gx.len(), 500);
        // the cubic box's edge: an atom on a face may be wrapped on either side
        let edge = xyz_lattice_edge(gl);
        for (a, b) in gx.iter().zip(cx) {
            for k in 0..3 {
                let d = a[k] - b[k];
                worst = worst.max((d - edge * (d / edge).round()).abs());
            }
        }
        assert!(worst < POSITION_TOL, "{gl}: position difference {worst}");
    }
    eprintln!("largest position difference {worst:e}");
    let _ = std::fs::remove_dir_all(dir);
}

/// `[[observables]]` (sampled every few steps on the host) stay a CPU-path feature: the
/// GPU path refuses them naming the key, before touching the device.
#[test]
fn observables_on_the_gpu_path_are_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("ferromd-gpu-obs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut text =
        std::fs::read_to_string(nvt_deck_with_outputs(&dir, "obs", "csv", false)).unwrap();
    text.push_str(&format!(
        "\n[[observables]]\nkind = \"msd\"\nfile = \"{}\"\nevery = 5\nwindow = 50\n",
        dir.join("msd.dat").display()
    ));
    let deck = dir.join("obs.toml");
    std::fs::write(&deck, text).unwrap();
    let err = run_deck_text(&deck, true).unwrap_err();
    assert!(
        err.contains("[[observables]] is not computed by the GPU path yet"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// Runs the deck at `path` on the GPU path with `options`; the error's text on failure.
fn run_gpu_deck_with(
    path: &Path,
    mut options: ferromd::driver::DriverOptions,
) -> Result<String, String> {
    options.gpu = true;
    let mut out = Vec::new();
    ferromd::driver::run_deck(path, &mut out, options).map_err(|e| e.to_string())?;
    Ok(String::from_utf8(out).unwrap())
}

/// Largest relative difference allowed between the thermo rows of a GPU run resumed
/// from a checkpoint and those of the same run uninterrupted: the device state (f32)
/// travels through the f64 checkpoint unchanged, but the resumed run rebuilds its
/// neighbor list, which may sum forces in another order (measured: 5.5e-6 on llvmpipe).
const RESUME_TOL: f64 = 5e-5;

/// Checkpoints and `--resume` on the GPU path: a run stopped on request (Ctrl-C) at its
/// first stop writes a checkpoint in the CPU format (atoms, Nosé-Hoover chain state read
/// back from the device, output-file lengths); resumed, its thermo file and trajectory
/// hold the rows and frames of the uninterrupted run, once each, to [`RESUME_TOL`]; the
/// CPU path continues the same checkpoint too; `--checkpoint` writes the last step's.
#[test]
fn gpu_checkpoint_and_resume_continue_the_run() {
    use ferromd::driver::DriverOptions;
    use std::sync::atomic::AtomicBool;
    let dir = std::env::temp_dir().join(format!("ferromd-gpu-resume-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let full = nvt_deck_with_outputs(&dir, "full", "csv", true);
    let end_ck = dir.join("full.ckpt");
    run_gpu_deck_with(
        &full,
        DriverOptions {
            checkpoint: Some(end_ck.clone()),
            checkpoint_every: 50,
            ..Default::default()
        },
    )
    .unwrap();
    let ck = ferromd_core::checkpoint::Checkpoint::read(&end_ck).unwrap();
    assert_eq!(ck.step, 200);
    assert_eq!(ck.integrator_name, "nvt");
    assert!(!ck.integrator_state.is_empty());

    let part = nvt_deck_with_outputs(&dir, "part", "csv", true);
    let part_ck = dir.join("part.ckpt");
    let err = run_gpu_deck_with(
        &part,
        DriverOptions {
            checkpoint: Some(part_ck.clone()),
            stop: Some(Arc::new(AtomicBool::new(true))),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(err.contains("interrupted after step 20"), "{err}");
    let resumed = run_gpu_deck_with(
        &part,
        DriverOptions {
            resume: Some(part_ck.clone()),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(resumed.contains("resuming from"), "{resumed}");
    let (_, want) = thermo_rows(&dir.join("full.csv"));
    let (_, got) = thermo_rows(&dir.join("part.csv"));
    assert_eq!(got.len(), want.len(), "one row per thermo step");
    let worst = largest_row_difference(&got, &want, RESUME_TOL, "resumed");
    eprintln!("resumed GPU run: largest relative difference {worst:e}");
    let steps = |f: &str| -> Vec<f64> {
        xyz_frames(&dir.join(f))
            .iter()
            .map(|(l, _)| xyz_info(l, "step"))
            .collect()
    };
    assert_eq!(steps("part.extxyz"), steps("full.extxyz"));

    // the CPU path continues the GPU checkpoint (same format and thermostat layout)
    let cpu = nvt_deck_with_outputs(&dir, "cpu", "csv", false);
    let header = "step,temp,pe,ke,etotal,press,vol,econserve\n";
    std::fs::write(dir.join("cpu.csv"), header).unwrap();
    let mut ck = ferromd_core::checkpoint::Checkpoint::read(&part_ck).unwrap();
    ck.extra = vec![("output.thermo_file.bytes".into(), header.len() as u64)];
    let cpu_ck = dir.join("cpu.ckpt");
    ck.write(&cpu_ck).unwrap();
    let mut out = Vec::new();
    ferromd::driver::run_deck(
        &cpu,
        &mut out,
        DriverOptions {
            resume: Some(cpu_ck),
            ..Default::default()
        },
    )
    .unwrap();
    let (_, cpu_rows) = thermo_rows(&dir.join("cpu.csv"));
    let (g, c) = (want.last().unwrap(), cpu_rows.last().unwrap());
    assert_eq!(c[0], 200.0);
    for k in 1..g.len() {
        assert!(
            (g[k] - c[k]).abs() < THERMO_FILE_TOL * c[k].abs().max(1.0),
            "CPU continuing the GPU checkpoint: {c:?} vs GPU {g:?}"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

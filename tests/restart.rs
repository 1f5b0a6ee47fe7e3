//! Checkpoint/restart: running 2N steps must give exactly the same state, bit for bit, as
//! running N steps, writing a checkpoint file, building a fresh simulation from it and
//! running N more, for every integrator with state (thermostat variables, random-number
//! streams, barostat and cell). Damaged checkpoint files give errors naming the file and
//! byte offset.

use ferromd::core::checkpoint::Checkpoint;
use ferromd::core::lattice::{CubicKind, Lattice};
use ferromd::core::simulation::Silent;
use ferromd::core::velocity::create_velocities;
use ferromd::core::{IntegrationParameters, Integrator, Simulation, Species, System, UnitSystem};
use ferromd::integrators::{
    BerendsenBarostat, CRescale, Coupling, Csvr, Langevin, MtkBarostat, NoseHooverChain,
    PressureComponent, PressureControl, VelocityVerlet,
};
use ferromd::potentials::LjCutBuilder;

fn system() -> System {
    let mut s = Lattice::cubic_with_density(CubicKind::Fcc, 0.8442)
        .build([4, 4, 4], vec![Species::new("A", 1.0)])
        .unwrap();
    create_velocities(&mut s, 1.6, 87287, &UnitSystem::Lj.constants());
    s
}

fn simulation(integrator: Box<dyn Integrator>) -> Simulation {
    let lj = LjCutBuilder::new(1, 2.5)
        .pair(1, 1, 1.0, 1.0, None)
        .unwrap()
        .build()
        .unwrap();
    Simulation::new(
        system(),
        UnitSystem::Lj,
        IntegrationParameters::defaults_for(UnitSystem::Lj),
        Box::new(lj),
        integrator,
    )
    .unwrap()
}

fn potential() -> Box<dyn ferromd::core::Potential> {
    Box::new(
        LjCutBuilder::new(1, 2.5)
            .pair(1, 1, 1.0, 1.0, None)
            .unwrap()
            .build()
            .unwrap(),
    )
}

fn bits(v: &[ferromd::core::nalgebra::Vector3<f64>]) -> Vec<[u64; 3]> {
    v.iter()
        .map(|x| [x.x.to_bits(), x.y.to_bits(), x.z.to_bits()])
        .collect()
}

/// 2N straight vs N + checkpoint file + N; `make` builds a fresh integrator.
fn check_restart(name: &str, make: &dyn Fn() -> Box<dyn Integrator>) {
    let n = 150;
    let dir = std::env::temp_dir().join(format!("ferromd-restart-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("run.ckpt");

    let mut straight = simulation(make());
    straight.run(2 * n, 50, &mut Silent).unwrap();

    let mut first = simulation(make());
    first.run(n, 50, &mut Silent).unwrap();
    let ck = first.checkpoint(vec![]);
    let state = ck.neighbor.clone().unwrap();
    // the checkpoint falls between two builds: the list must be restored, not rebuilt
    assert!(
        state.steps_since_build > 0,
        "{name}: pick a checkpoint step that is not a rebuild step"
    );
    ck.write(&path).unwrap();
    drop(first);
    let loaded = Checkpoint::read(&path).unwrap();
    let mut resumed = Simulation::from_checkpoint(loaded, potential(), make()).unwrap();
    assert_eq!(resumed.current_step(), n);
    resumed.run(n, 50, &mut Silent).unwrap();

    let (a, b) = (&straight.system, &resumed.system);
    assert_eq!(bits(&a.positions), bits(&b.positions), "{name}: positions");
    assert_eq!(
        bits(&a.velocities),
        bits(&b.velocities),
        "{name}: velocities"
    );
    assert_eq!(bits(&a.forces), bits(&b.forces), "{name}: forces");
    assert_eq!(a.images, b.images, "{name}: images");
    assert_eq!(a.cell, b.cell, "{name}: cell");
    let (ta, tb) = (straight.thermo().unwrap(), resumed.thermo().unwrap());
    assert_eq!(
        ta.econserve().to_bits(),
        tb.econserve().to_bits(),
        "{name}: conserved energy (integrator reservoirs)"
    );
    assert_eq!(
        straight.neighbors().stats(),
        resumed.neighbors().stats(),
        "{name}: neighbor builds"
    );
    // the runs did move: rebuilds happened after the checkpoint
    assert!(
        resumed.neighbors().stats().builds > state.stats.builds,
        "{name}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn nve_continues_bit_for_bit() {
    check_restart("nve", &|| Box::new(VelocityVerlet::new()));
}

#[test]
fn langevin_continues_bit_for_bit() {
    check_restart("langevin", &|| {
        Box::new(Langevin::new(1.2, 0.5, 4242).zero_momentum(true))
    });
}

#[test]
fn npt_mtk_continues_bit_for_bit() {
    check_restart("npt", &|| {
        Box::new(MtkBarostat::npt(1.2, 0.5, 1.5, 2.0, Coupling::Aniso).unwrap())
    });
}

/// NPH with triclinic coupling, a different z target (LAMMPS's deviatoric stress), drag
/// and ptemp: omega_dot (6), the reference cell, the stress and the barostat chain's
/// stored forces all travel through the checkpoint.
#[test]
fn nph_tri_mtk_with_deviatoric_stress_continues_bit_for_bit() {
    check_restart("nph-tri", &|| {
        let mut control = PressureControl::from_coupling(Coupling::Tri, 1.5, 1.5, 2.5);
        control.components[2] = Some(PressureComponent {
            start: 1.0,
            stop: 1.0,
            damp: 2.0,
        });
        control.deviatoric = true;
        let baro = MtkBarostat::with_control(None, control)
            .and_then(|b| b.ptemp(1.2))
            .and_then(|b| b.drag(0.1))
            .unwrap();
        Box::new(baro)
    });
}

#[test]
fn nvt_csvr_and_berendsen_barostat_continue_bit_for_bit() {
    check_restart("nvt", &|| Box::new(NoseHooverChain::new(1.2, 0.5)));
    check_restart("csvr", &|| Box::new(Csvr::new(1.2, 0.2, 99)));
    check_restart("press-berendsen", &|| {
        Box::new(
            BerendsenBarostat::new(Box::new(Csvr::new(1.2, 0.2, 7)), 1.0, 1.0, Coupling::Iso)
                .unwrap(),
        )
    });
}

/// C-rescale: the barostat's random stream and reservoir
/// and the inner CSVR state all travel in the checkpoint.
#[test]
fn crescale_barostat_continues_bit_for_bit() {
    check_restart("press-crescale", &|| {
        Box::new(
            CRescale::new(Box::new(Csvr::new(1.2, 0.2, 7)), 1.2, 1.0, 0.5, 32)
                .unwrap()
                .modulus(5.0)
                .unwrap(),
        )
    });
}

#[test]
fn a_checkpoint_from_another_integrator_is_refused() {
    let mut sim = simulation(Box::new(Csvr::new(1.2, 0.2, 99)));
    sim.run(5, 0, &mut Silent).unwrap();
    let ck = sim.checkpoint(vec![]);
    let e = Simulation::from_checkpoint(ck.clone(), potential(), Box::new(VelocityVerlet::new()))
        .unwrap_err();
    assert!(e.to_string().contains("csvr"), "{e}");
    let mut broken = ck;
    broken.integrator_state.pop();
    let e = Simulation::from_checkpoint(broken, potential(), Box::new(Csvr::new(1.2, 0.2, 99)))
        .unwrap_err();
    assert!(e.to_string().contains("too short"), "{e}");
}

#[test]
fn damaged_checkpoint_files_name_file_and_offset() {
    let dir = std::env::temp_dir().join(format!("ferromd-restart-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("run.ckpt");
    let mut sim = simulation(Box::new(VelocityVerlet::new()));
    sim.run(3, 0, &mut Silent).unwrap();
    sim.checkpoint(vec![]).write(&path).unwrap();
    let good = std::fs::read(&path).unwrap();
    // truncated at several places
    for len in [0, 7, 31, 32, 100, good.len() / 2, good.len() - 1] {
        std::fs::write(&path, &good[..len]).unwrap();
        let e = Checkpoint::read(&path).unwrap_err();
        let text = e.to_string();
        assert!(text.starts_with(&path.display().to_string()), "{text}");
        assert!(text.contains("byte offset"), "{text}");
        assert!(text.contains("truncated"), "{len}: {text}");
    }
    // one corrupted byte in the atoms
    let mut bad = good.clone();
    let k = bad.len() / 2;
    bad[k] = bad[k].wrapping_add(1);
    std::fs::write(&path, &bad).unwrap();
    let text = Checkpoint::read(&path).unwrap_err().to_string();
    assert!(
        text.contains("checksum mismatch") && text.contains("byte offset 24"),
        "{text}"
    );
    // not a checkpoint at all
    std::fs::write(
        &path,
        b"2\nLattice=\"1 0 0 0 1 0 0 0 1\"\nH 0 0 0\nH 0.5 0.5 0.5\n",
    )
    .unwrap();
    let text = Checkpoint::read(&path).unwrap_err().to_string();
    assert!(
        text.contains("byte offset 0: not a ferromd checkpoint"),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

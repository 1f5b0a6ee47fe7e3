#!/usr/bin/env bash
# Times the bench/in.lj workload (32,000 LJ atoms, 100 NVE steps) with ferromd and,
# if `lmp` is on PATH, with LAMMPS, back to back in one run, and prints atom-steps/s
# and ratios. Each configuration runs REPEATS times (default 3); the best loop time counts.
#
#   benches/compare-lammps.sh            # build ferromd in release mode, then compare
#   REPEATS=5 STEPS=500 benches/compare-lammps.sh
#
# ferromd runs inputs/lj-bench.toml; LAMMPS runs the equivalent bench/in.lj script
# (written to a temporary directory). Only the loop time ("Loop time of ...") is compared,
# so set-up costs of either program do not count.
set -euo pipefail
cd "$(dirname "$0")/.."
REPEATS=${REPEATS:-3}
STEPS=${STEPS:-100}
ATOMS=32000

cargo build --release --quiet --bin ferromd
FERROMD=target/release/ferromd
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

sed "s/^steps = 100$/steps = $STEPS/" inputs/lj-bench.toml > "$work/lj-bench.toml"
cat > "$work/in.lj" <<LMP
units		lj
atom_style	atomic
lattice		fcc 0.8442
region		box block 0 20 0 20 0 20
create_box	1 box
create_atoms	1 box
mass		1 1.0
velocity	all create 1.44 87287 loop geom
pair_style	lj/cut 2.5
pair_coeff	1 1 1.0 1.0 2.5
neighbor	0.3 bin
neigh_modify	delay 0 every 20 check no
fix		1 all nve
run		$STEPS
LMP

. "$(dirname "$0")/lib.sh"

echo "workload: bench/in.lj, $ATOMS atoms, $STEPS steps, best of $REPEATS; $(nproc) cores: $(cpu_model)"
f1=$(time_ferromd "$work/lj-bench.toml" 1); f2=$(time_ferromd "$work/lj-bench.toml" 2)
report "ferromd, 1 thread" "$f1"
report "ferromd, 2 threads" "$f2"
if command -v lmp >/dev/null 2>&1; then
    l0=$(time_lammps in.lj); lo=$(time_lammps in.lj -sf opt)
    report "LAMMPS serial" "$l0"
    report "LAMMPS -sf opt serial" "$lo"
    echo "ratio ferromd 1 thread / LAMMPS -sf opt serial: $(ratio "$f1" "$lo")  (goal >= 1.0)"
    echo "ratio ferromd 2 threads / LAMMPS serial:        $(ratio "$f2" "$l0")  (goal >= 1.6)"
else
    echo "lmp not on PATH: LAMMPS not timed (Debian: apt-get install lammps)"
fi

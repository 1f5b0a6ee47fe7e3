#!/usr/bin/env bash
# The cost of dense observables: a 500-atom LJ liquid (lj-melt on 5x5x5 cells) run
# bare, with deck [[observables]] (msd every 3 steps, vacf every 2), and as a LAMMPS
# script with fix ave/time over compute msd/vacf every 2 steps and compute rdf every 10.
# Prints the best loop time of each and the ratio observed/bare (1.00 = free).
#
#   benches/observables-overhead.sh                 # build ferromd in release mode, then time
#   FERROMD=/path/to/ferromd benches/observables-overhead.sh   # time another build
#   REPEATS=5 STEPS=4000 benches/observables-overhead.sh
set -euo pipefail
cd "$(dirname "$0")/.."
REPEATS=${REPEATS:-3}
STEPS=${STEPS:-2000}
ATOMS=500
if [ -z "${FERROMD:-}" ]; then
    cargo build --release --quiet --bin ferromd
    FERROMD=target/release/ferromd
fi
FERROMD=$(realpath "$FERROMD")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

sed -e "s/^repeat = \[10, 10, 10\]/repeat = [5, 5, 5]/" -e "s/^steps = 250$/steps = $STEPS/" \
    -e "s/^thermo = 50$/thermo = 100/" inputs/lj-melt.toml > "$work/bare.toml"
cp "$work/bare.toml" "$work/observed.toml"
cat >> "$work/observed.toml" <<TOML

[[observables]]
kind = "msd"
file = "msd.dat"
every = 3
window = 300
origins = 30

[[observables]]
kind = "vacf"
file = "vacf.dat"
every = 2
window = 200
origins = 20
TOML

script() {
    cat <<LMP
units lj
lattice fcc 0.8442
region box block 0 5 0 5 0 5
create_box 1 box
create_atoms 1 box
mass 1 1.0
velocity all create 3.0 87287 loop geom
pair_style lj/cut 2.5
pair_coeff 1 1 1.0 1.0 2.5
neighbor 0.3 bin
neigh_modify delay 0 every 20 check no
fix 1 all nve
thermo 100
LMP
    if [ "$1" = observed ]; then
        cat <<LMP
compute msd all msd
compute vacf all vacf
compute rdf all rdf 50
fix dyn all ave/time 2 1 2 c_msd[1] c_msd[2] c_msd[3] c_msd[4] c_vacf[*] file dyn.dat
fix str all ave/time 10 1 10 c_rdf[*] mode vector file rdf.dat
LMP
    fi
    echo "run $STEPS"
}
script bare > "$work/in.bare"
script observed > "$work/in.observed"

best() { sort -g | head -n 1; }
loop_time() { awk '/^Loop time of/ {print $4; exit}'; }
time_deck() {
    for _ in $(seq "$REPEATS"); do
        (cd "$work" && "$FERROMD" run "$1" --threads 1 --no-progress | loop_time)
    done | best
}
time_script() {
    for _ in $(seq "$REPEATS"); do
        (cd "$work" && "$FERROMD" -in "$1" -log none --threads 1 | loop_time)
    done | best
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b / a }'; }

echo "$ATOMS LJ atoms, $STEPS steps, 1 thread, best of $REPEATS; $FERROMD"
d0=$(time_deck bare.toml); d1=$(time_deck observed.toml)
s0=$(time_script in.bare); s1=$(time_script in.observed)
printf '%-44s %10s s\n' "deck, no observables" "$d0" "deck, msd every 3 + vacf every 2" "$d1" \
    "script, no fix ave/time" "$s0" "script, ave/time msd+vacf every 2, rdf every 10" "$s1"
echo "deck   observed/bare: $(ratio "$d0" "$d1")"
echo "script observed/bare: $(ratio "$s0" "$s1")"

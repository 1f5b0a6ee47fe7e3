# Shared helpers of the benches/compare-lammps*.sh scripts (sourced, not run).
# Expects REPEATS, ATOMS, STEPS, FERROMD and work (a scratch directory) to be set.

best() { sort -g | head -n 1; }
loop_time() { awk '/^Loop time of/ {print $4; exit}'; }

# best loop time of `ferromd run DECK` on THREADS threads: time_ferromd DECK THREADS
time_ferromd() {
    for _ in $(seq "$REPEATS"); do
        "$FERROMD" run "$1" --threads "$2" --no-progress | loop_time
    done | best
}

# best loop time of LAMMPS on SCRIPT (in $work) with extra switches: time_lammps SCRIPT [ARGS...]
# The executable is $LMP (default `lmp`), its OpenMP threads $LMP_THREADS (default 1).
time_lammps() {
    local script=$1
    shift
    for _ in $(seq "$REPEATS"); do
        (cd "$work" && OMP_NUM_THREADS=${LMP_THREADS:-1} ${LMP:-lmp} -in "$script" -log none -screen none "$@" -log log.run >/dev/null && loop_time < log.run)
    done | best
}

rate() { awk -v t="$1" -v n="$ATOMS" -v s="$STEPS" 'BEGIN { printf "%.4g", n * s / t }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b / a }'; }
report() { printf '%-28s %10s s  %12s atom-steps/s\n' "$1" "$2" "$(rate "$2")"; }
cpu_model() { lscpu 2>/dev/null | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}'; }

#!/usr/bin/env bash
# Regenerates the LAMMPS Tersoff / Stillinger-Weber reference data committed beside this
# script (read by potentials/tests/manybody_lammps.rs).
# Needs `lmp` (Debian package `lammps`, 29 Sep 2021 in bookworm) on PATH and its
# potential files in $POT (default: the copies committed in potentials/ here, taken
# unchanged from /usr/share/lammps/potentials).
#
# For each case NAME it writes
#   NAME.data    the configuration (write_data after `run 0`)
#   NAME.forces  per-atom id type x y z fx fy fz pe (dump custom, %.17g)
#   NAME.ref     step atoms pe press pxx pyy pzz pxy pxz pyz vol (thermo, %.17g)
set -euo pipefail
cd "$(dirname "$0")"
LMP=${LMP:-lmp}
POT=${POT:-potentials}
"$LMP" -h 2>/dev/null | sed -n 2p || true

# case name, style, ntypes, lattice constant, prism, frac2, frac3, displacement, melt steps,
# pair_coeff line
run_case() {
    local name=$1 style=$2 ntypes=$3 lat=$4 prism=$5 frac2=$6 frac3=$7 dmax=$8 melt=$9
    shift 9
    printf '%s\n' "$@" > "coeff.$name"
    "$LMP" -in in.manybody-case -log "log.$name" -screen none \
        -var name "$name" -var style "$style" -var ntypes "$ntypes" -var lat "$lat" \
        -var prism "$prism" -var frac2 "$frac2" -var frac3 "$frac3" -var dmax "$dmax" \
        -var melt "$melt"
    awk '/^ *Step/{s=$0; getline; l=$0} END{print "step atoms pe press pxx pyy pzz pxy pxz pyz vol"; print l}' \
        "log.$name" > "$name.ref"
    rm -f "log.$name" log.lammps "coeff.$name"
    echo "$name: $(tail -1 "$name.ref")"
}

# tersoff: Si perturbed crystal; Si melt snapshot in a triclinic cell; SiC and BNC
# (two and three elements) in triclinic cells
run_case si_tersoff_crystal tersoff 1 5.431 0 0 0 0.1 0 "pair_coeff * * $POT/Si.tersoff Si"
run_case si_tersoff_melt tersoff 1 5.431 1 0 0 0.05 300 "pair_coeff * * $POT/Si.tersoff Si"
run_case sic_tersoff_prism tersoff 2 4.6 1 0.5 0 0.15 0 "pair_coeff * * $POT/SiC.tersoff Si C"
run_case bnc_tersoff_melt tersoff 3 3.9 1 0.3 0.3 0.1 200 \
    "pair_coeff * * $POT/BNC.tersoff B N C"
# sw: Si perturbed crystal; Si melt snapshot in a triclinic cell; GaN (two elements)
run_case si_sw_crystal sw 1 5.431 0 0 0 0.1 0 "pair_coeff * * $POT/Si.sw Si"
run_case si_sw_melt sw 1 5.431 1 0 0 0.05 300 "pair_coeff * * $POT/Si.sw Si"
run_case gan_sw_prism sw 2 4.6 1 0.5 0 0.15 0 "pair_coeff * * $POT/GaN.sw Ga N"
run_case gan_sw_melt sw 2 4.6 0 0.5 0 0.05 200 "pair_coeff * * $POT/GaN.sw N Ga"

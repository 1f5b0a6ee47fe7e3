#!/usr/bin/env bash
# Regenerates the LAMMPS EAM reference data committed beside this script
# (read by potentials/tests/eam_lammps.rs).
# Needs `lmp` (Debian package `lammps`, 29 Sep 2021 in bookworm) on PATH and its
# potential files in $POT (default: the copies committed in potentials/ here, taken
# unchanged from the Debian lammps-data package, /usr/share/lammps/potentials).
#
# For each case NAME it writes
#   NAME.data    the configuration (write_data after `run 0`: wrapped positions)
#   NAME.forces  per-atom id type x y z fx fy fz pe (dump custom, %.17g)
#   NAME.ref     step atoms pe press pxx pyy pzz pxy pxz pyz vol (thermo, %.17g)
set -euo pipefail
cd "$(dirname "$0")"
LMP=${LMP:-lmp}
POT=${POT:-potentials}
"$LMP" -h 2>/dev/null | sed -n 2p || true

# (LATTICE=bcc in the environment switches the lattice)
# case name, style, ntypes, lattice constant, prism, frac2, frac3, displacement, pair_coeff lines
run_case() {
    local name=$1 style=$2 ntypes=$3 lat=$4 prism=$5 frac2=$6 frac3=$7 dmax=$8
    local lattice=${LATTICE:-fcc}
    shift 8
    printf '%s\n' "$@" > "coeff.$name"
    "$LMP" -in in.eam-case -log "log.$name" -screen none \
        -var name "$name" -var style "$style" -var ntypes "$ntypes" -var lat "$lat" -var lattice "$lattice" \
        -var prism "$prism" -var frac2 "$frac2" -var frac3 "$frac3" -var dmax "$dmax"
    awk '/^ *Step/{getline; print "step atoms pe press pxx pyy pzz pxy pxz pyz vol"; print; exit}' \
        "log.$name" > "$name.ref"
    rm -f "log.$name" log.lammps "coeff.$name"
    echo "$name: $(tail -1 "$name.ref")"
}

# eam (funcfl): Cu, perturbed crystal and triclinic; Cu + Ni funcfl files on different grids
run_case cu_u3_crystal eam 1 3.615 0 0 0 0.1 "pair_coeff 1 1 $POT/Cu_u3.eam"
run_case cu_u3_prism eam 1 3.615 1 0 0 0.15 "pair_coeff 1 1 $POT/Cu_u3.eam"
run_case cuni_u3_prism eam 2 3.58 1 0.4 0 0.12 \
    "pair_coeff 1 1 $POT/Cu_u3.eam" "pair_coeff 2 2 $POT/Ni_u3.eam"
# eam/alloy: Mishin Cu; AlCu (two elements) and NiAlH (three) in triclinic and orthorhombic cells
run_case cu_mishin_crystal eam/alloy 1 3.615 0 0 0 0.1 "pair_coeff * * $POT/Cu_mishin1.eam.alloy Cu"
run_case alcu_prism eam/alloy 2 3.9 1 0.3 0 0.12 "pair_coeff * * $POT/AlCu.eam.alloy Al Cu"
run_case alcu_crystal eam/alloy 2 3.9 0 0.5 0 0.1 "pair_coeff * * $POT/AlCu.eam.alloy Cu Al"
run_case nialh_alloy_prism eam/alloy 3 3.6 1 0.25 0.05 0.1 \
    "pair_coeff * * $POT/NiAlH_jea.eam.alloy Ni Al H"
# eam/fs: NiAlH Finnis-Sinclair (three elements), Fe
run_case nialh_fs_crystal eam/fs 3 3.6 0 0.25 0.05 0.1 \
    "pair_coeff * * $POT/NiAlH_jea.eam.fs Ni Al H"
run_case nialh_fs_prism eam/fs 3 3.6 1 0.3 0.05 0.12 \
    "pair_coeff * * $POT/NiAlH_jea.eam.fs Ni Al H"
LATTICE=bcc run_case fe_fs_prism eam/fs 1 2.87 1 0 0 0.1 "pair_coeff * * $POT/Fe_mm.eam.fs Fe"

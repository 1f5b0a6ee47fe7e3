#!/usr/bin/env bash
# Regenerates the read_dump references beside this script with Debian's `lmp` (LAMMPS
# 29 Sep 2021): the dumps and data.start that tests/lammps_scripts.rs reads, and the
# data files LAMMPS writes after each read_dump, which ferromd's must match.
set -euo pipefail
cd "$(dirname "$0")"
"${LMP:-lmp}" -in in.make -log none -screen none

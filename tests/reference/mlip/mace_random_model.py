"""Builds a small MACE model with random weights (fixed seed) for Si and O, exports it in
the LAMMPS `pair_mace` TorchScript convention (mace-torch's `LAMMPS_MACE` wrapper compiled
with e3nn's `jit.compile`, as `mace_create_lammps_model` does), and evaluates the same,
non-scripted model with mace's ASE `MACECalculator` (energy, per-atom energies, forces,
stress) on the periodic structures of random_structures.py.

Weights are not committed: scripts/setup-mlip.sh runs this script at setup time, so the
model and its reference numbers are always made together by the same mace-torch/torch.

    python mace_random_model.py OUT_DIR [--dtype float64|float32]

writes OUT_DIR/mace_sio_<dtype>.pt and OUT_DIR/mace_sio_<dtype>_reference.json.
"""

import argparse
import json
import os
from pathlib import Path

import numpy as np
import torch
from e3nn import o3
from e3nn.util import jit

from mace import modules
from mace.calculators import MACECalculator
from mace.calculators.lammps_mace import LAMMPS_MACE
from random_structures import structures

SEED = 20261125
R_MAX = 4.5
ELEMENTS = ["O", "Si"]  # MACE orders its species by atomic number
Z = [8, 14]


def build_model(dtype):
    torch.manual_seed(SEED)
    torch.set_default_dtype(dtype)
    model = modules.ScaleShiftMACE(
        r_max=R_MAX,
        num_bessel=8,
        num_polynomial_cutoff=5,
        max_ell=2,
        interaction_cls=modules.interaction_classes["RealAgnosticResidualInteractionBlock"],
        interaction_cls_first=modules.interaction_classes["RealAgnosticResidualInteractionBlock"],
        num_interactions=2,
        num_elements=len(Z),
        hidden_irreps=o3.Irreps("16x0e + 16x1o"),
        MLP_irreps=o3.Irreps("16x0e"),
        atomic_energies=np.array([-4.93, -5.42]),
        avg_num_neighbors=12.0,
        atomic_numbers=Z,
        correlation=2,
        gate=torch.nn.functional.silu,
        radial_MLP=[16, 16],
        atomic_inter_scale=0.8,
        atomic_inter_shift=0.1,
    )
    # random weights are small; scale them up a little so forces are far from zero
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.05 * torch.randn_like(p))
    return model.to(dtype).eval()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out_dir")
    parser.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    args = parser.parse_args()
    dtype = torch.float64 if args.dtype == "float64" else torch.float32
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"mace_sio_{args.dtype}"

    model = build_model(dtype)
    calc = MACECalculator(models=[model], device="cpu", default_dtype=args.dtype)
    cases = []
    for name, atoms in structures(SEED):
        atoms = atoms.copy()
        atoms.calc = calc
        cases.append(
            {
                "name": name,
                "cell": atoms.cell.array.tolist(),
                "pbc": [bool(p) for p in atoms.pbc],
                "symbols": atoms.get_chemical_symbols(),
                "positions": atoms.positions.tolist(),
                "energy": float(atoms.get_potential_energy()),
                "energies": atoms.get_potential_energies().tolist(),
                "forces": atoms.get_forces().tolist(),
                "stress": atoms.get_stress(voigt=True).tolist()
                if all(atoms.pbc)
                else None,
            }
        )

    lammps_model = LAMMPS_MACE(build_model(dtype))
    compiled = jit.compile(lammps_model)
    tmp = out_dir / f"{stem}.pt.tmp"
    compiled.save(str(tmp))
    os.replace(tmp, out_dir / f"{stem}.pt")

    import mace

    reference = {
        "generator": "tests/reference/mlip/mace_random_model.py",
        "seed": SEED,
        "dtype": args.dtype,
        "r_max": R_MAX,
        "elements": ELEMENTS,
        "mace_torch": mace.__version__,
        "torch": torch.__version__,
        "structures": cases,
    }
    tmp = out_dir / f"{stem}_reference.json.tmp"
    tmp.write_text(json.dumps(reference, indent=1))
    os.replace(tmp, out_dir / f"{stem}_reference.json")


if __name__ == "__main__":
    main()

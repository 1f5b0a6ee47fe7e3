"""Writes two tiny TorchScript Si models for the total-charge and spin tests of ferromd.

Usage: python charge_spin_model.py OUTDIR

Both follow SevenNet's LAMMPS `pair_e3gnn` convention (see planted_models.py) in double
precision. `charge_spin.pt` reads the system inputs `total_charge` (Q) and `total_spin`
(the multiplicity M = 2S + 1), one-element tensors, as mace-torch names them; `neutral.pt`
is the same model without them (Q = 0, M = 1), and its code never mentions those keys.

    E = sum over pairs of D (1 + 0.1 Q) morse(r) env(r) + 0.5 Q^2 + 0.25 (M - 1)

so the charge changes the forces (through the well depth) as well as the energy.
Also writes OUTDIR/reference.json: the energy of a fixed Si trimer (all pairs within the
cutoff, no periodicity) for a few (Q, M), from this very model, for the Rust test.
"""

import json
import os
import sys
from typing import Dict

import torch

CUTOFF = 4.0  # also written out in pair_energy (TorchScript reads no globals)


def pair_energy(vec: torch.Tensor) -> torch.Tensor:
    r = torch.sqrt((vec * vec).sum(dim=1))
    x = r / 4.0  # CUTOFF
    env = (1.0 - x * x) ** 3
    return 1.2 * ((1.0 - torch.exp(-1.5 * (r - 2.35))) ** 2 - 1.0) * env  # D0, A, R0


class ChargeSpin(torch.nn.Module):
    def forward(self, data: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        vec = data["edge_vec"]
        src = data["edge_index"][0]
        n = data["x"].shape[0]
        q = data["total_charge"][0]
        m = data["total_spin"][0]
        pair = (1.0 + 0.1 * q) * pair_energy(vec)
        atomic = torch.zeros(n, dtype=vec.dtype).index_add(0, src, 0.5 * pair)
        atomic = atomic + (0.5 * q * q + 0.25 * (m - 1.0)) / n
        out = dict(data)
        out["atomic_energy"] = atomic
        out["inferred_total_energy"] = atomic.sum()
        return out


class Neutral(torch.nn.Module):
    def forward(self, data: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        vec = data["edge_vec"]
        src = data["edge_index"][0]
        n = data["x"].shape[0]
        atomic = torch.zeros(n, dtype=vec.dtype).index_add(0, src, 0.5 * pair_energy(vec))
        out = dict(data)
        out["atomic_energy"] = atomic
        out["inferred_total_energy"] = atomic.sum()
        return out


TRIMER = [[10.0, 10.0, 10.0], [12.3, 10.1, 10.0], [11.0, 12.2, 10.3]]
CASES = [(0.0, 1.0), (-1.0, 2.0), (2.0, 3.0)]


def reference(model: torch.nn.Module) -> list:
    pos = torch.tensor(TRIMER, dtype=torch.float64)
    src = [i for i in range(3) for j in range(3) if i != j]
    dst = [j for i in range(3) for j in range(3) if i != j]
    out = []
    for q, m in CASES:
        vec = (pos[dst] - pos[src]).clone().requires_grad_(True)
        data = {
            "x": torch.zeros(3, dtype=torch.int64),
            "edge_index": torch.tensor([src, dst]),
            "edge_vec": vec,
            "num_atoms": torch.tensor([3]),
            "nlocal": torch.tensor([3]),
            "total_charge": torch.tensor([q], dtype=torch.float64),
            "total_spin": torch.tensor([m], dtype=torch.float64),
        }
        energy = model(data)["inferred_total_energy"]
        (g,) = torch.autograd.grad(energy, vec)
        forces = torch.zeros(3, 3, dtype=torch.float64)
        forces.index_add_(0, torch.tensor(src), g)
        forces.index_add_(0, torch.tensor(dst), -g)
        out.append({"charge": q, "spin_multiplicity": m, "energy": energy.item(),
                    "forces": forces.tolist()})
    return out


def main() -> None:
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    extra = {
        "chemical_symbols_to_index": "Si",
        "cutoff": str(CUTOFF),
        "num_species": "1",
        "dtype": "double",
        "model_type": "E3_equivariant_model",
    }
    charged = torch.jit.script(ChargeSpin())
    torch.jit.save(charged, os.path.join(outdir, "charge_spin.pt"), _extra_files=extra)
    torch.jit.save(torch.jit.script(Neutral()), os.path.join(outdir, "neutral.pt"),
                   _extra_files=extra)
    with open(os.path.join(outdir, "reference.json"), "w") as f:
        json.dump({"positions": TRIMER, "cases": reference(charged)}, f, indent=1)


if __name__ == "__main__":
    main()

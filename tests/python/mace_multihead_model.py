"""Writes a small two-head MACE model with random weights (fixed seed), compiled in the LAMMPS
`pair_mace` convention once per head, for ferromd's head-selection tests.

Usage: python mace_multihead_model.py OUTDIR

Writes OUTDIR/mace_heads_<head>.pt for the heads `pbe_head` and `omat`: the same O/Si
ScaleShiftMACE (two heads with their own atomic energies, scale and shift), wrapped by
mace-torch's LAMMPS_MACE with `head=<head>` (what `mace_create_lammps_model --head` does),
which stores the head list in the inner model and the chosen index in its `head` buffer.
"""

import os
import sys

import numpy as np
import torch
from e3nn import o3
from e3nn.util import jit

from mace import modules
from mace.calculators.lammps_mace import LAMMPS_MACE

HEADS = ["pbe_head", "omat"]


def build_model():
    torch.manual_seed(20261203)
    torch.set_default_dtype(torch.float64)
    block = modules.interaction_classes["RealAgnosticResidualInteractionBlock"]
    model = modules.ScaleShiftMACE(
        r_max=4.5,
        num_bessel=8,
        num_polynomial_cutoff=5,
        max_ell=2,
        interaction_cls=block,
        interaction_cls_first=block,
        num_interactions=2,
        num_elements=2,
        hidden_irreps=o3.Irreps("16x0e + 16x1o"),
        MLP_irreps=o3.Irreps("16x0e"),
        atomic_energies=np.array([[-4.93, -5.42], [-3.1, -4.4]]),
        avg_num_neighbors=12.0,
        atomic_numbers=[8, 14],
        correlation=2,
        gate=torch.nn.functional.silu,
        radial_MLP=[16, 16],
        atomic_inter_scale=[0.8, 1.3],
        atomic_inter_shift=[0.1, -0.2],
        heads=HEADS,
    )
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.05 * torch.randn_like(p))
    return model.double().eval()


def main() -> None:
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    model = build_model()
    for head in HEADS:
        jit.compile(LAMMPS_MACE(model, head=head)).save(
            os.path.join(outdir, f"mace_heads_{head}.pt")
        )


if __name__ == "__main__":
    main()

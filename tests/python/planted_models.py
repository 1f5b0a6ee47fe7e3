"""Writes tiny TorchScript potentials with planted defects for `ferromd check` tests.

Usage: python planted_models.py OUTDIR

Every model follows SevenNet's LAMMPS `pair_e3gnn` convention, which ferromd's
TorchScript loader reads: the input is a dictionary with `x` (species index per atom),
`edge_index` (2 x E, source then destination), `edge_vec` (E x 3, x_dst - x_src, the
tensor forces are taken from by autograd), `num_atoms` and `nlocal`; the output adds
`inferred_total_energy` (a scalar) and `atomic_energy` (one per atom). Metadata are
extra files of the archive: `chemical_symbols_to_index`, `cutoff`, `dtype`.

The clean model is a smooth Morse pair term plus an embedding of a smooth coordination,
both with the envelope (1 - (r/rc)^2)^3 (value and slope vanish at the cutoff), in
double precision, for Si. The defective models each change one thing:

* cutoff_jump:     the pair term without envelope: the energy jumps at the cutoff;
* nonconservative: the forces get an extra term, q_i * dpsi/dr along each edge, with q_i
                   the (detached) coordination and psi a Gaussian of r (with psi equal to
                   the envelope, q_i grad q_i would be a gradient), which is not the
                   gradient of any energy (curl) nor of the energy reported (the value is
                   the clean one);
* rotation:        an energy term in (edge_x / r)^2 that depends on the orientation in
                   space, so rotations change the energy;
* direct_forces:   a direct-force model (extra file `force_output` = `direct`): besides
                   the clean energy it outputs `inferred_force`, one row per atom, which
                   ferromd uses as the forces; they are computed inside the model as the
                   forces of the nonconservative model (on a detached copy of the edge
                   vectors), so they are not the gradient of the energy reported.
"""

import os
import sys
from typing import Dict, Tuple

import torch

CUTOFF = 4.0


class Planted(torch.nn.Module):
    def __init__(self, defect: str):
        super().__init__()
        self.defect = defect
        self.rc = CUTOFF
        self.d0 = 1.2  # Morse well depth (eV)
        self.a = 1.5  # Morse stiffness (1/Å)
        self.r0 = 2.35  # Morse minimum (Å)

    def forward(self, data: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        vec = data["edge_vec"]
        src = data["edge_index"][0]
        n = data["x"].shape[0]
        atomic, energy = self.energy(vec, src, n, self.defect)
        out = dict(data)
        out["atomic_energy"] = atomic
        out["inferred_total_energy"] = energy
        if self.defect == "direct_forces":
            dst = data["edge_index"][1]
            edges = vec.detach().requires_grad_(True)
            _, pumped = self.energy(edges, src, n, "nonconservative")
            grads = torch.autograd.grad([pumped], [edges])
            g = grads[0]
            assert g is not None
            # edge vectors are x_dst - x_src: F_src += dE/dvec, F_dst -= dE/dvec
            forces = torch.zeros(n, 3, dtype=vec.dtype).index_add(0, src, g)
            out["inferred_force"] = forces.index_add(0, dst, -g)
        return out

    def energy(
        self, vec: torch.Tensor, src: torch.Tensor, n: int, defect: str
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Per-atom and total energy of the model with `defect`."""
        r = torch.sqrt((vec * vec).sum(dim=1))
        x = r / self.rc
        env = (1.0 - x * x) ** 3
        morse = self.d0 * ((1.0 - torch.exp(-self.a * (r - self.r0))) ** 2 - 1.0)
        if defect == "cutoff_jump":
            pair = morse
        else:
            pair = morse * env
        atomic = torch.zeros(n, dtype=vec.dtype).index_add(0, src, 0.5 * pair)
        coordination = torch.zeros(n, dtype=vec.dtype).index_add(0, src, env)
        atomic = atomic - 0.3 * torch.sqrt(1.0 + coordination)
        if defect == "rotation":
            cos_x = vec[:, 0] / r
            atomic = atomic.index_add(0, src, 0.5 * env * cos_x * cos_x)
        energy = atomic.sum()
        if defect == "nonconservative":
            # a force term with a gradient but no energy: q_i treated as a constant
            psi = 2.0 * torch.exp(-2.0 * (r - 3.0) ** 2) * env
            extra = (coordination.detach()[src] * psi).sum()
            energy = energy + (extra - extra.detach())
        return atomic, energy


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
    for defect in ["clean", "cutoff_jump", "nonconservative", "rotation", "direct_forces"]:
        model = torch.jit.script(Planted(defect).double())
        path = os.path.join(outdir, f"{defect}.pt")
        files = dict(extra)
        if defect == "direct_forces":
            files["force_output"] = "direct"
        torch.jit.save(model, path, _extra_files=files)
        print(path)


if __name__ == "__main__":
    main()

"""Builds a small NequIP model with random weights (fixed seed) for O and Si with nequip
0.6's own deployment tool (`nequip-deploy build --model CONFIG`, the legacy TorchScript
convention of LAMMPS `pair_style nequip`), and evaluates the deployed file with nequip's
ASE `NequIPCalculator` on the periodic structures of random_structures.py.

A model deployed without training keeps placeholder rescaling (per-species shifts 0,
scales 1, global scale 1), which gives energies and forces near zero. The script sets
those buffers to the values a training run would have written (per-species energy shifts
and scales, a global scale) and saves the module again with the same extra files, so the
file has exactly the layout `nequip-deploy` writes.

Weights are not committed: scripts/setup-mlip.sh runs this script at setup time, so the
model and its reference numbers are always made together by the same nequip/torch.

    python nequip_random_model.py OUT_DIR [--dtype float64|float32]

float64: default_dtype and model_dtype float64; float32: nequip 0.6's defaults
(default_dtype float64, model_dtype float32). Writes OUT_DIR/nequip_sio_<dtype>.pth and
OUT_DIR/nequip_sio_<dtype>_reference.json.
"""

import argparse
import json
import os
import tempfile
import warnings
import zipfile
from pathlib import Path

import torch

SEED = 20261203
R_MAX = 4.0
TYPE_NAMES = ["O", "Si"]  # nequip sorts `chemical_symbols` by atomic number
PER_SPECIES_SHIFTS = [-4.93, -5.42]  # eV per atom, O and Si
PER_SPECIES_SCALES = [0.7, 1.3]
GLOBAL_SCALE = 2.5

CONFIG = """\
root: {root}
run_name: random
seed: {seed}
model_builders:
  - SimpleIrrepsConfig
  - EnergyModel
  - PerSpeciesRescale
  - StressForceOutput
  - RescaleEnergyEtc
r_max: {r_max}
num_layers: 2
l_max: 1
parity: true
num_features: 8
num_basis: 8
avg_num_neighbors: 12.0
chemical_symbols: [Si, O]
# without training these only size the rescaling buffers (their values are placeholders)
per_species_rescale_shifts: [0.0, 0.0]
per_species_rescale_scales: [1.0, 1.0]
default_dtype: float64
model_dtype: {model_dtype}
"""


def deploy_random_model(out_path, model_dtype):
    """Runs `nequip-deploy build` on a config without training, then sets the rescaling
    buffers; returns the extra files (metadata) of the deployed archive."""
    from nequip.scripts.deploy import main as nequip_deploy

    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.yaml"
        config.write_text(
            CONFIG.format(root=tmp, seed=SEED, r_max=R_MAX, model_dtype=model_dtype)
        )
        raw = Path(tmp) / "raw.pth"
        torch.manual_seed(SEED)
        nequip_deploy(["build", "--model", str(config), str(raw)])
        with zipfile.ZipFile(raw) as z:
            extra = {
                name.split("/extra/", 1)[1]: z.read(name)
                for name in z.namelist()
                if "/extra/" in name
            }
        model = torch.jit.load(str(raw))
    # placeholders of an untrained model: give them the values training would set
    rescale = model.model.model.func.per_species_rescale
    with torch.no_grad():
        rescale.shifts.copy_(torch.tensor(PER_SPECIES_SHIFTS))
        rescale.scales.copy_(torch.tensor(PER_SPECIES_SCALES))
        model.model.scale_by.fill_(GLOBAL_SCALE)
    tmp = Path(str(out_path) + ".tmp")
    torch.jit.save(model, str(tmp), _extra_files=extra)
    os.replace(tmp, out_path)
    return {k: v.decode() for k, v in extra.items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out_dir")
    parser.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    args = parser.parse_args()
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"nequip_sio_{args.dtype}"
    model_path = out_dir / f"{stem}.pth"

    warnings.filterwarnings("ignore", module="nequip")
    import nequip
    from nequip.ase import NequIPCalculator
    from random_structures import structures

    metadata = deploy_random_model(model_path, args.dtype)
    calc = NequIPCalculator.from_deployed_model(
        str(model_path),
        species_to_type_name={name: name for name in TYPE_NAMES},
        set_global_options=True,
    )
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

    reference = {
        "generator": "tests/reference/mlip/nequip_random_model.py",
        "seed": SEED,
        "dtype": args.dtype,
        "r_max": R_MAX,
        "type_names": TYPE_NAMES,
        "default_dtype": metadata["default_dtype"],
        "model_dtype": metadata["model_dtype"],
        "nequip": nequip.__version__,
        "torch": torch.__version__,
        "structures": cases,
    }
    tmp = out_dir / f"{stem}_reference.json.tmp"
    tmp.write_text(json.dumps(reference, indent=1))
    os.replace(tmp, out_dir / f"{stem}_reference.json")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""ASE's MD loop with mace's MACECalculator on diamond Si: the baseline of
benches/mlip-mace.sh. The model is the random-weight MACE of
tests/reference/mlip/mace_random_model.py (same seed, so the same weights as the TorchScript
file ferromd runs). Usage: mlip-mace-ase.py REPEAT STEPS [THREADS] [DTYPE]

Prints one line: atoms, ms/step of velocity Verlet (1 fs) after two warm-up steps.
"""
import importlib.util
import sys
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from ase import units  # noqa: E402
from ase.build import bulk  # noqa: E402
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution  # noqa: E402
from ase.md.verlet import VelocityVerlet  # noqa: E402
from mace.calculators import MACECalculator  # noqa: E402

repeat, steps = int(sys.argv[1]), int(sys.argv[2])
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
dtype = sys.argv[4] if len(sys.argv) > 4 else "float64"
torch.set_num_threads(threads)
generator = Path(__file__).resolve().parent.parent / "tests/reference/mlip/mace_random_model.py"
spec = importlib.util.spec_from_file_location("mace_random_model", generator)
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)
model = gen.build_model(torch.float64 if dtype == "float64" else torch.float32)
atoms = bulk("Si", "diamond", a=5.43, cubic=True).repeat((repeat,) * 3)
MaxwellBoltzmannDistribution(atoms, temperature_K=300.0, rng=np.random.default_rng(1))
atoms.calc = MACECalculator(models=[model], device="cpu", default_dtype=dtype)
md = VelocityVerlet(atoms, timestep=1.0 * units.fs)
md.run(2)  # warm-up
start = time.perf_counter()
md.run(steps)
wall = time.perf_counter() - start
print(f"ase atoms {len(atoms)} threads {threads} ms/step {wall / steps * 1e3:.2f}")

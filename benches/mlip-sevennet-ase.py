#!/usr/bin/env python3
"""ASE's MD loop with SevenNetCalculator (SevenNet-0) on diamond Si: the baseline of
benches/mlip-sevennet.sh. Usage: mlip-sevennet-ase.py REPEAT STEPS [THREADS]

Prints one line: atoms, ms/step of velocity Verlet (1 fs) after two warm-up steps.
"""
import sys
import time
import warnings

warnings.filterwarnings("ignore")

import torch  # noqa: E402
from ase import units  # noqa: E402
from ase.build import bulk  # noqa: E402
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution  # noqa: E402
from ase.md.verlet import VelocityVerlet  # noqa: E402
from sevenn.calculator import SevenNetCalculator  # noqa: E402

repeat, steps = int(sys.argv[1]), int(sys.argv[2])
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
torch.set_num_threads(threads)
atoms = bulk("Si", "diamond", a=5.43, cubic=True).repeat((repeat,) * 3)
MaxwellBoltzmannDistribution(atoms, temperature_K=300.0, rng=__import__("numpy").random.default_rng(1))
atoms.calc = SevenNetCalculator("7net-0", device="cpu")
md = VelocityVerlet(atoms, timestep=1.0 * units.fs)
md.run(2)  # warm-up
start = time.perf_counter()
md.run(steps)
wall = time.perf_counter() - start
print(f"ase atoms {len(atoms)} threads {threads} ms/step {wall / steps * 1e3:.2f}")

"""The periodic Si/O test structures of the random-weight MLIP test models (MACE, NequIP):
a rattled 8-atom cubic Si cell, a 12-atom triclinic Si+O cell, a 512-atom Si/O diamond
supercell and a 32-atom slab periodic in x and y only. The same seed gives the same
structures, so every model's reference script evaluates the same cases.
"""

import numpy as np
from ase import Atoms
from ase.build import bulk


def structures(seed):
    """(name, ase.Atoms) pairs, drawn from `seed`."""
    rng = np.random.default_rng(seed)
    out = []
    si = bulk("Si", "diamond", a=5.43, cubic=True)  # 8 atoms, cubic
    si.positions += rng.normal(scale=0.08, size=si.positions.shape)
    out.append(("si8_cubic_rattled", si))
    # triclinic Si+O cell with random fractional positions, kept apart
    cell = np.array([[5.1, 0.0, 0.0], [1.3, 4.9, 0.0], [-0.7, 0.9, 5.3]])
    symbols = ["Si"] * 4 + ["O"] * 8
    frac = []
    while len(frac) < len(symbols):
        f = rng.random(3)
        ok = True
        for g in frac:
            d = f - g
            d -= np.round(d)
            if np.linalg.norm(d @ cell) < 1.5:
                ok = False
                break
        if ok:
            frac.append(f)
    tri = Atoms(symbols, scaled_positions=np.array(frac), cell=cell, pbc=True)
    out.append(("sio_triclinic_12", tri))
    big = bulk("Si", "diamond", a=5.43, cubic=True).repeat((4, 4, 4))  # 512 atoms
    big.positions += rng.normal(scale=0.05, size=big.positions.shape)
    sym = big.get_chemical_symbols()
    for k in rng.choice(len(big), size=64, replace=False):
        sym[k] = "O"
    big.set_chemical_symbols(sym)
    out.append(("sio_512_diamond", big))
    # slab: periodic in x and y only
    slab = bulk("Si", "diamond", a=5.43, cubic=True).repeat((2, 2, 1))
    slab.positions += rng.normal(scale=0.05, size=slab.positions.shape)
    slab.center(vacuum=6.0, axis=2)
    slab.pbc = [True, True, False]
    out.append(("si32_slab_xy_periodic", slab))
    return out

#!/usr/bin/env python3
"""Writes analytic.table: pair_style table sections tabulated from analytic potentials
(reduced LJ units), one section per way LAMMPS table files give distances.

  LJ11   Lennard-Jones eps 1.0 sigma 1.0,  N 1000 R 0.5 2.5   (grid even in r)
  LJ12   Lennard-Jones eps 1.2 sigma 1.05, N 1000 RSQ 0.55 2.5 (grid even in r^2: with
         `pair_style table linear 1000` LAMMPS uses these points as they are)
  LJSF   shifted-force Lennard-Jones eps 1.0 sigma 1.0 cut 2.5 (energy and force zero at
         the cutoff), N 2000 R 0.5 2.5: the NVE drift test's potential
  MORSE  Morse D0 1.2 alpha 4.0 r0 1.2,  N 700, distances in the file (uneven, growing
         steps from 0.45 to 2.8), FPRIME with the exact force derivatives at both ends

Values are printed with 17 significant digits. Usage: make_tables.py > analytic.table
"""
import math


def lj(eps, sigma):
    def f(r):
        sr6 = (sigma / r) ** 6
        return 4 * eps * (sr6 * sr6 - sr6), 24 * eps * (2 * sr6 * sr6 - sr6) / r
    return f


def shifted_force(pot, rc):
    e_c, f_c = pot(rc)

    def f(r):
        e, force = pot(r)
        return e - e_c + (r - rc) * f_c, force - f_c
    return f


def morse(d0, alpha, r0):
    def f(r):
        x = math.exp(-alpha * (r - r0))
        return d0 * (x * x - 2 * x), 2 * alpha * d0 * (x * x - x)
    return f


def morse_force_derivative(d0, alpha, r0, r):
    x = math.exp(-alpha * (r - r0))
    return 2 * alpha * d0 * (-2 * alpha * x * x + alpha * x)


def section(name, params, rs, pot):
    print(name)
    print(params)
    print()
    for i, r in enumerate(rs):
        e, f = pot(r)
        print(f"{i + 1} {r:.17g} {e:.17g} {f:.17g}")
    print()


print("# DATE: 2026-12-03 UNITS: lj CONTRIBUTOR: ferromd tests/reference/table/make_tables.py")
print("# Analytic pair potentials tabulated for pair_style table tests")
print()
n = 1000
section("LJ11", f"N {n} R 0.5 2.5", [0.5 + 2.0 * i / (n - 1) for i in range(n)], lj(1.0, 1.0))
section("LJ12", f"N {n} RSQ 0.55 2.5",
        [math.sqrt(0.55 ** 2 + (2.5 ** 2 - 0.55 ** 2) * i / (n - 1)) for i in range(n)],
        lj(1.2, 1.05))
section("LJSF", "N 2000 R 0.5 2.5", [0.5 + 2.0 * i / 1999 for i in range(2000)],
        shifted_force(lj(1.0, 1.0), 2.5))
m = 700
rs = [0.45 + 2.35 * (i / (m - 1)) ** 1.3 for i in range(m)]
d0, alpha, r0 = 1.2, 4.0, 1.2
fp = (morse_force_derivative(d0, alpha, r0, rs[0]), morse_force_derivative(d0, alpha, r0, rs[-1]))
section("MORSE", f"N {m} FPRIME {fp[0]:.17g} {fp[1]:.17g}", rs, morse(d0, alpha, r0))

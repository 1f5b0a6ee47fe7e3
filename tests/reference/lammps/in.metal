# liquid argon in metal units, uniform velocities with rotation removed
units		metal
atom_style	atomic
lattice		fcc 5.72
region		box block 0 5 0 5 0 5
create_box	1 box
create_atoms	1 box
mass		1 39.948
velocity	all create 120.0 87287 rot yes mom yes loop geom
pair_style	lj/cut 8.5
pair_coeff	1 1 0.0103 3.405
timestep	0.004
fix		1 all nve
thermo_style	custom step temp pe ke etotal press time
thermo		100
run		500

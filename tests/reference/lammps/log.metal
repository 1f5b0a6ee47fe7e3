LAMMPS (29 Sep 2021 - Update 2)
# liquid argon in metal units, uniform velocities with rotation removed
units		metal
atom_style	atomic
lattice		fcc 5.72
Lattice spacing in x,y,z = 5.7200000 5.7200000 5.7200000
region		box block 0 5 0 5 0 5
create_box	1 box
Created orthogonal box = (0.0000000 0.0000000 0.0000000) to (28.600000 28.600000 28.600000)
create_atoms	1 box
Created 500 atoms
mass		1 39.948
velocity	all create 120.0 87287 rot yes mom yes loop geom
pair_style	lj/cut 8.5
pair_coeff	1 1 0.0103 3.405
timestep	0.004
fix		1 all nve
thermo_style	custom step temp pe ke etotal press time
thermo		100
run		500
Neighbor list info ...
  update every 1 steps, delay 10 steps, check yes
  max neighbors/atom: 2000, page size: 100000
  master list distance cutoff = 10.5
  ghost atom cutoff = 10.5
  binsize = 5.25, bins = 6 6 6
  1 neighbor lists, perpetual/occasional/extra = 1 0 0
  (1) pair lj/cut, perpetual
      attributes: half, newton on
      pair build: half/bin/atomonly/newton
      stencil: half/bin/3d
      bin: standard
Step Temp PotEng KinEng TotEng Press Time 
       0          120   -34.863386    7.7400975   -27.123289    -2253.524            0 
     100    55.769179   -30.732248    3.5971574   -27.135091   -480.66126          0.4 
     200    63.405019   -31.237199    4.0896752   -27.147523   -701.03031          0.8 
     300    65.959033   -31.401907    4.2544112   -27.147496   -767.69956          1.2 
     400    65.195221   -31.356731    4.2051447   -27.151586   -727.54032          1.6 
     500    65.288947   -31.362304    4.2111901   -27.151114   -762.52665            2 


MPI task timing breakdown:
Section |  min time  |  avg time  |  max time  |%varavg| %total
---------------------------------------------------------------


Total # of neighbors = 25341
Neighbor list builds = 7
Dangerous builds = 0

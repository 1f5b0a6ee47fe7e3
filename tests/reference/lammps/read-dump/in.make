# Reference for read_dump: a 108-atom LJ run dumps wrapped (x with image flags) and
# unwrapped (xu) snapshots; the state at step 200, in a stretched box, is data.start;
# read_dump then replaces atoms from the dumps and write_data records the result.
units lj
lattice fcc 0.8442
region box block 0 3 0 3 0 3
create_box 2 box
create_atoms 1 box basis 2 2
mass * 1.0
velocity all create 3.0 23761 loop geom
pair_style lj/cut 2.5
pair_coeff * * 1.0 1.0 2.5
fix 1 all nve
dump w all custom 100 dump.w id type x y z vx vy vz ix iy iz
dump_modify w sort id format float %.17g
dump u all custom 100 dump.u id type xu yu zu
dump_modify u sort id format float %.17g
run 200
undump w
undump u
change_box all x final 0 5 remap units box
write_data data.start
# box, positions and velocities of step 100; image flags stay those of step 200
read_dump dump.w 100 x y z vx vy vz box yes
write_data data.wrapped
# positions of step 0 only, in the box of now
read_dump dump.w 0 x y z ix iy iz box no
write_data data.images
# unwrapped positions: image flags follow from them
read_dump dump.u 100 x y z
write_data data.unwrapped

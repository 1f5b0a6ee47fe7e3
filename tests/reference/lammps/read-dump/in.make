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
# a partial snapshot for trim/add/purge: atoms 1-60 and ten new ones (ids 109-118)
create_atoms 2 single 0.5 0.5 0.5 units box
create_atoms 1 single 1.5 0.5 0.5 units box
create_atoms 2 single 2.5 0.5 0.5 units box
create_atoms 1 single 3.5 0.5 0.5 units box
create_atoms 2 single 4.5 0.5 0.5 units box
create_atoms 1 single 0.5 1.5 4.5 units box
create_atoms 2 single 1.5 2.5 4.5 units box
create_atoms 1 single 2.5 3.5 4.5 units box
create_atoms 2 single 3.5 4.5 4.5 units box
create_atoms 1 single 4.5 4.5 4.5 units box
group new id 109:118
velocity new set 0.5 -0.25 1.0
group part id 1:60 109:118
write_dump part custom dump.part id type x y z vx vy vz modify sort id format float %.17g
# replace and trim, add with new ids (numbered on after the trimmed system's largest)
clear
units lj
pair_style lj/cut 2.5
read_data data.start
read_dump dump.part 100 x y z vx vy vz trim yes add yes
write_data data.trim-add
# keep the ids of the added atoms, and the box of data.start
clear
units lj
pair_style lj/cut 2.5
read_data data.start
read_dump dump.part 100 x y z vx vy vz add keep box no
write_data data.add-keep
# delete every atom, then add the snapshot's
clear
units lj
pair_style lj/cut 2.5
read_data data.start
read_dump dump.part 100 x y z vx vy vz purge yes replace no add keep
write_data data.purge
# leave the atoms the snapshot has as they are; only add
clear
units lj
pair_style lj/cut 2.5
read_data data.start
read_dump dump.part 100 x y z vx vy vz replace no add yes
write_data data.add-only

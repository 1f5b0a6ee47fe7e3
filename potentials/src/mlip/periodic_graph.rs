//! The graph that position-based conventions (MACE's `pair_mace`, NequIP's `pair_nequip`)
//! take: local atoms as nodes, and one edge per neighbor within the model cutoff with the
//! periodic image of its receiver given as a shift, so that the model itself computes the
//! edge vectors `x[dst] − x[src] + shift` from the positions and the cell.

use ferromd_core::nalgebra::Vector3;
use ferromd_core::potential::{ForceInput, PotentialError};

/// Node and edge arrays of one evaluation, kept between evaluations (never shrunk, so a
/// steady run does not reallocate).
#[derive(Debug, Default)]
pub(crate) struct PeriodicGraph {
    /// Local positions, n×3 row-major.
    pub positions: Vec<f64>,
    /// Model species index of each node, n.
    pub species: Vec<i64>,
    /// Edge senders (centres `i`) then receivers (`owner(j)`): the rows of a 2×E
    /// `edge_index`.
    pub edge_index: Vec<i64>,
    /// Receivers while edges are selected.
    dst: Vec<i64>,
    /// Cartesian image shift `h·n` of each edge's receiver, E×3.
    pub shifts: Vec<f64>,
    /// The same shift in cell vectors, `n`, E×3.
    pub unit_shifts: Vec<f64>,
}

impl PeriodicGraph {
    /// Rebuilds the graph from the atoms and the full list of `input`, as LAMMPS's
    /// `pair_mace no_domain_decomposition` and `pair_nequip` do: node `i` is local atom `i`
    /// with species `type_map[type]`; every neighbor `j` (local or ghost) closer than
    /// `cutoff` gives an edge `(i, owner(j))` whose receiver is shifted by the periodic image
    /// of `j`. `style` names the model in errors.
    pub fn build(
        &mut self,
        style: &str,
        input: &ForceInput<'_>,
        type_map: &[i64],
        cutoff: f64,
    ) -> Result<(), PotentialError> {
        let n_local = input.n_local();
        let x = input.positions();
        let types = input.types();
        let h = input.cell.matrix();
        let cut2 = cutoff * cutoff;
        self.positions.clear();
        self.species.clear();
        self.edge_index.clear();
        self.dst.clear();
        self.shifts.clear();
        self.unit_shifts.clear();
        for i in 0..n_local {
            let t = types[i] as usize;
            let Some(&species) = type_map.get(t) else {
                return Err(PotentialError::Other(format!(
                    "{style}: atom type {} has no element (the model was given {} elements)",
                    t + 1,
                    type_map.len()
                )));
            };
            self.species.push(species);
            let xi = x[i];
            self.positions.extend([xi.x, xi.y, xi.z]);
            for &j in input.list.neighbors(i) {
                let j = j as usize;
                if (x[j] - xi).norm_squared() < cut2 {
                    let image = input.atoms.image(j);
                    let n = Vector3::new(image[0] as f64, image[1] as f64, image[2] as f64);
                    let shift = h * n;
                    self.edge_index.push(i as i64);
                    self.dst.push(input.atoms.owner(j) as i64);
                    self.shifts.extend([shift.x, shift.y, shift.z]);
                    self.unit_shifts.extend([n.x, n.y, n.z]);
                }
            }
        }
        self.edge_index.extend_from_slice(&self.dst);
        Ok(())
    }

    /// Number of nodes (local atoms).
    pub fn n_nodes(&self) -> usize {
        self.species.len()
    }

    /// Number of edges.
    pub fn n_edges(&self) -> usize {
        self.dst.len()
    }
}

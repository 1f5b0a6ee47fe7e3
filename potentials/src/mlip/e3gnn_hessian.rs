//! The Hessian of a `pair_e3gnn` model by automatic differentiation: the edge-vector
//! gradient of the energy is taken with `create_graph`, gathered onto the atoms, and each
//! of its `3n` components is differentiated once more (double backward).

use ferromd_core::nalgebra::DMatrix;
use ferromd_core::potential::{AnalyticHessian, ForceInput, PotentialError};
use tch::{Device, Kind, Tensor};

use super::e3gnn::{E3gnn, torch_error};
use super::full_list::{check_full_list, follow_rayon_threads};

impl AnalyticHessian for E3gnn {
    fn hessian_method(&self) -> &str {
        "autograd (double backward through the model)"
    }

    /// With edge vectors `r_k = x_dst(k) − x_src(k)` and `g_k = ∂E/∂r_k`, the gradient on
    /// atom `a` is `G_a = Σ_k g_k (δ_{a,dst(k)} − δ_{a,src(k)})`; row `3a + c` of the
    /// Hessian is the same gather of `∂G_ac/∂r_k`, one backward pass per row.
    fn hessian(&self, input: &ForceInput<'_>) -> Result<DMatrix<f64>, PotentialError> {
        let n = input.n_local();
        let mut hessian = DMatrix::zeros(3 * n, 3 * n);
        if !check_full_list("e3gnn", input, self.metadata().cutoff)? {
            return Ok(hessian);
        }
        follow_rayon_threads();
        let mut guard = self.scratch();
        let s = &mut *guard;
        self.select_edges(input, s)?;
        let e = s.vectors.len();
        if e == 0 {
            return Ok(hessian);
        }
        let (src, dst) = s.edge_index.split_at(e);
        let src_index = Tensor::from_slice(src)
            .f_to_device(self.device())
            .map_err(torch_error)?;
        let dst_index = Tensor::from_slice(dst)
            .f_to_device(self.device())
            .map_err(torch_error)?;
        let ends: Vec<(usize, usize)> = src
            .iter()
            .zip(dst)
            .map(|(&i, &j)| (i as usize, j as usize))
            .collect();
        let (edge_vec, output) = self.forward(s, true)?;
        let energy = output
            .get("inferred_total_energy")?
            .f_sum(edge_vec.kind())
            .map_err(torch_error)?;
        let edge_grad = Tensor::f_run_backward(&[&energy], &[&edge_vec], true, true)
            .map_err(torch_error)?
            .pop()
            .ok_or_else(|| PotentialError::Other("e3gnn: no edge gradient".into()))?;
        if !edge_grad.defined() || !edge_grad.requires_grad() {
            // the energy is at most linear in the edge vectors: no second derivative
            return Ok(hessian);
        }
        let atom_grad = Tensor::f_zeros([n as i64, 3], (edge_grad.kind(), self.device()))
            .and_then(|z| z.f_index_add(0, &dst_index, &edge_grad))
            .and_then(|g| g.f_index_add(0, &src_index, &edge_grad.f_neg()?))
            .and_then(|g| g.f_reshape([-1]))
            .map_err(torch_error)?;
        let mut row = vec![0.0; 3 * e];
        for r in 0..3 * n {
            let component = atom_grad.f_select(0, r as i64).map_err(torch_error)?;
            let d = Tensor::f_run_backward(&[&component], &[&edge_vec], true, false)
                .map_err(torch_error)?
                .pop()
                .ok_or_else(|| PotentialError::Other("e3gnn: no second derivative".into()))?;
            if !d.defined() {
                continue;
            }
            d.f_to_device(Device::Cpu)
                .and_then(|t| t.f_to_kind(Kind::Double))
                .and_then(|t| t.f_contiguous())
                .and_then(|t| t.f_copy_data(&mut row, 3 * e))
                .map_err(torch_error)?;
            for (k, &(i, j)) in ends.iter().enumerate() {
                for c in 0..3 {
                    let v = row[3 * k + c];
                    hessian[(r, 3 * j + c)] += v;
                    hessian[(r, 3 * i + c)] -= v;
                }
            }
        }
        Ok(hessian)
    }
}

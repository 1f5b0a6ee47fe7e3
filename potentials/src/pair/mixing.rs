//! Mixing rules for unlike-pair coefficients (LAMMPS `pair_modify mix`).

/// How unlike-pair coefficients follow from like-pair ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mixing {
    /// `eps = sqrt(eps_i eps_j)`, `sigma = sqrt(sigma_i sigma_j)`, `rc = sqrt(rc_i rc_j)` (LAMMPS default).
    #[default]
    Geometric,
    /// `eps = sqrt(eps_i eps_j)`, `sigma = (sigma_i + sigma_j)/2`, `rc = (rc_i + rc_j)/2` (Lorentz-Berthelot).
    Arithmetic,
    /// `eps = 2 sqrt(eps_i eps_j) sigma_i^3 sigma_j^3 / (sigma_i^6 + sigma_j^6)`, `sigma = ((sigma_i^6 + sigma_j^6)/2)^(1/6)` (Waldman-Hagler).
    Sixthpower,
}

impl Mixing {
    /// Parses `geometric`, `arithmetic` or `sixthpower`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "geometric" => Some(Mixing::Geometric),
            "arithmetic" => Some(Mixing::Arithmetic),
            "sixthpower" => Some(Mixing::Sixthpower),
            _ => None,
        }
    }

    /// Mixed energy scale.
    pub fn energy(self, eps_i: f64, eps_j: f64, sig_i: f64, sig_j: f64) -> f64 {
        match self {
            Mixing::Geometric | Mixing::Arithmetic => (eps_i * eps_j).sqrt(),
            Mixing::Sixthpower => {
                2.0 * (eps_i * eps_j).sqrt() * sig_i.powi(3) * sig_j.powi(3)
                    / (sig_i.powi(6) + sig_j.powi(6))
            }
        }
    }

    /// Mixed length scale.
    pub fn sigma(self, sig_i: f64, sig_j: f64) -> f64 {
        match self {
            Mixing::Geometric => (sig_i * sig_j).sqrt(),
            Mixing::Arithmetic => 0.5 * (sig_i + sig_j),
            Mixing::Sixthpower => (0.5 * (sig_i.powi(6) + sig_j.powi(6))).powf(1.0 / 6.0),
        }
    }

    /// Mixed cutoff.
    pub fn distance(self, rc_i: f64, rc_j: f64) -> f64 {
        match self {
            Mixing::Geometric => (rc_i * rc_j).sqrt(),
            Mixing::Arithmetic => 0.5 * (rc_i + rc_j),
            Mixing::Sixthpower => (0.5 * (rc_i.powi(6) + rc_j.powi(6))).powf(1.0 / 6.0),
        }
    }
}

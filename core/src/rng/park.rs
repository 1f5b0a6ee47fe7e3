//! Park-Miller minimal-standard generator with LAMMPS's coordinate-hash reseeding.

/// LAMMPS's `RanPark`: a Park-Miller "minimal standard" linear congruential generator
/// (multiplier 16807, modulus 2^31 - 1, Schrage's factorisation), polar Box-Muller
/// Gaussians, and reseeding from a seed plus a position (Jenkins one-at-a-time hash)
/// as used by `velocity ... loop geom`.
#[derive(Debug, Clone, PartialEq)]
pub struct RanPark {
    seed: i32,
    spare: Option<f64>,
}

const IA: i32 = 16807;
const IM: i32 = 2147483647;
const AM: f64 = 1.0 / IM as f64;
const IQ: i32 = 127773;
const IR: i32 = 2836;

impl RanPark {
    /// A generator with a positive seed; `None` for seeds LAMMPS rejects (`<= 0`).
    pub fn new(seed: i32) -> Option<Self> {
        (seed > 0).then_some(RanPark { seed, spare: None })
    }

    /// Uniform deviate in (0, 1).
    pub fn uniform(&mut self) -> f64 {
        let k = self.seed / IQ;
        self.seed = IA
            .wrapping_mul(self.seed - k * IQ)
            .wrapping_sub(IR.wrapping_mul(k));
        if self.seed < 0 {
            self.seed += IM;
        }
        AM * self.seed as f64
    }

    /// Standard normal deviate (pairs from the polar method; the second is cached).
    pub fn gaussian(&mut self) -> f64 {
        if let Some(s) = self.spare.take() {
            return s;
        }
        let (v1, v2, rsq) = loop {
            let v1 = 2.0 * self.uniform() - 1.0;
            let v2 = 2.0 * self.uniform() - 1.0;
            let rsq = v1 * v1 + v2 * v2;
            if rsq < 1.0 && rsq != 0.0 {
                break (v1, v2, rsq);
            }
        };
        let fac = (-2.0 * rsq.ln() / rsq).sqrt();
        self.spare = Some(v1 * fac);
        v2 * fac
    }

    /// Reseeds from `base` and a position, as LAMMPS does for geometry-based loops:
    /// the bytes of the seed and of the three coordinates go through Jenkins's
    /// one-at-a-time hash (bytes taken as signed chars, as on x86), 27 bits are kept,
    /// and five deviates are discarded.
    pub fn reset_from_position(&mut self, base: i32, coord: [f64; 3]) {
        let mut hash: u32 = 0;
        let mut mix = |byte: u8| {
            // C's `char` is signed on x86: bytes above 127 add a negative value
            hash = hash.wrapping_add(byte as i8 as i32 as u32);
            hash = hash.wrapping_add(hash << 10);
            hash ^= hash >> 6;
        };
        base.to_ne_bytes().into_iter().for_each(&mut mix);
        for c in coord {
            c.to_ne_bytes().into_iter().for_each(&mut mix);
        }
        hash = hash.wrapping_add(hash << 3);
        hash ^= hash >> 11;
        hash = hash.wrapping_add(hash << 15);
        self.seed = (hash & 0x7ffffff) as i32;
        if self.seed == 0 {
            self.seed = 1;
        }
        for _ in 0..5 {
            self.uniform();
        }
        self.spare = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_standard_check_value() {
        // Park & Miller (1988): from seed 1, the 10,000th value is 1043618065.
        let mut r = RanPark::new(1).unwrap();
        for _ in 0..9999 {
            r.uniform();
        }
        let u = r.uniform();
        assert_eq!((u / AM).round() as i64, 1043618065);
    }

    #[test]
    fn rejects_non_positive_seeds() {
        assert!(RanPark::new(0).is_none());
        assert!(RanPark::new(-5).is_none());
    }

    #[test]
    fn gaussian_moments() {
        let mut r = RanPark::new(12345).unwrap();
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| r.gaussian()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(
            mean.abs() < 0.01 && (var - 1.0).abs() < 0.01,
            "{mean} {var}"
        );
    }
}

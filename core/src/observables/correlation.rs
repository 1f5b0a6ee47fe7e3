//! Time correlations averaged over many time origins: MSD(t) and VACF(t).
//!
//! Every `every` steps the current positions (or velocities) are compared with each
//! stored origin no more than `window` steps old; a new origin is stored every
//! `origin_every` steps. The result at lag `t` is the average over all origins and atoms,
//! which converges much faster than a single-origin measurement.

use std::collections::VecDeque;

use nalgebra::Vector3;

use super::msd::{mean_squared, unwrapped_positions};
use super::saved::SavedState;
use super::vacf::mean_product;
use super::{ObservableError, check_same_atoms};
use crate::system::System;

/// Which correlation is accumulated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorrelationKind {
    /// Mean-squared displacement of unwrapped positions; `com` removes centre-of-mass drift.
    Displacement {
        /// Remove the centre-of-mass motion.
        com: bool,
    },
    /// Velocity autocorrelation `<v(t0)·v(t0+t)>`.
    Velocity,
}

/// A multiple-time-origin correlation accumulator.
#[derive(Debug, Clone)]
pub struct TimeCorrelation {
    kind: CorrelationKind,
    every: u64,
    window: u64,
    origin_every: u64,
    ids: Vec<u64>,
    origins: VecDeque<(u64, Vec<Vector3<f64>>)>,
    sums: Vec<[f64; 4]>,
    counts: Vec<u64>,
}

impl TimeCorrelation {
    /// A correlation sampled every `every` steps up to lags of `window` steps, with a new
    /// origin every `origin_every` steps; both must be positive multiples of `every`.
    pub fn new(
        kind: CorrelationKind,
        every: u64,
        window: u64,
        origin_every: u64,
    ) -> Result<Self, ObservableError> {
        if every == 0 || window == 0 || origin_every == 0 {
            return Err(ObservableError::Schedule(
                "every, window and origin interval must be positive".into(),
            ));
        }
        if !window.is_multiple_of(every) || !origin_every.is_multiple_of(every) {
            return Err(ObservableError::Schedule(format!(
                "window ({window}) and origin interval ({origin_every}) must be multiples of \
                 the sampling interval ({every})"
            )));
        }
        let lags = (window / every) as usize + 1;
        Ok(TimeCorrelation {
            kind,
            every,
            window,
            origin_every,
            ids: Vec::new(),
            origins: VecDeque::new(),
            sums: vec![[0.0; 4]; lags],
            counts: vec![0; lags],
        })
    }

    /// Sampling interval in steps.
    pub fn every(&self) -> u64 {
        self.every
    }

    fn snapshot(&self, system: &System) -> Vec<Vector3<f64>> {
        match self.kind {
            CorrelationKind::Displacement { com } => unwrapped_positions(system, com),
            CorrelationKind::Velocity => system.velocities.clone(),
        }
    }

    /// Accumulates `system` at `step` if `step` is a sampling step (a multiple of
    /// `every`); the first sample fixes the atoms that are followed.
    pub fn sample(&mut self, step: u64, system: &System) -> Result<(), ObservableError> {
        if !step.is_multiple_of(self.every) {
            return Ok(());
        }
        if self.ids.is_empty() && self.origins.is_empty() {
            self.ids = system.ids.clone();
        }
        check_same_atoms(&self.ids, system)?;
        let now = self.snapshot(system);
        while self
            .origins
            .front()
            .is_some_and(|(t0, _)| step - t0 > self.window)
        {
            self.origins.pop_front();
        }
        if step.is_multiple_of(self.origin_every) {
            self.origins.push_back((step, now.clone()));
        }
        for (t0, origin) in &self.origins {
            let lag = ((step - t0) / self.every) as usize;
            let m = match self.kind {
                CorrelationKind::Displacement { .. } => mean_squared(origin, &now),
                CorrelationKind::Velocity => mean_product(origin, &now),
            };
            for (s, v) in self.sums[lag].iter_mut().zip(m) {
                *s += v;
            }
            self.counts[lag] += 1;
        }
        Ok(())
    }

    /// A number naming the kind (and the `com` setting) in saved states.
    fn kind_code(&self) -> u64 {
        match self.kind {
            CorrelationKind::Displacement { com: false } => 0,
            CorrelationKind::Displacement { com: true } => 1,
            CorrelationKind::Velocity => 2,
        }
    }

    /// The accumulated state: followed atoms, stored origins and the sums per lag.
    pub fn save_state(&self) -> SavedState {
        let mut s = SavedState::default();
        s.integers.push(self.kind_code());
        s.integers.extend([self.every, self.origin_every]);
        s.integers.push(self.counts.len() as u64);
        s.integers.push(self.ids.len() as u64);
        s.integers.extend(&self.ids);
        s.integers.push(self.origins.len() as u64);
        for (t0, origin) in &self.origins {
            s.integers.push(*t0);
            s.push_vectors(origin);
        }
        s.integers.extend(&self.counts);
        s.reals.extend(self.sums.iter().flatten());
        s
    }

    /// Continues from a [`TimeCorrelation::save_state`] of a correlation of the same kind,
    /// intervals and number of lags.
    pub fn restore_state(&mut self, state: &SavedState) -> Result<(), ObservableError> {
        let mut r = state.reader();
        r.expect(self.kind_code(), "kind (0: msd, 1: msd com, 2: vacf)")?;
        r.expect(self.every, "sampling interval")?;
        r.expect(self.origin_every, "origin interval")?;
        r.expect(self.counts.len() as u64, "number of lags")?;
        let n = r.integer("the atom count")? as usize;
        let ids = r.integers(n, "the atom ids")?;
        let n_origins = r.integer("the origin count")?;
        let mut origins = VecDeque::new();
        for _ in 0..n_origins {
            let t0 = r.integer("an origin step")?;
            origins.push_back((t0, r.vectors(n, "an origin")?));
        }
        let counts = r.integers(self.counts.len(), "the counts per lag")?;
        let sums = r.reals(4 * self.counts.len(), "the sums per lag")?;
        r.finish()?;
        self.ids = ids;
        self.origins = origins;
        self.counts = counts;
        self.sums = sums
            .chunks_exact(4)
            .map(|c| [c[0], c[1], c[2], c[3]])
            .collect();
        Ok(())
    }

    /// Rows `(lag in steps, [x, y, z, total] averaged over origins, origins counted)` for
    /// every lag that has at least one sample.
    pub fn rows(&self) -> Vec<(u64, [f64; 4], u64)> {
        self.sums
            .iter()
            .zip(&self.counts)
            .enumerate()
            .filter(|(_, (_, c))| **c > 0)
            .map(|(k, (s, &c))| {
                let n = c as f64;
                (k as u64 * self.every, s.map(|v| v / n), c)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::{CubicKind, Lattice};
    use crate::system::Species;

    #[test]
    fn a_restored_correlation_continues_bit_for_bit() {
        let mut system = Lattice::cubic_with_density(CubicKind::Fcc, 0.8)
            .build([2, 2, 2], vec![Species::new("A", 1.0)])
            .unwrap();
        let kind = CorrelationKind::Displacement { com: true };
        let mut a = TimeCorrelation::new(kind, 2, 10, 4).unwrap();
        let moved = |system: &mut System, t: u64| {
            for (k, x) in system.positions.iter_mut().enumerate() {
                x.x += 0.01 * ((t + k as u64) % 7) as f64;
                x.z -= 0.003 * (k as f64).sqrt();
            }
        };
        for t in (0..=12).step_by(2) {
            moved(&mut system, t);
            a.sample(t, &system).unwrap();
        }
        let mut b = TimeCorrelation::new(kind, 2, 10, 4).unwrap();
        b.restore_state(&a.save_state()).unwrap();
        for t in (14..=30).step_by(2) {
            moved(&mut system, t);
            a.sample(t, &system).unwrap();
            b.sample(t, &system).unwrap();
        }
        let bits = |c: &TimeCorrelation| {
            c.rows()
                .iter()
                .map(|(l, v, n)| (*l, v.map(f64::to_bits), *n))
                .collect::<Vec<_>>()
        };
        assert_eq!(bits(&a), bits(&b));
        // another kind, interval or window does not take the state
        let state = a.save_state();
        for mut other in [
            TimeCorrelation::new(CorrelationKind::Velocity, 2, 10, 4).unwrap(),
            TimeCorrelation::new(kind, 2, 10, 2).unwrap(),
            TimeCorrelation::new(kind, 2, 12, 4).unwrap(),
        ] {
            assert!(other.restore_state(&state).is_err());
        }
    }
}

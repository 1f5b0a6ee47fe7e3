//! Time correlations averaged over many time origins: MSD(t) and VACF(t).
//!
//! Every `every` steps the current positions (or velocities) are compared with each
//! stored origin no more than `window` steps old; a new origin is stored every
//! `origin_every` steps. The result at lag `t` is the average over all origins and atoms,
//! which converges much faster than a single-origin measurement.

use std::collections::VecDeque;

use nalgebra::Vector3;

use super::msd::{mean_squared, unwrapped_positions};
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

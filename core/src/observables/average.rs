//! When LAMMPS's `fix ave/time Nevery Nrepeat Nfreq` samples and writes.
//!
//! Every `Nfreq` steps an average of `Nrepeat` samples taken `Nevery` steps apart is
//! written; the last sample falls on the output step. The first output is the first
//! multiple of `Nfreq` whose samples all lie at or after the step the schedule starts
//! (an output on the start step itself only when `Nrepeat` is 1).

use super::ObservableError;
use super::saved::StateReader;

/// The sampling state of one time average.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AveragingSchedule {
    every: u64,
    repeat: u64,
    freq: u64,
    next: u64,
    taken: u64,
}

/// What to do at a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleAction {
    /// Nothing happens at this step.
    Skip,
    /// Take a sample and keep accumulating.
    Sample,
    /// Take the last sample of a window, then write the average.
    SampleAndWrite,
}

impl AveragingSchedule {
    /// `Nevery Nrepeat Nfreq` starting at `step`, checked as LAMMPS does: all positive,
    /// `Nfreq` a multiple of `Nevery`, and `Nrepeat·Nevery ≤ Nfreq`.
    pub fn new(every: u64, repeat: u64, freq: u64, step: u64) -> Result<Self, ObservableError> {
        if every == 0 || repeat == 0 || freq == 0 {
            return Err(ObservableError::Schedule(
                "Nevery, Nrepeat and Nfreq must be positive".into(),
            ));
        }
        if !freq.is_multiple_of(every) {
            return Err(ObservableError::Schedule(format!(
                "Nfreq ({freq}) must be a multiple of Nevery ({every})"
            )));
        }
        if (repeat - 1) * every >= freq {
            return Err(ObservableError::Schedule(format!(
                "Nrepeat ({repeat}) x Nevery ({every}) must not exceed Nfreq ({freq})"
            )));
        }
        let mut s = AveragingSchedule {
            every,
            repeat,
            freq,
            next: 0,
            taken: 0,
        };
        s.next = s.first_valid(step);
        Ok(s)
    }

    /// The first sampling step of the first complete window at or after `step`.
    fn first_valid(&self, step: u64) -> u64 {
        let out = (step / self.freq) * self.freq + self.freq;
        let span = (self.repeat - 1) * self.every;
        let mut next = if out - self.freq == step && self.repeat == 1 {
            step
        } else {
            out - span
        };
        if next < step {
            next += self.freq;
        }
        next
    }

    /// Re-synchronises after the step counter jumped (a run starts at `step`): a pending
    /// sample in the past restarts the window, as LAMMPS's `init` does.
    pub fn resume_at(&mut self, step: u64) {
        if self.next < step {
            self.taken = 0;
            self.next = self.first_valid(step);
        }
    }

    /// Appends `Nevery Nrepeat Nfreq`, the next sampling step and the samples taken.
    pub fn save_into(&self, integers: &mut Vec<u64>) {
        integers.extend([self.every, self.repeat, self.freq, self.next, self.taken]);
    }

    /// Reads back what [`AveragingSchedule::save_into`] wrote, for the same intervals.
    pub fn restore_from(&mut self, r: &mut StateReader<'_>) -> Result<(), ObservableError> {
        r.expect(self.every, "Nevery")?;
        r.expect(self.repeat, "Nrepeat")?;
        r.expect(self.freq, "Nfreq")?;
        let next = r.integer("the next sampling step")?;
        let taken = r.integer("the samples taken")?;
        if taken >= self.repeat {
            return Err(ObservableError::Restore(format!(
                "{taken} samples taken in a window of {}",
                self.repeat
            )));
        }
        self.next = next;
        self.taken = taken;
        Ok(())
    }

    /// Samples averaged into each output.
    pub fn repeat(&self) -> u64 {
        self.repeat
    }

    /// Steps between samples (`Nevery`).
    pub fn every(&self) -> u64 {
        self.every
    }

    /// Steps between outputs (`Nfreq`).
    pub fn freq(&self) -> u64 {
        self.freq
    }

    /// What to do at `step`; call it once per step, in order.
    pub fn at(&mut self, step: u64) -> ScheduleAction {
        if step != self.next {
            return ScheduleAction::Skip;
        }
        self.taken += 1;
        if self.taken < self.repeat {
            self.next += self.every;
            return ScheduleAction::Sample;
        }
        self.taken = 0;
        self.next = step + self.freq - (self.repeat - 1) * self.every;
        ScheduleAction::SampleAndWrite
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actions(every: u64, repeat: u64, freq: u64, start: u64, end: u64) -> Vec<(u64, bool)> {
        let mut s = AveragingSchedule::new(every, repeat, freq, start).unwrap();
        (start..=end)
            .filter_map(|t| match s.at(t) {
                ScheduleAction::Skip => None,
                ScheduleAction::Sample => Some((t, false)),
                ScheduleAction::SampleAndWrite => Some((t, true)),
            })
            .collect()
    }

    #[test]
    fn windows_end_on_multiples_of_nfreq() {
        assert_eq!(
            actions(10, 3, 100, 0, 200),
            vec![
                (80, false),
                (90, false),
                (100, true),
                (180, false),
                (190, false),
                (200, true)
            ]
        );
    }

    #[test]
    fn single_samples_include_the_start_step() {
        assert_eq!(
            actions(20, 1, 20, 0, 60),
            vec![(0, true), (20, true), (40, true), (60, true)]
        );
        // a start between outputs waits for the next complete window
        assert_eq!(actions(5, 2, 10, 7, 20), vec![(15, false), (20, true)]);
    }

    #[test]
    fn inconsistent_intervals_are_rejected() {
        assert!(AveragingSchedule::new(0, 1, 10, 0).is_err());
        assert!(AveragingSchedule::new(3, 1, 10, 0).is_err());
        assert!(AveragingSchedule::new(5, 3, 10, 0).is_err());
    }
}

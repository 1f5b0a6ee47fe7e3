//! `fix ave/time`'s `ave one|running|window M`: how the average of each `Nfreq` window
//! combines with earlier ones before it is written, with LAMMPS's arithmetic (running
//! totals; a window total gains the new average, then loses the one leaving the window).

use ferromd_core::observables::ObservableError;
use ferromd_core::observables::saved::{SavedState, StateReader};

use super::error::{ScriptResult, fail};
use super::words::integer;

/// Which averages are combined into an output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// Each output is the average of its own window (the default).
    One,
    /// Each output averages every window since the fix was defined.
    Running,
    /// Each output averages the last this many windows.
    Window(usize),
}

impl Combine {
    /// Parses the words after `ave` at `args[k]`; returns the mode and how many words it
    /// used.
    pub fn parse(args: &[String], k: usize) -> ScriptResult<(Self, usize)> {
        match args.get(k).map(String::as_str) {
            Some("one") => Ok((Combine::One, 1)),
            Some("running") => Ok((Combine::Running, 1)),
            Some("window") => {
                let m = integer(args, k + 1, "fix ave/time ave window M")?;
                if m < 1 {
                    return fail(format!("fix ave/time: ave window {m} must be positive"));
                }
                Ok((Combine::Window(m as usize), 2))
            }
            Some(other) => fail(format!(
                "fix ave/time: unknown ave `{other}` (expected one, running or window M)"
            )),
            None => fail("fix ave/time: ave needs one, running or window M"),
        }
    }
}

/// The combined averages of one `fix ave/time` (rows of values, as its output).
#[derive(Debug, Clone)]
pub struct CombinedAverage {
    combine: Combine,
    /// LAMMPS's `vector_total`/`array_total`: the sum of the combined window averages.
    total: Vec<Vec<f64>>,
    /// How many window averages `total` holds.
    norm: u64,
    /// `ave window`: the last window averages, a ring written at `slot`.
    history: Vec<Vec<Vec<f64>>>,
    slot: usize,
}

impl CombinedAverage {
    /// Nothing combined yet.
    pub fn new(combine: Combine) -> Self {
        CombinedAverage {
            combine,
            total: Vec::new(),
            norm: 0,
            history: Vec::new(),
            slot: 0,
        }
    }

    /// Adds the average of a finished window; returns the rows to write (`total / norm`).
    pub fn add(&mut self, average: Vec<Vec<f64>>) -> ScriptResult<Vec<Vec<f64>>> {
        let shape = |rows: &[Vec<f64>]| rows.iter().map(Vec::len).collect::<Vec<_>>();
        if self.combine != Combine::One
            && !self.total.is_empty()
            && shape(&self.total) != shape(&average)
        {
            return fail("fix ave/time: the number of averaged rows changed between windows");
        }
        match self.combine {
            Combine::One => {
                self.total = average;
                self.norm = 1;
            }
            Combine::Running => {
                add_into(&mut self.total, &average, 1.0);
                self.norm += 1;
            }
            Combine::Window(m) => {
                add_into(&mut self.total, &average, 1.0);
                if self.history.len() == m {
                    add_into(&mut self.total, &self.history[self.slot], -1.0);
                    self.history[self.slot] = average;
                } else {
                    self.history.push(average);
                }
                self.slot = (self.slot + 1) % m;
                self.norm = self.history.len() as u64;
            }
        }
        let n = self.norm as f64;
        Ok(self
            .total
            .iter()
            .map(|row| row.iter().map(|v| v / n).collect())
            .collect())
    }

    /// Appends the combined state (`cols` values per row) to `state`.
    pub fn save_into(&self, state: &mut SavedState) {
        state
            .integers
            .extend([self.norm, self.slot as u64, self.history.len() as u64]);
        state.push_rows(&self.total);
        for h in &self.history {
            state.push_rows(h);
        }
    }

    /// Reads back what [`CombinedAverage::save_into`] wrote, for rows of `cols` values.
    pub fn restore_from(
        &mut self,
        r: &mut StateReader<'_>,
        cols: usize,
    ) -> Result<(), ObservableError> {
        let norm = r.integer("the number of combined windows")?;
        let slot = r.integer("the window slot")? as usize;
        let kept = r.integer("the number of kept windows")? as usize;
        let limit = match self.combine {
            Combine::Window(m) => m,
            _ => 0,
        };
        if kept > limit || (limit > 0 && slot >= limit) {
            return Err(ObservableError::Restore(format!(
                "{kept} kept windows (slot {slot}) for an average over {limit}"
            )));
        }
        let total = r.rows(cols, "the combined totals")?;
        let history = (0..kept)
            .map(|_| r.rows(cols, "a kept window"))
            .collect::<Result<_, _>>()?;
        self.norm = norm;
        self.slot = slot;
        self.total = total;
        self.history = history;
        Ok(())
    }
}

/// `total += sign · rows`, element by element (a missing total starts at zero).
fn add_into(total: &mut Vec<Vec<f64>>, rows: &[Vec<f64>], sign: f64) {
    if total.is_empty() {
        *total = rows.iter().map(|r| vec![0.0; r.len()]).collect();
    }
    for (t, r) in total.iter_mut().zip(rows) {
        for (a, b) in t.iter_mut().zip(r) {
            // sign · b is exact, so this is LAMMPS's `+=` or `-=`
            *a += sign * b;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outputs(combine: Combine, values: &[f64]) -> Vec<f64> {
        let mut c = CombinedAverage::new(combine);
        values
            .iter()
            .map(|&v| c.add(vec![vec![v]]).unwrap()[0][0])
            .collect()
    }

    #[test]
    fn one_running_and_window_combine_as_lammps_does() {
        let v = [1.0, 2.0, 4.0, 8.0, 16.0];
        assert_eq!(outputs(Combine::One, &v), v);
        assert_eq!(
            outputs(Combine::Running, &v),
            [1.0, 1.5, 7.0 / 3.0, 15.0 / 4.0, 31.0 / 5.0]
        );
        assert_eq!(outputs(Combine::Window(2), &v), [1.0, 1.5, 3.0, 6.0, 12.0]);
    }

    #[test]
    fn saved_state_continues_the_combination() {
        let mut a = CombinedAverage::new(Combine::Window(3));
        for v in [1.0, 2.0, 4.0, 8.0] {
            a.add(vec![vec![v, -v]]).unwrap();
        }
        let mut s = SavedState::default();
        a.save_into(&mut s);
        let mut b = CombinedAverage::new(Combine::Window(3));
        let mut r = s.reader();
        b.restore_from(&mut r, 2).unwrap();
        r.finish().unwrap();
        for v in [16.0, 32.0] {
            let (x, y) = (a.add(vec![vec![v, -v]]), b.add(vec![vec![v, -v]]));
            assert_eq!(x.unwrap(), y.unwrap());
        }
        // a state for a longer window does not fit
        let mut c = CombinedAverage::new(Combine::Window(2));
        assert!(c.restore_from(&mut s.reader(), 2).is_err());
    }
}

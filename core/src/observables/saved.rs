//! The accumulated state of an observable as plain numbers, so that checkpoints can carry
//! running averages, reference positions and sampling windows across a restart.
//!
//! Each observable writes its state as two flat lists, integers (counts, steps, atom ids)
//! and reals (sums, reference vectors), in an order of its own, and reads it back through
//! a [`StateReader`] that checks every length before use: a state that does not fit the
//! observable it is restored into is an [`ObservableError::Restore`], never a panic.

use nalgebra::Vector3;

use super::ObservableError;

/// Integers and reals making up one observable's state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SavedState {
    /// Counts, steps, atom ids, flags.
    pub integers: Vec<u64>,
    /// Sums and reference values, stored bit for bit.
    pub reals: Vec<f64>,
}

impl SavedState {
    /// Appends vectors to the reals, component by component.
    pub fn push_vectors(&mut self, v: &[Vector3<f64>]) {
        for x in v {
            self.reals.extend_from_slice(&[x.x, x.y, x.z]);
        }
    }

    /// Appends a table of rows of equal length: row and column counts to the integers,
    /// the values row by row to the reals.
    pub fn push_rows(&mut self, rows: &[Vec<f64>]) {
        let cols = rows.first().map_or(0, Vec::len);
        self.integers.extend([rows.len() as u64, cols as u64]);
        for row in rows {
            self.reals.extend(row);
        }
    }

    /// A reader from the start of both lists.
    pub fn reader(&self) -> StateReader<'_> {
        StateReader {
            state: self,
            integer_at: 0,
            real_at: 0,
        }
    }
}

/// Reads a [`SavedState`] back in the order it was written, checking lengths.
#[derive(Debug)]
pub struct StateReader<'a> {
    state: &'a SavedState,
    integer_at: usize,
    real_at: usize,
}

fn short(what: &str) -> ObservableError {
    ObservableError::Restore(format!("the saved state ends before {what}"))
}

impl StateReader<'_> {
    /// The next integer.
    pub fn integer(&mut self, what: &str) -> Result<u64, ObservableError> {
        let v = *self
            .state
            .integers
            .get(self.integer_at)
            .ok_or_else(|| short(what))?;
        self.integer_at += 1;
        Ok(v)
    }

    /// The next integer, which must be `expected` (a size or setting of the observable).
    pub fn expect(&mut self, expected: u64, what: &str) -> Result<(), ObservableError> {
        let v = self.integer(what)?;
        if v != expected {
            return Err(ObservableError::Restore(format!(
                "the saved state has {what} {v}, this observable has {expected}"
            )));
        }
        Ok(())
    }

    /// The next `n` integers.
    pub fn integers(&mut self, n: usize, what: &str) -> Result<Vec<u64>, ObservableError> {
        let end = self.integer_at.checked_add(n).ok_or_else(|| short(what))?;
        let v = self
            .state
            .integers
            .get(self.integer_at..end)
            .ok_or_else(|| short(what))?;
        self.integer_at = end;
        Ok(v.to_vec())
    }

    /// The next `n` reals.
    pub fn reals(&mut self, n: usize, what: &str) -> Result<Vec<f64>, ObservableError> {
        let end = self.real_at.checked_add(n).ok_or_else(|| short(what))?;
        let v = self
            .state
            .reals
            .get(self.real_at..end)
            .ok_or_else(|| short(what))?;
        self.real_at = end;
        Ok(v.to_vec())
    }

    /// The next `n` vectors (3·n reals).
    pub fn vectors(&mut self, n: usize, what: &str) -> Result<Vec<Vector3<f64>>, ObservableError> {
        let flat = self.reals(n.checked_mul(3).ok_or_else(|| short(what))?, what)?;
        Ok(flat
            .chunks_exact(3)
            .map(|c| Vector3::new(c[0], c[1], c[2]))
            .collect())
    }

    /// A table written by [`SavedState::push_rows`], whose rows must have `cols` values
    /// (an empty table has none).
    pub fn rows(&mut self, cols: usize, what: &str) -> Result<Vec<Vec<f64>>, ObservableError> {
        let n = self.integer(what)? as usize;
        self.expect(if n == 0 { 0 } else { cols as u64 }, what)?;
        let flat = self.reals(n.checked_mul(cols).ok_or_else(|| short(what))?, what)?;
        Ok(flat.chunks(cols.max(1)).map(<[f64]>::to_vec).collect())
    }

    /// Checks that everything was read: a longer state belongs to another observable.
    pub fn finish(self) -> Result<(), ObservableError> {
        let (ni, nr) = (self.state.integers.len(), self.state.reals.len());
        if self.integer_at != ni || self.real_at != nr {
            return Err(ObservableError::Restore(format!(
                "the saved state has {} integers and {} reals more than this observable uses",
                ni - self.integer_at,
                nr - self.real_at
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_back_what_was_written_and_refuses_short_or_long_states() {
        let mut s = SavedState::default();
        s.integers.extend([3, 7, 8]);
        s.push_vectors(&[Vector3::new(1.0, -2.0, 1e-300)]);
        let mut r = s.reader();
        r.expect(3, "a count").unwrap();
        assert_eq!(r.integers(2, "ids").unwrap(), [7, 8]);
        assert_eq!(
            r.vectors(1, "refs").unwrap(),
            [Vector3::new(1.0, -2.0, 1e-300)]
        );
        r.finish().unwrap();

        let mut t = SavedState::default();
        t.push_rows(&[vec![1.0, 2.0], vec![3.0, 4.0]]);
        t.push_rows(&[]);
        let mut r = t.reader();
        assert_eq!(r.rows(2, "a table").unwrap(), [[1.0, 2.0], [3.0, 4.0]]);
        assert!(r.rows(2, "an empty table").unwrap().is_empty());
        r.finish().unwrap();
        assert!(t.reader().rows(3, "a table").is_err());

        let mut r = s.reader();
        assert!(r.expect(4, "a count").is_err());
        let mut r = s.reader();
        assert!(r.integers(usize::MAX, "ids").is_err());
        assert!(r.vectors(2, "refs").is_err());
        assert!(s.reader().finish().is_err());
    }
}

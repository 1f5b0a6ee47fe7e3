//! Screen and log-file output of a script run. Every line is flushed to the log so
//! nothing is lost if the run stops.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::thermo_table::ThermoTable;

/// Where script output goes: the screen (stdout), a log file, or both.
#[derive(Debug)]
pub struct Output {
    screen: Option<io::Stdout>,
    log: Option<BufWriter<File>>,
    capture: Option<Vec<u8>>,
    table: Option<ThermoTable>,
}

impl Output {
    /// Output to the screen (unless `screen` is false) and to `log` (if given).
    pub fn new(screen: bool, log: Option<&Path>) -> io::Result<Self> {
        let log = match log {
            Some(p) => Some(BufWriter::new(File::create(p)?)),
            None => None,
        };
        Ok(Output {
            screen: screen.then(io::stdout),
            log,
            capture: None,
            table: None,
        })
    }

    /// Output collected in memory (for embedding and tests).
    pub fn captured() -> Self {
        Output {
            screen: None,
            log: None,
            capture: Some(Vec::new()),
            table: None,
        }
    }

    /// The captured text, if this output captures.
    pub fn captured_text(&self) -> Option<String> {
        self.capture
            .as_ref()
            .map(|b| String::from_utf8_lossy(b).into_owned())
    }

    /// Replaces the log file (`log FILE [append]` / `log none`).
    pub fn set_log(&mut self, path: Option<&Path>, append: bool) -> io::Result<()> {
        if let Some(mut l) = self.log.take() {
            l.flush()?;
        }
        self.log = match path {
            Some(p) => {
                let f = std::fs::OpenOptions::new()
                    .create(true)
                    .write(true)
                    .append(append)
                    .truncate(!append)
                    .open(p)?;
                Some(BufWriter::new(f))
            }
            None => None,
        };
        Ok(())
    }

    /// Writes one line to every destination and flushes it.
    pub fn line(&mut self, text: &str) -> io::Result<()> {
        if let Some(s) = self.screen.as_mut() {
            let mut lock = s.lock();
            writeln!(lock, "{text}")?;
            lock.flush()?;
        }
        if let Some(l) = self.log.as_mut() {
            writeln!(l, "{text}")?;
            l.flush()?;
        }
        if let Some(c) = self.capture.as_mut() {
            writeln!(c, "{text}")?;
        }
        Ok(())
    }

    /// Also writes every thermo line to `table` (`--thermo-table FILE`).
    pub fn set_thermo_table(&mut self, table: ThermoTable) {
        self.table = Some(table);
    }

    /// Appends a thermo row to the table, if there is one.
    pub fn thermo_row(&mut self, columns: &[String], values: &[f64]) -> io::Result<()> {
        match self.table.as_mut() {
            Some(t) => t
                .row(columns, values)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", t.path().display()))),
            None => Ok(()),
        }
    }

    /// Writes a line to the log only (`echo log`).
    pub fn log_only(&mut self, text: &str) -> io::Result<()> {
        if let Some(l) = self.log.as_mut() {
            writeln!(l, "{text}")?;
            l.flush()?;
        }
        Ok(())
    }

    /// Writes a line to the screen only (`echo screen`).
    pub fn screen_only(&mut self, text: &str) -> io::Result<()> {
        if let Some(s) = self.screen.as_mut() {
            writeln!(s.lock(), "{text}")?;
        }
        if let Some(c) = self.capture.as_mut() {
            writeln!(c, "{text}")?;
        }
        Ok(())
    }
}

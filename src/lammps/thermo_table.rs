//! Machine-readable copy of a script's thermo output (ferromd extension): every thermo
//! line is also written as a CSV row or a JSON-lines object, with the `thermo_style`
//! keywords as column names, flushed line by line.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// The table format, chosen from the file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    /// Comma-separated values; a header row whenever the columns change.
    Csv,
    /// One JSON object per thermo line.
    Jsonl,
}

impl TableFormat {
    /// `.csv` or `.jsonl`/`.json`; anything else is an error naming the path.
    pub fn from_path(path: &Path) -> Result<Self, String> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("csv") => Ok(TableFormat::Csv),
            Some("jsonl" | "json") => Ok(TableFormat::Jsonl),
            _ => Err(format!(
                "{}: thermo table file must end in .csv or .jsonl",
                path.display()
            )),
        }
    }
}

/// Writes thermo rows to a file.
#[derive(Debug)]
pub struct ThermoTable {
    path: PathBuf,
    format: TableFormat,
    file: BufWriter<File>,
    columns: Vec<String>,
}

impl ThermoTable {
    /// Creates (truncates) `path`; the format follows its extension.
    pub fn create(path: &Path) -> Result<Self, String> {
        let format = TableFormat::from_path(path)?;
        let file = File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(ThermoTable {
            path: path.to_path_buf(),
            format,
            file: BufWriter::new(file),
            columns: Vec::new(),
        })
    }

    /// The file written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one row of `values` under `columns` and flushes it.
    pub fn row(&mut self, columns: &[String], values: &[f64]) -> io::Result<()> {
        match self.format {
            TableFormat::Csv => {
                if self.columns != columns {
                    writeln!(self.file, "{}", columns.join(","))?;
                    self.columns = columns.to_vec();
                }
                let cells: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
                writeln!(self.file, "{}", cells.join(","))?;
            }
            TableFormat::Jsonl => {
                // written by hand so that the keys keep the thermo_style order
                let fields: Vec<String> = columns
                    .iter()
                    .zip(values)
                    .map(|(c, v)| {
                        format!(
                            "{}:{}",
                            serde_json::Value::from(c.as_str()),
                            json_number(*v)
                        )
                    })
                    .collect();
                writeln!(self.file, "{{{}}}", fields.join(","))?;
            }
        }
        self.file.flush()
    }
}

/// A JSON number, or null for NaN and infinities (which JSON cannot hold).
fn json_number(v: f64) -> serde_json::Value {
    serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, serde_json::Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_repeats_the_header_only_when_columns_change_and_jsonl_keys_rows() {
        let dir = std::env::temp_dir().join(format!("ferromd-thermo-table-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cols = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let csv = dir.join("t.csv");
        let mut t = ThermoTable::create(&csv).unwrap();
        t.row(&cols(&["step", "pe"]), &[0.0, -6.5]).unwrap();
        t.row(&cols(&["step", "pe"]), &[10.0, 0.1]).unwrap();
        t.row(&cols(&["step", "temp"]), &[20.0, 1.5]).unwrap();
        let text = std::fs::read_to_string(&csv).unwrap();
        assert_eq!(text, "step,pe\n0.0,-6.5\n10.0,0.1\nstep,temp\n20.0,1.5\n");
        let jsonl = dir.join("t.jsonl");
        let mut t = ThermoTable::create(&jsonl).unwrap();
        t.row(&cols(&["step", "pe"]), &[0.0, f64::NAN]).unwrap();
        let text = std::fs::read_to_string(&jsonl).unwrap();
        assert_eq!(text, "{\"step\":0.0,\"pe\":null}\n");
        let bad = ThermoTable::create(&dir.join("t.txt")).unwrap_err();
        assert!(bad.contains("t.txt") && bad.contains(".csv"), "{bad}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

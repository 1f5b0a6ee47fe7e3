//! `ferromd plot FILE -o out.png|svg [--columns A,B] [--x COLUMN]`: draws columns of a
//! thermo log, thermo CSV/JSON lines, `fix ave/time` file or data table against one
//! column (the step, or the first column), one panel per series.

pub mod data;
pub mod render;

use std::path::Path;

pub use data::{Table, read_table};

/// Why a plot could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlotError {
    /// The input could not be read.
    #[error("cannot read {file}: {message}")]
    Read {
        /// The file.
        file: String,
        /// The cause.
        message: String,
    },
    /// The input is malformed at a line (0: the file as a whole).
    #[error("{file}:{line}: {message}")]
    Parse {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A requested column does not exist.
    #[error("{file}: no column `{column}`; the columns are: {available}")]
    NoColumn {
        /// The file.
        file: String,
        /// The missing name.
        column: String,
        /// The names there are.
        available: String,
    },
    /// The image could not be drawn or written.
    #[error("cannot write {file}: {message}")]
    Write {
        /// The output file.
        file: String,
        /// The cause.
        message: String,
    },
}

/// Columns not drawn unless asked for: bookkeeping rather than physics.
const SKIPPED_BY_DEFAULT: &[&str] = &[
    "Step",
    "step",
    "Elapsed",
    "Elaplong",
    "CPU",
    "T/CPU",
    "S/CPU",
    "Dt",
    "Time",
    "TimeStep",
    "Atoms",
    "lag_steps",
    "lag_time",
    "origins",
];

/// What was drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct PlotSummary {
    /// What the input was recognised as.
    pub kind: String,
    /// The x column.
    pub x: String,
    /// The y columns, one panel each.
    pub series: Vec<String>,
    /// Rows read.
    pub rows: usize,
}

/// Plots `input` into `output`: `columns` picks the y columns (default: every column but
/// x and bookkeeping ones such as CPU time), `x` the x column (default: the step, or the
/// first column).
pub fn plot_file(
    input: &Path,
    output: &Path,
    columns: Option<&[String]>,
    x: Option<&str>,
) -> Result<PlotSummary, PlotError> {
    let table = read_table(input)?;
    let find = |name: &str| {
        table.column(name).ok_or_else(|| PlotError::NoColumn {
            file: input.display().to_string(),
            column: name.to_string(),
            available: table.columns.join(", "),
        })
    };
    let xi = match x {
        Some(name) => find(name)?,
        None => table.default_x,
    };
    let ys: Vec<usize> = match columns {
        Some(names) => names
            .iter()
            .map(|n| find(n.trim()))
            .collect::<Result<_, _>>()?,
        None => (0..table.columns.len())
            .filter(|&k| k != xi && !SKIPPED_BY_DEFAULT.contains(&table.columns[k].as_str()))
            .filter(|&k| table.rows.iter().any(|r| r[k].is_finite()))
            .collect(),
    };
    if ys.is_empty() {
        return Err(PlotError::NoColumn {
            file: input.display().to_string(),
            column: "(any y column)".into(),
            available: table.columns.join(", "),
        });
    }
    let name = input.file_name().map_or_else(
        || input.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    render::render(&table, xi, &ys, &format!("{name}: {}", table.kind), output)?;
    Ok(PlotSummary {
        kind: table.kind.clone(),
        x: table.columns[xi].clone(),
        series: ys.iter().map(|&k| table.columns[k].clone()).collect(),
        rows: table.rows.len(),
    })
}

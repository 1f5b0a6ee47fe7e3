//! Reading the files `ferromd plot` draws into one numeric table.
//!
//! Recognised by content: thermo logs (LAMMPS's `log.lammps` or ferromd's screen output:
//! every block that starts with a `Step ...` header, several runs joined), ferromd's
//! thermo CSV and JSON-lines files, LAMMPS `fix ave/time` files (scalar mode: one row per
//! output step; vector mode: the last block) and whitespace tables whose last `#` comment
//! line names the columns (ferromd's `[[observables]]` files).

use std::path::Path;

use super::PlotError;

/// Numeric columns read from one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// What the file was recognised as, for messages and titles.
    pub kind: String,
    /// Column names.
    pub columns: Vec<String>,
    /// Rows; a value missing from a row (a column absent in one run) is NaN.
    pub rows: Vec<Vec<f64>>,
    /// The column drawn along x unless another is asked for.
    pub default_x: usize,
}

impl Table {
    /// Index of the column called `name` (exact, then case-insensitive).
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name).or_else(|| {
            self.columns
                .iter()
                .position(|c| c.eq_ignore_ascii_case(name))
        })
    }

    /// The values of column `k`.
    pub fn values(&self, k: usize) -> Vec<f64> {
        self.rows.iter().map(|r| r[k]).collect()
    }
}

/// Reads `path` as whichever supported format its content is.
pub fn read_table(path: &Path) -> Result<Table, PlotError> {
    let text = std::fs::read_to_string(path).map_err(|e| PlotError::Read {
        file: path.display().to_string(),
        message: e.to_string(),
    })?;
    parse_table(&text, path)
}

/// Parses `text` (the content of `path`, which names it in errors).
pub fn parse_table(text: &str, path: &Path) -> Result<Table, PlotError> {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let at = |line: usize, message: String| PlotError::Parse {
        file: path.display().to_string(),
        line,
        message,
    };
    let table = if first.starts_with("# Time-averaged data") {
        ave_time(text, &at)?
    } else if ext == "jsonl" || first.trim_start().starts_with('{') {
        jsonl(text, &at)?
    } else if ext == "csv" || (first.contains(',') && !first.starts_with('#')) {
        csv(text, &at)?
    } else if text.lines().any(is_thermo_header) {
        thermo_log(text)
    } else {
        plain(text, &at)?
    };
    if table.rows.is_empty() {
        return Err(PlotError::Parse {
            file: path.display().to_string(),
            line: 0,
            message: format!("no data rows in this {}", table.kind),
        });
    }
    Ok(table)
}

type At<'a> = dyn Fn(usize, String) -> PlotError + 'a;

fn number(word: &str, line: usize, at: &At<'_>) -> Result<f64, PlotError> {
    word.trim()
        .parse()
        .map_err(|_| at(line, format!("`{word}` is not a number")))
}

fn is_thermo_header(line: &str) -> bool {
    line.split_whitespace().next() == Some("Step")
}

/// Thermo blocks of a LAMMPS or ferromd log; columns are the union over runs.
fn thermo_log(text: &str) -> Table {
    let mut columns: Vec<String> = Vec::new();
    let mut rows: Vec<Vec<f64>> = Vec::new();
    let mut block: Option<Vec<usize>> = None;
    for line in text.lines() {
        if is_thermo_header(line) {
            let map = line
                .split_whitespace()
                .map(|w| match columns.iter().position(|c| c == w) {
                    Some(k) => k,
                    None => {
                        columns.push(w.to_string());
                        columns.len() - 1
                    }
                })
                .collect();
            block = Some(map);
            continue;
        }
        let Some(map) = &block else { continue };
        if line.starts_with("Loop time") || line.starts_with("ERROR") {
            block = None;
            continue;
        }
        let values: Option<Vec<f64>> = line.split_whitespace().map(|w| w.parse().ok()).collect();
        // warnings and other lines inside a run are skipped
        if let Some(v) = values.filter(|v| v.len() == map.len()) {
            let mut row = vec![f64::NAN; columns.len()];
            for (k, x) in map.iter().zip(v) {
                row[*k] = x;
            }
            rows.push(row);
        }
    }
    for r in &mut rows {
        r.resize(columns.len(), f64::NAN);
    }
    Table {
        kind: "thermo log".into(),
        columns,
        rows,
        default_x: 0,
    }
}

fn csv(text: &str, at: &At<'_>) -> Result<Table, PlotError> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines.next().ok_or_else(|| at(1, "empty file".into()))?;
    let columns: Vec<String> = header.split(',').map(|w| w.trim().to_string()).collect();
    let mut rows = Vec::new();
    for (n, line) in lines {
        let words: Vec<&str> = line.split(',').collect();
        if words.len() != columns.len() {
            return Err(at(
                n + 1,
                format!("{} values for {} columns", words.len(), columns.len()),
            ));
        }
        rows.push(
            words
                .iter()
                .map(|w| number(w, n + 1, at))
                .collect::<Result<_, _>>()?,
        );
    }
    let default_x = columns.iter().position(|c| c == "step").unwrap_or(0);
    Ok(Table {
        kind: "thermo CSV".into(),
        columns,
        rows,
        default_x,
    })
}

fn jsonl(text: &str, at: &At<'_>) -> Result<Table, PlotError> {
    let mut columns: Vec<String> = Vec::new();
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(line).map_err(|e| at(n + 1, format!("not a JSON object: {e}")))?;
        let mut row = vec![f64::NAN; columns.len()];
        for (key, value) in object {
            let v = match value {
                serde_json::Value::Number(x) => x.as_f64().unwrap_or(f64::NAN),
                serde_json::Value::Null => f64::NAN,
                other => return Err(at(n + 1, format!("`{key}` is {other}, not a number"))),
            };
            let k = match columns.iter().position(|c| *c == key) {
                Some(k) => k,
                None => {
                    columns.push(key);
                    row.push(f64::NAN);
                    columns.len() - 1
                }
            };
            row[k] = v;
        }
        rows.push(row);
    }
    for r in &mut rows {
        r.resize(columns.len(), f64::NAN);
    }
    let default_x = columns.iter().position(|c| c == "step").unwrap_or(0);
    Ok(Table {
        kind: "thermo JSON lines".into(),
        columns,
        rows,
        default_x,
    })
}

/// A `fix ave/time` file: scalar mode as a time series, vector mode's last block.
fn ave_time(text: &str, at: &At<'_>) -> Result<Table, PlotError> {
    let lines: Vec<&str> = text.lines().collect();
    let second = lines.get(1).copied().unwrap_or("");
    let fix = lines[0]
        .trim_start_matches("# Time-averaged data for fix ")
        .trim();
    if second.trim() != "# TimeStep Number-of-rows" {
        let columns: Vec<String> = second
            .trim_start_matches('#')
            .split_whitespace()
            .map(String::from)
            .collect();
        let mut rows = Vec::new();
        for (n, line) in lines.iter().enumerate().skip(2) {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let row: Vec<f64> = line
                .split_whitespace()
                .map(|w| number(w, n + 1, at))
                .collect::<Result<_, _>>()?;
            if row.len() != columns.len() {
                return Err(at(
                    n + 1,
                    format!("{} values for {} columns", row.len(), columns.len()),
                ));
            }
            rows.push(row);
        }
        return Ok(Table {
            kind: format!("fix ave/time {fix} file"),
            columns,
            rows,
            default_x: 0,
        });
    }
    let columns: Vec<String> = lines
        .get(2)
        .and_then(|l| l.strip_prefix("# Row"))
        .ok_or_else(|| {
            at(
                3,
                "expected the `# Row ...` header of a vector-mode file".into(),
            )
        })?
        .split_whitespace()
        .map(String::from)
        .collect();
    // blocks: "step nrows" then nrows lines "row values..."; keep the last complete one
    let mut n = 3;
    let mut last: Option<(u64, Vec<Vec<f64>>)> = None;
    while n < lines.len() {
        if lines[n].trim().is_empty() {
            n += 1;
            continue;
        }
        let head: Vec<&str> = lines[n].split_whitespace().collect();
        let (Some(step), Some(count), 2) = (
            head.first().and_then(|w| w.parse::<u64>().ok()),
            head.get(1).and_then(|w| w.parse::<usize>().ok()),
            head.len(),
        ) else {
            return Err(at(
                n + 1,
                format!("expected `step rows`, found `{}`", lines[n]),
            ));
        };
        if n + count >= lines.len() {
            return Err(at(
                lines.len(),
                format!("the block of step {step} is cut short ({count} rows expected)"),
            ));
        }
        let mut rows = Vec::with_capacity(count);
        for k in 1..=count {
            let words: Vec<&str> = lines[n + k].split_whitespace().collect();
            if words.len() != columns.len() + 1 {
                return Err(at(
                    n + k + 1,
                    format!(
                        "{} values for a row index and {} columns",
                        words.len(),
                        columns.len()
                    ),
                ));
            }
            rows.push(
                words[1..]
                    .iter()
                    .map(|w| number(w, n + k + 1, at))
                    .collect::<Result<_, _>>()?,
            );
        }
        last = Some((step, rows));
        n += count + 1;
    }
    let (step, rows) = last.unwrap_or((0, Vec::new()));
    Ok(Table {
        kind: format!("fix ave/time {fix} file (step {step})"),
        columns,
        rows,
        default_x: 0,
    })
}

/// Whitespace columns named by the last `#` line before the data.
fn plain(text: &str, at: &At<'_>) -> Result<Table, PlotError> {
    let mut header: Vec<String> = Vec::new();
    let mut rows: Vec<Vec<f64>> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if let Some(h) = line.strip_prefix('#') {
            if rows.is_empty() {
                header = h.split_whitespace().map(String::from).collect();
            }
            continue;
        }
        if line.trim().is_empty() {
            continue;
        }
        let row: Vec<f64> = line
            .split_whitespace()
            .map(|w| number(w, n + 1, at))
            .collect::<Result<_, _>>()?;
        if let Some(first) = rows.first()
            && first.len() != row.len()
        {
            return Err(at(
                n + 1,
                format!(
                    "{} values where earlier rows have {}",
                    row.len(),
                    first.len()
                ),
            ));
        }
        rows.push(row);
    }
    let width = rows.first().map_or(0, Vec::len);
    if header.len() != width {
        header = (1..=width).map(|k| format!("column{k}")).collect();
    }
    let default_x = header.iter().position(|c| c == "lag_time").unwrap_or(0);
    Ok(Table {
        kind: "data table".into(),
        columns: header,
        rows,
        default_x,
    })
}

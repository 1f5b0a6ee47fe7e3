//! Script errors, printed LAMMPS-style with the file and line that caused them.

use std::fmt;

/// An error stopping a LAMMPS-style script.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptError {
    /// What went wrong.
    pub message: String,
    /// Script file and 1-based line, when known.
    pub location: Option<(String, usize)>,
    /// The script was stopped on request (SIGINT/SIGTERM) after writing a restart file.
    pub interrupted: bool,
}

impl ScriptError {
    /// An error without a location yet (the interpreter adds it).
    pub fn new(message: impl Into<String>) -> Self {
        ScriptError {
            message: message.into(),
            location: None,
            interrupted: false,
        }
    }

    /// The script stopped on request; `message` says where the restart file is and how
    /// to continue.
    pub fn interrupted(message: impl Into<String>) -> Self {
        ScriptError {
            interrupted: true,
            ..Self::new(message)
        }
    }

    /// `<command> <keyword> is not supported by ferromd`.
    pub fn unsupported(command: &str, keyword: &str) -> Self {
        if keyword.is_empty() {
            Self::new(format!("{command} is not supported by ferromd"))
        } else {
            Self::new(format!("{command} {keyword} is not supported by ferromd"))
        }
    }

    /// Attaches a location if none is set.
    pub fn at(mut self, file: &str, line: usize) -> Self {
        if self.location.is_none() {
            self.location = Some((file.to_string(), line));
        }
        self
    }
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ERROR: {}", self.message)?;
        if let Some((file, line)) = &self.location {
            write!(f, " ({file}:{line})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScriptError {}

/// Result of script operations.
pub type ScriptResult<T> = Result<T, ScriptError>;

/// Shorthand for an error result.
pub fn fail<T>(message: impl Into<String>) -> ScriptResult<T> {
    Err(ScriptError::new(message))
}

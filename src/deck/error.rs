//! Deck errors that point at file, line, column and key, with a hint.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// An error in an input deck.
#[derive(Debug, Clone, PartialEq)]
pub struct DeckError {
    /// The deck file.
    pub file: PathBuf,
    /// 1-based line and column, when the error has a location.
    pub location: Option<(usize, usize)>,
    /// The key involved, e.g. `potential.cutoff`, when known.
    pub key: Option<String>,
    /// What is wrong.
    pub message: String,
    /// A one-line suggestion for fixing it.
    pub hint: Option<String>,
}

impl DeckError {
    /// An error without a location (e.g. the file cannot be read).
    pub fn general(file: &Path, message: impl Into<String>) -> Self {
        DeckError {
            file: file.to_path_buf(),
            location: None,
            key: None,
            message: message.into(),
            hint: None,
        }
    }

    /// An error at a byte span of the deck text.
    pub fn at(
        file: &Path,
        text: &str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Self {
        let location = span.as_ref().map(|s| line_col(text, s.start));
        let key = span.and_then(|s| key_at(text, s.start));
        DeckError {
            file: file.to_path_buf(),
            location,
            key,
            message: message.into(),
            hint: None,
        }
    }

    /// Sets a 1-based line (column 1) for errors in files other than the deck.
    pub fn with_location(mut self, line: usize) -> Self {
        self.location = Some((line, 1));
        self
    }

    /// Names the key involved.
    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for DeckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some((l, c)) = self.location {
            write!(f, ":{l}:{c}")?;
        }
        write!(f, ": ")?;
        if let Some(k) = &self.key {
            write!(f, "key `{k}`: ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for DeckError {}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// The key written on the line holding `offset` (`key = value` or `[table]`).
fn key_at(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |p| p + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |p| offset + p);
    let line = text[start..end].trim();
    if let Some(t) = line.strip_prefix('[') {
        return Some(t.trim_matches(|c| c == '[' || c == ']').trim().to_string());
    }
    let (k, _) = line.split_once('=')?;
    let k = k.trim();
    (!k.is_empty() && !k.starts_with('#')).then(|| k.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_line_column_and_key() {
        let t = "a = 1\n[run]\nsteps = x\n";
        let off = t.find('x').unwrap();
        assert_eq!(line_col(t, off), (3, 9));
        let e = DeckError::at(Path::new("d.toml"), t, Some(off..off + 1), "bad").with_hint("fix");
        assert_eq!(e.to_string(), "d.toml:3:9: key `steps`: bad\n  hint: fix");
    }
}

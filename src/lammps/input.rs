//! Script text: logical lines (with `&` continuation), comments, quoting and word splitting.

use super::error::{ScriptResult, fail};

/// One logical command line and the 1-based line where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptLine {
    /// 1-based line number of the first physical line.
    pub line: usize,
    /// Text with continuations joined (the `&` removed).
    pub text: String,
}

/// Splits a script into logical lines, joining lines whose last printable character is `&`.
pub fn logical_lines(text: &str) -> Vec<ScriptLine> {
    let mut out = Vec::new();
    let mut pending: Option<ScriptLine> = None;
    for (k, raw) in text.lines().enumerate() {
        let trimmed = raw.trim_end();
        let (body, continues) = match trimmed.strip_suffix('&') {
            Some(b) => (b, true),
            None => (trimmed, false),
        };
        match pending.as_mut() {
            Some(p) => p.text.push_str(body),
            None => {
                pending = Some(ScriptLine {
                    line: k + 1,
                    text: body.to_string(),
                })
            }
        }
        if !continues {
            out.extend(pending.take());
        }
    }
    out.extend(pending);
    out
}

/// Removes a `#` comment that is not inside quotes.
pub fn strip_comment(text: &str) -> &str {
    let mut quote: Option<&str> = None;
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        match quote {
            Some(q) if rest.starts_with(q) => {
                i += q.len();
                quote = None;
                continue;
            }
            Some(_) => {}
            None => {
                if rest.starts_with("\"\"\"") {
                    quote = Some("\"\"\"");
                    i += 3;
                    continue;
                } else if rest.starts_with('"') {
                    quote = Some("\"");
                } else if rest.starts_with('\'') {
                    quote = Some("'");
                } else if rest.starts_with('#') {
                    return &text[..i];
                }
            }
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    text
}

/// Splits a command into words; quoted words (`"..."`, `'...'`, `"""..."""`) keep their
/// spaces and lose their quotes.
pub fn split_words(text: &str) -> ScriptResult<Vec<String>> {
    let mut words = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let (word, after) = if let Some(r) = rest.strip_prefix("\"\"\"") {
            let end = r
                .find("\"\"\"")
                .ok_or_else(|| super::error::ScriptError::new("unbalanced triple quotes"))?;
            (r[..end].to_string(), &r[end + 3..])
        } else if let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
            let r = &rest[1..];
            let end = match r.find(q) {
                Some(e) => e,
                None => return fail(format!("unbalanced quotes in `{text}`")),
            };
            (r[..end].to_string(), &r[end + 1..])
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            (rest[..end].to_string(), &rest[end..])
        };
        words.push(word);
        rest = after.trim_start();
    }
    Ok(words)
}

/// A `$` reference found in a line.
#[derive(Debug, Clone, PartialEq)]
pub enum Reference {
    /// `$x` or `${name}`.
    Variable(String),
    /// `$(expr)` or `$(expr:format)`.
    Immediate {
        /// The formula.
        expression: String,
        /// Optional C format.
        format: Option<String>,
    },
}

/// Replaces every `$` reference using `resolve`, except inside single or triple quotes
/// (double quotes do not protect, as in LAMMPS, so `print "T = $t"` works).
pub fn substitute(
    text: &str,
    resolve: &mut dyn FnMut(&Reference) -> ScriptResult<String>,
) -> ScriptResult<String> {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<&str> = None;
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        if let Some(q) = quote {
            if rest.starts_with(q) {
                out.push_str(q);
                i += q.len();
                quote = None;
                continue;
            }
        } else if rest.starts_with("\"\"\"") {
            quote = Some("\"\"\"");
            out.push_str("\"\"\"");
            i += 3;
            continue;
        } else if rest.starts_with('\'') {
            quote = Some("'");
        } else if let Some(after) = rest.strip_prefix('$') {
            let (reference, used) = if let Some(r) = after.strip_prefix('{') {
                let end = r.find('}').ok_or_else(|| {
                    super::error::ScriptError::new(format!(
                        "invalid variable name in `{text}`: missing `}}`"
                    ))
                })?;
                (Reference::Variable(r[..end].to_string()), end + 3)
            } else if let Some(r) = after.strip_prefix('(') {
                let mut depth = 1;
                let mut end = None;
                for (k, c) in r.char_indices() {
                    match c {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                end = Some(k);
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let end = end.ok_or_else(|| {
                    super::error::ScriptError::new(format!(
                        "invalid immediate variable in `{text}`: missing `)`"
                    ))
                })?;
                let inner = &r[..end];
                let (expression, format) = match inner.rfind(':') {
                    Some(c) if inner[c + 1..].starts_with('%') => {
                        (inner[..c].to_string(), Some(inner[c + 1..].to_string()))
                    }
                    _ => (inner.to_string(), None),
                };
                (Reference::Immediate { expression, format }, end + 3)
            } else if let Some(c) = after.chars().next() {
                (Reference::Variable(c.to_string()), 1 + c.len_utf8())
            } else {
                return fail(format!("`$` at the end of `{text}`"));
            };
            out.push_str(&resolve(&reference)?);
            i += used;
            continue;
        }
        let c = rest.chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_and_comments() {
        let l = logical_lines("a b &\n  c # note\nd\n");
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].text, "a b   c # note");
        assert_eq!(l[1].line, 3);
        assert_eq!(strip_comment("print \"a # b\" # c"), "print \"a # b\" ");
    }

    #[test]
    fn words_and_quotes() {
        assert_eq!(
            split_words("print \"hello  world\" 'x y' z").unwrap(),
            ["print", "hello  world", "x y", "z"]
        );
        assert_eq!(
            split_words("print \"\"\"a \"b\" c\"\"\"").unwrap(),
            ["print", "a \"b\" c"]
        );
        assert!(split_words("print \"open").is_err());
    }

    #[test]
    fn substitution_forms() {
        let mut r = |x: &Reference| -> ScriptResult<String> {
            Ok(match x {
                Reference::Variable(n) => format!("<{n}>"),
                Reference::Immediate { expression, format } => format!("[{expression}|{format:?}]"),
            })
        };
        assert_eq!(
            substitute("a $x ${long} $(1+2) $(v_a:%.3f)", &mut r).unwrap(),
            "a <x> <long> [1+2|None] [v_a|Some(\"%.3f\")]"
        );
        assert_eq!(
            substitute("print '$x' \"$y\" $z", &mut r).unwrap(),
            "print '$x' \"<y>\" <z>"
        );
        assert_eq!(
            substitute("print \"\"\"$x\"\"\"", &mut r).unwrap(),
            "print \"\"\"$x\"\"\""
        );
    }
}

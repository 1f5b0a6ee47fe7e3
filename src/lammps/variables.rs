//! The `variable` command's store: index, loop, equal, string and getenv styles.

use std::collections::HashMap;

use super::error::{ScriptResult, fail};

/// One variable.
#[derive(Debug, Clone, PartialEq)]
pub enum Variable {
    /// A list of strings walked with `next` (`index` and `loop` styles).
    List {
        /// The values.
        values: Vec<String>,
        /// The current one.
        position: usize,
    },
    /// A formula evaluated whenever it is used.
    Equal(String),
    /// A fixed string.
    Text(String),
    /// An environment variable read whenever it is used.
    Getenv(String),
}

/// What a variable holds right now, before evaluation.
#[derive(Debug, Clone, PartialEq)]
pub enum VariableValue<'a> {
    /// A plain string.
    Text(String),
    /// A formula to evaluate.
    Formula(&'a str),
}

/// All defined variables.
#[derive(Debug, Clone, Default)]
pub struct Variables {
    vars: HashMap<String, Variable>,
}

impl Variables {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Defines an index variable from the command line (`-var NAME V1 V2 ...`); it takes
    /// precedence over a later `variable NAME index ...` in the script.
    pub fn define_index(&mut self, name: &str, values: Vec<String>) {
        self.vars.insert(
            name.to_string(),
            Variable::List {
                values,
                position: 0,
            },
        );
    }

    /// Runs `variable NAME STYLE ARGS...` (the words after `variable`).
    pub fn command(&mut self, words: &[String]) -> ScriptResult<()> {
        let [name, style, args @ ..] = words else {
            return fail("variable: expected `variable NAME STYLE ARGS`");
        };
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return fail(format!(
                "variable name `{name}` must use only letters, digits and underscores"
            ));
        }
        let exists = self.vars.contains_key(name);
        let need = |n: usize| -> ScriptResult<()> {
            if args.len() < n {
                fail(format!(
                    "variable {name} {style}: expected at least {n} argument(s)"
                ))
            } else {
                Ok(())
            }
        };
        match style.as_str() {
            "delete" => {
                self.vars.remove(name);
            }
            "index" => {
                need(1)?;
                if !exists {
                    self.define_index(name, args.to_vec());
                }
            }
            "loop" => {
                need(1)?;
                let (nums, pad) = match args.last().map(String::as_str) {
                    Some("pad") => (&args[..args.len() - 1], true),
                    _ => (args, false),
                };
                let parse = |w: &String| -> ScriptResult<i64> {
                    w.parse()
                        .or_else(|_| fail(format!("variable {name} loop: `{w}` is not an integer")))
                };
                let (lo, hi) = match nums {
                    [n] => (1, parse(n)?),
                    [a, b] => (parse(a)?, parse(b)?),
                    _ => return fail(format!("variable {name} loop: expected N or N1 N2 [pad]")),
                };
                if hi < lo {
                    return fail(format!("variable {name} loop: {hi} is smaller than {lo}"));
                }
                let width = hi.to_string().len();
                let values = (lo..=hi)
                    .map(|v| {
                        if pad {
                            format!("{v:0width$}")
                        } else {
                            v.to_string()
                        }
                    })
                    .collect();
                if !exists {
                    self.vars.insert(
                        name.clone(),
                        Variable::List {
                            values,
                            position: 0,
                        },
                    );
                }
            }
            "equal" => {
                need(1)?;
                self.vars
                    .insert(name.clone(), Variable::Equal(args.join(" ")));
            }
            "string" => {
                need(1)?;
                self.vars
                    .insert(name.clone(), Variable::Text(args.join(" ")));
            }
            "getenv" => {
                need(1)?;
                self.vars
                    .insert(name.clone(), Variable::Getenv(args[0].clone()));
            }
            other => return Err(super::error::ScriptError::unsupported("variable", other)),
        }
        Ok(())
    }

    /// Advances list variables (`next NAME...`). Returns true if one was exhausted (and so
    /// deleted), which makes the next `jump` be skipped.
    pub fn next(&mut self, names: &[String]) -> ScriptResult<bool> {
        if names.is_empty() {
            return fail("next: expected one or more variable names");
        }
        let mut exhausted = false;
        for n in names {
            match self.vars.get_mut(n) {
                Some(Variable::List { values, position }) => {
                    *position += 1;
                    if *position >= values.len() {
                        exhausted = true;
                    }
                }
                Some(_) => {
                    return fail(format!(
                        "next: variable {n} is not an index or loop variable"
                    ));
                }
                None => return fail(format!("next: variable {n} is not defined")),
            }
        }
        if exhausted {
            for n in names {
                self.vars.remove(n);
            }
        }
        Ok(exhausted)
    }

    /// The current value of `name`, `None` if undefined.
    pub fn value(&self, name: &str) -> Option<VariableValue<'_>> {
        Some(match self.vars.get(name)? {
            Variable::List { values, position } => VariableValue::Text(values[*position].clone()),
            Variable::Equal(f) => VariableValue::Formula(f),
            Variable::Text(s) => VariableValue::Text(s.clone()),
            Variable::Getenv(v) => VariableValue::Text(std::env::var(v).unwrap_or_default()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn index_loop_and_next() {
        let mut v = Variables::new();
        v.command(&w("a index x y")).unwrap();
        v.command(&w("a index z")).unwrap(); // ignored: already defined
        assert_eq!(v.value("a"), Some(VariableValue::Text("x".into())));
        assert!(!v.next(&w("a")).unwrap());
        assert_eq!(v.value("a"), Some(VariableValue::Text("y".into())));
        assert!(v.next(&w("a")).unwrap());
        assert!(v.value("a").is_none());
        v.command(&w("n loop 8 10 pad")).unwrap();
        assert_eq!(v.value("n"), Some(VariableValue::Text("08".into())));
        v.command(&w("f equal 2*v_n")).unwrap();
        assert_eq!(v.value("f"), Some(VariableValue::Formula("2*v_n")));
        assert!(v.command(&w("g atom x")).is_err());
        assert!(v.next(&w("f")).is_err());
    }
}

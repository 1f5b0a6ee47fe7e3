//! Equal-style variable formulas: numbers, operators, math functions, thermo keywords, `v_name`.

use super::error::{ScriptResult, fail};

/// Supplies the values of names that appear in a formula.
pub trait ExpressionContext {
    /// Value of a thermo keyword (`temp`, `pe`, `step`, ...), `None` if `name` is not one.
    fn keyword(&mut self, name: &str) -> Option<ScriptResult<f64>>;
    /// Value of variable `name` (from `v_name`).
    fn variable(&mut self, name: &str) -> ScriptResult<f64>;
}

/// Evaluates a formula with LAMMPS's precedence: `^` (right-assoc), unary `-` `!`,
/// `* / %`, `+ -`, `< <= > >=`, `== !=`, `&&`, `||`.
pub fn evaluate(text: &str, ctx: &mut dyn ExpressionContext) -> ScriptResult<f64> {
    let mut p = Parser {
        s: text.as_bytes(),
        pos: 0,
        text,
        ctx,
    };
    let v = p.or()?;
    p.skip_ws();
    if p.pos != p.s.len() {
        return fail(format!(
            "invalid syntax in formula `{text}` at `{}`",
            &text[p.pos..]
        ));
    }
    Ok(v)
}

struct Parser<'a, 'c> {
    s: &'a [u8],
    pos: usize,
    text: &'a str,
    ctx: &'c mut dyn ExpressionContext,
}

fn truth(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

impl Parser<'_, '_> {
    fn skip_ws(&mut self) {
        while self.pos < self.s.len() && self.s[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn eat(&mut self, tok: &str) -> bool {
        self.skip_ws();
        if self.text[self.pos..].starts_with(tok) {
            // do not split `<=` into `<` `=` etc.
            let next = self.s.get(self.pos + tok.len()).copied();
            if (tok == "<" || tok == ">" || tok == "!") && next == Some(b'=') {
                return false;
            }
            self.pos += tok.len();
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> ScriptResult<f64> {
        let mut v = self.and()?;
        while self.eat("||") {
            let r = self.and()?;
            v = truth(v != 0.0 || r != 0.0);
        }
        Ok(v)
    }

    fn and(&mut self) -> ScriptResult<f64> {
        let mut v = self.equality()?;
        while self.eat("&&") {
            let r = self.equality()?;
            v = truth(v != 0.0 && r != 0.0);
        }
        Ok(v)
    }

    fn equality(&mut self) -> ScriptResult<f64> {
        let mut v = self.comparison()?;
        loop {
            if self.eat("==") {
                v = truth(v == self.comparison()?);
            } else if self.eat("!=") {
                v = truth(v != self.comparison()?);
            } else {
                return Ok(v);
            }
        }
    }

    fn comparison(&mut self) -> ScriptResult<f64> {
        let mut v = self.sum()?;
        loop {
            if self.eat("<=") {
                v = truth(v <= self.sum()?);
            } else if self.eat(">=") {
                v = truth(v >= self.sum()?);
            } else if self.eat("<") {
                v = truth(v < self.sum()?);
            } else if self.eat(">") {
                v = truth(v > self.sum()?);
            } else {
                return Ok(v);
            }
        }
    }

    fn sum(&mut self) -> ScriptResult<f64> {
        let mut v = self.product()?;
        loop {
            if self.eat("+") {
                v += self.product()?;
            } else if self.eat("-") {
                v -= self.product()?;
            } else {
                return Ok(v);
            }
        }
    }

    fn product(&mut self) -> ScriptResult<f64> {
        let mut v = self.unary()?;
        loop {
            if self.eat("*") {
                v *= self.unary()?;
            } else if self.eat("/") {
                let d = self.unary()?;
                if d == 0.0 {
                    return fail(format!("divide by 0 in formula `{}`", self.text));
                }
                v /= d;
            } else if self.eat("%") {
                let d = self.unary()?;
                if d == 0.0 {
                    return fail(format!("modulo 0 in formula `{}`", self.text));
                }
                v %= d;
            } else {
                return Ok(v);
            }
        }
    }

    fn unary(&mut self) -> ScriptResult<f64> {
        if self.eat("-") {
            return Ok(-self.unary()?);
        }
        if self.eat("!") {
            return Ok(truth(self.unary()? == 0.0));
        }
        self.power()
    }

    fn power(&mut self) -> ScriptResult<f64> {
        let base = self.atom()?;
        if self.eat("^") {
            let e = self.unary()?;
            if base == 0.0 && e < 0.0 {
                return fail(format!("invalid power 0^{e} in formula `{}`", self.text));
            }
            return Ok(base.powf(e));
        }
        Ok(base)
    }

    fn atom(&mut self) -> ScriptResult<f64> {
        self.skip_ws();
        if self.eat("(") {
            let v = self.or()?;
            if !self.eat(")") {
                return fail(format!("missing `)` in formula `{}`", self.text));
            }
            return Ok(v);
        }
        let start = self.pos;
        let Some(&c) = self.s.get(self.pos) else {
            return fail(format!("formula `{}` ends unexpectedly", self.text));
        };
        if c.is_ascii_digit() || c == b'.' {
            return self.number(start);
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            while self.pos < self.s.len()
                && (self.s[self.pos].is_ascii_alphanumeric() || self.s[self.pos] == b'_')
            {
                self.pos += 1;
            }
            let name = &self.text[start..self.pos];
            if self.eat("(") {
                let mut args = Vec::new();
                if !self.eat(")") {
                    loop {
                        args.push(self.or()?);
                        if self.eat(")") {
                            break;
                        }
                        if !self.eat(",") {
                            return fail(format!(
                                "expected `,` or `)` in call to {name}() in `{}`",
                                self.text
                            ));
                        }
                    }
                }
                return call(name, &args);
            }
            if let Some(var) = name.strip_prefix("v_") {
                return self.ctx.variable(var);
            }
            if name.starts_with("c_") || name.starts_with("f_") {
                return fail(format!(
                    "{name}: computes and fixes in formulas are not supported by ferromd"
                ));
            }
            if name == "PI" {
                return Ok(std::f64::consts::PI);
            }
            return match self.ctx.keyword(name) {
                Some(v) => v,
                None => fail(format!(
                    "invalid thermo keyword `{name}` in variable formula `{}`",
                    self.text
                )),
            };
        }
        fail(format!(
            "invalid syntax in formula `{}` at `{}`",
            self.text,
            &self.text[start..]
        ))
    }

    fn number(&mut self, start: usize) -> ScriptResult<f64> {
        while self.pos < self.s.len()
            && (self.s[self.pos].is_ascii_digit() || self.s[self.pos] == b'.')
        {
            self.pos += 1;
        }
        if self.pos < self.s.len() && (self.s[self.pos] == b'e' || self.s[self.pos] == b'E') {
            let save = self.pos;
            self.pos += 1;
            if self.pos < self.s.len() && (self.s[self.pos] == b'+' || self.s[self.pos] == b'-') {
                self.pos += 1;
            }
            if self.pos < self.s.len() && self.s[self.pos].is_ascii_digit() {
                while self.pos < self.s.len() && self.s[self.pos].is_ascii_digit() {
                    self.pos += 1;
                }
            } else {
                self.pos = save;
            }
        }
        let t = &self.text[start..self.pos];
        t.parse()
            .or_else(|_| fail(format!("invalid number `{t}` in formula `{}`", self.text)))
    }
}

fn call(name: &str, a: &[f64]) -> ScriptResult<f64> {
    let arity = |n: usize| -> ScriptResult<()> {
        if a.len() == n {
            Ok(())
        } else {
            fail(format!("{name}() takes {n} argument(s), got {}", a.len()))
        }
    };
    let one = |f: fn(f64) -> f64| -> ScriptResult<f64> {
        arity(1)?;
        Ok(f(a[0]))
    };
    match name {
        "sqrt" => {
            arity(1)?;
            if a[0] < 0.0 {
                return fail("sqrt of negative value in variable formula");
            }
            Ok(a[0].sqrt())
        }
        "exp" => one(f64::exp),
        "ln" | "log" => {
            arity(1)?;
            if a[0] <= 0.0 {
                return fail(format!("{name} of non-positive value in variable formula"));
            }
            Ok(if name == "ln" {
                a[0].ln()
            } else {
                a[0].log10()
            })
        }
        "abs" => one(f64::abs),
        "sin" => one(f64::sin),
        "cos" => one(f64::cos),
        "tan" => one(f64::tan),
        "asin" => one(f64::asin),
        "acos" => one(f64::acos),
        "atan" => one(f64::atan),
        "sinh" => one(f64::sinh),
        "cosh" => one(f64::cosh),
        "tanh" => one(f64::tanh),
        "ceil" => one(f64::ceil),
        "floor" => one(f64::floor),
        "round" => one(f64::round),
        "atan2" => {
            arity(2)?;
            Ok(a[0].atan2(a[1]))
        }
        "ternary" => {
            arity(3)?;
            Ok(if a[0] != 0.0 { a[1] } else { a[2] })
        }
        _ => fail(format!(
            "function {name}() in variable formula is not supported by ferromd"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Ctx;
    impl ExpressionContext for Ctx {
        fn keyword(&mut self, name: &str) -> Option<ScriptResult<f64>> {
            (name == "step").then_some(Ok(100.0))
        }
        fn variable(&mut self, name: &str) -> ScriptResult<f64> {
            if name == "a" {
                Ok(2.0)
            } else {
                fail(format!("variable {name} not defined"))
            }
        }
    }

    fn ev(s: &str) -> f64 {
        evaluate(s, &mut Ctx).unwrap()
    }

    #[test]
    fn precedence_and_functions() {
        assert_eq!(ev("1+2*3"), 7.0);
        assert_eq!(ev("-2^2"), -4.0);
        assert_eq!(ev("2^3^2"), 512.0);
        assert_eq!(ev("(1+2)*3"), 9.0);
        assert_eq!(ev("v_a*step/4"), 50.0);
        assert_eq!(ev("sqrt(16)+abs(-1)"), 5.0);
        assert_eq!(ev("1 < 2 && 3 >= 3"), 1.0);
        assert_eq!(ev("1 == 2 || !0"), 1.0);
        assert_eq!(ev("1.5e2"), 150.0);
        assert_eq!(ev("10 % 4"), 2.0);
        assert_eq!(ev("ternary(step>50, 1, 2)"), 1.0);
    }

    #[test]
    fn errors() {
        assert!(evaluate("1/0", &mut Ctx).is_err());
        assert!(evaluate("v_b", &mut Ctx).is_err());
        assert!(evaluate("foo", &mut Ctx).is_err());
        assert!(evaluate("(1+2", &mut Ctx).is_err());
        assert!(evaluate("1 +", &mut Ctx).is_err());
    }
}

//! Reading typed arguments out of a command's words, with errors that name them.

use super::error::{ScriptResult, fail};

/// Word `i`, or an error naming what was expected.
pub fn word<'a>(args: &'a [String], i: usize, what: &str) -> ScriptResult<&'a str> {
    match args.get(i) {
        Some(w) => Ok(w),
        None => fail(format!("missing {what} (expected more arguments)")),
    }
}

/// Word `i` as a finite float.
pub fn float(args: &[String], i: usize, what: &str) -> ScriptResult<f64> {
    let w = word(args, i, what)?;
    match w.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => fail(format!(
            "expected a floating-point number for {what} but found `{w}`"
        )),
    }
}

/// Word `i` as an integer.
pub fn integer(args: &[String], i: usize, what: &str) -> ScriptResult<i64> {
    let w = word(args, i, what)?;
    w.parse::<i64>()
        .or_else(|_| fail(format!("expected an integer for {what} but found `{w}`")))
}

/// Word `i` as `yes`/`no`.
pub fn yes_no(args: &[String], i: usize, what: &str) -> ScriptResult<bool> {
    match word(args, i, what)? {
        "yes" => Ok(true),
        "no" => Ok(false),
        w => fail(format!("expected yes or no for {what} but found `{w}`")),
    }
}

/// A LAMMPS type range (`3`, `*`, `2*`, `*4`, `1*3`) expanded to 1-based types in `1..=n`.
pub fn type_range(w: &str, n: usize) -> ScriptResult<std::ops::RangeInclusive<usize>> {
    let parse = |s: &str, default: usize| -> ScriptResult<usize> {
        if s.is_empty() {
            Ok(default)
        } else {
            s.parse()
                .or_else(|_| fail(format!("invalid type range `{w}`")))
        }
    };
    let (lo, hi) = match w.split_once('*') {
        Some((a, b)) => (parse(a, 1)?, parse(b, n)?),
        None => {
            let t = parse(w, 0)?;
            (t, t)
        }
    };
    if lo < 1 || hi > n || lo > hi {
        return fail(format!("type range `{w}` is outside 1..{n}"));
    }
    Ok(lo..=hi)
}

/// Puts the type words `I J` of a `pair_coeff` line in the order styles read them, as
/// current LAMMPS does: two plain numbers with `J < I` are swapped (the coefficients of a
/// pair are symmetric; LAMMPS 29 Sep 2021, the reference version, still refuses `2 1`);
/// ranges that hold no pair `I <= J` (`2* 1`) are an error in every version.
pub fn order_pair_types(args: &mut [String], n: usize) -> ScriptResult<()> {
    let (ri, rj) = (type_range(&args[0], n)?, type_range(&args[1], n)?);
    let plain = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit());
    if plain(&args[0]) && plain(&args[1]) {
        if rj.start() < ri.start() {
            args.swap(0, 1);
        }
        return Ok(());
    }
    if ri.start() > rj.end() {
        return fail(format!(
            "pair_coeff {} {}: these type ranges hold no pair I <= J (give the lower type first)",
            args[0], args[1]
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_types_are_ordered_or_refused() {
        let mut a: Vec<String> = ["3", "1", "x"].map(String::from).to_vec();
        order_pair_types(&mut a, 3).unwrap();
        assert_eq!(a, ["1", "3", "x"]);
        let mut a: Vec<String> = ["2*", "1"].map(String::from).to_vec();
        let err = order_pair_types(&mut a, 3).unwrap_err().to_string();
        assert!(
            err.contains("pair_coeff 2* 1: these type ranges hold no pair"),
            "{err}"
        );
        let mut a: Vec<String> = ["2", "*"].map(String::from).to_vec();
        order_pair_types(&mut a, 3).unwrap();
        assert_eq!(a, ["2", "*"]);
    }

    #[test]
    fn ranges() {
        assert_eq!(type_range("*", 3).unwrap(), 1..=3);
        assert_eq!(type_range("2*", 3).unwrap(), 2..=3);
        assert_eq!(type_range("*2", 3).unwrap(), 1..=2);
        assert_eq!(type_range("2", 3).unwrap(), 2..=2);
        assert!(type_range("4", 3).is_err());
        assert!(type_range("0", 3).is_err());
        assert!(type_range("x", 3).is_err());
    }
}

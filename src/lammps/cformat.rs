//! A small C `printf` for one value, so `thermo_modify format` and `$(expr:%fmt)` behave as in LAMMPS.

use ferromd_core::thermo::format_g;

/// Formats `value` with a C format string holding exactly one conversion
/// (`%d %i %ld %g %G %f %e %E %s`, with flags `-+ 0#`, width and precision).
/// Text around the conversion is copied. Returns `None` for an invalid format.
pub fn cformat(fmt: &str, value: f64) -> Option<String> {
    let start = fmt.find('%')?;
    let rest = &fmt[start + 1..];
    let mut flags = String::new();
    let mut chars = rest.char_indices().peekable();
    while let Some(&(_, c)) = chars.peek() {
        if "-+ 0#".contains(c) {
            flags.push(c);
            chars.next();
        } else {
            break;
        }
    }
    let mut width = String::new();
    while let Some(&(_, c)) = chars.peek() {
        if c.is_ascii_digit() {
            width.push(c);
            chars.next();
        } else {
            break;
        }
    }
    let mut precision: Option<usize> = None;
    if let Some(&(_, '.')) = chars.peek() {
        chars.next();
        let mut p = String::new();
        while let Some(&(_, c)) = chars.peek() {
            if c.is_ascii_digit() {
                p.push(c);
                chars.next();
            } else {
                break;
            }
        }
        precision = Some(p.parse().unwrap_or(0));
    }
    while let Some(&(_, c)) = chars.peek() {
        if c == 'l' || c == 'h' {
            chars.next();
        } else {
            break;
        }
    }
    let (pos, conv) = chars.next()?;
    let after = &rest[pos + conv.len_utf8()..];
    if after.contains('%') && !after.contains("%%") {
        return None;
    }
    let left = flags.contains('-');
    let zero = flags.contains('0') && !left;
    let plus = flags.contains('+');
    let space = flags.contains(' ');
    let mut body = match conv {
        'd' | 'i' | 'u' => format!("{}", value.round() as i64),
        'f' | 'F' => format!("{:.*}", precision.unwrap_or(6), value),
        'e' | 'E' => {
            let s = format_e(value, precision.unwrap_or(6));
            if conv == 'E' { s.to_uppercase() } else { s }
        }
        'g' | 'G' => {
            let s = format_g(value, precision.unwrap_or(6).max(1));
            if conv == 'G' { s.to_uppercase() } else { s }
        }
        's' => format_g(value, 15),
        _ => return None,
    };
    if !body.starts_with('-') {
        if plus {
            body.insert(0, '+');
        } else if space {
            body.insert(0, ' ');
        }
    }
    let w: usize = width.parse().unwrap_or(0);
    let padded = if body.len() >= w {
        body
    } else if left {
        format!("{body:<w$}")
    } else if zero && value.is_finite() {
        let (sign, digits) = if body.starts_with(['-', '+', ' ']) {
            body.split_at(1)
        } else {
            ("", body.as_str())
        };
        format!("{sign}{}{digits}", "0".repeat(w - body.len()))
    } else {
        format!("{body:>w$}")
    };
    Some(format!(
        "{}{}{}",
        &fmt[..start],
        padded,
        after.replace("%%", "%")
    ))
}

/// C's `%.{p}e`: mantissa, `e`, sign and at least two exponent digits.
fn format_e(value: f64, precision: usize) -> String {
    if !value.is_finite() {
        return format!("{value}");
    }
    let s = format!("{value:.precision$e}");
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
}

#[cfg(test)]
mod tests {
    use super::cformat;

    #[test]
    fn matches_c_printf() {
        assert_eq!(cformat("%8d", 250.0).unwrap(), "     250");
        assert_eq!(cformat("%12.8g", -6.7733681).unwrap(), "  -6.7733681");
        assert_eq!(cformat("%-10.3f|", 1.23456).unwrap(), "1.235     |");
        assert_eq!(cformat("%.3e", 12345.678).unwrap(), "1.235e+04");
        assert_eq!(cformat("%08.2f", -3.5).unwrap(), "-0003.50");
        assert_eq!(cformat("T = %g K", 300.0).unwrap(), "T = 300 K");
        assert!(cformat("%q", 1.0).is_none());
        assert!(cformat("no conversion", 1.0).is_none());
    }
}

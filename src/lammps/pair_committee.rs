//! `pair_style committee`: several complete pair styles evaluated on the same atoms, the
//! atoms moved by their mean (or one member), the spread of their forces and virials
//! written as DeePMD-kit's `model_devi.out`.
//!
//! ```text
//! pair_style committee e3gnn e3gnn out_freq 10 out_file model_devi.out
//! pair_coeff * * e3gnn 1 sevennet0.pt Si
//! pair_coeff * * e3gnn 2 sevennet_l3i5.pt Si
//! ```
//!
//! Members are written as `hybrid/overlay` sub-styles (a style name, then its global
//! arguments); a style used by several members is numbered in `pair_coeff` after its name,
//! as LAMMPS numbers repeated hybrid sub-styles. Every member acts on every type pair. The
//! committee's keywords follow the members: `out_freq N`, `out_file FILE`, `drive mean|K`,
//! `frames FILE` with `threshold X`, `relative L`, `relative_v L` and `atomic`.
//!
//! A member may itself be a sum, written `hybrid/overlay SUB-STYLES... end` (or `hybrid
//! ... end`); its `pair_coeff` lines name the member, then go on as that hybrid's own:
//!
//! ```text
//! pair_style committee hybrid/overlay e3gnn zbl 1.0 2.0 end hybrid/overlay e3gnn zbl 1.0 2.0 end
//! pair_coeff * * hybrid/overlay 1 e3gnn sevennet0.pt Si
//! pair_coeff * * hybrid/overlay 1 zbl 14 14
//! ```

use ferromd_core::Potential;
use ferromd_potentials::{Committee, CommitteeDrive, DeviationScale};

use super::error::{ScriptError, ScriptResult, fail};
use super::pair_hybrid::{HYBRID_STYLES, SubStyle, coeff_target, parse_sub_styles};

/// The style name.
pub const COMMITTEE_STYLE: &str = "committee";

/// DeePMD-kit's default `out_freq`.
const DEFAULT_OUT_FREQ: u64 = 100;
/// DeePMD-kit's default `out_file`.
const DEFAULT_OUT_FILE: &str = "model_devi.out";

/// Everything `pair_style committee` says: the members and the committee's keywords.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitteeSettings {
    /// The members, in order (member `k` is the `k`-th style named, from 1).
    pub members: Vec<SubStyle>,
    /// Which forces move the atoms (`drive`, default the mean).
    pub drive: CommitteeDrive,
    /// Write a model-deviation line every this many steps (0: never).
    pub out_freq: u64,
    /// The model-deviation file.
    pub out_file: String,
    /// Extended XYZ file of the frames whose largest force deviation exceeds `threshold`.
    pub frames: Option<(String, f64)>,
    /// Relative deviations in the model-deviation file and thermo keywords.
    pub scale: DeviationScale,
    /// Append every atom's force deviation to each model-deviation line (`atomic`).
    pub atomic: bool,
}

/// The word that closes the sub-styles of a hybrid member.
pub const MEMBER_END: &str = "end";

/// The committee's own keywords.
const KEYWORDS: &[&str] = &[
    "out_freq",
    "out_file",
    "drive",
    "frames",
    "threshold",
    "relative",
    "relative_v",
    "atomic",
];

/// The value after keyword `args[k]`, or an error naming the keyword.
fn value<'a>(args: &'a [String], k: usize, what: &str) -> ScriptResult<&'a str> {
    match args.get(k + 1) {
        Some(v) if !KEYWORDS.contains(&v.as_str()) => Ok(v),
        _ => fail(format!(
            "pair_style committee: keyword {} needs {what}",
            args[k]
        )),
    }
}

/// A finite non-negative number for keyword `args[k]`.
fn non_negative(args: &[String], k: usize, what: &str) -> ScriptResult<f64> {
    let v = value(args, k, what)?;
    match v.parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
        _ => fail(format!(
            "pair_style committee: {} `{v}` is not {what}",
            args[k]
        )),
    }
}

/// Parses the arguments of `pair_style committee`.
pub fn parse_committee(args: &[String]) -> ScriptResult<CommitteeSettings> {
    let mut member_words = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    let mut drive_word: Option<&str> = None;
    let mut out_freq = DEFAULT_OUT_FREQ;
    let mut out_file = DEFAULT_OUT_FILE.to_string();
    let (mut frames, mut threshold) = (None, None);
    let mut scale = DeviationScale::default();
    let mut atomic = false;
    let mut k = 0;
    while k < args.len() {
        let w = args[k].as_str();
        if !KEYWORDS.contains(&w) {
            if !seen.is_empty() {
                return fail(format!(
                    "pair_style committee: `{w}` after the keywords; members come first, \
                     keywords after them"
                ));
            }
            member_words.push(args[k].clone());
            k += 1;
            continue;
        }
        if seen.contains(&w) {
            return fail(format!("pair_style committee: keyword {w} is given twice"));
        }
        seen.push(w);
        match w {
            "out_freq" => {
                let v = value(args, k, "a number of steps")?;
                out_freq = v.parse().map_err(|_| {
                    ScriptError::new(format!(
                        "pair_style committee: out_freq `{v}` is not a non-negative integer"
                    ))
                })?;
            }
            "out_file" => out_file = value(args, k, "a file name")?.to_string(),
            "drive" => drive_word = Some(value(args, k, "mean or a member number")?),
            "frames" => frames = Some(value(args, k, "a file name")?.to_string()),
            "threshold" => {
                threshold = Some(non_negative(args, k, "a non-negative force deviation")?)
            }
            "relative" => {
                scale.relative_force = Some(non_negative(args, k, "a non-negative level")?)
            }
            "relative_v" => {
                scale.relative_virial = Some(non_negative(args, k, "a non-negative level")?)
            }
            _ => {
                atomic = true;
                k += 1;
                continue;
            }
        }
        k += 2;
    }
    let members = parse_members(&member_words)?;
    if members.len() < 2 {
        return fail(format!(
            "pair_style committee needs at least two members, got {}",
            members.len()
        ));
    }
    let drive = match drive_word {
        None | Some("mean") => CommitteeDrive::Mean,
        Some(v) => match v.parse::<usize>() {
            Ok(m) if (1..=members.len()).contains(&m) => CommitteeDrive::Member(m - 1),
            _ => {
                return fail(format!(
                    "pair_style committee: drive `{v}` must be mean or a member number 1 to {}",
                    members.len()
                ));
            }
        },
    };
    let frames = match (frames, threshold) {
        (Some(f), Some(t)) => Some((f, t)),
        (None, None) => None,
        (Some(_), None) => {
            return fail(
                "pair_style committee: frames needs threshold X (the largest atomic force \
                 deviation above which a frame is written)",
            );
        }
        (None, Some(_)) => {
            return fail("pair_style committee: threshold needs frames FILE");
        }
    };
    if frames.as_ref().is_some_and(|(f, _)| *f == out_file) && out_freq > 0 {
        return fail(format!(
            "pair_style committee: frames and out_file are the same file `{out_file}`"
        ));
    }
    Ok(CommitteeSettings {
        members,
        drive,
        out_freq,
        out_file,
        frames,
        scale,
        atomic,
    })
}

/// Splits the member words of `pair_style committee` into members: runs of plain styles
/// as `hybrid/overlay` sub-styles, and each `hybrid/overlay ... end` (or `hybrid ... end`)
/// as one member whose arguments are its sub-styles, checked as that hybrid checks them.
fn parse_members(words: &[String]) -> ScriptResult<Vec<SubStyle>> {
    let mut members = Vec::new();
    let mut plain: Vec<String> = Vec::new();
    let mut k = 0;
    while k < words.len() {
        let w = &words[k];
        if w == MEMBER_END {
            return fail(format!(
                "pair_style committee: `{MEMBER_END}` closes a hybrid/overlay member, but no \
                 hybrid/overlay member is open"
            ));
        }
        if !HYBRID_STYLES.contains(&w.as_str()) {
            plain.push(w.clone());
            k += 1;
            continue;
        }
        let Some(len) = words[k + 1..].iter().position(|x| x == MEMBER_END) else {
            return fail(format!(
                "pair_style committee: member {w} needs `{MEMBER_END}` after its sub-styles \
                 (`{w} SUB-STYLES... {MEMBER_END}`)"
            ));
        };
        if !plain.is_empty() {
            members.extend(parse_sub_styles(COMMITTEE_STYLE, &plain)?);
            plain.clear();
        }
        let member = SubStyle {
            name: w.clone(),
            args: words[k + 1..k + 1 + len].to_vec(),
        };
        parse_sub_styles(w, &member.args).map_err(|e| member_error(members.len(), &member, e))?;
        members.push(member);
        k += len + 2;
    }
    if !plain.is_empty() || members.is_empty() {
        members.extend(parse_sub_styles(COMMITTEE_STYLE, &plain)?);
    }
    Ok(members)
}

/// Resolves a `pair_coeff I J STYLE [K] ARGS...` line of a committee to the member it
/// sets (0-based) and the line as that member's own (`I J ARGS...`).
pub fn member_coeff(
    settings: &CommitteeSettings,
    c: &[String],
) -> ScriptResult<(usize, Vec<String>)> {
    match coeff_target(COMMITTEE_STYLE, &settings.members, c)? {
        (Some(member), line) => Ok((member, line)),
        (None, _) => fail(format!(
            "pair_coeff {}: every pair of a committee is evaluated by each member; `none` \
             is not a member",
            c.join(" ")
        )),
    }
}

/// Error `e` of member `k` (0-based), prefixed with the member's number and style.
fn member_error(k: usize, member: &SubStyle, e: ScriptError) -> ScriptError {
    ScriptError::new(format!(
        "pair_style committee member {} ({}): {}",
        k + 1,
        member.name,
        e.message
    ))
}

/// The style a committee's `pair_coeff` line finally sets, for checking the line as that
/// style's own: the style's name and global arguments, and the line as it reads it. For a
/// hybrid member that is the sub-style the rest of the line names (`none`: no style).
pub fn coeff_style(
    settings: &CommitteeSettings,
    c: &[String],
) -> ScriptResult<(String, Vec<String>, Vec<String>)> {
    let (k, line) = member_coeff(settings, c)?;
    let member = &settings.members[k];
    if !HYBRID_STYLES.contains(&member.name.as_str()) {
        return Ok((member.name.clone(), member.args.clone(), line));
    }
    let subs = parse_sub_styles(&member.name, &member.args)?;
    let (sub, sub_line) =
        coeff_target(&member.name, &subs, &line).map_err(|e| member_error(k, member, e))?;
    Ok(match sub {
        Some(s) => (subs[s].name.clone(), subs[s].args.clone(), sub_line),
        None => ("none".to_string(), Vec::new(), sub_line),
    })
}

/// Builds the committee from its settings and `pair_coeff` lines; `build` makes one
/// member's potential from its style and its own lines.
pub fn build_committee(
    settings: &CommitteeSettings,
    coeffs: &[Vec<String>],
    build: impl Fn(&SubStyle, &[Vec<String>]) -> ScriptResult<Box<dyn Potential>>,
) -> ScriptResult<Committee> {
    let mut lines: Vec<Vec<Vec<String>>> = vec![Vec::new(); settings.members.len()];
    for c in coeffs {
        let (k, line) = member_coeff(settings, c)?;
        lines[k].push(line);
    }
    let mut members = Vec::with_capacity(settings.members.len());
    for (k, (member, lines)) in settings.members.iter().zip(&lines).enumerate() {
        if lines.is_empty() {
            return fail(format!(
                "all pair coeffs are not set: member {} ({}) of pair_style committee has no \
                 pair_coeff line",
                k + 1,
                member.name
            ));
        }
        let potential = build(member, lines).map_err(|e| member_error(k, member, e))?;
        members.push(potential);
    }
    Committee::new(members, settings.drive)
        .map(|c| c.with_energies_always(settings.frames.is_some()))
        .map_err(|e| ScriptError::new(format!("pair_style committee: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn members_then_keywords() {
        let s = parse_committee(&words(
            "lj/cut 2.5 lj/cut 3.0 morse 2.0 out_freq 5 drive 2 relative 0.5 atomic frames f.xyz threshold 0.2",
        ))
        .unwrap();
        assert_eq!(s.members.len(), 3);
        assert_eq!(s.members[1].args, words("3.0"));
        assert_eq!(s.out_freq, 5);
        assert_eq!(s.out_file, "model_devi.out");
        assert_eq!(s.drive, CommitteeDrive::Member(1));
        assert_eq!(s.scale.relative_force, Some(0.5));
        assert!(s.atomic);
        assert_eq!(s.frames, Some(("f.xyz".to_string(), 0.2)));
        let d = parse_committee(&words("lj/cut 2.5 morse 2.0")).unwrap();
        assert_eq!((d.out_freq, d.drive), (100, CommitteeDrive::Mean));
    }

    #[test]
    fn bad_settings_say_what_is_wrong() {
        let err = |s: &str| parse_committee(&words(s)).unwrap_err().message;
        assert!(err("lj/cut 2.5").contains("at least two members"));
        assert!(err("lj/cut 2.5 lj/cut 2.5 out_freq -1").contains("`-1`"));
        assert!(err("lj/cut 2.5 lj/cut 2.5 out_freq").contains("out_freq needs"));
        assert!(err("lj/cut 2.5 lj/cut 2.5 drive 3").contains("1 to 2"));
        assert!(err("lj/cut 2.5 lj/cut 2.5 frames a.xyz").contains("threshold"));
        assert!(err("lj/cut 2.5 lj/cut 2.5 threshold 0.1").contains("frames FILE"));
        assert!(err("lj/cut 2.5 lj/cut 2.5 relative x").contains("`x`"));
        assert!(err("lj/cut 2.5 lj/cut 2.5 atomic atomic").contains("twice"));
        assert!(err("lj/cut 2.5 out_freq 2 lj/cut 2.5").contains("members come first"));
        assert!(err("lj/cut 2.5 hybrid/overlay lj/cut 2.5").contains("needs `end`"));
        assert!(err("lj/cut 2.5 end").contains("no hybrid/overlay member is open"));
        assert!(err("hybrid lj/cut 2.5 hybrid zbl 1 2 end end").contains("cannot contain hybrid"));
        assert!(err("lj/cut 2.5 hybrid/overlay zbl 1 end").contains("member 2 (hybrid/overlay)"));
        assert!(err("lj/cut 2.5 committee").contains("cannot contain committee"));
        assert!(err("lj/cut 2.5 lj/cut x").contains("`x` is not a number"));
        assert!(err("bogus 1 lj/cut 2.5").contains("bogus"));
    }

    #[test]
    fn hybrid_members_end_with_end() {
        let s = parse_committee(&words(
            "hybrid/overlay lj/cut 2.5 zbl 1 2 end lj/cut 3.0 hybrid/overlay lj/cut 2.5 zbl 1 2 end out_freq 5",
        ))
        .unwrap();
        let names: Vec<&str> = s.members.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["hybrid/overlay", "lj/cut", "hybrid/overlay"]);
        assert_eq!(s.members[0].args, words("lj/cut 2.5 zbl 1 2"));
        assert_eq!(s.members[1].args, words("3.0"));
        assert_eq!(s.out_freq, 5);
        let set = |c: &str| coeff_style(&s, &words(c));
        assert_eq!(
            set("* * hybrid/overlay 2 zbl 18 18").unwrap(),
            ("zbl".into(), words("1 2"), words("* * 18 18"))
        );
        assert_eq!(
            set("1 1 lj/cut 1.0 1.0").unwrap(),
            ("lj/cut".into(), words("3.0"), words("1 1 1.0 1.0"))
        );
        let e = set("* * hybrid/overlay 1 morse 1 1 1").unwrap_err().message;
        assert!(
            e.starts_with("pair_style committee member 1 (hybrid/overlay)"),
            "{e}"
        );
        assert!(e.contains("`morse` is not a sub-style"), "{e}");
    }

    #[test]
    fn coeff_lines_name_their_member() {
        let s = parse_committee(&words("lj/cut 2.5 morse 2.0 lj/cut 3.0")).unwrap();
        let (k, line) = member_coeff(&s, &words("1 1 lj/cut 2 1.0 1.0")).unwrap();
        assert_eq!((k, line), (2, words("1 1 1.0 1.0")));
        let (k, line) = member_coeff(&s, &words("* * morse 1 2 3")).unwrap();
        assert_eq!((k, line), (1, words("* * 1 2 3")));
        let e = member_coeff(&s, &words("1 1 lj/cut 1.0 1.0")).unwrap_err();
        assert!(e.message.contains("1 to 2"), "{}", e.message);
        let e = member_coeff(&s, &words("1 1 zbl 1 2")).unwrap_err();
        assert!(e.message.contains("not a member"), "{}", e.message);
    }
}

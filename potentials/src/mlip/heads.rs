//! Choosing the head (fidelity) of a multi-head model: SevenNet's multi-fidelity `modal`
//! and MACE's multi-head `head`.

use std::path::Path;

use super::MlipError;

/// The index into `available` (the model's head names, in the model's order) of the head
/// `requested`, or of `default` when none is requested.
///
/// A model with no named heads returns `Ok(None)` when nothing is requested and a
/// [`MlipError::NoHeads`] (saying `why_none`) when something is; a model with several heads
/// and no default needs a request ([`MlipError::HeadRequired`]); an unknown name is a
/// [`MlipError::UnknownHead`] listing the valid ones.
pub(crate) fn choose_head(
    path: &Path,
    available: &[String],
    requested: Option<&str>,
    default: Option<usize>,
    why_none: &str,
) -> Result<Option<usize>, MlipError> {
    match requested {
        None if available.is_empty() => Ok(None),
        None => default.map(Some).ok_or_else(|| MlipError::HeadRequired {
            path: path.to_path_buf(),
            available: available.to_vec(),
        }),
        Some(head) if available.is_empty() => Err(MlipError::NoHeads {
            path: path.to_path_buf(),
            head: head.to_owned(),
            reason: why_none.to_owned(),
        }),
        Some(head) => available
            .iter()
            .position(|h| h == head)
            .map(Some)
            .ok_or_else(|| MlipError::UnknownHead {
                path: path.to_path_buf(),
                head: head.to_owned(),
                available: available.to_vec(),
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn heads_are_chosen_by_name_or_default() {
        let p = Path::new("m.pt");
        let two = names(&["R2SCAN", "PBE"]);
        assert_eq!(
            choose_head(p, &two, Some("PBE"), None, "").unwrap(),
            Some(1)
        );
        assert_eq!(choose_head(p, &two, None, Some(0), "").unwrap(), Some(0));
        assert_eq!(choose_head(p, &[], None, None, "").unwrap(), None);
        let e = choose_head(p, &two, None, None, "").unwrap_err();
        assert!(e.to_string().contains("R2SCAN, PBE"), "{e}");
        let e = choose_head(p, &two, Some("pbe"), None, "").unwrap_err();
        assert!(e.to_string().contains("no head `pbe`"), "{e}");
        assert!(e.to_string().contains("R2SCAN, PBE"), "{e}");
        let e = choose_head(p, &[], Some("PBE"), None, "it has one head").unwrap_err();
        assert!(e.to_string().contains("it has one head"), "{e}");
    }
}

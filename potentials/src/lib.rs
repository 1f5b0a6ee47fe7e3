//! # ferromd-potentials
//!
//! Interatomic potentials for ferromd, each an implementation of
//! [`ferromd_core::Potential`].
//!
//! Pair potentials are built from small pieces: a bare [`pair::PairInteraction`]
//! (a function of the squared distance for one type pair), optional wrappers
//! such as [`pair::Shifted`], and the generic [`pair::PairPotential`] that owns
//! the per-type-pair table and the neighbor loop.
//!
//! Machine-learned potentials exported as TorchScript live in [`mlip`]; running them
//! needs the cargo feature `torch` (libtorch through `tch`).

pub mod committee;
pub mod eam;
pub mod files;
pub mod manybody;
pub mod mlip;
pub mod model_deviation;
pub mod overlay;
pub mod pair;

pub use committee::{
    Committee, CommitteeDrive, CommitteeError, CommitteeRecord, ForceDeviation, MemberResults,
};
pub use eam::{Eam, EamError, EamStyle};
pub use files::{NULL_ELEMENT, PotentialFileError, find_potential_file};
pub use manybody::{ManybodyError, StillingerWeber, Tersoff, TersoffMod};
pub use mlip::{MlipError, MlipOptions, load_model};
pub use model_deviation::{DeviationScale, ModelDeviation};
pub use overlay::{Overlay, TypePairs};
pub use pair::coulomb::CoulombCut;
pub use pair::lj::{LennardJones, LjCut, LjCutBuilder};
pub use pair::styles::{Born, Buckingham, Morse, Soft, Yukawa};
pub use pair::table::{TablePotential, TableSection, TableStyle, Tabulated};
pub use pair::zbl::{Zbl, zbl_potential};
pub use pair::{
    CoefficientTable, Mixing, PairError, PairInteraction, PairPotential, Shifted, ShiftedForce,
    TailCorrected,
};

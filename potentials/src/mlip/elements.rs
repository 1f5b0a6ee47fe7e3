//! Element symbols by atomic number, to name the species of models that store atomic
//! numbers (MACE's `atomic_numbers` buffer).

/// Symbols of elements 1 (H) to 118 (Og); index `Z − 1`.
const SYMBOLS: [&str; 118] = [
    "H", "He", "Li", "Be", "B", "C", "N", "O", "F", "Ne", "Na", "Mg", "Al", "Si", "P", "S", "Cl",
    "Ar", "K", "Ca", "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn", "Ga", "Ge", "As",
    "Se", "Br", "Kr", "Rb", "Sr", "Y", "Zr", "Nb", "Mo", "Tc", "Ru", "Rh", "Pd", "Ag", "Cd", "In",
    "Sn", "Sb", "Te", "I", "Xe", "Cs", "Ba", "La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb",
    "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Hf", "Ta", "W", "Re", "Os", "Ir", "Pt", "Au", "Hg", "Tl",
    "Pb", "Bi", "Po", "At", "Rn", "Fr", "Ra", "Ac", "Th", "Pa", "U", "Np", "Pu", "Am", "Cm", "Bk",
    "Cf", "Es", "Fm", "Md", "No", "Lr", "Rf", "Db", "Sg", "Bh", "Hs", "Mt", "Ds", "Rg", "Cn", "Nh",
    "Fl", "Mc", "Lv", "Ts", "Og",
];

/// The symbol of the element with atomic number `z`, if `1 <= z <= 118`.
pub fn symbol(z: i64) -> Option<&'static str> {
    usize::try_from(z)
        .ok()
        .and_then(|z| z.checked_sub(1))
        .and_then(|k| SYMBOLS.get(k).copied())
}

#[cfg(test)]
mod tests {
    use super::symbol;

    #[test]
    fn symbols_by_atomic_number() {
        assert_eq!(symbol(1), Some("H"));
        assert_eq!(symbol(8), Some("O"));
        assert_eq!(symbol(14), Some("Si"));
        assert_eq!(symbol(26), Some("Fe"));
        assert_eq!(symbol(79), Some("Au"));
        assert_eq!(symbol(118), Some("Og"));
        assert_eq!(symbol(0), None);
        assert_eq!(symbol(119), None);
    }
}

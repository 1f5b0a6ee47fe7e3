//! LAMMPS's `lattice` and `region` semantics, and `create_atoms` on a lattice.

use ferromd_core::nalgebra::{Matrix3, Vector3};

use super::error::{ScriptResult, fail};
use super::words::{float, word};

/// A LAMMPS lattice: unit cell, basis, scale, orientation, origin and spacings.
#[derive(Debug, Clone, PartialEq)]
pub struct LammpsLattice {
    /// Style name (`fcc`, `none`, ...).
    pub style: String,
    /// Cell vectors a1, a2, a3 as columns (LAMMPS's `primitive`).
    pub primitive: Matrix3<f64>,
    /// Basis atoms in fractional coordinates.
    pub basis: Vec<Vector3<f64>>,
    /// Length scale applied to lattice coordinates.
    pub scale: f64,
    /// Rows: normalised orient x, y, z vectors.
    pub rotation: Matrix3<f64>,
    /// Origin shift in lattice spacings.
    pub origin: Vector3<f64>,
    /// Lattice spacings along x, y, z (`xlattice`, ...).
    pub spacing: Vector3<f64>,
}

impl LammpsLattice {
    /// The `none` lattice of a fresh LAMMPS session (spacing 1).
    pub fn none() -> Self {
        Self::none_with(1.0)
    }

    fn none_with(scale: f64) -> Self {
        LammpsLattice {
            style: "none".into(),
            primitive: Matrix3::identity(),
            basis: Vec::new(),
            scale,
            rotation: Matrix3::identity(),
            origin: Vector3::zeros(),
            spacing: Vector3::repeat(scale),
        }
    }

    /// Parses `lattice STYLE SCALE [keywords]` (words after `lattice`).
    pub fn parse(args: &[String], reduced_density: bool, dimension: usize) -> ScriptResult<Self> {
        let style = word(args, 0, "lattice style")?;
        let scale_in = float(args, 1, "lattice scale")?;
        if scale_in <= 0.0 {
            return fail(format!("lattice scale {scale_in} must be positive"));
        }
        if style == "none" {
            return Ok(Self::none_with(scale_in));
        }
        let s3 = 3f64.sqrt();
        let (a1, a2, a3, basis): ([f64; 3], [f64; 3], [f64; 3], Vec<[f64; 3]>) = match style {
            "sc" => ([1., 0., 0.], [0., 1., 0.], [0., 0., 1.], vec![[0., 0., 0.]]),
            "bcc" => (
                [1., 0., 0.],
                [0., 1., 0.],
                [0., 0., 1.],
                vec![[0., 0., 0.], [0.5, 0.5, 0.5]],
            ),
            "fcc" => (
                [1., 0., 0.],
                [0., 1., 0.],
                [0., 0., 1.],
                vec![[0., 0., 0.], [0.5, 0.5, 0.], [0.5, 0., 0.5], [0., 0.5, 0.5]],
            ),
            "hcp" => (
                [1., 0., 0.],
                [0., s3, 0.],
                [0., 0., (8.0f64 / 3.0).sqrt()],
                vec![
                    [0., 0., 0.],
                    [0.5, 0.5, 0.],
                    [0.5, 5.0 / 6.0, 0.5],
                    [0., 1.0 / 3.0, 0.5],
                ],
            ),
            "diamond" => (
                [1., 0., 0.],
                [0., 1., 0.],
                [0., 0., 1.],
                vec![
                    [0., 0., 0.],
                    [0., 0.5, 0.5],
                    [0.5, 0., 0.5],
                    [0.5, 0.5, 0.],
                    [0.25, 0.25, 0.25],
                    [0.25, 0.75, 0.75],
                    [0.75, 0.25, 0.75],
                    [0.75, 0.75, 0.25],
                ],
            ),
            "sq" => ([1., 0., 0.], [0., 1., 0.], [0., 0., 1.], vec![[0., 0., 0.]]),
            "sq2" => (
                [1., 0., 0.],
                [0., 1., 0.],
                [0., 0., 1.],
                vec![[0., 0., 0.], [0.5, 0.5, 0.]],
            ),
            "hex" => (
                [1., 0., 0.],
                [0., s3, 0.],
                [0., 0., 1.],
                vec![[0., 0., 0.], [0.5, 0.5, 0.]],
            ),
            "custom" => ([1., 0., 0.], [0., 1., 0.], [0., 0., 1.], vec![]),
            other => return Err(super::error::ScriptError::unsupported("lattice", other)),
        };
        if dimension == 2 && matches!(style, "sc" | "bcc" | "fcc" | "hcp" | "diamond") {
            return fail(format!(
                "lattice style {style} is 3-d; use sq, sq2, hex or custom in 2-d"
            ));
        }
        if dimension == 3 && matches!(style, "sq" | "sq2" | "hex") {
            return fail(format!(
                "lattice style {style} is 2-d; use it with dimension 2"
            ));
        }
        let mut a = [a1, a2, a3];
        let mut basis: Vec<Vector3<f64>> = basis.into_iter().map(Vector3::from).collect();
        let mut orient = [[1., 0., 0.], [0., 1., 0.], [0., 0., 1.]];
        let mut origin = Vector3::zeros();
        let mut spacing: Option<Vector3<f64>> = None;
        let mut k = 2;
        while k < args.len() {
            let key = args[k].as_str();
            let vec3 = |at: usize| -> ScriptResult<[f64; 3]> {
                Ok([
                    float(args, at, key)?,
                    float(args, at + 1, key)?,
                    float(args, at + 2, key)?,
                ])
            };
            match key {
                "origin" => {
                    origin = Vector3::from(vec3(k + 1)?);
                    if origin.iter().any(|v| !(0.0..1.0).contains(v)) {
                        return fail("lattice origin values must be in [0, 1)");
                    }
                    k += 4;
                }
                "orient" => {
                    let axis = match word(args, k + 1, "orient axis")? {
                        "x" => 0,
                        "y" => 1,
                        "z" => 2,
                        other => {
                            return fail(format!(
                                "lattice orient: axis `{other}` must be x, y or z"
                            ));
                        }
                    };
                    orient[axis] = vec3(k + 2)?;
                    k += 5;
                }
                "spacing" => {
                    spacing = Some(Vector3::from(vec3(k + 1)?));
                    k += 4;
                }
                "a1" | "a2" | "a3" => {
                    if style != "custom" {
                        return fail(format!("lattice {key} is only allowed for style custom"));
                    }
                    a[(key.as_bytes()[1] - b'1') as usize] = vec3(k + 1)?;
                    k += 4;
                }
                "basis" => {
                    if style != "custom" {
                        return fail("lattice basis is only allowed for style custom");
                    }
                    let b = vec3(k + 1)?;
                    if b.iter().any(|v| !(0.0..1.0).contains(v)) {
                        return fail("lattice basis coordinates must be in [0, 1)");
                    }
                    basis.push(Vector3::from(b));
                    k += 4;
                }
                "triclinic/general" => {
                    return Err(super::error::ScriptError::unsupported("lattice", key));
                }
                other => return Err(super::error::ScriptError::unsupported("lattice", other)),
            }
        }
        if basis.is_empty() {
            return fail("lattice custom needs at least one basis atom");
        }
        // orient vectors must be integer, mutually orthogonal and right-handed
        let o: Vec<Vector3<f64>> = orient.iter().map(|r| Vector3::from(*r)).collect();
        if o[0].dot(&o[1]) != 0.0 || o[1].dot(&o[2]) != 0.0 || o[0].dot(&o[2]) != 0.0 {
            return fail("lattice orient vectors are not orthogonal");
        }
        if o[0].cross(&o[1]).dot(&o[2]) <= 0.0 {
            return fail("lattice orient vectors are not right-handed");
        }
        let primitive = Matrix3::from_columns(&a.map(Vector3::from));
        let rotation = Matrix3::from_rows(&[
            (o[0] / o[0].norm()).transpose(),
            (o[1] / o[1].norm()).transpose(),
            (o[2] / o[2].norm()).transpose(),
        ]);
        let scale = if reduced_density {
            let volume = if dimension == 2 {
                a[0][0] * a[1][1] - a[0][1] * a[1][0]
            } else {
                primitive.determinant()
            };
            (basis.len() as f64 / volume / scale_in).powf(1.0 / dimension as f64)
        } else {
            scale_in
        };
        let mut lat = LammpsLattice {
            style: style.to_string(),
            primitive,
            basis,
            scale,
            rotation,
            origin,
            spacing: Vector3::zeros(),
        };
        lat.spacing = match spacing {
            Some(s) => s * scale,
            None => lat.unit_cell_extent(),
        };
        Ok(lat)
    }

    /// Lattice coordinates to box coordinates (LAMMPS `lattice2box`).
    pub fn to_box(&self, x: Vector3<f64>) -> Vector3<f64> {
        let p = &self.primitive;
        let mut v = Vector3::new(
            p[(0, 0)] * x.x + p[(0, 1)] * x.y + p[(0, 2)] * x.z,
            p[(1, 0)] * x.x + p[(1, 1)] * x.y + p[(1, 2)] * x.z,
            p[(2, 0)] * x.x + p[(2, 1)] * x.y + p[(2, 2)] * x.z,
        );
        v *= self.scale;
        let r = &self.rotation;
        Vector3::new(
            r[(0, 0)] * v.x + r[(0, 1)] * v.y + r[(0, 2)] * v.z + self.spacing.x * self.origin.x,
            r[(1, 0)] * v.x + r[(1, 1)] * v.y + r[(1, 2)] * v.z + self.spacing.y * self.origin.y,
            r[(2, 0)] * v.x + r[(2, 1)] * v.y + r[(2, 2)] * v.z + self.spacing.z * self.origin.z,
        )
    }

    /// Box coordinates to lattice coordinates (inverse of [`LammpsLattice::to_box`]).
    pub fn to_lattice(&self, x: Vector3<f64>) -> Vector3<f64> {
        let shifted = x - self.spacing.component_mul(&self.origin);
        let unrotated = self.rotation.transpose() * shifted / self.scale;
        self.primitive
            .try_inverse()
            .unwrap_or_else(Matrix3::identity)
            * unrotated
    }

    /// Extent of the transformed unit cell: the default lattice spacings.
    fn unit_cell_extent(&self) -> Vector3<f64> {
        let mut lo = Vector3::repeat(f64::INFINITY);
        let mut hi = Vector3::repeat(f64::NEG_INFINITY);
        let saved = self.origin;
        let mut tmp = self.clone();
        tmp.origin = Vector3::zeros();
        for c in 0..8 {
            let corner = Vector3::new((c & 1) as f64, ((c >> 1) & 1) as f64, ((c >> 2) & 1) as f64);
            let x = tmp.to_box(corner);
            lo = lo.inf(&x);
            hi = hi.sup(&x);
        }
        let _ = saved;
        hi - lo
    }
}

/// A geometric region (`region ID block|prism ...`).
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    /// Lower bounds.
    pub lo: Vector3<f64>,
    /// Upper bounds.
    pub hi: Vector3<f64>,
    /// Tilts `[xy, xz, yz]` (zero for blocks).
    pub tilt: [f64; 3],
    /// True for `prism`.
    pub prism: bool,
    /// `side out`: the region is everything outside the shape.
    pub outside: bool,
}

impl Region {
    /// Parses the words after `region ID` given the current lattice and box bounds
    /// (for `EDGE`).
    pub fn parse(
        args: &[String],
        lattice: &LammpsLattice,
        box_bounds: Option<(Vector3<f64>, Vector3<f64>)>,
    ) -> ScriptResult<Self> {
        let style = word(args, 0, "region style")?;
        let n_bounds = match style {
            "block" => 6,
            "prism" => 9,
            other => return Err(super::error::ScriptError::unsupported("region", other)),
        };
        let mut lattice_units = true;
        let mut outside = false;
        let mut k = 1 + n_bounds;
        if args.len() < k {
            return fail(format!(
                "region {style} needs {n_bounds} numbers, got {}",
                args.len() - 1
            ));
        }
        while k < args.len() {
            match args[k].as_str() {
                "units" => {
                    lattice_units = match word(args, k + 1, "region units")? {
                        "lattice" => true,
                        "box" => false,
                        other => {
                            return fail(format!("region units `{other}` must be lattice or box"));
                        }
                    };
                    k += 2;
                }
                "side" => {
                    outside = match word(args, k + 1, "region side")? {
                        "in" => false,
                        "out" => true,
                        other => return fail(format!("region side `{other}` must be in or out")),
                    };
                    k += 2;
                }
                "open" | "move" | "rotate" => {
                    return Err(super::error::ScriptError::unsupported("region", &args[k]));
                }
                other => return fail(format!("region: unknown keyword `{other}`")),
            }
        }
        let scale = if lattice_units {
            if lattice.style == "none" && lattice.scale == 1.0 && lattice.basis.is_empty() {
                // LAMMPS's default lattice is "none 1.0": lattice units equal box units
            }
            lattice.spacing
        } else {
            Vector3::repeat(1.0)
        };
        let bound = |i: usize, axis: usize, upper: bool| -> ScriptResult<f64> {
            let w = word(args, 1 + i, "region bound")?;
            match w {
                "INF" | "EDGE" => {
                    if w == "EDGE" {
                        let Some((lo, hi)) = box_bounds else {
                            return fail("region EDGE needs a simulation box to exist");
                        };
                        return Ok(if upper { hi[axis] } else { lo[axis] });
                    }
                    Ok(if upper { 1e20 } else { -1e20 })
                }
                _ => Ok(float(args, 1 + i, "region bound")? * scale[axis]),
            }
        };
        let lo = Vector3::new(
            bound(0, 0, false)?,
            bound(2, 1, false)?,
            bound(4, 2, false)?,
        );
        let hi = Vector3::new(bound(1, 0, true)?, bound(3, 1, true)?, bound(5, 2, true)?);
        for a in 0..3 {
            if lo[a] > hi[a] {
                return fail(format!(
                    "region {style}: lower bound {} exceeds upper bound {} along {}",
                    lo[a],
                    hi[a],
                    ["x", "y", "z"][a]
                ));
            }
        }
        let tilt = if style == "prism" {
            [
                float(args, 7, "xy")? * scale.x,
                float(args, 8, "xz")? * scale.x,
                float(args, 9, "yz")? * scale.y,
            ]
        } else {
            [0.0; 3]
        };
        Ok(Region {
            lo,
            hi,
            tilt,
            prism: style == "prism",
            outside,
        })
    }

    /// Whether `x` lies in the region (boundaries included, as LAMMPS).
    pub fn contains(&self, x: &Vector3<f64>) -> bool {
        let inside = if self.prism {
            let [xy, xz, yz] = self.tilt;
            let h = Matrix3::new(
                self.hi.x - self.lo.x,
                xy,
                xz,
                0.0,
                self.hi.y - self.lo.y,
                yz,
                0.0,
                0.0,
                self.hi.z - self.lo.z,
            );
            match h.try_inverse() {
                Some(inv) => {
                    let s = inv * (x - self.lo);
                    s.iter().all(|v| (0.0..=1.0).contains(v))
                }
                None => false,
            }
        } else {
            (0..3).all(|k| x[k] >= self.lo[k] && x[k] <= self.hi[k])
        };
        inside != self.outside
    }
}

/// Maps `x` back into a periodic box exactly as LAMMPS's `Domain::remap` does after
/// `displace_atoms` (adding or subtracting box lengths for orthogonal boxes, going
/// through LAMMPS's own `x2lamda`/`lamda2x` for triclinic ones, then once more for the
/// migration LAMMPS performs), so later position-seeded random streams see LAMMPS's bits.
pub fn lammps_remap_and_migrate(
    cell: &ferromd_core::cell::Cell,
    x: &mut Vector3<f64>,
    image: &mut [i32; 3],
) {
    remap_inner(cell, x, image, true);
}

fn remap_inner(
    cell: &ferromd_core::cell::Cell,
    x: &mut Vector3<f64>,
    image: &mut [i32; 3],
    migrate: bool,
) {
    let Some((lo, hi, tilt)) = cell.lammps_bounds() else {
        *x = cell.wrap(x, image);
        return;
    };
    let periodic = cell.periodic();
    let triclinic = tilt != [0.0; 3];
    let prd = hi - lo;
    // LAMMPS's h = (xprd, yprd, zprd, yz, xz, xy) and its inverse
    let h = [prd.x, prd.y, prd.z, tilt[2], tilt[1], tilt[0]];
    let h_inv = [
        1.0 / h[0],
        1.0 / h[1],
        1.0 / h[2],
        -h[3] / (h[1] * h[2]),
        (h[3] * h[5] - h[1] * h[4]) / (h[0] * h[1] * h[2]),
        -h[5] / (h[0] * h[1]),
    ];
    let mut c = if triclinic {
        let d = *x - lo;
        Vector3::new(
            h_inv[0] * d.x + h_inv[5] * d.y + h_inv[4] * d.z,
            h_inv[1] * d.y + h_inv[3] * d.z,
            h_inv[2] * d.z,
        )
    } else {
        *x
    };
    let (clo, chi, period) = if triclinic {
        (Vector3::zeros(), Vector3::repeat(1.0), Vector3::repeat(1.0))
    } else {
        (lo, hi, prd)
    };
    for a in 0..3 {
        if !periodic[a] {
            continue;
        }
        while c[a] < clo[a] {
            c[a] += period[a];
            image[a] -= 1;
        }
        while c[a] >= chi[a] {
            c[a] -= period[a];
            image[a] += 1;
        }
        c[a] = c[a].max(clo[a]);
    }
    let to_x = |c: Vector3<f64>| {
        Vector3::new(
            h[0] * c.x + h[5] * c.y + h[4] * c.z + lo.x,
            h[1] * c.y + h[3] * c.z + lo.y,
            h[2] * c.z + lo.z,
        )
    };
    let to_lamda = |x: Vector3<f64>| {
        let d = x - lo;
        Vector3::new(
            h_inv[0] * d.x + h_inv[5] * d.y + h_inv[4] * d.z,
            h_inv[1] * d.y + h_inv[3] * d.z,
            h_inv[2] * d.z,
        )
    };
    *x = if triclinic { to_x(c) } else { c };
    if triclinic && migrate {
        *x = to_x(to_lamda(*x));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn fcc_reduced_density_spacing() {
        let l = LammpsLattice::parse(&w("fcc 0.8442"), true, 3).unwrap();
        assert_eq!(l.scale, (4.0f64 / 0.8442).powf(1.0 / 3.0));
        assert_eq!(l.spacing, Vector3::repeat(l.scale));
        let x = l.to_box(Vector3::new(1.5, 2.0, 0.5));
        assert!((l.to_lattice(x) - Vector3::new(1.5, 2.0, 0.5)).norm() < 1e-12);
    }

    #[test]
    fn orient_changes_spacing() {
        let l = LammpsLattice::parse(
            &w("fcc 3.6 orient x 1 1 0 orient y -1 1 0 orient z 0 0 1"),
            false,
            3,
        )
        .unwrap();
        assert!((l.spacing.x - 3.6 * 2f64.sqrt()).abs() < 1e-12);
        assert!(LammpsLattice::parse(&w("fcc 3.6 orient x 1 1 0"), false, 3).is_err());
    }

    #[test]
    fn regions() {
        let l = LammpsLattice::parse(&w("sc 2.0"), false, 3).unwrap();
        let r = Region::parse(&w("block 0 2 0 2 0 2"), &l, None).unwrap();
        assert_eq!(r.hi, Vector3::repeat(4.0));
        assert!(r.contains(&Vector3::new(4.0, 0.0, 1.0)));
        let r = Region::parse(&w("block 0 2 0 2 0 2 units box side out"), &l, None).unwrap();
        assert!(!r.contains(&Vector3::new(1.0, 1.0, 1.0)));
        assert!(Region::parse(&w("block 0 2 0 2 0"), &l, None).is_err());
        assert!(Region::parse(&w("sphere 0 0 0 1"), &l, None).is_err());
    }
}

// Lennard-Jones 12-6 in LAMMPS's coefficient form: c0 = (lj1, lj2, lj3, lj4).

fn pair_eval(rsq: f32, c0: vec4<f32>, c1: vec4<f32>) -> vec2<f32> {
    let r2inv = 1.0 / rsq;
    let r6inv = r2inv * r2inv * r2inv;
    let forcelj = r6inv * (c0.x * r6inv - c0.y);
    return vec2<f32>(r6inv * (c0.z * r6inv - c0.w), forcelj * r2inv);
}

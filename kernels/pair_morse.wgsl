// Morse: E = D0 [exp(-2 a (r - r0)) - 2 exp(-a (r - r0))]; c0 = (D0, alpha, r0, 2 D0 alpha).

fn pair_eval(rsq: f32, c0: vec4<f32>, c1: vec4<f32>) -> vec2<f32> {
    let r = sqrt(rsq);
    let dexp = exp(-c0.y * (r - c0.z));
    let fpair = c0.w * (dexp * dexp - dexp) / r;
    return vec2<f32>(c0.x * (dexp * dexp - 2.0 * dexp), fpair);
}

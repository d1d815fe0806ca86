//! The sentence encoder of the semantic stage (issue 18): multilingual-e5-small, with its
//! vocabulary cut to German help texts and its weights in 4 bits (`scripts/encoder/export.py`).
//! The build encodes articles, the browser encodes queries, with this same code; the cosine of
//! two vectors (their dot product) says how close their meanings are.
//!
//! The forward pass follows `scripts/encoder/reference.py` (steps 7 to 10): a post-LayerNorm
//! BERT encoder, mean pooling over every token, L2 normalisation.

mod matmul;
mod tokenizer;
mod weights;

pub use tokenizer::Tokenizer;
pub use weights::Header;

use matmul::Linear;
use weights::{Q4Rows, Tensor};

/// Whether the layers' weights stay 4-bit in memory (12 MB, dequantized a tile at a time, see
/// `matmul`) instead of becoming 85 MB of floats on load: as fast natively and in wasm, and what
/// makes the browser's encoder fit an iPad comfortably (46 MB of wasm memory instead of 131 MB).
const LAYERS_IN_4_BITS: bool = true;

/// What a text is: e5 encodes questions and the passages that answer them with a prefix each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Query,
    Passage,
}

impl Mode {
    fn prefix(self) -> &'static str {
        match self {
            Mode::Query => "query: ",
            Mode::Passage => "passage: ",
        }
    }
}

struct Layer {
    q: Linear,
    k: Linear,
    v: Linear,
    attention_out: Linear,
    attention_norm: Norm,
    ffn_in: Linear,
    ffn_out: Linear,
    output_norm: Norm,
}

struct Norm {
    weight: Vec<f32>,
    bias: Vec<f32>,
}

pub struct Encoder {
    header: Header,
    tokenizer: Tokenizer,
    /// Word embeddings, `[vocab, hidden]`, 4-bit as in the file: 7.8 MB instead of 55 MB as
    /// floats, and a text looks up a few dozen rows.
    words: Q4Rows,
    /// Position embeddings with the token-type embedding folded in, `[max_positions, hidden]`.
    positions: Vec<f32>,
    embedding_norm: Norm,
    layers: Vec<Layer>,
}

impl Encoder {
    /// Loads an LTE5 weights file; `Err` says what is wrong with it.
    pub fn from_bytes(bytes: &[u8]) -> Result<Encoder, String> {
        let (header, mut tensors) = weights::read(bytes)?;
        let tokenizer = Tokenizer::new(&header, &tensors)?;
        let mut tensor = |name: String| tensors.remove(&name).ok_or(format!("the weights have no tensor {name}"));
        let words = match tensor("emb.word".into())? {
            Tensor::Q4(words) if words.rows == header.vocab && words.cols == header.hidden => words,
            _ => return Err("emb.word is not 4-bit rows of the header's vocabulary".into()),
        };
        let mut take = |name: String| match tensor(name.clone())?.dequantized() {
            Tensor::F32 { data, .. } => Ok(data),
            _ => Err(format!("the weights have no float tensor {name}")),
        };
        let positions = take("emb.pos".into())?;
        let embedding_norm = Norm { weight: take("emb.ln.w".into())?, bias: take("emb.ln.b".into())? };
        let mut layers = Vec::with_capacity(header.layers);
        for l in 0..header.layers {
            let mut linear = |name: &str| -> Result<Linear, String> {
                let (weight, bias) = (tensor(format!("l{l}.{name}.w"))?, tensor(format!("l{l}.{name}.b"))?);
                Linear::new(weight, bias, LAYERS_IN_4_BITS).map_err(|e| format!("l{l}.{name}: {e}"))
            };
            let q = linear("q")?;
            let k = linear("k")?;
            let v = linear("v")?;
            let attention_out = linear("ao")?;
            let ffn_in = linear("fi")?;
            let ffn_out = linear("fo")?;
            let mut take = |name: String| match tensor(name.clone())? {
                Tensor::F32 { data, .. } => Ok(data),
                _ => Err(format!("the weights have no float tensor {name}")),
            };
            let attention_norm = Norm { weight: take(format!("l{l}.aln.w"))?, bias: take(format!("l{l}.aln.b"))? };
            let output_norm = Norm { weight: take(format!("l{l}.oln.w"))?, bias: take(format!("l{l}.oln.b"))? };
            layers.push(Layer { q, k, v, attention_out, attention_norm, ffn_in, ffn_out, output_norm });
        }
        if positions.len() != header.max_positions * header.hidden {
            return Err("emb.pos does not match the header's positions".into());
        }
        Ok(Encoder { header, tokenizer, words, positions, embedding_norm, layers })
    }

    /// The bytes the loaded model holds in its tensors (the tokenizer's tables not counted).
    pub fn memory(&self) -> usize {
        let norms = |n: &Norm| 4 * (n.weight.len() + n.bias.len());
        self.words.memory()
            + 4 * self.positions.len()
            + norms(&self.embedding_norm)
            + self
                .layers
                .iter()
                .map(|l| {
                    [&l.q, &l.k, &l.v, &l.attention_out, &l.ffn_in, &l.ffn_out]
                        .iter()
                        .map(|x| x.memory())
                        .sum::<usize>()
                        + norms(&l.attention_norm)
                        + norms(&l.output_norm)
                })
                .sum::<usize>()
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The token ids of `text` as `mode` (prefix included, without `<s>` and `</s>`).
    pub fn ids(&self, text: &str, mode: Mode) -> Vec<u32> {
        self.tokenizer.content_ids(&format!("{}{text}", mode.prefix()))
    }

    /// The L2-normalised sentence vector of `text` (384 floats for e5-small).
    pub fn encode(&self, text: &str, mode: Mode) -> Vec<f32> {
        self.encode_ids(&self.ids(text, mode))
    }

    /// The vector of given token ids: windows of at most `max_positions - 2` ids, averaged by
    /// their number of ids.
    pub fn encode_ids(&self, ids: &[u32]) -> Vec<f32> {
        let window = self.header.max_positions - 2;
        let mut sum = vec![0f32; self.header.hidden];
        let mut weight = 0f32;
        let windows: Vec<&[u32]> = if ids.is_empty() { vec![&[]] } else { ids.chunks(window).collect() };
        for w in windows {
            let share = w.len().max(1) as f32;
            for (s, x) in sum.iter_mut().zip(self.forward(w)) {
                *s += share * x;
            }
            weight += share;
        }
        let mean: Vec<f32> = sum.iter().map(|s| s / weight).collect();
        let norm = mean.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
        mean.iter().map(|x| x / norm).collect()
    }

    /// The mean of the last hidden states over `[<s>] + ids + [</s>]`.
    fn forward(&self, ids: &[u32]) -> Vec<f32> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F.
            return unsafe { self.forward_avx512(ids) };
        }
        self.forward_any(ids)
    }

    /// [`Self::forward`] with AVX-512 for the element-wise work between the products (LayerNorm,
    /// GELU, softmax; inlined here): 16 lanes instead of SSE2's 4.
    ///
    /// # Safety
    /// The CPU must have AVX-512F.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn forward_avx512(&self, ids: &[u32]) -> Vec<f32> {
        self.forward_any(ids)
    }

    #[cfg_attr(target_arch = "x86_64", inline(always))]
    fn forward_any(&self, ids: &[u32]) -> Vec<f32> {
        let h = self.header.hidden;
        let sequence: Vec<u32> = std::iter::once(self.header.bos)
            .chain(ids.iter().copied())
            .chain(std::iter::once(self.header.eos))
            .collect();
        let length = sequence.len();
        let mut x = vec![0f32; length * h];
        for (t, &id) in sequence.iter().enumerate() {
            let row = &mut x[t * h..(t + 1) * h];
            self.words.row(id as usize, row);
            add(row, &self.positions[t * h..(t + 1) * h]);
        }
        self.embedding_norm.apply(&mut x, h, self.header.eps);
        for layer in &self.layers {
            let context = self.attention(layer, &x, length);
            let mut projected = layer.attention_out.apply(&context, length);
            add(&mut projected, &x);
            layer.attention_norm.apply(&mut projected, h, self.header.eps);
            x = projected;
            let mut middle = layer.ffn_in.apply(&x, length);
            middle.iter_mut().for_each(|v| *v = gelu(*v));
            let mut out = layer.ffn_out.apply(&middle, length);
            add(&mut out, &x);
            layer.output_norm.apply(&mut out, h, self.header.eps);
            x = out;
        }
        let mut mean = vec![0f32; h];
        for row in x.chunks_exact(h) {
            add(&mut mean, row);
        }
        mean.iter_mut().for_each(|v| *v /= length as f32);
        mean
    }

    /// Multi-head self-attention over all tokens (no masking: one window, no padding). Both
    /// products of each head go through [`matmul::product`]: the scores as queries × keys, the
    /// context as scores × values, with keys and values padded to a multiple of 16 tokens by
    /// zeros (whose scores are set to zero after the softmax).
    #[cfg_attr(target_arch = "x86_64", inline(always))]
    fn attention(&self, layer: &Layer, x: &[f32], length: usize) -> Vec<f32> {
        #[cfg(target_arch = "x86_64")]
        if (self.header.hidden / self.header.heads).is_multiple_of(16) && matmul::by_columns_available() {
            return self.attention_by_columns(layer, x, length);
        }
        let h = self.header.hidden;
        let heads = self.header.heads;
        let size = h / heads;
        let (q, k, v) = (layer.q.apply(x, length), layer.k.apply(x, length), layer.v.apply(x, length));
        let scale = 1.0 / (size as f32).sqrt();
        let padded = length.next_multiple_of(16);
        let mut context = vec![0f32; length * h];
        let mut queries = vec![0f32; length * size];
        let mut keys = vec![0f32; padded * size];
        // The values transposed, `[size, padded]`: the "weights" of the second product.
        let mut values = vec![0f32; size * padded];
        let mut scores = vec![0f32; length * padded];
        let mut head_context = vec![0f32; length * size];
        let (no_bias_scores, no_bias_context) = (vec![0f32; padded], vec![0f32; size]);
        for head in 0..heads {
            let part = head * size..(head + 1) * size;
            for t in 0..length {
                for (query, &value) in queries[t * size..(t + 1) * size].iter_mut().zip(&q[t * h..][part.clone()]) {
                    *query = value * scale;
                }
                keys[t * size..(t + 1) * size].copy_from_slice(&k[t * h..][part.clone()]);
                for (d, &value) in v[t * h..][part.clone()].iter().enumerate() {
                    values[d * padded + t] = value;
                }
            }
            matmul::product(&keys, &no_bias_scores, size, &queries, &mut scores);
            for row in scores.chunks_exact_mut(padded) {
                let (real, padding) = row.split_at_mut(length);
                padding.fill(0.0);
                let max = real.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                real.iter_mut().for_each(|s| *s = exp_negative(*s - max));
                let inverse = 1.0 / real.iter().sum::<f32>();
                real.iter_mut().for_each(|s| *s *= inverse);
            }
            matmul::product(&values, &no_bias_context, padded, &scores, &mut head_context);
            for t in 0..length {
                context[t * h..][part.clone()].copy_from_slice(&head_context[t * size..(t + 1) * size]);
            }
        }
        context
    }

    /// [`Self::attention`] natively with AVX-512: both products by [`matmul::product_by_columns`],
    /// with the keys transposed, `[size, padded]`, and the values as they are, `[padded, size]`.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    fn attention_by_columns(&self, layer: &Layer, x: &[f32], length: usize) -> Vec<f32> {
        let h = self.header.hidden;
        let heads = self.header.heads;
        let size = h / heads;
        let (q, k, v) = (layer.q.apply(x, length), layer.k.apply(x, length), layer.v.apply(x, length));
        let scale = 1.0 / (size as f32).sqrt();
        let padded = length.next_multiple_of(16);
        let mut context = vec![0f32; length * h];
        let mut queries = vec![0f32; length * size];
        let mut keys = vec![0f32; size * padded];
        let mut values = vec![0f32; padded * size];
        let mut scores = vec![0f32; length * padded];
        let mut head_context = vec![0f32; length * size];
        for head in 0..heads {
            let part = head * size..(head + 1) * size;
            for t in 0..length {
                for (query, &value) in queries[t * size..(t + 1) * size].iter_mut().zip(&q[t * h..][part.clone()]) {
                    *query = value * scale;
                }
                for (d, &value) in k[t * h..][part.clone()].iter().enumerate() {
                    keys[d * padded + t] = value;
                }
                values[t * size..(t + 1) * size].copy_from_slice(&v[t * h..][part.clone()]);
            }
            matmul::product_by_columns(&keys, padded, &queries, &mut scores);
            for row in scores.chunks_exact_mut(padded) {
                let (real, padding) = row.split_at_mut(length);
                padding.fill(0.0);
                let max = lanes::fold(real, f32::NEG_INFINITY, |v| v, f32::max);
                real.iter_mut().for_each(|s| *s = exp_negative(*s - max));
                let inverse = 1.0 / lanes::fold(real, 0.0, |v| v, |a, b| a + b);
                real.iter_mut().for_each(|s| *s *= inverse);
            }
            matmul::product_by_columns(&values, size, &scores, &mut head_context);
            for t in 0..length {
                context[t * h..][part.clone()].copy_from_slice(&head_context[t * size..(t + 1) * size]);
            }
        }
        context
    }
}

impl Norm {
    /// LayerNorm of every row of `x` (rows of `width`): mean and biased variance.
    #[cfg_attr(target_arch = "x86_64", inline(always))]
    fn apply(&self, x: &mut [f32], width: usize, eps: f32) {
        for row in x.chunks_exact_mut(width) {
            #[cfg(not(target_arch = "x86_64"))]
            let mean = row.iter().sum::<f32>() / width as f32;
            #[cfg(not(target_arch = "x86_64"))]
            let variance = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / width as f32;
            #[cfg(target_arch = "x86_64")]
            let mean = lanes::fold(row, 0.0, |v| v, |a, b| a + b) / width as f32;
            #[cfg(target_arch = "x86_64")]
            let variance = lanes::fold(row, 0.0, |v| (v - mean) * (v - mean), |a, b| a + b) / width as f32;
            let inverse = 1.0 / (variance + eps).sqrt();
            for ((v, w), b) in row.iter_mut().zip(&self.weight).zip(&self.bias) {
                *v = (*v - mean) * inverse * w + b;
            }
        }
    }
}

/// Natively, reductions in 16 interleaved partial results, so that they vectorise (the plain
/// `sum` and `fold` add one element at a time, in order, a chain of dependent additions that
/// took about a tenth of a passage's time). The order of additions differs from the plain
/// sum's, by float noise; wasm keeps the plain ones, and its bytes.
#[cfg(target_arch = "x86_64")]
mod lanes {
    /// `xs` mapped by `map` and combined by `combine`, which must be associative and commutative
    /// up to rounding, from `start`.
    #[inline(always)]
    pub fn fold(xs: &[f32], start: f32, map: impl Fn(f32) -> f32, combine: impl Fn(f32, f32) -> f32) -> f32 {
        let mut lanes = [start; 16];
        let chunks = xs.chunks_exact(16);
        let rest = chunks.remainder();
        for chunk in chunks {
            for (l, &v) in lanes.iter_mut().zip(chunk) {
                *l = combine(*l, map(v));
            }
        }
        let mut result = rest.iter().fold(start, |a, &v| combine(a, map(v)));
        let mut width = 16;
        while width > 1 {
            width /= 2;
            let (low, high) = lanes[..2 * width].split_at_mut(width);
            low.iter_mut().zip(high).for_each(|(l, h)| *l = combine(*l, *h));
        }
        result = combine(result, lanes[0]);
        result
    }
}

#[cfg_attr(target_arch = "x86_64", inline(always))]
fn add(target: &mut [f32], other: &[f32]) {
    target.iter_mut().zip(other).for_each(|(t, o)| *t += o);
}

/// GELU with erf by Abramowitz and Stegun 7.1.26 (|error| < 1.5e-7): Rust's std has no erf.
#[inline]
fn gelu(z: f32) -> f32 {
    0.5 * z * (1.0 + erf(z * std::f32::consts::FRAC_1_SQRT_2))
}

#[inline]
fn erf(x: f32) -> f32 {
    let a = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * a);
    let y = t * (0.254_829_6 + t * (-0.284_496_74 + t * (1.421_413_7 + t * (-1.453_152_1 + t * 1.061_405_4))));
    (1.0 - y * exp_negative(-a * a)).copysign(x)
}

/// `e^x` for `x ≤ 0` (softmax after subtracting the maximum, erf's `e^(−a²)`), without branches or
/// library calls so that loops over it vectorise, natively and in wasm (where std's `exp` is a
/// scalar software routine): Cephes' `expf`, within 2 ulp of std's. Below −87 it stays at e^−87.
/// Natively it saves little (libm's `expf` was 5 % of a passage's time); in wasm a query takes 6 %
/// less and a 600-character passage 11 % less.
#[inline]
fn exp_negative(x: f32) -> f32 {
    const LOG2_E: f32 = std::f32::consts::LOG2_E;
    // Adding and subtracting 1.5 × 2²³ rounds to the nearest integer in plain float arithmetic.
    const ROUND: f32 = 12_582_912.0;
    let x = x.max(-87.0);
    let n = (x * LOG2_E + ROUND) - ROUND;
    // x − n·ln 2 in two parts (Cody and Waite), so that r keeps its precision.
    let r = (x - n * 0.693_359_4) + n * 2.121_944_4e-4;
    let p = 1.987_569_1e-4;
    let p = p * r + 1.398_199_9e-3;
    let p = p * r + 8.333_452e-3;
    let p = p * r + 4.166_579_6e-2;
    let p = p * r + 1.666_666_5e-1;
    let p = p * r + 0.5;
    let e = p * r * r + r + 1.0;
    // Natively without `as`, whose saturating conversion is scalar code on x86_64.
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a whole number (or infinite, or NaN for x = +∞), clamped into range; `max` turns NaN
    // into −126 (`clamp` would keep it).
    #[allow(clippy::manual_clamp)]
    let n = unsafe { n.max(-126.0).min(127.0).to_int_unchecked::<i32>() };
    #[cfg(not(target_arch = "x86_64"))]
    let n = n as i32;
    e * f32::from_bits(((n + 127) as u32) << 23)
}

#[cfg(test)]
mod tests;

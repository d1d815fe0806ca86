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
    fn attention(&self, layer: &Layer, x: &[f32], length: usize) -> Vec<f32> {
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
                let mut total = 0.0;
                for score in real.iter_mut() {
                    *score = (*score - max).exp();
                    total += *score;
                }
                let inverse = 1.0 / total;
                real.iter_mut().for_each(|s| *s *= inverse);
            }
            matmul::product(&values, &no_bias_context, padded, &scores, &mut head_context);
            for t in 0..length {
                context[t * h..][part.clone()].copy_from_slice(&head_context[t * size..(t + 1) * size]);
            }
        }
        context
    }
}

impl Norm {
    /// LayerNorm of every row of `x` (rows of `width`): mean and biased variance.
    fn apply(&self, x: &mut [f32], width: usize, eps: f32) {
        for row in x.chunks_exact_mut(width) {
            let mean = row.iter().sum::<f32>() / width as f32;
            let variance = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / width as f32;
            let inverse = 1.0 / (variance + eps).sqrt();
            for ((v, w), b) in row.iter_mut().zip(&self.weight).zip(&self.bias) {
                *v = (*v - mean) * inverse * w + b;
            }
        }
    }
}

fn add(target: &mut [f32], other: &[f32]) {
    target.iter_mut().zip(other).for_each(|(t, o)| *t += o);
}

/// GELU with erf by Abramowitz and Stegun 7.1.26 (|error| < 1.5e-7): Rust's std has no erf.
fn gelu(z: f32) -> f32 {
    0.5 * z * (1.0 + erf(z * std::f32::consts::FRAC_1_SQRT_2))
}

fn erf(x: f32) -> f32 {
    let a = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * a);
    let y = t * (0.254_829_6 + t * (-0.284_496_74 + t * (1.421_413_7 + t * (-1.453_152_1 + t * 1.061_405_4))));
    (1.0 - y * (-a * a).exp()).copysign(x)
}

#[cfg(test)]
mod tests;

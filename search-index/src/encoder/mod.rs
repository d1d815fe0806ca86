//! The sentence encoder of the semantic stage (issue 18): multilingual-e5-small, with its
//! vocabulary cut to German help texts and its weights in 4 bits (`scripts/encoder/export.py`).
//! The build encodes articles, the browser encodes queries, with this same code; the cosine of
//! two vectors (their dot product) says how close their meanings are.
//!
//! The forward pass follows `scripts/encoder/reference.py` (steps 7 to 10): a post-LayerNorm
//! BERT encoder, mean pooling over every token, L2 normalisation.

mod tokenizer;
mod weights;

pub use tokenizer::Tokenizer;
pub use weights::Header;

use weights::Tensor;

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

/// `y = x Wᵀ + b`, with W stored row by row as `[out, in]`.
struct Linear {
    weight: Vec<f32>,
    bias: Vec<f32>,
    inputs: usize,
}

struct Norm {
    weight: Vec<f32>,
    bias: Vec<f32>,
}

pub struct Encoder {
    header: Header,
    tokenizer: Tokenizer,
    /// Word embeddings, `[vocab, hidden]`.
    words: Vec<f32>,
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
        let mut take = |name: String| match tensors.remove(&name) {
            Some(Tensor::F32 { data, .. }) => Ok(data),
            _ => Err(format!("the weights have no float tensor {name}")),
        };
        let words = take("emb.word".into())?;
        let positions = take("emb.pos".into())?;
        let embedding_norm = Norm { weight: take("emb.ln.w".into())?, bias: take("emb.ln.b".into())? };
        let mut layers = Vec::with_capacity(header.layers);
        for l in 0..header.layers {
            let mut linear = |name: &str, inputs: usize| -> Result<Linear, String> {
                Ok(Linear { weight: take(format!("l{l}.{name}.w"))?, bias: take(format!("l{l}.{name}.b"))?, inputs })
            };
            let (hidden, ffn) = (header.hidden, header.ffn);
            let q = linear("q", hidden)?;
            let k = linear("k", hidden)?;
            let v = linear("v", hidden)?;
            let attention_out = linear("ao", hidden)?;
            let ffn_in = linear("fi", hidden)?;
            let ffn_out = linear("fo", ffn)?;
            let attention_norm = Norm { weight: take(format!("l{l}.aln.w"))?, bias: take(format!("l{l}.aln.b"))? };
            let output_norm = Norm { weight: take(format!("l{l}.oln.w"))?, bias: take(format!("l{l}.oln.b"))? };
            layers.push(Layer { q, k, v, attention_out, attention_norm, ffn_in, ffn_out, output_norm });
        }
        if words.len() != header.vocab * header.hidden {
            return Err("emb.word does not match the header's vocabulary".into());
        }
        Ok(Encoder { header, tokenizer, words, positions, embedding_norm, layers })
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
            let word = &self.words[id as usize * h..(id as usize + 1) * h];
            let position = &self.positions[t * h..(t + 1) * h];
            for (i, value) in x[t * h..(t + 1) * h].iter_mut().enumerate() {
                *value = word[i] + position[i];
            }
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

    /// Multi-head self-attention over all tokens (no masking: one window, no padding).
    fn attention(&self, layer: &Layer, x: &[f32], length: usize) -> Vec<f32> {
        let h = self.header.hidden;
        let heads = self.header.heads;
        let size = h / heads;
        let (q, k, v) = (layer.q.apply(x, length), layer.k.apply(x, length), layer.v.apply(x, length));
        let scale = 1.0 / (size as f32).sqrt();
        let mut context = vec![0f32; length * h];
        let mut scores = vec![0f32; length];
        for head in 0..heads {
            let part = head * size..(head + 1) * size;
            for t in 0..length {
                let query = &q[t * h..][part.clone()];
                for (s, score) in scores.iter_mut().enumerate() {
                    *score = dot(query, &k[s * h..][part.clone()]) * scale;
                }
                let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                let mut total = 0.0;
                for score in scores.iter_mut() {
                    *score = (*score - max).exp();
                    total += *score;
                }
                let out = &mut context[t * h..][part.clone()];
                for (s, &score) in scores.iter().enumerate() {
                    let weight = score / total;
                    for (o, value) in out.iter_mut().zip(&v[s * h..][part.clone()]) {
                        *o += weight * value;
                    }
                }
            }
        }
        context
    }
}

impl Linear {
    fn apply(&self, x: &[f32], length: usize) -> Vec<f32> {
        let outputs = self.bias.len();
        let mut y = Vec::with_capacity(length * outputs);
        for row in x.chunks_exact(self.inputs).take(length) {
            for (w, b) in self.weight.chunks_exact(self.inputs).zip(&self.bias) {
                y.push(dot(row, w) + b);
            }
        }
        y
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

/// A dot product in eight lanes, which the compiler turns into vector instructions.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let (a_chunks, b_chunks) = (a.chunks_exact(8), b.chunks_exact(8));
    let (a_rest, b_rest) = (a_chunks.remainder(), b_chunks.remainder());
    for (x, y) in a_chunks.zip(b_chunks) {
        for i in 0..8 {
            lanes[i] += x[i] * y[i];
        }
    }
    lanes.iter().sum::<f32>() + a_rest.iter().zip(b_rest).map(|(x, y)| x * y).sum::<f32>()
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

//! Reads an LTE5 weights file (written by `scripts/encoder/export.py`, format in its docstring):
//! a 60-byte header, then named tensors, each aligned to 16 bytes. Q4_0 tensors stay 4-bit
//! ([`Tensor::Q4`]) until their user dequantizes them (the word embeddings only row by row); the
//! other quantized types become f32 on load.

use std::collections::HashMap;

/// What the header says about the model.
#[derive(Debug, Clone, Copy)]
pub struct Header {
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub ffn: usize,
    pub vocab: usize,
    pub max_positions: usize,
    pub eps: f32,
    pub bos: u32,
    pub eos: u32,
    pub pad: u32,
    pub unk: u32,
    /// The score of an unknown character in the tokenizer's Viterbi search.
    pub unk_score: f32,
}

/// One tensor, as stored: floats (dequantized), 4-bit rows, bytes or 32-bit integers.
pub enum Tensor {
    F32 { dims: Vec<usize>, data: Vec<f32> },
    Q4(Q4Rows),
    U8(Vec<u8>),
    U32(Vec<u32>),
}

impl Tensor {
    pub fn floats(&self) -> Option<&[f32]> {
        match self {
            Tensor::F32 { data, .. } => Some(data),
            _ => None,
        }
    }

    pub fn dims(&self) -> &[usize] {
        match self {
            Tensor::F32 { dims, .. } => dims,
            _ => &[],
        }
    }

    /// The tensor with 4-bit rows turned into floats.
    pub fn dequantized(self) -> Tensor {
        match self {
            Tensor::Q4(q) => {
                let mut data = vec![0f32; q.rows * q.cols];
                for (r, row) in data.chunks_exact_mut(q.cols).enumerate() {
                    q.row(r, row);
                }
                Tensor::F32 { dims: vec![q.rows, q.cols], data }
            }
            other => other,
        }
    }
}

/// A `[rows, cols]` matrix in ggml's Q4_0: blocks of 32 weights, an f16 scale and 16 bytes of two
/// 4-bit values each (the low nibbles are the first 16 weights, the high nibbles the next 16).
pub struct Q4Rows {
    pub rows: usize,
    pub cols: usize,
    blocks: Vec<u8>,
}

impl Q4Rows {
    const BLOCK_BYTES: usize = 18;

    /// Writes row `r` as floats into `out` (`cols` long). Fixed-size blocks, so that the
    /// compiler vectorises the unpacking: the products dequantize every weight once per call.
    #[inline]
    pub fn row(&self, r: usize, out: &mut [f32]) {
        let per_row = self.cols / 32 * Self::BLOCK_BYTES;
        let blocks = &self.blocks[r * per_row..(r + 1) * per_row];
        for (block, out) in blocks.chunks_exact(Self::BLOCK_BYTES).zip(out.chunks_exact_mut(32)) {
            let d = f16(u16::from_le_bytes([block[0], block[1]]));
            let qs: &[u8; 16] = block[2..].try_into().expect("18-byte blocks");
            let out: &mut [f32; 32] = out.try_into().expect("32-float blocks");
            for j in 0..16 {
                out[j] = ((qs[j] & 15) as i32 - 8) as f32 * d;
                out[j + 16] = ((qs[j] >> 4) as i32 - 8) as f32 * d;
            }
        }
    }

    /// The bytes it holds.
    pub fn memory(&self) -> usize {
        self.blocks.len()
    }
}

const F32: u8 = 0;
const F16: u8 = 1;
const Q8_ROWS: u8 = 2;
const Q4_0: u8 = 3;
const U8: u8 = 4;
const U32: u8 = 5;

/// The header and the tensors by name; `Err` says what is wrong with the file.
pub fn read(bytes: &[u8]) -> Result<(Header, HashMap<String, Tensor>), String> {
    let mut at = Reader { bytes, at: 0 };
    if at.take(4)? != b"LTE5" {
        return Err("not an LTE5 weights file".into());
    }
    let version = at.u32()?;
    if version != 1 {
        return Err(format!("LTE5 version {version}, this reader knows 1"));
    }
    let [hidden, layers, heads, ffn, vocab, max_positions] =
        [at.u32()?, at.u32()?, at.u32()?, at.u32()?, at.u32()?, at.u32()?];
    let eps = at.f32()?;
    let [bos, eos, pad, unk] = [at.u32()?, at.u32()?, at.u32()?, at.u32()?];
    let unk_score = at.f32()?;
    let count = at.u32()?;
    let header = Header {
        hidden: hidden as usize,
        layers: layers as usize,
        heads: heads as usize,
        ffn: ffn as usize,
        vocab: vocab as usize,
        max_positions: max_positions as usize,
        eps,
        bos,
        eos,
        pad,
        unk,
        unk_score,
    };
    let mut tensors = HashMap::new();
    for _ in 0..count {
        let name_len = at.u16()? as usize;
        let name = String::from_utf8(at.take(name_len)?.to_vec()).map_err(|_| "a tensor name is not UTF-8")?;
        let dtype = at.take(1)?[0];
        let ndim = at.take(1)?[0] as usize;
        let dims: Vec<usize> = (0..ndim).map(|_| at.u32().map(|d| d as usize)).collect::<Result<_, _>>()?;
        let nbytes = at.u64()? as usize;
        at.at += (16 - at.at % 16) % 16;
        let raw = at.take(nbytes)?;
        let count: usize = dims.iter().product();
        let tensor = match dtype {
            F32 => Tensor::F32 {
                data: raw.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect(),
                dims,
            },
            F16 => {
                Tensor::F32 { data: raw.chunks_exact(2).map(|c| f16(u16::from_le_bytes([c[0], c[1]]))).collect(), dims }
            }
            Q8_ROWS => {
                let (rows, cols) = (dims[0], dims[1]);
                let (scales, values) = raw.split_at(4 * rows);
                let mut data = Vec::with_capacity(rows * cols);
                for (row, scale) in values.chunks_exact(cols).zip(scales.chunks_exact(4)) {
                    let scale = f32::from_le_bytes([scale[0], scale[1], scale[2], scale[3]]);
                    data.extend(row.iter().map(|&q| q as i8 as f32 * scale));
                }
                Tensor::F32 { data, dims }
            }
            Q4_0 => {
                let [rows, cols] = dims[..] else { return Err(format!("tensor {name}: Q4_0 of shape {dims:?}")) };
                if cols % 32 != 0 || raw.len() != rows * cols / 32 * Q4Rows::BLOCK_BYTES {
                    return Err(format!("tensor {name}: {} bytes of Q4_0 for shape {dims:?}", raw.len()));
                }
                Tensor::Q4(Q4Rows { rows, cols, blocks: raw.to_vec() })
            }
            U8 => Tensor::U8(raw.to_vec()),
            U32 => Tensor::U32(raw.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()),
            other => return Err(format!("tensor {name}: unknown type {other}")),
        };
        if let Tensor::F32 { data, .. } = &tensor {
            if data.len() != count {
                return Err(format!("tensor {name}: {} values for shape {:?}", data.len(), tensor.dims()));
            }
        }
        tensors.insert(name, tensor);
    }
    Ok((header, tensors))
}

/// An IEEE half-precision float.
fn f16(bits: u16) -> f32 {
    let (sign, exponent, mantissa) = ((bits as u32 & 0x8000) << 16, (bits >> 10) & 0x1f, bits as u32 & 0x3ff);
    match exponent {
        // Zero and subnormals: mantissa × 2⁻²⁴, exact in f32.
        0 => {
            let value = mantissa as f32 * 2f32.powi(-24);
            if sign != 0 {
                -value
            } else {
                value
            }
        }
        31 => f32::from_bits(sign | 0x7f80_0000 | (mantissa << 13)),
        e => f32::from_bits(sign | ((e as u32 + 112) << 23) | (mantissa << 13)),
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let slice = self.bytes.get(self.at..self.at + n).ok_or("the weights file ends early")?;
        self.at += n;
        Ok(slice)
    }
    fn u16(&mut self) -> Result<u16, String> {
        self.take(2).map(|b| u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Result<u32, String> {
        self.take(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> Result<u64, String> {
        self.take(8).map(|b| u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
    }
    fn f32(&mut self) -> Result<f32, String> {
        self.u32().map(f32::from_bits)
    }
}

#[cfg(test)]
mod tests {
    use super::f16;

    #[test]
    fn half_floats_decode() {
        assert_eq!(f16(0x3c00), 1.0);
        assert_eq!(f16(0xc000), -2.0);
        assert_eq!(f16(0x3555), 0.33325195);
        assert_eq!(f16(0x0001), 2f32.powi(-24));
        assert_eq!(f16(0), 0.0);
    }
}

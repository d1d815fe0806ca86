//! The semantic stage's ranking (issue 18): how close each article's meaning is to the query's
//! (the cosine of their [`crate::encoder`] vectors), fused with the lexical ranking.
//!
//! The build stores one vector per article in the order of the result rows ([`ArticleVectors`]);
//! the browser encodes the query and calls [`fuse`] with the lexical hits. The same code runs in
//! the native findability evaluator, so the figures it prints are the browser's.
//!
//! Fusion is a score blend, measured against reciprocal-rank fusion with
//! `scripts/encoder/evaluate.py` (GNOME dev, then held out): each article's cosine, z-scored over
//! the portal, plus a bonus for a place in the lexical list that falls with its rank. An article
//! the words found stays near the top; one that only the meaning finds can climb above weak
//! lexical hits. The two numbers are [`SemanticWeights`], data like every ranking weight.

use serde::{Deserialize, Serialize};

use crate::engine::{Rule, ScoreDetail};
use crate::ranking::SemanticWeights;

/// The article vectors of a portal, in result-row order: each vector in 8 bits with its own
/// scale, a quarter of the floats' size at a cosine error far below what changes a ranking.
///
/// File format (little-endian): `LSV1`, dims (u32), count (u32), `count` scales (f32), then
/// `count × dims` values (i8); a vector is `value × scale`.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleVectors {
    dims: usize,
    scales: Vec<f32>,
    values: Vec<i8>,
}

const MAGIC: &[u8; 4] = b"LSV1";

impl ArticleVectors {
    /// Quantizes float vectors (each of `dims` floats, L2-normalised by the encoder).
    pub fn from_floats(dims: usize, vectors: &[Vec<f32>]) -> ArticleVectors {
        let mut scales = Vec::with_capacity(vectors.len());
        let mut values = Vec::with_capacity(vectors.len() * dims);
        for vector in vectors {
            assert_eq!(vector.len(), dims, "every vector has the encoder's width");
            let largest = vector.iter().fold(0f32, |m, v| m.max(v.abs()));
            let scale = if largest > 0.0 { largest / 127.0 } else { 1.0 };
            scales.push(scale);
            values.extend(vector.iter().map(|v| (v / scale).round().clamp(-127.0, 127.0) as i8));
        }
        ArticleVectors { dims, scales, values }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(12 + 4 * self.scales.len() + self.values.len());
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&(self.dims as u32).to_le_bytes());
        bytes.extend_from_slice(&(self.scales.len() as u32).to_le_bytes());
        self.scales.iter().for_each(|s| bytes.extend_from_slice(&s.to_le_bytes()));
        bytes.extend(self.values.iter().map(|&v| v as u8));
        bytes
    }

    /// Reads [`Self::to_bytes`]; `Err` says what is wrong.
    pub fn from_bytes(bytes: &[u8]) -> Result<ArticleVectors, String> {
        let word = |at: usize| bytes.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        if bytes.get(..4) != Some(MAGIC) {
            return Err("not a Lotse vectors file".into());
        }
        let (dims, count) = match (word(4), word(8)) {
            (Some(d), Some(c)) => (d as usize, c as usize),
            _ => return Err("the vectors file ends early".into()),
        };
        let values_at = 12 + 4 * count;
        if bytes.len() != values_at + count * dims {
            return Err(format!(
                "{} bytes, but {count} vectors of {dims} need {}",
                bytes.len(),
                values_at + count * dims
            ));
        }
        let scales = (0..count).map(|i| f32::from_bits(word(12 + 4 * i).unwrap_or(0))).collect();
        let values = bytes[values_at..].iter().map(|&b| b as i8).collect();
        Ok(ArticleVectors { dims, scales, values })
    }

    pub fn len(&self) -> usize {
        self.scales.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scales.is_empty()
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    /// The cosine of `query` (normalised) with every article, in row order.
    pub fn cosines(&self, query: &[f32]) -> Vec<f32> {
        self.values
            .chunks_exact(self.dims.max(1))
            .zip(&self.scales)
            .map(|(row, scale)| row.iter().zip(query).map(|(&v, q)| v as f32 * q).sum::<f32>() * scale)
            .collect()
    }
}

/// One article of the fused ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fused {
    /// The article's result row.
    pub ord: u32,
    pub score: f32,
    pub cosine: f32,
    /// Its place in the lexical list (0 = first), if the words found it.
    pub lexical_rank: Option<u32>,
}

/// The fused ranking, best first, at most `limit` long: every article's z-scored cosine, plus
/// `lexical × (1 + rank_offset) / (rank + 1 + rank_offset)` for the articles of the lexical list
/// `lexical` (row ords, best first). Ties keep the lexical order, then row order.
pub fn fuse(cosines: &[f32], lexical: &[u32], weights: &SemanticWeights, limit: usize) -> Vec<Fused> {
    let n = cosines.len().max(1) as f32;
    let mean = cosines.iter().sum::<f32>() / n;
    let deviation = (cosines.iter().map(|c| (c - mean) * (c - mean)).sum::<f32>() / n).sqrt();
    let mut fused: Vec<Fused> = cosines
        .iter()
        .enumerate()
        .map(|(ord, &cosine)| Fused {
            ord: ord as u32,
            score: (cosine - mean) / (deviation + 1e-9),
            cosine,
            lexical_rank: None,
        })
        .collect();
    for (rank, &ord) in lexical.iter().enumerate() {
        if let Some(article) = fused.get_mut(ord as usize) {
            if article.lexical_rank.is_none() {
                article.lexical_rank = Some(rank as u32);
                article.score += lexical_bonus(rank, weights);
            }
        }
    }
    fused.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.lexical_rank.unwrap_or(u32::MAX).cmp(&b.lexical_rank.unwrap_or(u32::MAX)))
            .then(a.ord.cmp(&b.ord))
    });
    fused.truncate(limit);
    fused
}

fn lexical_bonus(rank: usize, weights: &SemanticWeights) -> f32 {
    weights.lexical * (1.0 + weights.rank_offset) / (rank as f32 + 1.0 + weights.rank_offset)
}

impl Fused {
    /// How the score came about, as the engine explains a lexical hit: the meaning's share
    /// ([`Rule::Semantic`]) and the place in the lexical list ([`Rule::LexicalRank`]), both addends.
    pub fn explain(&self, weights: &SemanticWeights) -> Vec<ScoreDetail> {
        let bonus = self.lexical_rank.map_or(0.0, |rank| lexical_bonus(rank as usize, weights));
        let mut details = vec![ScoreDetail {
            rule: Rule::Semantic,
            what: format!("cosine {:.3}, z-scored over the portal", self.cosine),
            value: self.score - bonus,
        }];
        if let Some(rank) = self.lexical_rank {
            details.push(ScoreDetail {
                rule: Rule::LexicalRank,
                what: format!("lexical place {}", rank + 1),
                value: bonus,
            });
        }
        details
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(v: &[f32]) -> Vec<f32> {
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / norm).collect()
    }

    #[test]
    fn vectors_survive_the_file_and_keep_their_cosines() {
        let floats = vec![unit(&[1.0, 0.0, 0.0, 0.0]), unit(&[0.3, -0.9, 0.1, 0.2]), unit(&[0.5, 0.5, 0.5, -0.5])];
        let stored = ArticleVectors::from_floats(4, &floats);
        let read = ArticleVectors::from_bytes(&stored.to_bytes()).unwrap();
        assert_eq!(read, stored);
        let query = unit(&[0.4, -0.8, 0.2, 0.1]);
        for (got, vector) in read.cosines(&query).iter().zip(&floats) {
            let exact: f32 = vector.iter().zip(&query).map(|(a, b)| a * b).sum();
            assert!((got - exact).abs() < 0.01, "{got} against {exact}");
        }
        assert!(ArticleVectors::from_bytes(b"LSV1\x04\0\0\0\x02\0\0\0").is_err(), "a cut file is an error");
        assert!(ArticleVectors::from_bytes(b"nope").is_err());
    }

    #[test]
    fn a_strong_lexical_hit_stays_first_and_the_meaning_lifts_what_words_missed() {
        let weights = SemanticWeights::default();
        // Article 2 means the query best but no word matched; article 0 is the lexical first.
        let cosines = [0.80, 0.70, 0.90, 0.60, 0.62, 0.61, 0.60, 0.59];
        let fused = fuse(&cosines, &[0, 4, 5], &weights, 4);
        let order: Vec<u32> = fused.iter().map(|f| f.ord).collect();
        assert_eq!(order[0], 0, "the lexical first with a good cosine stays first: {fused:?}");
        assert!(order[..3].contains(&2), "the best meaning reaches the top three: {fused:?}");
        assert!(order.iter().position(|&o| o == 2) < order.iter().position(|&o| o == 5), "{fused:?}");
        assert_eq!(fused[0].lexical_rank, Some(0));
        assert_eq!(fused.iter().find(|f| f.ord == 2).unwrap().lexical_rank, None);
        assert_eq!(fused.len(), 4);
    }

    #[test]
    fn without_lexical_hits_the_order_is_the_meaning() {
        let fused = fuse(&[0.1, 0.5, 0.3], &[], &SemanticWeights::default(), 10);
        assert_eq!(fused.iter().map(|f| f.ord).collect::<Vec<_>>(), [1, 2, 0]);
    }

    #[test]
    fn the_explanation_adds_up_to_the_score() {
        let weights = SemanticWeights::default();
        for hit in fuse(&[0.2, 0.9, 0.4, 0.3], &[2, 0], &weights, 4) {
            let details = hit.explain(&weights);
            let sum: f32 = details.iter().map(|d| d.value).sum();
            assert!((sum - hit.score).abs() < 1e-5, "{details:?} against {}", hit.score);
            assert_eq!(details.len(), 1 + hit.lexical_rank.is_some() as usize);
        }
    }
}

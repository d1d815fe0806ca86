//! Coverage ([`crate::engine::Rule::Coverage`]): more of the query's concepts outrank one word many times.

use super::*;

#[test]
fn more_concepts_outrank_one_word_many_times() {
    let e = support_engine(&SearchConfig::default());
    assert_eq!(first(&e, "Drucker WLAN", None), Some(5));
    // One nonsense word never empties the list.
    assert_eq!(first(&e, "Xylophon Drucker", None), Some(5));
}

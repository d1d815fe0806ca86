//! Rewrite: a word still being typed stands for the index terms it begins.

use crate::engine::Engine;

impl Engine {
    /// Index terms that start with `prefix`, from the title, keyword, heading and body dictionaries.
    pub(in crate::engine) fn expand_prefix(&self, prefix: &str) -> Vec<String> {
        let mut found: Vec<String> = Vec::new();
        for field in [self.fields.title, self.fields.keywords, self.fields.headings, self.fields.body] {
            for segment in self.searcher.segment_readers() {
                let Ok(inverted) = segment.inverted_index(field) else { continue };
                let Ok(mut stream) = inverted.terms().range().ge(prefix.as_bytes()).into_stream() else { continue };
                let mut taken = 0;
                while stream.advance() && taken < self.weights.max_prefix_terms {
                    let key = stream.key();
                    if !key.starts_with(prefix.as_bytes()) {
                        break;
                    }
                    if let Ok(term) = std::str::from_utf8(key) {
                        if !found.iter().any(|f| f == term) {
                            found.push(term.to_string());
                        }
                    }
                    taken += 1;
                }
            }
        }
        found.truncate(self.weights.max_prefix_terms);
        found
    }
}

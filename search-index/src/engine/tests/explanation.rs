//! Explanations name the rules, and weights travel as data.

use super::*;

#[test]
fn every_hit_explains_its_score_by_named_rules() {
    let e = engine(&SearchConfig::default());
    let plain = e.search("Drucker druckt nicht", None, false, 5);
    let explained = e.search_explained("Drucker druckt nicht", None, false, 5);
    assert_eq!(explained.iter().map(|(h, _)| *h).collect::<Vec<_>>(), plain, "explaining changes nothing");
    for (hit, details) in &explained {
        use crate::engine::Rule;
        let matched: f32 = details.iter().filter(|d| d.rule == Rule::Match).map(|d| d.value).sum();
        let factors: f32 = details.iter().filter(|d| d.rule != Rule::Match).map(|d| d.value).product();
        assert!((matched * factors - hit.score).abs() < 1e-3 * hit.score.max(1.0), "{details:?} for {hit:?}");
        assert!(details.iter().any(|d| d.rule == Rule::Coverage));
    }
    // The article titled with every typed word gets that rule's factor, and comes first.
    let (first, details) = &explained[0];
    assert_eq!(first.ord, 4);
    assert!(details.iter().any(|d| d.rule == crate::engine::Rule::WholeTitle), "{details:?}");
}

#[test]
fn other_weights_change_the_ranking_without_a_rebuild() {
    // With the title worth nothing and the body much, an article that only mentions the
    // word in its text beats the one titled with it.
    let docs = [
        doc("Drucker", "allgemein", "Text.", &[]),
        doc("Anderes", "allgemein", "Drucker Drucker Drucker im Text.", &[]),
    ];
    let files = write_index(&docs).unwrap();
    let default = Engine::from_files(files.clone(), &SearchConfig::default()).unwrap();
    assert_eq!(first(&default, "Drucker", None), Some(0));
    let mut config = SearchConfig::default();
    config.weights.fields.title = 0.0;
    config.weights.fields.body = 10.0;
    let tuned = Engine::from_files(files, &config).unwrap();
    assert_eq!(first(&tuned, "Drucker", None), Some(1));
}

//! Troubleshooting ([`crate::engine::Rule::Troubleshooting`]): complaints prefer troubleshooting articles.

use super::*;

#[test]
fn complaints_prefer_troubleshooting_articles() {
    let e = support_engine(&SearchConfig::default());
    let hits = |q: &str| e.search(q, Some("ipad"), false, 5).iter().map(|h| h.ord).collect::<Vec<_>>();
    assert_eq!(hits("WLAN funktioniert nicht")[0], 7);
    assert_eq!(hits("WLAN einrichten")[0], 6);
}

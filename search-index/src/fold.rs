//! Case and umlaut folding for German text.
//!
//! Teachers type "Schüler", "Schueler" or "Schuler" for the same word. Folding maps umlauts to their
//! two-letter spellings (`ü` → `ue`, `ß` → `ss`) and lower-cases everything, so that the generator's
//! anchors and the search index see one spelling.

/// Lower-cases `text` and writes umlauts and `ß` out as German spells them without umlauts.
///
/// Other accented Latin letters lose their accent (`é` → `e`), because teachers type French or
/// Spanish names without them on a German keyboard.
pub fn fold_german(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        push_folded(ch, &mut out);
    }
    out
}

fn push_folded(ch: char, out: &mut String) {
    match ch {
        'ä' | 'Ä' => out.push_str("ae"),
        'ö' | 'Ö' => out.push_str("oe"),
        'ü' | 'Ü' => out.push_str("ue"),
        'ß' | 'ẞ' => out.push_str("ss"),
        'à' | 'á' | 'â' | 'ã' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Å' => out.push('a'),
        'ç' | 'Ç' => out.push('c'),
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => out.push('e'),
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => out.push('i'),
        'ñ' | 'Ñ' => out.push('n'),
        'ò' | 'ó' | 'ô' | 'õ' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ø' => out.push('o'),
        'ù' | 'ú' | 'û' | 'Ù' | 'Ú' | 'Û' => out.push('u'),
        'ý' | 'ÿ' | 'Ý' => out.push('y'),
        _ => out.extend(ch.to_lowercase()),
    }
}

/// Turns a heading, tag or title into a stable URL slug: `Schüler-WLAN` becomes `schueler-wlan`.
///
/// Every run of characters other than ASCII letters and digits becomes one `-`, and leading or
/// trailing dashes are dropped. The result is stable across releases because links in published
/// how-tos and bookmarks on teachers' iPads depend on it.
pub fn slugify(text: &str) -> String {
    let folded = fold_german(text);
    let mut slug = String::with_capacity(folded.len());
    let mut pending_dash = false;
    for ch in folded.chars() {
        if ch.is_ascii_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.push(ch);
        } else {
            pending_dash = true;
        }
    }
    slug
}

/// FNV-1a, 64 bits: tiny and stable across Rust releases (unlike `DefaultHasher`), for content
/// hashes in file names and cache keys. Not for anything security-related.
pub struct Fnv64(u64);

impl Fnv64 {
    /// Starts from the FNV-1a offset basis; equal to `Fnv64::default()`.
    pub fn new() -> Self {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }

    /// Feeds `bytes` into the hash; callers add separators between parts, since "ab"+"c" hashes like "a"+"bc".
    pub fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// The hash of everything fed so far; does not reset, so more `update`s may follow.
    pub fn finish(&self) -> u64 {
        self.0
    }
}

impl Default for Fnv64 {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fnv_matches_the_reference_value() {
        // FNV-1a 64 of "a" from the algorithm's authors.
        let mut h = super::Fnv64::new();
        h.update(b"a");
        assert_eq!(h.finish(), 0xaf63_dc4c_8601_ec8c);
    }

    use super::*;

    #[test]
    fn folds_umlauts_and_case() {
        assert_eq!(fold_german("Schüler"), "schueler");
        assert_eq!(fold_german("Passwörter GROß"), "passwoerter gross");
        assert_eq!(fold_german("ÄÖÜ"), "aeoeue");
        assert_eq!(fold_german("Café"), "cafe");
    }

    #[test]
    fn slugs_are_german_and_stable() {
        assert_eq!(slugify("Schüler-WLAN"), "schueler-wlan");
        assert_eq!(slugify("  Wenn es nicht klappt …"), "wenn-es-nicht-klappt");
        assert_eq!(slugify("Office 365 / Microsoft 365"), "office-365-microsoft-365");
        assert_eq!(slugify("„Nicht lizenziertes Produkt“"), "nicht-lizenziertes-produkt");
        assert_eq!(slugify("ß"), "ss");
        assert_eq!(slugify("!!!"), "");
    }
}

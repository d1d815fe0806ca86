//! The query rewrites, each in its own module, in the order [`super::Engine`] applies them:
//!
//! 1. [`separable_verbs`]: "schaltet … ein" is read as "einschalten";
//! 2. [`compound`]: each word's known compound parts ("Passwortänderung" → "Passwort", "Änderung");
//! 3. [`correction`]: a misspelled word is read as the vocabulary word closest to it;
//! 4. the vocabulary's groups and the portal's synonyms ([`super::concepts`]);
//! 5. [`head_swap`]: a compound with a synonym for its head ("Warnton" → "Warnklang");
//! 6. per word: [`derivation`] (verb ↔ noun), [`prefix`] (a word still being typed) and typos
//!    ([`super::typo`]).
//!
//! Each adds alternatives of one [`super::concepts::AlternativeKind`]; the weights decide how much
//! each kind counts.

pub(in crate::engine) mod compound;
pub(in crate::engine) mod correction;
pub(in crate::engine) mod derivation;
pub(in crate::engine) mod head_swap;
pub(in crate::engine) mod prefix;
pub(in crate::engine) mod separable_verbs;

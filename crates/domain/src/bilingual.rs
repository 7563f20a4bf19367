//! Messages that users read in both Simplified Chinese and English.
//!
//! Why a trait rather than a `Display` of "{zh} / {en}": the web layer picks the language per
//! request (and shows both on some pages), logs stay in English, and each error enum keeps its
//! English text in one place (`Display`, via `thiserror`) and its Chinese text in `zh()`.

/// A value with a user-facing text in both languages.
pub trait Bilingual {
    /// The text in Simplified Chinese.
    fn zh(&self) -> String;
    /// The text in English; for error enums this equals their `Display`.
    fn en(&self) -> String;
}

//! File formats at the edge of Anpei: bytes ⇄ domain values or row errors, with no database
//! and no async, so the web layer and the binary share one parser and one writer.
//!
//! Why a crate of its own: spreadsheet libraries and typst (the certificate PDF) are heavy
//! and only the edges need them; the store and the domain stay free of them and build
//! without them (`web → formats → domain`).

pub mod bounds;
pub mod certificate_pdf;
pub mod formula_guard;
pub mod questions;
pub mod roster;
pub mod subsidy_pdf;
pub mod table;
mod typst_world;

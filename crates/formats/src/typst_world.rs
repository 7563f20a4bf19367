//! The Typst world every PDF of this crate compiles in: one template, one font, no files, no
//! clock.
//!
//! [`TemplateWorld`] knows exactly one source (the template it is given, compiled into the
//! binary by its caller) and exactly one font (the Noto Serif CJK SC subset in `fonts/`,
//! compiled in). It reads no files, no system fonts and no packages (any other file is
//! `AccessDenied`, so `#import "@preview/…"` cannot download) and has no clock, so the same
//! values render to the same bytes on any machine. Values reach a template only as
//! `sys.inputs`, never spliced into Typst source, so no name can change a template.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Dict};
use typst::syntax::{FileId, Source};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use crate::certificate_pdf::RenderError;

/// Noto Serif CJK SC Regular, subset to the 通用规范汉字表 and punctuation (`fonts/README.md`).
pub const FONT: &[u8] = include_bytes!("../fonts/NotoSerifCJKsc-Regular-subset.otf");

/// The one font, parsed once per process.
static FONTS: LazyLock<(LazyHash<FontBook>, Vec<Font>)> = LazyLock::new(|| {
    let fonts: Vec<Font> = Font::iter(Bytes::new(FONT)).collect();
    (LazyHash::new(FontBook::from_fonts(&fonts)), fonts)
});

/// Lays a template out with its inputs (the step before PDF).
pub(crate) fn compile(template: &'static str, inputs: Dict) -> Result<PagedDocument, RenderError> {
    let world = TemplateWorld::new(template, inputs);
    let document = typst::compile::<PagedDocument>(&world).output;
    // Typst memoises across compilations; each document is different, so keep the cache from
    // growing with every PDF a long-running server prints.
    typst::comemo::evict(0);
    document.map_err(messages)
}

/// The PDF bytes of a laid-out document; no creation date, so they are deterministic.
pub(crate) fn pdf(document: &PagedDocument) -> Result<Vec<u8>, RenderError> {
    typst_pdf::pdf(document, &typst_pdf::PdfOptions::default()).map_err(messages)
}

/// Characters of `texts` that the embedded font cannot draw (they would print as empty
/// boxes), sorted, each at most once. Whitespace is never reported.
pub(crate) fn missing_characters<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<char> {
    let Some(font) = FONTS.1.first() else {
        return Vec::new();
    };
    let mut missing: Vec<char> = texts
        .into_iter()
        .flat_map(str::chars)
        .filter(|c| !c.is_whitespace() && !font.info().coverage.contains(u32::from(*c)))
        .collect();
    missing.sort_unstable();
    missing.dedup();
    missing
}

fn messages(diagnostics: impl IntoIterator<Item = SourceDiagnostic>) -> RenderError {
    RenderError::Typst(
        diagnostics
            .into_iter()
            .map(|d| d.message.to_string())
            .collect(),
    )
}

/// A Typst world of one template and one font; see the module documentation.
pub(crate) struct TemplateWorld {
    library: LazyHash<Library>,
    template: &'static str,
    main: Source,
}

impl TemplateWorld {
    pub(crate) fn new(template: &'static str, inputs: Dict) -> Self {
        Self {
            library: LazyHash::new(Library::builder().with_inputs(inputs).build()),
            template,
            main: Source::detached(template),
        }
    }
}

impl World for TemplateWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.0
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            Ok(Bytes::from_string(self.template))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.1.get(index).cloned()
    }

    /// No clock: a document shows its own dates, never "today".
    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        None
    }
}

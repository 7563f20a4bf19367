//! Anpei's one integration-test binary (STYLE.md point 17): every test boots the real app
//! on port 0 over a fresh database holding the demo province, and asserts what a user sees
//! through HTTP or the `anpei` command line. HTTP tests run on SQLite and PostgreSQL
//! (`anpei_testkit::both_engines!`); set `ANPEI_TEST_POSTGRES_URL` for the latter.
//!
//! Modules: `jurisdiction` (who may read and write what), `ledger` (writes are ledgered,
//! tampering is caught, concurrent writers keep one chain), `ledger_scale` (verify at 30,000
//! people), `bad_input` (refused requests write nothing), `archive` (signed exports),
//! `certificate_pdf` (the printable certificate, read back with poppler and zbar),
//! `masking`, `openapi`, `session`, `cli`, `properties`, `bank` (the question bank: imports,
//! versions, who may see it), `exams` and `exam_admin` (the exam system and its staff pages),
//! `exam_crash` (acknowledged answers survive a SIGKILL of the server binary),
//! `exam_security` (random tickets, sign-in limits, a second device waits for the proctor,
//! no key before the hand-in, staff eligibility, reused sequence numbers), `browser`
//! (pages in headless Chromium), `web_hardening` (CSRF, security headers, redirects, paging
//! and public links at the HTTP edge), `verification` (public certificate verification: the
//! status by number, the details by name or QR token, per-address limits, the log, the index).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    clippy::disallowed_methods,
    reason = "integration tests: a failed expectation is a failed test, and tests may compare with the wall clock"
)]

mod accounts;
mod accounts_self_service;
mod archive;
mod bad_input;
mod bank;
mod browser;
mod certificate_pdf;
mod certificates;
mod cli;
mod compliance;
mod county;
mod enterprise_ledgers;
mod exam_admin;
mod exam_crash;
mod exam_security;
mod exams;
mod jurisdiction;
mod ledger;
mod ledger_scale;
mod ledgers;
mod masking;
mod notifications;
mod openapi;
mod personal_data;
mod properties;
mod roster;
mod session;
mod signin;
mod subsidies;
mod subsidy_browser;
mod support;
mod tidy;
mod upload_bounds;
mod verdicts;
mod verification;
mod web_hardening;

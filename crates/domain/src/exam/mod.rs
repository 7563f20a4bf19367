//! The exam system's rules (SPEC C8): questions of the unified bank and how a response is
//! marked, practical score sheets, blueprints and the seeded draw of one examinee's paper,
//! who may sit an exam (training complete, age, make-ups left), and the statistics of a
//! question (difficulty and discrimination).
//!
//! Everything here is pure: the store keeps versions, attempts and answers; the web layer
//! keeps the clock. The draw uses its own small generator ([`rng::SplitMix64`]) rather than
//! a library's, so that a paper drawn today can be drawn again from its stored seed by any
//! later version of Anpei: an audit must not depend on a dependency's stream staying the same.

pub mod blueprint;
pub mod eligibility;
pub mod grading;
pub mod question;
pub mod rng;
pub mod score_sheet;
pub mod stats;

pub use blueprint::{
    Blueprint, BlueprintError, BlueprintRow, Paper, PaperItem, PoolQuestion, Shortfall,
};
pub use eligibility::{
    Candidate, CompletedTraining, EarlierSitting, Eligibility, ExamPart, Refusal,
};
pub use grading::{ItemMark, PracticalGrade, PracticalMarkError, TheoryGrade};
pub use question::{
    ChoiceOption, Difficulty, Question, QuestionBody, QuestionError, QuestionKind, Response,
    ResponseError,
};
pub use score_sheet::{ScoreSheet, ScoreSheetError, SheetItem};

//! The exam system (issue 4, SPEC C8): the unified question bank (`bank`), blueprints and
//! sessions at exam sites (`sessions`), registration with its eligibility check
//! (`registration`), attempts with durable answering through one batching writer
//! (`attempts`) and the limits on wrong sign-ins (`throttle`), practical scoring
//! (`practical`), and results per question for the bank's owner (`stats`). The stored JSON
//! shapes are in `codec`.

pub mod attempts;
pub mod bank;
pub mod codec;
pub mod drill;
pub mod practical;
pub mod registration;
pub mod sessions;
pub mod stats;
pub mod throttle;

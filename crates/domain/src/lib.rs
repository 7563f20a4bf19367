//! The pure domain of Anpei: parsed values (ID numbers, credit codes, phones, names), reference
//! data (regions, industries, roles) and small rules about people and their employment.
//! Certificates and their validity (`certificate`), the national special-operations catalogue
//! (`trade`) and the compliance engine's rules with their findings and KPIs (`rules`) live here
//! too, as pure functions of facts, a versioned rule set and a date.
//!
//! Why a crate of its own: everything here is synchronous, does no I/O and never reads the
//! clock (time is always a parameter), so every rule can be tested with a table of cases and
//! reused by the store, the web layer and the demo generator alike. Values are built only
//! through `parse` constructors, so an invalid ID number cannot exist past the boundary, and
//! personal data masks itself in `Debug` so that it cannot leak into logs by accident. No type
//! here derives `Serialize`: wire formats live at the edge.

pub mod bilingual;
pub mod certificate;
pub mod classes;
pub mod credit_code;
pub mod employment;
pub mod exam;
pub mod id_number;
pub mod industry;
pub mod ledgers;
pub mod person;
pub mod phone;
pub mod region;
pub mod role;
pub mod rules;
pub mod subsidy;
pub mod trade;

pub use bilingual::Bilingual;
pub use credit_code::{CreditCode, CreditCodeError};
pub use employment::{
    EmploymentKind, Period, PeriodError, PositionFlags, PositionTitle, PositionTitleError,
};
pub use id_number::{IdNumber, IdNumberError};
pub use industry::Industry;
pub use ledgers::{
    OffPostReason, PlanItem, PlanItemError, ProcessChangeKind, SkillLevel, TrainingMode,
};
pub use person::{Gender, PersonName, PersonNameError};
pub use phone::{Phone, PhoneError};
pub use region::{Region, RegionLevel};
pub use role::Role;

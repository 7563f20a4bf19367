//! Use cases that write: each is one transaction with its ledger entries
//! (`Store::write` → changes → `WriteTx::commit`). Handlers call these and never sequence
//! queries themselves.

pub mod accounts;
pub mod certificates;
pub mod enterprise_ledgers;
pub mod enterprises;
pub mod ledgers;
pub mod people;
pub mod roster;
pub mod subsidies;
pub mod training;

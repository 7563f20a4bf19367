//! Who may see and change what (SPEC §1): an [`Actor`] carries a role and its scope, and
//! every query of people or enterprises is filtered by [`Actor::person_filter`] or
//! [`Actor::enterprise_filter`]. Writes take capability handles ([`EnterpriseStaffWrite`],
//! [`RegionWrite`]) that only the functions here can make, so a handler that skipped the
//! check does not compile.
//!
//! Out-of-scope reads answer `NotFound`, never `Forbidden`, so guessing ids reveals nothing.

use anpei_domain::Role;
use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use crate::StoreError;
use crate::entity::{employment, enterprise, institution};
use crate::ledger::LedgerActor;

/// The scope that comes with a role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// A worker: themself only.
    Person(Uuid),
    /// An enterprise: its current staff.
    Enterprise(Uuid),
    /// A training institution: its own record (its trainees arrive with classes).
    Institution(Uuid),
    /// A city regulator: the enterprises of the city (4-digit code prefix) and their staff.
    City(String),
    /// A county regulator: the enterprises registered in the county (`enterprises.region_code`,
    /// 6 digits) and their staff. Classes, exams and certificates are the city's.
    County(String),
    /// The province regulator: everything.
    Province,
    /// The HR and social-security bureau of a region: enterprises of that region.
    HrBureau(String),
    /// Command-line tools and the demo generator.
    System,
}

/// A signed-in account (or a system tool) acting on the store.
#[derive(Clone, Debug)]
pub struct Actor {
    pub account_id: Option<Uuid>,
    pub display_name: String,
    pub role: Option<Role>,
    pub scope: Scope,
}

impl Actor {
    pub fn system(name: &str) -> Self {
        Actor {
            account_id: None,
            display_name: name.to_owned(),
            role: None,
            scope: Scope::System,
        }
    }

    pub(crate) fn ledger_actor(&self) -> LedgerActor {
        let id = match (self.account_id, self.role) {
            (Some(id), Some(role)) => format!("{}:{id}", role.code()),
            _ => format!("system:{}", self.display_name),
        };
        LedgerActor {
            id,
            name: self.display_name.clone(),
        }
    }

    /// A region-code prefix for city-level scopes ("2301" for Harbin), `None` for all.
    pub fn region_prefix(code: &str) -> String {
        let trimmed = code.trim_end_matches("00");
        if trimmed.len() < 4 {
            code[..Ord::min(2, code.len())].to_owned()
        } else {
            trimmed.to_owned()
        }
    }

    /// Condition on `persons.id` (or any person-id column) restricting to visible people.
    pub fn person_filter(&self, person_id: SimpleExpr, today: NaiveDate) -> SimpleExpr {
        let current = Expr::col((employment::Entity, employment::Column::EndDate))
            .is_null()
            .or(Expr::col((employment::Entity, employment::Column::EndDate)).gte(today));
        match &self.scope {
            Scope::Province | Scope::System => Expr::value(true),
            Scope::Person(id) => person_id.eq(*id),
            Scope::Enterprise(enterprise_id) => person_id.in_subquery(
                Query::select()
                    .column((employment::Entity, employment::Column::PersonId))
                    .from(employment::Entity)
                    .and_where(
                        Expr::col((employment::Entity, employment::Column::EnterpriseId))
                            .eq(*enterprise_id),
                    )
                    .and_where(current)
                    .to_owned(),
            ),
            // Enterprise ids first, so the covering (enterprise_id, end_date, person_id)
            // index answers the subquery without touching the employment rows.
            Scope::City(city) => person_id.in_subquery(
                Query::select()
                    .column((employment::Entity, employment::Column::PersonId))
                    .from(employment::Entity)
                    .and_where(
                        Expr::col((employment::Entity, employment::Column::EnterpriseId))
                            .in_subquery(
                                Query::select()
                                    .column((enterprise::Entity, enterprise::Column::Id))
                                    .from(enterprise::Entity)
                                    .and_where(
                                        Expr::col((
                                            enterprise::Entity,
                                            enterprise::Column::CityCode,
                                        ))
                                        .eq(city.as_str()),
                                    )
                                    .to_owned(),
                            ),
                    )
                    .and_where(current)
                    .to_owned(),
            ),
            Scope::County(county) => person_id.in_subquery(
                Query::select()
                    .column((employment::Entity, employment::Column::PersonId))
                    .from(employment::Entity)
                    .and_where(
                        Expr::col((employment::Entity, employment::Column::EnterpriseId))
                            .in_subquery(
                                Query::select()
                                    .column((enterprise::Entity, enterprise::Column::Id))
                                    .from(enterprise::Entity)
                                    .and_where(
                                        Expr::col((
                                            enterprise::Entity,
                                            enterprise::Column::RegionCode,
                                        ))
                                        .eq(county.as_str()),
                                    )
                                    .to_owned(),
                            ),
                    )
                    .and_where(current)
                    .to_owned(),
            ),
            Scope::Institution(_) | Scope::HrBureau(_) => Expr::value(false),
        }
    }

    /// Whether a regulator of this scope oversees what is registered in `region_code` (a
    /// county, or a city for what a city registers itself) of `city_code`: the province
    /// everything, a city its city, a county its county. Non-regulators: false.
    pub fn regulates(&self, city_code: &str, region_code: &str) -> bool {
        match &self.scope {
            Scope::Province | Scope::System => true,
            Scope::City(city) => city == city_code,
            Scope::County(county) => county == region_code,
            Scope::Person(_)
            | Scope::Enterprise(_)
            | Scope::Institution(_)
            | Scope::HrBureau(_) => false,
        }
    }

    /// A regulator at any level (province, city, county) or a system tool.
    pub fn is_regulator(&self) -> bool {
        matches!(
            self.scope,
            Scope::Province | Scope::System | Scope::City(_) | Scope::County(_)
        )
    }

    /// Condition on the `enterprises` table restricting to visible enterprises.
    pub fn enterprise_filter(&self) -> SimpleExpr {
        let column = |c: enterprise::Column| Expr::col((enterprise::Entity, c));
        match &self.scope {
            Scope::Province | Scope::System => Expr::value(true),
            Scope::Enterprise(id) => column(enterprise::Column::Id).eq(*id),
            Scope::City(city) => column(enterprise::Column::CityCode).eq(city.as_str()),
            Scope::County(county) => column(enterprise::Column::RegionCode).eq(county.as_str()),
            Scope::HrBureau(region) => {
                if region == anpei_domain::region::PROVINCE_CODE {
                    Expr::value(true)
                } else {
                    column(enterprise::Column::RegionCode)
                        .like(format!("{}%", Self::region_prefix(region)))
                }
            }
            // A worker sees the enterprises they work for through their own archive only.
            Scope::Person(_) | Scope::Institution(_) => Expr::value(false),
        }
    }

    /// May this actor register enterprises, and where?
    pub fn region_write(&self) -> Option<RegionWrite> {
        match &self.scope {
            Scope::Province | Scope::System => Some(RegionWrite {
                actor: self.clone(),
            }),
            Scope::City(_) | Scope::County(_) => Some(RegionWrite {
                actor: self.clone(),
            }),
            _ => None,
        }
    }

    pub fn institution_id(&self) -> Option<Uuid> {
        match self.scope {
            Scope::Institution(id) => Some(id),
            _ => None,
        }
    }
}

/// Capability: may register enterprises in the regulator's own jurisdiction (anywhere for
/// the province, its city for a city, its county for a county).
#[derive(Debug)]
pub struct RegionWrite {
    actor: Actor,
}

impl RegionWrite {
    /// Whether an enterprise registered in `region_code` (of `city_code`) is within reach.
    pub fn allows(&self, city_code: &str, region_code: &str) -> bool {
        self.actor.regulates(city_code, region_code)
    }
}

/// Capability: may hire into and end employment at one enterprise.
#[derive(Debug, Clone, Copy)]
pub struct EnterpriseStaffWrite {
    enterprise_id: Uuid,
}

impl EnterpriseStaffWrite {
    pub fn enterprise_id(&self) -> Uuid {
        self.enterprise_id
    }
}

/// The staff of an enterprise may be changed by that enterprise and by system tools
/// (imports, the demo). Regulators read; they do not keep an enterprise's roster.
pub async fn enterprise_staff_write(
    db: &impl ConnectionTrait,
    actor: &Actor,
    enterprise_id: Uuid,
) -> Result<EnterpriseStaffWrite, StoreError> {
    let visible = enterprise::Entity::find_by_id(enterprise_id)
        .filter(actor.enterprise_filter())
        .count(db)
        .await?
        > 0;
    if !visible {
        return Err(StoreError::NotFound);
    }
    match actor.scope {
        Scope::Enterprise(own) if own == enterprise_id => {
            Ok(EnterpriseStaffWrite { enterprise_id })
        }
        Scope::System => Ok(EnterpriseStaffWrite { enterprise_id }),
        _ => Err(StoreError::Forbidden),
    }
}

/// Capability: may see the people of one enterprise (the enterprise itself, regulators of
/// its city, the province).
#[derive(Debug, Clone, Copy)]
pub struct EnterpriseStaffRead {
    enterprise_id: Uuid,
}

impl EnterpriseStaffRead {
    pub fn enterprise_id(&self) -> Uuid {
        self.enterprise_id
    }
}

/// `NotFound` when the enterprise is out of sight, `Forbidden` when it is visible but its
/// people are not (the HR bureau).
pub async fn enterprise_staff_read(
    db: &impl ConnectionTrait,
    actor: &Actor,
    enterprise_id: Uuid,
) -> Result<EnterpriseStaffRead, StoreError> {
    let row = enterprise::Entity::find_by_id(enterprise_id)
        .filter(actor.enterprise_filter())
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    let allowed = match &actor.scope {
        Scope::Enterprise(own) => *own == enterprise_id,
        _ => actor.regulates(&row.city_code, &row.region_code),
    };
    if allowed {
        Ok(EnterpriseStaffRead { enterprise_id })
    } else {
        Err(StoreError::Forbidden)
    }
}

/// Capability: may read one person's archive.
#[derive(Debug, Clone, Copy)]
pub struct PersonRead {
    person_id: Uuid,
    is_self: bool,
    employer: Option<Uuid>,
}

impl PersonRead {
    pub fn person_id(&self) -> Uuid {
        self.person_id
    }

    /// The person themself: the only reader who sees their own identity unmasked in exports.
    pub fn is_self(&self) -> bool {
        self.is_self
    }

    /// An enterprise reading one of its staff: it sees what compliance needs (certificates,
    /// training, assessments) and its own records, not the internal records other
    /// employers kept (their employments, apprenticeships, time off post, promotions).
    pub fn employer(&self) -> Option<Uuid> {
        self.employer
    }

    /// Whether this reader sees a record an enterprise kept.
    pub fn sees_employer_record(&self, enterprise_id: Uuid) -> bool {
        self.employer.is_none_or(|own| own == enterprise_id)
    }
}

pub async fn person_read(
    db: &impl ConnectionTrait,
    actor: &Actor,
    person_id: Uuid,
    today: NaiveDate,
) -> Result<PersonRead, StoreError> {
    use crate::entity::person;
    let visible = person::Entity::find_by_id(person_id)
        .filter(actor.person_filter(Expr::col((person::Entity, person::Column::Id)), today))
        .count(db)
        .await?
        > 0;
    if !visible {
        return Err(StoreError::NotFound);
    }
    Ok(PersonRead {
        person_id,
        is_self: actor.scope == Scope::Person(person_id),
        employer: match actor.scope {
            Scope::Enterprise(id) => Some(id),
            _ => None,
        },
    })
}

/// An institution sees its own record; everyone else by region like enterprises.
pub async fn institution_visible(
    db: &impl ConnectionTrait,
    actor: &Actor,
    institution_id: Uuid,
) -> Result<institution::Model, StoreError> {
    let row = institution::Entity::find_by_id(institution_id)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    let visible = match &actor.scope {
        Scope::Institution(own) => *own == institution_id,
        Scope::Province | Scope::System => true,
        Scope::City(city) => row.city_code == *city,
        Scope::County(county) => row.region_code == *county,
        Scope::HrBureau(region) => {
            region == anpei_domain::region::PROVINCE_CODE
                || row.region_code.starts_with(&Actor::region_prefix(region))
        }
        Scope::Person(_) | Scope::Enterprise(_) => false,
    };
    if visible {
        Ok(row)
    } else {
        Err(StoreError::NotFound)
    }
}

/// Capability: may administer accounts, each within the holder's jurisdiction (SPEC C0):
/// the province creates and manages regulator, HR and administrator accounts (and may
/// manage every account); a city regulator approves and manages the enterprise and
/// institution accounts of its city; an enterprise manages its own safety managers' accounts.
/// Made only by [`Actor::account_admin`]; the account operations take it.
#[derive(Debug, Clone)]
pub struct AccountAdmin {
    reach: AdminReach,
    account_id: Option<Uuid>,
}

#[derive(Debug, Clone)]
enum AdminReach {
    Province,
    City(String),
    County(String),
    Enterprise(Uuid),
}

impl Actor {
    /// May this actor administer accounts, and whose?
    pub fn account_admin(&self) -> Option<AccountAdmin> {
        let reach = match &self.scope {
            Scope::Province | Scope::System => AdminReach::Province,
            Scope::City(city) => AdminReach::City(city.clone()),
            Scope::County(county) => AdminReach::County(county.clone()),
            Scope::Enterprise(id) => AdminReach::Enterprise(*id),
            Scope::Person(_) | Scope::Institution(_) | Scope::HrBureau(_) => return None,
        };
        Some(AccountAdmin {
            reach,
            account_id: self.account_id,
        })
    }
}

impl AccountAdmin {
    /// The roles this holder may create accounts in (the form's choices).
    pub fn creatable_roles(&self) -> &'static [Role] {
        match self.reach {
            AdminReach::Province => &[
                Role::CityRegulator,
                Role::CountyRegulator,
                Role::HrBureau,
                Role::ProvinceRegulator,
                Role::Enterprise,
                Role::Institution,
            ],
            AdminReach::City(_) => &[Role::Enterprise, Role::Institution],
            AdminReach::County(_) => &[Role::Enterprise],
            AdminReach::Enterprise(_) => &[Role::Enterprise],
        }
    }

    /// Whether the holder approves self-registrations (its city's, or all for the province).
    pub fn approves_registrations(&self) -> bool {
        !matches!(self.reach, AdminReach::Enterprise(_))
    }

    /// The enterprise whose accounts an enterprise holder manages.
    pub fn own_enterprise(&self) -> Option<Uuid> {
        match self.reach {
            AdminReach::Enterprise(id) => Some(id),
            _ => None,
        }
    }

    /// The holder's own account (which it may not disable or move).
    pub fn own_account(&self) -> Option<Uuid> {
        self.account_id
    }

    /// Condition on the `accounts` table: the accounts within reach.
    pub fn account_filter(&self) -> SimpleExpr {
        use crate::entity::account;
        let col = |c: account::Column| Expr::col((account::Entity, c));
        match &self.reach {
            AdminReach::Province => Expr::value(true),
            AdminReach::Enterprise(id) => col(account::Column::Role)
                .eq(Role::Enterprise.code())
                .and(col(account::Column::EnterpriseId).eq(*id)),
            AdminReach::City(city) => {
                let enterprises = Query::select()
                    .column((enterprise::Entity, enterprise::Column::Id))
                    .from(enterprise::Entity)
                    .and_where(
                        Expr::col((enterprise::Entity, enterprise::Column::CityCode))
                            .eq(city.as_str()),
                    )
                    .to_owned();
                let institutions = Query::select()
                    .column((institution::Entity, institution::Column::Id))
                    .from(institution::Entity)
                    .and_where(
                        Expr::col((institution::Entity, institution::Column::CityCode))
                            .eq(city.as_str()),
                    )
                    .to_owned();
                let enterprise_accounts =
                    col(account::Column::Role).eq(Role::Enterprise.code()).and(
                        col(account::Column::EnterpriseId)
                            .in_subquery(enterprises)
                            // A self-registration not yet approved: by the region it gave.
                            .or(col(account::Column::EnterpriseId).is_null().and(
                                col(account::Column::RegionCode)
                                    .like(format!("{}%", Actor::region_prefix(city))),
                            )),
                    );
                let institution_accounts = col(account::Column::Role)
                    .eq(Role::Institution.code())
                    .and(col(account::Column::InstitutionId).in_subquery(institutions));
                enterprise_accounts.or(institution_accounts)
            }
            AdminReach::County(county) => {
                let enterprises = Query::select()
                    .column((enterprise::Entity, enterprise::Column::Id))
                    .from(enterprise::Entity)
                    .and_where(
                        Expr::col((enterprise::Entity, enterprise::Column::RegionCode))
                            .eq(county.as_str()),
                    )
                    .to_owned();
                col(account::Column::Role).eq(Role::Enterprise.code()).and(
                    col(account::Column::EnterpriseId)
                        .in_subquery(enterprises)
                        // A self-registration not yet approved: by the region it gave.
                        .or(col(account::Column::EnterpriseId)
                            .is_null()
                            .and(col(account::Column::RegionCode).eq(county.as_str()))),
                )
            }
        }
    }

    /// Whether an existing account is within reach.
    pub async fn reaches(
        &self,
        db: &impl ConnectionTrait,
        account_id: Uuid,
    ) -> Result<bool, StoreError> {
        use crate::entity::account;
        Ok(account::Entity::find_by_id(account_id)
            .filter(self.account_filter())
            .count(db)
            .await?
            > 0)
    }

    /// Whether the holder may create (or move an account to) `role` over `scope`.
    pub async fn may_create(
        &self,
        db: &impl ConnectionTrait,
        role: Role,
        scope: &crate::ops::accounts::AccountScope,
    ) -> Result<bool, StoreError> {
        use crate::ops::accounts::AccountScope;
        if !self.creatable_roles().contains(&role) {
            return Ok(false);
        }
        Ok(match (&self.reach, scope) {
            (AdminReach::Province, _) => true,
            (AdminReach::Enterprise(own), AccountScope::Enterprise(id)) => own == id,
            (AdminReach::City(city), AccountScope::Enterprise(id)) => {
                enterprise::Entity::find_by_id(*id)
                    .one(db)
                    .await?
                    .is_some_and(|row| row.city_code == *city)
            }
            (AdminReach::County(county), AccountScope::Enterprise(id)) => {
                enterprise::Entity::find_by_id(*id)
                    .one(db)
                    .await?
                    .is_some_and(|row| row.region_code == *county)
            }
            (AdminReach::City(city), AccountScope::Institution(id)) => {
                institution::Entity::find_by_id(*id)
                    .one(db)
                    .await?
                    .is_some_and(|row| row.city_code == *city)
            }
            _ => false,
        })
    }
}

/// Which of `people` are on the staff of `enterprise_id` on `today` (one query).
pub async fn current_staff(
    db: &impl ConnectionTrait,
    enterprise_id: Uuid,
    people: Vec<Uuid>,
    today: NaiveDate,
) -> Result<Vec<Uuid>, StoreError> {
    use sea_orm::QueryFilter;
    Ok(employment::Entity::find()
        .filter(employment::Column::EnterpriseId.eq(enterprise_id))
        .filter(employment::Column::PersonId.is_in(people))
        .filter(employment_current(today))
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.person_id)
        .collect())
}

/// Used by `employment` filters elsewhere: the current-employment predicate on a date.
pub fn employment_current(today: NaiveDate) -> SimpleExpr {
    employment::Column::EndDate
        .is_null()
        .or(employment::Column::EndDate.gte(today))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_prefixes_cut_trailing_zero_pairs() {
        assert_eq!(Actor::region_prefix("230100"), "2301");
        assert_eq!(Actor::region_prefix("230102"), "230102");
        assert_eq!(Actor::region_prefix("232700"), "2327");
        assert_eq!(Actor::region_prefix("230000"), "23");
    }
}

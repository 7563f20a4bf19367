//! Read models of the subsidy workflow (issue 5, SPEC C10): each party's list of
//! applications, one application with its rows and their checks, and the certified people an
//! enterprise may claim for. Scoped like `ops::subsidies::visible`.

use std::collections::HashMap;

use anpei_domain::IdNumber;
use anpei_domain::certificate::CertificateKind;
use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::access::{EnterpriseStaffRead, employment_current};
use crate::entity::{
    certificate, employment, enterprise, institution, person, subsidy_application, subsidy_row,
    training_class,
};
use crate::ops::subsidies::{StoredCheck, check_rows, decision, status, stored_checks};
use crate::read::{Page, parse_id};
use crate::{Actor, Scope, StoreError};

/// One application in a list.
#[derive(Debug, Clone)]
pub struct ApplicationSummary {
    pub application: subsidy_application::Model,
    pub enterprise: String,
    pub institution: String,
    pub rows: u64,
    pub approved: u64,
    pub rejected: u64,
    pub paid: u64,
}

/// Which applications a list shows.
#[derive(Debug, Clone, Default)]
pub struct ApplicationFilter {
    pub status: Option<String>,
}

fn scope_condition(actor: &Actor) -> SimpleExpr {
    use subsidy_application::Column;
    match &actor.scope {
        Scope::Enterprise(id) => Column::EnterpriseId.eq(*id),
        Scope::Institution(id) => Column::InstitutionId.eq(*id),
        Scope::City(city) => Column::CityCode.eq(city.as_str()),
        Scope::County(county) => Column::RegionCode.eq(county.as_str()),
        Scope::Province | Scope::System => Expr::value(true),
        Scope::HrBureau(region) => {
            let reviewed = Column::Status.is_in([status::REVIEWED, status::CLOSED]);
            if region == anpei_domain::region::PROVINCE_CODE {
                reviewed
            } else {
                reviewed.and(Column::RegionCode.like(format!("{}%", Actor::region_prefix(region))))
            }
        }
        Scope::Person(_) => Expr::value(false),
    }
}

/// The applications `actor` may see, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &ApplicationFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<ApplicationSummary>, StoreError> {
    let (page, per_page) = crate::read::clamp(page, per_page);
    let mut select = subsidy_application::Entity::find().filter(scope_condition(actor));
    if let Some(wanted) = filter.status.as_deref().filter(|s| status::ALL.contains(s)) {
        select = select.filter(subsidy_application::Column::Status.eq(wanted));
    }
    let total = select.clone().count(db).await?;
    let apps = select
        .order_by_desc(subsidy_application::Column::AppliedOn)
        .order_by_desc(subsidy_application::Column::Id)
        .offset((page - 1) * per_page)
        .limit(per_page)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = apps.iter().map(|a| a.id).collect();
    let mut counts: HashMap<Uuid, (u64, u64, u64, u64)> = HashMap::new();
    for row in subsidy_row::Entity::find()
        .filter(subsidy_row::Column::ApplicationId.is_in(ids))
        .all(db)
        .await?
    {
        let entry = counts.entry(row.application_id).or_default();
        entry.0 += 1;
        match row.decision.as_str() {
            decision::APPROVED => entry.1 += 1,
            decision::REJECTED => entry.2 += 1,
            _ => {}
        }
        if row.paid_on.is_some() {
            entry.3 += 1;
        }
    }
    let enterprises = names_of_enterprises(db, apps.iter().map(|a| a.enterprise_id)).await?;
    let institutions = names_of_institutions(db, apps.iter().map(|a| a.institution_id)).await?;
    let items = apps
        .into_iter()
        .map(|application| {
            let (rows, approved, rejected, paid) =
                counts.get(&application.id).copied().unwrap_or_default();
            ApplicationSummary {
                enterprise: enterprises
                    .get(&application.enterprise_id)
                    .map(|e| e.name.clone())
                    .unwrap_or_default(),
                institution: institutions
                    .get(&application.institution_id)
                    .map(|i| i.name.clone())
                    .unwrap_or_default(),
                application,
                rows,
                approved,
                rejected,
                paid,
            }
        })
        .collect();
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

async fn names_of_enterprises(
    db: &impl ConnectionTrait,
    ids: impl Iterator<Item = Uuid>,
) -> Result<HashMap<Uuid, enterprise::Model>, StoreError> {
    let ids: Vec<Uuid> = ids.collect();
    Ok(enterprise::Entity::find()
        .filter(enterprise::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect())
}

async fn names_of_institutions(
    db: &impl ConnectionTrait,
    ids: impl Iterator<Item = Uuid>,
) -> Result<HashMap<Uuid, institution::Model>, StoreError> {
    let ids: Vec<Uuid> = ids.collect();
    Ok(institution::Entity::find()
        .filter(institution::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect())
}

/// One row of an application, with what a reader needs to judge it.
#[derive(Debug, Clone)]
pub struct RowView {
    pub row: subsidy_row::Model,
    pub name: String,
    pub id_number: IdNumber,
    pub certificate_number: String,
    pub certificate_issued_on: Option<NaiveDate>,
    pub class_number: Option<String>,
    /// The checks: as decided for reviewed rows, computed now before the review.
    pub checks: Vec<StoredCheck>,
}

impl RowView {
    pub fn failed_checks(&self) -> usize {
        self.checks.iter().filter(|c| !c.passed).count()
    }
}

/// One application as its parties see it.
#[derive(Debug, Clone)]
pub struct ApplicationView {
    pub application: subsidy_application::Model,
    pub enterprise: enterprise::Model,
    pub institution: institution::Model,
    pub rows: Vec<RowView>,
    /// Trade codes with their head counts, in code order (培训工种及对应人数).
    pub trades: Vec<(String, usize)>,
}

impl ApplicationView {
    pub fn approved(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.row.decision == decision::APPROVED)
            .count()
    }

    pub fn approved_yuan(&self) -> u64 {
        anpei_domain::subsidy::SUBSIDY_RULES.amount_yuan(self.approved())
    }
}

/// One application `actor` may see, with its rows. The HR bureau sees approved rows only.
/// Checks run live (on `today`) while the application waits for the regulator, so the queue
/// shows what the review will find.
pub async fn application(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    today: NaiveDate,
) -> Result<ApplicationView, StoreError> {
    let app = crate::ops::subsidies::visible(db, actor, id).await?;
    let mut rows: Vec<subsidy_row::Model> = subsidy_row::Entity::find()
        .filter(subsidy_row::Column::ApplicationId.eq(id))
        .order_by_asc(subsidy_row::Column::Seq)
        .all(db)
        .await?;
    let mut trades: Vec<(String, usize)> = Vec::new();
    for row in &rows {
        match trades.iter_mut().find(|(code, _)| *code == row.trade_code) {
            Some(entry) => entry.1 += 1,
            None => trades.push((row.trade_code.clone(), 1)),
        }
    }
    trades.sort();
    if matches!(actor.scope, Scope::HrBureau(_)) {
        rows.retain(|row| row.decision == decision::APPROVED);
    }
    let live = if app.status == status::CONFIRMED || app.status == status::FILED {
        check_rows(db, &app, &rows, today).await?
    } else {
        Vec::new()
    };
    let people: HashMap<Uuid, person::Model> = person::Entity::find()
        .filter(person::Column::Id.is_in(rows.iter().map(|r| r.person_id).collect::<Vec<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    let certificates: HashMap<Uuid, certificate::Model> = certificate::Entity::find()
        .filter(
            certificate::Column::PersonId
                .is_in(rows.iter().map(|r| r.person_id).collect::<Vec<_>>()),
        )
        .filter(
            certificate::Column::Id
                .is_in(rows.iter().map(|r| r.certificate_id).collect::<Vec<_>>()),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    let classes: HashMap<Uuid, String> = training_class::Entity::find()
        .filter(
            training_class::Column::Id
                .is_in(rows.iter().filter_map(|r| r.class_id).collect::<Vec<_>>()),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.id, row.number))
        .collect();
    let mut views = Vec::with_capacity(rows.len());
    for (index, row) in rows.into_iter().enumerate() {
        let person = people.get(&row.person_id).ok_or(StoreError::NotFound)?;
        let certificate = certificates.get(&row.certificate_id);
        let checks = match live.get(index) {
            Some(results) => results.iter().map(StoredCheck::from).collect(),
            None => stored_checks(&row),
        };
        views.push(RowView {
            name: person.name.clone(),
            id_number: parse_id(&person.id_number)?,
            certificate_number: certificate.map(|c| c.number.clone()).unwrap_or_default(),
            certificate_issued_on: certificate.map(|c| c.issued_on),
            class_number: row.class_id.and_then(|id| classes.get(&id).cloned()),
            checks,
            row,
        });
    }
    let enterprise = enterprise::Entity::find_by_id(app.enterprise_id)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    let institution = institution::Entity::find_by_id(app.institution_id)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(ApplicationView {
        application: app,
        enterprise,
        institution,
        rows: views,
        trades,
    })
}

/// A special-operations certificate of the enterprise's current staff, as the application
/// form offers it.
#[derive(Debug, Clone)]
pub struct Claimable {
    pub certificate_id: Uuid,
    pub person_id: Uuid,
    pub name: String,
    pub id_number: IdNumber,
    pub number: String,
    pub trade_code: String,
    pub issued_on: NaiveDate,
    /// Already on another application that was not rejected.
    pub claimed: bool,
}

/// The certificates an enterprise may put on an application, newest first (at most
/// `limit`).
pub async fn claimable(
    db: &impl ConnectionTrait,
    staff: EnterpriseStaffRead,
    today: NaiveDate,
    limit: u64,
) -> Result<Vec<Claimable>, StoreError> {
    let people: Vec<Uuid> = employment::Entity::find()
        .select_only()
        .column(employment::Column::PersonId)
        .filter(employment::Column::EnterpriseId.eq(staff.enterprise_id()))
        .filter(employment_current(today))
        .into_tuple::<Uuid>()
        .all(db)
        .await?;
    let mut certificates = Vec::new();
    for chunk in people.chunks(500) {
        certificates.extend(
            certificate::Entity::find()
                .filter(certificate::Column::PersonId.is_in(chunk.to_vec()))
                .filter(certificate::Column::Kind.eq(CertificateKind::SpecialOps.code()))
                .filter(certificate::Column::Revoked.eq(false))
                .all(db)
                .await?,
        );
    }
    certificates.sort_by(|a, b| b.issued_on.cmp(&a.issued_on).then(a.number.cmp(&b.number)));
    certificates.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let ids: Vec<Uuid> = certificates.iter().map(|c| c.id).collect();
    let claimed: Vec<Uuid> = subsidy_row::Entity::find()
        .select_only()
        .column(subsidy_row::Column::CertificateId)
        .filter(subsidy_row::Column::CertificateId.is_in(ids))
        .filter(subsidy_row::Column::Decision.ne(decision::REJECTED))
        .into_tuple::<Uuid>()
        .all(db)
        .await?;
    let people: HashMap<Uuid, person::Model> = person::Entity::find()
        .filter(
            person::Column::Id.is_in(certificates.iter().map(|c| c.person_id).collect::<Vec<_>>()),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    let mut out = Vec::with_capacity(certificates.len());
    for c in certificates {
        let Some(person) = people.get(&c.person_id) else {
            continue;
        };
        out.push(Claimable {
            certificate_id: c.id,
            person_id: c.person_id,
            name: person.name.clone(),
            id_number: parse_id(&person.id_number)?,
            trade_code: c.trade_code.clone().unwrap_or_default(),
            issued_on: c.issued_on,
            claimed: claimed.contains(&c.id),
            number: c.number,
        });
    }
    Ok(out)
}

/// A certificate claimed on more than one live application (rows not rejected).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateClaim {
    pub certificate_id: Uuid,
    pub applications: i64,
}

/// Every certificate in the province claimed on more than one application that was not
/// rejected: the province-wide duplicate-subsidy check, one grouped scan of the claims.
/// For the province regulator and system tools only.
pub async fn duplicate_claims(
    db: &impl ConnectionTrait,
    actor: &Actor,
) -> Result<Vec<DuplicateClaim>, StoreError> {
    if !matches!(actor.scope, Scope::Province | Scope::System) {
        return Err(StoreError::NotFound);
    }
    let rows: Vec<(Uuid, i64)> = subsidy_row::Entity::find()
        .select_only()
        .column(subsidy_row::Column::CertificateId)
        .column_as(
            Expr::col(subsidy_row::Column::ApplicationId).count_distinct(),
            "applications",
        )
        .filter(subsidy_row::Column::Decision.ne(decision::REJECTED))
        .group_by(subsidy_row::Column::CertificateId)
        .having(
            Expr::col(subsidy_row::Column::ApplicationId)
                .count_distinct()
                .gt(1),
        )
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(certificate_id, applications)| DuplicateClaim {
            certificate_id,
            applications,
        })
        .collect())
}

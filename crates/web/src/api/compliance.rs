//! Compliance answers (SPEC C5) as JSON: one person's findings, and an enterprise's KPIs
//! with everyone's findings.

use anpei_domain::rules::{Finding, Kpis, PERSON_RULE_IDS, Share, evaluate_person};
use anpei_store::verdicts::{self, Counts};
use anpei_store::{access, compliance};
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::Authed;
use crate::error::{Problem, WebError};
use crate::extract::{Path, Query};
use crate::i18n::Tr;
use crate::pages::dashboard;
use crate::{AppState, clock};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(person))
        .routes(routes!(enterprise))
        .routes(routes!(kpis))
        .routes(routes!(kpi_people))
}

#[derive(Serialize, ToSchema)]
pub struct FindingDto {
    /// in_post_assessed, new_hire_hours, return_to_post, team_leader_promotion,
    /// special_ops_certified, apprentice_no_solo_work, key_position_promotion,
    /// qualification_targets, leaders_certified
    pub rule: String,
    /// compliant, due_soon, violation
    pub verdict: String,
    pub reason_zh: String,
    pub reason_en: String,
    /// The records the verdict rests on, as text.
    pub evidence: Vec<String>,
}

impl From<&Finding> for FindingDto {
    fn from(f: &Finding) -> Self {
        FindingDto {
            rule: f.rule.code().to_owned(),
            verdict: f.verdict.code().to_owned(),
            reason_zh: f.reason_zh.clone(),
            reason_en: f.reason_en.clone(),
            evidence: f.evidence.iter().map(|e| format!("{e:?}")).collect(),
        }
    }
}

/// One person's findings today, worst first.
#[utoipa::path(get, path = "/api/v1/persons/{id}/compliance", tag = "compliance", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<FindingDto>), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn person(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Vec<FindingDto>>, WebError> {
    let today = clock::today();
    let access = access::person_read(state.store.connection(), &authed.actor, id, today).await?;
    let findings = compliance::person(state.store.connection(), access, today).await?;
    Ok(axum::Json(findings.iter().map(FindingDto::from).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct ShareDto {
    pub compliant: u64,
    pub people: u64,
    pub percent: Option<f64>,
}

impl From<&Share> for ShareDto {
    fn from(s: &Share) -> Self {
        ShareDto {
            compliant: s.numerator,
            people: s.denominator,
            percent: s.percent(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct KpisDto {
    pub in_post_assessed: ShareDto,
    pub new_hire_trained: ShareDto,
    pub team_leader_trained: ShareDto,
    pub special_ops_certified: ShareDto,
}

#[derive(Serialize, ToSchema)]
pub struct PersonFindingsDto {
    pub person_id: Uuid,
    pub name: String,
    pub findings: Vec<FindingDto>,
}

#[derive(Serialize, ToSchema)]
pub struct EnterpriseComplianceDto {
    /// The "4 个 100%" figures: rules 1, 2, 4 and 5 as shares of people.
    pub kpis: KpisDto,
    /// All the enterprise's figures from the verdict table.
    pub figures: FiguresDto,
    /// Everyone in post, worst first.
    pub people: Vec<PersonFindingsDto>,
}

/// An enterprise's KPIs and its people's findings today.
#[utoipa::path(get, path = "/api/v1/enterprises/{id}/compliance", tag = "compliance", params(("id" = Uuid, Path)),
    responses((status = 200, body = EnterpriseComplianceDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn enterprise(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<EnterpriseComplianceDto>, WebError> {
    let db = state.store.connection();
    let staff = access::enterprise_staff_read(db, &authed.actor, id).await?;
    let result = compliance::enterprise(db, staff, clock::today()).await?;
    Ok(axum::Json(EnterpriseComplianceDto {
        kpis: KpisDto::from(&result.kpis),
        figures: FiguresDto::from(&result.counts),
        people: result
            .people
            .iter()
            .map(|p| PersonFindingsDto {
                person_id: p.person_id,
                name: p.name.clone(),
                findings: p.findings.iter().map(FindingDto::from).collect(),
            })
            .collect(),
    }))
}

/// Where a KPI question is asked; empty means the caller's whole jurisdiction.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct KpiQuery {
    /// A city code (6 digits), within the caller's jurisdiction.
    #[serde(default)]
    city: String,
    /// A county code (6 digits); its city must be within the caller's jurisdiction.
    #[serde(default)]
    county: String,
    /// An industry code: hazardous_chemicals, coal_mine, non_coal_mine, metal_smelting,
    /// fireworks, oil_gas.
    #[serde(default)]
    industry: String,
    /// Break down by city, county, industry or enterprise (the level's default otherwise).
    #[serde(default)]
    by: String,
}

#[derive(Serialize, ToSchema)]
pub struct RuleCountsDto {
    /// People the rule applies to.
    pub applies: u64,
    pub due_soon: u64,
    pub violation: u64,
}

#[derive(Serialize, ToSchema)]
pub struct FiguresDto {
    /// People in post counted here.
    pub people: u64,
    /// The "4 个 100%" figures.
    pub kpis: KpisDto,
    /// "二个提升": team leaders qualified now, and on the baseline date.
    pub team_leaders_qualified: ShareDto,
    pub team_leaders_qualified_baseline: ShareDto,
    /// "二个提升": staff with a vocational qualification or skill-level certificate.
    pub staff_certified: ShareDto,
    /// Rule 7: key-position staff who completed skill-promotion training.
    pub key_position_promoted: ShareDto,
    /// Counts per person rule, keyed by rule code.
    pub rules: std::collections::BTreeMap<String, RuleCountsDto>,
    /// People with at least one violation.
    pub with_violation: u64,
    /// People without a violation but with something due soon.
    pub due_soon: u64,
    /// People with something due within 30, 60 and 90 days.
    pub due_within_30: u64,
    pub due_within_60: u64,
    pub due_within_90: u64,
}

impl From<&Counts> for FiguresDto {
    fn from(counts: &Counts) -> Self {
        let kpis = counts.kpis();
        let shares = counts.shares();
        let (with_violation, due_soon) = counts.worst();
        let [d30, d60, d90] = counts.due_within();
        FiguresDto {
            people: counts.people(),
            kpis: KpisDto::from(&kpis),
            team_leaders_qualified: (&shares.qualification.team_leaders).into(),
            team_leaders_qualified_baseline: (&shares.qualification.team_leaders_baseline).into(),
            staff_certified: (&shares.qualification.staff).into(),
            key_position_promoted: (&shares.key_position_promoted).into(),
            rules: PERSON_RULE_IDS
                .iter()
                .filter_map(|rule| {
                    let c = counts.rule(*rule)?;
                    Some((
                        rule.code().to_owned(),
                        RuleCountsDto {
                            applies: c.applies,
                            due_soon: c.due_soon,
                            violation: c.violation,
                        },
                    ))
                })
                .collect(),
            with_violation,
            due_soon,
            due_within_30: d30,
            due_within_60: d60,
            due_within_90: d90,
        }
    }
}

impl From<&Kpis> for KpisDto {
    fn from(kpis: &Kpis) -> Self {
        KpisDto {
            in_post_assessed: (&kpis.in_post_assessed).into(),
            new_hire_trained: (&kpis.new_hire_trained).into(),
            team_leader_trained: (&kpis.team_leader_trained).into(),
            special_ops_certified: (&kpis.special_ops_certified).into(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct KpiLineDto {
    /// A region code, an industry code or an enterprise id.
    pub key: String,
    /// The enterprise's name when broken down by enterprise.
    pub name: Option<String>,
    pub figures: FiguresDto,
}

#[derive(Serialize, ToSchema)]
pub struct KpiReportDto {
    /// The day of the last full evaluation; writes since are already counted.
    pub evaluated_on: Option<chrono::NaiveDate>,
    /// city, county, industry or enterprise.
    pub by: String,
    pub total: FiguresDto,
    pub lines: Vec<KpiLineDto>,
}

/// The KPIs of a regulator's jurisdiction (or a city, county or industry of it), with a
/// breakdown; read from the verdict table that every write keeps current.
#[utoipa::path(get, path = "/api/v1/kpis", tag = "compliance", params(KpiQuery),
    responses((status = 200, body = KpiReportDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn kpis(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Query(q): Query<KpiQuery>,
) -> Result<axum::Json<KpiReportDto>, WebError> {
    let db = state.store.connection();
    let place = dashboard::place(
        t,
        &authed.actor,
        &dashboard::DashboardQuery {
            city: q.city,
            county: q.county,
            industry: q.industry,
            ..Default::default()
        },
    )?;
    let options = dashboard::groupings(&place.area);
    let grouping = options
        .iter()
        .copied()
        .find(|g| dashboard::grouping_code(*g) == q.by)
        .unwrap_or(options[0]);
    let total = verdicts::rollup(db, &authed.actor, &place.area, None)
        .await?
        .into_iter()
        .fold(Counts::default(), |sum, line| sum + line.counts);
    let lines = verdicts::rollup(db, &authed.actor, &place.area, Some(grouping))
        .await?
        .into_iter()
        .map(|line| KpiLineDto {
            figures: FiguresDto::from(&line.counts),
            key: line.key,
            name: line.name,
        })
        .collect();
    Ok(axum::Json(KpiReportDto {
        evaluated_on: verdicts::last_rebuild(db).await?,
        by: dashboard::grouping_code(grouping).to_owned(),
        total: FiguresDto::from(&total),
        lines,
    }))
}

/// Which people: an area (as for `/api/v1/kpis`, or one enterprise) and one question.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct PeopleQueryDto {
    #[serde(default)]
    city: String,
    #[serde(default)]
    county: String,
    #[serde(default)]
    industry: String,
    /// An enterprise id (the enterprise itself may ask).
    #[serde(default)]
    enterprise: String,
    /// A rule code: people it finds in violation (or `verdict=due_soon`: due soon or worse).
    #[serde(default)]
    rule: String,
    #[serde(default)]
    verdict: String,
    /// violation | due_soon: by the person's worst verdict.
    #[serde(default)]
    worst: String,
    /// team_leader | certified | key_position: who is missing from a target's share.
    #[serde(default)]
    lack: String,
    /// 30 | 60 | 90: something falls due within that many days.
    #[serde(default)]
    due: String,
    /// 1-based.
    #[serde(default, deserialize_with = "crate::paging::page")]
    page: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct ListedPersonDto {
    pub person_id: Uuid,
    pub name: String,
    pub enterprise_id: Uuid,
    pub enterprise_name: String,
    /// The person's worst verdict today.
    pub worst: Option<String>,
    /// The earliest date something falls due.
    pub next_due: Option<chrono::NaiveDate>,
    /// The person's findings today, worst first.
    pub findings: Vec<FindingDto>,
}

#[derive(Serialize, ToSchema)]
pub struct PeopleListDto {
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub items: Vec<ListedPersonDto>,
}

/// "Who is out of compliance now, and why" and "who falls due within 30/60/90 days", for an
/// enterprise, a county, a city or the province: a page of people with their findings.
#[utoipa::path(get, path = "/api/v1/kpis/people", tag = "compliance", params(PeopleQueryDto),
    responses((status = 200, body = PeopleListDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn kpi_people(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Query(q): Query<PeopleQueryDto>,
) -> Result<axum::Json<PeopleListDto>, WebError> {
    const PER_PAGE: u64 = 50;
    let db = state.store.connection();
    let today = clock::today();
    let (wanted, _) = dashboard::wanted(&dashboard::PeopleQuery {
        rule: q.rule,
        verdict: q.verdict,
        worst: q.worst,
        lack: q.lack,
        due: q.due,
        ..Default::default()
    })?;
    let area = if q.enterprise.is_empty() {
        dashboard::place(
            t,
            &authed.actor,
            &dashboard::DashboardQuery {
                city: q.city,
                county: q.county,
                industry: q.industry,
                ..Default::default()
            },
        )?
        .area
    } else {
        let id = Uuid::parse_str(&q.enterprise).map_err(|_| WebError::NotFound)?;
        access::enterprise_staff_read(db, &authed.actor, id).await?;
        verdicts::Area {
            enterprise: Some(id),
            ..Default::default()
        }
    };
    let page = q.page.unwrap_or(1).max(1);
    let (total, listed) = verdicts::people(
        db,
        &authed.actor,
        &area,
        wanted,
        today,
        (page - 1) * PER_PAGE,
        PER_PAGE,
    )
    .await?;
    let ids: Vec<Uuid> = listed.iter().map(|p| p.person_id).collect();
    let facts = compliance::person_facts(db, &ids).await?;
    let items = listed
        .into_iter()
        .map(|person| {
            let mut findings = facts
                .get(&person.person_id)
                .map(|f| evaluate_person(f, compliance::rule_set(), today))
                .unwrap_or_default();
            findings.sort_by_key(|f| std::cmp::Reverse(f.verdict));
            ListedPersonDto {
                person_id: person.person_id,
                name: person.name,
                enterprise_id: person.enterprise_id,
                enterprise_name: person.enterprise_name,
                worst: person.row.worst().map(|v| v.code().to_owned()),
                next_due: person.row.next_due,
                findings: findings.iter().map(FindingDto::from).collect(),
            }
        })
        .collect();
    Ok(axum::Json(PeopleListDto {
        total,
        page,
        per_page: PER_PAGE,
        items,
    }))
}

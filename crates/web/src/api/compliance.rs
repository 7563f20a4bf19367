//! Compliance answers (SPEC C5) as JSON: one person's findings, and an enterprise's KPIs
//! with everyone's findings.

use anpei_domain::rules::{Finding, Share};
use anpei_store::{access, compliance};
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::Authed;
use crate::error::{Problem, WebError};
use crate::extract::Path;
use crate::{AppState, clock};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(person))
        .routes(routes!(enterprise))
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
        kpis: KpisDto {
            in_post_assessed: (&result.kpis.in_post_assessed).into(),
            new_hire_trained: (&result.kpis.new_hire_trained).into(),
            team_leader_trained: (&result.kpis.team_leader_trained).into(),
            special_ops_certified: (&result.kpis.special_ops_certified).into(),
        },
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

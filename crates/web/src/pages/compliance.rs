//! Compliance pages (SPEC C5): an enterprise's "4 个 100%" figures, each a link down to the
//! people behind it with the reason for each verdict.

use anpei_domain::rules::{Finding, RuleId, Share, Verdict};
use anpei_store::{access, compliance};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use uuid::Uuid;

use super::{Layout, render};
use crate::auth::Authed;
use crate::error::WebError;
use crate::extract::{Path, Query};
use crate::i18n::Tr;
use crate::{AppState, clock};

pub fn router() -> Router<AppState> {
    Router::new().route("/enterprises/{id}/compliance", get(page))
}

/// One KPI tile.
pub struct KpiTile {
    pub rule: &'static str,
    pub label: &'static str,
    pub percent: String,
    pub detail: String,
    pub href: String,
    pub tone: &'static str,
}

pub fn verdict_badge(t: Tr, verdict: Verdict) -> (&'static str, &'static str) {
    match verdict {
        Verdict::Compliant => (t.pick("合规", "Compliant"), "ok"),
        Verdict::DueSoon => (t.pick("即将到期", "Due soon"), "warn"),
        Verdict::Violation => (t.pick("不合规", "Violation"), "bad"),
    }
}

/// The four KPI tiles for an enterprise, each linking to its people.
pub fn kpi_tiles(t: Tr, enterprise: Uuid, kpis: &anpei_domain::rules::Kpis) -> Vec<KpiTile> {
    kpi_tiles_for(t, kpis, Some(enterprise))
}

/// The four KPI tiles; with an enterprise, each links to its people.
pub fn kpi_tiles_for(
    t: Tr,
    kpis: &anpei_domain::rules::Kpis,
    enterprise: Option<Uuid>,
) -> Vec<KpiTile> {
    let tile = |rule: RuleId, label: &'static str, share: &Share| {
        let percent = share
            .percent()
            .map(|p| format!("{p:.1}%"))
            .unwrap_or_else(|| "—".to_owned());
        let tone = match share.percent() {
            None => "",
            Some(p) if p >= 100.0 => "ok",
            Some(p) if p >= 90.0 => "warn",
            Some(_) => "bad",
        };
        KpiTile {
            rule: rule.code(),
            label,
            percent,
            detail: if t.is_en() {
                format!("{} of {} people", share.numerator, share.denominator)
            } else {
                format!("{} / {} 人", share.numerator, share.denominator)
            },
            href: enterprise
                .map(|e| format!("/enterprises/{e}/compliance?rule={}", rule.code()))
                .unwrap_or_default(),
            tone,
        }
    };
    vec![
        tile(
            RuleId::InPostAssessed,
            t.pick("在岗员工培训考核合格", "In-post staff assessed"),
            &kpis.in_post_assessed,
        ),
        tile(
            RuleId::NewHireHours,
            t.pick("新招录人员培训合格上岗", "New hires trained"),
            &kpis.new_hire_trained,
        ),
        tile(
            RuleId::TeamLeaderPromotion,
            t.pick("班组长技能提升培训", "Team leaders trained"),
            &kpis.team_leader_trained,
        ),
        tile(
            RuleId::SpecialOpsCertified,
            t.pick("特种作业人员持证上岗", "Special-ops workers certified"),
            &kpis.special_ops_certified,
        ),
    ]
}

#[derive(Deserialize, Default)]
struct RuleQuery {
    #[serde(default)]
    rule: String,
    /// Also list compliant people.
    #[serde(default)]
    all: Option<String>,
}

struct Line {
    href: String,
    name: String,
    rule: &'static str,
    verdict: &'static str,
    tone: &'static str,
    reason: String,
}

struct RuleChoice {
    code: &'static str,
    label: &'static str,
    selected: bool,
}

#[derive(Template)]
#[template(path = "compliance.html")]
struct CompliancePage {
    l: Layout,
    enterprise_href: String,
    enterprise_name: String,
    tiles: Vec<KpiTile>,
    rules: Vec<RuleChoice>,
    rule_label: String,
    lines: Vec<Line>,
    people: usize,
    show_all: bool,
    all_href: String,
}

fn reason(t: Tr, finding: &Finding) -> String {
    if t.is_en() {
        finding.reason_en.clone()
    } else {
        finding.reason_zh.clone()
    }
}

async fn page(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
    Query(q): Query<RuleQuery>,
) -> Result<Response, WebError> {
    let today = clock::today();
    let db = state.store.connection();
    let staff = access::enterprise_staff_read(db, &authed.actor, id).await?;
    let enterprise = anpei_store::read::enterprise(db, &authed.actor, id, today).await?;
    let result = compliance::enterprise(db, staff, today).await?;
    let rule = RuleId::parse(&q.rule);
    let show_all = q.all.is_some();
    let mut lines = Vec::new();
    for person in &result.people {
        for finding in person
            .findings
            .iter()
            .filter(|f| rule.is_none_or(|r| f.rule == r))
        {
            if finding.verdict == Verdict::Compliant && !show_all {
                continue;
            }
            let (verdict, tone) = verdict_badge(t, finding.verdict);
            lines.push(Line {
                href: format!("/persons/{}", person.person_id),
                name: person.name.clone(),
                rule: t.pick(finding.rule.name_zh(), finding.rule.name_en()),
                verdict,
                tone,
                reason: reason(t, finding),
            });
        }
    }
    let rule_label = rule
        .map(|r| t.pick(r.name_zh(), r.name_en()).to_owned())
        .unwrap_or_else(|| t.pick("全部规则", "All rules").to_owned());
    render(&CompliancePage {
        l: Layout::new(
            t,
            t.pick("合规检查", "Compliance"),
            Some(&authed),
            &format!("/enterprises/{id}/compliance"),
        ),
        enterprise_href: format!("/enterprises/{id}"),
        tiles: kpi_tiles(t, id, &result.kpis),
        rules: RuleId::ALL
            .iter()
            .map(|r| RuleChoice {
                code: r.code(),
                label: t.pick(r.name_zh(), r.name_en()),
                selected: Some(*r) == rule,
            })
            .collect(),
        rule_label,
        people: result.people.len(),
        lines,
        all_href: format!(
            "/enterprises/{id}/compliance?rule={}&all=1",
            rule.map(|r| r.code()).unwrap_or("")
        ),
        show_all,
        enterprise_name: enterprise.name,
    })
}

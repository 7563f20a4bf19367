//! People: search (by name, or by full ID number sent in a POST body, never in the URL) and
//! the lifelong archive page (一人一档), where an employer may invite a person of its
//! current staff who has no account yet to make one (a one-time link, shown once).

use anpei_store::access;
use anpei_store::read::{self, PersonQuery, PersonSort};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use uuid::Uuid;

use super::{Layout, date, render};
use crate::auth::Authed;
use crate::error::WebError;
use crate::extract::{Form, Path};
use crate::i18n::Tr;
use crate::{AppState, clock};

mod records;

use records::{change_certificate, invite, issue_certificate, record_assessment, record_training};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/persons", get(search_page))
        .route("/persons/search", post(search))
        .route("/persons/{id}", get(archive_page))
        .route("/persons/{id}/export.json", get(export))
        .route("/persons/{id}/id-number", post(open_id_number))
        .route("/persons/{id}/certificates", post(issue_certificate))
        .route("/persons/{id}/trainings", post(record_training))
        .route("/persons/{id}/assessments", post(record_assessment))
        .route("/persons/{id}/invite", post(invite))
        .route(
            "/persons/{id}/certificates/{certificate_id}/{action}",
            post(change_certificate),
        )
}

#[derive(Debug, Clone, Default, Deserialize)]
struct SearchForm {
    #[serde(default)]
    q: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    desc: Option<String>,
    #[serde(default, deserialize_with = "crate::paging::page")]
    page: Option<u64>,
    /// A sort header was clicked: sort by it, flipping the order if it is already current.
    #[serde(default)]
    sort_by: Option<String>,
}

struct ResultRow {
    href: String,
    name: String,
    id_masked: String,
    gender: &'static str,
    birth: String,
    employers: String,
}

struct SortButton {
    key: &'static str,
    label: &'static str,
    aria: &'static str,
    arrow: &'static str,
}

#[derive(Template)]
#[template(path = "persons.html")]
struct SearchPage {
    l: Layout,
    results: Results,
}

#[derive(Template)]
#[template(path = "persons_results.html")]
struct Results {
    t: Tr,
    searched: bool,
    q: String,
    sort: String,
    desc: bool,
    rows: Vec<ResultRow>,
    headers: Vec<SortButton>,
    page: u64,
    pages: u64,
    total: u64,
}

async fn search_page(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
) -> Result<Response, WebError> {
    let results = run_search(&state, t, &authed, SearchForm::default(), false).await?;
    render(&SearchPage {
        l: Layout::new(
            t,
            t.pick("人员查询", "Find a person"),
            Some(&authed),
            "/persons",
        ),
        results,
    })
}

async fn search(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    headers: HeaderMap,
    Form(form): Form<SearchForm>,
) -> Result<Response, WebError> {
    let results = run_search(&state, t, &authed, form, true).await?;
    if headers.contains_key("hx-request") {
        render(&results)
    } else {
        render(&SearchPage {
            l: Layout::new(
                t,
                t.pick("人员查询", "Find a person"),
                Some(&authed),
                "/persons",
            ),
            results,
        })
    }
}

async fn run_search(
    state: &AppState,
    t: Tr,
    authed: &Authed,
    form: SearchForm,
    searched: bool,
) -> Result<Results, WebError> {
    let current_desc = form.desc.as_deref() == Some("true");
    let (sort_by, desc, page) = match &form.sort_by {
        Some(by) => (by.clone(), *by == form.sort && !current_desc, 1),
        None => (form.sort.clone(), current_desc, form.page.unwrap_or(1)),
    };
    let sort = match sort_by.as_str() {
        "birth" => PersonSort::BirthDate,
        "recent" => PersonSort::Recent,
        _ => PersonSort::Name,
    };
    let query = PersonQuery {
        text: form.q.clone(),
        page,
        per_page: 20,
        sort,
        desc,
    };
    let page = read::search_persons(
        state.store.connection(),
        &authed.actor,
        &query,
        clock::today(),
    )
    .await?;
    let sort_key = match sort {
        PersonSort::Name => "name",
        PersonSort::BirthDate => "birth",
        PersonSort::Recent => "recent",
    };
    let headers = [
        ("name", t.pick("姓名", "Name")),
        ("birth", t.pick("出生年份", "Born")),
    ]
    .into_iter()
    .map(|(key, label)| {
        let active = key == sort_key;
        SortButton {
            key,
            label,
            aria: match (active, desc) {
                (false, _) => "none",
                (true, false) => "ascending",
                (true, true) => "descending",
            },
            arrow: match (active, desc) {
                (false, _) => "↕",
                (true, false) => "↑",
                (true, true) => "↓",
            },
        }
    })
    .collect();
    Ok(Results {
        t,
        searched,
        q: form.q,
        sort: sort_key.to_owned(),
        desc,
        pages: page.pages(),
        page: page.page,
        total: page.total,
        headers,
        rows: page
            .items
            .into_iter()
            .map(|p| ResultRow {
                href: format!("/persons/{}", p.id),
                id_masked: p.id_number.masked(),
                gender: t.pick(p.gender.name_zh(), p.gender.name_en()),
                birth: birth_year(t, p.birth_date),
                employers: p.employers.join("，"),
                name: p.name,
            })
            .collect(),
    })
}

struct JobRow {
    enterprise: String,
    enterprise_href: String,
    city: String,
    kind: &'static str,
    position: String,
    flags: Vec<&'static str>,
    trade: Option<String>,
    period: String,
    current: bool,
    recorded: String,
}

struct CertRow {
    number: String,
    verify_href: String,
    pdf_href: String,
    kind: &'static str,
    trade: String,
    issuer: String,
    issued: String,
    valid_until: String,
    next_review: String,
    status: &'static str,
    tone: &'static str,
    reason: String,
    action_base: String,
    revoked: bool,
    suspended: bool,
}

/// The issue form's values, kept when it reports an error.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IssueForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    trade: String,
    #[serde(default)]
    issued_on: String,
}

struct Choice {
    value: String,
    label: String,
}

struct TrainingRow {
    kind: &'static str,
    ended_on: String,
    hours: String,
    passed: &'static str,
    provider: String,
}

struct AssessmentRow {
    on: String,
    position: String,
    passed: bool,
    label: &'static str,
}

struct FindingRow {
    rule: &'static str,
    verdict: &'static str,
    tone: &'static str,
    reason: String,
}

struct HistoryRow {
    seq: i64,
    at: String,
    actor: String,
    action: String,
}

/// One line of the enterprise ledgers shown on the archive: what, and where and when.
struct LedgerLine {
    title: String,
    detail: String,
    open: bool,
}

#[derive(Template)]
#[template(path = "archive.html")]
struct ArchivePage {
    l: Layout,
    id: Uuid,
    name: String,
    id_masked: String,
    /// The reader may open the full number (the person, their employer, a regulator).
    can_open_id: bool,
    /// The full number is shown (opened on purpose, and audited).
    id_opened: bool,
    gender: &'static str,
    birth: String,
    phone: String,
    education: String,
    created: String,
    recorded: String,
    flags: Vec<&'static str>,
    jobs: Vec<JobRow>,
    history: Vec<HistoryRow>,
    certificates: Vec<CertRow>,
    findings: Vec<FindingRow>,
    trainings: Vec<TrainingRow>,
    exams: Vec<ExamRow>,
    assessments: Vec<AssessmentRow>,
    apprenticeships: Vec<LedgerLine>,
    off_post: Vec<LedgerLine>,
    promotions: Vec<LedgerLine>,
    training_kinds: Vec<Choice>,
    can_record: bool,
    /// The employer's view (`can_record`): whether the person has an account, with the
    /// invitation when not.
    has_account: bool,
    can_issue: bool,
    kinds: Vec<Choice>,
    trades: Vec<Choice>,
    form: IssueForm,
    form_error: Option<String>,
    form_field: String,
    today: String,
    ledger_seq: i64,
    ledger_hash: String,
}

struct ExamRow {
    on: String,
    trade: String,
    part: &'static str,
    sitting: String,
    status: &'static str,
    result: String,
    tone: &'static str,
    site: String,
}

fn exam_row(t: Tr, r: &anpei_store::exam::registration::ExamRecord) -> ExamRow {
    let status = match r.status.as_str() {
        "registered" => t.pick("已报名", "Registered"),
        "signed_in" => t.pick("考试中", "In progress"),
        "absent" => t.pick("缺考", "Absent"),
        _ => t.pick("已考", "Taken"),
    };
    let (result, tone) = match (r.score, r.passed) {
        (Some(score), Some(true)) => (format!("{score} {}", t.pick("分 合格", "· passed")), "ok"),
        (Some(score), Some(false)) => (
            format!("{score} {}", t.pick("分 不合格", "· not passed")),
            "bad",
        ),
        _ => ("—".to_owned(), ""),
    };
    ExamRow {
        on: date(r.on),
        trade: anpei_domain::trade::find_trade(&r.trade_code).map_or_else(
            || r.trade_code.clone(),
            |tr| format!("{} {}", tr.code, t.pick(tr.name, tr.name_en)),
        ),
        part: t.pick(r.part.name_zh(), r.part.name_en()),
        sitting: if r.make_up {
            t.pick("补考", "make-up").to_owned()
        } else {
            t.pick("首考", "first").to_owned()
        },
        status,
        result,
        tone,
        site: r.site.clone(),
    }
}

pub fn action_label(t: Tr, action: &str) -> String {
    let (zh, en) = match action {
        "person.create" => ("建立档案", "Archive created"),
        "person.update_phone" => ("更新手机号", "Mobile number updated"),
        "employment.start" => ("登记入职", "Employment recorded"),
        "employment.end" => ("登记离职", "Employment ended"),
        "certificate.issue" => ("颁发证书", "Certificate issued"),
        "certificate.review" => ("证书复审", "Certificate reviewed"),
        "certificate.renew" => ("证书换证", "Certificate renewed"),
        "certificate.suspend" => ("暂扣证书", "Certificate suspended"),
        "certificate.reinstate" => ("恢复证书", "Certificate reinstated"),
        "certificate.revoke" => ("撤销证书", "Certificate revoked"),
        "training.record" => ("登记培训", "Training recorded"),
        "assessment.record" => ("登记考核", "Assessment recorded"),
        "apprenticeship.record" => ("登记师带徒", "Apprenticeship recorded"),
        "apprenticeship.graduate" => ("登记出徒", "Graduation recorded"),
        "off_post.open" => ("登记离岗", "Off post"),
        "off_post.close" => ("登记返岗", "Back on post"),
        "process_change.affect" => ("四新变更涉及", "Affected by a process change"),
        "skill_promotion.plan" => ("登记晋级计划", "Promotion scheduled"),
        "skill_promotion.achieve" => ("登记晋级", "Promotion achieved"),
        "exam.register" => ("考试报名", "Registered for an exam"),
        "exam.sign_in" => ("考试签到", "Signed in at an exam"),
        "exam.finish" => ("考试结束", "Exam finished"),
        "exam.absent" => ("缺考", "Absent from an exam"),
        "exam.start" => ("开始答题", "Exam started"),
        "exam.submit" => ("交卷", "Paper handed in"),
        "exam.practical_score" => ("实操评分", "Practical exam scored"),
        other => (other, other),
    };
    t.pick(zh, en).to_owned()
}

async fn archive_page(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    render(&archive_view(&state, t, &authed, id, IssueForm::default(), None).await?)
}

/// The archive with the full ID number shown: opened on purpose by a reader who may, and
/// audited (`pii_audit`); the page is never cached.
async fn open_id_number(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    let db = state.store.connection();
    let access = access::person_read(db, &authed.actor, id, clock::today()).await?;
    let full =
        anpei_store::pii_audit::open_id_number(db, &authed.actor, access, clock::now()).await?;
    let mut page = archive_view(&state, t, &authed, id, IssueForm::default(), None).await?;
    page.id_masked = full.as_str().to_owned();
    page.id_opened = true;
    Ok(([(header::CACHE_CONTROL, "no-store")], render(&page)?).into_response())
}

async fn archive_view(
    state: &AppState,
    t: Tr,
    authed: &Authed,
    id: Uuid,
    form: IssueForm,
    error: Option<(String, String)>,
) -> Result<ArchivePage, WebError> {
    let today = clock::today();
    let db = state.store.connection();
    let access = access::person_read(db, &authed.actor, id, today).await?;
    let archive = read::archive(db, access, today).await?;
    let flags = archive.current_flags();
    let flag_labels = if t.is_en() {
        flags.labels_en()
    } else {
        flags.labels_zh()
    };
    let provenance = |p: &Option<read::Provenance>| {
        p.as_ref()
            .map(|p| format!("{} · {} · #{}", p.actor_name, clock::local(p.at), p.seq))
            .unwrap_or_else(|| t.pick("无账本记录", "No ledger entry").to_owned())
    };
    let jobs = archive
        .employments
        .iter()
        .map(|e| JobRow {
            enterprise: e.enterprise_name.clone(),
            enterprise_href: format!("/enterprises/{}", e.enterprise_id),
            city: e.city_name.clone(),
            kind: t.pick(e.kind.name_zh(), e.kind.name_en()),
            position: e.position.clone(),
            flags: if t.is_en() {
                e.flags.labels_en()
            } else {
                e.flags.labels_zh()
            },
            trade: e.flags.special_ops_trade.as_deref().map(|code| {
                match anpei_domain::trade::find_trade(code) {
                    Some(trade) => format!("{} {}", trade.code, t.pick(trade.name, trade.name_en)),
                    None => code.to_owned(),
                }
            }),
            period: format!(
                "{} — {}",
                date(e.period.from()),
                e.period
                    .to()
                    .map(date)
                    .unwrap_or_else(|| t.pick("至今", "present").to_owned())
            ),
            current: e.current,
            recorded: provenance(&e.recorded),
        })
        .collect();
    let certificates = archive
        .certificates
        .iter()
        .map(|c| {
            let (status, tone) = super::verify::status_badge(t, c.status);
            CertRow {
                verify_href: format!("/verify/{}", c.number),
                pdf_href: format!("/certificates/{}/pdf", c.number),
                kind: t.pick(c.kind.name_zh(), c.kind.name_en()),
                trade: c
                    .trade
                    .map(|tr| format!("{} {}", tr.code, t.pick(tr.name, tr.name_en)))
                    .unwrap_or_default(),
                issuer: c.issuer.clone(),
                issued: date(c.issued_on),
                valid_until: date(c.expires_on),
                next_review: c
                    .next_review_due
                    .map(date)
                    .unwrap_or_else(|| "—".to_owned()),
                status,
                tone,
                reason: c.status_reason.clone().unwrap_or_default(),
                action_base: format!("/persons/{id}/certificates/{}", c.id),
                revoked: c.status == anpei_domain::certificate::CertificateStatus::Revoked,
                suspended: c.status == anpei_domain::certificate::CertificateStatus::Suspended,
                number: c.number.clone(),
            }
        })
        .collect();
    let can_issue = anpei_store::ops::certificates::certificate_authority(&authed.actor).is_ok();
    let findings = anpei_store::compliance::person(db, access, today)
        .await?
        .iter()
        .map(|f| {
            let (verdict, tone) = super::compliance::verdict_badge(t, f.verdict);
            FindingRow {
                rule: t.pick(f.rule.name_zh(), f.rule.name_en()),
                verdict,
                tone,
                reason: if t.is_en() {
                    f.reason_en.clone()
                } else {
                    f.reason_zh.clone()
                },
            }
        })
        .collect();
    let (form_error, form_field) = match error {
        Some((field, message)) => (Some(message), field),
        None => (None, String::new()),
    };
    let ledgers = anpei_store::read_ledgers::person(db, access).await?;
    let exams = anpei_store::exam::registration::archive_records(db, access)
        .await?
        .iter()
        .map(|r| exam_row(t, r))
        .collect();
    let person = &archive.person;
    let can_record = matches!(authed.actor.scope, anpei_store::Scope::Enterprise(e) if archive.employments.iter().any(|j| j.current && j.enterprise_id == e));
    // Only its current employer is offered the invitation, so only it is told.
    let has_account = can_record && anpei_store::ops::accounts::signup::has_account(db, id).await?;
    let page = ArchivePage {
        l: Layout::new(t, &person.name, Some(authed), &format!("/persons/{id}")),
        certificates,
        findings,
        exams,
        trainings: archive
            .trainings
            .iter()
            .map(|tr| TrainingRow {
                kind: anpei_domain::rules::TrainingKind::parse(&tr.kind)
                    .map(|k| t.pick(k.name_zh(), k.name_en()))
                    .unwrap_or(""),
                ended_on: date(tr.ended_on),
                hours: format!("{:.1}", tr.hours),
                passed: if tr.passed_exam {
                    t.pick("考核合格", "passed")
                } else {
                    t.pick("未通过", "not passed")
                },
                provider: tr.provider.clone(),
            })
            .collect(),
        assessments: archive
            .assessments
            .iter()
            .map(|a| AssessmentRow {
                on: date(a.assessed_on),
                position: a.position.clone(),
                passed: a.passed,
                label: if a.passed {
                    t.pick("合格", "Passed")
                } else {
                    t.pick("不合格", "Failed")
                },
            })
            .collect(),
        apprenticeships: ledgers
            .apprenticeships
            .iter()
            .map(|a| LedgerLine {
                title: format!(
                    "{} · {} {}",
                    a.row.position,
                    t.pick("师傅", "mentor"),
                    a.mentor
                ),
                detail: format!(
                    "{} · {} — {}{}",
                    a.enterprise,
                    date(a.row.started_on),
                    a.row
                        .graduated_on
                        .map(|on| format!("{} {}", t.pick("出徒", "graduated"), date(on)))
                        .unwrap_or_else(|| format!(
                            "{} {}",
                            t.pick("计划出徒", "graduation planned"),
                            date(a.row.planned_graduation_on)
                        )),
                    if a.row.works_alone && a.row.graduated_on.is_none() {
                        t.pick("（已独立上岗）", " (works alone)")
                    } else {
                        ""
                    }
                ),
                open: a.row.graduated_on.is_none(),
            })
            .collect(),
        off_post: ledgers
            .off_post
            .iter()
            .map(|p| LedgerLine {
                title: anpei_domain::OffPostReason::parse(&p.row.reason)
                    .map(|r| t.pick(r.name_zh(), r.name_en()).to_owned())
                    .unwrap_or_default(),
                detail: format!(
                    "{} · {} — {}{}",
                    p.enterprise,
                    date(p.row.starts_on),
                    p.row
                        .ends_on
                        .map(date)
                        .unwrap_or_else(|| t.pick("至今", "present").to_owned()),
                    if p.row.note.is_empty() {
                        String::new()
                    } else {
                        format!(" · {}", p.row.note)
                    }
                ),
                open: p.row.ends_on.is_none_or(|ends_on| ends_on >= today),
            })
            .collect(),
        promotions: ledgers
            .promotions
            .iter()
            .map(|p| {
                let level = |code: &str| {
                    anpei_domain::SkillLevel::parse(code)
                        .map(|l| t.pick(l.name_zh(), l.name_en()))
                        .unwrap_or("")
                };
                LedgerLine {
                    title: format!("{} → {}", level(&p.current_level), level(&p.target_level)),
                    detail: match p.achieved_on {
                        Some(on) => format!("{} {}", t.pick("已于", "achieved on"), date(on)),
                        None => format!("{} {}", t.pick("计划完成", "due"), date(p.due_on)),
                    },
                    open: p.achieved_on.is_none(),
                }
            })
            .collect(),
        training_kinds: anpei_domain::rules::TrainingKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.code().to_owned(),
                label: t.pick(k.name_zh(), k.name_en()).to_owned(),
            })
            .collect(),
        can_record,
        has_account,
        can_issue,
        kinds: anpei_domain::certificate::CertificateKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.code().to_owned(),
                label: t.pick(k.name_zh(), k.name_en()).to_owned(),
            })
            .collect(),
        trades: anpei_domain::trade::trades()
            .iter()
            .map(|tr| Choice {
                value: tr.code.to_owned(),
                label: format!("{} {}", tr.code, t.pick(tr.name, tr.name_en)),
            })
            .collect(),
        form,
        form_error,
        form_field,
        today: date(today),
        id,
        name: person.name.clone(),
        id_masked: person.id_number.masked(),
        can_open_id: anpei_store::pii_audit::may_open_id_number(&authed.actor),
        id_opened: false,
        gender: t.pick(person.gender.name_zh(), person.gender.name_en()),
        birth: birth_year(t, person.birth_date),
        phone: person
            .phone
            .as_ref()
            .map(|p| p.masked())
            .unwrap_or_else(|| "—".to_owned()),
        education: person
            .education
            .map(|e| t.pick(e.name_zh(), e.name_en()).to_owned())
            .unwrap_or_else(|| t.pick("未登记", "Not recorded").to_owned()),
        created: clock::local(person.created_at),
        recorded: provenance(&archive.recorded),
        flags: flag_labels,
        jobs,
        history: archive
            .history
            .iter()
            .rev()
            .map(|h| HistoryRow {
                seq: h.seq,
                at: clock::local(h.at),
                actor: h.actor_name.clone(),
                action: action_label(t, &h.action),
            })
            .collect(),
        ledger_seq: archive.ledger_head.0,
        ledger_hash: hex::encode(&archive.ledger_head.1)
            .chars()
            .take(16)
            .collect(),
    };
    Ok(page)
}

/// Every form on the archive page ends here: back to the page on success; on a refusal the
/// page again with the reason, the field marked, and the certificate form's values kept.
pub(super) async fn archive_outcome(
    state: &AppState,
    t: Tr,
    authed: &Authed,
    id: Uuid,
    outcome: Result<(), WebError>,
    anchor: &str,
    form: IssueForm,
) -> Result<Response, WebError> {
    match outcome {
        Ok(()) => {
            Ok(axum::response::Redirect::to(&format!("/persons/{id}#{anchor}")).into_response())
        }
        Err(WebError::Invalid { field, zh, en }) => {
            let message = t.pick_owned(&(zh, en));
            let page = archive_view(state, t, authed, id, form, Some((field, message))).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(other) => Err(other),
    }
}

async fn export(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    let today = clock::today();
    let db = state.store.connection();
    let access = access::person_read(db, &authed.actor, id, today).await?;
    let document = state
        .store
        .export_archive(&authed.actor, access, today, clock::now())
        .await?;
    let body =
        serde_json::to_string_pretty(&document).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/json; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"anpei-archive-{id}.json\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// A birth date as pages show it beside a masked ID number: the year only (with the full
/// date the masked number gives the whole one away in three guesses for 98.5 % of people).
fn birth_year(t: Tr, born: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let year = born.year();
    if t.is_en() {
        year.to_string()
    } else {
        format!("{year} 年")
    }
}

//! The safety-skills subsidy pages (issue 5, SPEC C10): the seed's 审核表 as a workflow in
//! the browser.
//!
//! - `/subsidies`: the applications the caller may see (scoped by the store like the API),
//!   by status, sortable and paged;
//! - `/subsidies/new` (enterprises): the form's header from the enterprise's record, the
//!   handler, the institution, the training dates, the rows ticked from its certified staff,
//!   the written pledge accepted by a named person, the amount computed as rows are ticked;
//! - `/subsidies/{id}`: the form for every party — header, a timeline of the four steps, the
//!   rows with the institution's answers, the automatic checks and the decisions — and the
//!   action of whoever's turn it is: the institution confirms each row naming a completed
//!   class, the city regulator decides each row beside its eight checks, the HR bureau
//!   records payment of the approved rows.
//!
//! A refused form comes back with everything typed and chosen kept and every problem listed
//! by field (what the page can tell itself first, then what the store refuses). The writes
//! are the store's own operations, as in the JSON API.

use std::collections::HashMap;

use anpei_domain::subsidy::{Check, SUBSIDY_RULES};
use anpei_domain::{PersonName, Phone, region, trade};
use anpei_store::Scope;
use anpei_store::entity::training_class;
use anpei_store::ops::subsidies::{
    self as ops, NewApplication, RowConfirmation, RowDecision, decision, status,
};
use anpei_store::read::MAX_PER_PAGE;
use anpei_store::read_subsidies::{self as read, ApplicationFilter, ApplicationSummary};
use anpei_store::read_training;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use super::{Layout, Pager, SortHeader, date, query_string, render, sort_headers};
use crate::api::certificates::parse_date;
use crate::api::enterprise_ledgers::{ledger_read, ledger_write};
use crate::auth::Authed;
use crate::error::WebError;
use crate::extract::{Form, Path, Query};
use crate::i18n::Tr;
use crate::{AppState, clock};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/subsidies", get(list).post(file))
        .route("/subsidies/new", get(new_form))
        .route("/subsidies/{id}", get(detail))
        .route("/subsidies/{id}/confirmation", post(confirm))
        .route("/subsidies/{id}/review", post(review))
        .route("/subsidies/{id}/payments", post(pay))
}

const PER_PAGE: u64 = 20;
/// Most applications a list sorts by another column than the filing date; the store pages
/// by filing date, so other orders are made here over at most this many.
const SORT_LIMIT: u64 = 2_000;
/// Most certificates the form offers (the store's own limit for the JSON API).
const CANDIDATES: u64 = 2_000;
/// Most completed classes whose trainees are read to preselect each row's class.
const CLASS_LOOKUPS: usize = 12;

/// The written pledge (申请企业书面承诺): the seed's words, with the full-width punctuation the
/// printed form uses (the seed's half-width `(`, `,` are conversion leftovers).
pub const PLEDGE: &str = "本企业申报安全技能提升补贴的特种作业人员已依法建立了劳动（用工）关系，补贴资金申请信息真实全面、准确无误，愿意承担虚假培训及申报产生的全部法律责任。";

// ---------------------------------------------------------------- shared with training.rs

/// One option of a `<select>` or one checkbox.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    pub fn new(value: impl Into<String>, label: impl Into<String>, selected: bool) -> Self {
        Choice {
            value: value.into(),
            label: label.into(),
            selected,
        }
    }
}

/// Options under one heading (`<optgroup>`).
#[derive(Debug, Clone)]
pub struct ChoiceGroup {
    pub label: String,
    pub choices: Vec<Choice>,
}

/// One problem with a form: the field (as the store names it), where it is on the page, its
/// label and why.
#[derive(Debug, Clone)]
pub struct FieldError {
    pub field: String,
    pub anchor: String,
    pub label: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, anchor: &str, label: impl Into<String>, message: String) -> Self {
        FieldError {
            field: field.to_owned(),
            anchor: anchor.to_owned(),
            label: label.into(),
            message,
        }
    }
}

/// The message of a refusal in the reader's language.
pub fn message(t: Tr, err: &WebError) -> String {
    t.pick_owned(&err.messages())
}

/// What was typed into a form, kept to show it again (fields may repeat).
#[derive(Debug, Default, Clone)]
pub struct Typed(pub Vec<(String, String)>);

impl Typed {
    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.trim().to_owned())
            .unwrap_or_default()
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(key, value)| key == name && !value.trim().is_empty())
            .map(|(_, value)| value.trim().to_owned())
            .collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(key, _)| key == name)
    }
}

/// "1.2 低压电工作业".
pub fn trade_label(t: Tr, code: &str) -> String {
    match trade::find_trade(code) {
        Some(found) => format!("{code} {}", t.pick(found.name, found.name_en)),
        None => code.to_owned(),
    }
}

/// The city of a region code, by name.
pub fn city_label(t: Tr, code: &str) -> String {
    region::city_of(code)
        .or_else(|| region::find(code))
        .map_or_else(|| code.to_owned(), |r| t.pick(r.name, r.name_en).to_owned())
}

/// Yuan with thousands separators: 12,000.
pub fn yuan(amount: u64) -> String {
    let digits = amount.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, ch) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The index in `decisions[3].comment`-style field names.
fn index_in(field: &str, prefix: &str) -> Option<usize> {
    field
        .strip_prefix(prefix)?
        .strip_prefix('[')?
        .split(']')
        .next()?
        .parse()
        .ok()
}

fn parse_uuid(raw: &str) -> Option<Uuid> {
    Uuid::parse_str(raw.trim()).ok()
}

// ---------------------------------------------------------------- labels

/// The status as the parties read it, and its badge tone.
fn status_label(t: Tr, code: &str) -> (&'static str, &'static str) {
    match code {
        status::FILED => (
            t.pick("已提交待机构确认", "Filed, awaiting the institution"),
            "pending",
        ),
        status::CONFIRMED => (
            t.pick("待监管部门审核", "Awaiting the regulator's review"),
            "warn",
        ),
        status::REVIEWED => (t.pick("已审核待拨付", "Reviewed, awaiting payment"), "done"),
        status::CLOSED => (t.pick("已办结", "Closed"), "ok"),
        _ => ("—", "muted"),
    }
}

/// The short name of a status, for the tabs.
fn status_tab(t: Tr, code: &str) -> &'static str {
    match code {
        status::FILED => t.pick("待机构确认", "With the institution"),
        status::CONFIRMED => t.pick("待审核", "To review"),
        status::REVIEWED => t.pick("待拨付", "To pay"),
        status::CLOSED => t.pick("已办结", "Closed"),
        _ => "—",
    }
}

fn decision_label(t: Tr, code: &str) -> (&'static str, &'static str) {
    match code {
        decision::APPROVED => (t.pick("通过", "Approved"), "ok"),
        decision::REJECTED => (t.pick("不予通过", "Rejected"), "bad"),
        _ => (t.pick("待审核", "Pending"), "muted"),
    }
}

fn check_name(t: Tr, code: &str) -> String {
    Check::parse(code).map_or_else(
        || code.to_owned(),
        |check| t.pick(check.name_zh(), check.name_en()).to_owned(),
    )
}

// ---------------------------------------------------------------- the list

#[derive(Deserialize, Default)]
struct ListParams {
    status: Option<String>,
    sort: Option<String>,
    desc: Option<bool>,
    #[serde(default, deserialize_with = "crate::paging::page")]
    page: Option<u64>,
}

struct Tab {
    href: String,
    label: &'static str,
    active: bool,
}

struct ApplicationLine {
    href: String,
    number: String,
    enterprise: String,
    institution: String,
    applied: String,
    training: String,
    people: u64,
    amount: String,
    status: &'static str,
    tone: &'static str,
    progress: String,
}

#[derive(Template)]
#[template(path = "subsidies.html")]
struct ListPage {
    l: Layout,
    intro: &'static str,
    can_file: bool,
    tabs: Vec<Tab>,
    headers: Vec<SortHeader>,
    rows: Vec<ApplicationLine>,
    pager: Pager,
    note: Option<&'static str>,
}

const SORT_KEYS: [&str; 5] = ["number", "enterprise", "applied", "amount", "status"];

async fn list(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Query(params): Query<ListParams>,
) -> Result<Response, WebError> {
    let actor = &authed.actor;
    if matches!(actor.scope, Scope::Person(_)) {
        return Err(WebError::NotFound);
    }
    let db = state.store.connection();
    let wanted = params
        .status
        .clone()
        .filter(|s| status::ALL.contains(&s.as_str()))
        .unwrap_or_default();
    let filter = ApplicationFilter {
        status: Some(wanted.clone()).filter(|s| !s.is_empty()),
    };
    let sort = params
        .sort
        .as_deref()
        .filter(|key| SORT_KEYS.contains(key))
        .unwrap_or("");
    // Newest filed first unless asked otherwise: the store's own order.
    let desc = params.desc.unwrap_or(sort.is_empty());
    let page_no = params.page.unwrap_or(1).max(1);
    let native = sort.is_empty() || (sort == "applied" && desc);
    let mut note = None;
    let (items, total) = if native {
        let found = read::list(db, actor, &filter, page_no, PER_PAGE).await?;
        (found.items, found.total)
    } else {
        let mut all: Vec<ApplicationSummary> = Vec::new();
        let mut next = 1;
        let total = loop {
            let found = read::list(db, actor, &filter, next, MAX_PER_PAGE).await?;
            let got = found.items.len();
            all.extend(found.items);
            if got == 0 || all.len() as u64 >= found.total || all.len() as u64 >= SORT_LIMIT {
                break found.total;
            }
            next += 1;
        };
        if total > SORT_LIMIT {
            note = Some(t.pick(
                "申请超过 2000 份，按提交日期排列。",
                "Over 2,000 applications: listed by filing date.",
            ));
            let found = read::list(db, actor, &filter, page_no, PER_PAGE).await?;
            (found.items, found.total)
        } else {
            all.sort_by(|a, b| {
                let (x, y) = (&a.application, &b.application);
                let order = match sort {
                    "number" => x.number.cmp(&y.number),
                    "enterprise" => a.enterprise.cmp(&b.enterprise),
                    "amount" => x.amount_yuan.cmp(&y.amount_yuan),
                    "status" => status_rank(&x.status).cmp(&status_rank(&y.status)),
                    _ => x.applied_on.cmp(&y.applied_on),
                }
                .then(x.number.cmp(&y.number));
                if desc { order.reverse() } else { order }
            });
            let skip = usize::try_from((page_no - 1) * PER_PAGE).unwrap_or(usize::MAX);
            let page: Vec<_> = all.into_iter().skip(skip).take(PER_PAGE as usize).collect();
            (page, total)
        }
    };
    let hr = matches!(actor.scope, Scope::HrBureau(_));
    let rows = items
        .into_iter()
        .map(|s| {
            let app = &s.application;
            let (label, tone) = status_label(t, &app.status);
            let approved =
                yuan(SUBSIDY_RULES.amount_yuan(usize::try_from(s.approved).unwrap_or(usize::MAX)));
            // The HR bureau receives the approved rows only; it is not told of the others.
            let progress = if app.status == status::FILED || app.status == status::CONFIRMED {
                String::new()
            } else if hr {
                if t.is_en() {
                    format!("{} approved, {approved} yuan · {} paid", s.approved, s.paid)
                } else {
                    format!("通过 {} 人 {approved} 元 · 已拨付 {}", s.approved, s.paid)
                }
            } else if t.is_en() {
                format!(
                    "{} approved, {approved} yuan · {} rejected · {} paid",
                    s.approved, s.rejected, s.paid
                )
            } else {
                format!(
                    "通过 {} 人 {approved} 元 · 不予通过 {} · 已拨付 {}",
                    s.approved, s.rejected, s.paid
                )
            };
            ApplicationLine {
                href: format!("/subsidies/{}", app.id),
                number: app.number.clone(),
                enterprise: s.enterprise.clone(),
                institution: s.institution.clone(),
                applied: date(app.applied_on),
                training: format!("{} ~ {}", date(app.training_from), date(app.training_to)),
                people: s.rows,
                amount: yuan(u64::try_from(app.amount_yuan).unwrap_or(0)),
                status: label,
                tone,
                progress,
            }
        })
        .collect();
    let base = query_string(&[("status", wanted.clone())]);
    // The store's order is the filing date, newest first: shown as such.
    let headers = sort_headers(
        "/subsidies",
        &base,
        if sort.is_empty() { "applied" } else { sort },
        desc,
        &[
            ("number", t.pick("申请编号", "Number")),
            ("enterprise", t.pick("申请企业", "Enterprise")),
            ("applied", t.pick("申请日期", "Filed")),
            ("amount", t.pick("申请金额（元）", "Amount (yuan)")),
            ("status", t.pick("状态", "Status")),
        ],
    );
    let mut kept = vec![("status", wanted.clone())];
    if !sort.is_empty() {
        kept.push(("sort", sort.to_owned()));
        kept.push(("desc", desc.to_string()));
    }
    let paged = anpei_store::read::Page {
        items: Vec::<()>::new(),
        total,
        page: page_no,
        per_page: PER_PAGE,
    };
    let pager = Pager::new("/subsidies", &query_string(&kept), &paged);
    // The HR bureau sees reviewed applications only.
    let shown: &[&str] = if matches!(actor.scope, Scope::HrBureau(_)) {
        &[status::REVIEWED, status::CLOSED]
    } else {
        &status::ALL
    };
    let mut tabs = vec![Tab {
        href: "/subsidies".to_owned(),
        label: t.pick("全部", "All"),
        active: wanted.is_empty(),
    }];
    tabs.extend(shown.iter().map(|code| Tab {
        href: format!("/subsidies?status={code}"),
        label: status_tab(t, code),
        active: wanted == *code,
    }));
    let intro = match actor.scope {
        Scope::Enterprise(_) => t.pick(
            "本企业提交的安全技能提升补贴申请及办理进度。每名通过培训取得特种作业操作证的人员补贴 1000 元。",
            "Your enterprise's safety-skills subsidy applications and where they stand. 1,000 yuan for each person who obtained a special-operations certificate through the training.",
        ),
        Scope::Institution(_) => t.pick(
            "委托本机构培训的企业提交的申请。请逐人确认是否在本机构完成全部理论和实操课程。",
            "Applications naming your institution. Confirm for each person whether they completed all theory and practical courses with you.",
        ),
        Scope::HrBureau(_) => t.pick(
            "经应急管理部门审核通过的补贴名单。核对后登记拨付。",
            "Lists approved by the emergency-management regulators. Record payment once made.",
        ),
        _ => t.pick(
            "辖区企业的补贴申请。培训机构确认后，系统自动核查证书、劳动关系、重复申请和培训视频，由您逐人审核。",
            "Applications of enterprises in your jurisdiction. After the institution confirms, the platform checks certificates, employment, duplicate claims and training videos; you decide each row.",
        ),
    };
    render(&ListPage {
        l: Layout::new(
            t,
            t.pick("补贴申请", "Subsidies"),
            Some(&authed),
            "/subsidies",
        ),
        intro,
        can_file: matches!(actor.scope, Scope::Enterprise(_)),
        tabs,
        headers,
        rows,
        pager,
        note,
    })
}

fn status_rank(code: &str) -> usize {
    status::ALL
        .iter()
        .position(|s| *s == code)
        .unwrap_or(usize::MAX)
}

// ---------------------------------------------------------------- the new application

/// The new-application form as typed.
#[derive(Debug, Default, Clone)]
struct NewTyped {
    handler_name: String,
    handler_phone: String,
    institution_id: String,
    training_from: String,
    training_to: String,
    pledge_accepted: bool,
    pledge_by: String,
    certificate_ids: Vec<String>,
}

impl From<&Typed> for NewTyped {
    fn from(typed: &Typed) -> Self {
        NewTyped {
            handler_name: typed.get("handler_name"),
            handler_phone: typed.get("handler_phone"),
            institution_id: typed.get("institution_id"),
            training_from: typed.get("training_from"),
            training_to: typed.get("training_to"),
            pledge_accepted: !typed.get("pledge_accepted").is_empty(),
            pledge_by: typed.get("pledge_by"),
            certificate_ids: typed.all("certificate_ids"),
        }
    }
}

/// A certified person the form offers.
struct Candidate {
    id: String,
    name: String,
    id_masked: String,
    trade: String,
    number: String,
    issued: String,
    claimed: bool,
    checked: bool,
    invalid: bool,
    search: String,
}

#[derive(Template)]
#[template(path = "subsidy_new.html")]
struct NewPage {
    l: Layout,
    enterprise: String,
    credit_code: String,
    legal_representative: String,
    form: NewTyped,
    institutions: Vec<ChoiceGroup>,
    candidates: Vec<Candidate>,
    errors: Vec<FieldError>,
    per_person: String,
    per_person_raw: u64,
    picked: usize,
    amount: String,
    pledge: &'static str,
    today: String,
}

impl NewPage {
    fn invalid(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }
}

fn own_enterprise(authed: &Authed) -> Result<Uuid, WebError> {
    match authed.actor.scope {
        Scope::Enterprise(id) => Ok(id),
        _ => Err(WebError::NotFound),
    }
}

async fn new_form(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
) -> Result<Response, WebError> {
    let enterprise_id = own_enterprise(&authed)?;
    let page = new_page(
        &state,
        t,
        &authed,
        enterprise_id,
        NewTyped::default(),
        Vec::new(),
    )
    .await?;
    render(&page)
}

async fn new_page(
    state: &AppState,
    t: Tr,
    authed: &Authed,
    enterprise_id: Uuid,
    form: NewTyped,
    errors: Vec<FieldError>,
) -> Result<NewPage, WebError> {
    let db = state.store.connection();
    let today = clock::today();
    let enterprise = anpei_store::read::enterprise(db, &authed.actor, enterprise_id, today).await?;
    let staff = ledger_read(state, authed, enterprise_id).await?;
    let claimable = read::claimable(db, staff, today, CANDIDATES).await?;
    let institutions = read_training::institutions(db).await?;
    let mut groups: Vec<ChoiceGroup> = Vec::new();
    for (row, trades) in institutions {
        let city = city_label(t, &row.city_code);
        let label = if trades.is_empty() {
            row.name.clone()
        } else {
            format!("{}（{}）", row.name, trades.join(t.pick("、", ", ")))
        };
        let choice = Choice::new(
            row.id.to_string(),
            label,
            form.institution_id == row.id.to_string(),
        );
        match groups.iter_mut().find(|g| g.label == city) {
            Some(group) => group.choices.push(choice),
            None => groups.push(ChoiceGroup {
                label: city,
                choices: vec![choice],
            }),
        }
    }
    // Rows the store refused, by certificate.
    let refused: Vec<String> = errors
        .iter()
        .filter_map(|e| index_in(&e.field, "certificate_ids"))
        .filter_map(|index| form.certificate_ids.get(index).cloned())
        .collect();
    let candidates = claimable
        .into_iter()
        .map(|c| {
            let id = c.certificate_id.to_string();
            let trade = trade_label(t, &c.trade_code);
            Candidate {
                checked: form.certificate_ids.contains(&id),
                invalid: refused.contains(&id),
                search: format!("{} {} {}", c.name, trade, c.number).to_lowercase(),
                id,
                name: c.name,
                id_masked: c.id_number.masked(),
                trade,
                number: c.number,
                issued: date(c.issued_on),
                claimed: c.claimed,
            }
        })
        .collect();
    let picked = form.certificate_ids.len();
    Ok(NewPage {
        l: Layout::new(
            t,
            t.pick("新建补贴申请", "New subsidy application"),
            Some(authed),
            "/subsidies/new",
        ),
        enterprise: enterprise.name,
        credit_code: enterprise.credit_code,
        legal_representative: enterprise.legal_representative,
        form,
        institutions: groups,
        candidates,
        errors,
        per_person: yuan(SUBSIDY_RULES.yuan_per_person),
        per_person_raw: SUBSIDY_RULES.yuan_per_person,
        picked,
        amount: yuan(SUBSIDY_RULES.amount_yuan(picked)),
        pledge: PLEDGE,
        today: date(clock::today()),
    })
}

/// Where each field of the new-application form is, and its label.
fn new_field(t: Tr, field: &str, form: &NewTyped) -> (String, String) {
    let (anchor, label) = match field {
        "handler_name" => ("f-handler-name", t.pick("经办人姓名", "Handler's name")),
        "handler_phone" => ("f-handler-phone", t.pick("经办人手机", "Handler's mobile")),
        "institution_id" => ("f-institution", t.pick("培训机构", "Training institution")),
        "training_from" => ("f-from", t.pick("培训开始日期", "Training from")),
        "training_to" => ("f-to", t.pick("培训结束日期", "Training to")),
        "pledge_accepted" => ("f-pledge", t.pick("书面承诺", "Written pledge")),
        "pledge_by" => ("f-pledge-by", t.pick("负责人", "Responsible person")),
        other => match index_in(other, "certificate_ids") {
            Some(index) => {
                let anchor = form
                    .certificate_ids
                    .get(index)
                    .map_or_else(|| "rows".to_owned(), |id| format!("c-{id}"));
                let label = if t.is_en() {
                    format!("Person {}", index + 1)
                } else {
                    format!("第 {} 人", index + 1)
                };
                return (anchor, label);
            }
            None => ("rows", t.pick("申请人员", "People")),
        },
    };
    (anchor.to_owned(), label.to_owned())
}

fn new_error(t: Tr, form: &NewTyped, err: &WebError) -> FieldError {
    let field = match err {
        WebError::Invalid { field, .. } => field.clone(),
        _ => String::new(),
    };
    let (anchor, label) = new_field(t, &field, form);
    FieldError::new(&field, &anchor, label, message(t, err))
}

/// Everything the page can tell about the form before the store sees it, every problem at
/// once, with the same parsers the store uses. The store stays the authority: what it
/// refuses besides comes back the same way.
fn check_new(
    t: Tr,
    form: &NewTyped,
    claimable: &[Uuid],
    today: NaiveDate,
) -> (Option<NewApplication>, Vec<FieldError>) {
    let mut errors = Vec::new();
    let mut fail = |err: WebError| errors.push(new_error(t, form, &err));
    if let Err(e) = PersonName::parse(&form.handler_name) {
        fail(WebError::invalid("handler_name", &e));
    }
    if let Err(e) = Phone::parse(&form.handler_phone) {
        fail(WebError::invalid("handler_phone", &e));
    }
    let institution = parse_uuid(&form.institution_id);
    if institution.is_none() {
        fail(WebError::Invalid {
            field: "institution_id".to_owned(),
            zh: "请选择培训机构".to_owned(),
            en: "Choose the training institution".to_owned(),
        });
    }
    let from = parse_date("training_from", &form.training_from)
        .map_err(&mut fail)
        .ok();
    let to = parse_date("training_to", &form.training_to)
        .map_err(&mut fail)
        .ok();
    if let (Some(from), Some(to)) = (from, to) {
        if to < from {
            fail(WebError::Invalid {
                field: "training_to".to_owned(),
                zh: format!("培训结束日期 {to} 早于开始日期 {from}"),
                en: format!("The training ends on {to}, before it starts on {from}"),
            });
        } else if to > today {
            fail(WebError::Invalid {
                field: "training_to".to_owned(),
                zh: "培训尚未结束，不能申请补贴".to_owned(),
                en: "The training has not ended yet".to_owned(),
            });
        }
    }
    let mut certificate_ids = Vec::new();
    if form.certificate_ids.is_empty() {
        fail(WebError::Invalid {
            field: "certificate_ids".to_owned(),
            zh: "请至少勾选一名取得证书的人员".to_owned(),
            en: "Tick at least one certified person".to_owned(),
        });
    }
    for (index, raw) in form.certificate_ids.iter().enumerate() {
        match parse_uuid(raw).filter(|id| claimable.contains(id)) {
            Some(id) => certificate_ids.push(id),
            None => fail(WebError::Invalid {
                field: format!("certificate_ids[{index}]"),
                zh: "该证书不是本企业在岗人员的特种作业操作证".to_owned(),
                en: "Not a special-operations certificate of your staff".to_owned(),
            }),
        }
    }
    if !form.pledge_accepted {
        fail(WebError::Invalid {
            field: "pledge_accepted".to_owned(),
            zh: "请阅读书面承诺并勾选“我已阅读并承诺”".to_owned(),
            en: "Read the written pledge and tick \"I have read it and pledge\"".to_owned(),
        });
    }
    if form.pledge_by.trim().is_empty() {
        fail(WebError::Invalid {
            field: "pledge_by".to_owned(),
            zh: "请填写作出承诺的负责人姓名".to_owned(),
            en: "Name the responsible person who gives the pledge".to_owned(),
        });
    }
    let new = match (institution, from, to) {
        (Some(institution_id), Some(training_from), Some(training_to)) if errors.is_empty() => {
            Some(NewApplication {
                institution_id,
                handler_name: form.handler_name.clone(),
                handler_phone: form.handler_phone.clone(),
                training_from,
                training_to,
                pledge_accepted: form.pledge_accepted,
                pledge_by: form.pledge_by.clone(),
                certificate_ids,
            })
        }
        _ => None,
    };
    (new, errors)
}

async fn file(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let enterprise_id = own_enterprise(&authed)?;
    let staff = ledger_write(&state, &authed, enterprise_id).await?;
    let form = NewTyped::from(&Typed(pairs));
    let today = clock::today();
    let offered: Vec<Uuid> = read::claimable(
        state.store.connection(),
        ledger_read(&state, &authed, enterprise_id).await?,
        today,
        CANDIDATES,
    )
    .await?
    .into_iter()
    .map(|c| c.certificate_id)
    .collect();
    let (new, mut errors) = check_new(t, &form, &offered, today);
    if let Some(new) = new {
        match ops::file(&state.store, &authed.actor, staff, new, today, clock::now()).await {
            Ok(filed) => {
                return Ok(Redirect::to(&format!(
                    "/subsidies/{}?done=filed",
                    filed.application.id
                ))
                .into_response());
            }
            Err(err) => match WebError::from(err) {
                invalid @ WebError::Invalid { .. } => errors.push(new_error(t, &form, &invalid)),
                other => return Err(other),
            },
        }
    }
    let page = new_page(&state, t, &authed, enterprise_id, form, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

// ---------------------------------------------------------------- one application

struct Step {
    label: &'static str,
    when: String,
    note: String,
    state: &'static str,
}

struct CheckLine {
    name: String,
    reason: String,
}

struct RowLine {
    anchor: String,
    seq: i32,
    name: String,
    trade: String,
    id_masked: String,
    certificate: String,
    confirmed: &'static str,
    confirmed_tone: &'static str,
    class: String,
    checks: &'static str,
    checks_tone: &'static str,
    failed: Vec<CheckLine>,
    decision: &'static str,
    decision_tone: &'static str,
    comment: String,
    paid: String,
}

struct ConfirmRow {
    row_id: String,
    anchor: String,
    seq: i32,
    name: String,
    trade: String,
    certificate: String,
    confirmed: bool,
    classes: Vec<Choice>,
    invalid: bool,
}

struct ReviewRow {
    row_id: String,
    anchor: String,
    seq: i32,
    name: String,
    trade: String,
    id_masked: String,
    certificate: String,
    class: String,
    failed: Vec<CheckLine>,
    passed: Vec<CheckLine>,
    approve: bool,
    comment: String,
    invalid_decision: bool,
    invalid_comment: bool,
}

struct PayRow {
    row_id: String,
    anchor: String,
    seq: i32,
    name: String,
    trade: String,
    certificate: String,
    checked: bool,
    invalid: bool,
}

struct ReviewForm {
    rows: Vec<ReviewRow>,
    opinion: String,
    passing: usize,
    failing: usize,
}

struct PayForm {
    rows: Vec<PayRow>,
    per_person: String,
    paid_on: String,
    payment_ref: String,
}

#[derive(Template)]
#[template(path = "subsidy.html")]
struct DetailPage {
    l: Layout,
    id: Uuid,
    number: String,
    status: &'static str,
    tone: &'static str,
    enterprise: String,
    enterprise_href: Option<String>,
    credit_code: String,
    legal_representative: String,
    handler_name: String,
    handler_phone: String,
    institution: String,
    institution_href: Option<String>,
    trades: String,
    training_from: String,
    training_to: String,
    certified: usize,
    amount: String,
    approved_amount: Option<String>,
    pledge: &'static str,
    pledge_by: String,
    applied: String,
    rules_version: String,
    steps: Vec<Step>,
    rows: Vec<RowLine>,
    hr_view: bool,
    confirm: Option<Vec<ConfirmRow>>,
    review: Option<ReviewForm>,
    pay: Option<PayForm>,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
    pdf: String,
    xlsx: Option<String>,
}

#[derive(Deserialize, Default)]
struct DetailParams {
    done: Option<String>,
}

/// What a refused action form brings back to the page.
#[derive(Default)]
struct Kept {
    typed: Typed,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
}

async fn detail(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
    Query(params): Query<DetailParams>,
) -> Result<Response, WebError> {
    let notice = match params.done.as_deref() {
        Some("filed") => Some(t.pick(
            "申请已提交，等待培训机构确认。",
            "Filed. The training institution confirms next.",
        )),
        Some("confirmed") => Some(t.pick(
            "已提交确认意见，等待应急管理部门审核。",
            "Confirmation sent. The regulator reviews next.",
        )),
        Some("reviewed") => Some(t.pick(
            "审核意见已提交，审核通过的名单已推送至人社部门。",
            "Review recorded. The approved list has gone to the HR bureau.",
        )),
        Some("paid") => Some(t.pick("已登记拨付。", "Payment recorded.")),
        _ => None,
    };
    let page = detail_page(
        &state,
        t,
        &authed,
        id,
        Kept {
            notice,
            ..Kept::default()
        },
    )
    .await?;
    render(&page)
}

async fn detail_page(
    state: &AppState,
    t: Tr,
    authed: &Authed,
    id: Uuid,
    kept: Kept,
) -> Result<DetailPage, WebError> {
    let db = state.store.connection();
    let actor = &authed.actor;
    let today = clock::today();
    let view = read::application(db, actor, id, today).await?;
    let app = &view.application;
    let typed = &kept.typed;
    let errors = &kept.errors;
    let row_error = |prefix: &str, index: usize, suffix: &str| {
        let name = format!("{prefix}[{index}]{suffix}");
        errors.iter().any(|e| e.field == name)
    };
    let (label, tone) = status_label(t, &app.status);
    let filed = app.status == status::FILED;

    let rows: Vec<RowLine> = view
        .rows
        .iter()
        .map(|r| {
            // Until the institution answers, two checks (its confirmation, the class's
            // videos) have nothing to judge: the checks are shown from then on.
            let failed: Vec<CheckLine> = if filed {
                Vec::new()
            } else {
                r.checks
                    .iter()
                    .filter(|c| !c.passed)
                    .map(|c| CheckLine {
                        name: check_name(t, &c.code),
                        reason: t.pick_owned(&(c.zh.clone(), c.en.clone())),
                    })
                    .collect()
            };
            let (checks, checks_tone) = if filed {
                (t.pick("机构确认后核查", "After confirmation"), "muted")
            } else if r.checks.is_empty() {
                ("—", "muted")
            } else if failed.is_empty() {
                (t.pick("全部通过", "All passed"), "ok")
            } else {
                (t.pick("未通过", "Failed"), "bad")
            };
            let (confirmed, confirmed_tone) = match r.row.confirmed {
                Some(true) => (t.pick("已确认", "Confirmed"), "ok"),
                Some(false) => (t.pick("未确认", "Not confirmed"), "bad"),
                None => (t.pick("待确认", "Pending"), "muted"),
            };
            let (decision, decision_tone) = decision_label(t, &r.row.decision);
            RowLine {
                anchor: format!("row-{}", r.row.seq),
                seq: r.row.seq,
                name: r.name.clone(),
                trade: trade_label(t, &r.row.trade_code),
                id_masked: r.id_number.masked(),
                certificate: r.certificate_number.clone(),
                confirmed,
                confirmed_tone,
                class: r.class_number.clone().unwrap_or_default(),
                checks,
                checks_tone,
                failed,
                decision,
                decision_tone,
                comment: r.row.comment.clone().unwrap_or_default(),
                paid: match (&r.row.paid_on, &r.row.payment_ref) {
                    (Some(on), Some(reference)) => format!("{} · {reference}", date(*on)),
                    (Some(on), None) => date(*on),
                    _ => String::new(),
                },
            }
        })
        .collect();

    // The institution's turn: each row confirmed against one of its completed classes.
    let confirm = match actor.scope {
        Scope::Institution(own) if own == app.institution_id && filed => {
            let registry = read_training::registry(db, actor, own).await?;
            let completed: Vec<&training_class::Model> = registry
                .classes
                .iter()
                .filter(|c| c.completed_on.is_some())
                .collect();
            let finished = finished_classes(state, authed, &view, &completed).await?;
            let answered = typed.has("row");
            Some(
                view.rows
                    .iter()
                    .enumerate()
                    .map(|(index, r)| {
                        let row_id = r.row.id.to_string();
                        let own_class = finished.get(&r.row.person_id).copied();
                        let of_trade: Vec<&&training_class::Model> = completed
                            .iter()
                            .filter(|c| c.trade_code == r.row.trade_code)
                            .collect();
                        let chosen = if answered {
                            typed.get(&format!("class_{row_id}"))
                        } else {
                            let only = match of_trade.as_slice() {
                                [only] => Some(only.id),
                                _ => None,
                            };
                            own_class
                                .or(only)
                                .map(|id| id.to_string())
                                .unwrap_or_default()
                        };
                        ConfirmRow {
                            anchor: format!("confirm-{}", r.row.seq),
                            seq: r.row.seq,
                            name: r.name.clone(),
                            trade: trade_label(t, &r.row.trade_code),
                            certificate: r.certificate_number.clone(),
                            confirmed: !answered || typed.has(&format!("confirmed_{row_id}")),
                            classes: of_trade
                                .iter()
                                .map(|c| {
                                    let mut label = format!(
                                        "{} · {} ~ {}",
                                        c.number,
                                        date(c.starts_on),
                                        date(c.ends_on)
                                    );
                                    if own_class == Some(c.id) {
                                        label.push_str(t.pick("（本人已结业）", " (completed)"));
                                    }
                                    Choice::new(c.id.to_string(), label, chosen == c.id.to_string())
                                })
                                .collect(),
                            invalid: row_error("answers", index, ".class_id"),
                            row_id,
                        }
                    })
                    .collect(),
            )
        }
        _ => None,
    };

    // The regulator's turn: every row decided beside its checks.
    let reviews = match &actor.scope {
        Scope::City(city) => *city == app.city_code,
        Scope::Province | Scope::System => true,
        _ => false,
    };
    let review = (reviews && app.status == status::CONFIRMED).then(|| {
        let answered = typed.has("row");
        let rows: Vec<ReviewRow> = view
            .rows
            .iter()
            .enumerate()
            .map(|(index, r)| {
                let row_id = r.row.id.to_string();
                let line = |c: &ops::StoredCheck| CheckLine {
                    name: check_name(t, &c.code),
                    reason: t.pick_owned(&(c.zh.clone(), c.en.clone())),
                };
                let failed: Vec<CheckLine> =
                    r.checks.iter().filter(|c| !c.passed).map(line).collect();
                let approve = if answered {
                    typed.get(&format!("decision_{row_id}")) == "approve"
                } else {
                    failed.is_empty()
                };
                ReviewRow {
                    anchor: format!("review-{}", r.row.seq),
                    seq: r.row.seq,
                    name: r.name.clone(),
                    trade: trade_label(t, &r.row.trade_code),
                    id_masked: r.id_number.masked(),
                    certificate: r.certificate_number.clone(),
                    class: r.class_number.clone().unwrap_or_default(),
                    passed: r.checks.iter().filter(|c| c.passed).map(line).collect(),
                    failed,
                    approve,
                    comment: typed.get(&format!("comment_{row_id}")),
                    invalid_decision: row_error("decisions", index, ".approve"),
                    invalid_comment: row_error("decisions", index, ".comment"),
                    row_id,
                }
            })
            .collect();
        let failing = rows.iter().filter(|r| !r.failed.is_empty()).count();
        ReviewForm {
            passing: rows.len() - failing,
            failing,
            rows,
            opinion: typed.get("opinion"),
        }
    });

    // The HR bureau's turn: approved rows not paid yet.
    let pay =
        (matches!(actor.scope, Scope::HrBureau(_)) && app.status == status::REVIEWED).then(|| {
            let answered = typed.has("paid_on");
            let chosen = typed.all("row_ids");
            let refused: Vec<String> = errors
                .iter()
                .filter_map(|e| index_in(&e.field, "row_ids"))
                .filter_map(|index| chosen.get(index).cloned())
                .collect();
            PayForm {
                rows: view
                    .rows
                    .iter()
                    .filter(|r| r.row.decision == decision::APPROVED && r.row.paid_on.is_none())
                    .map(|r| {
                        let row_id = r.row.id.to_string();
                        PayRow {
                            anchor: format!("pay-{}", r.row.seq),
                            seq: r.row.seq,
                            name: r.name.clone(),
                            trade: trade_label(t, &r.row.trade_code),
                            certificate: r.certificate_number.clone(),
                            checked: !answered || chosen.contains(&row_id),
                            invalid: refused.contains(&row_id),
                            row_id,
                        }
                    })
                    .collect(),
                per_person: yuan(SUBSIDY_RULES.yuan_per_person),
                paid_on: if answered {
                    typed.get("paid_on")
                } else {
                    date(today)
                },
                payment_ref: typed.get("payment_ref"),
            }
        });

    let steps = steps(t, &view);
    let reviewed = matches!(app.status.as_str(), status::REVIEWED | status::CLOSED);
    let enterprise_href = match actor.scope {
        Scope::Enterprise(_)
        | Scope::City(_)
        | Scope::County(_)
        | Scope::Province
        | Scope::HrBureau(_) => Some(format!("/enterprises/{}", app.enterprise_id)),
        _ => None,
    };
    // The registry page is the store's to allow (a city regulator sees its city's).
    let institution_href = anpei_store::access::institution_visible(db, actor, app.institution_id)
        .await
        .is_ok()
        .then(|| format!("/institutions/{}", app.institution_id));
    Ok(DetailPage {
        l: Layout::new(
            t,
            &format!(
                "{} {}",
                t.pick("补贴申请", "Subsidy application"),
                app.number
            ),
            Some(authed),
            &format!("/subsidies/{id}"),
        ),
        id,
        number: app.number.clone(),
        status: label,
        tone,
        enterprise: view.enterprise.name.clone(),
        enterprise_href,
        credit_code: view.enterprise.credit_code.clone(),
        legal_representative: app.legal_representative.clone(),
        handler_name: app.handler_name.clone(),
        handler_phone: Phone::parse(&app.handler_phone)
            .map(|p| p.masked())
            .unwrap_or_default(),
        institution: view.institution.name.clone(),
        institution_href,
        trades: view
            .trades
            .iter()
            .map(|(code, people)| {
                if t.is_en() {
                    format!("{}: {people}", trade_label(t, code))
                } else {
                    format!("{} {people} 人", trade_label(t, code))
                }
            })
            .collect::<Vec<_>>()
            .join(t.pick("；", "; ")),
        training_from: date(app.training_from),
        training_to: date(app.training_to),
        certified: view.trades.iter().map(|(_, n)| n).sum(),
        amount: yuan(u64::try_from(app.amount_yuan).unwrap_or(0)),
        approved_amount: reviewed.then(|| yuan(view.approved_yuan())),
        pledge: PLEDGE,
        pledge_by: app.pledge_by.clone(),
        applied: date(app.applied_on),
        rules_version: app.rules_version.clone(),
        steps,
        rows,
        hr_view: matches!(actor.scope, Scope::HrBureau(_)),
        confirm,
        review,
        pay,
        errors: kept.errors,
        notice: kept.notice,
        // The official form and the approved list, as the API serves them.
        pdf: format!("/api/v1/subsidies/{id}/form.pdf"),
        xlsx: reviewed.then(|| format!("/api/v1/subsidies/{id}/approved.xlsx")),
    })
}

/// Which completed class each person of the application finished, read from the classes
/// that could be the evidence (the application's trades, overlapping its training dates),
/// at most [`CLASS_LOOKUPS`] of them.
async fn finished_classes(
    state: &AppState,
    authed: &Authed,
    view: &read::ApplicationView,
    completed: &[&training_class::Model],
) -> Result<HashMap<Uuid, Uuid>, WebError> {
    let app = &view.application;
    let trades: Vec<&str> = view.trades.iter().map(|(code, _)| code.as_str()).collect();
    let mut finished = HashMap::new();
    let candidates = completed
        .iter()
        .filter(|c| trades.contains(&c.trade_code.as_str()))
        .filter(|c| c.starts_on <= app.training_to && c.ends_on >= app.training_from)
        .take(CLASS_LOOKUPS);
    for class in candidates {
        let seen = read_training::class(state.store.connection(), &authed.actor, class.id).await?;
        for trainee in seen.trainees {
            if trainee.completed_on.is_some() {
                finished.entry(trainee.person_id).or_insert(class.id);
            }
        }
    }
    Ok(finished)
}

/// The four steps of the form: filed, confirmed, reviewed, paid.
fn steps(t: Tr, view: &read::ApplicationView) -> Vec<Step> {
    let app = &view.application;
    let approved = view
        .rows
        .iter()
        .filter(|r| r.row.decision == decision::APPROVED)
        .count();
    let paid: Vec<NaiveDate> = view.rows.iter().filter_map(|r| r.row.paid_on).collect();
    let rank = status_rank(&app.status);
    // Steps up to the status's own are done, the next is the current one.
    let state = |step: usize| match (rank + 2).cmp(&step) {
        std::cmp::Ordering::Greater => "done",
        std::cmp::Ordering::Equal => "current",
        std::cmp::Ordering::Less => "pending",
    };
    let closed = app.status == status::CLOSED;
    let filed_note = if t.is_en() {
        format!(
            "{} people, {} yuan applied for; handler {}",
            view.rows.len(),
            yuan(u64::try_from(app.amount_yuan).unwrap_or(0)),
            app.handler_name
        )
    } else {
        format!(
            "经办人 {}；{} 人，申请补贴 {} 元",
            app.handler_name,
            view.trades.iter().map(|(_, n)| n).sum::<usize>(),
            yuan(u64::try_from(app.amount_yuan).unwrap_or(0))
        )
    };
    let paid_note = if closed && approved == 0 {
        t.pick(
            "无审核通过人员，不予拨付",
            "Nobody approved; nothing to pay",
        )
        .to_owned()
    } else if rank >= 2 {
        if t.is_en() {
            format!("{} of {approved} approved paid", paid.len())
        } else {
            format!("已拨付 {} / {approved} 人", paid.len())
        }
    } else {
        t.pick(
            "审核通过后由人社部门拨付",
            "The HR bureau pays approved rows",
        )
        .to_owned()
    };
    vec![
        Step {
            label: t.pick("企业提交申请", "Filed by the enterprise"),
            when: date(app.applied_on),
            note: filed_note,
            state: "done",
        },
        Step {
            label: t.pick("培训机构确认", "Confirmed by the institution"),
            when: app.confirmed_on.map(date).unwrap_or_default(),
            note: app.institution_opinion.clone().unwrap_or_else(|| {
                format!(
                    "{}{}",
                    t.pick("等待 ", "Waiting for "),
                    view.institution.name
                )
            }),
            state: state(2),
        },
        Step {
            label: t.pick("应急管理部门审核", "Reviewed by the regulator"),
            when: app.reviewed_on.map(date).unwrap_or_default(),
            note: app.regulator_opinion.clone().unwrap_or_else(|| {
                t.pick(
                    "机构确认后，逐人自动核查并审核",
                    "Each row is checked and decided after the institution confirms",
                )
                .to_owned()
            }),
            state: state(3),
        },
        Step {
            label: t.pick("人社部门拨付", "Paid by the HR bureau"),
            when: paid.iter().max().map(|d| date(*d)).unwrap_or_default(),
            note: paid_note,
            state: state(4),
        },
    ]
}

// ---------------------------------------------------------------- the parties' actions

/// Re-renders the application with a refused action's input and problems.
async fn refused(
    state: &AppState,
    t: Tr,
    authed: &Authed,
    id: Uuid,
    typed: Typed,
    errors: Vec<FieldError>,
) -> Result<Response, WebError> {
    let page = detail_page(
        state,
        t,
        authed,
        id,
        Kept {
            typed,
            errors,
            notice: None,
        },
    )
    .await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

/// The rows named by the form, in its order (the page lists them in row order).
fn rows_of(typed: &Typed) -> Vec<Uuid> {
    typed
        .all("row")
        .iter()
        .filter_map(|raw| parse_uuid(raw))
        .collect()
}

/// A refusal of the store, located on the page: `answers[2].class_id` is the third row.
fn action_error(
    t: Tr,
    err: &WebError,
    list: &str,
    anchor: &str,
    names: &[(i32, String)],
) -> FieldError {
    let field = match err {
        WebError::Invalid { field, .. } => field.clone(),
        _ => String::new(),
    };
    match index_in(&field, list).and_then(|index| names.get(index)) {
        Some((seq, name)) => FieldError::new(
            &field,
            &format!("{anchor}-{seq}"),
            format!("{seq}. {name}"),
            message(t, err),
        ),
        None => FieldError::new(&field, anchor, t.pick("本表", "This form"), message(t, err)),
    }
}

/// The 序号 and name of each row the form named, in its order, to label problems.
fn seq_names(view: &read::ApplicationView, rows: &[Uuid]) -> Vec<(i32, String)> {
    rows.iter()
        .map(|row| {
            view.rows
                .iter()
                .find(|r| r.row.id == *row)
                .map(|r| (r.row.seq, r.name.clone()))
                .unwrap_or_default()
        })
        .collect()
}

async fn names(
    state: &AppState,
    authed: &Authed,
    id: Uuid,
    rows: &[Uuid],
) -> Result<Vec<(i32, String)>, WebError> {
    let view =
        read::application(state.store.connection(), &authed.actor, id, clock::today()).await?;
    Ok(seq_names(&view, rows))
}

async fn confirm(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let typed = Typed(pairs);
    let rows = rows_of(&typed);
    let answers: Vec<RowConfirmation> = rows
        .iter()
        .map(|row| RowConfirmation {
            row_id: *row,
            confirmed: typed.has(&format!("confirmed_{row}")),
            class_id: parse_uuid(&typed.get(&format!("class_{row}"))),
        })
        .collect();
    let names = names(&state, &authed, id, &rows).await?;
    // Every row confirmed without a class, at once.
    let mut errors: Vec<FieldError> = answers
        .iter()
        .enumerate()
        .filter(|(_, a)| a.confirmed && a.class_id.is_none())
        .map(|(index, _)| {
            let err = WebError::Invalid {
                field: format!("answers[{index}].class_id"),
                zh: "请选择该人员结业的培训班作为依据".to_owned(),
                en: "Name the class the person completed as evidence".to_owned(),
            };
            action_error(t, &err, "answers", "confirm", &names)
        })
        .collect();
    if errors.is_empty() {
        match ops::confirm(
            &state.store,
            &authed.actor,
            id,
            &answers,
            clock::today(),
            clock::now(),
        )
        .await
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!("/subsidies/{id}?done=confirmed")).into_response());
            }
            Err(err) => match WebError::from(err) {
                invalid @ WebError::Invalid { .. } => {
                    errors.push(action_error(t, &invalid, "answers", "confirm", &names));
                }
                other => return Err(other),
            },
        }
    }
    refused(&state, t, &authed, id, typed, errors).await
}

async fn review(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let typed = Typed(pairs);
    let rows = rows_of(&typed);
    let decisions: Vec<RowDecision> = rows
        .iter()
        .map(|row| RowDecision {
            row_id: *row,
            approve: typed.get(&format!("decision_{row}")) == "approve",
            comment: typed.get(&format!("comment_{row}")),
        })
        .collect();
    let view =
        read::application(state.store.connection(), &authed.actor, id, clock::today()).await?;
    let names = seq_names(&view, &rows);
    // What the page can tell first, every row at once: a choice on each row, a reason for
    // each rejection, no approval of a row whose checks fail.
    let mut errors = Vec::new();
    for (index, (row, decided)) in rows.iter().zip(&decisions).enumerate() {
        let choice = typed.get(&format!("decision_{row}"));
        let failing = view
            .rows
            .iter()
            .find(|r| r.row.id == *row)
            .is_some_and(|r| r.failed_checks() > 0);
        let problem = if choice != "approve" && choice != "reject" {
            Some((
                ".approve",
                "请选择通过或不予通过",
                "Choose approve or reject",
            ))
        } else if !decided.approve && decided.comment.is_empty() {
            Some((
                ".comment",
                "不予通过须填写理由",
                "A rejection needs a comment",
            ))
        } else if decided.approve && failing {
            Some((
                ".approve",
                "未通过自动核查，不能审核通过",
                "Failed the automatic checks; it cannot be approved",
            ))
        } else {
            None
        };
        if let Some((suffix, zh, en)) = problem {
            let err = WebError::Invalid {
                field: format!("decisions[{index}]{suffix}"),
                zh: zh.to_owned(),
                en: en.to_owned(),
            };
            errors.push(action_error(t, &err, "decisions", "review", &names));
        }
    }
    if errors.is_empty() {
        match ops::review(
            &state.store,
            &authed.actor,
            id,
            &decisions,
            &typed.get("opinion"),
            clock::today(),
            clock::now(),
        )
        .await
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!("/subsidies/{id}?done=reviewed")).into_response());
            }
            Err(err) => match WebError::from(err) {
                invalid @ WebError::Invalid { .. } => {
                    errors.push(action_error(t, &invalid, "decisions", "review", &names));
                }
                other => return Err(other),
            },
        }
    }
    refused(&state, t, &authed, id, typed, errors).await
}

async fn pay(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let typed = Typed(pairs);
    let rows: Vec<Uuid> = typed
        .all("row_ids")
        .iter()
        .filter_map(|raw| parse_uuid(raw))
        .collect();
    let names = names(&state, &authed, id, &rows).await?;
    let located = |err: &WebError| {
        let mut found = action_error(t, err, "row_ids", "pay", &names);
        match found.field.as_str() {
            "paid_on" => {
                found.anchor = "f-paid-on".to_owned();
                found.label = t.pick("拨付日期", "Paid on").to_owned();
            }
            "payment_ref" => {
                found.anchor = "f-payment-ref".to_owned();
                found.label = t.pick("拨付凭证号", "Payment reference").to_owned();
            }
            _ => {}
        }
        found
    };
    let mut errors = Vec::new();
    let paid_on = match parse_date("paid_on", &typed.get("paid_on")) {
        Ok(on) => Some(on),
        Err(err) => {
            errors.push(located(&err));
            None
        }
    };
    if typed.get("payment_ref").is_empty() {
        errors.push(located(&WebError::Invalid {
            field: "payment_ref".to_owned(),
            zh: "请填写拨付凭证号".to_owned(),
            en: "Enter the payment's reference".to_owned(),
        }));
    }
    if let (Some(paid_on), true) = (paid_on, errors.is_empty()) {
        match ops::record_payment(
            &state.store,
            &authed.actor,
            id,
            ops::Payment {
                row_ids: &rows,
                paid_on,
                payment_ref: &typed.get("payment_ref"),
            },
            clock::today(),
            clock::now(),
        )
        .await
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!("/subsidies/{id}?done=paid")).into_response());
            }
            Err(err) => match WebError::from(err) {
                invalid @ WebError::Invalid { .. } => errors.push(located(&invalid)),
                other => return Err(other),
            },
        }
    }
    refused(&state, t, &authed, id, typed, errors).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_groups_thousands() {
        assert_eq!(yuan(0), "0");
        assert_eq!(yuan(999), "999");
        assert_eq!(yuan(1000), "1,000");
        assert_eq!(yuan(1_234_567), "1,234,567");
    }

    #[test]
    fn indexed_fields_name_their_row() {
        assert_eq!(index_in("decisions[3].comment", "decisions"), Some(3));
        assert_eq!(index_in("certificate_ids[0]", "certificate_ids"), Some(0));
        assert_eq!(index_in("certificate_ids", "certificate_ids"), None);
        assert_eq!(index_in("answers[2].class_id", "decisions"), None);
    }
}

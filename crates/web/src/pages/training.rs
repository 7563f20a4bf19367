//! Training institutions and their classes (issue 5, SPEC C9), as pages:
//!
//! - `/institutions`: the institutions of the regulator's or HR bureau's jurisdiction;
//! - `/institutions/{id}`: the registry entry — approved trades with their practical
//!   facilities, the HR bureau's catalogue flag (统一目录清单), trainers and examiners,
//!   classes — with each party's forms: the regulators approve and withdraw trades, the HR
//!   bureau lists the institution in its catalogue, the institution selects, assesses and
//!   retires its trainers and opens classes;
//! - `/classes`: the institution's own classes, or the open classes of every institution
//!   with the enterprise's form to send its staff;
//! - `/classes/{id}`: one class — facts, trainees with attended hours and completion,
//!   attendance and video evidence — with the institution's forms for attendance, videos
//!   and completion.
//!
//! Who may see and do what is the store's (`read_training`, `ops::training`): out of scope
//! is 404. A refused form comes back open, with what was typed and why.

use anpei_domain::classes::{AttendanceMethod, TrainerRole, may_teach};
use anpei_domain::subsidy::VideoPart;
use anpei_domain::trade;
use anpei_store::Scope;
use anpei_store::entity::{institution, institution_trade, trainer, training_class};
use anpei_store::ops::training::{
    self as ops, NewApproval, NewAttendance, NewClass, NewTrainer, NewVideo, TrainerEvent,
    approval_holds,
};
use anpei_store::read::{self as base_read, StaffQuery, StaffSort};
use anpei_store::read_training as read;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::subsidies::{Choice, FieldError, Typed, city_label, message, trade_label};
use super::{Layout, date, render};
use crate::api::certificates::parse_date;
use crate::api::enterprise_ledgers::ledger_write;
use crate::auth::Authed;
use crate::error::WebError;
use crate::extract::{Form, Path, Query};
use crate::i18n::Tr;
use crate::{AppState, clock};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/institutions", get(institutions))
        .route("/institutions/{id}", get(registry))
        .route("/institutions/{id}/trades", post(approve))
        .route("/institutions/{id}/trades/{trade}/withdraw", post(withdraw))
        .route("/institutions/{id}/catalogue", post(catalogue))
        .route("/institutions/{id}/trainers", post(add_trainer))
        .route(
            "/institutions/{id}/trainers/{trainer_id}/events",
            post(trainer_event),
        )
        .route("/institutions/{id}/classes", post(open_class))
        .route("/classes", get(classes).post(enroll))
        .route("/classes/{id}", get(class))
        .route("/classes/{id}/attendance", post(attendance))
        .route("/classes/{id}/videos", post(video))
        .route("/classes/{id}/complete", post(complete))
}

// ---------------------------------------------------------------- small helpers

fn invalid(field: &str, zh: impl Into<String>, en: impl Into<String>) -> WebError {
    WebError::Invalid {
        field: field.to_owned(),
        zh: zh.into(),
        en: en.into(),
    }
}

fn number(field: &str, raw: &str) -> Result<f64, WebError> {
    raw.trim()
        .parse::<f64>()
        .ok()
        .filter(|value| value.is_finite())
        .ok_or_else(|| invalid(field, "应填写数字", "Must be a number"))
}

/// Hours as a timetable prints them: 24, 7.5.
fn hours(value: f64) -> String {
    if value.fract().abs() < 0.05 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

/// 1:02:03, or 45:10 under an hour.
fn duration(seconds: i32) -> String {
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

fn part_label(t: Tr, code: &str) -> &'static str {
    match VideoPart::parse(code) {
        Some(part) => t.pick(part.name_zh(), part.name_en()),
        None => "—",
    }
}

fn method_label(t: Tr, code: &str) -> &'static str {
    match AttendanceMethod::parse(code) {
        Some(method) => t.pick(method.name_zh(), method.name_en()),
        None => "—",
    }
}

fn role_label(t: Tr, code: &str) -> &'static str {
    match TrainerRole::parse(code) {
        Some(role) => t.pick(role.name_zh(), role.name_en()),
        None => "—",
    }
}

/// Where a refused field is on the page: `{form}-{field}` (rows of a list by their list).
fn located(t: Tr, form: &str, err: &WebError) -> FieldError {
    let field = match err {
        WebError::Invalid { field, .. } => field.clone(),
        _ => String::new(),
    };
    let base = field
        .split(['[', '.'])
        .next()
        .unwrap_or_default()
        .to_owned();
    let label = field_label(t, &base);
    FieldError::new(&field, &format!("{form}-{base}"), label, message(t, err))
}

fn field_label(t: Tr, field: &str) -> &'static str {
    match field {
        "trade_code" => t.pick("工种", "Trade"),
        "approved_on" => t.pick("批准日期", "Approved on"),
        "practical_facilities" => t.pick("实操条件", "Practical facilities"),
        "since" => t.pick("列入日期", "Listed since"),
        "name" => t.pick("姓名", "Name"),
        "role" => t.pick("类别", "Role"),
        "qualification" => t.pick("资格", "Qualification"),
        "trade_codes" => t.pick("工种", "Trades"),
        "selected_on" => t.pick("选拔日期", "Selected on"),
        "year" => t.pick("考核年度", "Year"),
        "exited_on" => t.pick("退出日期", "Left on"),
        "exit_reason" => t.pick("退出原因", "Reason"),
        "number" => t.pick("班号", "Class number"),
        "syllabus" => t.pick("培训大纲", "Syllabus"),
        "theory_hours" => t.pick("理论学时", "Theory hours"),
        "practical_hours" => t.pick("实操学时", "Practical hours"),
        "starts_on" => t.pick("开班日期", "Starts"),
        "ends_on" => t.pick("结束日期", "Ends"),
        "schedule" => t.pick("课程安排", "Schedule"),
        "trainer_ids" => t.pick("培训教师", "Trainers"),
        "person_ids" => t.pick("送培人员", "People"),
        "class_id" => t.pick("培训班", "Class"),
        "entries" => t.pick("考勤", "Attendance"),
        "session_on" => t.pick("日期", "Day"),
        "part" => t.pick("科目", "Part"),
        "hours" => t.pick("学时", "Hours"),
        "method" => t.pick("考勤方式", "Method"),
        "storage" => t.pick("存储位置", "Storage"),
        "sha256" => t.pick("SHA-256 摘要", "SHA-256 digest"),
        "duration_seconds" => t.pick("时长", "Duration"),
        "retained_until" => t.pick("保存至", "Kept until"),
        "completed_on" => t.pick("结业日期", "Completion day"),
        "trainer" => t.pick("人员", "Person"),
        _ => t.pick("本表", "This form"),
    }
}

/// Runs a write; an invalid input becomes the form's problems, anything else the page's
/// error.
fn form_outcome<T>(
    t: Tr,
    form: &str,
    result: Result<T, WebError>,
) -> Result<Result<T, Vec<FieldError>>, WebError> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(err @ WebError::Invalid { .. }) => Ok(Err(vec![located(t, form, &err)])),
        Err(other) => Err(other),
    }
}

/// A refused form: which one, what was typed, why.
#[derive(Default)]
struct Refused {
    form: &'static str,
    typed: Typed,
    errors: Vec<FieldError>,
}

// ---------------------------------------------------------------- the institutions

struct InstitutionLine {
    href: String,
    name: String,
    credit_code: String,
    city: String,
    trades: Vec<String>,
    catalogue: Option<String>,
}

#[derive(Template)]
#[template(path = "training_institutions.html")]
struct InstitutionsPage {
    l: Layout,
    rows: Vec<InstitutionLine>,
}

/// As `access::institution_visible` decides, for a whole list at once.
fn sees_institution(actor: &anpei_store::Actor, row: &institution::Model) -> bool {
    match &actor.scope {
        Scope::Province | Scope::System => true,
        Scope::City(city) => *city == row.city_code,
        Scope::County(county) => *county == row.region_code,
        Scope::HrBureau(region) => anpei_store::ops::subsidies::hr_sees(region, &row.region_code),
        Scope::Institution(own) => *own == row.id,
        Scope::Person(_) | Scope::Enterprise(_) => false,
    }
}

async fn institutions(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
) -> Result<Response, WebError> {
    match authed.actor.scope {
        Scope::Institution(own) => {
            return Ok(Redirect::to(&format!("/institutions/{own}")).into_response());
        }
        Scope::Person(_) | Scope::Enterprise(_) => return Err(WebError::NotFound),
        _ => {}
    }
    let rows = read::institutions(state.store.connection())
        .await?
        .into_iter()
        .filter(|(row, _)| sees_institution(&authed.actor, row))
        .map(|(row, trades)| InstitutionLine {
            href: format!("/institutions/{}", row.id),
            city: city_label(t, &row.region_code),
            catalogue: row.hr_catalogue_since.map(date),
            name: row.name,
            credit_code: row.credit_code,
            trades,
        })
        .collect();
    render(&InstitutionsPage {
        l: Layout::new(
            t,
            t.pick("培训机构", "Training institutions"),
            Some(&authed),
            "/institutions",
        ),
        rows,
    })
}

struct ApprovalLine {
    trade: String,
    code: String,
    approved: String,
    facilities: String,
    may_examine: bool,
    status: &'static str,
    tone: &'static str,
    in_force: bool,
}

struct TrainerLine {
    id: Uuid,
    name: String,
    role: &'static str,
    qualification: String,
    trades: String,
    selected: String,
    assessed: String,
    status: String,
    tone: &'static str,
    active: bool,
}

struct ClassLine {
    href: String,
    number: String,
    trade: String,
    theory: String,
    practical: String,
    dates: String,
    trainers: String,
    status: &'static str,
    tone: &'static str,
}

#[derive(Template)]
#[template(path = "institution.html")]
struct RegistryPage {
    l: Layout,
    id: Uuid,
    name: String,
    credit_code: String,
    region: String,
    since: String,
    catalogue: Option<String>,
    approvals: Vec<ApprovalLine>,
    trainers: Vec<TrainerLine>,
    classes: Vec<ClassLine>,
    /// The exam sites it runs: name, county, address, seats.
    exam_sites: Vec<(String, String, String, i64)>,
    /// Which forms this reader gets.
    regulator: bool,
    hr: bool,
    own: bool,
    all_trades: Vec<Choice>,
    approved_trades: Vec<Choice>,
    class_trades: Vec<Choice>,
    class_trainers: Vec<Choice>,
    roles: Vec<Choice>,
    today: String,
    year: i32,
    refused: Refused,
    notice: Option<&'static str>,
}

impl RegistryPage {
    /// The value typed into `field` of `form` when that form was refused, else `default`.
    fn value(&self, form: &str, field: &str, default: &str) -> String {
        if self.refused.form == form {
            self.refused.typed.get(field)
        } else {
            default.to_owned()
        }
    }

    fn checked(&self, form: &str, field: &str) -> bool {
        self.refused.form == form && !self.refused.typed.get(field).is_empty()
    }

    fn is_open(&self, form: &str) -> bool {
        self.refused.form == form
    }

    fn invalid(&self, form: &str, field: &str) -> bool {
        self.refused.form == form
            && self
                .refused
                .errors
                .iter()
                .any(|e| e.field.split(['[', '.']).next() == Some(field))
    }
}

#[derive(Deserialize, Default)]
struct DoneParams {
    done: Option<String>,
}

async fn registry(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
    Query(params): Query<DoneParams>,
) -> Result<Response, WebError> {
    let notice = params.done.as_deref().map(|done| match done {
        "trade" => t.pick("已保存工种批准。", "Approval saved."),
        "withdrawn" => t.pick("已撤销该工种批准。", "Approval withdrawn."),
        "catalogue" => t.pick("已更新统一目录清单。", "Catalogue updated."),
        "trainer" => t.pick("已登记。", "Recorded."),
        "class" => t.pick("培训班已开班。", "Class opened."),
        _ => t.pick("已保存。", "Saved."),
    });
    let page = registry_page(&state, t, &authed, id, Refused::default(), notice).await?;
    render(&page)
}

async fn registry_page(
    state: &AppState,
    t: Tr,
    authed: &Authed,
    id: Uuid,
    refused: Refused,
    notice: Option<&'static str>,
) -> Result<RegistryPage, WebError> {
    let today = clock::today();
    let entry = read::registry(state.store.connection(), &authed.actor, id).await?;
    let row = &entry.institution;
    let regulator = match &authed.actor.scope {
        Scope::Province | Scope::System => true,
        Scope::City(city) => *city == row.city_code,
        _ => false,
    };
    let hr = matches!(authed.actor.scope, Scope::HrBureau(_));
    let own = matches!(authed.actor.scope, Scope::Institution(mine) if mine == id);
    let typed = |form: &str, field: &str| {
        if refused.form == form {
            refused.typed.all(field)
        } else {
            Vec::new()
        }
    };
    let approvals: Vec<ApprovalLine> = entry
        .approvals
        .iter()
        .map(|a| approval_line(t, a, today))
        .collect();
    let in_force: Vec<&institution_trade::Model> = entry
        .approvals
        .iter()
        .filter(|a| approval_holds(a, today))
        .collect();
    let chosen_trades = typed("trainer", "trade_codes");
    let approved_trades = in_force
        .iter()
        .map(|a| {
            Choice::new(
                a.trade_code.clone(),
                trade_label(t, &a.trade_code),
                chosen_trades.contains(&a.trade_code),
            )
        })
        .collect();
    let class_trade = refused.typed.get("trade_code");
    let class_trades = in_force
        .iter()
        .map(|a| {
            Choice::new(
                a.trade_code.clone(),
                trade_label(t, &a.trade_code),
                refused.form == "class" && class_trade == a.trade_code,
            )
        })
        .collect();
    let chosen_trainers = typed("class", "trainer_ids");
    let class_trainers = entry
        .trainers
        .iter()
        .filter(|tr| {
            tr.role == TrainerRole::Trainer.code()
                && may_teach(
                    tr.selected_on,
                    tr.exited_on,
                    tr.last_assessment_passed,
                    today,
                )
        })
        .map(|tr| {
            Choice::new(
                tr.id.to_string(),
                format!("{}（{}）", tr.name, tr.trade_codes.replace(',', "、")),
                chosen_trainers.contains(&tr.id.to_string()),
            )
        })
        .collect();
    let approve_trade = if refused.form == "approve" {
        refused.typed.get("trade_code")
    } else {
        String::new()
    };
    let role = if refused.form == "trainer" {
        refused.typed.get("role")
    } else {
        TrainerRole::Trainer.code().to_owned()
    };
    Ok(RegistryPage {
        l: Layout::new(t, &row.name, Some(authed), &format!("/institutions/{id}")),
        id,
        name: row.name.clone(),
        credit_code: row.credit_code.clone(),
        region: city_label(t, &row.region_code),
        since: clock::local(row.created_at),
        catalogue: row.hr_catalogue_since.map(date),
        approvals,
        trainers: entry
            .trainers
            .iter()
            .map(|tr| trainer_line(t, tr, today))
            .collect(),
        classes: entry
            .classes
            .iter()
            .map(|c| class_line(t, c, today))
            .collect(),
        exam_sites: entry
            .exam_sites
            .iter()
            .map(|(site, seats)| {
                (
                    site.name.clone(),
                    anpei_domain::region::find(&site.region_code)
                        .map(|r| r.name.to_owned())
                        .unwrap_or_else(|| site.region_code.clone()),
                    site.address.clone(),
                    *seats,
                )
            })
            .collect(),
        regulator,
        hr,
        own,
        all_trades: trade::trades()
            .iter()
            .map(|tr| Choice::new(tr.code, trade_label(t, tr.code), approve_trade == tr.code))
            .collect(),
        approved_trades,
        class_trades,
        class_trainers,
        roles: TrainerRole::ALL
            .iter()
            .map(|r| Choice::new(r.code(), t.pick(r.name_zh(), r.name_en()), role == r.code()))
            .collect(),
        today: date(today),
        year: chrono::Datelike::year(&today),
        refused,
        notice,
    })
}

fn approval_line(t: Tr, a: &institution_trade::Model, today: NaiveDate) -> ApprovalLine {
    let holds = approval_holds(a, today);
    let (status, tone) = if holds {
        (t.pick("有效", "In force"), "ok")
    } else if a.withdrawn_on.is_some() {
        (t.pick("已撤销", "Withdrawn"), "bad")
    } else if a.practical_facilities.trim().is_empty() {
        (t.pick("无实操条件", "No practical facilities"), "bad")
    } else {
        (t.pick("未生效", "Not yet in force"), "muted")
    };
    ApprovalLine {
        trade: trade_label(t, &a.trade_code),
        code: a.trade_code.clone(),
        approved: match a.withdrawn_on {
            Some(on) => format!("{} → {}", date(a.approved_on), date(on)),
            None => date(a.approved_on),
        },
        facilities: a.practical_facilities.clone(),
        may_examine: a.may_examine,
        status,
        tone,
        in_force: a.withdrawn_on.is_none(),
    }
}

fn trainer_line(t: Tr, tr: &trainer::Model, today: NaiveDate) -> TrainerLine {
    let active = may_teach(
        tr.selected_on,
        tr.exited_on,
        tr.last_assessment_passed,
        today,
    );
    let (status, tone) = match (&tr.exited_on, tr.last_assessment_passed) {
        (Some(on), _) => (
            format!(
                "{} {}{}",
                t.pick("已退出", "Left"),
                date(*on),
                tr.exit_reason
                    .as_deref()
                    .map(|r| format!("（{r}）"))
                    .unwrap_or_default()
            ),
            "muted",
        ),
        (None, Some(false)) => (
            t.pick("考核不合格，暂停", "Failed the assessment; suspended")
                .to_owned(),
            "bad",
        ),
        _ if active => (t.pick("在岗", "Active").to_owned(), "ok"),
        _ => (t.pick("未到岗", "Not yet active").to_owned(), "muted"),
    };
    TrainerLine {
        id: tr.id,
        name: tr.name.clone(),
        role: role_label(t, &tr.role),
        qualification: tr.qualification.clone(),
        trades: tr.trade_codes.replace(',', "、"),
        selected: date(tr.selected_on),
        assessed: match (tr.last_assessed_year, tr.last_assessment_passed) {
            (Some(year), Some(true)) => format!("{year} {}", t.pick("合格", "passed")),
            (Some(year), Some(false)) => format!("{year} {}", t.pick("不合格", "failed")),
            _ => "—".to_owned(),
        },
        status,
        tone,
        active: tr.exited_on.is_none(),
    }
}

fn class_line(t: Tr, c: &training_class::Model, today: NaiveDate) -> ClassLine {
    let (status, tone) = match c.completed_on {
        Some(_) => (t.pick("已结业", "Completed"), "done"),
        None if today < c.starts_on => (t.pick("待开班", "Not started"), "muted"),
        None => (t.pick("培训中", "Running"), "warn"),
    };
    ClassLine {
        href: format!("/classes/{}", c.id),
        number: c.number.clone(),
        trade: trade_label(t, &c.trade_code),
        theory: hours(c.theory_hours),
        practical: hours(c.practical_hours),
        dates: format!("{} ~ {}", date(c.starts_on), date(c.ends_on)),
        trainers: c.trainers.clone(),
        status,
        tone,
    }
}

async fn refused_registry(
    state: &AppState,
    t: Tr,
    authed: &Authed,
    id: Uuid,
    form: &'static str,
    typed: Typed,
    errors: Vec<FieldError>,
) -> Result<Response, WebError> {
    let page = registry_page(
        state,
        t,
        authed,
        id,
        Refused {
            form,
            typed,
            errors,
        },
        None,
    )
    .await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

fn back(id: Uuid, done: &str, anchor: &str) -> Response {
    Redirect::to(&format!("/institutions/{id}?done={done}#{anchor}")).into_response()
}

async fn approve(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let typed = Typed(pairs);
    let result = async {
        let approved_on = parse_date("approved_on", &typed.get("approved_on"))?;
        ops::approve_trade(
            &state.store,
            &authed.actor,
            id,
            NewApproval {
                trade_code: typed.get("trade_code"),
                approved_on,
                may_examine: typed.has("may_examine"),
                practical_facilities: typed.get("practical_facilities"),
            },
            clock::today(),
            clock::now(),
        )
        .await
        .map_err(WebError::from)
    }
    .await;
    match form_outcome(t, "approve", result)? {
        Ok(_) => Ok(back(id, "trade", "approvals")),
        Err(errors) => refused_registry(&state, t, &authed, id, "approve", typed, errors).await,
    }
}

async fn withdraw(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path((id, trade)): Path<(Uuid, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let typed = Typed(pairs);
    let result = async {
        let on = parse_date("on", &typed.get("on"))?;
        ops::withdraw_trade(&state.store, &authed.actor, id, &trade, on, clock::now())
            .await
            .map_err(WebError::from)
    }
    .await;
    match form_outcome(t, "approve", result)? {
        Ok(_) => Ok(back(id, "withdrawn", "approvals")),
        Err(errors) => refused_registry(&state, t, &authed, id, "approve", typed, errors).await,
    }
}

async fn catalogue(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let typed = Typed(pairs);
    let result = async {
        let since = if typed.get("action") == "remove" {
            None
        } else {
            Some(parse_date("since", &typed.get("since"))?)
        };
        ops::set_hr_catalogue(
            &state.store,
            &authed.actor,
            id,
            since,
            clock::today(),
            clock::now(),
        )
        .await
        .map_err(WebError::from)
    }
    .await;
    match form_outcome(t, "catalogue", result)? {
        Ok(_) => Ok(back(id, "catalogue", "catalogue")),
        Err(errors) => refused_registry(&state, t, &authed, id, "catalogue", typed, errors).await,
    }
}

async fn add_trainer(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let typed = Typed(pairs);
    let result = async {
        let role = TrainerRole::parse(&typed.get("role")).ok_or_else(|| {
            invalid(
                "role",
                "请选择培训教师或考评员",
                "Choose trainer or examiner",
            )
        })?;
        let selected_on = parse_date("selected_on", &typed.get("selected_on"))?;
        ops::add_trainer(
            &state.store,
            &authed.actor,
            id,
            NewTrainer {
                name: typed.get("name"),
                role,
                qualification: typed.get("qualification"),
                trade_codes: typed.all("trade_codes"),
                selected_on,
            },
            clock::today(),
            clock::now(),
        )
        .await
        .map_err(WebError::from)
    }
    .await;
    match form_outcome(t, "trainer", result)? {
        Ok(_) => Ok(back(id, "trainer", "trainers")),
        Err(errors) => refused_registry(&state, t, &authed, id, "trainer", typed, errors).await,
    }
}

async fn trainer_event(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path((id, trainer_id)): Path<(Uuid, Uuid)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let typed = Typed(pairs);
    let result = async {
        let event = match typed.get("kind").as_str() {
            "assessed" => TrainerEvent::Assessed {
                year: typed
                    .get("year")
                    .parse()
                    .map_err(|_| invalid("year", "请填写考核年度", "Enter the year"))?,
                passed: match typed.get("passed").as_str() {
                    "yes" => true,
                    "no" => false,
                    _ => {
                        return Err(invalid("passed", "请选择考核结果", "Choose the result"));
                    }
                },
            },
            _ => TrainerEvent::Exited {
                on: parse_date("exited_on", &typed.get("exited_on"))?,
                reason: typed.get("exit_reason"),
            },
        };
        ops::trainer_event(
            &state.store,
            &authed.actor,
            (id, trainer_id),
            event,
            clock::today(),
            clock::now(),
        )
        .await
        .map_err(WebError::from)
    }
    .await;
    match form_outcome(t, "event", result)? {
        Ok(_) => Ok(back(id, "trainer", "trainers")),
        Err(errors) => refused_registry(&state, t, &authed, id, "event", typed, errors).await,
    }
}

async fn open_class(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let typed = Typed(pairs);
    let result = async {
        let new = NewClass {
            number: typed.get("number"),
            trade_code: typed.get("trade_code"),
            syllabus: typed.get("syllabus"),
            theory_hours: number("theory_hours", &typed.get("theory_hours"))?,
            practical_hours: number("practical_hours", &typed.get("practical_hours"))?,
            starts_on: parse_date("starts_on", &typed.get("starts_on"))?,
            ends_on: parse_date("ends_on", &typed.get("ends_on"))?,
            schedule: typed.get("schedule"),
            trainer_ids: typed
                .all("trainer_ids")
                .iter()
                .filter_map(|raw| Uuid::parse_str(raw).ok())
                .collect(),
        };
        ops::create_class(&state.store, &authed.actor, id, new, clock::now())
            .await
            .map_err(WebError::from)
    }
    .await;
    match form_outcome(t, "class", result)? {
        Ok(class) => {
            Ok(Redirect::to(&format!("/classes/{}?done=opened", class.id)).into_response())
        }
        Err(errors) => refused_registry(&state, t, &authed, id, "class", typed, errors).await,
    }
}

// ---------------------------------------------------------------- the classes

struct OpenClassLine {
    id: String,
    href: String,
    number: String,
    institution: String,
    trade: String,
    dates: String,
    theory: String,
    practical: String,
    trainers: String,
    status: &'static str,
    tone: &'static str,
}

#[derive(Template)]
#[template(path = "classes.html")]
struct ClassesPage {
    l: Layout,
    intro: &'static str,
    rows: Vec<OpenClassLine>,
    /// The institution's own page, for opening a class.
    own_registry: Option<String>,
    /// The enterprise's form.
    enroll: bool,
    class_choices: Vec<Choice>,
    staff: Vec<Choice>,
    errors: Vec<FieldError>,
    notice: Option<String>,
}

impl ClassesPage {
    fn invalid(&self, field: &str) -> bool {
        self.errors
            .iter()
            .any(|e| e.field.split(['[', '.']).next() == Some(field))
    }
}

#[derive(Deserialize, Default)]
struct ClassesParams {
    class: Option<String>,
    sent: Option<usize>,
}

async fn classes(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Query(params): Query<ClassesParams>,
) -> Result<Response, WebError> {
    let mut typed = Typed::default();
    if let Some(class) = params.class {
        typed.0.push(("class_id".to_owned(), class));
    }
    let notice = params.sent.map(|n| {
        if t.is_en() {
            format!("{n} people sent to the class.")
        } else {
            format!("已送培 {n} 人。")
        }
    });
    let page = classes_page(&state, t, &authed, typed, Vec::new(), notice).await?;
    render(&page)
}

async fn classes_page(
    state: &AppState,
    t: Tr,
    authed: &Authed,
    typed: Typed,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> Result<ClassesPage, WebError> {
    let db = state.store.connection();
    let today = clock::today();
    let line = |c: &training_class::Model, institution: String| {
        let summary = class_line(t, c, today);
        OpenClassLine {
            id: c.id.to_string(),
            href: summary.href,
            number: summary.number,
            institution,
            trade: summary.trade,
            dates: summary.dates,
            theory: summary.theory,
            practical: summary.practical,
            trainers: summary.trainers,
            status: summary.status,
            tone: summary.tone,
        }
    };
    let (intro, rows, own_registry) = match authed.actor.scope {
        Scope::Person(_) => return Err(WebError::NotFound),
        Scope::Institution(own) => {
            let entry = read::registry(db, &authed.actor, own).await?;
            let name = entry.institution.name.clone();
            (
                t.pick(
                    "本机构的培训班：学员、考勤、培训视频与结业。",
                    "Your institution's classes: trainees, attendance, training videos and completion.",
                ),
                entry
                    .classes
                    .iter()
                    .map(|c| line(c, name.clone()))
                    .collect::<Vec<_>>(),
                Some(format!("/institutions/{own}#class-form")),
            )
        }
        _ => (
            if matches!(authed.actor.scope, Scope::Enterprise(_)) {
                t.pick(
                    "各培训机构正在开办的培训班。委托培训的，可在下方选派本企业在岗人员参加。",
                    "Classes open at the training institutions. To delegate training, send your staff below.",
                )
            } else {
                t.pick(
                    "各培训机构正在开办的培训班。",
                    "Classes open at the training institutions.",
                )
            },
            read::open_classes(db)
                .await?
                .iter()
                .map(|(c, institution)| line(c, institution.clone()))
                .collect(),
            None,
        ),
    };
    let enterprise = match authed.actor.scope {
        Scope::Enterprise(id) => Some(id),
        _ => None,
    };
    let (class_choices, staff) = match enterprise {
        Some(enterprise_id) => {
            let chosen_class = typed.get("class_id");
            let chosen_people = typed.all("person_ids");
            let staff = base_read::staff(
                db,
                &authed.actor,
                enterprise_id,
                &StaffQuery {
                    page: 1,
                    per_page: base_read::MAX_PER_PAGE,
                    sort: StaffSort::Name,
                    ..StaffQuery::default()
                },
                today,
            )
            .await?;
            let mut seen = std::collections::HashSet::new();
            (
                rows.iter()
                    .map(|r| {
                        Choice::new(
                            r.id.clone(),
                            format!(
                                "{} · {} · {} · {}",
                                r.number, r.institution, r.trade, r.dates
                            ),
                            chosen_class == r.id,
                        )
                    })
                    .collect(),
                staff
                    .items
                    .into_iter()
                    .filter(|s| seen.insert(s.person_id))
                    .map(|s| {
                        Choice::new(
                            s.person_id.to_string(),
                            format!("{}（{}，{}）", s.name, s.position, s.id_number.masked()),
                            chosen_people.contains(&s.person_id.to_string()),
                        )
                    })
                    .collect(),
            )
        }
        None => (Vec::new(), Vec::new()),
    };
    Ok(ClassesPage {
        l: Layout::new(t, t.pick("培训班", "Classes"), Some(authed), "/classes"),
        intro,
        rows,
        own_registry,
        enroll: enterprise.is_some(),
        class_choices,
        staff,
        errors,
        notice,
    })
}

async fn enroll(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let Scope::Enterprise(enterprise_id) = authed.actor.scope else {
        return Err(WebError::NotFound);
    };
    let typed = Typed(pairs);
    let people: Vec<Uuid> = typed
        .all("person_ids")
        .iter()
        .filter_map(|raw| Uuid::parse_str(raw).ok())
        .collect();
    let result = async {
        let class_id = Uuid::parse_str(&typed.get("class_id"))
            .map_err(|_| invalid("class_id", "请选择培训班", "Choose a class"))?;
        let staff = ledger_write(&state, &authed, enterprise_id).await?;
        ops::enroll(
            &state.store,
            &authed.actor,
            staff,
            class_id,
            &people,
            clock::today(),
            clock::now(),
        )
        .await
        .map_err(WebError::from)
    }
    .await;
    match form_outcome(t, "enroll", result)? {
        Ok(sent) => {
            Ok(Redirect::to(&format!("/classes?sent={}#enroll", sent.len())).into_response())
        }
        Err(errors) => {
            let page = classes_page(&state, t, &authed, typed, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}

struct TraineeLine {
    id: String,
    name: String,
    id_masked: String,
    enterprise: String,
    theory: String,
    practical: String,
    theory_short: bool,
    practical_short: bool,
    sessions: usize,
    completed: String,
    tone: &'static str,
}

struct AttendanceLine {
    day: String,
    name: String,
    part: &'static str,
    hours: String,
    method: &'static str,
    signed: String,
}

struct VideoLine {
    part: &'static str,
    day: String,
    storage: String,
    sha_short: String,
    sha256: String,
    duration: String,
    retained: String,
}

#[derive(Template)]
#[template(path = "class.html")]
struct ClassPage {
    l: Layout,
    id: Uuid,
    number: String,
    institution: String,
    institution_href: Option<String>,
    trade: String,
    syllabus: String,
    theory: String,
    practical: String,
    starts: String,
    ends: String,
    trainers: String,
    schedule: String,
    status: &'static str,
    tone: &'static str,
    completed: bool,
    trainees: Vec<TraineeLine>,
    attendance: Vec<AttendanceLine>,
    videos: Vec<VideoLine>,
    own: bool,
    can_send: bool,
    parts: Vec<Choice>,
    methods: Vec<Choice>,
    default_day: String,
    default_retained: String,
    today: String,
    refused: Refused,
    notice: Option<String>,
}

impl ClassPage {
    fn value(&self, form: &str, field: &str, default: &str) -> String {
        if self.refused.form == form {
            self.refused.typed.get(field)
        } else {
            default.to_owned()
        }
    }

    fn is_open(&self, form: &str) -> bool {
        self.refused.form == form
    }

    fn invalid(&self, form: &str, field: &str) -> bool {
        self.refused.form == form
            && self.refused.errors.iter().any(|e| {
                e.field.split(['[', '.']).next() == Some(field)
                    || e.field.rsplit('.').next() == Some(field)
            })
    }

    /// Whether the trainee is ticked on the attendance form (all are, at first).
    fn present(&self, person: &str) -> bool {
        self.refused.form != "attendance"
            || self
                .refused
                .typed
                .all("person_ids")
                .iter()
                .any(|p| p == person)
    }
}

#[derive(Deserialize, Default)]
struct ClassParams {
    done: Option<String>,
    completed: Option<usize>,
    short: Option<usize>,
}

async fn class(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
    Query(params): Query<ClassParams>,
) -> Result<Response, WebError> {
    let notice = match params.done.as_deref() {
        Some("opened") => Some(t.pick("培训班已开班。", "Class opened.").to_owned()),
        Some("attendance") => Some(t.pick("考勤已登记。", "Attendance recorded.").to_owned()),
        Some("video") => Some(t.pick("培训视频已登记。", "Video registered.").to_owned()),
        Some("completed") => {
            let (done, short) = (params.completed.unwrap_or(0), params.short.unwrap_or(0));
            Some(if t.is_en() {
                format!(
                    "Class completed: {done} trainees attended every hour and have it in their archives; {short} short of hours."
                )
            } else {
                format!("已结业：{done} 人学时完成，培训已记入档案；{short} 人学时不足，未结业。")
            })
        }
        _ => None,
    };
    let page = class_page(&state, t, &authed, id, Refused::default(), notice).await?;
    render(&page)
}

async fn class_page(
    state: &AppState,
    t: Tr,
    authed: &Authed,
    id: Uuid,
    refused: Refused,
    notice: Option<String>,
) -> Result<ClassPage, WebError> {
    if matches!(authed.actor.scope, Scope::Person(_)) {
        return Err(WebError::NotFound);
    }
    let today = clock::today();
    let view = read::class(state.store.connection(), &authed.actor, id).await?;
    let c = &view.class;
    let names: std::collections::HashMap<Uuid, String> = view
        .trainees
        .iter()
        .map(|tr| (tr.person_id, tr.name.clone()))
        .collect();
    let tenths = |h: f64| (h * 10.0).round() as i64;
    let trainees = view
        .trainees
        .iter()
        .map(|tr| {
            let (completed, tone) = match tr.completed_on {
                Some(on) => (date(on), "ok"),
                None if c.completed_on.is_some() => (
                    t.pick("学时不足，未结业", "Short of hours").to_owned(),
                    "bad",
                ),
                None => (t.pick("在训", "In training").to_owned(), "muted"),
            };
            TraineeLine {
                id: tr.person_id.to_string(),
                name: tr.name.clone(),
                id_masked: tr.id_number.masked(),
                enterprise: tr.enterprise.clone().unwrap_or_else(|| "—".to_owned()),
                theory: format!("{} / {}", hours(tr.theory_hours), hours(c.theory_hours)),
                practical: format!(
                    "{} / {}",
                    hours(tr.practical_hours),
                    hours(c.practical_hours)
                ),
                theory_short: tenths(tr.theory_hours) < tenths(c.theory_hours),
                practical_short: tenths(tr.practical_hours) < tenths(c.practical_hours),
                sessions: tr.sessions,
                completed,
                tone,
            }
        })
        .collect();
    let attendance = view
        .attendance
        .iter()
        .rev()
        .map(|a| AttendanceLine {
            day: date(a.session_on),
            name: names.get(&a.person_id).cloned().unwrap_or_default(),
            part: part_label(t, &a.part),
            hours: hours(a.hours),
            method: method_label(t, &a.method),
            signed: clock::local(a.signed_at),
        })
        .collect();
    let videos = view
        .videos
        .iter()
        .map(|v| VideoLine {
            part: part_label(t, &v.part),
            day: date(v.session_on),
            storage: v.storage.clone(),
            sha_short: format!("{}…", v.sha256.chars().take(12).collect::<String>()),
            sha256: v.sha256.clone(),
            duration: duration(v.duration_seconds),
            retained: date(v.retained_until),
        })
        .collect();
    let (status, tone) = match c.completed_on {
        Some(_) => (t.pick("已结业", "Completed"), "done"),
        None if today < c.starts_on => (t.pick("待开班", "Not started"), "muted"),
        None => (t.pick("培训中", "Running"), "warn"),
    };
    let part = if refused.form == "attendance" || refused.form == "video" {
        refused.typed.get("part")
    } else {
        VideoPart::Theory.code().to_owned()
    };
    let method = if refused.form == "attendance" {
        refused.typed.get("method")
    } else {
        AttendanceMethod::ALL
            .first()
            .map(|m| m.code().to_owned())
            .unwrap_or_default()
    };
    // A session day inside the class, and no later than today.
    let default_day = today.min(c.ends_on).max(c.starts_on);
    // Kept at least through the validity of certificates obtained after the class: six years
    // from an exam that follows it, so seven from its end to be safe.
    let default_retained = c
        .ends_on
        .checked_add_months(chrono::Months::new(7 * 12))
        .unwrap_or(c.ends_on);
    let institution_visible = anpei_store::access::institution_visible(
        state.store.connection(),
        &authed.actor,
        c.institution_id,
    )
    .await
    .is_ok();
    Ok(ClassPage {
        l: Layout::new(
            t,
            &format!("{} {}", t.pick("培训班", "Class"), c.number),
            Some(authed),
            &format!("/classes/{id}"),
        ),
        id,
        number: c.number.clone(),
        institution: view.institution.clone(),
        institution_href: institution_visible
            .then(|| format!("/institutions/{}", c.institution_id)),
        trade: trade_label(t, &c.trade_code),
        syllabus: c.syllabus.clone(),
        theory: hours(c.theory_hours),
        practical: hours(c.practical_hours),
        starts: date(c.starts_on),
        ends: date(c.ends_on),
        trainers: c.trainers.clone(),
        schedule: c.schedule.clone(),
        status,
        tone,
        completed: c.completed_on.is_some(),
        trainees,
        attendance,
        videos,
        own: view.own,
        can_send: matches!(authed.actor.scope, Scope::Enterprise(_)) && c.completed_on.is_none(),
        parts: VideoPart::ALL
            .iter()
            .map(|p| Choice::new(p.code(), t.pick(p.name_zh(), p.name_en()), part == p.code()))
            .collect(),
        methods: AttendanceMethod::ALL
            .iter()
            .map(|m| {
                Choice::new(
                    m.code(),
                    t.pick(m.name_zh(), m.name_en()),
                    method == m.code(),
                )
            })
            .collect(),
        default_day: date(default_day),
        default_retained: date(default_retained),
        today: date(today),
        refused,
        notice,
    })
}

async fn refused_class(
    state: &AppState,
    t: Tr,
    authed: &Authed,
    id: Uuid,
    form: &'static str,
    typed: Typed,
    errors: Vec<FieldError>,
) -> Result<Response, WebError> {
    let page = class_page(
        state,
        t,
        authed,
        id,
        Refused {
            form,
            typed,
            errors,
        },
        None,
    )
    .await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

/// "2026-03-02" and "08:30" (Beijing time) to the instant of a sign-in.
fn signed_at(day: NaiveDate, time: &str) -> Result<chrono::DateTime<Utc>, WebError> {
    NaiveTime::parse_from_str(time.trim(), "%H:%M")
        .ok()
        .map(|at| NaiveDateTime::new(day, at))
        .and_then(|naive| naive.and_local_timezone(clock::SHANGHAI).single())
        .map(|at| at.with_timezone(&Utc))
        .ok_or_else(|| {
            invalid(
                "signed_at",
                "请填写签到时间（时:分）",
                "Enter the sign-in time (HH:MM)",
            )
        })
}

async fn attendance(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let typed = Typed(pairs);
    let result = async {
        let day = parse_date("session_on", &typed.get("session_on"))?;
        let hours = number("hours", &typed.get("hours"))?;
        let at = signed_at(day, &typed.get("signed_at"))?;
        let people = typed.all("person_ids");
        if people.is_empty() {
            return Err(invalid(
                "person_ids",
                "请勾选到课的学员",
                "Tick the trainees who attended",
            ));
        }
        let entries: Vec<NewAttendance> = people
            .iter()
            .filter_map(|raw| Uuid::parse_str(raw).ok())
            .map(|person_id| NewAttendance {
                person_id,
                session_on: day,
                part: typed.get("part"),
                hours,
                method: typed.get("method"),
                signed_at: at,
            })
            .collect();
        ops::record_attendance(
            &state.store,
            &authed.actor,
            id,
            &entries,
            clock::today(),
            clock::now(),
        )
        .await
        .map_err(WebError::from)
    }
    .await;
    match form_outcome(t, "attendance", result)? {
        Ok(_) => {
            Ok(Redirect::to(&format!("/classes/{id}?done=attendance#trainees")).into_response())
        }
        Err(errors) => refused_class(&state, t, &authed, id, "attendance", typed, errors).await,
    }
}

async fn video(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let typed = Typed(pairs);
    let result = async {
        let minutes = number("duration_seconds", &typed.get("duration_minutes"))?;
        let seconds = (minutes * 60.0).round();
        let duration_seconds = if (1.0..=f64::from(24 * 3600)).contains(&seconds) {
            seconds as i32
        } else {
            return Err(invalid(
                "duration_seconds",
                "时长应在 1 秒至 24 小时之间",
                "The duration must be between 1 second and 24 hours",
            ));
        };
        ops::record_video(
            &state.store,
            &authed.actor,
            id,
            NewVideo {
                part: typed.get("part"),
                session_on: parse_date("session_on", &typed.get("session_on"))?,
                storage: typed.get("storage"),
                sha256: typed.get("sha256"),
                duration_seconds,
                retained_until: parse_date("retained_until", &typed.get("retained_until"))?,
            },
            clock::today(),
            clock::now(),
        )
        .await
        .map_err(WebError::from)
    }
    .await;
    match form_outcome(t, "video", result)? {
        Ok(_) => Ok(Redirect::to(&format!("/classes/{id}?done=video#videos")).into_response()),
        Err(errors) => refused_class(&state, t, &authed, id, "video", typed, errors).await,
    }
}

async fn complete(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let typed = Typed(pairs);
    let result = async {
        let on = parse_date("completed_on", &typed.get("completed_on"))?;
        ops::complete_class(
            &state.store,
            &authed.actor,
            id,
            on,
            clock::today(),
            clock::now(),
        )
        .await
        .map_err(WebError::from)
    }
    .await;
    match form_outcome(t, "complete", result)? {
        Ok(done) => Ok(Redirect::to(&format!(
            "/classes/{id}?done=completed&completed={}&short={}#trainees",
            done.completed.len(),
            done.short.len()
        ))
        .into_response()),
        Err(errors) => refused_class(&state, t, &authed, id, "complete", typed, errors).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_and_durations_read_as_printed() {
        assert_eq!(hours(24.0), "24");
        assert_eq!(hours(7.5), "7.5");
        assert_eq!(duration(45 * 60 + 10), "45:10");
        assert_eq!(duration(3723), "1:02:03");
    }
}

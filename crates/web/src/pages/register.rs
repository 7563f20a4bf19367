//! Making an account without an administrator (SPEC C0): an enterprise or a training
//! institution registers itself (pending until its city regulator approves), a worker signs
//! up with name, ID number and a code sent to the phone on record, or accepts an employer's
//! invitation.
//!
//! The phone code goes out through the notification outbox; with no SMS gateway in this
//! deployment it is also written to the server's log (target `anpei::sms`, the phone
//! masked), so that an operator can read it out. The ID number is never logged. Codes are
//! limited per person by the store (one a minute, five a day) and per client address here
//! (`api::accounts::CodeRequests`, in memory: 20 requests an hour).

use anpei_domain::{Bilingual, CreditCode, IdNumber, Industry, PersonName, Phone};
use anpei_store::ops::accounts::admin::EnterpriseIdentity;
use anpei_store::ops::accounts::signup::{
    self, EnterpriseRegistration, InstitutionRegistration, PhoneCodeAnswer, WorkerLogin,
};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use chrono::TimeDelta;
use serde::Deserialize;

use super::{Layout, render};
use crate::AppState;
use crate::api::accounts::{CodeRequests, too_soon};
use crate::auth::ClientAddr;
use crate::clock;
use crate::error::WebError;
use crate::extract::Form;
use crate::i18n::Tr;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/register/enterprise",
            get(enterprise_page).post(register_enterprise),
        )
        .route(
            "/register/institution",
            get(institution_page).post(register_institution),
        )
        .route("/register/worker", get(worker_page).post(worker_signup))
        .route("/register/worker/code", post(worker_code))
        .route(
            "/register/invite/{token}",
            get(invitation_page).post(accept_invitation),
        )
        .layer(Extension(CodeRequests::default()))
}

/// The refusal's message, naming when to try again (in seconds, minutes or hours).
fn wait_message(wait: TimeDelta) -> (String, String) {
    let seconds = u64::try_from(wait.num_seconds()).unwrap_or(0).max(1);
    let (zh, en) = if seconds < 120 {
        (format!("{seconds} 秒"), format!("{seconds} seconds"))
    } else if seconds < 2 * 3600 {
        let minutes = seconds.div_ceil(60);
        (format!("{minutes} 分钟"), format!("{minutes} minutes"))
    } else {
        let hours = seconds.div_ceil(3600);
        (format!("{hours} 小时"), format!("{hours} hours"))
    };
    (
        format!("获取验证码过于频繁，请 {zh}后再试（每人每分钟最多1次、每天最多5次）"),
        format!(
            "Codes were asked for too often; try again in {en} (one a minute and five a day per person at most)"
        ),
    )
}

/// A group of the region list: a city, then its counties.
struct RegionGroup {
    label: String,
    choices: Vec<Choice>,
}

/// The institution's registration form, with what was typed and every refusal by field.
#[derive(Template)]
#[template(path = "register_institution.html")]
struct InstitutionPage {
    l: Layout,
    form: InstitutionForm,
    regions: Vec<RegionGroup>,
    errors: Vec<FieldError>,
    done: bool,
}

/// A refusal on one field: its id (the anchor), its label and why.
struct FieldError {
    field: String,
    label: String,
    message: String,
}

impl InstitutionPage {
    /// Whether `field` was refused (the template marks it `aria-invalid`).
    fn refused(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    /// Why `field` was refused.
    fn reason(&self, field: &str) -> &str {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map_or("", |e| e.message.as_str())
    }
}

#[derive(Deserialize, Default, Clone)]
struct InstitutionForm {
    #[serde(default)]
    credit_code: String,
    #[serde(default)]
    institution_name: String,
    #[serde(default)]
    region_code: String,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    contact_phone: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

/// The region list: each city (the city itself first, for what it registers directly),
/// then its counties.
fn region_groups(t: Tr, selected: &str) -> Vec<RegionGroup> {
    anpei_domain::region::cities()
        .map(|city| {
            let city_name = t.pick(city.name, city.name_en);
            let mut choices = vec![Choice {
                value: city.code.to_owned(),
                label: format!("{city_name}{}", t.pick("（市本级）", " (city)")),
                selected: city.code == selected,
            }];
            choices.extend(
                anpei_domain::region::counties_of(city.code).map(|county| Choice {
                    value: county.code.to_owned(),
                    label: format!("{city_name} {}", t.pick(county.name, county.name_en)),
                    selected: county.code == selected,
                }),
            );
            RegionGroup {
                label: city_name.to_owned(),
                choices,
            }
        })
        .collect()
}

fn institution_form(t: Tr, form: InstitutionForm) -> InstitutionPage {
    InstitutionPage {
        l: Layout::new(
            t,
            t.pick("培训机构注册", "Register a training institution"),
            None,
            "/register/institution",
        ),
        regions: region_groups(t, &form.region_code),
        form: InstitutionForm {
            password: String::new(),
            ..form
        },
        errors: Vec::new(),
        done: false,
    }
}

async fn institution_page(t: Tr) -> Result<Response, WebError> {
    render(&institution_form(t, InstitutionForm::default()))
}

/// The label of a field of the institution's form, for the list of refusals.
fn institution_label(t: Tr, field: &str) -> String {
    match field {
        "credit_code" => t.pick("统一社会信用代码", "Unified social credit code"),
        "institution_name" => t.pick("机构名称", "Institution name"),
        "region_code" => t.pick("所在地区", "Location"),
        "contact_name" => t.pick("联系人姓名", "Contact's name"),
        "contact_phone" => t.pick("联系人手机号", "Contact's mobile"),
        "username" => t.pick("用户名", "Username"),
        "password" | "new_password" => t.pick("密码", "Password"),
        _ => t.pick("注册", "Registration"),
    }
    .to_owned()
}

/// Parses the institution's form, naming every field at fault at once: (field, zh, en).
async fn parse_institution(
    state: &AppState,
    form: &InstitutionForm,
) -> Result<InstitutionRegistration, Vec<(String, String, String)>> {
    let mut errors = Vec::new();
    let mut check = |field: &str, reason: Option<(String, String)>| {
        if let Some((zh, en)) = reason {
            errors.push((field.to_owned(), zh, en));
        }
    };
    let credit_code = CreditCode::parse(form.credit_code.trim());
    check(
        "credit_code",
        credit_code.as_ref().err().map(|e| (e.zh(), e.en())),
    );
    let name = form.institution_name.trim();
    check(
        "institution_name",
        (!(2..=100).contains(&name.chars().count())).then(|| {
            (
                "机构名称应为2至100个字符".to_owned(),
                "The institution name must be 2 to 100 characters".to_owned(),
            )
        }),
    );
    let region = anpei_domain::region::find(form.region_code.trim())
        .filter(|r| anpei_domain::region::city_of(r.code).is_some());
    check(
        "region_code",
        region.is_none().then(|| {
            (
                "请选择所在市（地）或区县".to_owned(),
                "Choose the city or county".to_owned(),
            )
        }),
    );
    let contact_name = PersonName::parse(&form.contact_name);
    check(
        "contact_name",
        contact_name.as_ref().err().map(|e| (e.zh(), e.en())),
    );
    let contact_phone = Phone::parse(&form.contact_phone);
    check(
        "contact_phone",
        contact_phone.as_ref().err().map(|e| (e.zh(), e.en())),
    );
    let username = anpei_store::ops::accounts::check_username(&form.username);
    check(
        "username",
        username.err().map(|e| WebError::from(e).messages()),
    );
    let demo = anpei_store::ops::accounts::is_demo_database(state.store.connection())
        .await
        .unwrap_or(false);
    let strength = anpei_store::ops::accounts::check_password_strength(
        &form.password,
        form.username.trim(),
        demo,
    );
    check(
        "password",
        strength.err().map(|e| WebError::from(e).messages()),
    );
    match (credit_code, contact_name, contact_phone) {
        (Ok(credit_code), Ok(contact_name), Ok(contact_phone)) if errors.is_empty() => {
            Ok(InstitutionRegistration {
                credit_code,
                name: name.to_owned(),
                region_code: form.region_code.trim().to_owned(),
                contact_name,
                contact_phone,
                username: form.username.clone(),
                password: form.password.clone(),
            })
        }
        _ => Err(errors),
    }
}

async fn register_institution(
    State(state): State<AppState>,
    t: Tr,
    Form(form): Form<InstitutionForm>,
) -> Result<Response, WebError> {
    let errors = match parse_institution(&state, &form).await {
        Ok(registration) => {
            match signup::register_institution(&state.store, registration, clock::now()).await {
                Ok(_) => {
                    return render(&InstitutionPage {
                        done: true,
                        ..institution_form(t, form)
                    });
                }
                Err(err) => match WebError::from(err) {
                    WebError::Invalid { field, zh, en } => vec![(field, zh, en)],
                    other => return Err(other),
                },
            }
        }
        Err(errors) => errors,
    };
    let page = InstitutionPage {
        errors: errors
            .into_iter()
            .map(|(field, zh, en)| {
                // The store names the password `new_password` (the policy's field).
                let field = if field == "new_password" {
                    "password".to_owned()
                } else {
                    field
                };
                FieldError {
                    label: institution_label(t, &field),
                    message: t.pick_owned(&(zh, en)),
                    field,
                }
            })
            .collect(),
        ..institution_form(t, form)
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// The enterprise's registration form, with what was typed and why it was refused.
#[derive(Template)]
#[template(path = "register_enterprise.html")]
struct EnterprisePage {
    l: Layout,
    form: EnterpriseForm,
    industries: Vec<Choice>,
    regions: Vec<Choice>,
    error: Option<String>,
    field: String,
    done: bool,
}

#[derive(Deserialize, Default, Clone)]
struct EnterpriseForm {
    #[serde(default)]
    credit_code: String,
    #[serde(default)]
    enterprise_name: String,
    #[serde(default)]
    industry: String,
    #[serde(default)]
    region_code: String,
    #[serde(default)]
    legal_representative: String,
    #[serde(default)]
    manager_name: String,
    #[serde(default)]
    manager_phone: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

fn enterprise_form(t: Tr, form: EnterpriseForm) -> EnterprisePage {
    let industries = Industry::ALL
        .iter()
        .map(|i| Choice {
            value: i.code().to_owned(),
            label: t.pick(i.name_zh(), i.name_en()).to_owned(),
            selected: i.code() == form.industry,
        })
        .collect();
    // Counties under their city, as "哈尔滨市 道里区".
    let regions = anpei_domain::region::cities()
        .flat_map(|city| {
            let counties: Vec<_> = anpei_domain::region::counties_of(city.code).collect();
            counties.into_iter().map(move |county| (city, county))
        })
        .map(|(city, county)| Choice {
            value: county.code.to_owned(),
            label: format!(
                "{} {}",
                t.pick(city.name, city.name_en),
                t.pick(county.name, county.name_en)
            ),
            selected: county.code == form.region_code,
        })
        .collect();
    EnterprisePage {
        l: Layout::new(
            t,
            t.pick("企业注册", "Register an enterprise"),
            None,
            "/register/enterprise",
        ),
        form: EnterpriseForm {
            password: String::new(),
            ..form
        },
        industries,
        regions,
        error: None,
        field: String::new(),
        done: false,
    }
}

async fn enterprise_page(t: Tr) -> Result<Response, WebError> {
    render(&enterprise_form(t, EnterpriseForm::default()))
}

fn parsed<T, E: Bilingual>(field: &str, result: Result<T, E>) -> Result<T, WebError> {
    result.map_err(|e| WebError::invalid(field, &e))
}

async fn register_enterprise(
    State(state): State<AppState>,
    t: Tr,
    Form(form): Form<EnterpriseForm>,
) -> Result<Response, WebError> {
    let result = async {
        let registration = EnterpriseRegistration {
            enterprise: EnterpriseIdentity {
                credit_code: parsed("credit_code", CreditCode::parse(&form.credit_code))?,
                name: form.enterprise_name.clone(),
                industry: Industry::parse(&form.industry).ok_or_else(|| WebError::Invalid {
                    field: "industry".to_owned(),
                    zh: "请选择行业".to_owned(),
                    en: "Choose the industry".to_owned(),
                })?,
                region_code: form.region_code.clone(),
                legal_representative: parsed(
                    "legal_representative",
                    PersonName::parse(&form.legal_representative),
                )?,
            },
            manager_name: parsed("manager_name", PersonName::parse(&form.manager_name))?,
            manager_phone: parsed("manager_phone", Phone::parse(&form.manager_phone))?,
            username: form.username.clone(),
            password: form.password.clone(),
        };
        Ok::<_, WebError>(
            signup::register_enterprise(&state.store, registration, clock::now()).await?,
        )
    }
    .await;
    match result {
        Ok(_) => render(&EnterprisePage {
            done: true,
            ..enterprise_form(t, form)
        }),
        Err(WebError::Invalid { field, zh, en }) => {
            let page = EnterprisePage {
                error: Some(t.pick_owned(&(zh, en))),
                field,
                ..enterprise_form(t, form)
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(other) => Err(other),
    }
}

/// The worker's sign-up: step 1 asks name, ID number and phone; step 2 (after the code was
/// sent) the code, a username and a password.
#[derive(Template)]
#[template(path = "register_worker.html")]
struct WorkerPage {
    l: Layout,
    form: WorkerForm,
    /// The code was sent to this (masked) phone: step 2.
    sent_to: Option<String>,
    error: Option<String>,
    field: String,
    done: bool,
}

#[derive(Deserialize, Default, Clone)]
struct WorkerForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

fn worker_form(t: Tr, form: WorkerForm) -> WorkerPage {
    WorkerPage {
        l: Layout::new(
            t,
            t.pick("从业人员注册", "Sign up as a worker"),
            None,
            "/register/worker",
        ),
        form: WorkerForm {
            password: String::new(),
            code: String::new(),
            ..form
        },
        sent_to: None,
        error: None,
        field: String::new(),
        done: false,
    }
}

async fn worker_page(t: Tr) -> Result<Response, WebError> {
    render(&worker_form(t, WorkerForm::default()))
}

fn refused(page: WorkerPage, t: Tr, err: WebError) -> Result<Response, WebError> {
    match err {
        WebError::Invalid { field, zh, en } => {
            let page = WorkerPage {
                error: Some(t.pick_owned(&(zh, en))),
                field,
                ..page
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        // Too many codes: the page says when to try again and keeps what was typed.
        WebError::TooManyAttempts {
            retry_after_secs, ..
        } => {
            let seconds = i64::try_from(retry_after_secs).unwrap_or(0).min(7 * 86_400);
            let wait = TimeDelta::seconds(seconds);
            let page = WorkerPage {
                error: Some(t.pick_owned(&wait_message(wait))),
                field: "code-wait".to_owned(),
                ..page
            };
            Ok((
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, retry_after_secs.max(1).to_string())],
                render(&page)?,
            )
                .into_response())
        }
        other => Err(other),
    }
}

async fn worker_code(
    State(state): State<AppState>,
    Extension(requests): Extension<CodeRequests>,
    ClientAddr(addr): ClientAddr,
    t: Tr,
    Form(form): Form<WorkerForm>,
) -> Result<Response, WebError> {
    let now = clock::now();
    let result = async {
        requests.take(addr, now).map_err(too_soon)?;
        let name = parsed("name", PersonName::parse(&form.name))?;
        let id_number = parsed("id_number", IdNumber::parse(&form.id_number))?;
        let phone = parsed("phone", Phone::parse(&form.phone))?;
        match signup::request_phone_code(&state.store, &name, &id_number, &phone, now).await? {
            PhoneCodeAnswer::Sent(sent) => Ok(sent),
            PhoneCodeAnswer::Wait(wait) => Err(too_soon(wait)),
        }
    }
    .await;
    match result {
        Ok(sent) => {
            // No SMS gateway is configured in this build: the operator's terminal shows the
            // code (phone masked; the ID number never appears in a log).
            tracing::info!(
                target: "anpei::sms",
                phone = %sent.masked_phone,
                code = %sent.code,
                "sign-up code queued in the outbox (no SMS gateway configured)"
            );
            render(&WorkerPage {
                sent_to: Some(sent.masked_phone),
                ..worker_form(t, form)
            })
        }
        Err(err) => refused(worker_form(t, form), t, err),
    }
}

async fn worker_signup(
    State(state): State<AppState>,
    t: Tr,
    Form(form): Form<WorkerForm>,
) -> Result<Response, WebError> {
    let result = async {
        let name = parsed("name", PersonName::parse(&form.name))?;
        let id_number = parsed("id_number", IdNumber::parse(&form.id_number))?;
        Ok::<_, WebError>(
            signup::complete_worker_signup(
                &state.store,
                &name,
                &id_number,
                &form.code,
                WorkerLogin {
                    username: form.username.clone(),
                    password: form.password.clone(),
                },
                clock::now(),
            )
            .await?,
        )
    }
    .await;
    match result {
        Ok(_) => render(&WorkerPage {
            done: true,
            ..worker_form(t, form)
        }),
        Err(err) => {
            let masked = Phone::parse(&form.phone).map(|p| p.masked()).ok();
            let page = WorkerPage {
                sent_to: masked,
                ..worker_form(t, form)
            };
            refused(page, t, err)
        }
    }
}

/// An employer's invitation: the invited person (masked name) chooses a login.
#[derive(Template)]
#[template(path = "register_invite.html")]
struct InvitePage {
    l: Layout,
    token: String,
    person: String,
    username: String,
    error: Option<String>,
    done: bool,
}

async fn invitation_page(
    State(state): State<AppState>,
    t: Tr,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let l = Layout::new(
        t,
        t.pick("接受邀请", "Accept the invitation"),
        None,
        "/register/invite",
    );
    match signup::invitation(state.store.connection(), &token, clock::now()).await {
        Ok(person) => render(&InvitePage {
            l,
            token,
            person: PersonName::parse(&person.name)
                .map(|n| n.masked())
                .unwrap_or_default(),
            username: String::new(),
            error: None,
            done: false,
        }),
        Err(err) => {
            let (zh, en) = WebError::from(err).messages();
            let page = InvitePage {
                l,
                token: String::new(),
                person: String::new(),
                username: String::new(),
                error: Some(t.pick_owned(&(zh, en))),
                done: false,
            };
            Ok((StatusCode::NOT_FOUND, render(&page)?).into_response())
        }
    }
}

#[derive(Deserialize)]
struct InviteForm {
    username: String,
    password: String,
}

async fn accept_invitation(
    State(state): State<AppState>,
    t: Tr,
    Path(token): Path<String>,
    Form(form): Form<InviteForm>,
) -> Result<Response, WebError> {
    let l = Layout::new(
        t,
        t.pick("接受邀请", "Accept the invitation"),
        None,
        "/register/invite",
    );
    let result = signup::accept_invitation(
        &state.store,
        &token,
        WorkerLogin {
            username: form.username.clone(),
            password: form.password,
        },
        clock::now(),
    )
    .await;
    match result {
        Ok(_) => render(&InvitePage {
            l,
            token: String::new(),
            person: String::new(),
            username: form.username,
            error: None,
            done: true,
        }),
        Err(err) => match WebError::from(err) {
            WebError::Invalid { zh, en, .. } => {
                let page = InvitePage {
                    l,
                    token,
                    person: String::new(),
                    username: form.username,
                    error: Some(t.pick_owned(&(zh, en))),
                    done: false,
                };
                Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
            }
            other => Err(other),
        },
    }
}

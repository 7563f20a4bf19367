//! Making an account without an administrator (SPEC C0): an enterprise registers itself
//! (pending until its city regulator approves), a worker signs up with name, ID number and a
//! code sent to the phone on record, or accepts an employer's invitation.
//!
//! The phone code goes out through the notification outbox; with no SMS gateway in this
//! deployment it is also written to the server's log (target `anpei::sms`, the phone
//! masked), so that an operator can read it out. The ID number is never logged.

use anpei_domain::{Bilingual, CreditCode, IdNumber, Industry, PersonName, Phone};
use anpei_store::ops::accounts::admin::EnterpriseIdentity;
use anpei_store::ops::accounts::signup::{self, EnterpriseRegistration, WorkerLogin};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{Layout, render};
use crate::AppState;
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
        .route("/register/worker", get(worker_page).post(worker_signup))
        .route("/register/worker/code", post(worker_code))
        .route(
            "/register/invite/{token}",
            get(invitation_page).post(accept_invitation),
        )
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
        other => Err(other),
    }
}

async fn worker_code(
    State(state): State<AppState>,
    t: Tr,
    Form(form): Form<WorkerForm>,
) -> Result<Response, WebError> {
    let result = async {
        let name = parsed("name", PersonName::parse(&form.name))?;
        let id_number = parsed("id_number", IdNumber::parse(&form.id_number))?;
        let phone = parsed("phone", Phone::parse(&form.phone))?;
        Ok::<_, WebError>(
            signup::request_phone_code(&state.store, &name, &id_number, &phone, clock::now())
                .await?,
        )
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

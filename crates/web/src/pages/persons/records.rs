//! The writes of the archive page: an employer records training and yearly assessments,
//! a regulator issues and changes certificates, and an employer invites a person of its
//! current staff to make an account. Each answers through `archive_outcome`, which shows the
//! page again with the reason when the store refuses.

use anpei_store::access;
use anpei_store::read;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use super::super::{Layout, render};
use super::{IssueForm, archive_outcome};
use crate::auth::Authed;
use crate::error::WebError;
use crate::extract::{Form, Path};
use crate::i18n::Tr;
use crate::{AppState, clock};

pub(super) async fn issue_certificate(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
    Form(form): Form<IssueForm>,
) -> Result<Response, WebError> {
    let holder =
        access::person_read(state.store.connection(), &authed.actor, id, clock::today()).await?;
    let authority = anpei_store::ops::certificates::certificate_authority(&authed.actor)?;
    let outcome = async {
        let kind = crate::api::certificates::parse_kind(&form.kind)?;
        let issued_on = crate::api::certificates::parse_date("issued_on", &form.issued_on)?;
        let new = anpei_store::ops::certificates::NewCertificate {
            kind,
            trade: Some(form.trade.clone()),
            issued_on,
        };
        anpei_store::ops::certificates::issue(
            &state.store,
            &authed.actor,
            &authority,
            holder,
            new,
            clock::now(),
        )
        .await
        .map_err(WebError::from)
    }
    .await
    .map(|_| ());
    archive_outcome(&state, t, &authed, id, outcome, "certificates", form).await
}

#[derive(Deserialize)]
pub(super) struct TrainingForm {
    kind: String,
    ended_on: String,
    hours: String,
    provider: Option<String>,
    passed_exam: Option<String>,
    #[serde(default)]
    trade_code: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct AssessmentForm {
    assessed_on: String,
    position: String,
    passed: String,
}

pub(super) async fn record_training(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
    Form(form): Form<TrainingForm>,
) -> Result<Response, WebError> {
    access::person_read(state.store.connection(), &authed.actor, id, clock::today()).await?;
    let staff = crate::api::ledgers::employer(&state, &authed).await?;
    let outcome = async {
        let hours: f64 = form.hours.trim().parse().map_err(|_| WebError::Invalid {
            field: "hours".to_owned(),
            zh: "学时应为数字".to_owned(),
            en: "Hours must be a number".to_owned(),
        })?;
        let request = crate::api::ledgers::TrainingRequest {
            kind: form.kind.clone(),
            ended_on: form.ended_on.clone(),
            hours,
            passed_exam: form.passed_exam.is_some(),
            provider: form.provider.clone().unwrap_or_default(),
            trade_code: form.trade_code.clone(),
        };
        let new = crate::api::ledgers::parse_training(&request)?;
        anpei_store::ops::ledgers::record_training(
            &state.store,
            &authed.actor,
            staff,
            id,
            new,
            clock::today(),
            clock::now(),
        )
        .await?;
        Ok(())
    }
    .await;
    archive_outcome(
        &state,
        t,
        &authed,
        id,
        outcome,
        "training",
        IssueForm::default(),
    )
    .await
}

pub(super) async fn record_assessment(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
    Form(form): Form<AssessmentForm>,
) -> Result<Response, WebError> {
    access::person_read(state.store.connection(), &authed.actor, id, clock::today()).await?;
    let staff = crate::api::ledgers::employer(&state, &authed).await?;
    let outcome = async {
        let request = crate::api::ledgers::AssessmentRequest {
            assessed_on: form.assessed_on.clone(),
            position: form.position.clone(),
            passed: form.passed == "yes",
        };
        let new = crate::api::ledgers::parse_assessment(&request)?;
        anpei_store::ops::ledgers::record_assessment(
            &state.store,
            &authed.actor,
            staff,
            id,
            new,
            clock::today(),
            clock::now(),
        )
        .await?;
        Ok(())
    }
    .await;
    archive_outcome(
        &state,
        t,
        &authed,
        id,
        outcome,
        "assessments",
        IssueForm::default(),
    )
    .await
}

#[derive(Deserialize)]
pub(super) struct LifecycleForm {
    on: Option<String>,
    reason: Option<String>,
}

pub(super) async fn change_certificate(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path((id, certificate_id, action)): Path<(Uuid, Uuid, String)>,
    Form(form): Form<LifecycleForm>,
) -> Result<Response, WebError> {
    let holder =
        access::person_read(state.store.connection(), &authed.actor, id, clock::today()).await?;
    let authority = anpei_store::ops::certificates::certificate_authority(&authed.actor)?;
    let request = crate::api::certificates::LifecycleRequest {
        on: form.on,
        reason: form.reason,
    };
    let outcome = async {
        let change = crate::api::certificates::parse_lifecycle(&action, &request)?;
        anpei_store::ops::certificates::change(
            &state.store,
            &authed.actor,
            &authority,
            holder,
            certificate_id,
            change,
            clock::now(),
        )
        .await
        .map_err(WebError::from)
    }
    .await
    .map(|_| ());
    archive_outcome(
        &state,
        t,
        &authed,
        id,
        outcome,
        "certificates",
        IssueForm::default(),
    )
    .await
}

/// The invitation's link, shown once to the employer to hand over.
#[derive(Template)]
#[template(path = "person_invited.html")]
struct InvitedPage {
    l: Layout,
    id: Uuid,
    name: String,
    link: String,
}

/// An employer invites a person of its current staff without an account: a one-time link
/// (7 days) to `/register/invite/{token}`, shown on this page only.
pub(super) async fn invite(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    let db = state.store.connection();
    let today = clock::today();
    access::person_read(db, &authed.actor, id, today).await?;
    let anpei_store::Scope::Enterprise(enterprise_id) = authed.actor.scope else {
        return Err(WebError::Forbidden);
    };
    let staff = access::enterprise_staff_write(db, &authed.actor, enterprise_id).await?;
    let outcome = anpei_store::ops::accounts::signup::invite_worker(
        &state.store,
        &authed.actor,
        staff,
        id,
        today,
        clock::now(),
    )
    .await;
    let token = match outcome {
        Ok(token) => token,
        Err(err) => {
            let outcome = Err(WebError::from(err));
            return archive_outcome(
                &state,
                t,
                &authed,
                id,
                outcome,
                "account",
                IssueForm::default(),
            )
            .await;
        }
    };
    let name = read::archive(
        db,
        access::person_read(db, &authed.actor, id, today).await?,
        today,
    )
    .await?
    .person
    .name;
    render(&InvitedPage {
        l: Layout::new(
            t,
            t.pick("邀请注册账号", "Invite to an account"),
            Some(&authed),
            &format!("/persons/{id}"),
        ),
        id,
        name,
        link: state
            .config
            .public_url
            .join(&format!("/register/invite/{token}")),
    })
}

//! Enterprises: the list in the actor's jurisdiction, one enterprise with its staff ledger,
//! and the hire form (enterprise accounts only). Institutions are in `training.rs`.

use anpei_domain::{EmploymentKind, Industry};
use anpei_store::read::{self, EnterpriseQuery, EnterpriseSort, StaffFlag, StaffQuery, StaffSort};
use anpei_store::{Scope, access, ops};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use uuid::Uuid;

use super::{Layout, Pager, SortHeader, date, query_string, render, sort_headers};
use crate::api::people::{HireRequest, parse_hire};
use crate::auth::Authed;
use crate::error::WebError;
use crate::extract::{Form, Path, Query};
use crate::i18n::Tr;
use crate::{AppState, clock};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/enterprises", get(list))
        .route("/enterprises/{id}", get(detail))
        .route("/enterprises/{id}/staff", post(hire))
        .route(
            "/enterprises/{id}/staff/{person_id}/{employment_id}/end",
            post(end),
        )
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    #[serde(default)]
    name: String,
    #[serde(default)]
    industry: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    desc: Option<String>,
    #[serde(default, deserialize_with = "crate::paging::page")]
    page: Option<u64>,
}

struct EnterpriseLine {
    href: String,
    name: String,
    credit_code: String,
    industry: &'static str,
    region: String,
    staff: String,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "enterprises.html")]
struct ListPage {
    l: Layout,
    name: String,
    industries: Vec<Choice>,
    cities: Vec<Choice>,
    show_cities: bool,
    headers: Vec<SortHeader>,
    rows: Vec<EnterpriseLine>,
    pager: Pager,
    show_staff: bool,
}

fn region_label(t: Tr, code: &str) -> String {
    let county = anpei_domain::region::find(code);
    let city = anpei_domain::region::city_of(code);
    match (city, county) {
        (Some(city), Some(county)) if city.code != county.code => {
            format!(
                "{} {}",
                t.pick(city.name, city.name_en),
                t.pick(county.name, county.name_en)
            )
        }
        (_, Some(county)) => t.pick(county.name, county.name_en).to_owned(),
        _ => code.to_owned(),
    }
}

async fn list(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    if let Scope::Enterprise(id) = authed.actor.scope {
        return Ok(Redirect::to(&format!("/enterprises/{id}")).into_response());
    }
    let industry = Industry::parse(&q.industry);
    let city_code = anpei_domain::region::cities()
        .find(|c| c.code == q.city)
        .map(|c| c.code.to_owned());
    let sort = match q.sort.as_str() {
        "code" => EnterpriseSort::CreditCode,
        "region" => EnterpriseSort::Region,
        "recent" => EnterpriseSort::Recent,
        _ => EnterpriseSort::Name,
    };
    let desc = q.desc.as_deref() == Some("true");
    let query = EnterpriseQuery {
        name: q.name.clone(),
        industry,
        city_code: city_code.clone(),
        page: q.page.unwrap_or(1),
        per_page: 25,
        sort,
        desc,
    };
    let page = read::enterprises(
        state.store.connection(),
        &authed.actor,
        &query,
        clock::today(),
    )
    .await?;
    let filters = vec![
        ("name", q.name.clone()),
        (
            "industry",
            industry.map(|i| i.code().to_owned()).unwrap_or_default(),
        ),
        ("city", city_code.clone().unwrap_or_default()),
    ];
    let base = query_string(&filters);
    let sort_key = match sort {
        EnterpriseSort::Name => "name",
        EnterpriseSort::CreditCode => "code",
        EnterpriseSort::Region => "region",
        EnterpriseSort::Recent => "recent",
    };
    let headers = sort_headers(
        "/enterprises",
        &base,
        sort_key,
        desc,
        &[
            ("name", t.pick("企业名称", "Name")),
            ("code", t.pick("统一社会信用代码", "Credit code")),
            ("region", t.pick("所在地区", "Region")),
        ],
    );
    let mut paging_base = base.clone();
    if !paging_base.is_empty() {
        paging_base.push('&');
    }
    paging_base.push_str(&format!("sort={sort_key}&desc={desc}"));
    let pager = Pager::new("/enterprises", &paging_base, &page);
    let show_staff = page.items.first().is_some_and(|e| e.staff.is_some());
    let rows = page
        .items
        .into_iter()
        .map(|e| EnterpriseLine {
            href: format!("/enterprises/{}", e.id),
            industry: e
                .industry
                .map(|i| t.pick(i.name_zh(), i.name_en()))
                .unwrap_or(""),
            region: region_label(t, &e.region_code),
            staff: e.staff.map(|n| n.to_string()).unwrap_or_default(),
            name: e.name,
            credit_code: e.credit_code,
        })
        .collect();
    let industries = Industry::ALL
        .iter()
        .map(|i| Choice {
            value: i.code().to_owned(),
            label: t.pick(i.name_zh(), i.name_en()).to_owned(),
            selected: Some(*i) == industry,
        })
        .collect();
    let cities = anpei_domain::region::cities()
        .map(|c| Choice {
            value: c.code.to_owned(),
            label: t.pick(c.name, c.name_en).to_owned(),
            selected: Some(c.code) == city_code.as_deref(),
        })
        .collect();
    render(&ListPage {
        l: Layout::new(
            t,
            t.pick("企业", "Enterprises"),
            Some(&authed),
            "/enterprises",
        ),
        name: q.name,
        industries,
        cities,
        show_cities: matches!(
            authed.actor.scope,
            Scope::Province | Scope::HrBureau(_) | Scope::System
        ),
        headers,
        rows,
        pager,
        show_staff,
    })
}

#[derive(Debug, Default, Deserialize)]
struct StaffParams {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    flag: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    desc: Option<String>,
    #[serde(default, deserialize_with = "crate::paging::page")]
    page: Option<u64>,
}

struct StaffLine {
    href: String,
    name: String,
    id_masked: String,
    kind: &'static str,
    position: String,
    flags: Vec<&'static str>,
    start: String,
    end_action: String,
}

/// The hire form's values, kept when it reports an error.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct HireForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub education: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub start_date: String,
    #[serde(default)]
    pub special_ops_trade: String,
    pub team_leader: Option<String>,
    pub key_position: Option<String>,
    pub principal_leader: Option<String>,
    pub safety_manager: Option<String>,
}

#[derive(Template)]
#[template(path = "enterprise.html")]
struct DetailPage {
    l: Layout,
    id: Uuid,
    name: String,
    credit_code: String,
    industry: &'static str,
    region: String,
    legal_representative: String,
    staff_count: String,
    can_see_staff: bool,
    can_hire: bool,
    kinds: Vec<Choice>,
    flags: Vec<Choice>,
    headers: Vec<SortHeader>,
    rows: Vec<StaffLine>,
    pager: Option<Pager>,
    form: HireForm,
    form_error: Option<String>,
    form_field: String,
    notice: Option<String>,
    today: String,
    educations: Vec<Choice>,
    tiles: Vec<super::compliance::KpiTile>,
    compliance_href: String,
}

async fn detail(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
    Query(q): Query<StaffParams>,
) -> Result<Response, WebError> {
    let page = detail_page(&state, t, &authed, id, q, HireForm::default(), None, None).await?;
    render(&page)
}

#[allow(clippy::too_many_arguments)]
async fn detail_page(
    state: &AppState,
    t: Tr,
    authed: &Authed,
    id: Uuid,
    q: StaffParams,
    form: HireForm,
    error: Option<(String, String)>,
    notice: Option<String>,
) -> Result<DetailPage, WebError> {
    let today = clock::today();
    let db = state.store.connection();
    let enterprise = read::enterprise(db, &authed.actor, id, today).await?;
    let kind = EmploymentKind::parse(&q.kind);
    let flag = StaffFlag::parse(&q.flag);
    let sort = match q.sort.as_str() {
        "position" => StaffSort::Position,
        "start" => StaffSort::StartDate,
        _ => StaffSort::Name,
    };
    let desc = q.desc.as_deref() == Some("true");
    let path = format!("/enterprises/{id}");
    let staff = match read::staff(
        db,
        &authed.actor,
        id,
        &StaffQuery {
            kind,
            flag,
            page: q.page.unwrap_or(1),
            per_page: 25,
            sort,
            desc,
        },
        today,
    )
    .await
    {
        Ok(page) => Some(page),
        Err(anpei_store::StoreError::Forbidden) => None,
        Err(other) => return Err(other.into()),
    };
    let can_hire = matches!(authed.actor.scope, Scope::Enterprise(own) if own == id);
    let base = query_string(&[
        (
            "kind",
            kind.map(|k| k.code().to_owned()).unwrap_or_default(),
        ),
        (
            "flag",
            flag.map(|f| f.code().to_owned()).unwrap_or_default(),
        ),
    ]);
    let sort_key = match sort {
        StaffSort::Name => "name",
        StaffSort::Position => "position",
        StaffSort::StartDate => "start",
    };
    let headers = sort_headers(
        &path,
        &base,
        sort_key,
        desc,
        &[
            ("name", t.pick("姓名", "Name")),
            ("position", t.pick("岗位", "Post")),
            ("start", t.pick("入职日期", "Since")),
        ],
    );
    let mut paging_base = base.clone();
    if !paging_base.is_empty() {
        paging_base.push('&');
    }
    paging_base.push_str(&format!("sort={sort_key}&desc={desc}"));
    let pager = staff.as_ref().map(|p| Pager::new(&path, &paging_base, p));
    let rows = staff
        .map(|p| {
            p.items
                .into_iter()
                .map(|s| StaffLine {
                    href: format!("/persons/{}", s.person_id),
                    id_masked: s.id_number.masked(),
                    kind: t.pick(s.kind.name_zh(), s.kind.name_en()),
                    flags: if t.is_en() {
                        s.flags.labels_en()
                    } else {
                        s.flags.labels_zh()
                    },
                    start: date(s.start_date),
                    end_action: format!(
                        "/enterprises/{id}/staff/{}/{}/end",
                        s.person_id, s.employment_id
                    ),
                    position: s.position,
                    name: s.name,
                })
                .collect()
        })
        .unwrap_or_default();
    let can_see_staff = pager.is_some();
    let tiles = match anpei_store::access::enterprise_staff_read(db, &authed.actor, id).await {
        // The figures only: read from the verdict table, nobody evaluated.
        Ok(read) => {
            let counts = anpei_store::verdicts::enterprise_counts(db, read).await?;
            super::compliance::kpi_tiles(t, id, &counts.kpis())
        }
        Err(_) => Vec::new(),
    };
    let (form_error, form_field) = match error {
        Some((field, message)) => (Some(message), field),
        None => (None, String::new()),
    };
    Ok(DetailPage {
        l: Layout::new(t, &enterprise.name, Some(authed), &path),
        id,
        credit_code: enterprise.credit_code.clone(),
        industry: enterprise
            .industry
            .map(|i| t.pick(i.name_zh(), i.name_en()))
            .unwrap_or(""),
        region: region_label(t, &enterprise.region_code),
        legal_representative: enterprise.legal_representative.clone(),
        staff_count: enterprise
            .staff
            .map(|n| n.to_string())
            .unwrap_or_else(|| "—".to_owned()),
        name: enterprise.name,
        can_see_staff,
        can_hire,
        kinds: EmploymentKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.code().to_owned(),
                label: t.pick(k.name_zh(), k.name_en()).to_owned(),
                selected: Some(*k) == kind,
            })
            .collect(),
        flags: StaffFlag::ALL
            .iter()
            .map(|f| Choice {
                value: f.code().to_owned(),
                label: flag_label(t, *f).to_owned(),
                selected: Some(*f) == flag,
            })
            .collect(),
        headers,
        rows,
        pager,
        form,
        form_error,
        form_field,
        notice,
        today: date(today),
        educations: anpei_domain::rules::Education::ALL
            .iter()
            .map(|e| Choice {
                value: e.code().to_owned(),
                label: t.pick(e.name_zh(), e.name_en()).to_owned(),
                selected: false,
            })
            .collect(),
        tiles,
        compliance_href: format!("/enterprises/{id}/compliance"),
    })
}

fn flag_label(t: Tr, flag: StaffFlag) -> &'static str {
    match flag {
        StaffFlag::TeamLeader => t.pick("班组长", "Team leader"),
        StaffFlag::SpecialOps => t.pick("特种作业人员", "Special operations"),
        StaffFlag::KeyPosition => t.pick("重点岗位", "Key position"),
        StaffFlag::PrincipalLeader => t.pick("主要负责人", "Principal leader"),
        StaffFlag::SafetyManager => t.pick("安全生产管理人员", "Safety manager"),
    }
}

impl HireForm {
    fn to_request(&self) -> HireRequest {
        let on = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.is_empty());
        HireRequest {
            name: self.name.clone(),
            id_number: self.id_number.clone(),
            phone: (!self.phone.trim().is_empty()).then(|| self.phone.clone()),
            education: (!self.education.trim().is_empty()).then(|| self.education.clone()),
            kind: self.kind.clone(),
            position: self.position.clone(),
            start_date: self.start_date.clone(),
            end_date: None,
            special_ops_trade: (!self.special_ops_trade.trim().is_empty())
                .then(|| self.special_ops_trade.clone()),
            team_leader: on(&self.team_leader),
            key_position: on(&self.key_position),
            principal_leader: on(&self.principal_leader),
            safety_manager: on(&self.safety_manager),
        }
    }
}

async fn hire(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
    Form(form): Form<HireForm>,
) -> Result<Response, WebError> {
    let db = state.store.connection();
    let staff = access::enterprise_staff_write(db, &authed.actor, id).await?;
    let outcome = match parse_hire(&form.to_request()) {
        Ok(hire) => ops::people::hire(&state.store, &authed.actor, staff, hire, clock::now())
            .await
            .map_err(WebError::from),
        Err(err) => Err(err),
    };
    match outcome {
        Ok(hired) => Ok(Redirect::to(&format!("/persons/{}", hired.person_id)).into_response()),
        Err(WebError::Invalid { field, zh, en }) => {
            let message = t.pick_owned(&(zh, en));
            let page = detail_page(
                &state,
                t,
                &authed,
                id,
                StaffParams::default(),
                form,
                Some((field, message)),
                None,
            )
            .await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(other) => Err(other),
    }
}

#[derive(Deserialize)]
struct EndForm {
    end_date: String,
}

async fn end(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path((id, person_id, employment_id)): Path<(Uuid, Uuid, Uuid)>,
    Form(form): Form<EndForm>,
) -> Result<Response, WebError> {
    let db = state.store.connection();
    let staff = access::enterprise_staff_write(db, &authed.actor, id).await?;
    let end_date =
        chrono::NaiveDate::parse_from_str(form.end_date.trim(), "%Y-%m-%d").map_err(|_| {
            WebError::Invalid {
                field: "end_date".to_owned(),
                zh: "离职日期格式应为 YYYY-MM-DD".to_owned(),
                en: "The end date must be YYYY-MM-DD".to_owned(),
            }
        })?;
    ops::people::end_employment(
        &state.store,
        &authed.actor,
        staff,
        person_id,
        employment_id,
        end_date,
        clock::now(),
    )
    .await?;
    let _ = t;
    Ok(Redirect::to(&format!("/enterprises/{id}")).into_response())
}

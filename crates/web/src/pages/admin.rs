//! Account administration by jurisdiction (`/admin/accounts`, SPEC C0): the list of the
//! accounts within the holder's reach (filter, sort, page), the form to create one, and the
//! row actions — approve or reject a self-registration (an enterprise's or a training
//! institution's), disable, enable, move to another role or jurisdiction (the choices are
//! the roles the holder may create), a one-time reset link (shown once, to hand over), a new
//! second factor. What the holder may do is the store's `AccountAdmin` capability; this
//! module only asks it.

use anpei_domain::Role;
use anpei_store::access::AccountAdmin;
use anpei_store::ops::accounts::admin::{
    self, AccountFilter, AccountRow, AccountSort, NewAccountBy, RegistrationKind,
};
use anpei_store::ops::accounts::{ACTIVE, DISABLED, PENDING};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use uuid::Uuid;

use super::{Layout, Pager, SortHeader, query_string, render, role_label, sort_headers};
use crate::auth::Authed;
use crate::error::WebError;
use crate::extract::{Form, Query};
use crate::i18n::Tr;
use crate::{AppState, clock};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/accounts", get(list).post(create))
        .route("/admin/accounts/{id}/{action}", post(act))
        .route("/admin/accounts/{id}/move", post(move_account))
}

/// The capability, or 403 for a role that administers no accounts.
pub(crate) fn capability(authed: &Authed) -> Result<AccountAdmin, WebError> {
    authed.actor.account_admin().ok_or(WebError::Forbidden)
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    sort: String,
    desc: Option<String>,
    #[serde(default, deserialize_with = "crate::paging::page")]
    page: Option<u64>,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

struct Line {
    id: Uuid,
    username: String,
    display_name: String,
    role: &'static str,
    jurisdiction: String,
    status: &'static str,
    status_label: &'static str,
    totp: bool,
    must_change: bool,
    registration: Option<admin::Registration>,
    /// "企业" or "培训机构": who registered, for a self-registration.
    registration_kind: &'static str,
    /// Where the registration says it is (city and county).
    registration_region: Option<String>,
    /// A self-registration that was rejected: no row actions but the record.
    rejected: bool,
    /// The holder may move it (not its own, not pending, not a worker's).
    movable: bool,
    own: bool,
}

#[derive(Template)]
#[template(path = "admin_accounts.html")]
struct ListPage {
    l: Layout,
    q: String,
    statuses: Vec<Choice>,
    roles: Vec<Choice>,
    creatable: Vec<Choice>,
    regions: Vec<Choice>,
    approves: bool,
    enterprise_holder: bool,
    /// The holder makes accounts of a region (regulators, HR): the move form asks for one.
    region_roles: bool,
    headers: Vec<SortHeader>,
    rows: Vec<Line>,
    pager: Pager,
    error: Option<String>,
}

fn status_label(t: Tr, status: &str) -> &'static str {
    match status {
        ACTIVE => t.pick("启用", "Active"),
        DISABLED => t.pick("停用", "Disabled"),
        PENDING => t.pick("待审核", "Pending approval"),
        _ => "",
    }
}

fn region_name(t: Tr, code: &str) -> String {
    anpei_domain::region::find(code)
        .map(|r| t.pick(r.name, r.name_en).to_owned())
        .unwrap_or_else(|| code.to_owned())
}

fn jurisdiction(t: Tr, row: &AccountRow) -> String {
    if let Some(registration) = &row.registration {
        return registration.name.clone();
    }
    match (&row.region_code, row.enterprise_id, row.institution_id) {
        (Some(code), _, _) => region_name(t, code),
        (_, Some(_), _) => t.pick("本企业", "Enterprise").to_owned(),
        (_, _, Some(_)) => t.pick("培训机构", "Institution").to_owned(),
        _ => String::new(),
    }
}

/// Regions an account may be given: the province, each city and, after it, its counties
/// (labelled with the city, so that a county reads unambiguously in the list).
fn region_choices(t: Tr) -> Vec<Choice> {
    use anpei_domain::region;
    let choice = |value: &str, label: String| Choice {
        value: value.to_owned(),
        label,
        selected: false,
    };
    let mut choices = vec![choice(
        region::PROVINCE_CODE,
        region_name(t, region::PROVINCE_CODE),
    )];
    for city in region::cities() {
        let city_name = region_name(t, city.code);
        choices.push(choice(city.code, city_name.clone()));
        for county in region::counties_of(city.code) {
            let label = format!("{city_name} · {}", region_name(t, county.code));
            choices.push(choice(county.code, label));
        }
    }
    choices
}

async fn list_page(
    state: &AppState,
    t: Tr,
    authed: &Authed,
    q: ListQuery,
    error: Option<String>,
) -> Result<ListPage, WebError> {
    let admin = capability(authed)?;
    let role = Role::parse(&q.role);
    let status = [ACTIVE, DISABLED, PENDING]
        .into_iter()
        .find(|s| *s == q.status);
    let sort = match q.sort.as_str() {
        "username" => AccountSort::Username,
        "name" => AccountSort::Name,
        "status" => AccountSort::Status,
        _ => AccountSort::Newest,
    };
    let desc = q.desc.as_deref() == Some("true");
    let filter = AccountFilter {
        q: Some(q.q.clone()),
        status: status.map(str::to_owned),
        role,
    };
    let page = admin::list(
        state.store.connection(),
        &authed.actor,
        &admin,
        &filter,
        sort,
        q.page.unwrap_or(1),
        25,
    )
    .await?;
    let base = query_string(&[
        ("q", q.q.clone()),
        ("status", status.unwrap_or_default().to_owned()),
        (
            "role",
            role.map(|r| r.code().to_owned()).unwrap_or_default(),
        ),
    ]);
    let sort_key = match sort {
        AccountSort::Username => "username",
        AccountSort::Name => "name",
        AccountSort::Status => "status",
        AccountSort::Newest => "newest",
    };
    let headers = sort_headers(
        "/admin/accounts",
        &base,
        sort_key,
        desc,
        &[
            ("username", t.pick("用户名", "Username")),
            ("name", t.pick("名称", "Name")),
            ("status", t.pick("状态", "Status")),
        ],
    );
    let mut paging_base = base.clone();
    if !paging_base.is_empty() {
        paging_base.push('&');
    }
    paging_base.push_str(&format!("sort={sort_key}&desc={desc}"));
    let pager = Pager::new("/admin/accounts", &paging_base, &page);
    let own = admin.own_account();
    let may_move = !admin.creatable_roles().is_empty();
    let rows = page
        .items
        .into_iter()
        .map(|row| Line {
            registration_kind: match row.registration.as_ref().map(|r| r.kind) {
                Some(RegistrationKind::Enterprise) => t.pick("企业", "Enterprise"),
                Some(RegistrationKind::Institution) => t.pick("培训机构", "Institution"),
                None => "",
            },
            registration_region: row.registration.as_ref().map(|r| {
                let city = anpei_domain::region::city_of(&r.region_code)
                    .map(|city| region_name(t, city.code))
                    .unwrap_or_default();
                let region = region_name(t, &r.region_code);
                if region == city {
                    city
                } else {
                    format!("{city} {region}")
                }
            }),
            rejected: row
                .registration
                .as_ref()
                .is_some_and(|r| r.status == "rejected"),
            movable: may_move
                && own != Some(row.id)
                && row.status != PENDING
                && row.role != Role::Worker,
            id: row.id,
            jurisdiction: jurisdiction(t, &row),
            role: role_label(t, row.role),
            status: match row.status.as_str() {
                ACTIVE => "active",
                PENDING => "pending",
                _ => "disabled",
            },
            status_label: status_label(t, &row.status),
            totp: row.totp_enrolled,
            must_change: row.must_change_password,
            own: own == Some(row.id),
            username: row.username,
            display_name: row.display_name,
            registration: row.registration,
        })
        .collect();
    let statuses = [ACTIVE, PENDING, DISABLED]
        .into_iter()
        .map(|s| Choice {
            value: s.to_owned(),
            label: status_label(t, s).to_owned(),
            selected: Some(s) == status,
        })
        .collect();
    let roles = Role::ALL
        .into_iter()
        .map(|r| Choice {
            value: r.code().to_owned(),
            label: role_label(t, r).to_owned(),
            selected: Some(r) == role,
        })
        .collect();
    let creatable = admin
        .creatable_roles()
        .iter()
        .map(|r| Choice {
            value: r.code().to_owned(),
            label: role_label(t, *r).to_owned(),
            selected: false,
        })
        .collect();
    Ok(ListPage {
        l: Layout::new(
            t,
            t.pick("账号管理", "Accounts"),
            Some(authed),
            "/admin/accounts",
        ),
        q: q.q,
        statuses,
        roles,
        creatable,
        regions: region_choices(t),
        approves: admin.approves_registrations(),
        enterprise_holder: admin.own_enterprise().is_some(),
        region_roles: admin
            .creatable_roles()
            .iter()
            .any(|r| !matches!(r, Role::Enterprise | Role::Institution | Role::Worker)),
        headers,
        rows,
        pager,
        error,
    })
}

async fn list(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    render(&list_page(&state, t, &authed, q, None).await?)
}

#[derive(Deserialize)]
struct CreateForm {
    username: String,
    display_name: String,
    role: String,
    #[serde(default)]
    region_code: String,
    #[serde(default)]
    credit_code: String,
    #[serde(default)]
    initial_password: String,
}

/// What an action did, shown once (a reset or set-password link only here).
#[derive(Template)]
#[template(path = "admin_done.html")]
struct DonePage {
    l: Layout,
    message: String,
    username: String,
    link: Option<String>,
}

async fn create(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Form(form): Form<CreateForm>,
) -> Result<Response, WebError> {
    let admin = capability(&authed)?;
    let result = async {
        let role = Role::parse(&form.role)
            .ok_or_else(|| WebError::bad_request("请选择账号角色", "Choose the account's role"))?;
        let scope = admin::scope_from_form(
            state.store.connection(),
            &admin,
            role,
            Some(&form.region_code),
            Some(&form.credit_code),
        )
        .await?;
        let initial = form.initial_password.trim();
        Ok::<_, WebError>(
            admin::create(
                &state.store,
                &authed.actor,
                &admin,
                NewAccountBy {
                    username: form.username.clone(),
                    display_name: form.display_name.clone(),
                    role,
                    scope,
                    initial_password: (!initial.is_empty()).then(|| initial.to_owned()),
                },
                clock::now(),
            )
            .await?,
        )
    }
    .await;
    match result {
        Ok((account, token)) => {
            let link = token.map(|token| {
                state
                    .config
                    .public_url
                    .join(&format!("/account/setup/{token}"))
            });
            let message = if link.is_some() {
                t.pick(
                    "账号已创建。请把下面的一次性链接交给账号本人（24 小时内有效，只显示这一次），由其设置密码。",
                    "Account created. Hand the one-time link below to its holder (valid 24 hours, shown only now) to set a password.",
                )
            } else {
                t.pick(
                    "账号已创建。请把初始密码交给账号本人；首次登录时须修改。",
                    "Account created. Hand the initial password to its holder; it must be changed at the first sign-in.",
                )
            };
            render(&DonePage {
                l: Layout::new(
                    t,
                    t.pick("账号管理", "Accounts"),
                    Some(&authed),
                    "/admin/accounts",
                ),
                message: message.to_owned(),
                username: account.username,
                link,
            })
        }
        Err(WebError::Invalid { zh, en, .. } | WebError::BadRequest { zh, en }) => {
            let page = list_page(
                &state,
                t,
                &authed,
                ListQuery::default(),
                Some(t.pick_owned(&(zh, en))),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(other) => Err(other),
    }
}

/// A row action: `approve`, `reject`, `disable`, `enable`, `reset` (a one-time link) or
/// `totp-reset`.
async fn act(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path((id, action)): Path<(Uuid, String)>,
) -> Result<Response, WebError> {
    let admin = capability(&authed)?;
    let store = &state.store;
    let actor = &authed.actor;
    let now = clock::now();
    let (account, message, link) = match action.as_str() {
        "approve" => (
            admin::approve(store, actor, &admin, id, now).await?,
            t.pick(
                "已审核通过。该账号可以登录，首次登录须修改密码。",
                "Approved. The account can sign in and must change its password first.",
            ),
            None,
        ),
        "reject" => (
            admin::reject(store, actor, &admin, id, now).await?,
            t.pick("已驳回该注册申请。", "The registration is rejected."),
            None,
        ),
        "disable" => (
            admin::set_enabled(store, actor, &admin, id, false, now).await?,
            t.pick(
                "账号已停用，其登录已失效。",
                "The account is disabled; its sessions have ended.",
            ),
            None,
        ),
        "enable" => (
            admin::set_enabled(store, actor, &admin, id, true, now).await?,
            t.pick("账号已重新启用。", "The account is enabled again."),
            None,
        ),
        "reset" => {
            let token = admin::issue_reset(store, actor, &admin, id, now).await?;
            let account = anpei_store::ops::accounts::find(store.connection(), id)
                .await?
                .ok_or(WebError::NotFound)?;
            (
                account,
                t.pick(
                    "已生成一次性重置链接。请交给账号本人（24 小时内有效，只显示这一次）。",
                    "A one-time reset link is ready. Hand it to the holder (valid 24 hours, shown only now).",
                ),
                Some(
                    state
                        .config
                        .public_url
                        .join(&format!("/account/setup/{token}")),
                ),
            )
        }
        "totp-reset" => (
            admin::reset_totp(store, actor, &admin, id, now).await?,
            t.pick(
                "已重置动态验证码，该账号下次登录时重新绑定。",
                "The authenticator is reset; the account enrols again at its next sign-in.",
            ),
            None,
        ),
        _ => return Err(WebError::NotFound),
    };
    render(&DonePage {
        l: Layout::new(
            t,
            t.pick("账号管理", "Accounts"),
            Some(&authed),
            "/admin/accounts",
        ),
        message: message.to_owned(),
        username: account.username,
        link,
    })
}

#[derive(Deserialize)]
struct MoveForm {
    role: String,
    #[serde(default)]
    region_code: String,
    #[serde(default)]
    credit_code: String,
}

/// Moves an account to another role or jurisdiction (`admin::move_account`, ledgered as
/// `account.move`); a refusal shows the list again with the reason.
async fn move_account(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
    Form(form): Form<MoveForm>,
) -> Result<Response, WebError> {
    let admin = capability(&authed)?;
    let result = async {
        let role = Role::parse(&form.role)
            .ok_or_else(|| WebError::bad_request("请选择账号角色", "Choose the account's role"))?;
        let scope = admin::scope_from_form(
            state.store.connection(),
            &admin,
            role,
            Some(&form.region_code),
            Some(&form.credit_code),
        )
        .await?;
        Ok::<_, WebError>(
            admin::move_account(
                &state.store,
                &authed.actor,
                &admin,
                id,
                role,
                scope,
                clock::now(),
            )
            .await?,
        )
    }
    .await;
    match result {
        Ok(account) => render(&DonePage {
            l: Layout::new(
                t,
                t.pick("账号管理", "Accounts"),
                Some(&authed),
                "/admin/accounts",
            ),
            message: t
                .pick(
                    "已变更该账号的角色与所属范围，下一次请求起生效。",
                    "The account's role and jurisdiction are changed, from its next request on.",
                )
                .to_owned(),
            username: account.username,
            link: None,
        }),
        Err(WebError::Invalid { zh, en, .. } | WebError::BadRequest { zh, en }) => {
            let page = list_page(
                &state,
                t,
                &authed,
                ListQuery::default(),
                Some(t.pick_owned(&(zh, en))),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(other) => Err(other),
    }
}

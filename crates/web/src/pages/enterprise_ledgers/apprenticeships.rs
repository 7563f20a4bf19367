//! The apprenticeships tab (师带徒台账, rule 6): who learns from whom, since when, and when
//! the apprentice graduated; the form records one, and a row records its graduation.

use anpei_store::ops;
use anpei_store::read_ledgers::{self as read, ApprenticeshipSort, ApprenticeshipStatus};
use uuid::Uuid;

use super::{
    Cell, Choice, Field, Filter, Header, RowAction, TabView, Table, Typed, View, Write,
    person_href, with_all,
};
use crate::api::certificates::parse_date;
use crate::api::enterprise_ledgers as api;
use crate::error::WebError;
use crate::pages::{date, query_string, sort_headers};

pub(super) async fn view(v: &View<'_>) -> Result<TabView, WebError> {
    let t = v.t;
    Ok(TabView {
        title: t.pick("师带徒台账", "Apprenticeships"),
        intro: t.pick(
            "学徒出徒后方可独立上岗（规则 6）。师傅须为本企业在岗人员。",
            "Apprentices work alone only after graduating (rule 6). Mentors are on the enterprise's staff.",
        ),
        empty: t.pick("尚无师带徒记录。", "No apprenticeships on record."),
        form_title: t.pick("登记师带徒", "Record an apprenticeship"),
        table: table(v).await?,
        fields: if v.can_write { form(v).await? } else { Vec::new() },
    })
}

async fn table(v: &View<'_>) -> Result<Table, WebError> {
    let (t, path) = (v.t, v.path);
    let status_code = v.param("status");
    let status = ApprenticeshipStatus::parse(&status_code);
    let filters = vec![Filter {
        name: "status",
        label: t.pick("状态", "Status"),
        choices: with_all(
            t,
            vec![
                Choice {
                    value: "in_progress".to_owned(),
                    label: t.pick("带徒中", "In progress").to_owned(),
                    selected: status == Some(ApprenticeshipStatus::InProgress),
                },
                Choice {
                    value: "graduated".to_owned(),
                    label: t.pick("已出徒", "Graduated").to_owned(),
                    selected: status == Some(ApprenticeshipStatus::Graduated),
                },
            ],
        ),
    }];
    let sort = match v.param("sort").as_str() {
        "planned" => ApprenticeshipSort::PlannedGraduation,
        _ => ApprenticeshipSort::Started,
    };
    let sort_key = match sort {
        ApprenticeshipSort::Started => "started",
        ApprenticeshipSort::PlannedGraduation => "planned",
    };
    let base = query_string(&[("status", status_code.clone())]);
    let sorts = sort_headers(
        path,
        &base,
        sort_key,
        v.desc,
        &[
            ("started", t.pick("拜师日期", "Started")),
            ("planned", t.pick("计划出徒", "Planned graduation")),
        ],
    );
    let mut sorts = sorts.into_iter();
    let headers = vec![
        Header {
            label: t.pick("学徒", "Apprentice"),
            sort: None,
        },
        Header {
            label: t.pick("师傅", "Mentor"),
            sort: None,
        },
        Header {
            label: t.pick("岗位/工种", "Post / trade"),
            sort: None,
        },
        Header {
            label: t.pick("拜师日期", "Started"),
            sort: sorts.next(),
        },
        Header {
            label: t.pick("计划出徒", "Planned graduation"),
            sort: sorts.next(),
        },
        Header {
            label: t.pick("出徒日期", "Graduated"),
            sort: None,
        },
        Header {
            label: t.pick("独立上岗", "Works alone"),
            sort: None,
        },
    ];
    let result =
        read::apprenticeships(v.store.connection(), v.read, status, sort, v.paging).await?;
    let pager = v.pager(&base, sort_key, &result);
    let mut rows = Vec::new();
    for a in result.items {
        let graduated = match a.row.graduated_on {
            Some(on) => Cell::text(date(on)),
            None if v.can_write => Cell {
                text: t.pick("带徒中", "In progress").to_owned(),
                href: None,
                action: Some(RowAction {
                    href: format!("{path}/{}/{}/graduation", a.row.person_id, a.row.id),
                    summary: t.pick("登记出徒", "Record graduation"),
                    label: t.pick("出徒日期", "Graduated on"),
                }),
            },
            None => Cell::text(t.pick("带徒中", "In progress")),
        };
        rows.push(vec![
            Cell::link(a.apprentice, person_href(a.row.person_id)),
            Cell::link(a.mentor, person_href(a.row.mentor_id)),
            Cell::text(a.row.position),
            Cell::text(date(a.row.started_on)),
            Cell::text(date(a.row.planned_graduation_on)),
            graduated,
            Cell::text(if a.row.works_alone {
                t.pick("是", "Yes")
            } else {
                t.pick("否", "No")
            }),
        ]);
    }
    Ok(Table {
        filters,
        headers,
        rows,
        pager,
        summary: None,
    })
}

async fn form(v: &View<'_>) -> Result<Vec<Field>, WebError> {
    let t = v.t;
    let person = v.typed.get("person_id");
    let mentor = v.typed.get("mentor_id");
    Ok(vec![
        v.select(
            "person_id",
            t.pick("学徒", "Apprentice"),
            v.staff_choices(vec![person]).await?,
        ),
        v.select(
            "mentor_id",
            t.pick("师傅", "Mentor"),
            v.staff_choices(vec![mentor]).await?,
        ),
        v.field("position", t.pick("岗位/工种", "Post / trade"), "text"),
        v.field("started_on", t.pick("拜师日期", "Started"), "date"),
        v.field(
            "planned_graduation_on",
            t.pick("计划出徒日期", "Planned graduation"),
            "date",
        ),
        v.field(
            "graduated_on",
            t.pick("出徒日期（已出徒时填写）", "Graduated (if already)"),
            "date",
        ),
        v.field(
            "works_alone",
            t.pick("已独立上岗", "Works a post alone"),
            "check",
        ),
    ])
}

pub(super) async fn record(w: Write<'_>, typed: &Typed) -> Result<(), WebError> {
    let (person, new) = api::parse_apprenticeship(&api::ApprenticeshipRequest {
        person_id: typed.get("person_id"),
        mentor_id: typed.get("mentor_id"),
        position: typed.get("position"),
        started_on: typed.get("started_on"),
        planned_graduation_on: typed.get("planned_graduation_on"),
        graduated_on: typed.optional("graduated_on"),
        works_alone: !typed.get("works_alone").is_empty(),
    })?;
    ops::enterprise_ledgers::record_apprenticeship(
        w.store, w.actor, w.staff, person, new, w.today, w.now,
    )
    .await?;
    Ok(())
}

/// A row's "record graduation" form.
pub(super) async fn graduation(
    w: Write<'_>,
    (owner, row): (Uuid, Uuid),
    on: &str,
) -> Result<(), WebError> {
    let on = parse_date("graduated_on", on)?;
    ops::enterprise_ledgers::record_graduation(
        w.store,
        w.actor,
        w.staff,
        (owner, row),
        on,
        w.today,
        w.now,
    )
    .await?;
    Ok(())
}

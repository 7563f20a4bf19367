//! The skill-promotion tab (技能晋级计划, rule 7): the schedule of key-position staff to move
//! up a skill level; the form schedules a promotion, and a row records it achieved.

use anpei_domain::SkillLevel;
use anpei_store::ops;
use anpei_store::read_ledgers::{self as read, PromotionStatus};
use uuid::Uuid;

use super::{
    Cell, Choice, Field, Filter, Header, RowAction, TabView, Table, Typed, View, Write, choices,
    person_href, with_all,
};
use crate::api::certificates::parse_date;
use crate::api::enterprise_ledgers as api;
use crate::error::WebError;
use crate::pages::{date, query_string, sort_headers};

pub(super) async fn view(v: &View<'_>) -> Result<TabView, WebError> {
    let t = v.t;
    Ok(TabView {
        title: t.pick(
            "重点岗位职工职业技能晋级计划",
            "Skill-promotion schedule of key-position staff",
        ),
        intro: t.pick(
            "2021 年底前 10% 以上重点岗位职工完成职业技能晋级培训（规则 7，按考核合格的技能提升培训计）；本表为晋级进度计划。",
            "At least 10% of key-position staff complete skill-promotion training by the end of 2021 (rule 7, counted from passed skill-promotion training); this is the schedule beside it.",
        ),
        empty: t.pick("尚无晋级计划。", "No promotions scheduled."),
        form_title: t.pick("添加晋级计划", "Schedule a promotion"),
        table: table(v).await?,
        fields: if v.can_write { form(v).await? } else { Vec::new() },
    })
}

async fn table(v: &View<'_>) -> Result<Table, WebError> {
    let (t, path, today) = (v.t, v.path, v.today);
    let status_code = v.param("status");
    let status = PromotionStatus::parse(&status_code);
    let filters = vec![Filter {
        name: "status",
        label: t.pick("状态", "Status"),
        choices: with_all(
            t,
            vec![
                Choice {
                    value: "pending".to_owned(),
                    label: t.pick("未完成", "Pending").to_owned(),
                    selected: status == Some(PromotionStatus::Pending),
                },
                Choice {
                    value: "achieved".to_owned(),
                    label: t.pick("已晋级", "Achieved").to_owned(),
                    selected: status == Some(PromotionStatus::Achieved),
                },
            ],
        ),
    }];
    let base = query_string(&[("status", status_code.clone())]);
    let mut sorts = sort_headers(
        path,
        &base,
        "due",
        v.desc,
        &[("due", t.pick("计划完成日期", "Due"))],
    )
    .into_iter();
    let headers = vec![
        Header {
            label: t.pick("姓名", "Name"),
            sort: None,
        },
        Header {
            label: t.pick("现有等级", "Current level"),
            sort: None,
        },
        Header {
            label: t.pick("目标等级", "Target level"),
            sort: None,
        },
        Header {
            label: t.pick("计划完成日期", "Due"),
            sort: sorts.next(),
        },
        Header {
            label: t.pick("晋级日期", "Achieved"),
            sort: None,
        },
    ];
    let result = read::skill_promotions(v.store.connection(), v.read, status, v.paging).await?;
    let pager = v.pager(&base, "due", &result);
    let level = |code: &str| {
        SkillLevel::parse(code)
            .map(|l| t.pick(l.name_zh(), l.name_en()))
            .unwrap_or("")
            .to_owned()
    };
    let mut rows = Vec::new();
    for p in result.items {
        let achieved = match p.row.achieved_on {
            Some(on) => Cell::text(date(on)),
            None if v.can_write => Cell {
                text: if p.row.due_on < today {
                    t.pick("已逾期", "Overdue")
                } else {
                    t.pick("未完成", "Pending")
                }
                .to_owned(),
                href: None,
                action: Some(RowAction {
                    href: format!("{path}/{}/{}/achieved", p.row.person_id, p.row.id),
                    summary: t.pick("登记晋级", "Record promotion"),
                    label: t.pick("晋级日期", "Achieved on"),
                }),
            },
            None => Cell::text(if p.row.due_on < today {
                t.pick("已逾期", "Overdue")
            } else {
                t.pick("未完成", "Pending")
            }),
        };
        rows.push(vec![
            Cell::link(p.person, person_href(p.row.person_id)),
            Cell::text(level(&p.row.current_level)),
            Cell::text(level(&p.row.target_level)),
            Cell::text(date(p.row.due_on)),
            achieved,
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
    let (current, target) = (v.typed.get("current_level"), v.typed.get("target_level"));
    Ok(vec![
        v.select(
            "person_id",
            t.pick("重点岗位职工", "Key-position worker"),
            v.staff_choices(vec![person]).await?,
        ),
        v.select(
            "current_level",
            t.pick("现有等级", "Current level"),
            choices(
                &SkillLevel::ALL,
                SkillLevel::code,
                |l| t.pick(l.name_zh(), l.name_en()),
                &current,
            ),
        ),
        v.select(
            "target_level",
            t.pick("目标等级", "Target level"),
            choices(
                &SkillLevel::ALL,
                SkillLevel::code,
                |l| t.pick(l.name_zh(), l.name_en()),
                &target,
            ),
        ),
        v.field("due_on", t.pick("计划完成日期", "Due"), "date"),
    ])
}

pub(super) async fn record(w: Write<'_>, typed: &Typed) -> Result<(), WebError> {
    let (person, new) = api::parse_promotion(&api::PromotionRequest {
        person_id: typed.get("person_id"),
        current_level: typed.get("current_level"),
        target_level: typed.get("target_level"),
        due_on: typed.get("due_on"),
    })?;
    ops::enterprise_ledgers::record_promotion(
        w.store, w.actor, w.staff, person, new, w.today, w.now,
    )
    .await?;
    Ok(())
}

/// A row's "record promotion" form: the day it was achieved.
pub(super) async fn achieved(
    w: Write<'_>,
    (owner, row): (Uuid, Uuid),
    on: &str,
) -> Result<(), WebError> {
    let on = parse_date("achieved_on", on)?;
    ops::enterprise_ledgers::record_promotion_achieved(
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

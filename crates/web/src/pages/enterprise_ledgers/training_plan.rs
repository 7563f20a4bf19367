//! The yearly training plan tab (年度培训计划): the plan items of one year beside the hours
//! and people actually trained of the same kind; the form adds an item.

use anpei_domain::rules::TrainingKind;
use anpei_store::ops;
use anpei_store::read_ledgers as read;
use chrono::Datelike;

use super::{Cell, Choice, Field, Filter, Header, TabView, Table, Typed, View, Write, choices};
use crate::api::enterprise_ledgers as api;
use crate::error::WebError;

pub(super) async fn view(v: &View<'_>) -> Result<TabView, WebError> {
    let t = v.t;
    Ok(TabView {
        title: t.pick("年度培训计划", "Yearly training plan"),
        intro: t.pick(
            "培训计划覆盖全体员工；实际完成按当年登记的同类培训统计。",
            "The plan covers all staff; progress counts the training of the same kind recorded that year.",
        ),
        empty: t.pick("该年度尚无培训计划。", "No plan for that year."),
        form_title: t.pick("添加计划项目", "Add a plan item"),
        table: table(v).await?,
        fields: if v.can_write { form(v) } else { Vec::new() },
    })
}

/// The year shown: the one asked for, else this year.
fn year(v: &View<'_>) -> i32 {
    v.param("year").parse().unwrap_or(v.today.year())
}

async fn table(v: &View<'_>) -> Result<Table, WebError> {
    let t = v.t;
    let year = year(v);
    let filters = vec![Filter {
        name: "year",
        label: t.pick("年度", "Year"),
        choices: (2020..=v.today.year() + 1)
            .rev()
            .map(|y| Choice {
                value: y.to_string(),
                label: y.to_string(),
                selected: y == year,
            })
            .collect(),
    }];
    let headers = [
        t.pick("月份", "Month"),
        t.pick("培训内容", "Topic"),
        t.pick("培训类别", "Kind"),
        t.pick("培训对象", "Audience"),
        t.pick("计划学时", "Planned hours"),
        t.pick("实际学时", "Hours recorded"),
        t.pick("计划人数", "Planned people"),
        t.pick("实际人数", "People trained"),
    ]
    .into_iter()
    .map(|label| Header { label, sort: None })
    .collect();
    let items = read::training_plan(v.store.connection(), v.read, year).await?;
    let planned: f64 = items
        .iter()
        .map(|p| p.item.planned_hours * f64::from(p.item.planned_headcount))
        .sum();
    let mut summary = None;
    if !items.is_empty() {
        summary = Some(if t.is_en() {
            format!(
                "{year}: {} items, {planned:.0} person-hours planned",
                items.len()
            )
        } else {
            format!("{year} 年：{} 项，计划 {planned:.0} 人·学时", items.len())
        });
    }
    let mut rows = Vec::new();
    for p in items {
        rows.push(vec![
            Cell::text(p.item.planned_month.to_string()),
            Cell::text(p.item.topic),
            Cell::text(
                TrainingKind::parse(&p.item.kind)
                    .map(|k| t.pick(k.name_zh(), k.name_en()))
                    .unwrap_or(""),
            ),
            Cell::text(p.item.audience),
            Cell::text(format!("{:.1}", p.item.planned_hours)),
            Cell::text(format!("{:.1}", p.actual_hours)),
            Cell::text(p.item.planned_headcount.to_string()),
            Cell::text(p.actual_headcount.to_string()),
        ]);
    }
    Ok(Table {
        filters,
        headers,
        rows,
        pager: None,
        summary,
    })
}

fn form(v: &View<'_>) -> Vec<Field> {
    let t = v.t;
    let typed_kind = v.typed.get("kind");
    let mut year_field = v.field("year", t.pick("年度", "Year"), "number");
    if year_field.value.is_empty() {
        year_field.value = year(v).to_string();
    }
    vec![
        year_field,
        v.field("topic", t.pick("培训内容", "Topic"), "text"),
        v.select(
            "kind",
            t.pick("培训类别", "Kind"),
            choices(
                &TrainingKind::ALL,
                TrainingKind::code,
                |k| t.pick(k.name_zh(), k.name_en()),
                &typed_kind,
            ),
        ),
        v.field(
            "audience",
            t.pick("培训对象（岗位/人员）", "Audience (posts / people)"),
            "text",
        ),
        v.field(
            "planned_hours",
            t.pick("计划学时", "Planned hours"),
            "number",
        ),
        v.field(
            "planned_month",
            t.pick("计划月份（1-12）", "Month (1-12)"),
            "number",
        ),
        v.field(
            "planned_headcount",
            t.pick("计划人数", "Planned people"),
            "number",
        ),
    ]
}

pub(super) async fn record(w: Write<'_>, typed: &Typed) -> Result<(), WebError> {
    let (kind, item) = api::parse_plan_item(
        &api::PlanItemRequest {
            year: typed.number("year")?,
            topic: typed.get("topic"),
            kind: typed.get("kind"),
            audience: typed.get("audience"),
            planned_hours: typed.number("planned_hours")?,
            planned_month: typed.number("planned_month")?,
            planned_headcount: typed.number("planned_headcount")?,
        },
        w.today,
    )?;
    ops::enterprise_ledgers::record_plan_item(w.store, w.actor, w.staff, kind, item, w.now).await?;
    Ok(())
}

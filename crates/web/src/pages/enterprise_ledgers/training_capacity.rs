//! The training-capacity tab (培训能力): since when the enterprise trains its own staff,
//! with how many trainers and what facilities, or which qualified institution it delegates
//! to; the form records a new capacity, which is in force from its date on.

use anpei_domain::TrainingMode;
use anpei_store::ops;
use anpei_store::read_ledgers as read;

use super::{Cell, Field, Header, TabView, Table, Typed, View, Write, choices};
use crate::api::enterprise_ledgers as api;
use crate::error::WebError;
use crate::pages::date;

pub(super) async fn view(v: &View<'_>) -> Result<TabView, WebError> {
    let t = v.t;
    Ok(TabView {
        title: t.pick("培训能力", "Training capacity"),
        intro: t.pick(
            "自主培训须有培训师和场地；不具备条件的委托具备资质的培训机构。",
            "Self-training needs trainers and facilities; otherwise training is delegated to a qualified institution.",
        ),
        empty: t.pick("尚未登记培训能力。", "No training capacity on record."),
        form_title: t.pick("登记培训能力", "Record training capacity"),
        table: table(v).await?,
        fields: if v.can_write { form(v) } else { Vec::new() },
    })
}

async fn table(v: &View<'_>) -> Result<Table, WebError> {
    let t = v.t;
    let headers = [
        t.pick("起始日期", "Since"),
        t.pick("培训方式", "Mode"),
        t.pick("培训师人数", "Trainers"),
        t.pick("培训场地设施", "Facilities"),
        t.pick("受委托机构", "Institution"),
        t.pick("统一社会信用代码", "Credit code"),
        t.pick("当前", "In force"),
    ]
    .into_iter()
    .map(|label| Header { label, sort: None })
    .collect();
    let capacities = read::training_capacities(v.store.connection(), v.read).await?;
    let current = capacities.iter().find(|c| c.since <= v.today).map(|c| c.id);
    let mut rows = Vec::new();
    for c in capacities {
        let mode = TrainingMode::parse(&c.mode);
        rows.push(vec![
            Cell::text(date(c.since)),
            Cell::text(mode.map(|m| t.pick(m.name_zh(), m.name_en())).unwrap_or("")),
            Cell::text(if mode == Some(TrainingMode::SelfTraining) {
                c.trainers.to_string()
            } else {
                "—".to_owned()
            }),
            Cell::text(c.facilities),
            Cell::text(c.institution_name.unwrap_or_default()),
            Cell::text(c.institution_credit_code.unwrap_or_default()),
            Cell::text(if Some(c.id) == current {
                t.pick("当前", "Yes")
            } else {
                ""
            }),
        ]);
    }
    Ok(Table {
        filters: Vec::new(),
        headers,
        rows,
        pager: None,
        summary: None,
    })
}

fn form(v: &View<'_>) -> Vec<Field> {
    let t = v.t;
    let typed_mode = v.typed.get("mode");
    vec![
        v.select(
            "mode",
            t.pick("培训方式", "Mode"),
            choices(
                &TrainingMode::ALL,
                TrainingMode::code,
                |m| t.pick(m.name_zh(), m.name_en()),
                &typed_mode,
            ),
        ),
        v.field("since", t.pick("起始日期", "Since"), "date"),
        v.field(
            "trainers",
            t.pick("培训师人数（自主培训）", "Trainers (self-training)"),
            "number",
        ),
        v.field(
            "facilities",
            t.pick("培训场地设施（自主培训）", "Facilities (self-training)"),
            "text",
        ),
        v.field(
            "institution_name",
            t.pick("受委托机构名称（委托培训）", "Institution (delegated)"),
            "text",
        ),
        v.field(
            "institution_credit_code",
            t.pick(
                "机构统一社会信用代码（委托培训）",
                "Institution credit code (delegated)",
            ),
            "text",
        ),
    ]
}

pub(super) async fn record(w: Write<'_>, typed: &Typed) -> Result<(), WebError> {
    let self_training = typed.get("mode") == TrainingMode::SelfTraining.code();
    let (since, capacity) = api::parse_capacity(&api::CapacityRequest {
        mode: typed.get("mode"),
        since: typed.get("since"),
        trainers: if self_training {
            Some(typed.number("trainers")?)
        } else {
            None
        },
        facilities: typed.get("facilities"),
        institution_name: typed.get("institution_name"),
        institution_credit_code: typed.get("institution_credit_code"),
    })?;
    ops::enterprise_ledgers::record_capacity(w.store, w.actor, w.staff, since, capacity, w.now)
        .await?;
    Ok(())
}

//! The time-off-post tab (离岗台账, rule 3): who is away, why and until when; the form
//! records a period away, and a row records the return. A failed yearly assessment opens
//! and closes its own period, so it is neither offered in the form nor closed by hand.

use anpei_domain::OffPostReason;
use anpei_store::ops;
use anpei_store::read_ledgers::{self as read, OffPostFilter, OffPostSort};
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
        title: t.pick("离岗台账", "Time off post"),
        intro: t.pick(
            "离岗 3 个月以上重新上岗，须经针对性培训并考核合格（规则 3）。年度考核不合格自动登记离岗，考核合格后自动结束。",
            "Back after 3 months or more away needs targeted training and a pass (rule 3). A failed yearly assessment opens a period off post; a later pass closes it.",
        ),
        empty: t.pick("尚无离岗记录。", "No time off post on record."),
        form_title: t.pick("登记离岗", "Record time off post"),
        table: table(v).await?,
        fields: if v.can_write { form(v).await? } else { Vec::new() },
    })
}

async fn table(v: &View<'_>) -> Result<Table, WebError> {
    let (t, path) = (v.t, v.path);
    let reason_code = v.param("reason");
    let reason = OffPostReason::parse(&reason_code);
    let away = v.param("away");
    let filters = vec![
        Filter {
            name: "reason",
            label: t.pick("离岗原因", "Reason"),
            choices: with_all(
                t,
                choices(
                    &OffPostReason::ALL,
                    OffPostReason::code,
                    |r| t.pick(r.name_zh(), r.name_en()),
                    &reason_code,
                ),
            ),
        },
        Filter {
            name: "away",
            label: t.pick("范围", "Scope"),
            choices: vec![
                Choice {
                    value: String::new(),
                    label: t.pick("全部", "All").to_owned(),
                    selected: away.is_empty(),
                },
                Choice {
                    value: "today".to_owned(),
                    label: t.pick("今日离岗", "Away today").to_owned(),
                    selected: away == "today",
                },
            ],
        },
    ];
    let sort = match v.param("sort").as_str() {
        "ends" => OffPostSort::Ends,
        _ => OffPostSort::Starts,
    };
    let sort_key = if sort == OffPostSort::Ends {
        "ends"
    } else {
        "starts"
    };
    let base = query_string(&[("reason", reason_code.clone()), ("away", away.clone())]);
    let mut sorts = sort_headers(
        path,
        &base,
        sort_key,
        v.desc,
        &[
            ("starts", t.pick("离岗日期", "From")),
            ("ends", t.pick("返岗前最后一天", "Last day away")),
        ],
    )
    .into_iter();
    let headers = vec![
        Header {
            label: t.pick("姓名", "Name"),
            sort: None,
        },
        Header {
            label: t.pick("离岗原因", "Reason"),
            sort: None,
        },
        Header {
            label: t.pick("离岗日期", "From"),
            sort: sorts.next(),
        },
        Header {
            label: t.pick("返岗前最后一天", "Last day away"),
            sort: sorts.next(),
        },
        Header {
            label: t.pick("说明", "Note"),
            sort: None,
        },
    ];
    let filter = OffPostFilter {
        open_on: (away == "today").then_some(v.today),
        reason,
    };
    let result = read::off_post(v.store.connection(), v.read, &filter, sort, v.paging).await?;
    let pager = v.pager(&base, sort_key, &result);
    let mut rows = Vec::new();
    for p in result.items {
        let reason = OffPostReason::parse(&p.row.reason);
        let closes_itself = reason == Some(OffPostReason::FailedAssessment);
        let ends = match p.row.ends_on {
            Some(on) => Cell::text(date(on)),
            None if v.can_write && !closes_itself => Cell {
                text: t.pick("离岗中", "Away").to_owned(),
                href: None,
                action: Some(RowAction {
                    href: format!("{path}/{}/{}/end", p.row.person_id, p.row.id),
                    summary: t.pick("登记返岗", "Record return"),
                    label: t.pick("返岗前最后一天", "Last day away"),
                }),
            },
            None if closes_itself => Cell::text(t.pick(
                "离岗培训中，考核合格后返岗",
                "Retraining; back after a pass",
            )),
            None => Cell::text(t.pick("离岗中", "Away")),
        };
        rows.push(vec![
            Cell::link(p.person, person_href(p.row.person_id)),
            Cell::text(
                reason
                    .map(|r| t.pick(r.name_zh(), r.name_en()))
                    .unwrap_or(""),
            ),
            Cell::text(date(p.row.starts_on)),
            ends,
            Cell::text(p.row.note),
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
    let typed_reason = v.typed.get("reason");
    let manual: Vec<OffPostReason> = OffPostReason::ALL
        .into_iter()
        .filter(|r| *r != OffPostReason::FailedAssessment)
        .collect();
    Ok(vec![
        v.select(
            "person_id",
            t.pick("姓名", "Person"),
            v.staff_choices(vec![person]).await?,
        ),
        v.select(
            "reason",
            t.pick("离岗原因", "Reason"),
            choices(
                &manual,
                OffPostReason::code,
                |r| t.pick(r.name_zh(), r.name_en()),
                &typed_reason,
            ),
        ),
        v.field("starts_on", t.pick("离岗日期", "First day away"), "date"),
        v.field(
            "ends_on",
            t.pick(
                "返岗前最后一天（仍离岗则留空）",
                "Last day away (empty if still away)",
            ),
            "date",
        ),
        v.field("note", t.pick("说明（选填）", "Note (optional)"), "text"),
    ])
}

pub(super) async fn record(w: Write<'_>, typed: &Typed) -> Result<(), WebError> {
    let (person, new) = api::parse_off_post(&api::OffPostRequest {
        person_id: typed.get("person_id"),
        starts_on: typed.get("starts_on"),
        ends_on: typed.optional("ends_on"),
        reason: typed.get("reason"),
        note: typed.get("note"),
    })?;
    ops::enterprise_ledgers::record_off_post(
        w.store, w.actor, w.staff, person, new, w.today, w.now,
    )
    .await?;
    Ok(())
}

/// A row's "record return" form: the last day away.
pub(super) async fn end(w: Write<'_>, owner: Uuid, row: Uuid, on: &str) -> Result<(), WebError> {
    let on = parse_date("ends_on", on)?;
    ops::enterprise_ledgers::end_off_post(w.store, w.actor, w.staff, owner, row, on, w.now).await?;
    Ok(())
}

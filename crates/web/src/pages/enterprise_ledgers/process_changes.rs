//! The process-changes tab (四新变更, rule 3): new processes, technology, equipment and
//! materials with the people each affects; the form records one.

use anpei_domain::ProcessChangeKind;
use anpei_store::ops;
use anpei_store::read_ledgers as read;

use super::{Cell, Field, Filter, Header, TabView, Table, Typed, View, Write, choices, with_all};
use crate::api::enterprise_ledgers as api;
use crate::error::WebError;
use crate::pages::{date, query_string, sort_headers};

pub(super) async fn view(v: &View<'_>) -> Result<TabView, WebError> {
    let t = v.t;
    Ok(TabView {
        title: t.pick(
            "新工艺、新技术、新设备、新材料",
            "New processes, technology, equipment, materials",
        ),
        intro: t.pick(
            "采用四新前，受影响人员须接受针对性安全培训并考核合格（规则 3）。",
            "Before a change takes effect, the people it affects need targeted training and a pass (rule 3).",
        ),
        empty: t.pick("尚无四新变更记录。", "No changes on record."),
        form_title: t.pick("登记四新变更", "Record a change"),
        table: table(v).await?,
        fields: if v.can_write { form(v).await? } else { Vec::new() },
    })
}

async fn table(v: &View<'_>) -> Result<Table, WebError> {
    let t = v.t;
    let kind_code = v.param("kind");
    let kind = ProcessChangeKind::parse(&kind_code);
    let filters = vec![Filter {
        name: "kind",
        label: t.pick("类别", "Kind"),
        choices: with_all(
            t,
            choices(
                &ProcessChangeKind::ALL,
                ProcessChangeKind::code,
                |k| t.pick(k.name_zh(), k.name_en()),
                &kind_code,
            ),
        ),
    }];
    let base = query_string(&[("kind", kind_code.clone())]);
    let mut sorts = sort_headers(
        v.path,
        &base,
        "date",
        v.desc,
        &[("date", t.pick("实施日期", "Effective"))],
    )
    .into_iter();
    let headers = vec![
        Header {
            label: t.pick("实施日期", "Effective"),
            sort: sorts.next(),
        },
        Header {
            label: t.pick("类别", "Kind"),
            sort: None,
        },
        Header {
            label: t.pick("内容", "Description"),
            sort: None,
        },
        Header {
            label: t.pick("受影响人员", "People affected"),
            sort: None,
        },
    ];
    let result = read::process_changes(v.store.connection(), v.read, kind, v.paging).await?;
    let pager = v.pager(&base, "date", &result);
    let mut rows = Vec::new();
    for c in result.items {
        let names: Vec<String> = c.people.iter().map(|(_, name)| name.clone()).collect();
        rows.push(vec![
            Cell::text(date(c.row.changed_on)),
            Cell::text(
                ProcessChangeKind::parse(&c.row.kind)
                    .map(|k| t.pick(k.name_zh(), k.name_en()))
                    .unwrap_or(""),
            ),
            Cell::text(c.row.description),
            Cell::text(names.join("、")),
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
    let typed_kind = v.typed.get("kind");
    Ok(vec![
        v.field("changed_on", t.pick("实施日期", "Takes effect on"), "date"),
        v.select(
            "kind",
            t.pick("类别", "Kind"),
            choices(
                &ProcessChangeKind::ALL,
                ProcessChangeKind::code,
                |k| t.pick(k.name_zh(), k.name_en()),
                &typed_kind,
            ),
        ),
        v.field("description", t.pick("内容", "Description"), "text"),
        Field {
            kind: "multi",
            choices: v.staff_choices(v.typed.all("people")).await?,
            ..v.field(
                "people",
                t.pick("受影响人员（可多选）", "People affected (several)"),
                "multi",
            )
        },
    ])
}

pub(super) async fn record(w: Write<'_>, typed: &Typed) -> Result<(), WebError> {
    let new = api::parse_process_change(&api::ProcessChangeRequest {
        changed_on: typed.get("changed_on"),
        kind: typed.get("kind"),
        description: typed.get("description"),
        people: typed.all("people"),
    })?;
    ops::enterprise_ledgers::record_process_change(w.store, w.actor, w.staff, new, w.today, w.now)
        .await?;
    Ok(())
}

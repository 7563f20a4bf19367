//! The demo province's training institutions as a regulator would have registered them
//! (issue 5): each approved for a few trades with its practical facilities and listed in the
//! HR catalogue; the demo institution with two trainers, an examiner and an open class, so
//! that its pages and the subsidy form have something to show. No person's facts change.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::EntityTrait;
use uuid::Uuid;

use crate::entity::{institution_trade, trainer, training_class};
use crate::ledger::{Change, LedgerKey};
use crate::{StoreError, WriteTx};

/// Trades the demo institutions are approved for, in rotation, with their facilities.
const APPROVALS: &[(&str, &str)] = &[
    (
        "1.2",
        "低压电工实训室 24 工位，低压配电柜、电动机控制线路实训台、触电急救模拟人",
    ),
    (
        "1.1",
        "高压电工实训室，10 kV 模拟变配电装置、倒闸操作实训台",
    ),
    ("2.1", "焊接实训车间 16 个焊位，配备通风除尘与防护设施"),
    ("3.1", "登高架设实训塔架，安全带与防坠器实训装置"),
    ("9.1", "危险化学品工艺仿真实训装置（DCS 仿真）"),
];

pub(super) async fn register(
    tx: &mut WriteTx,
    institutions: &[Uuid],
    today: NaiveDate,
    at: DateTime<Utc>,
    mut next_id: impl FnMut() -> Uuid,
) -> Result<(), StoreError> {
    let approved_on = today - Duration::days(720);
    let mut approvals = Vec::new();
    for (n, institution_id) in institutions.iter().enumerate() {
        for k in 0..3 {
            let (trade, facilities) = APPROVALS[(n + k) % APPROVALS.len()];
            let model = institution_trade::Model {
                institution_id: *institution_id,
                id: next_id(),
                trade_code: trade.to_owned(),
                approved_on,
                may_examine: k == 0,
                practical_facilities: facilities.to_owned(),
                withdrawn_on: None,
                created_at: at,
                updated_at: at,
            };
            tx.record(Change::of(
                "institution_trade.approve",
                LedgerKey::InstitutionTrade {
                    institution_id: *institution_id,
                    id: model.id,
                },
                &model,
            ));
            approvals.push(institution_trade::ActiveModel::from(model));
        }
    }
    super::insert_chunks(tx, approvals).await?;

    let Some(first) = institutions.first().copied() else {
        return Ok(());
    };
    let staff = [
        (
            "孙建国",
            "trainer",
            "注册安全工程师，电工高级技师",
            "1.2,1.1",
        ),
        ("林秀英", "trainer", "焊接高级技师", "2.1"),
        ("高振华", "examiner", "电工考评员（省级）", "1.2,1.1"),
    ];
    let mut names = Vec::new();
    for (name, role, qualification, trades) in staff {
        let model = trainer::Model {
            institution_id: first,
            id: next_id(),
            name: name.to_owned(),
            role: role.to_owned(),
            qualification: qualification.to_owned(),
            trade_codes: trades.to_owned(),
            selected_on: today - Duration::days(600),
            last_assessed_year: None,
            last_assessment_passed: None,
            exited_on: None,
            exit_reason: None,
            created_at: at,
            updated_at: at,
        };
        tx.record(Change::of(
            "trainer.select",
            LedgerKey::Trainer {
                institution_id: first,
                id: model.id,
            },
            &model,
        ));
        if role == "trainer" && trades.contains("1.2") {
            names.push(model.name.clone());
        }
        trainer::Entity::insert(trainer::ActiveModel::from(model))
            .exec(tx.conn())
            .await?;
    }
    let class = training_class::Model {
        institution_id: first,
        id: next_id(),
        number: format!("DG-{}-01", today.format("%Y%m")),
        trade_code: "1.2".to_owned(),
        syllabus: "低压电工作业安全技术培训大纲".to_owned(),
        theory_hours: 48.0,
        practical_hours: 32.0,
        starts_on: today + Duration::days(7),
        ends_on: today + Duration::days(20),
        schedule: "周一至周五 8:30–16:30；前 6 天理论，后 4 天实操".to_owned(),
        trainers: names.join("、"),
        completed_on: None,
        created_at: at,
        updated_at: at,
    };
    tx.record(Change::of(
        "class.open",
        LedgerKey::TrainingClass {
            institution_id: first,
            id: class.id,
        },
        &class,
    ));
    training_class::Entity::insert(training_class::ActiveModel::from(class))
        .exec(tx.conn())
        .await?;
    Ok(())
}

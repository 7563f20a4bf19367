//! The demo province: a deterministic, Heilongjiang-like data set for trying Anpei out and
//! for benchmarks (`anpei demo --people N --seed S`).
//!
//! Everything personal is synthetic: names are drawn from common characters, ID numbers use
//! real Heilongjiang county codes with sequence codes 900–999 and a correct check digit,
//! mobile numbers are in the 170 range. The same size, seed and date give the same people,
//! enterprises and histories.
//!
//! Data goes in through the ordinary write path (`Store::write`), in batches, so the demo
//! is ledgered exactly like real data and `anpei ledger verify` holds on it.

use std::collections::HashSet;

use anpei_domain::{
    CreditCode, EmploymentKind, IdNumber, Industry, Period, PersonName, Phone, PositionFlags,
    PositionTitle, Region, Role, region,
};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::EntityTrait;
use uuid::Uuid;

use crate::entity::{
    assessment, certificate, certificate_number, employment, enterprise, institution, person,
    person_identity, training_record,
};
use crate::ledger::{Change, LedgerKey};
use crate::ops::accounts::{self, AccountScope};
use crate::ops::people::{Hire, employment_model, person_model};
use crate::{Actor, Store, StoreError};
use anpei_domain::certificate::{CertificateKind, expiry_for};

mod bank;
mod ledgers;
mod training;

/// The password of every demo login (README lists the usernames).
pub const DEMO_PASSWORD: &str = "anpei-demo-2026";

/// The demo's logins. Only the demo generator creates them, on a database it marks as a
/// demo; `anpei account create` and the account pages refuse these names elsewhere.
pub const DEMO_USERNAMES: &[&str] = &[
    "worker",
    "enterprise",
    "harbin",
    "qiqihar",
    "county",
    "province",
    "hr",
    "institution",
];

#[derive(Debug, Clone, Copy)]
pub struct DemoSpec {
    pub people: u64,
    pub seed: u64,
}

impl Default for DemoSpec {
    fn default() -> Self {
        DemoSpec {
            people: 30_000,
            seed: 2020,
        }
    }
}

impl DemoSpec {
    /// At least 300 enterprises, and about one per hundred people beyond that.
    pub fn enterprises(&self) -> u64 {
        (self.people / 100).max(300)
    }

    pub fn institutions(&self) -> u64 {
        (self.people / 1_500).clamp(20, 200)
    }
}

/// One demo login.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub username: &'static str,
    pub role: Role,
    pub description: String,
}

/// What was generated.
#[derive(Debug, Clone)]
pub struct DemoReport {
    pub enterprises: u64,
    pub institutions: u64,
    pub people: u64,
    pub employments: u64,
    pub certificates: u64,
    pub logins: Vec<DemoLogin>,
    pub ledger_head: i64,
    /// Ids useful to tests and the README: the demo enterprise and worker.
    pub enterprise_id: Uuid,
    pub worker_id: Uuid,
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹",
    "袁", "邓", "许", "傅", "沈", "曾", "彭", "吕", "苏", "卢", "蒋", "蔡", "贾", "丁", "魏", "薛",
    "叶", "阎", "余", "潘", "杜", "戴", "夏", "钟", "汪", "田", "任", "姜", "范", "方", "石", "姚",
    "欧阳", "司马",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "萍", "红", "建", "国", "文", "辉", "鹏",
    "宇", "浩", "凯", "健", "俊", "帆", "帅", "旭", "宁", "龙", "林", "欣", "晨", "雪", "琳", "晶",
    "海", "波", "飞", "斌", "峰", "东", "春", "立", "志", "新", "庆", "德", "成", "松", "佳", "瑞",
];
const WORDS: &[&str] = &[
    "龙江",
    "北辰",
    "华安",
    "兴达",
    "鑫源",
    "恒泰",
    "中兴",
    "金盾",
    "宏远",
    "东方",
    "新世纪",
    "远航",
    "泰和",
    "永安",
    "瑞丰",
    "广汇",
    "盛华",
    "天成",
    "宏达",
    "北方",
    "松花江",
    "黑土",
    "冰城",
    "兴安",
    "长青",
    "万达",
    "腾飞",
    "利民",
    "安泰",
    "嘉禾",
    "金桥",
    "三江",
    "富力",
    "鼎盛",
    "信诚",
    "同心",
];

fn suffix(industry: Industry) -> &'static str {
    match industry {
        Industry::HazardousChemicals => "化工有限公司",
        Industry::CoalMine => "煤矿有限责任公司",
        Industry::NonCoalMine => "矿业有限公司",
        Industry::MetalSmelting => "冶金有限公司",
        Industry::Fireworks => "烟花爆竹有限公司",
        Industry::OilGas => "石油天然气开发有限公司",
    }
}

fn positions(industry: Industry) -> &'static [(&'static str, Option<&'static str>)] {
    match industry {
        Industry::HazardousChemicals => &[
            ("化工操作工", None),
            ("反应釜操作工", Some("9.2")),
            ("仓储保管员", None),
            ("电工", Some("1.2")),
            ("焊工", Some("2.1")),
            ("化验员", None),
            ("装卸工", None),
        ],
        Industry::CoalMine => &[
            ("采煤工", None),
            ("掘进工", None),
            ("瓦斯检查工", Some("5.4")),
            ("井下电钳工", Some("5.1")),
            ("爆破工", Some("5.2")),
            ("提升机司机", Some("5.6")),
            ("安全检查工", Some("5.5")),
        ],
        Industry::NonCoalMine => &[
            ("凿岩工", None),
            ("支柱工", Some("6.5")),
            ("井下电工", Some("6.6")),
            ("爆破工", Some("6.8")),
            ("通风工", Some("6.1")),
            ("排水工", Some("6.7")),
            ("装载机司机", None),
        ],
        Industry::MetalSmelting => &[
            ("炉前工", None),
            ("浇铸工", None),
            ("煤气作业工", Some("8.1")),
            ("天车工", None),
            ("电工", Some("1.1")),
            ("焊工", Some("2.1")),
            ("检修工", None),
        ],
        Industry::Fireworks => &[
            ("烟火药制造工", Some("10.1")),
            ("引火线制造工", Some("10.3")),
            ("装药工", Some("10.4")),
            ("仓库保管员", Some("10.5")),
            ("包装工", None),
            ("质检员", None),
        ],
        Industry::OilGas => &[
            ("司钻", Some("7.1")),
            ("采油工", None),
            ("集输工", None),
            ("井下作业工", None),
            ("电工", Some("1.2")),
            ("焊工", Some("2.1")),
            ("登高架设工", Some("3.1")),
        ],
    }
}

/// Deterministic UUIDs: v7 layout, time from a fixed epoch plus a counter, random bits from
/// the seeded generator.
struct Ids {
    millis: u64,
}

impl Ids {
    fn next(&mut self, rng: &mut StdRng) -> Uuid {
        self.millis += 1;
        let random: [u8; 10] = rng.random();
        uuid::Builder::from_unix_timestamp_millis(self.millis, &random).into_uuid()
    }
}

fn random_name(rng: &mut StdRng) -> PersonName {
    let mut name = SURNAMES[rng.random_range(0..SURNAMES.len())].to_owned();
    for _ in 0..rng.random_range(1..=2) {
        name.push_str(GIVEN[rng.random_range(0..GIVEN.len())]);
    }
    // Built from the lists above, so it always parses; fall back to a fixed name anyway.
    PersonName::parse(&name).unwrap_or_else(|_| demo_name())
}

fn demo_name() -> PersonName {
    // A literal that satisfies PersonName's rules.
    match PersonName::parse("王伟") {
        Ok(name) => name,
        Err(_) => unreachable_name(),
    }
}

#[allow(clippy::panic)]
fn unreachable_name() -> PersonName {
    panic!("the literal demo name must parse")
}

fn days_between(rng: &mut StdRng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(1);
    from + Duration::days(rng.random_range(0..span))
}

struct DemoEnterprise {
    id: Uuid,
    industry: Industry,
    county: &'static Region,
}

/// Generates the demo into an empty store. `progress(done, total)` counts people.
pub async fn generate(
    store: &Store,
    spec: DemoSpec,
    today: NaiveDate,
    now: DateTime<Utc>,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<DemoReport, StoreError> {
    let mut rng = StdRng::seed_from_u64(spec.seed);
    let mut ids = Ids {
        millis: 1_577_836_800_000,
    }; // 2020-01-01, the seed plan's year
    let actor = Actor::system("演示数据生成器");
    let counties: Vec<&'static Region> = region::all()
        .iter()
        .filter(|r| r.level == anpei_domain::RegionLevel::County)
        .collect();
    if counties.is_empty() {
        return Err(StoreError::invalid_text(
            "regions",
            "缺少行政区划数据",
            "No region data",
        ));
    }
    let harbin_counties: Vec<&'static Region> = region::counties_of("230100").collect();

    // Enterprises: spread over every city, industries in rotation, the first in Harbin.
    let mut enterprises = Vec::new();
    let mut serial = 1_000u32;
    let mut names = HashSet::new();
    let mut tx = store.write(&actor, now).await?;
    tx.defer_verdicts();
    // First of all: this database is a demo (every page says so; the demo logins and their
    // published password are allowed here only).
    accounts::mark_demo(&tx).await?;
    let at = tx.at();
    let mut enterprise_rows = Vec::new();
    for i in 0..spec.enterprises() {
        let county = if i == 0 {
            harbin_counties.first().copied().unwrap_or(counties[0])
        } else {
            counties[rng.random_range(0..counties.len())]
        };
        let industry = Industry::ALL[(i as usize) % Industry::ALL.len()];
        let city = region::city_of(county.code).unwrap_or(county);
        serial += rng.random_range(1..50);
        let credit_code = CreditCode::synthesize(county.code, serial)
            .map_err(|e| StoreError::invalid("credit_code", &e))?;
        let short = city.name.trim_end_matches('市').trim_end_matches("地区");
        let mut name = format!(
            "{short}{}{}",
            WORDS[rng.random_range(0..WORDS.len())],
            suffix(industry)
        );
        let mut n = 2;
        while !names.insert(name.clone()) {
            name = format!(
                "{short}{}第{n}{}",
                WORDS[rng.random_range(0..WORDS.len())],
                suffix(industry)
            );
            n += 1;
        }
        let id = ids.next(&mut rng);
        let model = enterprise::Model {
            id,
            credit_code: credit_code.as_str().to_owned(),
            name,
            industry: industry.code().to_owned(),
            region_code: county.code.to_owned(),
            city_code: city.code.to_owned(),
            legal_representative: random_name(&mut rng).as_str().to_owned(),
            created_at: at,
            updated_at: at,
        };
        tx.record(Change::of(
            "enterprise.create",
            LedgerKey::Enterprise(id),
            &model,
        ));
        enterprise_rows.push(enterprise::ActiveModel::from(model));
        enterprises.push(DemoEnterprise {
            id,
            industry,
            county,
        });
    }
    insert_chunks(&tx, enterprise_rows).await?;

    let mut institution_rows = Vec::new();
    let mut institution_ids = Vec::new();
    let mut institution_codes: ledgers::Institutions = Vec::new();
    for i in 0..spec.institutions() {
        let county = if i == 0 {
            harbin_counties.get(1).copied().unwrap_or(counties[0])
        } else {
            counties[rng.random_range(0..counties.len())]
        };
        let city = region::city_of(county.code).unwrap_or(county);
        serial += rng.random_range(1..50);
        let credit_code = CreditCode::synthesize(county.code, serial)
            .map_err(|e| StoreError::invalid("credit_code", &e))?;
        let short = city.name.trim_end_matches('市').trim_end_matches("地区");
        let id = ids.next(&mut rng);
        let model = institution::Model {
            id,
            credit_code: credit_code.as_str().to_owned(),
            name: format!(
                "{short}{}安全技术培训学校",
                WORDS[(i as usize) % WORDS.len()]
            ),
            region_code: county.code.to_owned(),
            city_code: city.code.to_owned(),
            created_at: at,
            hr_catalogue_since: Some(today),
        };
        tx.record(Change::of(
            "institution.create",
            LedgerKey::Institution(id),
            &model,
        ));
        institution_codes.push((model.name.clone(), model.credit_code.clone()));
        institution_rows.push(institution::ActiveModel::from(model));
        institution_ids.push(id);
    }
    insert_chunks(&tx, institution_rows).await?;
    training::register(&mut tx, &institution_ids, today, at, || ids.next(&mut rng)).await?;
    tx.commit().await?;

    // People, in batches of one transaction each.
    const BATCH: u64 = 5_000;
    let mut used_ids: HashSet<String> = HashSet::new();
    let mut employments_total = 0u64;
    let mut certificates_total = 0u64;
    let mut numbers: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    let mut worker_id = None;
    let earliest_birth = NaiveDate::from_ymd_opt(today.year() - 58, 1, 1).unwrap_or(today);
    let latest_birth = NaiveDate::from_ymd_opt(today.year() - 19, 12, 31).unwrap_or(today);
    let mut done = 0u64;
    let mut ledger_gen = ledgers::LedgerRng::new(spec.seed);
    let enterprise_ids: Vec<Uuid> = enterprises.iter().map(|e| e.id).collect();
    while done < spec.people {
        let batch = BATCH.min(spec.people - done);
        let mut tx = store.write(&actor, now).await?;
        tx.defer_verdicts();
        let at = tx.at();
        let mut persons = Vec::with_capacity(batch as usize);
        let mut identities = Vec::with_capacity(batch as usize);
        let mut jobs = Vec::with_capacity(batch as usize * 2);
        let mut certificates = Vec::new();
        let mut trainings = Vec::new();
        let mut assessments = Vec::new();
        let mut numbers_rows = Vec::new();
        let mut on_staff: Vec<ledgers::DemoStaff> = Vec::new();
        for n in 0..batch {
            let index = done + n;
            // The first person works at the first enterprise: the demo worker login.
            let home = if index == 0 {
                0
            } else {
                rng.random_range(0..enterprises.len())
            };
            let employer = &enterprises[home];
            let id_number = loop {
                let birth = days_between(&mut rng, earliest_birth, latest_birth);
                let sequence = rng.random_range(900..1000u16);
                let candidate = IdNumber::synthesize(employer.county.code, birth, sequence)
                    .map_err(|e| StoreError::invalid("id_number", &e))?;
                if used_ids.insert(candidate.as_str().to_owned()) {
                    break candidate;
                }
            };
            let name = random_name(&mut rng);
            let phone =
                Phone::parse(&format!("170{:08}", rng.random_range(0..100_000_000u32))).ok();
            let person_id = ids.next(&mut rng);
            if index == 0 {
                worker_id = Some(person_id);
            }
            // Most workers in these industries finished high school or more; some did not,
            // and a few have nothing recorded yet.
            let education = {
                use anpei_domain::rules::Education;
                let roll: f64 = rng.random();
                if roll < 0.12 {
                    Some(Education::BelowHighSchool)
                } else if roll < 0.45 {
                    Some(Education::HighSchool)
                } else if roll < 0.70 {
                    Some(Education::SecondaryVocational)
                } else if roll < 0.88 {
                    Some(Education::College)
                } else if roll < 0.97 {
                    Some(Education::BachelorOrAbove)
                } else {
                    None
                }
            };
            let model = person_model(person_id, &id_number, &name, phone.as_ref(), education, at);
            tx.record(Change::of(
                "person.create",
                LedgerKey::Person(person_id),
                &model,
            ));
            persons.push(person::ActiveModel::from(model));
            identities.push(person_identity::ActiveModel {
                id_number: sea_orm::Set(id_number.as_str().to_owned()),
                person_id: sea_orm::Set(person_id),
            });

            // History: the current job, maybe one or two earlier ones elsewhere, and now
            // and then a change of post inside the same enterprise.
            let adult = id_number.birth_date() + Duration::days(365 * 18 + 5);
            let current_start = days_between(
                &mut rng,
                adult.max(today - Duration::days(365 * 15)),
                today - Duration::days(10),
            );
            let roll: f64 = rng.random();
            let mut history: Vec<(usize, Period, bool)> = Vec::new();
            let mut cursor = current_start;
            let earlier = if roll < 0.10 {
                2
            } else if roll < 0.35 {
                1
            } else {
                0
            };
            for _ in 0..earlier {
                let end = cursor - Duration::days(rng.random_range(1..90));
                let start = end - Duration::days(rng.random_range(180..2_500));
                if start < adult {
                    break;
                }
                let other = rng.random_range(0..enterprises.len());
                if let Ok(period) = Period::new(start, Some(end)) {
                    history.push((other, period, false));
                }
                cursor = start;
            }
            let leaves = index != 0 && rng.random_bool(0.04);
            let promoted = !leaves && rng.random_bool(0.05);
            if promoted {
                let switch = days_between(&mut rng, current_start, today);
                if switch > current_start {
                    if let Ok(period) = Period::new(current_start, Some(switch - Duration::days(1)))
                    {
                        history.push((home, period, false));
                    }
                    if let Ok(period) = Period::new(switch, None) {
                        history.push((home, period, true));
                    }
                }
            } else {
                let end = leaves.then(|| days_between(&mut rng, current_start, today));
                if let Ok(period) = Period::new(current_start, end) {
                    history.push((home, period, true));
                }
            }
            for (position_index, (enterprise_index, period, latest)) in
                history.into_iter().enumerate()
            {
                let enterprise = &enterprises[enterprise_index];
                let roll: f64 = rng.random();
                let kind = if roll < 0.80 {
                    EmploymentKind::Regular
                } else if roll < 0.92 {
                    EmploymentKind::Dispatched
                } else {
                    EmploymentKind::Outsourced
                };
                let options = positions(enterprise.industry);
                let special_roll = rng.random_bool(0.30);
                let choice = options
                    .iter()
                    .filter(|(_, trade)| trade.is_some() == special_roll)
                    .nth(
                        rng.random_range(0..options.len())
                            % options
                                .iter()
                                .filter(|(_, t)| t.is_some() == special_roll)
                                .count()
                                .max(1),
                    )
                    .unwrap_or(&options[0]);
                let mut flags = PositionFlags {
                    team_leader: rng.random_bool(0.08),
                    special_ops_trade: choice.1.map(str::to_owned),
                    key_position: rng.random_bool(0.12),
                    ..PositionFlags::default()
                };
                let mut title = choice.0.to_owned();
                if latest && position_index > 0 && enterprise_index == home {
                    flags.team_leader = true;
                    title = format!("{title}班组长");
                }
                let special = rng.random_range(0..1000);
                if special < 8 {
                    flags = PositionFlags {
                        principal_leader: true,
                        ..PositionFlags::default()
                    };
                    title = "总经理".to_owned();
                } else if special < 30 {
                    flags = PositionFlags {
                        safety_manager: true,
                        ..PositionFlags::default()
                    };
                    title = "安全管理员".to_owned();
                }
                let hire = Hire {
                    id_number: id_number.clone(),
                    name: name.clone(),
                    phone: None,
                    education: None,
                    kind,
                    position: PositionTitle::parse(&title)
                        .map_err(|e| StoreError::invalid("position", &e))?,
                    flags,
                    period,
                };
                let job_id = ids.next(&mut rng);
                let model = employment_model(person_id, job_id, enterprise.id, &hire, at);
                tx.record(
                    Change::of(
                        "employment.start",
                        LedgerKey::Employment {
                            person_id,
                            id: job_id,
                        },
                        &model,
                    )
                    .with_enterprise(enterprise.id),
                );
                if latest && period.to().is_none() {
                    let wanted = if hire.flags.special_ops_trade.is_some() {
                        Some((
                            CertificateKind::SpecialOps,
                            hire.flags.special_ops_trade.clone(),
                            0.85,
                        ))
                    } else if hire.flags.principal_leader || hire.flags.safety_manager {
                        Some((CertificateKind::SafetyQualification, None, 0.90))
                    } else {
                        None
                    };
                    if let Some((kind, trade, _)) = wanted.filter(|w| rng.random_bool(w.2)) {
                        let city =
                            region::city_of(enterprise.county.code).unwrap_or(enterprise.county);
                        let row = demo_certificate(
                            &mut rng,
                            &mut ids,
                            &mut numbers,
                            person_id,
                            kind,
                            trade,
                            city,
                            adult,
                            today,
                            at,
                        );
                        tx.record(Change::of(
                            "certificate.issue",
                            LedgerKey::Certificate {
                                person_id,
                                id: row.id,
                            },
                            &row,
                        ));
                        numbers_rows.push(certificate_number::ActiveModel {
                            number: sea_orm::Set(row.number.clone()),
                            person_id: sea_orm::Set(person_id),
                            certificate_id: sea_orm::Set(row.id),
                            // From the OS, not the demo's seed: a known seed must not
                            // give away the QR codes of a demo left running.
                            verification_token: sea_orm::Set(
                                crate::ops::certificates::new_verification_token()?,
                            ),
                        });
                        certificates.push(certificate::ActiveModel::from(row));
                    }
                }
                if latest && period.to().is_none() {
                    let (trained, assessed) = demo_records(
                        &mut rng,
                        &mut ids,
                        person_id,
                        enterprise.id,
                        &hire,
                        current_start,
                        today,
                        at,
                    );
                    for row in trained {
                        tx.record(
                            Change::of(
                                "training.record",
                                LedgerKey::Training {
                                    person_id,
                                    id: row.id,
                                },
                                &row,
                            )
                            .with_enterprise(enterprise.id),
                        );
                        trainings.push(training_record::ActiveModel::from(row));
                    }
                    on_staff.push(ledgers::DemoStaff {
                        person_id,
                        enterprise: enterprise_index,
                        joined: current_start,
                        position: hire.position.as_str().to_owned(),
                        key_position: hire.flags.key_position,
                        failed_on: assessed.iter().find(|a| !a.passed).map(|a| a.assessed_on),
                    });
                    for row in assessed {
                        tx.record(
                            Change::of(
                                "assessment.record",
                                LedgerKey::Assessment {
                                    person_id,
                                    id: row.id,
                                },
                                &row,
                            )
                            .with_enterprise(enterprise.id),
                        );
                        assessments.push(assessment::ActiveModel::from(row));
                    }
                }
                jobs.push(employment::ActiveModel::from(model));
            }
        }
        certificates_total += certificates.len() as u64;
        employments_total += jobs.len() as u64;
        insert_chunks(&tx, persons).await?;
        insert_chunks(&tx, identities).await?;
        insert_chunks(&tx, jobs).await?;
        insert_chunks(&tx, certificates).await?;
        insert_chunks(&tx, numbers_rows).await?;
        insert_chunks(&tx, trainings).await?;
        insert_chunks(&tx, assessments).await?;
        ledgers::people(&mut tx, &mut ledger_gen, &on_staff, &enterprise_ids, today).await?;
        tx.commit().await?;
        done += batch;
        progress(done, spec.people);
    }

    let mut tx = store.write(&actor, now).await?;
    tx.defer_verdicts();
    ledgers::enterprises(
        &mut tx,
        &mut ledger_gen,
        &enterprise_ids,
        &institution_codes,
        today,
    )
    .await?;
    tx.commit().await?;
    bank::fill(store, &actor, now).await?;

    crate::dialect::analyze(store.connection()).await?;
    let first_enterprise = enterprises.first().map(|e| e.id).unwrap_or(Uuid::nil());
    let worker = worker_id.unwrap_or(Uuid::nil());
    let logins = demo_logins(
        store,
        first_enterprise,
        worker,
        institution_ids.first().copied(),
        now,
    )
    .await?;
    let head = crate::entity::ledger_head::Entity::find_by_id(1)
        .one(store.connection())
        .await?
        .map_or(0, |h| h.seq);
    Ok(DemoReport {
        enterprises: enterprises.len() as u64,
        institutions: institution_ids.len() as u64,
        people: spec.people,
        employments: employments_total,
        certificates: certificates_total,
        logins,
        ledger_head: head,
        enterprise_id: first_enterprise,
        worker_id: worker,
    })
}

/// A certificate for a demo person: mostly valid, some overdue for review, a few expired,
/// suspended or revoked, so that verification and the rules have every case to show.
#[allow(clippy::too_many_arguments)]
fn demo_certificate(
    rng: &mut StdRng,
    ids: &mut Ids,
    numbers: &mut std::collections::HashMap<String, u32>,
    person_id: Uuid,
    kind: CertificateKind,
    trade: Option<String>,
    city: &Region,
    adult: NaiveDate,
    today: NaiveDate,
    at: DateTime<Utc>,
) -> certificate::Model {
    let rules = crate::ops::certificates::rules_for(kind);
    // Most certificates are inside their six years (renewed on time); one in twenty has
    // lapsed, so that expiry shows up in verification and the rules.
    let years = if rng.random_bool(0.05) {
        7
    } else {
        i64::from(rules.validity_years)
    };
    let earliest = adult.max(today - Duration::days(365 * years));
    let issued_on = days_between(rng, earliest, today - Duration::days(30));
    let letter = if kind == CertificateKind::SpecialOps {
        'T'
    } else {
        'A'
    };
    let prefix = format!("{letter}{}-{}-", city.code, issued_on.year());
    let sequence = numbers.entry(prefix.clone()).or_insert(0);
    *sequence += 1;
    let mut last_reviewed_on = None;
    if rules.review_every_years > 0 {
        let due = anpei_domain::certificate::add_years(issued_on, rules.review_every_years);
        if due <= today + Duration::days(60) && rng.random_bool(0.8) {
            last_reviewed_on = Some(due - Duration::days(rng.random_range(0..60)));
        }
    }
    let roll: f64 = rng.random();
    let (suspended, revoked, reason) = if roll < 0.02 {
        (
            true,
            false,
            Some("执法检查抽考不合格，暂扣待复考".to_owned()),
        )
    } else if roll < 0.04 {
        (false, true, Some("以欺骗手段取得证书".to_owned()))
    } else {
        (false, false, None)
    };
    certificate::Model {
        person_id,
        id: ids.next(rng),
        number: format!("{prefix}{sequence:06}"),
        kind: kind.code().to_owned(),
        trade_code: trade,
        issuer: format!("{}应急管理局", city.name),
        issuer_region: city.code.to_owned(),
        issued_on,
        expires_on: expiry_for(issued_on, &rules),
        last_reviewed_on,
        suspended,
        revoked,
        status_reason: reason,
        created_at: at,
        updated_at: at,
    }
}

/// Training and assessments for someone's current post: mostly in order, some short of
/// hours, some never assessed, a few failed — the cases the compliance rules tell apart.
#[allow(clippy::too_many_arguments)]
fn demo_records(
    rng: &mut StdRng,
    ids: &mut Ids,
    person_id: Uuid,
    enterprise_id: Uuid,
    hire: &Hire,
    joined: NaiveDate,
    today: NaiveDate,
    at: DateTime<Utc>,
) -> (Vec<training_record::Model>, Vec<assessment::Model>) {
    use anpei_domain::rules::TrainingKind;
    let mut trainings = Vec::new();
    let mut training = |rng: &mut StdRng,
                        ids: &mut Ids,
                        kind: TrainingKind,
                        ended_on: NaiveDate,
                        hours: f64,
                        provider: &str| {
        trainings.push(training_record::Model {
            person_id,
            id: ids.next(rng),
            enterprise_id,
            kind: kind.code().to_owned(),
            ended_on: ended_on.min(today),
            hours,
            passed_exam: true,
            provider: provider.to_owned(),
            trade_code: None,
            created_at: at,
            updated_at: at,
        });
    };
    let provider = if rng.random_bool(0.5) {
        "企业自培"
    } else {
        "委托安全培训机构"
    };
    // New-hire training before taking the post: 72 hours or more for most.
    if rng.random_bool(0.9) {
        let hours = if rng.random_bool(0.9) {
            rng.random_range(72..=96)
        } else {
            rng.random_range(40..72)
        };
        let on = joined - Duration::days(rng.random_range(1..20));
        training(
            rng,
            ids,
            TrainingKind::NewHire,
            on,
            f64::from(hours),
            provider,
        );
    }
    // This year's retraining, for those past their first year.
    if (today - joined).num_days() > 365 && rng.random_bool(0.85) {
        let hours = if rng.random_bool(0.9) {
            rng.random_range(20..=40)
        } else {
            rng.random_range(8..20)
        };
        let on = today - Duration::days(rng.random_range(10..300));
        training(
            rng,
            ids,
            TrainingKind::Annual,
            on,
            f64::from(hours),
            provider,
        );
    }
    if hire.flags.team_leader && rng.random_bool(0.8) {
        let on = days_between(rng, joined.max(today - Duration::days(365 * 5)), today);
        let hours = f64::from(rng.random_range(24..=48));
        training(
            rng,
            ids,
            TrainingKind::SkillPromotion,
            on,
            hours,
            "委托安全培训机构",
        );
    }
    if hire.flags.principal_leader || hire.flags.safety_manager {
        let on = joined - Duration::days(rng.random_range(1..30));
        training(
            rng,
            ids,
            TrainingKind::LeaderInitial,
            on,
            48.0,
            "委托安全培训机构",
        );
        if rng.random_bool(0.85) {
            let on = today - Duration::days(rng.random_range(10..300));
            training(
                rng,
                ids,
                TrainingKind::LeaderAnnual,
                on,
                16.0,
                "委托安全培训机构",
            );
        }
    }
    // This year's assessment by position: most pass, a few fail, some are not yet done.
    let mut assessments = Vec::new();
    let roll: f64 = rng.random();
    if roll < 0.93 {
        let on = (today - Duration::days(rng.random_range(5..330))).max(joined);
        assessments.push(assessment::Model {
            person_id,
            id: ids.next(rng),
            enterprise_id,
            assessed_on: on,
            position: hire.position.as_str().to_owned(),
            passed: roll < 0.90,
            created_at: at,
            updated_at: at,
        });
    }
    (trainings, assessments)
}

async fn insert_chunks<A>(tx: &crate::WriteTx, rows: Vec<A>) -> Result<(), StoreError>
where
    A: sea_orm::ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: sea_orm::IntoActiveModel<A>,
{
    // At most 14 columns a row: 1,000 rows stay under both engines' parameter limits.
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(1_000).collect();
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec(tx.conn())
            .await?;
    }
    Ok(())
}

async fn demo_logins(
    store: &Store,
    enterprise_id: Uuid,
    worker_id: Uuid,
    institution_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Vec<DemoLogin>, StoreError> {
    let db = store.connection();
    let enterprise_row = enterprise::Entity::find_by_id(enterprise_id)
        .one(db)
        .await?;
    let enterprise_name = enterprise_row
        .as_ref()
        .map(|e| e.name.clone())
        .unwrap_or_default();
    // The county regulator of the demo enterprise's county, so that it sees that enterprise.
    let county = enterprise_row
        .as_ref()
        .and_then(|e| region::find(&e.region_code))
        .filter(|r| r.level == region::RegionLevel::County);
    let worker_name = person::Entity::find_by_id(worker_id)
        .one(db)
        .await?
        .map(|p| p.name)
        .unwrap_or_default();
    let institution_name = match institution_id {
        Some(id) => institution::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|i| i.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let mut specs: Vec<(&'static str, Role, String, AccountScope)> = vec![
        (
            "worker",
            Role::Worker,
            worker_name.clone(),
            AccountScope::Person(worker_id),
        ),
        (
            "enterprise",
            Role::Enterprise,
            format!("{enterprise_name} 安全管理员"),
            AccountScope::Enterprise(enterprise_id),
        ),
        (
            "harbin",
            Role::CityRegulator,
            "哈尔滨市应急管理局".to_owned(),
            AccountScope::Region("230100".to_owned()),
        ),
        (
            "qiqihar",
            Role::CityRegulator,
            "齐齐哈尔市应急管理局".to_owned(),
            AccountScope::Region("230200".to_owned()),
        ),
        (
            "province",
            Role::ProvinceRegulator,
            "黑龙江省应急管理厅".to_owned(),
            AccountScope::Region(region::PROVINCE_CODE.to_owned()),
        ),
        (
            "hr",
            Role::HrBureau,
            "黑龙江省人力资源和社会保障厅".to_owned(),
            AccountScope::Region(region::PROVINCE_CODE.to_owned()),
        ),
    ];
    if let Some(county) = county {
        specs.push((
            "county",
            Role::CountyRegulator,
            format!("{}应急管理局", county.name),
            AccountScope::Region(county.code.to_owned()),
        ));
    }
    if let Some(id) = institution_id {
        specs.push((
            "institution",
            Role::Institution,
            institution_name,
            AccountScope::Institution(id),
        ));
    }
    let mut logins = Vec::new();
    // One hash for the one published password (each argon2 hash takes ~50 ms).
    let hash = accounts::hash_password(DEMO_PASSWORD.to_owned()).await?;
    let mut tx = store.write(&Actor::system("演示数据生成器"), now).await?;
    for (username, role, display_name, scope) in specs {
        let account = accounts::insert(
            tx.conn(),
            username.to_owned(),
            hash.clone(),
            role,
            display_name.clone(),
            scope,
            tx.at(),
            // Demo logins: no second factor unless one enrols (see `needs_second_factor`).
            |mut row| {
                row.demo = true;
                row
            },
        )
        .await?;
        tx.record(accounts::change("account.create", &account));
        logins.push(DemoLogin {
            username,
            role,
            description: display_name,
        });
    }
    tx.commit().await?;
    Ok(logins)
}

/// True when the database has no enterprises yet (first start).
pub async fn is_empty(store: &Store) -> Result<bool, StoreError> {
    use sea_orm::PaginatorTrait;
    Ok(enterprise::Entity::find().count(store.connection()).await? == 0)
}

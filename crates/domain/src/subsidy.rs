//! The safety-skills subsidy (安全技能提升补贴, SPEC C10): the amount an application may
//! claim and the checks the city regulator runs on each of its rows before approving it.
//!
//! Sources **[seed]** §三.12: a special-operations worker of a high-risk enterprise who
//! obtains the 特种作业操作证 through safety-skills training is subsidised 1000 yuan
//! (《黑龙江省支持职业技能提升行动资金使用管理暂行办法》 Art. 11 item 2); the full videos of
//! the theory (online hours excepted) and practical training are made and kept by the
//! training institution for no less than the validity of the certificate obtained; the
//! regulator checks the truth of the certificates and of the application before the HR
//! bureau pays. The form (附件, 审核表) has the enterprise pledge that the people have an
//! employment relation with it. SPEC C9 and the seed §三.4: an institution without practical
//! facilities for a trade may not train it.
//!
//! Every check is a pure function of the row's facts; the store gathers the facts (the
//! certificate named on the row, the person's employments with the applying enterprise,
//! every other application row for the same certificate in the province, the class's
//! videos, the institution's approvals) and keeps the results beside the row.

use chrono::NaiveDate;

use crate::bilingual::Bilingual;
use crate::certificate::{Certificate, CertificateKind};
use crate::employment::Period;

/// The subsidy's numbers, as data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubsidyRules {
    /// Shown with every review, so a decision can be traced to the numbers used.
    pub version: &'static str,
    /// Yuan per person who obtained a special-operations certificate of the trade through
    /// the training **[seed §三.12]**.
    pub yuan_per_person: u64,
}

/// The rules in force.
pub const SUBSIDY_RULES: SubsidyRules = SubsidyRules {
    version: "hlj-2021-1",
    yuan_per_person: 1000,
};

impl SubsidyRules {
    /// The amount applied for: one subsidy per row (a row is one person and one
    /// certificate).
    pub fn amount_yuan(&self, rows: usize) -> u64 {
        self.yuan_per_person.saturating_mul(rows as u64)
    }
}

/// Where a training video was recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VideoPart {
    Theory,
    Practical,
}

impl VideoPart {
    pub const ALL: [VideoPart; 2] = [VideoPart::Theory, VideoPart::Practical];

    /// Stable code for storage and the API.
    pub fn code(self) -> &'static str {
        match self {
            VideoPart::Theory => "theory",
            VideoPart::Practical => "practical",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|part| part.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            VideoPart::Theory => "理论",
            VideoPart::Practical => "实操",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            VideoPart::Theory => "theory",
            VideoPart::Practical => "practical",
        }
    }
}

/// A reference to a training video kept by the institution (not the video itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VideoEvidence {
    pub part: VideoPart,
    /// The last day the institution keeps it.
    pub retained_until: NaiveDate,
}

/// Where another application row for the same certificate stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimState {
    /// Filed, confirmed or under review: not yet decided.
    Pending,
    Approved,
    Paid,
}

impl ClaimState {
    fn name_zh(self) -> &'static str {
        match self {
            ClaimState::Pending => "审核中",
            ClaimState::Approved => "已审核通过",
            ClaimState::Paid => "已拨付",
        }
    }

    fn name_en(self) -> &'static str {
        match self {
            ClaimState::Pending => "under review",
            ClaimState::Approved => "approved",
            ClaimState::Paid => "paid",
        }
    }
}

/// Another application's row for the same certificate, anywhere in the province. Rows that
/// were rejected are not claims and are left out by the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OtherClaim {
    /// The other application's number, as the regulator sees it.
    pub application: String,
    /// The enterprise that filed it.
    pub enterprise: String,
    pub state: ClaimState,
}

/// What the review of one row needs to know.
#[derive(Clone, Debug, PartialEq)]
pub struct RowFacts {
    /// The trade code applied for on the row (工种, e.g. "1.2").
    pub trade: String,
    /// The application's training dates (培训起止时间).
    pub training: Period,
    /// The certificate named on the row, if the register has it.
    pub certificate: Option<Certificate>,
    /// The person's employments with the applying enterprise (any kind: dispatched workers
    /// count like employees).
    pub employments: Vec<Period>,
    /// Other rows claiming the same certificate, in this or another application.
    pub other_claims: Vec<OtherClaim>,
    /// The class's videos for this trainee.
    pub videos: Vec<VideoEvidence>,
    /// Whether the institution is approved for the trade and has practical facilities for it.
    pub institution_approved: bool,
    /// Whether the institution confirmed that the person completed all theory and practical
    /// courses of the syllabus with it.
    pub institution_confirmed: bool,
}

/// One automatic check of a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Check {
    /// A special-operations certificate of the trade applied for is on the register.
    CertificateOfTrade,
    /// It was issued after the training started.
    IssuedAfterTraining,
    /// It holds good today (not revoked, suspended or expired).
    CertificateInForce,
    /// The person was employed by the enterprise during the training.
    EmployedDuringTraining,
    /// No other claim on the certificate, in any application in the province.
    NotClaimedElsewhere,
    /// Theory and practical videos are on record and kept at least as long as the
    /// certificate holds good.
    VideosRetained,
    /// The institution is approved for the trade, with practical facilities.
    InstitutionApproved,
    /// The institution confirmed the person's courses.
    InstitutionConfirmed,
}

impl Check {
    pub const ALL: [Check; 8] = [
        Check::CertificateOfTrade,
        Check::IssuedAfterTraining,
        Check::CertificateInForce,
        Check::EmployedDuringTraining,
        Check::NotClaimedElsewhere,
        Check::VideosRetained,
        Check::InstitutionApproved,
        Check::InstitutionConfirmed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Check::CertificateOfTrade => "certificate_of_trade",
            Check::IssuedAfterTraining => "issued_after_training",
            Check::CertificateInForce => "certificate_in_force",
            Check::EmployedDuringTraining => "employed_during_training",
            Check::NotClaimedElsewhere => "not_claimed_elsewhere",
            Check::VideosRetained => "videos_retained",
            Check::InstitutionApproved => "institution_approved",
            Check::InstitutionConfirmed => "institution_confirmed",
        }
    }

    pub fn parse(code: &str) -> Option<Check> {
        Check::ALL.into_iter().find(|check| check.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Check::CertificateOfTrade => "持有该工种特种作业操作证",
            Check::IssuedAfterTraining => "证书在培训开始后取得",
            Check::CertificateInForce => "证书现行有效",
            Check::EmployedDuringTraining => "培训期间与本企业存在劳动（用工）关系",
            Check::NotClaimedElsewhere => "该证书未在全省范围内申请过补贴",
            Check::VideosRetained => "理论和实操培训全程视频已留存",
            Check::InstitutionApproved => "培训机构具备该工种培训资质和实操条件",
            Check::InstitutionConfirmed => "培训机构确认已完成全部理论和实操课程",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Check::CertificateOfTrade => "Holds a special-operations certificate of the trade",
            Check::IssuedAfterTraining => "Certificate obtained after the training began",
            Check::CertificateInForce => "Certificate in force",
            Check::EmployedDuringTraining => "Employed by the enterprise during the training",
            Check::NotClaimedElsewhere => "Certificate not claimed anywhere else in the province",
            Check::VideosRetained => "Theory and practical training videos kept",
            Check::InstitutionApproved => {
                "Institution approved for the trade, with practical facilities"
            }
            Check::InstitutionConfirmed => "Institution confirmed all courses",
        }
    }
}

/// The outcome of one check, with its reason in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckResult {
    pub check: Check,
    pub passed: bool,
    zh: String,
    en: String,
}

impl Bilingual for CheckResult {
    fn zh(&self) -> String {
        self.zh.clone()
    }

    fn en(&self) -> String {
        self.en.clone()
    }
}

fn result(check: Check, passed: bool, zh: String, en: String) -> CheckResult {
    CheckResult {
        check,
        passed,
        zh,
        en,
    }
}

/// Runs every check of [`Check::ALL`] on one row, in that order, on `today`. A row may be
/// approved only when all pass ([`all_passed`]); the reviewer still decides.
pub fn review_row(facts: &RowFacts, today: NaiveDate) -> Vec<CheckResult> {
    let trade = facts.trade.as_str();
    let certificate = facts.certificate.as_ref().filter(|certificate| {
        certificate.kind == CertificateKind::SpecialOps
            && certificate.trade.as_deref() == Some(trade)
    });
    let training_from = facts.training.from();
    let mut results = Vec::with_capacity(Check::ALL.len());

    results.push(match (&facts.certificate, certificate) {
        (_, Some(_)) => result(
            Check::CertificateOfTrade,
            true,
            format!("持有 {trade} 工种特种作业操作证"),
            format!("Holds a special-operations certificate of trade {trade}"),
        ),
        (Some(other), None) => result(
            Check::CertificateOfTrade,
            false,
            format!(
                "所列证书为{}（工种 {}），不是 {trade} 工种特种作业操作证",
                other.kind.name_zh(),
                other.trade.as_deref().unwrap_or("无")
            ),
            format!(
                "The certificate named is a {} (trade {}), not a special-operations certificate of trade {trade}",
                other.kind.name_en(),
                other.trade.as_deref().unwrap_or("none")
            ),
        ),
        (None, None) => result(
            Check::CertificateOfTrade,
            false,
            "证书库中没有所列证书".to_owned(),
            "The certificate named is not on the register".to_owned(),
        ),
    });

    results.push(match certificate {
        Some(c) if c.issued_on >= training_from => result(
            Check::IssuedAfterTraining,
            true,
            format!("证书于 {} 取得，培训自 {training_from} 开始", c.issued_on),
            format!(
                "Issued on {}; the training began on {training_from}",
                c.issued_on
            ),
        ),
        Some(c) => result(
            Check::IssuedAfterTraining,
            false,
            format!(
                "证书于 {} 取得，早于培训开始日期 {training_from}，不是通过本次培训取得",
                c.issued_on
            ),
            format!(
                "Issued on {}, before the training began on {training_from}: not obtained through this training",
                c.issued_on
            ),
        ),
        None => no_certificate(Check::IssuedAfterTraining),
    });

    results.push(match certificate {
        Some(c) if c.revoked => result(
            Check::CertificateInForce,
            false,
            "证书已撤销".to_owned(),
            "The certificate is revoked".to_owned(),
        ),
        Some(c) if c.suspended => result(
            Check::CertificateInForce,
            false,
            "证书已暂扣".to_owned(),
            "The certificate is suspended".to_owned(),
        ),
        Some(c) if today > c.expires_on => result(
            Check::CertificateInForce,
            false,
            format!("证书已于 {} 过期", c.expires_on),
            format!("The certificate expired on {}", c.expires_on),
        ),
        Some(c) => result(
            Check::CertificateInForce,
            true,
            format!("证书有效期至 {}", c.expires_on),
            format!("The certificate holds good through {}", c.expires_on),
        ),
        None => no_certificate(Check::CertificateInForce),
    });

    let employed = facts
        .employments
        .iter()
        .find(|period| period.overlaps(&facts.training));
    let training_text = period_text(&facts.training);
    results.push(match employed {
        Some(period) => result(
            Check::EmployedDuringTraining,
            true,
            format!(
                "在本企业任职 {}，与培训期间 {training_text} 重叠",
                period_text(period)
            ),
            format!(
                "With the enterprise {}, which overlaps the training {training_text}",
                period_text(period)
            ),
        ),
        None => result(
            Check::EmployedDuringTraining,
            false,
            format!("培训期间 {training_text} 与本企业没有劳动（用工）关系记录"),
            format!("No employment with the enterprise during the training {training_text}"),
        ),
    });

    results.push(match facts.other_claims.first() {
        None => result(
            Check::NotClaimedElsewhere,
            true,
            "全省范围内没有该证书的其他补贴申请".to_owned(),
            "No other claim on this certificate in the province".to_owned(),
        ),
        Some(claim) => result(
            Check::NotClaimedElsewhere,
            false,
            format!(
                "该证书已在 {} 提交的申请 {} 中申请补贴（{}）{}",
                claim.enterprise,
                claim.application,
                claim.state.name_zh(),
                match facts.other_claims.len() {
                    1 => String::new(),
                    n => format!("，另有 {} 条", n - 1),
                }
            ),
            format!(
                "The certificate is already claimed in application {} by {} ({}){}",
                claim.application,
                claim.enterprise,
                claim.state.name_en(),
                match facts.other_claims.len() {
                    1 => String::new(),
                    n => format!(", and {} more", n - 1),
                }
            ),
        ),
    });

    results.push(videos_check(facts, certificate));

    results.push(if facts.institution_approved {
        result(
            Check::InstitutionApproved,
            true,
            format!("培训机构具备 {trade} 工种培训资质和实操条件"),
            format!("The institution is approved for trade {trade}, with practical facilities"),
        )
    } else {
        result(
            Check::InstitutionApproved,
            false,
            format!("培训机构不具备 {trade} 工种培训资质或实操条件，不得承担该工种培训"),
            format!(
                "The institution is not approved for trade {trade} or lacks its practical facilities"
            ),
        )
    });

    results.push(if facts.institution_confirmed {
        result(
            Check::InstitutionConfirmed,
            true,
            "培训机构已确认完成全部理论和实操课程".to_owned(),
            "The institution confirmed all theory and practical courses".to_owned(),
        )
    } else {
        result(
            Check::InstitutionConfirmed,
            false,
            "培训机构尚未确认该人员完成全部理论和实操课程".to_owned(),
            "The institution has not confirmed the courses".to_owned(),
        )
    });
    results
}

/// Whether every check passed.
pub fn all_passed(results: &[CheckResult]) -> bool {
    results.iter().all(|result| result.passed)
}

fn no_certificate(check: Check) -> CheckResult {
    result(
        check,
        false,
        "没有该工种的特种作业操作证，无法核对".to_owned(),
        "No special-operations certificate of the trade to check".to_owned(),
    )
}

fn period_text(period: &Period) -> String {
    match period.to() {
        Some(to) => format!("{}–{to}", period.from()),
        None => format!("{}–", period.from()),
    }
}

/// Both parts must be on record and kept through the certificate's last day of validity.
fn videos_check(facts: &RowFacts, certificate: Option<&Certificate>) -> CheckResult {
    let missing: Vec<VideoPart> = [VideoPart::Theory, VideoPart::Practical]
        .into_iter()
        .filter(|part| !facts.videos.iter().any(|video| video.part == *part))
        .collect();
    if !missing.is_empty() {
        let zh: Vec<&str> = missing.iter().map(|part| part.name_zh()).collect();
        let en: Vec<&str> = missing.iter().map(|part| part.name_en()).collect();
        return result(
            Check::VideosRetained,
            false,
            format!("缺少{}培训全程视频", zh.join("、")),
            format!(
                "No full video of the {} training on record",
                en.join(" and ")
            ),
        );
    }
    let Some(certificate) = certificate else {
        return no_certificate(Check::VideosRetained);
    };
    let short = facts
        .videos
        .iter()
        .filter(|video| video.retained_until < certificate.expires_on)
        .min_by_key(|video| video.retained_until);
    match short {
        Some(video) => result(
            Check::VideosRetained,
            false,
            format!(
                "{}培训视频只保存到 {}，短于证书有效期（至 {}）",
                video.part.name_zh(),
                video.retained_until,
                certificate.expires_on
            ),
            format!(
                "The {} video is kept only until {}, before the certificate's validity ends on {}",
                video.part.name_en(),
                video.retained_until,
                certificate.expires_on
            ),
        ),
        None => result(
            Check::VideosRetained,
            true,
            format!(
                "理论和实操培训视频已留存，保存期不短于证书有效期（至 {}）",
                certificate.expires_on
            ),
            format!(
                "Theory and practical videos kept through the certificate's validity ({})",
                certificate.expires_on
            ),
        ),
    }
}

/// Why an application cannot be filed, before its rows are reviewed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApplicationError {
    /// The written pledge (书面承诺) was not accepted by a named person.
    #[error("The written pledge must be accepted by a named responsible person")]
    PledgeNotAccepted,
    #[error("The training ends on {to}, before it starts on {from}")]
    TrainingDatesOutOfOrder { from: NaiveDate, to: NaiveDate },
    #[error("The application has no people")]
    NoRows,
    /// The same certificate on two rows of one application.
    #[error("Certificate {number} appears on rows {} and {}", rows.0, rows.1)]
    DuplicateCertificate {
        number: String,
        rows: (usize, usize),
    },
}

impl Bilingual for ApplicationError {
    fn zh(&self) -> String {
        match self {
            Self::PledgeNotAccepted => "申请企业书面承诺须由负责人确认并署名".to_owned(),
            Self::TrainingDatesOutOfOrder { from, to } => {
                format!("培训结束日期 {to} 早于开始日期 {from}")
            }
            Self::NoRows => "申请表中没有人员".to_owned(),
            Self::DuplicateCertificate { number, rows } => {
                format!("证书 {number} 在第 {} 行和第 {} 行重复出现", rows.0, rows.1)
            }
        }
    }

    fn en(&self) -> String {
        self.to_string()
    }
}

/// Checks what an application must have before it is filed: the pledge accepted by a named
/// person, training dates in order, at least one row, and no certificate twice. Rows are
/// numbered from 1 (序号), in the order given.
pub fn check_application(
    pledge_accepted_by: Option<&str>,
    training_from: NaiveDate,
    training_to: NaiveDate,
    certificate_numbers: &[&str],
) -> Result<Period, ApplicationError> {
    if pledge_accepted_by.is_none_or(|name| name.trim().is_empty()) {
        return Err(ApplicationError::PledgeNotAccepted);
    }
    let training = Period::new(training_from, Some(training_to)).map_err(|_| {
        ApplicationError::TrainingDatesOutOfOrder {
            from: training_from,
            to: training_to,
        }
    })?;
    if certificate_numbers.is_empty() {
        return Err(ApplicationError::NoRows);
    }
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (index, number) in certificate_numbers.iter().enumerate() {
        let row = index + 1;
        if let Some(first) = seen.insert(number.trim(), row) {
            return Err(ApplicationError::DuplicateCertificate {
                number: number.trim().to_owned(),
                rows: (first, row),
            });
        }
    }
    Ok(training)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certificate::NATIONAL_SPECIAL_OPS;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    fn period(from: NaiveDate, to: Option<NaiveDate>) -> Period {
        Period::new(from, to).expect("test period in order")
    }

    /// A clean row: welder (1.2) trained 2026-03-01..03-20, certified 04-10, employed since
    /// 2020, videos kept through the certificate's expiry, institution approved and confirmed.
    fn clean() -> RowFacts {
        let certificate = Certificate::issue(
            CertificateKind::SpecialOps,
            Some("1.2".to_owned()),
            date(2026, 4, 10),
            &NATIONAL_SPECIAL_OPS,
        );
        let until = certificate.expires_on;
        RowFacts {
            trade: "1.2".to_owned(),
            training: period(date(2026, 3, 1), Some(date(2026, 3, 20))),
            certificate: Some(certificate),
            employments: vec![period(date(2020, 1, 1), None)],
            other_claims: Vec::new(),
            videos: vec![
                VideoEvidence {
                    part: VideoPart::Theory,
                    retained_until: until,
                },
                VideoEvidence {
                    part: VideoPart::Practical,
                    retained_until: until,
                },
            ],
            institution_approved: true,
            institution_confirmed: true,
        }
    }

    fn failed(facts: &RowFacts, today: NaiveDate) -> Vec<Check> {
        review_row(facts, today)
            .into_iter()
            .filter(|result| !result.passed)
            .map(|result| result.check)
            .collect()
    }

    #[test]
    fn a_clean_row_passes_every_check_in_order() {
        let results = review_row(&clean(), date(2026, 11, 30));
        let checks: Vec<Check> = results.iter().map(|r| r.check).collect();
        assert_eq!(checks, Check::ALL);
        assert!(all_passed(&results), "{results:?}");
    }

    #[test]
    fn each_fraud_case_fails_its_own_check_with_a_reason() {
        let today = date(2026, 11, 30);
        type Case = (&'static str, fn(&mut RowFacts), Vec<Check>, &'static str);
        let cases: Vec<Case> = vec![
            (
                "certificate issued before the training",
                |f| {
                    if let Some(c) = f.certificate.as_mut() {
                        c.issued_on = date(2026, 2, 28);
                    }
                },
                vec![Check::IssuedAfterTraining],
                "早于培训开始日期 2026-03-01",
            ),
            (
                "issued on the training's first day is after it began",
                |f| {
                    if let Some(c) = f.certificate.as_mut() {
                        c.issued_on = date(2026, 3, 1);
                    }
                },
                vec![],
                "",
            ),
            (
                "not employed during the training (left the day before it began)",
                |f| f.employments = vec![period(date(2020, 1, 1), Some(date(2026, 2, 28)))],
                vec![Check::EmployedDuringTraining],
                "没有劳动（用工）关系记录",
            ),
            (
                "hired on the training's last day counts",
                |f| f.employments = vec![period(date(2026, 3, 20), None)],
                vec![],
                "",
            ),
            (
                "claimed before via a second enterprise",
                |f| {
                    f.other_claims = vec![OtherClaim {
                        application: "BT-2026-000017".to_owned(),
                        enterprise: "哈尔滨瑞丰化工有限公司".to_owned(),
                        state: ClaimState::Paid,
                    }]
                },
                vec![Check::NotClaimedElsewhere],
                "BT-2026-000017",
            ),
            (
                "no practical video",
                |f| f.videos.retain(|v| v.part == VideoPart::Theory),
                vec![Check::VideosRetained],
                "缺少实操培训全程视频",
            ),
            (
                "a video kept one day short of the certificate's expiry",
                |f| {
                    let expires = f.certificate.as_ref().map(|c| c.expires_on);
                    if let (Some(v), Some(expires)) = (f.videos.get_mut(1), expires) {
                        v.retained_until = expires.pred_opt().unwrap_or(expires);
                    }
                },
                vec![Check::VideosRetained],
                "短于证书有效期",
            ),
            (
                "institution not approved for the trade",
                |f| f.institution_approved = false,
                vec![Check::InstitutionApproved],
                "不得承担该工种培训",
            ),
            (
                "institution has not confirmed",
                |f| f.institution_confirmed = false,
                vec![Check::InstitutionConfirmed],
                "尚未确认",
            ),
            (
                "certificate of another trade",
                |f| {
                    if let Some(c) = f.certificate.as_mut() {
                        c.trade = Some("1.1".to_owned());
                    }
                },
                vec![
                    Check::CertificateOfTrade,
                    Check::IssuedAfterTraining,
                    Check::CertificateInForce,
                    Check::VideosRetained,
                ],
                "工种 1.1",
            ),
            (
                "no certificate on the register",
                |f| f.certificate = None,
                vec![
                    Check::CertificateOfTrade,
                    Check::IssuedAfterTraining,
                    Check::CertificateInForce,
                    Check::VideosRetained,
                ],
                "证书库中没有所列证书",
            ),
            (
                "revoked certificate",
                |f| {
                    if let Some(c) = f.certificate.as_mut() {
                        c.revoked = true;
                    }
                },
                vec![Check::CertificateInForce],
                "证书已撤销",
            ),
        ];
        for (name, change, expected, reason) in cases {
            let mut facts = clean();
            change(&mut facts);
            assert_eq!(failed(&facts, today), expected, "{name}");
            if !reason.is_empty() {
                let results = review_row(&facts, today);
                assert!(
                    results.iter().any(|r| !r.passed && r.zh().contains(reason)),
                    "{name}: no failed check says {reason:?}: {results:?}"
                );
                assert!(!all_passed(&results), "{name}");
            }
        }
    }

    #[test]
    fn a_certificate_expiring_today_is_in_force_and_tomorrow_it_is_not() {
        let facts = clean();
        let expires = facts
            .certificate
            .as_ref()
            .map(|c| c.expires_on)
            .unwrap_or_default();
        assert!(failed(&facts, expires).is_empty());
        let next = expires.succ_opt().unwrap_or(expires);
        assert_eq!(failed(&facts, next), [Check::CertificateInForce]);
    }

    #[test]
    fn a_pending_claim_elsewhere_blocks_too_and_names_how_many_more() {
        let mut facts = clean();
        facts.other_claims = ["A-1", "A-2", "A-3"]
            .into_iter()
            .map(|application| OtherClaim {
                application: application.to_owned(),
                enterprise: "E".to_owned(),
                state: ClaimState::Pending,
            })
            .collect();
        let results = review_row(&facts, date(2026, 11, 30));
        let claim = results
            .iter()
            .find(|r| r.check == Check::NotClaimedElsewhere);
        assert_eq!(claim.map(|r| r.passed), Some(false));
        assert_eq!(
            claim.map(|r| r.en()).as_deref(),
            Some(
                "The certificate is already claimed in application A-1 by E (under review), and 2 more"
            )
        );
    }

    #[test]
    fn the_amount_is_a_thousand_yuan_a_row() {
        assert_eq!(SUBSIDY_RULES.amount_yuan(0), 0);
        assert_eq!(SUBSIDY_RULES.amount_yuan(1), 1000);
        assert_eq!(SUBSIDY_RULES.amount_yuan(37), 37_000);
    }

    #[test]
    fn an_application_needs_a_pledge_dates_in_order_rows_and_no_certificate_twice() {
        let (from, to) = (date(2026, 3, 1), date(2026, 3, 20));
        assert!(check_application(Some("张伟"), from, to, &["T1", "T2"]).is_ok());
        assert!(check_application(Some("张伟"), from, from, &["T1"]).is_ok());
        assert_eq!(
            check_application(None, from, to, &["T1"]),
            Err(ApplicationError::PledgeNotAccepted)
        );
        assert_eq!(
            check_application(Some("  "), from, to, &["T1"]),
            Err(ApplicationError::PledgeNotAccepted)
        );
        assert_eq!(
            check_application(Some("张伟"), to, from, &["T1"]),
            Err(ApplicationError::TrainingDatesOutOfOrder { from: to, to: from })
        );
        assert_eq!(
            check_application(Some("张伟"), from, to, &[]),
            Err(ApplicationError::NoRows)
        );
        let duplicate = check_application(Some("张伟"), from, to, &["T1", "T2", "T1 "]);
        assert_eq!(
            duplicate,
            Err(ApplicationError::DuplicateCertificate {
                number: "T1".to_owned(),
                rows: (1, 3)
            })
        );
        assert_eq!(
            duplicate.map_err(|e| e.zh()),
            Err("证书 T1 在第 1 行和第 3 行重复出现".to_owned())
        );
    }

    #[test]
    fn check_codes_round_trip() {
        for check in Check::ALL {
            assert_eq!(Check::parse(check.code()), Some(check));
            assert!(!check.name_zh().is_empty() && !check.name_en().is_empty());
        }
        assert_eq!(Check::parse("nope"), None);
    }
}

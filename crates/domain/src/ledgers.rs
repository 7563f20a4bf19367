//! The vocabulary of the enterprise ledgers of SPEC C4 beyond staff, training and
//! assessments: why someone is off post (离岗), what kind of change a new process is (四新),
//! how an enterprise trains (培训能力), vocational skill levels (职业技能等级), and the checks
//! a training-plan item must pass. Each code is stable for storage and URLs; names are
//! bilingual.

use crate::Bilingual;

/// Why someone is away from their post (离岗原因).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum OffPostReason {
    /// 休假.
    Leave,
    /// 病假.
    Sick,
    /// 借调.
    Secondment,
    /// 脱产培训.
    FullTimeTraining,
    /// 考核不合格: opened by a failed yearly assessment, closed by a later pass (seed §三.1).
    FailedAssessment,
    /// 其他.
    Other,
}

impl OffPostReason {
    pub const ALL: [OffPostReason; 6] = [
        OffPostReason::Leave,
        OffPostReason::Sick,
        OffPostReason::Secondment,
        OffPostReason::FullTimeTraining,
        OffPostReason::FailedAssessment,
        OffPostReason::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Leave => "leave",
            Self::Sick => "sick",
            Self::Secondment => "secondment",
            Self::FullTimeTraining => "training",
            Self::FailedAssessment => "failed_assessment",
            Self::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|reason| reason.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Leave => "休假",
            Self::Sick => "病假",
            Self::Secondment => "借调",
            Self::FullTimeTraining => "脱产培训",
            Self::FailedAssessment => "考核不合格",
            Self::Other => "其他",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::Leave => "Leave",
            Self::Sick => "Sick leave",
            Self::Secondment => "Secondment",
            Self::FullTimeTraining => "Full-time training",
            Self::FailedAssessment => "Failed assessment",
            Self::Other => "Other",
        }
    }
}

/// 新工艺、新技术、新设备、新材料 (seed §三.2).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ProcessChangeKind {
    Process,
    Technology,
    Equipment,
    Material,
}

impl ProcessChangeKind {
    pub const ALL: [ProcessChangeKind; 4] = [
        ProcessChangeKind::Process,
        ProcessChangeKind::Technology,
        ProcessChangeKind::Equipment,
        ProcessChangeKind::Material,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Process => "process",
            Self::Technology => "technology",
            Self::Equipment => "equipment",
            Self::Material => "material",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Process => "新工艺",
            Self::Technology => "新技术",
            Self::Equipment => "新设备",
            Self::Material => "新材料",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::Process => "New process",
            Self::Technology => "New technology",
            Self::Equipment => "New equipment",
            Self::Material => "New material",
        }
    }
}

/// How an enterprise trains its people (培训能力, SPEC C4).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum TrainingMode {
    /// 自主培训: its own trainers and facilities.
    SelfTraining,
    /// 委托培训: a named training institution.
    Delegated,
}

impl TrainingMode {
    pub const ALL: [TrainingMode; 2] = [TrainingMode::SelfTraining, TrainingMode::Delegated];

    pub fn code(self) -> &'static str {
        match self {
            Self::SelfTraining => "self",
            Self::Delegated => "delegated",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|mode| mode.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::SelfTraining => "自主培训",
            Self::Delegated => "委托培训",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::SelfTraining => "Self-training",
            Self::Delegated => "Delegated",
        }
    }
}

/// The five levels of vocational skill (国家职业技能标准), lowest first, so that `<`
/// means "below".
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum SkillLevel {
    /// 五级/初级工.
    Junior,
    /// 四级/中级工.
    Intermediate,
    /// 三级/高级工.
    Senior,
    /// 二级/技师.
    Technician,
    /// 一级/高级技师.
    SeniorTechnician,
}

impl SkillLevel {
    pub const ALL: [SkillLevel; 5] = [
        SkillLevel::Junior,
        SkillLevel::Intermediate,
        SkillLevel::Senior,
        SkillLevel::Technician,
        SkillLevel::SeniorTechnician,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Junior => "junior",
            Self::Intermediate => "intermediate",
            Self::Senior => "senior",
            Self::Technician => "technician",
            Self::SeniorTechnician => "senior_technician",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|level| level.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Junior => "五级/初级工",
            Self::Intermediate => "四级/中级工",
            Self::Senior => "三级/高级工",
            Self::Technician => "二级/技师",
            Self::SeniorTechnician => "一级/高级技师",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::Junior => "Level 5 (junior)",
            Self::Intermediate => "Level 4 (intermediate)",
            Self::Senior => "Level 3 (senior)",
            Self::Technician => "Level 2 (technician)",
            Self::SeniorTechnician => "Level 1 (senior technician)",
        }
    }
}

/// Why an item of a yearly training plan was rejected; the field at fault is [`PlanItemError::field`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanItemError {
    #[error("the year must be between {min} and {max}")]
    Year { min: i32, max: i32 },
    #[error("the month must be between 1 and 12")]
    Month,
    #[error("planned hours must be above 0 and at most {max}")]
    Hours { max: f64 },
    #[error("the planned headcount must be between 1 and {max}")]
    Headcount { max: u32 },
    #[error("the topic must have 1 to {max} characters")]
    Topic { max: usize },
    #[error("the audience must have 1 to {max} characters")]
    Audience { max: usize },
}

impl PlanItemError {
    /// The request field this error is about.
    pub fn field(&self) -> &'static str {
        match self {
            Self::Year { .. } => "year",
            Self::Month => "planned_month",
            Self::Hours { .. } => "planned_hours",
            Self::Headcount { .. } => "planned_headcount",
            Self::Topic { .. } => "topic",
            Self::Audience { .. } => "audience",
        }
    }
}

impl Bilingual for PlanItemError {
    fn zh(&self) -> String {
        match self {
            Self::Year { min, max } => format!("计划年度应在 {min} 至 {max} 年之间"),
            Self::Month => "计划月份应为 1 至 12".to_owned(),
            Self::Hours { max } => format!("计划学时应大于 0 且不超过 {max}"),
            Self::Headcount { max } => format!("计划人数应为 1 至 {max} 人"),
            Self::Topic { max } => format!("培训内容应为 1 至 {max} 个字符"),
            Self::Audience { max } => format!("培训对象应为 1 至 {max} 个字符"),
        }
    }

    fn en(&self) -> String {
        self.to_string()
    }
}

/// One item of an enterprise's yearly training plan (年度培训计划), checked.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanItem {
    pub year: i32,
    pub topic: String,
    pub audience: String,
    pub planned_hours: f64,
    pub planned_month: u32,
    pub planned_headcount: u32,
}

impl PlanItem {
    pub const MAX_HOURS: f64 = 2_000.0;
    pub const MAX_HEADCOUNT: u32 = 100_000;
    pub const MAX_TEXT: usize = 100;

    /// Checks an item for a plan made in `this_year`: plans cover at most the next year and
    /// go back to 2020, the seed's first year. Texts are trimmed; hours keep one decimal.
    pub fn parse(
        this_year: i32,
        year: i32,
        topic: &str,
        audience: &str,
        planned_hours: f64,
        planned_month: u32,
        planned_headcount: u32,
    ) -> Result<Self, PlanItemError> {
        let (min, max) = (2020, this_year + 1);
        if !(min..=max).contains(&year) {
            return Err(PlanItemError::Year { min, max });
        }
        let topic = topic.split_whitespace().collect::<Vec<_>>().join(" ");
        if topic.is_empty() || topic.chars().count() > Self::MAX_TEXT {
            return Err(PlanItemError::Topic {
                max: Self::MAX_TEXT,
            });
        }
        let audience = audience.split_whitespace().collect::<Vec<_>>().join(" ");
        if audience.is_empty() || audience.chars().count() > Self::MAX_TEXT {
            return Err(PlanItemError::Audience {
                max: Self::MAX_TEXT,
            });
        }
        if !(planned_hours.is_finite() && planned_hours > 0.0 && planned_hours <= Self::MAX_HOURS) {
            return Err(PlanItemError::Hours {
                max: Self::MAX_HOURS,
            });
        }
        if !(1..=12).contains(&planned_month) {
            return Err(PlanItemError::Month);
        }
        if !(1..=Self::MAX_HEADCOUNT).contains(&planned_headcount) {
            return Err(PlanItemError::Headcount {
                max: Self::MAX_HEADCOUNT,
            });
        }
        Ok(PlanItem {
            year,
            topic,
            audience,
            planned_hours: (planned_hours * 10.0).round() / 10.0,
            planned_month,
            planned_headcount,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for reason in OffPostReason::ALL {
            assert_eq!(OffPostReason::parse(reason.code()), Some(reason));
        }
        for kind in ProcessChangeKind::ALL {
            assert_eq!(ProcessChangeKind::parse(kind.code()), Some(kind));
        }
        for mode in TrainingMode::ALL {
            assert_eq!(TrainingMode::parse(mode.code()), Some(mode));
        }
        for level in SkillLevel::ALL {
            assert_eq!(SkillLevel::parse(level.code()), Some(level));
        }
        assert_eq!(OffPostReason::parse("holiday"), None);
        assert!(SkillLevel::Junior < SkillLevel::SeniorTechnician);
        assert_eq!(OffPostReason::FailedAssessment.name_zh(), "考核不合格");
    }

    #[test]
    fn plan_items_are_checked_field_by_field() {
        // (year, topic, audience, hours, month, headcount, the field refused or None)
        type Case<'a> = (i32, &'a str, &'a str, f64, u32, u32, Option<&'a str>);
        let cases: [Case; 12] = [
            (2026, "全员安全再培训", "全体员工", 20.0, 3, 120, None),
            (2027, "全员安全再培训", "全体员工", 20.0, 3, 120, None),
            (
                2028,
                "全员安全再培训",
                "全体员工",
                20.0,
                3,
                120,
                Some("year"),
            ),
            (
                2019,
                "全员安全再培训",
                "全体员工",
                20.0,
                3,
                120,
                Some("year"),
            ),
            (2026, "  ", "全体员工", 20.0, 3, 120, Some("topic")),
            (2026, "全员安全再培训", "", 20.0, 3, 120, Some("audience")),
            (
                2026,
                "全员安全再培训",
                "全体员工",
                0.0,
                3,
                120,
                Some("planned_hours"),
            ),
            (
                2026,
                "全员安全再培训",
                "全体员工",
                f64::NAN,
                3,
                120,
                Some("planned_hours"),
            ),
            (
                2026,
                "全员安全再培训",
                "全体员工",
                2_000.1,
                3,
                120,
                Some("planned_hours"),
            ),
            (
                2026,
                "全员安全再培训",
                "全体员工",
                20.0,
                0,
                120,
                Some("planned_month"),
            ),
            (
                2026,
                "全员安全再培训",
                "全体员工",
                20.0,
                13,
                120,
                Some("planned_month"),
            ),
            (
                2026,
                "全员安全再培训",
                "全体员工",
                20.0,
                3,
                0,
                Some("planned_headcount"),
            ),
        ];
        for (year, topic, audience, hours, month, headcount, refused) in cases {
            let result = PlanItem::parse(2026, year, topic, audience, hours, month, headcount);
            assert_eq!(
                result.as_ref().err().map(PlanItemError::field),
                refused,
                "{year} {topic:?} {audience:?} {hours} {month} {headcount}: {result:?}"
            );
        }
        let long = "安".repeat(101);
        let error = PlanItem::parse(2026, 2026, &long, "全体员工", 8.0, 1, 1).unwrap_err();
        assert_eq!(error.zh(), "培训内容应为 1 至 100 个字符");
        let item = PlanItem::parse(2026, 2026, " 新  工艺 培训 ", "操作工", 7.25, 5, 30).unwrap();
        assert_eq!(item.topic, "新 工艺 培训");
        assert!((item.planned_hours - 7.3).abs() < 1e-9);
    }
}

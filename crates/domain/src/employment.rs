//! Employment history (从业信息): the kind of employment, the position with its flags, and the
//! period someone held it (SPEC C1).
//!
//! Why these live together: an employment record is person × enterprise × position × period
//! × kind, and the rules about who must be trained (new hires, 三项岗位人员, dispatched and
//! outsourced people counted like employees, seed §三.1) read exactly these values.

use chrono::NaiveDate;

use crate::bilingual::Bilingual;

/// How a person works for an enterprise. Dispatched and outsourced people are trained and
/// counted like employees (seed §三.1), so the kind is recorded, never used to exclude.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum EmploymentKind {
    Regular,
    /// 被派遣劳动者: employed by a labour-dispatch agency, working at the enterprise.
    Dispatched,
    /// 外包施工人员: a contractor's worker on the enterprise's site.
    Outsourced,
}

impl EmploymentKind {
    pub const ALL: [EmploymentKind; 3] = [
        EmploymentKind::Regular,
        EmploymentKind::Dispatched,
        EmploymentKind::Outsourced,
    ];

    /// Stable code for storage and URLs.
    pub fn code(self) -> &'static str {
        match self {
            Self::Regular => "regular",
            Self::Dispatched => "dispatched",
            Self::Outsourced => "outsourced",
        }
    }

    /// Inverse of [`EmploymentKind::code`].
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Regular => "正式职工",
            Self::Dispatched => "被派遣劳动者",
            Self::Outsourced => "外包施工人员",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::Regular => "Regular employee",
            Self::Dispatched => "Dispatched worker",
            Self::Outsourced => "Outsourced contractor",
        }
    }
}

/// What a position involves; several flags can hold at once (a team leader who is also a
/// licensed welder).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct PositionFlags {
    /// 班组长.
    pub team_leader: bool,
    /// 特种作业: the trade (e.g. "焊接与热切割作业") when the position is a special operation.
    pub special_ops_trade: Option<String>,
    /// 重点岗位.
    pub key_position: bool,
    /// 主要负责人.
    pub principal_leader: bool,
    /// 安全生产管理人员.
    pub safety_manager: bool,
}

impl PositionFlags {
    /// Whether the position is a special operation. A blank trade counts as none: the trade is
    /// what decides which certificate is required, so a special operation without one cannot
    /// be checked and is treated as not declared.
    pub fn is_special_ops(&self) -> bool {
        self.special_ops_trade
            .as_deref()
            .is_some_and(|trade| !trade.trim().is_empty())
    }

    /// 三项岗位人员: principal leaders, safety managers and special-operations workers, who
    /// must hold certificates before taking the post.
    pub fn is_three_posts(&self) -> bool {
        self.principal_leader || self.safety_manager || self.is_special_ops()
    }

    /// Chinese labels of the flags that hold, in a fixed order.
    pub fn labels_zh(&self) -> Vec<&'static str> {
        self.labels().map(|(zh, _)| zh).collect()
    }

    /// English labels of the flags that hold, in the order of [`PositionFlags::labels_zh`].
    pub fn labels_en(&self) -> Vec<&'static str> {
        self.labels().map(|(_, en)| en).collect()
    }

    fn labels(&self) -> impl Iterator<Item = (&'static str, &'static str)> {
        [
            (self.team_leader, "班组长", "Team leader"),
            (self.is_special_ops(), "特种作业", "Special operations"),
            (self.key_position, "重点岗位", "Key position"),
            (self.principal_leader, "主要负责人", "Principal leader"),
            (self.safety_manager, "安全生产管理人员", "Safety manager"),
        ]
        .into_iter()
        .filter(|(holds, _, _)| *holds)
        .map(|(_, zh, en)| (zh, en))
    }
}

/// Longest accepted position title, in characters.
const MAX_TITLE_CHARS: usize = 60;

/// A position's title as the enterprise names it (e.g. "主控室操作工"): trimmed, inner
/// whitespace collapsed to single spaces, control characters removed, 1 to 60 characters.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PositionTitle(String);

/// Why a position title was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PositionTitleError {
    #[error("position title is empty")]
    Empty,
    #[error("position title is too long: {0} characters, at most 60 allowed")]
    TooLong(usize),
}

impl Bilingual for PositionTitleError {
    fn zh(&self) -> String {
        match self {
            Self::Empty => "岗位名称不能为空".to_owned(),
            Self::TooLong(n) => format!("岗位名称过长：最多60个字符，实际为{n}个"),
        }
    }

    fn en(&self) -> String {
        self.to_string()
    }
}

impl PositionTitle {
    /// Parses a title. Control characters are dropped rather than rejected: they come from
    /// spreadsheet cells (line breaks, tabs) and carry no meaning in a title.
    pub fn parse(s: &str) -> Result<Self, PositionTitleError> {
        let mut normalised = String::with_capacity(s.len());
        for word in s.split_whitespace() {
            if !normalised.is_empty() {
                normalised.push(' ');
            }
            normalised.extend(word.chars().filter(|c| !c.is_control()));
        }
        let length = normalised.chars().count();
        if length == 0 {
            return Err(PositionTitleError::Empty);
        }
        if length > MAX_TITLE_CHARS {
            return Err(PositionTitleError::TooLong(length));
        }
        Ok(Self(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The days someone held a position: from `from` to `to`, both inclusive; `to` is `None`
/// while they still hold it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Period {
    from: NaiveDate,
    to: Option<NaiveDate>,
}

/// Why a period was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("end date {to} is before start date {from}")]
    EndBeforeStart { from: NaiveDate, to: NaiveDate },
}

impl Bilingual for PeriodError {
    fn zh(&self) -> String {
        match self {
            Self::EndBeforeStart { from, to } => {
                format!("离职日期早于入职日期（入职 {from}，离职 {to}）")
            }
        }
    }

    fn en(&self) -> String {
        self.to_string()
    }
}

impl Period {
    /// A period; leaving on the day one starts is allowed (a one-day placement).
    pub fn new(from: NaiveDate, to: Option<NaiveDate>) -> Result<Self, PeriodError> {
        match to {
            Some(to) if to < from => Err(PeriodError::EndBeforeStart { from, to }),
            _ => Ok(Self { from, to }),
        }
    }

    pub fn from(&self) -> NaiveDate {
        self.from
    }

    pub fn to(&self) -> Option<NaiveDate> {
        self.to
    }

    /// Whether `today` falls within the period.
    pub fn is_current(&self, today: NaiveDate) -> bool {
        self.from <= today && self.to.is_none_or(|to| to >= today)
    }

    /// Whether the two periods share at least one day.
    pub fn overlaps(&self, other: &Period) -> bool {
        let self_to = self.to.unwrap_or(NaiveDate::MAX);
        let other_to = other.to.unwrap_or(NaiveDate::MAX);
        self.from <= other_to && other.from <= self_to
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    #[test]
    fn employment_kinds_round_trip() {
        let cases = [
            ("regular", "正式职工"),
            ("dispatched", "被派遣劳动者"),
            ("outsourced", "外包施工人员"),
        ];
        for (code, zh) in cases {
            let kind = EmploymentKind::parse(code).expect("known code");
            assert_eq!(kind.code(), code);
            assert_eq!(kind.name_zh(), zh);
        }
        assert_eq!(EmploymentKind::parse("temp"), None);
        assert_eq!(EmploymentKind::ALL.len(), 3);
    }

    #[test]
    fn three_posts_are_principal_leaders_safety_managers_and_special_ops() {
        let welder = Some("焊接与热切割作业".to_owned());
        let cases = [
            (PositionFlags::default(), false, false),
            (
                PositionFlags {
                    team_leader: true,
                    ..Default::default()
                },
                false,
                false,
            ),
            (
                PositionFlags {
                    key_position: true,
                    ..Default::default()
                },
                false,
                false,
            ),
            (
                PositionFlags {
                    principal_leader: true,
                    ..Default::default()
                },
                false,
                true,
            ),
            (
                PositionFlags {
                    safety_manager: true,
                    ..Default::default()
                },
                false,
                true,
            ),
            (
                PositionFlags {
                    special_ops_trade: welder.clone(),
                    ..Default::default()
                },
                true,
                true,
            ),
            (
                PositionFlags {
                    special_ops_trade: Some("  ".to_owned()),
                    ..Default::default()
                },
                false,
                false,
            ),
        ];
        for (flags, special_ops, three_posts) in cases {
            assert_eq!(flags.is_special_ops(), special_ops, "{flags:?}");
            assert_eq!(flags.is_three_posts(), three_posts, "{flags:?}");
        }
    }

    #[test]
    fn labels_list_the_flags_that_hold_in_order() {
        let all = PositionFlags {
            team_leader: true,
            special_ops_trade: Some("电工作业".to_owned()),
            key_position: true,
            principal_leader: true,
            safety_manager: true,
        };
        assert_eq!(
            all.labels_zh(),
            [
                "班组长",
                "特种作业",
                "重点岗位",
                "主要负责人",
                "安全生产管理人员"
            ]
        );
        assert_eq!(all.labels_en().len(), 5);
        let some = PositionFlags {
            key_position: true,
            safety_manager: true,
            ..Default::default()
        };
        assert_eq!(some.labels_zh(), ["重点岗位", "安全生产管理人员"]);
        assert_eq!(some.labels_en(), ["Key position", "Safety manager"]);
        assert!(PositionFlags::default().labels_zh().is_empty());
    }

    #[test]
    fn position_titles_are_normalised() {
        let cases: &[(&str, Result<&str, PositionTitleError>)] = &[
            ("主控室操作工", Ok("主控室操作工")),
            ("  主控室\n操作工 ", Ok("主控室 操作工")),
            ("Shift\u{7}Lead", Ok("ShiftLead")),
            ("", Err(PositionTitleError::Empty)),
            (" \t\n", Err(PositionTitleError::Empty)),
        ];
        for (input, expected) in cases {
            let got = PositionTitle::parse(input);
            assert_eq!(
                got.as_ref().map(PositionTitle::as_str),
                expected.as_ref().map(|s| *s),
                "input {input:?}"
            );
        }
        assert!(PositionTitle::parse(&"岗".repeat(60)).is_ok());
        assert_eq!(
            PositionTitle::parse(&"岗".repeat(61)),
            Err(PositionTitleError::TooLong(61))
        );
    }

    #[test]
    fn period_end_must_not_precede_start() {
        let from = date(2024, 3, 1);
        assert!(Period::new(from, None).is_ok());
        assert!(Period::new(from, Some(from)).is_ok());
        let error = Period::new(from, Some(date(2024, 2, 29))).expect_err("end before start");
        assert_eq!(
            error,
            PeriodError::EndBeforeStart {
                from,
                to: date(2024, 2, 29)
            }
        );
        assert_eq!(
            error.zh(),
            "离职日期早于入职日期（入职 2024-03-01，离职 2024-02-29）"
        );
        assert_eq!(
            error.en(),
            "end date 2024-02-29 is before start date 2024-03-01"
        );
    }

    #[test]
    fn is_current_includes_both_ends() {
        let closed = Period::new(date(2024, 1, 1), Some(date(2024, 6, 30))).expect("valid");
        let open = Period::new(date(2024, 1, 1), None).expect("valid");
        let cases = [
            (closed, date(2023, 12, 31), false),
            (closed, date(2024, 1, 1), true),
            (closed, date(2024, 6, 30), true),
            (closed, date(2024, 7, 1), false),
            (open, date(2023, 12, 31), false),
            (open, date(2024, 1, 1), true),
            (open, date(2099, 1, 1), true),
        ];
        for (period, today, expected) in cases {
            assert_eq!(period.is_current(today), expected, "{period:?} on {today}");
        }
    }

    #[test]
    fn overlaps_when_sharing_a_day() {
        let period = |from: NaiveDate, to: Option<NaiveDate>| Period::new(from, to).expect("valid");
        let h1 = period(date(2024, 1, 1), Some(date(2024, 6, 30)));
        let cases = [
            (period(date(2024, 6, 30), Some(date(2024, 12, 31))), true),
            (period(date(2024, 7, 1), Some(date(2024, 12, 31))), false),
            (period(date(2023, 1, 1), Some(date(2023, 12, 31))), false),
            (period(date(2023, 1, 1), Some(date(2024, 1, 1))), true),
            (period(date(2024, 2, 1), Some(date(2024, 2, 2))), true),
            (period(date(2020, 1, 1), None), true),
            (period(date(2024, 7, 1), None), false),
        ];
        for (other, expected) in cases {
            assert_eq!(h1.overlaps(&other), expected, "{other:?}");
            assert_eq!(other.overlaps(&h1), expected, "{other:?} reversed");
        }
        let open_a = period(date(2020, 1, 1), None);
        let open_b = period(date(2030, 1, 1), None);
        assert!(open_a.overlaps(&open_b));
    }
}

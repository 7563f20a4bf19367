//! Training classes and the people who teach and examine them (SPEC C9): how attendance is
//! taken and the roles of an institution's staff.
//!
//! Sources **[seed]** §三.4: institutions train to the unified syllabus, with practical
//! facilities for each trade they teach, and keep the full videos of theory and practical
//! training; §三.5: trainers and examiners are selected, assessed yearly and leave when they
//! no longer qualify (选拔、考核和退出).

/// How a trainee's presence at a session was taken (考勤方式).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AttendanceMethod {
    /// Face recognition at the classroom terminal (人脸识别).
    Face,
    Fingerprint,
    /// Reading the resident ID card (刷身份证).
    IdCard,
    /// A signature on the paper sheet (签到表).
    Signature,
}

impl AttendanceMethod {
    pub const ALL: [AttendanceMethod; 4] = [
        AttendanceMethod::Face,
        AttendanceMethod::Fingerprint,
        AttendanceMethod::IdCard,
        AttendanceMethod::Signature,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AttendanceMethod::Face => "face",
            AttendanceMethod::Fingerprint => "fingerprint",
            AttendanceMethod::IdCard => "id_card",
            AttendanceMethod::Signature => "signature",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|method| method.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            AttendanceMethod::Face => "人脸识别",
            AttendanceMethod::Fingerprint => "指纹",
            AttendanceMethod::IdCard => "刷身份证",
            AttendanceMethod::Signature => "签字",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            AttendanceMethod::Face => "face recognition",
            AttendanceMethod::Fingerprint => "fingerprint",
            AttendanceMethod::IdCard => "ID card",
            AttendanceMethod::Signature => "signature",
        }
    }
}

/// What an institution's staff member does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrainerRole {
    /// 培训教师.
    Trainer,
    /// 考评员: scores practical exams.
    Examiner,
}

impl TrainerRole {
    pub const ALL: [TrainerRole; 2] = [TrainerRole::Trainer, TrainerRole::Examiner];

    pub fn code(self) -> &'static str {
        match self {
            TrainerRole::Trainer => "trainer",
            TrainerRole::Examiner => "examiner",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            TrainerRole::Trainer => "培训教师",
            TrainerRole::Examiner => "考评员",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            TrainerRole::Trainer => "Trainer",
            TrainerRole::Examiner => "Examiner",
        }
    }
}

/// Whether a trainer may teach on `day`: selected by then, not exited, and not failed at
/// the last yearly assessment (a fail takes them off classes until a pass, seed §三.5).
pub fn may_teach(
    selected_on: chrono::NaiveDate,
    exited_on: Option<chrono::NaiveDate>,
    last_assessment_passed: Option<bool>,
    day: chrono::NaiveDate,
) -> bool {
    selected_on <= day
        && exited_on.is_none_or(|exited| day < exited)
        && last_assessment_passed != Some(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn codes_round_trip() {
        for method in AttendanceMethod::ALL {
            assert_eq!(AttendanceMethod::parse(method.code()), Some(method));
        }
        for role in TrainerRole::ALL {
            assert_eq!(TrainerRole::parse(role.code()), Some(role));
        }
        assert_eq!(AttendanceMethod::parse("telepathy"), None);
    }

    #[test]
    fn a_trainer_teaches_from_selection_until_exit_unless_failed() {
        let selected = day(2024, 3, 1);
        let cases = [
            (None, None, day(2024, 2, 29), false, "before selection"),
            (None, None, day(2024, 3, 1), true, "on the day of selection"),
            (
                Some(day(2025, 1, 1)),
                None,
                day(2024, 12, 31),
                true,
                "the day before exit",
            ),
            (
                Some(day(2025, 1, 1)),
                None,
                day(2025, 1, 1),
                false,
                "on the day of exit",
            ),
            (
                None,
                Some(false),
                day(2024, 6, 1),
                false,
                "failed the last assessment",
            ),
            (
                None,
                Some(true),
                day(2024, 6, 1),
                true,
                "passed the last assessment",
            ),
        ];
        for (exited, passed, on, expected, case) in cases {
            assert_eq!(may_teach(selected, exited, passed, on), expected, "{case}");
        }
    }
}

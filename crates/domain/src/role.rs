//! The roles people act in on the platform (SPEC §1).
//!
//! Why a closed enum: every permission check matches on it, so adding a role must make the
//! compiler point at every place that decides what the role may see. Trainers, examiners and
//! proctors act on behalf of a training institution and so hold the `Institution` role; the
//! public uses unauthenticated pages and has no role.

/// A role a signed-in user acts in.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Role {
    Worker,
    /// An enterprise's safety manager, keeping its rosters and ledgers.
    Enterprise,
    /// A training institution or vocational school, including its trainers and examiners.
    Institution,
    CityRegulator,
    /// A county (district, county-level city) emergency management bureau: regulates the
    /// enterprises registered in its county; classes, exams and certificates stay with the
    /// city and the province.
    CountyRegulator,
    ProvinceRegulator,
    /// Human resources and social security bureau: receives subsidy lists and pays.
    HrBureau,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Worker,
        Role::Enterprise,
        Role::Institution,
        Role::CityRegulator,
        Role::CountyRegulator,
        Role::ProvinceRegulator,
        Role::HrBureau,
    ];

    /// Stable code for storage, sessions and URLs.
    pub fn code(self) -> &'static str {
        match self {
            Self::Worker => "worker",
            Self::Enterprise => "enterprise",
            Self::Institution => "institution",
            Self::CityRegulator => "city_regulator",
            Self::CountyRegulator => "county_regulator",
            Self::ProvinceRegulator => "province_regulator",
            Self::HrBureau => "hr_bureau",
        }
    }

    /// Inverse of [`Role::code`].
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Worker => "从业人员",
            Self::Enterprise => "企业安全管理人员",
            Self::Institution => "安全培训机构",
            Self::CityRegulator => "市（地）应急管理局",
            Self::CountyRegulator => "县（市、区）应急管理局",
            Self::ProvinceRegulator => "省应急管理厅",
            Self::HrBureau => "人力资源和社会保障局",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::Worker => "Worker",
            Self::Enterprise => "Enterprise safety manager",
            Self::Institution => "Training institution",
            Self::CityRegulator => "City emergency management bureau",
            Self::CountyRegulator => "County emergency management bureau",
            Self::ProvinceRegulator => "Provincial emergency management department",
            Self::HrBureau => "Human resources and social security bureau",
        }
    }

    /// Whether pages show this role full ID numbers rather than masked ones. No role does
    /// today: every task works with the masked form plus the name, and PIPL asks for the
    /// minimum. Kept as one policy point so that granting it later is a one-line, reviewed
    /// change instead of a condition scattered through templates.
    pub fn sees_full_identity(self) -> bool {
        match self {
            Self::Worker
            | Self::Enterprise
            | Self::Institution
            | Self::CityRegulator
            | Self::CountyRegulator
            | Self::ProvinceRegulator
            | Self::HrBureau => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.code()), Some(role));
        }
        assert_eq!(Role::parse("admin"), None);
        assert_eq!(Role::parse("Worker"), None);
    }

    #[test]
    fn names_are_the_official_ones() {
        let cases = [
            (Role::Worker, "从业人员"),
            (Role::Enterprise, "企业安全管理人员"),
            (Role::Institution, "安全培训机构"),
            (Role::CityRegulator, "市（地）应急管理局"),
            (Role::CountyRegulator, "县（市、区）应急管理局"),
            (Role::ProvinceRegulator, "省应急管理厅"),
            (Role::HrBureau, "人力资源和社会保障局"),
        ];
        for (role, name) in cases {
            assert_eq!(role.name_zh(), name);
            assert!(!role.name_en().is_empty());
        }
    }

    #[test]
    fn no_role_sees_full_identity() {
        assert!(Role::ALL.iter().all(|role| !role.sees_full_identity()));
    }
}

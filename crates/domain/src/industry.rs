//! The high-risk industries (高危行业) that the provincial plan covers (SPEC, introduction).
//!
//! Why a closed enum: rules, quotas and subsidy lists differ by industry, and the plan names
//! exactly these six; adding one is a policy change that should touch code and tests.

/// A high-risk industry covered by the platform.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum Industry {
    HazardousChemicals,
    CoalMine,
    /// Includes metal and non-metal underground mines.
    NonCoalMine,
    MetalSmelting,
    Fireworks,
    OilGas,
}

impl Industry {
    pub const ALL: [Industry; 6] = [
        Industry::HazardousChemicals,
        Industry::CoalMine,
        Industry::NonCoalMine,
        Industry::MetalSmelting,
        Industry::Fireworks,
        Industry::OilGas,
    ];

    /// Stable code for storage and URLs.
    pub fn code(self) -> &'static str {
        match self {
            Self::HazardousChemicals => "hazchem",
            Self::CoalMine => "coal",
            Self::NonCoalMine => "noncoal",
            Self::MetalSmelting => "smelting",
            Self::Fireworks => "fireworks",
            Self::OilGas => "oilgas",
        }
    }

    /// Inverse of [`Industry::code`].
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|industry| industry.code() == code)
    }

    /// The name used in the provincial plan.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::HazardousChemicals => "化工危险化学品",
            Self::CoalMine => "煤矿",
            Self::NonCoalMine => "非煤矿山",
            Self::MetalSmelting => "金属冶炼",
            Self::Fireworks => "烟花爆竹",
            Self::OilGas => "石油天然气开采",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::HazardousChemicals => "Hazardous chemicals",
            Self::CoalMine => "Coal mines",
            Self::NonCoalMine => "Non-coal mines",
            Self::MetalSmelting => "Metal smelting",
            Self::Fireworks => "Fireworks and firecrackers",
            Self::OilGas => "Oil and gas extraction",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        for industry in Industry::ALL {
            assert_eq!(Industry::parse(industry.code()), Some(industry));
        }
        let mut codes: Vec<&str> = Industry::ALL.iter().map(|i| i.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Industry::ALL.len());
    }

    #[test]
    fn names_and_unknown_codes() {
        let cases = [
            ("hazchem", Some("化工危险化学品")),
            ("coal", Some("煤矿")),
            ("noncoal", Some("非煤矿山")),
            ("smelting", Some("金属冶炼")),
            ("fireworks", Some("烟花爆竹")),
            ("oilgas", Some("石油天然气开采")),
            ("Coal", None),
            ("", None),
        ];
        for (code, expected) in cases {
            assert_eq!(
                Industry::parse(code).map(Industry::name_zh),
                expected,
                "{code}"
            );
        }
    }
}

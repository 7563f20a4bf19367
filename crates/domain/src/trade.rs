//! The national special-operations catalogue (特种作业目录): 11 categories and their trades,
//! from the annex of 《特种作业人员安全技术培训考核管理规定》 (国家安全监管总局令第30号,
//! 2010), as amended by Orders No. 63 (2013) and No. 80 (2015) **[national]** (SPEC C3).
//!
//! Why reference data in code: a special-operations post is declared by its trade code
//! ("1.2"), and that code decides which certificate the worker must hold (rule 5) and whether
//! the seed's education rule applies; it must mean the same in every deployment and test. The
//! catalogue changes only by a new national order, which is a reviewed code change here. The
//! list follows the annex as published; each entry names the annex item it comes from so it
//! can be checked against the official text.

/// A category of the catalogue (e.g. "1" 电工作业).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct TradeCategory {
    /// The annex item number, "1" to "11".
    pub code: &'static str,
    /// The name in the annex.
    pub name: &'static str,
    pub name_en: &'static str,
}

/// A trade (工种) of the catalogue (e.g. "1.2" 低压电工作业).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Trade {
    /// The annex item number, "<category>.<n>".
    pub code: &'static str,
    /// Code of the [`TradeCategory`].
    pub category: &'static str,
    /// The name in the annex.
    pub name: &'static str,
    pub name_en: &'static str,
    /// Where the entry comes from, e.g. "总局令第30号 附件 1.2".
    pub source: &'static str,
}

const CATEGORIES: [TradeCategory; 11] = [
    category("1", "电工作业", "Electrical work"),
    category("2", "焊接与热切割作业", "Welding and thermal cutting"),
    category("3", "高处作业", "Work at height"),
    category(
        "4",
        "制冷与空调作业",
        "Refrigeration and air-conditioning work",
    ),
    category("5", "煤矿安全作业", "Coal mine safety work"),
    category(
        "6",
        "金属非金属矿山安全作业",
        "Metal and non-metal mine safety work",
    ),
    category("7", "石油天然气安全作业", "Oil and gas safety work"),
    category(
        "8",
        "冶金（有色）生产安全作业",
        "Metallurgical (non-ferrous) production safety work",
    ),
    category("9", "危险化学品安全作业", "Hazardous chemicals safety work"),
    category(
        "10",
        "烟花爆竹安全作业",
        "Fireworks and firecrackers safety work",
    ),
    category(
        "11",
        "安全监管总局认定的其他作业",
        "Other work designated by the State Administration of Work Safety",
    ),
];

const fn category(code: &'static str, name: &'static str, name_en: &'static str) -> TradeCategory {
    TradeCategory {
        code,
        name,
        name_en,
    }
}

/// One catalogue entry; the source is derived from the code so the two cannot disagree.
macro_rules! trade {
    ($code:literal, $category:literal, $name:literal, $name_en:literal) => {
        Trade {
            code: $code,
            category: $category,
            name: $name,
            name_en: $name_en,
            source: concat!("总局令第30号 附件 ", $code),
        }
    };
}

/// In annex order. Category 11 has no trades of its own: the national authority designates
/// them case by case.
const TRADES: [Trade; 51] = [
    trade!("1.1", "1", "高压电工作业", "High-voltage electrical work"),
    trade!("1.2", "1", "低压电工作业", "Low-voltage electrical work"),
    trade!(
        "1.3",
        "1",
        "防爆电气作业",
        "Explosion-proof electrical work"
    ),
    trade!(
        "2.1",
        "2",
        "熔化焊接与热切割作业",
        "Fusion welding and thermal cutting"
    ),
    trade!("2.2", "2", "压力焊作业", "Pressure welding"),
    trade!("2.3", "2", "钎焊作业", "Brazing and soldering"),
    trade!(
        "3.1",
        "3",
        "登高架设作业",
        "Scaffolding and erection at height"
    ),
    trade!(
        "3.2",
        "3",
        "高处安装、维护、拆除作业",
        "Installation, maintenance and dismantling at height"
    ),
    trade!(
        "4.1",
        "4",
        "制冷与空调设备运行操作作业",
        "Operation of refrigeration and air-conditioning equipment"
    ),
    trade!(
        "4.2",
        "4",
        "制冷与空调设备安装修理作业",
        "Installation and repair of refrigeration and air-conditioning equipment"
    ),
    trade!(
        "5.1",
        "5",
        "煤矿井下电气作业",
        "Coal mine underground electrical work"
    ),
    trade!(
        "5.2",
        "5",
        "煤矿井下爆破作业",
        "Coal mine underground blasting"
    ),
    trade!(
        "5.3",
        "5",
        "煤矿安全监测监控作业",
        "Coal mine safety monitoring and control"
    ),
    trade!("5.4", "5", "煤矿瓦斯检查作业", "Coal mine gas inspection"),
    trade!(
        "5.5",
        "5",
        "煤矿安全检查作业",
        "Coal mine safety inspection"
    ),
    trade!(
        "5.6",
        "5",
        "煤矿提升机操作作业",
        "Coal mine hoist operation"
    ),
    trade!(
        "5.7",
        "5",
        "煤矿采煤机（掘进机）操作作业",
        "Coal mine shearer (roadheader) operation"
    ),
    trade!("5.8", "5", "煤矿瓦斯抽采作业", "Coal mine gas drainage"),
    trade!("5.9", "5", "煤矿防突作业", "Coal mine outburst prevention"),
    trade!(
        "5.10",
        "5",
        "煤矿探放水作业",
        "Coal mine water exploration and drainage"
    ),
    trade!(
        "6.1",
        "6",
        "金属非金属矿井通风作业",
        "Metal and non-metal mine ventilation"
    ),
    trade!("6.2", "6", "尾矿作业", "Tailings work"),
    trade!(
        "6.3",
        "6",
        "金属非金属矿山安全检查作业",
        "Metal and non-metal mine safety inspection"
    ),
    trade!(
        "6.4",
        "6",
        "金属非金属矿山提升机操作作业",
        "Metal and non-metal mine hoist operation"
    ),
    trade!(
        "6.5",
        "6",
        "金属非金属矿山支柱作业",
        "Metal and non-metal mine roof support"
    ),
    trade!(
        "6.6",
        "6",
        "金属非金属矿山井下电气作业",
        "Metal and non-metal mine underground electrical work"
    ),
    trade!(
        "6.7",
        "6",
        "金属非金属矿山排水作业",
        "Metal and non-metal mine drainage"
    ),
    trade!(
        "6.8",
        "6",
        "金属非金属矿山爆破作业",
        "Metal and non-metal mine blasting"
    ),
    trade!("7.1", "7", "司钻作业", "Drilling (driller)"),
    trade!("8.1", "8", "煤气作业", "Coal gas work"),
    trade!(
        "9.1",
        "9",
        "光气及光气化工艺作业",
        "Phosgene and phosgenation process"
    ),
    trade!(
        "9.2",
        "9",
        "氯碱电解工艺作业",
        "Chlor-alkali electrolysis process"
    ),
    trade!("9.3", "9", "氯化工艺作业", "Chlorination process"),
    trade!("9.4", "9", "硝化工艺作业", "Nitration process"),
    trade!("9.5", "9", "合成氨工艺作业", "Ammonia synthesis process"),
    trade!(
        "9.6",
        "9",
        "裂解（裂化）工艺作业",
        "Cracking (pyrolysis) process"
    ),
    trade!("9.7", "9", "氟化工艺作业", "Fluorination process"),
    trade!("9.8", "9", "加氢工艺作业", "Hydrogenation process"),
    trade!("9.9", "9", "重氮化工艺作业", "Diazotisation process"),
    trade!("9.10", "9", "氧化工艺作业", "Oxidation process"),
    trade!("9.11", "9", "过氧化工艺作业", "Peroxidation process"),
    trade!("9.12", "9", "胺基化工艺作业", "Amination process"),
    trade!("9.13", "9", "磺化工艺作业", "Sulfonation process"),
    trade!("9.14", "9", "聚合工艺作业", "Polymerisation process"),
    trade!("9.15", "9", "烷基化工艺作业", "Alkylation process"),
    trade!(
        "9.16",
        "9",
        "化工自动化控制仪表作业",
        "Chemical process automation and control instrumentation"
    ),
    trade!(
        "10.1",
        "10",
        "烟火药制造作业",
        "Pyrotechnic composition manufacture"
    ),
    trade!("10.2", "10", "黑火药制造作业", "Black powder manufacture"),
    trade!("10.3", "10", "引火线制造作业", "Fuse manufacture"),
    trade!(
        "10.4",
        "10",
        "烟花爆竹产品涉药作业",
        "Handling of pyrotechnic compositions in fireworks products"
    ),
    trade!("10.5", "10", "烟花爆竹储存作业", "Fireworks storage"),
];

/// The 11 categories, in annex order.
pub fn categories() -> &'static [TradeCategory] {
    &CATEGORIES
}

/// The category with this exact code ("1" to "11").
pub fn find_category(code: &str) -> Option<&'static TradeCategory> {
    CATEGORIES.iter().find(|category| category.code == code)
}

/// Every trade, in annex order.
pub fn trades() -> &'static [Trade] {
    &TRADES
}

/// The trade with this exact code (e.g. "5.10"). Codes are compared as text, so "5.1" and
/// "5.10" are different trades, as in the annex.
pub fn find_trade(code: &str) -> Option<&'static Trade> {
    TRADES.iter().find(|trade| trade.code == code)
}

/// The trades of a category, in annex order; empty for category "11" and unknown codes.
pub fn trades_of(category: &str) -> impl Iterator<Item = &'static Trade> + use<> {
    // Resolve to the table's own `'static` code so the iterator does not borrow the argument.
    let category = find_category(category).map(|category| category.code);
    TRADES
        .iter()
        .filter(move |trade| Some(trade.category) == category)
}

/// Whether a new worker in this trade needs high-school education or above: seed §三.4 asks
/// it of hazardous-chemicals (category 9) and newly applying coal-mine (category 5) special
/// operations workers, tightening Order No. 30 Art. 4 (which asks it of hazardous chemicals
/// only). Who counts as "new" is decided by the rule that applies this (rule 5).
pub fn requires_high_school(trade: &Trade) -> bool {
    matches!(trade.category, "5" | "9")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_11_categories_in_annex_order() {
        let codes: Vec<&str> = categories().iter().map(|c| c.code).collect();
        assert_eq!(
            codes,
            ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"]
        );
        let cases = [
            ("1", Some("电工作业")),
            ("5", Some("煤矿安全作业")),
            ("8", Some("冶金（有色）生产安全作业")),
            ("11", Some("安全监管总局认定的其他作业")),
            ("12", None),
            ("", None),
        ];
        for (code, name) in cases {
            assert_eq!(find_category(code).map(|c| c.name), name, "{code}");
        }
    }

    #[test]
    fn trades_per_category() {
        let cases = [
            ("1", 3),
            ("2", 3),
            ("3", 2),
            ("4", 2),
            ("5", 10),
            ("6", 8),
            ("7", 1),
            ("8", 1),
            ("9", 16),
            ("10", 5),
            ("11", 0),
            ("99", 0),
        ];
        for (category, count) in cases {
            assert_eq!(trades_of(category).count(), count, "{category}");
        }
        assert_eq!(trades().len(), 51);
    }

    #[test]
    fn entries_are_consistent() {
        for trade in trades() {
            let category = find_category(trade.category).expect("category exists");
            assert!(
                trade.code.starts_with(&format!("{}.", category.code)),
                "{}",
                trade.code
            );
            assert_eq!(trade.source, format!("总局令第30号 附件 {}", trade.code));
            assert!(trade.name.ends_with("作业"), "{}", trade.name);
            assert!(!trade.name_en.is_empty());
            assert_eq!(find_trade(trade.code), Some(trade));
        }
        let mut codes: Vec<&str> = trades().iter().map(|t| t.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), trades().len());
    }

    #[test]
    fn demo_trade_codes_exist() {
        let demo = [
            "1.1", "1.2", "2.1", "3.1", "5.1", "5.2", "5.4", "5.5", "5.6", "6.1", "6.5", "6.6",
            "6.7", "6.8", "7.1", "8.1", "9.2", "10.1", "10.3", "10.4", "10.5",
        ];
        for code in demo {
            assert!(find_trade(code).is_some(), "{code}");
        }
    }

    #[test]
    fn find_trade_matches_exact_codes() {
        let cases = [
            ("1.1", Some("高压电工作业")),
            ("1.2", Some("低压电工作业")),
            ("5.1", Some("煤矿井下电气作业")),
            ("5.10", Some("煤矿探放水作业")),
            ("9.16", Some("化工自动化控制仪表作业")),
            ("10.4", Some("烟花爆竹产品涉药作业")),
            ("1", None),
            ("1.4", None),
            (" 1.2", None),
            ("低压电工作业", None),
        ];
        for (code, name) in cases {
            assert_eq!(find_trade(code).map(|t| t.name), name, "{code}");
        }
    }

    #[test]
    fn high_school_is_required_in_coal_and_hazardous_chemicals() {
        let cases = [
            ("9.2", true),
            ("9.16", true),
            ("5.1", true),
            ("5.10", true),
            ("1.2", false),
            ("6.8", false),
            ("8.1", false),
            ("10.1", false),
        ];
        for (code, expected) in cases {
            let trade = find_trade(code).expect("known trade");
            assert_eq!(requires_high_school(trade), expected, "{code}");
        }
    }
}

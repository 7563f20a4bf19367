//! Administrative regions of Heilongjiang (GB/T 2260 codes): the province, its 13 cities
//! (市/地区) and their districts, counties and county-level cities (SPEC C1).
//!
//! Why reference data in code rather than a table in the database: the hierarchy decides
//! jurisdiction (a city regulator sees its city), so it must be the same in every deployment
//! and test, and it changes only by State Council approval, which is a reviewed code change
//! here. The table follows the Ministry of Civil Affairs' code list as of 2023. It leaves out
//! the statistical codes (2306xx/2310xx "71" development zones, and 232761-232764 for
//! Jiagedaqi, Songling, Xinlin and Huzhong in Da Hinggan Ling), which are not GB/T 2260 codes:
//! organisations there are registered to their city.

/// Code of the province, the root of the hierarchy.
pub const PROVINCE_CODE: &str = "230000";

/// Place of a region in the hierarchy.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RegionLevel {
    Province,
    /// 地级市 or 地区 (prefecture).
    City,
    /// 市辖区, 县, 自治县 or 县级市.
    County,
}

/// One administrative region.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Region {
    /// 6-digit GB/T 2260 code.
    pub code: &'static str,
    /// Official Chinese name.
    pub name: &'static str,
    /// Pinyin name, as on English-language maps.
    pub name_en: &'static str,
    pub level: RegionLevel,
    /// Code of the containing region; `None` for the province.
    pub parent: Option<&'static str>,
}

const fn province(code: &'static str, name: &'static str, name_en: &'static str) -> Region {
    Region {
        code,
        name,
        name_en,
        level: RegionLevel::Province,
        parent: None,
    }
}

const fn city(code: &'static str, name: &'static str, name_en: &'static str) -> Region {
    Region {
        code,
        name,
        name_en,
        level: RegionLevel::City,
        parent: Some(PROVINCE_CODE),
    }
}

const fn county(
    code: &'static str,
    name: &'static str,
    name_en: &'static str,
    city: &'static str,
) -> Region {
    Region {
        code,
        name,
        name_en,
        level: RegionLevel::County,
        parent: Some(city),
    }
}

/// Province first, then each city followed by its counties; this order is also ascending by
/// code, which `find` relies on (checked by a test).
const REGIONS: [Region; 135] = [
    province("230000", "黑龙江省", "Heilongjiang"),
    city("230100", "哈尔滨市", "Harbin"),
    county("230102", "道里区", "Daoli District", "230100"),
    county("230103", "南岗区", "Nangang District", "230100"),
    county("230104", "道外区", "Daowai District", "230100"),
    county("230108", "平房区", "Pingfang District", "230100"),
    county("230109", "松北区", "Songbei District", "230100"),
    county("230110", "香坊区", "Xiangfang District", "230100"),
    county("230111", "呼兰区", "Hulan District", "230100"),
    county("230112", "阿城区", "Acheng District", "230100"),
    county("230113", "双城区", "Shuangcheng District", "230100"),
    county("230123", "依兰县", "Yilan County", "230100"),
    county("230124", "方正县", "Fangzheng County", "230100"),
    county("230125", "宾县", "Bin County", "230100"),
    county("230126", "巴彦县", "Bayan County", "230100"),
    county("230127", "木兰县", "Mulan County", "230100"),
    county("230128", "通河县", "Tonghe County", "230100"),
    county("230129", "延寿县", "Yanshou County", "230100"),
    county("230183", "尚志市", "Shangzhi City", "230100"),
    county("230184", "五常市", "Wuchang City", "230100"),
    city("230200", "齐齐哈尔市", "Qiqihar"),
    county("230202", "龙沙区", "Longsha District", "230200"),
    county("230203", "建华区", "Jianhua District", "230200"),
    county("230204", "铁锋区", "Tiefeng District", "230200"),
    county("230205", "昂昂溪区", "Ang'angxi District", "230200"),
    county("230206", "富拉尔基区", "Fularji District", "230200"),
    county("230207", "碾子山区", "Nianzishan District", "230200"),
    county(
        "230208",
        "梅里斯达斡尔族区",
        "Meilisi Daur Ethnic District",
        "230200",
    ),
    county("230221", "龙江县", "Longjiang County", "230200"),
    county("230223", "依安县", "Yi'an County", "230200"),
    county("230224", "泰来县", "Tailai County", "230200"),
    county("230225", "甘南县", "Gannan County", "230200"),
    county("230227", "富裕县", "Fuyu County", "230200"),
    county("230229", "克山县", "Keshan County", "230200"),
    county("230230", "克东县", "Kedong County", "230200"),
    county("230231", "拜泉县", "Baiquan County", "230200"),
    county("230281", "讷河市", "Nehe City", "230200"),
    city("230300", "鸡西市", "Jixi"),
    county("230302", "鸡冠区", "Jiguan District", "230300"),
    county("230303", "恒山区", "Hengshan District", "230300"),
    county("230304", "滴道区", "Didao District", "230300"),
    county("230305", "梨树区", "Lishu District", "230300"),
    county("230306", "城子河区", "Chengzihe District", "230300"),
    county("230307", "麻山区", "Mashan District", "230300"),
    county("230321", "鸡东县", "Jidong County", "230300"),
    county("230381", "虎林市", "Hulin City", "230300"),
    county("230382", "密山市", "Mishan City", "230300"),
    city("230400", "鹤岗市", "Hegang"),
    county("230402", "向阳区", "Xiangyang District", "230400"),
    county("230403", "工农区", "Gongnong District", "230400"),
    county("230404", "南山区", "Nanshan District", "230400"),
    county("230405", "兴安区", "Xing'an District", "230400"),
    county("230406", "东山区", "Dongshan District", "230400"),
    county("230407", "兴山区", "Xingshan District", "230400"),
    county("230421", "萝北县", "Luobei County", "230400"),
    county("230422", "绥滨县", "Suibin County", "230400"),
    city("230500", "双鸭山市", "Shuangyashan"),
    county("230502", "尖山区", "Jianshan District", "230500"),
    county("230503", "岭东区", "Lingdong District", "230500"),
    county("230505", "四方台区", "Sifangtai District", "230500"),
    county("230506", "宝山区", "Baoshan District", "230500"),
    county("230521", "集贤县", "Jixian County", "230500"),
    county("230522", "友谊县", "Youyi County", "230500"),
    county("230523", "宝清县", "Baoqing County", "230500"),
    county("230524", "饶河县", "Raohe County", "230500"),
    city("230600", "大庆市", "Daqing"),
    county("230602", "萨尔图区", "Sartu District", "230600"),
    county("230603", "龙凤区", "Longfeng District", "230600"),
    county("230604", "让胡路区", "Ranghulu District", "230600"),
    county("230605", "红岗区", "Honggang District", "230600"),
    county("230606", "大同区", "Datong District", "230600"),
    county("230621", "肇州县", "Zhaozhou County", "230600"),
    county("230622", "肇源县", "Zhaoyuan County", "230600"),
    county("230623", "林甸县", "Lindian County", "230600"),
    county(
        "230624",
        "杜尔伯特蒙古族自治县",
        "Dorbod Mongol Autonomous County",
        "230600",
    ),
    city("230700", "伊春市", "Yichun"),
    county("230717", "伊美区", "Yimei District", "230700"),
    county("230718", "乌翠区", "Wucui District", "230700"),
    county("230719", "友好区", "Youhao District", "230700"),
    county("230722", "嘉荫县", "Jiayin County", "230700"),
    county("230723", "汤旺县", "Tangwang County", "230700"),
    county("230724", "丰林县", "Fenglin County", "230700"),
    county("230725", "大箐山县", "Daqingshan County", "230700"),
    county("230726", "南岔县", "Nancha County", "230700"),
    county("230751", "金林区", "Jinlin District", "230700"),
    county("230781", "铁力市", "Tieli City", "230700"),
    city("230800", "佳木斯市", "Jiamusi"),
    county("230803", "向阳区", "Xiangyang District", "230800"),
    county("230804", "前进区", "Qianjin District", "230800"),
    county("230805", "东风区", "Dongfeng District", "230800"),
    county("230811", "郊区", "Jiaoqu District", "230800"),
    county("230822", "桦南县", "Huanan County", "230800"),
    county("230826", "桦川县", "Huachuan County", "230800"),
    county("230828", "汤原县", "Tangyuan County", "230800"),
    county("230881", "同江市", "Tongjiang City", "230800"),
    county("230882", "富锦市", "Fujin City", "230800"),
    county("230883", "抚远市", "Fuyuan City", "230800"),
    city("230900", "七台河市", "Qitaihe"),
    county("230902", "新兴区", "Xinxing District", "230900"),
    county("230903", "桃山区", "Taoshan District", "230900"),
    county("230904", "茄子河区", "Qiezihe District", "230900"),
    county("230921", "勃利县", "Boli County", "230900"),
    city("231000", "牡丹江市", "Mudanjiang"),
    county("231002", "东安区", "Dong'an District", "231000"),
    county("231003", "阳明区", "Yangming District", "231000"),
    county("231004", "爱民区", "Aimin District", "231000"),
    county("231005", "西安区", "Xi'an District", "231000"),
    county("231025", "林口县", "Linkou County", "231000"),
    county("231081", "绥芬河市", "Suifenhe City", "231000"),
    county("231083", "海林市", "Hailin City", "231000"),
    county("231084", "宁安市", "Ning'an City", "231000"),
    county("231085", "穆棱市", "Muling City", "231000"),
    county("231086", "东宁市", "Dongning City", "231000"),
    city("231100", "黑河市", "Heihe"),
    county("231102", "爱辉区", "Aihui District", "231100"),
    county("231123", "逊克县", "Xunke County", "231100"),
    county("231124", "孙吴县", "Sunwu County", "231100"),
    county("231181", "北安市", "Bei'an City", "231100"),
    county("231182", "五大连池市", "Wudalianchi City", "231100"),
    county("231183", "嫩江市", "Nenjiang City", "231100"),
    city("231200", "绥化市", "Suihua"),
    county("231202", "北林区", "Beilin District", "231200"),
    county("231221", "望奎县", "Wangkui County", "231200"),
    county("231222", "兰西县", "Lanxi County", "231200"),
    county("231223", "青冈县", "Qinggang County", "231200"),
    county("231224", "庆安县", "Qing'an County", "231200"),
    county("231225", "明水县", "Mingshui County", "231200"),
    county("231226", "绥棱县", "Suileng County", "231200"),
    county("231281", "安达市", "Anda City", "231200"),
    county("231282", "肇东市", "Zhaodong City", "231200"),
    county("231283", "海伦市", "Hailun City", "231200"),
    city("232700", "大兴安岭地区", "Da Hinggan Ling Prefecture"),
    county("232701", "漠河市", "Mohe City", "232700"),
    county("232721", "呼玛县", "Huma County", "232700"),
    county("232722", "塔河县", "Tahe County", "232700"),
];

/// Every region, province first, then each city followed by its counties.
pub fn all() -> &'static [Region] {
    &REGIONS
}

/// The region with this exact code.
pub fn find(code: &str) -> Option<&'static Region> {
    REGIONS
        .binary_search_by(|region| region.code.cmp(code))
        .ok()
        .map(|index| &REGIONS[index])
}

/// The 13 cities (prefecture level), in code order.
pub fn cities() -> impl Iterator<Item = &'static Region> {
    REGIONS
        .iter()
        .filter(|region| region.level == RegionLevel::City)
}

/// The counties of a city, in code order; empty if `city_code` is not a city.
pub fn counties_of(city_code: &str) -> impl Iterator<Item = &'static Region> + use<> {
    // Resolve to the table's own `'static` code so the iterator does not borrow the argument.
    let city = find(city_code)
        .filter(|region| region.level == RegionLevel::City)
        .map(|region| region.code);
    REGIONS
        .iter()
        .filter(move |region| city.is_some() && region.parent == city)
}

/// The city containing a county (or the city itself). A 6-digit Heilongjiang code missing
/// from the table, such as the address code of an abolished county on an old ID card, is
/// placed by its first four digits, which GB/T 2260 reserves for the prefecture.
pub fn city_of(code: &str) -> Option<&'static Region> {
    let region = match find(code) {
        Some(region) => region,
        None => {
            let is_local_code = code.len() == 6
                && code.starts_with("23")
                && code.bytes().all(|b| b.is_ascii_digit());
            if !is_local_code {
                return None;
            }
            return find(&format!("{}00", &code[..4]))
                .filter(|region| region.level == RegionLevel::City);
        }
    };
    match region.level {
        RegionLevel::Province => None,
        RegionLevel::City => Some(region),
        RegionLevel::County => region.parent.and_then(find),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_unique_and_well_formed() {
        let regions = all();
        assert_eq!(regions[0].code, PROVINCE_CODE);
        assert_eq!(regions[0].level, RegionLevel::Province);
        for pair in regions.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} then {}",
                pair[0].code,
                pair[1].code
            );
        }
        for region in regions {
            assert_eq!(region.code.len(), 6, "{}", region.code);
            assert!(
                region.code.bytes().all(|b| b.is_ascii_digit()),
                "{}",
                region.code
            );
            assert!(region.code.starts_with("23"), "{}", region.code);
            assert!(!region.name.is_empty() && !region.name_en.is_empty());
            match region.level {
                RegionLevel::Province => assert_eq!(region.parent, None),
                RegionLevel::City => {
                    assert!(region.code.ends_with("00"));
                    assert_eq!(region.parent, Some(PROVINCE_CODE));
                }
                RegionLevel::County => {
                    let parent = region.parent.and_then(find).expect("parent exists");
                    assert_eq!(parent.level, RegionLevel::City);
                    assert_eq!(&region.code[..4], &parent.code[..4], "{}", region.code);
                }
            }
        }
    }

    #[test]
    fn there_are_13_cities_and_about_120_counties() {
        let names: Vec<&str> = cities().map(|city| city.name).collect();
        assert_eq!(
            names,
            [
                "哈尔滨市",
                "齐齐哈尔市",
                "鸡西市",
                "鹤岗市",
                "双鸭山市",
                "大庆市",
                "伊春市",
                "佳木斯市",
                "七台河市",
                "牡丹江市",
                "黑河市",
                "绥化市",
                "大兴安岭地区",
            ]
        );
        let counties = all()
            .iter()
            .filter(|r| r.level == RegionLevel::County)
            .count();
        assert_eq!(counties, 121);
        let per_city: usize = cities().map(|city| counties_of(city.code).count()).sum();
        assert_eq!(per_city, counties);
    }

    #[test]
    fn counties_of_lists_a_city_s_counties() {
        let cases = [
            ("230100", 18),
            ("230900", 4),
            ("232700", 3),
            ("230102", 0), // a county, not a city
            ("230000", 0),
            ("999999", 0),
        ];
        for (code, expected) in cases {
            assert_eq!(counties_of(code).count(), expected, "{code}");
        }
        let first = counties_of("230100").next().map(|r| (r.name, r.name_en));
        assert_eq!(first, Some(("道里区", "Daoli District")));
    }

    #[test]
    fn city_of_finds_the_containing_city() {
        let cases = [
            ("230102", Some("230100")),
            ("230100", Some("230100")),
            ("232701", Some("232700")),
            ("231086", Some("231000")),
            ("230182", Some("230100")), // 双城市, abolished 2014, still on ID cards
            ("230702", Some("230700")), // 伊春区, abolished 2019
            ("230000", None),
            ("239900", None),
            ("110105", None),
            ("2301", None),
        ];
        for (code, expected) in cases {
            assert_eq!(city_of(code).map(|r| r.code), expected, "{code}");
        }
    }

    #[test]
    fn find_looks_up_by_exact_code() {
        assert_eq!(find("230000").map(|r| r.name), Some("黑龙江省"));
        assert_eq!(find("230624").map(|r| r.name), Some("杜尔伯特蒙古族自治县"));
        assert_eq!(find("2306"), None);
        assert_eq!(find(""), None);
    }
}

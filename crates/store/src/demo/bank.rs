//! The demo's question bank: enough real low-voltage electrician (1.2 低压电工作业)
//! questions for a 100-point theory paper — three syllabus points, true/false and single
//! choice questions made from a list of facts of the national training syllabus, multiple
//! choice questions from lists of what belongs to a class and what does not, and a practical
//! score sheet — plus a small bank for welding (2.1). Deterministic: the same bank every run.

use anpei_domain::exam::{ChoiceOption, Difficulty, Question, QuestionBody, ScoreSheet, SheetItem};
use chrono::{DateTime, Utc};

use crate::exam::bank::{self, BankContent, ImportDraft};
use crate::{Actor, Store, StoreError};

/// A fact: syllabus point, sentence with `{}` for the value, the right value, three wrong
/// ones, and a tag.
type Fact = (
    usize,
    &'static str,
    &'static str,
    [&'static str; 3],
    &'static str,
);

const ELECTRICIAN_POINTS: [&str; 3] = ["安全用电基础", "电工基础与电工仪表", "低压电器与电气线路"];

const ELECTRICIAN_FACTS: [Fact; 38] = [
    (
        0,
        "一般环境下安全电压的上限值为{}V",
        "36",
        ["50", "110", "220"],
        "安全电压",
    ),
    (
        0,
        "在特别潮湿场所或金属容器内作业，手持照明灯的电压不应超过{}V",
        "12",
        ["24", "36", "42"],
        "安全电压",
    ),
    (
        0,
        "用于防止人身触电的剩余电流动作保护器，其额定剩余动作电流不应大于{}mA",
        "30",
        ["50", "75", "100"],
        "剩余电流保护",
    ),
    (
        0,
        "防触电用剩余电流动作保护器的分断时间不应大于{}s",
        "0.1",
        ["0.5", "1", "2"],
        "剩余电流保护",
    ),
    (
        0,
        "特种作业操作证的有效期为{}年",
        "6",
        ["3", "4", "10"],
        "法规",
    ),
    (
        0,
        "特种作业操作证每{}年复审一次",
        "3",
        ["1", "2", "6"],
        "法规",
    ),
    (
        0,
        "特种作业人员应年满{}周岁",
        "18",
        ["16", "20", "22"],
        "法规",
    ),
    (
        0,
        "低压系统中保护接地的接地电阻一般不应大于{}Ω",
        "4",
        ["10", "30", "100"],
        "接地",
    ),
    (
        0,
        "保护零线重复接地的接地电阻一般不应大于{}Ω",
        "10",
        ["1", "30", "100"],
        "接地",
    ),
    (
        0,
        "成年男性的平均工频摆脱电流约为{}mA",
        "16",
        ["1", "50", "100"],
        "触电",
    ),
    (
        0,
        "通过人体的工频电流达到{}mA 及以上时，即可能引起心室颤动而致命",
        "50",
        ["1", "5", "10"],
        "触电",
    ),
    (
        0,
        "成年男性的平均工频感知电流约为{}mA",
        "1.1",
        ["16", "50", "100"],
        "触电",
    ),
    (
        0,
        "触电者呼吸心跳停止时，应立即就地进行{}",
        "心肺复苏",
        ["注射强心针", "送医途中再处理", "冷水刺激"],
        "急救",
    ),
    (
        0,
        "成人胸外心脏按压的频率为每分钟{}次",
        "100～120",
        ["60～80", "80～100", "140～160"],
        "急救",
    ),
    (
        0,
        "成人胸外心脏按压的深度为{}cm",
        "5～6",
        ["2～3", "3～4", "7～8"],
        "急救",
    ),
    (
        0,
        "单人心肺复苏时，胸外按压与人工呼吸的次数比为{}",
        "30:2",
        ["15:1", "15:2", "5:1"],
        "急救",
    ),
    (
        0,
        "电气设备着火时，应首先{}",
        "切断电源",
        ["用水扑救", "打开门窗通风", "报告领导"],
        "电气防火",
    ),
    (
        0,
        "扑救带电的电气火灾时，不得使用{}灭火器",
        "泡沫",
        ["二氧化碳", "干粉", "七氟丙烷"],
        "电气防火",
    ),
    (
        0,
        "“禁止合闸，有人工作”标示牌应悬挂在{}",
        "已停电检修设备的开关操作把手上",
        ["工作地点的遮栏上", "配电室的大门上", "配电室的墙上"],
        "安全措施",
    ),
    (
        0,
        "停电检修时装设接地线，应先接{}",
        "接地端",
        ["导体端", "任意一端", "中间一相"],
        "安全措施",
    ),
    (
        0,
        "验电前应先在{}上试验，确认验电器良好",
        "有电设备",
        ["停电设备", "接地装置", "绝缘垫"],
        "安全措施",
    ),
    (
        1,
        "我国工频交流电的频率为{}Hz",
        "50",
        ["60", "100", "25"],
        "电工基础",
    ),
    (
        1,
        "低压电工作业是指对{}V 以下的电气设备进行安装、调试、运行、检修等的作业",
        "1000",
        ["380", "500", "10000"],
        "法规",
    ),
    (
        1,
        "测量低压电动机的绝缘电阻，一般选用{}V 的兆欧表",
        "500",
        ["250", "2500", "5000"],
        "电工仪表",
    ),
    (
        1,
        "新装和大修后的低压线路和设备，其绝缘电阻不应低于{}MΩ",
        "0.5",
        ["0.05", "0.1", "0.2"],
        "电工仪表",
    ),
    (
        1,
        "电流互感器运行时，其二次侧严禁{}",
        "开路",
        ["短路", "接地", "接电流表"],
        "电工仪表",
    ),
    (
        1,
        "电压互感器运行时，其二次侧严禁{}",
        "短路",
        ["开路", "接地", "接电压表"],
        "电工仪表",
    ),
    (
        1,
        "测量电流时，电流表应与被测电路{}",
        "串联",
        ["并联", "混联", "断开"],
        "电工仪表",
    ),
    (
        1,
        "测量电压时，电压表应与被测电路{}",
        "并联",
        ["串联", "混联", "断开"],
        "电工仪表",
    ),
    (
        1,
        "三相异步电动机的旋转方向取决于{}",
        "电源相序",
        ["电源电压", "电源频率", "负载大小"],
        "电动机",
    ),
    (
        2,
        "保护接地线（PE 线）的绝缘颜色为{}",
        "绿/黄双色",
        ["黑色", "淡蓝色", "红色"],
        "导线",
    ),
    (
        2,
        "中性线（N 线）的绝缘颜色为{}",
        "淡蓝色",
        ["绿/黄双色", "黑色", "红色"],
        "导线",
    ),
    (
        2,
        "单相三孔插座的上孔应接{}",
        "保护接地线",
        ["相线", "中性线", "控制线"],
        "照明",
    ),
    (
        2,
        "面对单相两孔插座，右孔应接{}",
        "相线",
        ["中性线", "保护线", "接地线"],
        "照明",
    ),
    (
        2,
        "照明开关必须控制{}",
        "相线",
        ["中性线", "保护线", "接地线"],
        "照明",
    ),
    (
        2,
        "热继电器在电动机控制线路中主要用作{}保护",
        "过载",
        ["短路", "失压", "漏电"],
        "低压电器",
    ),
    (
        2,
        "熔断器在电路中主要用作{}保护",
        "短路",
        ["失压", "漏电", "过电压"],
        "低压电器",
    ),
    (
        2,
        "照明线路中，每一单相回路的灯具和插座数量不宜超过{}个",
        "25",
        ["10", "50", "100"],
        "照明",
    ),
];

/// A class: syllabus point, stem, what belongs (at least two), what does not.
type Class = (
    usize,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

const ELECTRICIAN_CLASSES: [Class; 22] = [
    (
        0,
        "低压电气设备上使用的基本安全用具有（ ）。",
        &["绝缘手套", "装有绝缘柄的工具", "低压验电器"],
        &["绝缘垫"],
    ),
    (
        0,
        "保证电气作业安全的技术措施包括（ ）。",
        &["停电", "验电", "装设接地线", "悬挂标示牌和装设遮栏"],
        &["执行工作票制度"],
    ),
    (
        0,
        "保证电气作业安全的组织措施包括（ ）。",
        &["工作票制度", "工作许可制度", "工作监护制度"],
        &["验电"],
    ),
    (
        0,
        "常见的触电方式有（ ）。",
        &["单相触电", "两相触电", "跨步电压触电"],
        &["穿绝缘鞋站在绝缘垫上操作"],
    ),
    (
        0,
        "扑救带电的电气火灾可以使用（ ）。",
        &["二氧化碳灭火器", "干粉灭火器", "干沙"],
        &["泡沫灭火器", "清水"],
    ),
    (
        0,
        "引起电气火灾的常见原因有（ ）。",
        &["短路", "过载", "接触电阻过大", "电火花和电弧"],
        &["使用合格的熔断器"],
    ),
    (
        0,
        "下列设备或场所必须安装剩余电流动作保护装置的有（ ）。",
        &["手持式电动工具", "建筑施工工地的用电设备", "临时用电设备"],
        &["消防水泵的电源"],
    ),
    (
        0,
        "心肺复苏的基本措施包括（ ）。",
        &["胸外心脏按压", "开放气道", "人工呼吸"],
        &["给触电者喂水"],
    ),
    (
        0,
        "防止直接接触触电的措施有（ ）。",
        &["绝缘", "屏护", "间距"],
        &["保护接地"],
    ),
    (
        0,
        "防止间接接触触电的措施有（ ）。",
        &["保护接地", "保护接零", "剩余电流动作保护"],
        &["屏护"],
    ),
    (
        0,
        "特种作业人员应当具备的条件有（ ）。",
        &[
            "年满 18 周岁且不超过国家法定退休年龄",
            "身体健康，无妨碍从事相应作业的疾病和生理缺陷",
            "具有初中及以上文化程度",
        ],
        &["具有大学本科学历"],
    ),
    (
        0,
        "静电的危害有（ ）。",
        &["引起爆炸和火灾", "电击", "妨碍生产"],
        &["提高产品质量"],
    ),
    (
        0,
        "雷电的危害有（ ）。",
        &["热效应", "机械效应", "电磁效应"],
        &["降低接地电阻"],
    ),
    (
        0,
        "禁止类安全标志有（ ）。",
        &["禁止合闸，有人工作", "禁止攀登，高压危险"],
        &["在此工作", "从此上下"],
    ),
    (
        1,
        "兆欧表使用前应（ ）。",
        &[
            "切断被测设备的电源",
            "对被测设备充分放电",
            "做开路和短路试验",
        ],
        &["在设备带电时试测一次"],
    ),
    (
        1,
        "电工常用的测量仪表有（ ）。",
        &["万用表", "钳形电流表", "兆欧表"],
        &["游标卡尺"],
    ),
    (
        1,
        "三相异步电动机的调速方法有（ ）。",
        &["变极调速", "变频调速", "改变转差率调速"],
        &["改变电源相序"],
    ),
    (
        1,
        "三相异步电动机的降压启动方法有（ ）。",
        &[
            "星-三角降压启动",
            "自耦变压器降压启动",
            "定子串电阻降压启动",
        ],
        &["直接启动"],
    ),
    (
        2,
        "下列属于低压控制电器的有（ ）。",
        &["接触器", "继电器", "按钮"],
        &["刀开关", "熔断器"],
    ),
    (
        2,
        "导线连接的基本要求有（ ）。",
        &[
            "接触紧密，接头电阻小",
            "接头的机械强度不小于原导线的 80%",
            "接头的绝缘强度不低于原导线",
        ],
        &["铜铝导线可直接绞接"],
    ),
    (
        2,
        "避雷装置由（ ）组成。",
        &["接闪器", "引下线", "接地装置"],
        &["熔断器"],
    ),
    (
        2,
        "低压断路器具有的保护功能有（ ）。",
        &["短路保护", "过载保护", "欠压保护"],
        &["调速"],
    ),
];

const WELDING_POINTS: [&str; 2] = ["焊接安全基础", "焊接防火防爆"];

const WELDING_FACTS: [Fact; 6] = [
    (
        0,
        "焊工在金属容器内焊接时，行灯电压不应超过{}V",
        "12",
        ["36", "110", "220"],
        "安全电压",
    ),
    (
        0,
        "电焊机外壳必须{}",
        "可靠接地或接零",
        ["刷绝缘漆", "悬空放置", "与焊件相连"],
        "用电安全",
    ),
    (
        0,
        "气焊时氧气瓶与乙炔瓶的间距不应小于{}m",
        "5",
        ["1", "2", "3"],
        "气瓶",
    ),
    (
        1,
        "动火作业点与易燃易爆物品的距离不应小于{}m",
        "10",
        ["1", "3", "5"],
        "动火",
    ),
    (
        1,
        "乙炔瓶在使用时应{}放置",
        "直立",
        ["卧倒", "倒立", "倾斜"],
        "气瓶",
    ),
    (
        1,
        "焊接作业结束后，应检查现场至少{}min，确认无火种后方可离开",
        "30",
        ["1", "5", "10"],
        "动火",
    ),
];

fn difficulty(i: usize) -> Difficulty {
    Difficulty::ALL[i % 3]
}

fn choice(text: &str, correct: bool) -> ChoiceOption {
    ChoiceOption {
        text: text.to_owned(),
        correct,
    }
}

fn draft(
    path: &[&str],
    content: Result<Question, anpei_domain::exam::QuestionError>,
) -> Result<ImportDraft, StoreError> {
    let question = content.map_err(|e| StoreError::invalid("demo bank", &e))?;
    Ok(ImportDraft {
        line: 0,
        category_path: path.iter().map(|p| (*p).to_owned()).collect(),
        name: None,
        content: BankContent::Question(question),
    })
}

/// True/false and single-choice questions from facts.
fn from_facts(points: &[&str], facts: &[Fact]) -> Result<Vec<ImportDraft>, StoreError> {
    let mut out = Vec::new();
    for (i, (point, sentence, right, wrong, tag)) in facts.iter().enumerate() {
        let path = [points[*point]];
        let tags = [(*tag).to_owned()];
        let fill = |value: &str| format!("{}。", sentence.replace("{}", value));
        let explanation = format!("正确答案：{}。", sentence.replace("{}", right));
        // Single choice: the right value among the wrong ones, at a position that rotates.
        let mut options: Vec<ChoiceOption> = wrong.iter().map(|w| choice(w, false)).collect();
        options.insert(i % 4, choice(right, true));
        out.push(draft(
            &path,
            Question::new(
                &format!("{}。", sentence.replace("{}", "（ ）")),
                QuestionBody::Single { options },
                difficulty(i),
                &tags,
                &explanation,
            ),
        )?);
        // "Which is right": the fact stated rightly among three wrong statements of it.
        let mut statements: Vec<ChoiceOption> =
            wrong.iter().map(|w| choice(&fill(w), false)).collect();
        statements.insert((i + 2) % 4, choice(&fill(right), true));
        out.push(draft(
            &path,
            Question::new(
                &format!("关于“{}”，下列说法正确的是（ ）。", tag),
                QuestionBody::Single {
                    options: statements,
                },
                difficulty(i + 1),
                &tags,
                &explanation,
            ),
        )?);
        out.push(draft(
            &path,
            Question::new(
                &fill(right),
                QuestionBody::TrueFalse { answer: true },
                difficulty(i),
                &tags,
                "",
            ),
        )?);
        out.push(draft(
            &path,
            Question::new(
                &fill(wrong[i % 3]),
                QuestionBody::TrueFalse { answer: false },
                difficulty(i + 2),
                &tags,
                &explanation,
            ),
        )?);
    }
    Ok(out)
}

fn from_classes(points: &[&str], classes: &[Class]) -> Result<Vec<ImportDraft>, StoreError> {
    let mut out = Vec::new();
    for (i, (point, stem, members, others)) in classes.iter().enumerate() {
        let mut options: Vec<ChoiceOption> = members.iter().map(|m| choice(m, true)).collect();
        for (j, other) in others.iter().enumerate() {
            options.insert((i + j) % (options.len() + 1), choice(other, false));
        }
        out.push(draft(
            &[points[*point]],
            Question::new(
                stem,
                QuestionBody::Multiple { options },
                difficulty(i + 1),
                &[],
                "",
            ),
        )?);
    }
    Ok(out)
}

fn motor_sheet() -> Result<ImportDraft, StoreError> {
    let item = |title: &str, points: u32, criteria: &str, veto: bool| SheetItem {
        title: title.to_owned(),
        points,
        criteria: criteria.to_owned(),
        veto,
    };
    let sheet = ScoreSheet::new(
        "K1 三相异步电动机单向连续运转控制线路安装与调试",
        vec![
            item(
                "作业前准备",
                10,
                "未检查工具、仪表绝缘扣 5 分；未穿戴劳动防护用品扣 5 分",
                false,
            ),
            item(
                "元件检查与布置",
                15,
                "元件漏检或错检每处扣 3 分；布置不合理扣 5 分",
                false,
            ),
            item(
                "线路安装与接线",
                40,
                "接线错误每处扣 10 分；接点松动、露铜过长每处扣 3 分",
                false,
            ),
            item(
                "通电前检查",
                15,
                "未用万用表检查线路扣 10 分；未测绝缘电阻扣 5 分",
                false,
            ),
            item(
                "通电试运行",
                20,
                "第一次试车不成功扣 10 分，第二次不成功扣 20 分",
                false,
            ),
            item(
                "带电接线或未经考评员允许通电",
                0,
                "出现即判实际操作考试不合格",
                true,
            ),
        ],
    )
    .map_err(|e| StoreError::invalid("demo bank", &e))?;
    Ok(ImportDraft {
        line: 0,
        category_path: vec!["实际操作".to_owned()],
        name: Some("K1".to_owned()),
        content: BankContent::Sheet(sheet),
    })
}

/// Fills the bank; returns how many questions it wrote.
pub(super) async fn fill(
    store: &Store,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let mut electrician = from_facts(&ELECTRICIAN_POINTS, &ELECTRICIAN_FACTS)?;
    electrician.extend(from_classes(&ELECTRICIAN_POINTS, &ELECTRICIAN_CLASSES)?);
    electrician.push(motor_sheet()?);
    let welding = from_facts(&WELDING_POINTS, &WELDING_FACTS)?;
    let mut written = 0;
    for (trade, drafts) in [("1.2", electrician), ("2.1", welding)] {
        let report = bank::import(store, actor, now, trade, "demo", drafts, &|_, _| {}).await?;
        written += report.created.values().sum::<u64>();
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_electrician_bank_fills_a_paper() {
        let mut drafts = from_facts(&ELECTRICIAN_POINTS, &ELECTRICIAN_FACTS).unwrap();
        drafts.extend(from_classes(&ELECTRICIAN_POINTS, &ELECTRICIAN_CLASSES).unwrap());
        let count = |kind: &str| {
            drafts
                .iter()
                .filter(|d| d.content.kind_code() == kind)
                .count()
        };
        assert!(count("true_false") >= 60, "{}", count("true_false"));
        assert!(count("single") >= 60, "{}", count("single"));
        assert!(count("multiple") >= 20, "{}", count("multiple"));
        assert!(motor_sheet().is_ok());
        assert!(from_facts(&WELDING_POINTS, &WELDING_FACTS).is_ok());
    }
}

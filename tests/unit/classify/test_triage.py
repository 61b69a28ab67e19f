"""Intake triage rules (issue 14): each rule on sentences written for the test, not corpus rows."""

import csv

import pytest

from hotline.classify import appeal_type as AT
from hotline.classify import cues, emergency, vague
from hotline.classify.triage import AutoPolicy, RapidRules, triage
from hotline.classify.triage_model import CASES


@pytest.fixture(scope="module")
def rules():
    return RapidRules.from_config()


# ------------------------------------------------------------ rapid: colloquial forms ----------
@pytest.mark.parametrize("text,code", [
    ("长安镇振兴路那一段的路灯全灭了，晚上好黑", "rr19"),
    ("我们村口几盏路灯都不亮了", "rr19"),
    ("东城这边路边的盖子不见了，下面黑乎乎的", "rr23"),
    ("茶山这边冇电啦，成条村都冇电", "rr10"),
    ("常平这边突然冇水了，水龙头一滴都没有", "rr02"),
    ("清溪镇的红绿灯黄灯一直闪，车都不知道怎么走", "rr27"),
    ("塘厦一段路上洒了好多机油，有人摔了", "rr26"),
    ("樟木頭一個小區的電梯卡住了，我媽媽被困在裡面", "rr29"),   # Traditional
])
def test_colloquial_forms_are_recognised(rules, text, code):
    hit = rules.detect(text)
    assert hit is not None and hit.code == code


# round 1 of the generalisation work: an object word of the item's class and a state word of its
# class, not the batch's own phrases (docs/model_card.md, triage rounds)
@pytest.mark.parametrize("text,code", [
    ("万江这边马路边地下的管子爆开了，水一直往上喷", "rr01"),
    ("公园门口有一股臭鸡蛋味，应该是外面的燃气管漏了", "rr14"),
    ("村口那块检修井的铁盖被车压翻开了", "rr23"),
    ("沙田大道那段晚上一排灯都没亮，走路很怕", "rr19"),
    ("村里的路水已经没过膝盖了，汽车都熄火", "rr07"),
    ("我们公司的升降梯停在半空，同事还在里面出不来", "rr29"),
    ("十字路口的信号灯全部黑屏了", "rr27"),
    ("巷子里的下水井一直往外翻臭水", "rr06"),
    ("有条狗在市场里乱窜，刚刚把一个阿婆的手咬出血了", "rr64"),
    ("后山的泥巴石头一直往下冲，已经到了屋后", "rr55"),
    ("小区旁的变电箱噼里啪啦响，还闪着蓝光", "rr12"),
])
def test_object_and_state_classes_are_recognised(rules, text, code):
    hit = rules.detect(text)
    assert hit is not None and hit.code == code


# round 2: more object and state words per item; an animal bitten or a bite that did not happen
@pytest.mark.parametrize("text,code", [
    ("公园里那根枝丫劈开了，吊在步道上面晃来晃去", "rr22"),
    ("村口马路上有只死了的猫，没人收", "rr47"),
    ("写字楼的电梯突然往下溜了两层，门开不了", "rr29"),
    ("路口的红绿灯两个方向都是绿灯", "rr27"),
    ("工地钻机把路边的燃气管道打穿了", "rr16"),
    ("几个中学生在鱼塘边准备下水游泳", "rr42"),
    ("三楼的防盗网断了一边，歪歪地吊在那里", "rr56"),
])
def test_round_two_forms_are_recognised(rules, text, code):
    hit = rules.detect(text)
    assert hit is not None and hit.code == code


@pytest.mark.parametrize("text", [
    "我家的猫被楼下的狗咬了，主人不肯赔，我能找谁？",
    "邻居的狗见人就叫，还没咬到人，但是很吓人",
])
def test_animal_fight_or_bite_that_did_not_happen_is_not_rapid(rules, text):
    assert rules.detect(text) is None


# round 3: Cantonese forms, more verbs of the same classes
@pytest.mark.parametrize("text,code", [
    ("我哋呢度由琴晚开始就冇水", "rr02"),
    ("屋企水喉出嚟啲水好黄", "rr04"),
    ("路边的水泥盖板被人撬走了，露出一个深坑", "rr23"),
    ("村口的大树被雷劈断了，压在电线上", "rr21"),
    ("这个路口的信号灯四个方向都是红灯", "rr27"),
    ("巷子里的沙井冒出污水，流得到处都是", "rr06"),
    ("后山的山体开始往下溜泥了", "rr55"),
])
def test_round_three_forms_are_recognised(rules, text, code):
    hit = rules.detect(text)
    assert hit is not None and hit.code == code


# round 4: more states per class; a chronic seasonal nuisance and "天还没黑" are not faults
@pytest.mark.parametrize("text,code", [
    ("村口变压器旁边的电缆冒青烟，有股焦味", "rr12"),
    ("大风把厂房的彩钢瓦掀起来了，在半空晃", "rr60"),
    ("那块灯箱的架子断了，斜挂在二楼", "rr49"),
    ("商场的自动扶梯突然倒转，有人摔倒了", "rr30"),
])
def test_round_four_forms_are_recognised(rules, text, code):
    hit = rules.detect(text)
    assert hit is not None and hit.code == code


@pytest.mark.parametrize("text", [
    "门口的路灯晚上亮得太早，天还没黑就亮了",
    "村里的水塘一到夏天就发黑发臭，希望治理一下",
])
def test_round_four_non_faults(rules, text):
    assert rules.detect(text) is None


# round 5: more states; `unless` rules an item out (a new flat's cracks argued with the developer)
@pytest.mark.parametrize("text,code", [
    ("我们小区的电从八点开始就停了，到现在都没来", "rr10"),
    ("路边一个沙井敞着，没盖子", "rr23"),
    ("暴雨后那个十字路口变成了一片汪洋", "rr07"),
    ("我被关在商场的货梯里面出不去", "rr29"),
    ("村边的河突然变成了紫色", "rr51"),
    ("鱼塘的鱼全部浮头了，快不行了", "rr50"),
    ("有人把一车废料倒在河堤上", "rr52"),
    ("公司饭堂吃完午饭，十几个员工肚子痛拉肚子", "rr62"),
])
def test_round_five_forms_are_recognised(rules, text, code):
    hit = rules.detect(text)
    assert hit is not None and hit.code == code


@pytest.mark.parametrize("text", [
    "新房一交楼就发现墙体开裂，开发商说是正常的",
    "早上看到路边有棵树倒了，中午就已经清走了",
    "车库一下雨就积水，每次都要挪车",
])
def test_round_five_non_faults(rules, text):
    assert rules.detect(text) is None


def test_registered_something_without_naming_it_is_vague():
    assert vague.detect("我妈之前在你们这里登记过一个东西，叫我问问有没有结果") is not None
    assert vague.detect("我想问问结婚登记要不要预约") is None


# round 6
@pytest.mark.parametrize("text,code", [
    ("商场的观光电梯卡在半空，里面还有三个人在拍门", "rr29"),
    ("路口的信号灯时亮时灭，车都乱了", "rr27"),
    ("有个厂往河里排黑水，河面上都是泡沫", "rr51"),
    ("工地的塔吊被风吹得一直晃", "rr54"),
    ("今天不是计划停水，突然就没水了", "rr02"),
])
def test_round_six_forms_are_recognised(rules, text, code):
    hit = rules.detect(text)
    assert hit is not None and hit.code == code


def test_asking_whether_an_outage_is_planned_is_not_rapid(rules):
    assert rules.detect("今天停水是计划内的吗？") is None


def test_quick_fix_told_afterwards_with_praise_is_not_rapid(rules):
    assert rules.detect("昨天晚上停电了，师傅一个钟就修好，点个赞") is None


def test_specific_item_wins_over_generic_manhole(rules):
    assert rules.detect("石碣镇一个电信井盖不见了，很危险").code == "rr18"
    assert rules.detect("村里的排水沟盖板没了，晚上有人踩空").code == "rr09"
    assert rules.detect("被狗咬了去打针，医院说狂犬疫苗断货了").code == "rr65"
    assert rules.detect("路边的消防栓被车撞断了，水喷得好高").code == "rr05"


# ------------------------------------------------------------ rapid: what the caller means ------
@pytest.mark.parametrize("text", [
    "不是停电，是我家电费比邻居多一倍",                        # negation
    "我们这边并没有停水，是我家热水器坏了",                     # negation
])
def test_negated_trigger_is_not_rapid(rules, text):
    assert rules.detect(text) is None


@pytest.mark.parametrize("text", [
    "前天停电的时候小区的发电机根本没启动，物业太不负责了",     # past event
    "之前反映的路灯不亮的问题已经修好了，谢谢你们",            # resolved
    "台风刮倒的树两天就全部清理干净了，辛苦了",                # resolved
    "上个月停水三天，物业一点通知都没有，现在我要投诉物业",      # past; 现在 belongs to the complaint
])
def test_past_or_resolved_event_is_not_rapid(rules, text):
    assert rules.detect(text) is None


@pytest.mark.parametrize("text", [
    "停水通知一般在哪里能查到？",
    "下周三东城会不会计划停电？大概停多久？",
    "请问停电了应该打哪个电话报修？",
    "井盖被偷了这种事归哪个部门管？",
    "家里停电了是先找物业还是直接找供电局？",
    "建议在河边步道装一些路灯，晚上散步太黑了",                 # a new facility, not a fault
    "河涌每到夏天就发臭，治理了好几年都没用",                   # chronic
])
def test_consultation_about_a_topic_is_not_rapid(rules, text):
    assert rules.detect(text) is None


def test_current_outage_despite_ruling_out_a_plan_is_rapid(rules):
    text = "昨晚开始就停水，水司说没有计划停水，到现在还是一滴水都没有"
    assert rules.detect(text).code == "rr02"


def test_casework_items_are_not_flagged(rules):
    # rr39 (欠薪) is on the list for the agent, but needs no crew at a place now
    assert rules.detect("工厂拖欠我两个月工资，快过年了，请帮帮我们") is None
    assert rules.detect("楼下酒吧很吵，每天吵到半夜") is None


def test_negation_helper():
    s = cues.plain("并没有闻到燃气味")
    assert cues.negated(s, s.index("闻到"), "闻到燃气味")
    s = cues.plain("没有水用")
    assert not cues.negated(s, 0, "没有水用")


# ------------------------------------------------------------ emergency lines ------------------
@pytest.mark.parametrize("text,line", [
    ("他拿衣架在打我女儿，我们躲在房间里，他在外面砸门", "110"),
    ("邻居家窗户被撬了，小偷好像还在屋里面", "110"),
    ("她说安眠药全吞下去了，不想再醒了", "110"),
    ("仓库的窗口往外冒黑烟，里面有火光", "119"),
    ("老人在楼梯上摔下来，地上一大滩血，意识模糊", "120"),
    ("小孩吃花生卡住了喉咙，脸憋得发紫喘不过气", "120"),
    ("货车把一个骑摩托的人卷到车底了", "122"),
])
def test_emergency_round_two_forms(text, line):
    em = emergency.detect(text)
    assert em is not None and em.line == line


@pytest.mark.parametrize("text,line", [
    ("我表妹站在天台的栏杆外边，说谁过来她就跳", "110"),
    ("我爸突然讲不出话，半边身子动不了，嘴也歪了", "120"),
    ("车间里叉车把一个工人撞倒了，腿流了好多血", "120"),       # workshop, not a road accident
    ("一辆货车冲过护栏翻到桥下，车头冒烟，司机还在车里没出来", "122"),
])
def test_emergency_round_three_forms(text, line):
    em = emergency.detect(text)
    assert em is not None and em.line == line


def test_gas_smell_from_a_neighbours_door_is_119():
    em = emergency.detect("对门那家门缝里一直飘出煤气味，敲门没人应")
    assert em is not None and em.line == "119"


def test_escalator_running_backwards_is_not_a_collapse():
    assert emergency.detect("扶梯突然倒着往下跑，几个人站不稳") is None


def test_a_button_without_reaction_is_not_a_person_without_reaction():
    assert emergency.detect("电梯不动，按钮也没反应，我们被困在里面") is None


def test_crash_with_people_calling_for_help_is_122():
    em = emergency.detect("高速上几台车追尾，车都变形了，里面有人在喊救命")
    assert em is not None and em.line == "122"


def test_pills_of_any_quantity_and_a_near_miss():
    em = emergency.detect("她发信息说吞了一整盒安眠药，现在不回信息")
    assert em is not None and em.line == "110"
    assert emergency.detect("孩子在泳池差点溺水，幸好被救起来了，我要投诉救生员") is None


@pytest.mark.parametrize("text,line", [
    ("隔壁那个男人拿着一把水果刀在楼道里乱挥，说要捅死他老婆", "110"),
    ("几个人拿铁棍在路边围着一个后生仔打，打得满头是血", "110"),
    ("我爸刚刚打电话给我说这辈子太累了，然后就关机了，联系不上", "110"),
    ("我姐吞了一整瓶安眠药，现在叫不醒", "110"),
    ("对面铺头的火苗已经窜到三楼了", "119"),
    ("出租屋里一股石油气的味道，我开着窗不敢开灯", "119"),
    ("公园里一个阿姨突然倒在地上，喊她都不应", "120"),
    ("那个工人倒在楼梯口抽筋，嘴里吐白沫", "120"),
    ("两台电动车对撞，一个人躺在路中间冇动", "122"),
])
def test_emergency_object_and_state_classes(text, line):
    em = emergency.detect(text)
    assert em is not None and em.line == line


@pytest.mark.parametrize("text", [
    "上个月仓库着火，现在空气里还有一股烧焦味，对身体有没有危害？",
    "我找了好多个部门，跑来跑去，跑都跑不动了",
    "台风把一块铁皮吹倒在路上",
    "我年纪大了不想拖累子女，想问问养老院怎么申请",
])
def test_more_decoys_are_not_emergencies(text):
    assert emergency.detect(text) is None


# round 8 (docs/model_card.md): the misses of r7 and the round-8 batch were Cantonese words the rules
# never saw (揸住, 瞓, 唔郁, 食, 冇晒力, 讲嘢), a posture verb other than 站, a collision verb other than
# the listed ones, and vehicles named without 车. Sentences written for the test.
@pytest.mark.parametrize("text,line", [
    ("街口有个后生仔揸住把菜刀周围追人", "110"),                          # 揸住 = 拿着
    ("村口两帮人开片，有人拎住铁棍对打", "110"),                          # a group fight in any words
    ("我细佬坐喺天台嘅栏杆上面，双脚吊出去，点劝都唔肯落嚟", "110"),       # sitting, not standing
    ("我妹发信息话撑不住了，之后反锁房门，敲门都不开", "110"),
    ("佢喺门口一直踢门，话要斩死我", "110"),
    ("有个阿伯晕低咗瞓喺路边唔郁", "120"),                               # 瞓 = 躺, 唔郁 = 不动
    ("我阿嫲啱啱食饭食到一半，突然一边手冇晒力，讲嘢都讲唔清楚", "120"),   # stroke signs
    ("细路食糖卡住喉咙，面都紫晒，出不了声", "120"),                       # choking
    ("的士撞咗个阿婆，阿婆瞓喺地上唔郁", "122"),                         # 的士 is a vehicle
    ("一架小车撞翻了一辆电动车，骑车的人腿好像断了", "122"),              # 撞翻, a broken leg
    ("我被后面的货车追尾了，脖子好痛，车门打不开", "122"),
])
def test_emergency_round_eight_colloquial_forms(text, line):
    em = emergency.detect(text)
    assert em is not None and em.line == line


@pytest.mark.parametrize("text", [
    "涵洞积水好深，有辆小车熄火困在里面，司机已经走出来了",       # 熄火 is an engine, not a fire
    "那个加油站卖的柴油有问题，货车加完一开就冒黑烟",              # exhaust
    "楼下烧烤档排出来的油烟好大，一股烧焦味，熏得我们不敢开窗",    # kitchen smoke, no flame
    "河边现在有人在偷倒建筑垃圾，车还停在那里",                    # 偷倒 is dumping, not theft
    "年会上大家在群里抢红包，抢到的钱怎么交税？",
    "隔壁两公婆又吵架了，声音好大，不过没有动手",                  # a quarrel without violence
    "我最近心情好郁闷，工作压力大，想找个心理咨询",
    # found by running the rules over the category seed corpus (hotline/classify/seed/corpus.csv)
    "我一直跟这些部门打交道，现在还是没解决",                      # 打交道 is not 打交 (a fight)
    "老旧小区消防设施老化，一旦着火后果不堪设想",                  # hypothetical
    "有间工厂的烟囱一直冒黑烟，没有环评手续",                      # a chimney: pollution
    "着火了以后的房屋维修费用能不能申请补助？",                    # a question about the topic
    # the round-8 signs kept narrow: slurred speech only sudden or one-sided, pain only of a body
    # part, a door that will not open only a car's, a kicked door only with a threat
    "窗口工作人员讲话讲不清楚，一直推来推去",
    "车被追尾了，后备箱门打不开，心好痛，保险公司还不赔",
    "楼上小孩一直在撞门，吵死了",
    "楼下几帮人一直在打麻将，吵到半夜",
    "我抱着孩子上车，司机不等人坐好就开车了",
])
def test_round_eight_decoys_are_not_emergencies(text):
    assert emergency.detect(text) is None


def test_someone_inside_a_stuck_lift_is_rapid_not_an_intruder(rules):
    assert emergency.detect("小区电梯卡住了，有人在里面") is None
    assert rules.detect("小区电梯卡住了，有人在里面").code == "rr29"
    em = emergency.detect("我回家发现门锁被撬，有陌生人现在还在里面")
    assert em is not None and em.line == "110"


def test_a_flame_still_makes_kitchen_smoke_a_fire():
    em = emergency.detect("厨房油锅起火了，火窜到抽油烟机上，盖不住")
    assert em is not None and em.line == "119"


def test_cantonese_verbs_are_mapped_but_not_inside_mandarin_words():
    assert cues.plain("我哋食咗饭") == "我们吃了饭"
    assert cues.plain("食品安全") == "食品安全" and cues.plain("学校食堂") == "学校食堂"
    assert cues.plain("成条街黑晒") == "成条街黑"
    assert cues.plain("我有点抑郁") == "我有点抑郁"


def test_learned_fire_reading_of_kitchen_smoke_is_dropped(stub):
    stub(emergency=0.9, line="119")
    assert triage("楼下茶餐厅排出来的油烟好大，一股烧焦的味道").emergency is None
    assert triage("楼下茶餐厅着火了，一股烧焦的味道").emergency_line == "119"


@pytest.mark.parametrize("text,line", [
    ("有个男的拿着刀在菜市场追着人砍，好多人在跑", "110"),
    ("救命，我老公喝醉了在家里打我，我躲在厕所里", "110"),
    ("我真的不想活了，现在站在天台上", "110"),
    ("我朋友发微信说他站在大桥上面，要跳下去，怎么办", "110"),
    ("我家楼下的商铺着火了，火很大，烟都冲上来了", "119"),
    ("家里厨房一股很浓的煤气味，我不敢开灯", "119"),
    ("我们被水困在二楼了，一楼全淹了，水还在涨", "119"),
    ("我爸突然晕倒了，叫不醒，呼吸很弱", "120"),
    ("工友被机器切到手了，血流不止", "120"),
    ("两辆车相撞，有人卡在车里出不来，满脸是血", "122"),
    ("我骑电动车被一辆小车撞了，脚流了好多血站不起来", "122"),
])
def test_each_emergency_line(text, line):
    em = emergency.detect(text)
    assert em is not None and em.line == line and em.reason


@pytest.mark.parametrize("text", [
    "上次火灾后的补偿怎么申请？",                         # past, consultation
    "刚才看到好几辆消防车开过去，请问是哪里着火了？",        # bystander question
    "我想咨询120急救车的收费标准",
    "上周我爸在家晕倒，救护车四十分钟才到，我要投诉",        # past
    "孩子在学校被几个同学打了，学校也不处理",               # past bullying
    "举报一家KTV消防通道锁死，万一着火人都跑不出来",        # hypothetical
    "隔壁工地晚上十一点还在打桩，吵得睡不着",
    "前几天厂里失火，老板到现在都不给我们结工资",
    "小区门口的燃气调压箱一直漏气，味道好大",               # outdoor: rapid, not 119
])
def test_decoys_are_not_emergencies(text):
    assert emergency.detect(text) is None


def test_emergency_is_never_auto_and_never_rapid():
    t = triage("我家楼下的商铺着火了，火很大，烟都冲上来了")
    assert t.emergency_line == "119" and not t.auto and t.rapid is None and t.vague is None
    assert "119" in t.reasons[0]
    row = t.as_row()
    assert row["emergency"] == 1 and row["emergency_line"] == "119" and row["auto"] == 0


# ------------------------------------------------------------ vague ------------------------------
@pytest.mark.parametrize("text", [
    "上次那个问题还没解决",
    "请问那个补贴现在还有没有",
    "我家楼下那个地方最近一直有问题，搞得我们很烦，不知道该找哪个部门，你们帮忙看一下怎么处理。",
    "你们帮帮忙吧，真的受不了了",
])
def test_vague_appeals(text):
    assert vague.detect(text) is not None
    t = triage(text)
    assert t.vague is not None and not t.auto and t.reasons


@pytest.mark.parametrize("text", [
    "请问残疾人证怎么办理",
    "楼上每天晚上十一点以后还在跳绳，说了好几次都没用",
    "有人在我们楼道里飞线给电动车充电，很危险",
])
def test_concrete_appeals_are_not_vague(text):
    assert vague.detect(text) is None


# ------------------------------------------------------------ appeal type ------------------------
@pytest.mark.parametrize("text,code", [
    ("请问居住证续签要带什么材料？", "consultation"),
    ("房东不退押金，我一个外地人不知道怎么办，请帮帮我", "help"),
    ("我要投诉这家快递公司，包裹丢了还不理人", "complaint"),
    ("举报有人在河边非法采砂，每天晚上都来", "report"),
    ("建议在学校门口加一个红绿灯", "suggestion"),
    ("感谢社区网格员，天天上门关心独居老人，表扬一下", "praise"),
])
def test_appeal_type_codes(text, code):
    at = AT.predict(text)
    assert at.code == code and 0 < at.score <= 1
    assert set(at.scores) == set(AT.CODES) == set(AT.type_names())


def test_appeal_type_corpus_covers_every_type():
    _, labels = AT.load_corpus()
    assert set(labels) == set(AT.CODES)
    assert len(labels) >= 300 and min(labels.count(c) for c in AT.CODES) >= 30


# ------------------------------------------------------------ auto floor and margin --------------
class ScoresPredictor:
    """Test double of Predictor's interface with chosen scores (the floor and margin rule is what
    is under test, not the model)."""

    def __init__(self, scores, threshold=0.11):
        self.scores = scores
        self.threshold = threshold
        self.label_units = {"water_supply": "util_water", "power_supply": "util_power", "other": "town",
                            "sanitation": "town"}

    def predict(self, text, k=3):
        return {"suggestions": [{"label": lab, "score": sc} for lab, sc in self.scores[:k]]}


PLAIN = "这个月水费比上个月贵了一倍，家里用水没有变"


def test_floor_does_not_depend_on_the_models_threshold():
    policy = AutoPolicy(min_score=0.5, min_margin=0.2)
    low = ScoresPredictor([("water_supply", 0.45), ("power_supply", 0.05)], threshold=0.11)
    t = triage(PLAIN, predictor=low, policy=policy)
    assert not t.auto and "下限0.50" in t.reasons[0]
    ok = ScoresPredictor([("water_supply", 0.75), ("power_supply", 0.05)], threshold=0.11)
    t = triage(PLAIN, predictor=ok, policy=policy)
    assert t.auto and t.unit == "util_water"
    # the model's own CV threshold can only raise the floor
    strict = ScoresPredictor([("water_supply", 0.75), ("power_supply", 0.05)], threshold=0.8)
    assert not triage(PLAIN, predictor=strict, policy=policy).auto


def test_margin_over_the_runner_up():
    policy = AutoPolicy(min_score=0.5, min_margin=0.2)
    close = ScoresPredictor([("water_supply", 0.55), ("power_supply", 0.40)])
    t = triage(PLAIN, predictor=close, policy=policy)
    assert not t.auto and "接近" in t.reasons[0] and "供电" in t.reasons[0]


def test_other_never_auto_dispatches():
    t = triage(PLAIN, predictor=ScoresPredictor([("other", 0.95), ("water_supply", 0.01)]), town="虎门镇")
    assert not t.auto and "其他" in t.reasons[0]


def test_town_unit_resolves_from_argument_or_text_else_no_auto():
    p = ScoresPredictor([("sanitation", 0.9), ("other", 0.02)])
    text = "垃圾桶满了好几天，臭得不得了，希望安排清运"
    assert triage(text, predictor=p, town="虎门镇").unit == "town_humen"
    assert triage(text, predictor=p, town="town_humen").auto
    assert triage("厚街镇" + text, predictor=p).unit == "town_houjie"
    t = triage(text, predictor=p)
    assert t.unit is None and not t.auto and "镇街" in t.reasons[0]


def test_rapid_hit_routes_to_the_items_own_unit():
    p = ScoresPredictor([("sanitation", 0.9), ("other", 0.02)])
    t = triage("厚街那个沙井盖不见了，晚上骑车很容易掉下去", predictor=p)
    assert t.rapid.code == "rr23" and t.category == "road_maintenance" and t.unit == "dept_transport"
    assert t.auto and t.rapid.contact_minutes <= 30


def test_issue_example_vague_appeal_is_not_auto_dispatched(predictor):
    text = "我家楼下那个地方最近一直有问题，搞得我们很烦，不知道该找哪个部门，你们帮忙看一下怎么处理。"
    t = triage(text, town="虎门镇", predictor=predictor)
    assert not t.auto and t.vague is not None


def test_shipped_config_floor_and_margin():
    p = AutoPolicy.from_settings()
    assert p.min_score >= 0.4 and p.min_margin > 0


# ------------------------------------------------------------ own test set -----------------------
def test_own_case_set_is_well_formed():
    rows = list(csv.DictReader(open(CASES, encoding="utf-8")))
    assert len(rows) >= 150
    for r in rows:
        flags = int(r["rapid"]) + int(r["emergency"]) + int(r["vague"])
        assert flags <= 1 and (r["emergency_line"] != "") == (r["emergency"] == "1")
        assert r["appeal_type"] in set(AT.type_names().values())


def test_own_case_set_meets_the_acceptance_figures(predictor):
    """Regression guard over the team's own cases (tuned on, so well above the issue's bars):
    a rule change that loses recall or adds false positives shows up here."""
    from hotline.classify.triage_eval import score

    gold = list(csv.DictReader(open(CASES, encoding="utf-8")))
    pred = [{"id": g["id"], **triage(g["text"], predictor=predictor).as_row()} for g in gold]
    s = score(pred, gold)
    # raised after the six generalisation rounds (827 cases: 252/252 rapid, 1/397 FP, 100/100
    # emergencies, 0/727 FP; docs/model_card.md): only ever raised
    assert len(gold) >= 800
    assert s["rapid_recall"] >= 0.98 and s["rapid_fp_rate"] <= 0.01
    assert s["emergency_recall"] >= 0.98 and s["emergency_fp_rate"] <= 0.005 and s["emergency_auto"] == 0
    assert s["emergency_line_correct"] >= 0.98
    assert s["vague_no_auto"] >= 0.97 and s["plain_auto"] >= 0.6
    assert s["appeal_type_macro_f1"] >= 0.85


# ------------------------------------------------------------ learned fallback (round 7) ---------
class _StubModel:
    """A triage_model.TriageModel stand-in that reads every text the same way."""

    def __init__(self, rapid=0.0, emergency=0.0, line=None):
        from hotline.classify.triage_model import Reading

        self.reading = Reading(rapid, emergency, line)

    def read(self, text):
        return self.reading


@pytest.fixture
def stub(monkeypatch):
    from hotline.classify import triage_model as TM

    def use(**kw):
        monkeypatch.setattr(TM, "default_model", lambda: _StubModel(**kw))
    return use


# wording no rule names (a new object and state): only the learned reading can flag it
UNSEEN_RAPID = "石碣镇那个公交站的顶棚被风掀翻了一半，铁皮吊着晃来晃去"


def test_rules_alone_miss_the_unseen_wording():
    assert triage(UNSEEN_RAPID, policy=AutoPolicy(model=False)).rapid is None


def test_learned_rapid_reading_flags_what_the_rules_miss(stub):
    stub(rapid=0.9)
    t = triage(UNSEEN_RAPID, town="石碣镇")
    assert t.rapid is not None and t.rapid.phrase == ""
    assert t.auto and t.unit is not None
    assert any("按全文判断" in r for r in t.reasons)


def test_learned_rapid_reading_below_the_threshold_does_not_count(stub):
    stub(rapid=0.55)
    assert triage(UNSEEN_RAPID, town="石碣镇").rapid is None


@pytest.mark.parametrize("text", [
    "请问公交站顶棚被风吹坏了应该找哪个部门？",                # a question about the topic
    "上个月公交站的顶棚被风掀翻了，后来已经修好了",            # over and fixed
    "建议在公交站加装顶棚，下雨天等车太难了",                  # a suggestion
    "公交站顶棚被风掀翻后半小时就修好了，给师傅点赞",          # praise
])
def test_learned_rapid_reading_keeps_the_rules_vetoes(stub, text):
    stub(rapid=0.99)
    assert triage(text, town="石碣镇").rapid is None


def test_learned_emergency_reading_hands_over_with_its_line(stub):
    stub(emergency=0.9, line="120")
    t = triage("我老婆怀孕八个月，突然肚子好痛，下面在流血", town="南城街道")
    assert t.emergency_line == "120" and not t.auto and t.rapid is None
    assert "120" in t.reasons[0]


@pytest.mark.parametrize("text", [
    "请问120救护车怎么收费？",
    "前几天我爸在家摔倒了，已经送医院了，想问医保怎么报",
])
def test_learned_emergency_reading_keeps_the_vetoes(stub, text):
    stub(emergency=0.95, line="120")
    assert triage(text).emergency is None


def test_a_possible_emergency_is_never_auto_dispatched(stub, predictor):
    plain = "公司拖欠我们三个月工资，老板跑了"
    stub(emergency=0.0)
    assert triage(plain, town="东城街道", predictor=predictor).auto
    stub(emergency=0.35, line="110")
    held = triage(plain, town="东城街道", predictor=predictor)
    assert held.emergency is None and not held.auto
    assert any("人身安全" in r for r in held.reasons)


def test_learned_fallback_can_be_switched_off(stub):
    stub(rapid=0.99, emergency=0.99, line="110")
    t = triage(UNSEEN_RAPID, town="石碣镇", policy=AutoPolicy(model=False))
    assert t.rapid is None and t.emergency is None


def test_shipped_model_reads_whole_appeals():
    """The model trained on the shipped cases, on wording written after it (not in its cases)."""
    from hotline.classify.triage_model import default_model

    m = default_model()
    assert m.read("厚街镇有一段河堤在往外渗水，堤下面的村道已经湿了一大片").rapid >= 0.6
    assert m.read("我家隔壁那户的阿伯倒在门口，脸色发青，喊他都不应").emergency >= 0.6
    assert max(m.read("请问居住证续签要带什么材料").rapid, m.read("请问居住证续签要带什么材料").emergency) < 0.3


def test_triage_model_settings_are_validated(tmp_path):
    from hotline.classify import settings
    from hotline.core.configfile import ConfigError

    p = tmp_path / "classify.yaml"
    p.write_text("triage_model:\n  emergency_min: 0.5\n  emergency_hold: 0.6\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        settings.load(p)
    p.write_text("triage_model:\n  rapid_min: 1.5\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        settings.load(p)
    p.write_text("triage_model:\n  rapid_mni: 0.5\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        settings.load(p)
    shipped = AutoPolicy.from_settings()
    assert shipped.model and shipped.emergency_hold <= shipped.emergency_min


@pytest.mark.parametrize("name", ["triage_holdout_r7.csv", "triage_holdout_r8.csv"])
def test_holdout_batches_are_well_formed_and_untouched(name):
    """The round-7 and round-8 batches are evaluation files: never in the training cases."""
    from pathlib import Path

    rows = list(csv.DictReader(open(Path(__file__).parent / "data" / name, encoding="utf-8")))
    assert len(rows) >= 100 and len({r["id"] for r in rows}) == len(rows)
    cases = {r["text"] for r in csv.DictReader(open(CASES, encoding="utf-8"))}
    assert not cases & {r["text"] for r in rows}
    for r in rows:
        assert int(r["rapid"]) + int(r["emergency"]) + int(r["vague"]) <= 1
        assert (r["emergency_line"] != "") == (r["emergency"] == "1")

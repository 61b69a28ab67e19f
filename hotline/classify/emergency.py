"""Emergency hand-off (issue 14, Build 4): danger to life, a person or property NOW is not a
12345 work order; the agent transfers the caller to 110 (violence, crime in progress, a suicide
threat), 119 (fire, people trapped by fire or flood, gas smelt inside a home), 120 (someone
unconscious or bleeding, another medical emergency) or 122 (a road accident with injuries).

Rules, not a model: a missed emergency costs a life and the vocabulary is small and stable, so
every decision names the phrase that made it. A hit is dropped when its sentence is a question
about the topic ("请问是哪里着火了？", "120急救车怎么收费") or the event is over ("上周我爸晕倒…").
Pure: regexes over `cues.plain(text)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import cues

LINES = {"110": "110报警", "119": "119消防", "120": "120急救", "122": "122交通事故"}


@dataclass(frozen=True)
class Emergency:
    line: str          # "110" / "119" / "120" / "122"
    kind: str          # short English key, stable for tests and logs
    phrase: str        # the words that triggered it
    reason: str        # Chinese, shown on the agent's blocking banner


# Lexicons the rules combine (issue 14, Build 4): callers name a weapon, a vehicle or a body state
# in many words, so the rules pair a class of objects with a class of actions instead of listing
# whole phrases ("拿着菜刀乱挥", "拿钢管追打", "两台摩托车对撞", "瘫在地上喊不应").
_WEAPON = r"(皮带|衣架|菜刀|砍刀|西瓜刀|水果刀|匕首|尖刀|刀子|刀|钢管|铁管|铁棍|木棍|棍子|棍棒|棒球棍|铁锤|锤子|斧头|铁锹|砖头|酒瓶|枪)"
_VEHICLE = r"(车|摩托|电动车|电瓶车|单车|自行车|货车|泥头车|公交|大巴|的士|出租车|司机|骑)"
_WHO = r"(人|他|她|伯|婆|爷|奶|叔|姨|孩|仔|工|者|爸|妈|哥|姐|弟|妹|头|佬|友|家|客)"
_PERSON_DOWN = (_WHO + r".{0,6}(瘫|倒|躺|晕|昏|趴)(在|倒)?(地上|地下|路上|路边|路中间|路中|楼梯|门口|床上|厕所|车里|水里|血泊)|"
                r"(喊|叫|拍|摇)(他|她|人|了|都|也|半天)*(不应|不醒|没(有)?反应|没(有)?回应|都不动)|"
                r"(没|冇)(有)?(了)?(知觉|意识|气息|心跳|脉搏)|" + _WHO + r".{0,4}(冇|没)(有)?(动静|再动)|一动(都)?不动|"
                r"抽筋|抽搐|吐(白)?沫|吐泡泡|翻白眼|脸色(发)?(白|青|紫)|嘴唇(发)?(紫|青)|"
                r"(按|压)(胸口|心脏)|心肺复苏|人工呼吸|满头(是)?血|头破血流|一(身|脸|地)(是)?血|(好|很)多血")

# (line, kind, pattern, strong): strong patterns need no sign of "now" (持刀砍人 is always now);
# weak ones ("被打", "流了好多血") need one, so a past complaint does not fire.
_RULES: list[tuple[str, str, re.Pattern, bool, str]] = [
    ("110", "suicide", re.compile(
        r"不想活|活不下去|活着没意思|活够了|不想再活|想死|去死|自杀|轻生|寻死|跳楼|要跳下去|想跳下去|跳河|跳江|跳桥|割腕|"
        r"(吃|吞|喝)了?(很多|一瓶|好多|一整瓶|一把|半瓶|一整盒|一盒|一板|整瓶|整盒)?(安眠药|药|农药|敌敌畏|百草枯|老鼠药|杀虫剂)|(吃|吞|喝)(了|下|掉)?.{0,5}(安眠药|农药|敌敌畏|百草枯|老鼠药|杀虫剂)|喝(了)?农药|烧炭|上吊|"
        r"了结自己|结束(自己的)?生命|遗书|遗言|永别|下辈子再|(药|安眠药).{0,4}(都|全)?(吃|吞|喝)(下去|完|光)|不(用|想|会)再醒|一睡不醒|"
        r"(楼顶|天台|桥上|江边|河边|楼上).{0,60}(欠了|辞退|不理解|说完|最后|解脱|再见|帮我跟|东西都)|"
        r"(东西都(已经)?放(在|好)|到时候帮我跟|帮我跟我(妈|爸|家人|老婆)说)|"
        # standing outside the railing, "她就跳": a jump threat in any words
        r"站在.{0,8}(栏杆|护栏|窗台|窗户|窗外|楼顶|天台|桥栏)(外面|外边|外|边上|上面|上)|"
        # sitting or climbing on a bridge railing or a ledge with the legs out or refusing to come
        # down (round 8: "坐在大桥的栏杆上面，脚都伸出去了")
        r"(坐|爬|蹲|站)(在|到|上)?.{0,10}(栏杆|护栏|窗台|楼顶|天台|桥栏|屋顶|楼边|桥边)(外面|外边|外|边上|边|上面|上).{0,20}(脚|腿|劝|不理|不肯下|不下来|危险|哭)|(她|他|我)(就|要|会|说要)(去)?跳(?!舞|绳|槽|远|高|广场)"), True, "有轻生风险"),
    # indirect farewell ("这辈子太累了，不想再拖累你们") counts only with a sign the person is out of
    # reach now (locked in, not answering), else it is 心情疏导 casework
    ("110", "suicide", re.compile(
        r"(不想(再)?拖累|拖累(你们|我们|大家|家里)|这辈子(太累|就这样|算了)|对不起(你们|大家|家里)|照顾好(自己|爸妈|孩子|妈)|"
        r"撑不下去|熬不下去|撑不住|顶不住|扛不住|没(有)?活路).{0,60}(锁|不应|不接|关机|联系不上|找不到|打不开|不开门|门都不开|都不开|(药|绳子|炭|刀).{0,10}(准备好|买好|备好|在手上))|"
        r"(锁|不应|不接|关机|联系不上|找不到|打不开|不开门).{0,60}(不想(再)?拖累|这辈子(太累|就这样|算了)|对不起(你们|大家)|撑不下去|熬不下去)"),
     True, "有轻生风险"),
    ("110", "violence", re.compile(
        r"持刀|拿(着)?刀|拿着(棍|铁棍|砍刀)|砍人|捅人|捅了|行凶|抢劫|抢包|抢(了|走)|(在)?抢(?!红|购|票|单|修|险|救|先|占|着|到|答|位).{0,6}(的)?(包|手机|钱包|项链|金链|耳环)|绑架|劫持|绑走|"
        r"(拿|持|举|挥|抡|提)(着)?.{0,4}" + _WEAPON + r"|" + _WEAPON + r".{0,8}(乱挥|乱砍|砍|捅|追|打|砸|指着|威胁)|"
        r"(砍|打|杀|捅|弄|掐)死|追(着)?(打|砍|杀)|追打|追砍|围(着)?打|暴打|群殴|"
        r"躲(在|进)(厕所|洗手间|卫生间|房间|柜子|阳台|床底).{0,30}(他|她|外面|门)|在外面(踢|砸|撞|拍)门|"
        r"撬(开|坏)?.{0,6}(门|窗|锁)|(门|窗|锁).{0,4}被撬|(小偷|贼|陌生人|有人).{0,12}(还在|在)(屋)?里面|人(好像)?还在(屋)?里面|"
        r"跳下去|跳楼|跳河|跳江|跳桥|跳海|(一直|有人|陌生人|男的|女的)跟着我|强奸|非礼|入室|撬.{0,6}门|撬锁|在撬|砸门|闯进(来|我家)|有人(跟踪|尾随)|勒索|要杀|杀人|杀了"), True, "正在发生暴力或犯罪"),
    ("110", "violence", re.compile(
        r"打人|被打|打我|对打|打交(?!道)|互殴|开片|(两|几)(班|帮|伙|群)人.{0,6}(砍|打(?!牌|麻将|球|篮球|羽毛球|乒乓|扑克|工|卡|针|电话|游戏|太极))|(正在|在)打(人|架|我|他|她|老人|小孩)|打起来|打架|斗殴|殴打|围殴|家暴|动手|偷(东西|车|电动车)|小偷|有人在偷(?!倒|排|运|拉|接|建|挖|采|开|卖|懒|税|电|水|埋|放|烧|工)|"
        r"打(得|到)?.{0,4}(是血|流血|出血)|(打|抽|踢|掐|揍|扇|砍)(我|我们|小孩|孩子|我妈|我老婆|我女儿|我儿子)"), False,
     "正在发生暴力或犯罪"),
    ("119", "fire", re.compile(
        r"着火|起火|失火|烧起来|烧着了|火很大|(好|很|特别)大的火|冒火(?!花)|火烧得|火势|冒(黑|浓)烟|浓烟|烟(好|很|特别)大|烧焦(味|的味道)|"
        r"火(苗|舌|光).{0,6}(窜|冒|蹿|烧)|(窜|蹿)(出|起).{0,2}火|(看到|看见|有|红红的|冒出)(的)?火光|"
        r"(窗|楼|屋|房|铺|厂|店|阳台|宿舍|仓库).{0,8}(往外)?冒(出)?(黑|浓|白)?烟"), True, "发生火情"),
    ("119", "fire", re.compile(r"火灾|火烧|大火|明火|火苗|爆炸|冒烟"), False, "发生火情"),
    ("119", "trapped", re.compile(
        r"(水|洪水).{0,12}(浸到|淹到|漫到|涨到|没过|还在涨).{0,40}(出不去|被困|困在|下不来|走不了|逃不出)|"
        r"(出不去|被困|困在|下不来|走不了).{0,30}(水还在涨|水越来越|洪水|被水围)|"
        r"(被困|困在|出不去|下不去|逃不出).{0,20}(火|烟)|(火|烟).{0,20}(被困|困在|出不去|下不去|逃不出)"),
     True, "有人被困"),
    ("119", "gas_home", re.compile(
        r"(家里|屋里|厨房|房间|室内|家中|屋内|房子里|我家|回家|回到家|进门|一开门|楼道里|出租屋|宿舍|门缝|隔壁(屋|家|那户)|邻居家|对门).{0,20}(煤气|燃气|天然气|液化气|石油气|臭鸡蛋)(的)?(味|气味|泄漏|漏气|漏了)|"
        r"(煤气|燃气|天然气|液化气|石油气|臭鸡蛋)(的)?(味|气味|泄漏|漏气|漏了).{0,20}(家里|屋里|厨房|房间|室内|家中|屋内|不敢开火|不敢开灯|开着窗|开窗)|"
        r"(液化气罐|煤气罐|气瓶).{0,6}(漏气|泄漏|着火)|"
        r"(燃气灶|煤气灶|热水器|灶台).{0,15}(气味|味道|煤气味|燃气味|漏气|嘶嘶)"), True, "室内闻到燃气味"),
    ("122", "traffic_injury", re.compile(
        r"(车祸|撞车|相撞|对撞|撞在一起|撞成一团|碰撞|撞了|撞翻|撞烂|撞断|撞死|被撞|被车撞|撞倒|追尾|翻车|车(子)?翻了|侧翻|翻(到|下|进|落)|冲(出|过|下|进)(了)?(护栏|路基|桥|河|沟|路边)|掉(下|进)(桥|河|沟)|碾|刮倒|撞到|撞伤|撞飞|撞上|飞出去).{0,40}"
        r"(受伤|伤者|流血|流了|出血|站不起来|起不来|骨折|(腿|脚|手|手臂|骨头)(好像|应该|都)?断了|不动|(脖子|头|腿|脚|手|腰|胸口|肚子|身上)(好|很|非常|特别)(痛|疼)|车门(都)?(打|拉|推)不开|昏迷|不动|没动|动不了|卡在车里|困在车里|(还在|困在|卡在)车(里|内)|没(有)?出来|头破|撞晕|伤了|痛得|很痛|很疼|"
        r"(倒|躺|趴)(在)?(地上|路上|路中间|路边|地下|那|血)|是血|身血|头破血流|没(有)?反应|不省人事|(喊|叫)救命|呼救|变形)|"
        r"(受伤|流血|站不起来|骨折|昏迷|头破).{0,30}(车祸|撞车|相撞|对撞|被撞|被车撞|追尾|翻车)|"
        r"(卷|压|碾|拖)(到|进|在|住)?.{0,4}(车底|车轮|轮子)|车底下.{0,10}(人|压|拉不出|出不来)"), True,
     "交通事故有人受伤"),
    ("120", "medical", re.compile(
        r"叫不醒|不省人事|没(有)?呼吸|(他|她|人)(都|也)?没(有)?反应|(怎么|一直)?(叫|喊|拍|摇)(他|她|人)?(都|也)没(有)?反应|突然倒地|口吐白沫|血流不止|大出血|心跳停|快不行了|休克|"
        r"(突然|一下子).{0,4}(瘫|倒(地|下|在)|晕|昏)|(嘴|口)(角)?(都)?(歪|斜)了|半边(身子|身体|手脚|手|脚|脸).{0,4}(没力|无力|不能动|动不了|麻|不听使唤)|一(大)?(滩|摊)(的)?血|血流了一地|迷迷糊糊|意识模糊|神志不清|(卡|噎)(住|到)(了)?(喉咙|气管).{0,20}(喘不|透不|憋|说不出|脸|面|出不了声|不识得出声|发不出声|哭不出|没声)|(倒|瘫|躺)(在)?.{0,6}(抽筋|抽搐)|(抽筋|抽搐).{0,10}(吐(白)?沫|吐泡泡|翻白眼)|(瘫|倒|晕|昏)(在|倒).{0,10}(喊|叫|拍)(他|她|人)?(都|也)?(不应|不醒|没反应)"), True, "有人需要急救"),
    ("120", "medical", re.compile(
        r"胸口(好|很|非常|特别)?(痛|疼)|胸痛|(一边|半边|单边|一侧)(的)?(手|脚|手脚|身子|身体|身|脸|面).{0,4}(没力|无力|不能动|动不了|发麻|不听使唤|没(有)?知觉|举不起)|(突然|一下子).{0,10}((说|讲)话(都)?(说|讲)?(不清楚|不清|含糊)|口齿不清)|((说|讲)话(都)?(说|讲)?(不清楚|不清|含糊)|口齿不清).{0,15}(嘴(巴)?歪|一边|半边)|嘴(巴)?歪(到)?一边|满头大汗|说不出话|讲不出话|话都说不出|嘴唇发紫|脸(都)?(发)?紫|噎住|喘不过气|过敏|烫伤|烧伤|被砸|"
        r"倒在地上|晕倒|昏倒|昏迷|晕过去|不省人事|叫不醒|没(有)?意识|(他|她|人)(都|也)?没(有)?反应|一动不动|没(有)?呼吸|没气了|心跳停|"
        r"抽搐|口吐白沫|大出血|(一直|不停|好多|很多)(在)?(出血|流血)|怀孕.{0,20}(出血|流血|肚子(好|很)?(痛|疼))|流了(好多|很多|一地|一身)?血|流(好多|很多)血|血流不止|吐血|喘不上气|呼吸困难|"
        r"心脏病(发|犯)|中风了|突发(疾病|心脏|脑)|误服|误食|吞了|摔下来|触电|溺水|快不行了|快生了|羊水破|中暑|" + _PERSON_DOWN),
     False, "有人需要急救"),
    # someone grabbed and calling for help, with no fire, accident or medical reading (round 8:
    # "拉住一个女仔不放，女仔一直喊救命"): lowest rank, so any other reading of the same text wins
    ("110", "violence", re.compile(r"(一直|大声|拼命|在)(喊|叫)救命|(拉|拖|抓|扯)(住|着).{0,8}(不放|往车上|往巷)"),
     True, "有人呼救"),
]
# transferring to an emergency line is not the answer to a hazard report ("消防隐患", "防火")
_NOT_NOW = re.compile(r"差点|险些|幸好|幸亏|救(起来|上来|出来)了|新闻|听说|报道|表扬|感谢|点赞|做了急救|送(到)?医院了|已经(送|脱离|没事)|才到|才来|来得(太)?慢|早就|万一|一旦|如果|假如|要是|的话|隐患|防火|消防检查|消防演练|演习|火灾险|防溺水|触电危险|容易(着火|起火|触电)|会不会")
# words holding 火 or 烟 that name no fire (an engine stalling, a train, a hotpot, a cigarette,
# kitchen fumes): masked, position for position, before the fire and trapped rules read the text
# (round 8: "小车熄火困在里面" read as "火…困在")
_NOT_FIRE = re.compile(r"熄火|火车|火锅|火腿|打火机|火柴|上火|发火|火气|火爆|火龙果|火葬|火化|香火|防火|灭火器|火候|火速|火辣|"
                       r"抽烟|吸烟|香烟|烟草|烟酒|烟头|烟民|油烟|烟囱|烟筒|烟熏|烟花|烟雾报警|烟感")
# black smoke from an engine or a chimney is exhaust or pollution, not a fire (r7: "货车加完就冒黑烟");
# a flame word still makes it a fire
_EXHAUST = re.compile(r"排气管|尾气|柴油|汽油|加完|发动|开起来|一开就|一踩油门|烟囱|烟筒|锅炉|煤炉")
# a burnt smell or smoke from a kitchen, a restaurant or a barbecue is a nuisance, not a fire
# (issue 14: "smell of smoke from a restaurant"); a flame word still makes it a fire
_COOKING = re.compile(r"餐厅|饭店|餐馆|饭馆|大排档|烧烤|烧腊|食堂|排风|抽油烟|油烟|炒菜|烤(东西|肉|鸭|鸡)")
_FLAME = re.compile(r"着火|起火|失火|火很大|大火|明火|火苗|火光|烧起来|烧着")
# the people are out: nobody is trapped any more (an empty stalled car in a flooded underpass is a
# rapid-response flood, not a rescue)
_GOT_OUT = re.compile(r"(人|司机|大家|我们|他们|全部|都)(已经|都|全部)?(爬|逃|跑|走|救|撤|疏散|游)(了)?出(来|去)(了)?|人(都)?没事")


def _mask(s: str) -> str:
    return _NOT_FIRE.sub(lambda m: "＿" * len(m.group(0)), s)


_NOW = re.compile(r"现在|正在|刚刚|刚才|还在|快来|快点|赶紧|赶快|救命|马上|立刻|怎么办|一直|已经|突然|了[，。！]|了$|好多|很多|好像|旁边的人|在地上|在路")


def detect(text: str) -> Emergency | None:
    s = cues.plain(text)
    if not s:
        return None
    past = cues.is_past(s)
    masked = _mask(s)
    best: tuple[int, Emergency] | None = None
    for rank, (line, kind, rx, strong, reason) in enumerate(_RULES):
        for m in rx.finditer(masked if kind in ("fire", "trapped") else s):
            sent = cues.sentence_at(s, m.start())
            if _NOT_NOW.search(sent):
                continue
            if _question_about(sent):
                continue
            # a repeated nuisance ("每天晚上都烧") is for enforcement, not an emergency line
            if re.search(r"每天|天天|每晚|经常|总是", sent) and not cues.NOW_STRICT.search(sent):
                continue
            if past and not re.search(r"现在|正在|刚刚|刚才|还在|快来|救命", s):
                continue
            # "前几天厂里失火，老板到现在都不给工资": the event's own clause is in the past
            if cues.clause_is_past(s, m.start(), m.end()):
                continue
            # smoke or a burnt smell from a power box is a rapid-response repair (rr12), not a fire call
            if (kind == "fire" and re.search(r"电箱|变压器|电房|电表箱|电线|电缆", sent)
                    and not re.search(r"着火|起火|失火|火很大|大火|明火|火苗", sent)):
                continue
            if kind == "fire" and smoke_explained(sent):
                continue
            if kind == "trapped" and _GOT_OUT.search(s):
                continue
            # "电梯卡住有人在里面" is a lift entrapment (rapid rr29), not an intruder in a home
            if kind == "violence" and m.group(0).endswith("里面") and re.search(r"电梯|升降梯|轿厢", sent):
                continue
            # "摔下来，头撞到了" is a fall (120); a road accident needs a vehicle
            # a forklift or crane in a workshop is an industrial accident (120), not a road one
            if kind == "traffic_injury" and not re.search(r"车|司机|骑|摩托|的士|巴士|公交|泥头", re.sub(r"叉车|铲车|吊车|行车|推车|车间|车库|车位", "", sent)):
                continue
            if not strong and not _NOW.search(sent):
                continue
            if cues.negated(s, m.start(), m.group(0)):
                continue
            em = Emergency(line, kind, m.group(0), f"{reason}（{m.group(0)}），请立即转{LINES[line]}")
            # a road accident with injuries goes to 122 even though it mentions blood (120)
            prio = 0 if kind == "traffic_injury" else rank + 1
            if best is None or prio < best[0]:
                best = (prio, em)
            break
    return best[1] if best else None


def not_now(s: str) -> bool:
    """The text as a whole rules an emergency out: a near miss, hearsay, a hazard or a drill
    (_NOT_NOW), an event that is over, or a question about the topic, with no call for help now.
    Used for readings that name no phrase (hotline.classify.triage_model)."""
    if re.search(r"救命|快来|快点|赶紧|赶快", s):
        return False
    if _NOT_NOW.search(s) or _question_about(s) or cues.is_inquiry(s):
        return True
    return cues.is_past(s) and not re.search(r"现在|正在|刚刚|刚才|还在", s)


def smoke_explained(s: str) -> bool:
    """Smoke or a burnt smell whose source the caller names as an engine, a chimney or a kitchen,
    and no flame: not a fire call. The fire rule asks it per sentence; the learned fallback's 119
    reading (hotline.classify.triage) asks it of the whole text. Read unmasked: 烟囱 and 油烟
    name the source (_NOT_FIRE masks them only for the fire rule's own match)."""
    return bool(_EXHAUST.search(s) or _COOKING.search(s)) and not _FLAME.search(s)


_ABOUT = re.compile(r"请问|咨询|补助|问一下|想问|哪里着火|是不是着火|什么时候|怎么(申请|办理|收费|投诉)|收费标准|好奇|补偿|赔偿|(有没有|有什么|会不会)(危害|影响)|对(人体|身体|健康)")


def _question_about(sent: str) -> bool:
    about = _ABOUT.search(sent) or re.search(r"(安全|正常|要紧|危险)吗[？?]?$|吗[？?]$", sent)
    return bool(about) and not re.search(r"救命|快来|快点|赶紧|怎么办", sent)

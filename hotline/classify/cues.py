"""What the caller means, beyond the words matched: negation, past or resolved events, and a
question ABOUT a topic versus a report of a current fault (issue 14, Build 3). Pure regex rules.

The rules work on `plain(text)`: NFKC, Simplified, lower case, a few Cantonese and typo forms
mapped to Mandarin (冇 -> 没, 己经 -> 已经) so that one pattern covers them. Unlike
`text.normalise` it keeps 谢谢/感谢 (praise cues) and does not mask digits.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from . import text as T

# Cantonese-flavoured and mistyped forms seen in hotline notes -> the Mandarin the rules expect
_COLLOQUIAL = [
    ("冇", "没"), ("嘅", "的"), ("唔", "不"), ("咗", "了"), ("係", "是"), ("喺", "在"), ("佢", "他"),
    ("啲", "些"), ("睇", "看"), ("乜", "什么"), ("己经", "已经"), ("以经", "已经"), ("路登", "路灯"),
    ("黑麻麻", "黑漆漆"), ("搞到", "弄得"), ("好似", "好像"),
    # Dongguan callers' Cantonese: pronouns, place and time words, the tap; 系 only in its copula
    # uses (it is also 联系/关系/系统)
    ("我哋", "我们"), ("你哋", "你们"), ("佢哋", "他们"), ("呢度", "这里"), ("嗰度", "那里"), ("琴晚", "昨晚"),
    ("琴日", "昨天"), ("而家", "现在"), ("屋企", "家里"), ("水喉", "水龙头"), ("出嚟", "出来"), ("嚟", "来"),
    ("点解", "为什么"), ("仲有", "还有"), ("咁", "这样"), ("我系", "我是"), ("都系", "都是"), ("就系", "就是"),
    ("唔系", "不是"), ("系咪", "是不是"),
    # issue 14 round 8 (docs/model_card.md): the words Dongguan callers use for what the emergency
    # rules look for: holding a weapon (揸住), lying down (瞓), not moving (唔郁), just now (啱啱),
    # speaking (讲嘢), standing (企喺), eating (食饭/食咗, see _EAT) and "completely" (青晒, 冇晒力)
    ("揸住", "拿着"), ("揸着", "拿着"), ("瞓", "躺"), ("唔郁", "不动"), ("不郁", "不动"), ("冇郁", "没动"), ("啱啱", "刚刚"),
    ("讲嘢", "说话"), ("企喺", "站在"), ("企在", "站在"), ("嗰", "那"), ("边度", "哪里"), ("攞", "拿"),
    ("落唔到", "下不去"), ("落不到", "下不去"), ("追住", "追着"), ("睇住", "看着"), ("酒樽", "酒瓶"), ("樽", "瓶"),
    ("斩死", "砍死"), ("斩人", "砍人"), ("讲唔到嘢", "说不出话"), ("讲不到嘢", "说不出话"), ("嘢", "东西"),
    # 郁 is "move" only next to a negation or a result (抑郁/郁闷 stay)
    ("郁唔到", "动不了"), ("郁不到", "动不了"), ("郁不了", "动不了"), ("冇得郁", "动不了"),
]
# 食 is "eat" in Cantonese, but also part of 食品/食堂/粮食...: only the verb is mapped
_EAT = re.compile(r"(?<![饮粮零美伙素熟主肉冷甜面快饱节禁绝膳副饲寒])食(?![品堂物用材肆谱宿欲盐指言客量杂疗补粮道管监药安])")
# "X晒" (all, completely) after a state: 黑晒 -> 黑, 冇晒力 -> 没力
_SAI = re.compile(r"(?<=[没黑坏青紫白湿烂断停死完走光红肿])晒")
_PUNCT = str.maketrans({"?": "？", "!": "！", ",": "，", ";": "；", ":": "："})


@lru_cache(maxsize=1024)
def plain(text: str | None) -> str:
    if not text:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    s = T.to_simplified(s).lower().translate(_PUNCT)
    for a, b in _COLLOQUIAL:
        s = s.replace(a, b)
    s = _SAI.sub("", _EAT.sub("吃", s))
    return re.sub(r"\s+", " ", s).strip()


_CLAUSE_SPLIT = re.compile(r"[。！？；\n]+")


def sentences(s: str) -> list[str]:
    return [c for c in _CLAUSE_SPLIT.split(s) if c.strip()]


def sentence_at(s: str, pos: int) -> str:
    """The sentence (up to 。！？；) holding character `pos`, with its closing mark kept so that a
    question stays recognisable."""
    start = max(s.rfind(ch, 0, pos) for ch in "。！？；\n") + 1
    ends = [i for i in (s.find(ch, pos) for ch in "。！？；\n") if i >= 0]
    end = min(ends) + 1 if ends else len(s)
    return s[start:end]


# ---------------------------------------------------------------- negation ----------
NEGATORS = re.compile(r"(没有|没|不是|并非|未|无|别|不)$")
# "有没有停水" is a question, "不是停电而是跳闸" a negation; both keep the trigger from counting
_NEG_WINDOW = 3


def negated(s: str, start: int, phrase: str) -> bool:
    """True when the match at `start` is negated by a word just before it ("没有停水",
    "并没有闻到燃气味"), unless the trigger itself starts with the negator ("没有水用")."""
    if phrase[:1] in "没不未无":
        before = s[max(0, start - _NEG_WINDOW):start]
        return bool(re.search(r"(不是|并非|并不是)$", before))
    before = s[max(0, start - _NEG_WINDOW):start]
    if re.search(r"(还没|还未|都没|一直没|总是没)$", before):  # "一直没修" is not "没有X"
        return False
    return bool(NEGATORS.search(before)) and not before.endswith("有没")  # 有没有: question, see inquiry


# ------------------------------------------------------------ time and state ----------
PAST = re.compile(r"上次|上回|上周|上星期|上个月|上月|去年|前年|前几天|前段时间|前阵子|前些天|那次|当时|几年前|以前|之前|前天|早几天")
RESOLVED = re.compile(
    r"(已经|已|都)(修好|修复|恢复|处理好|处理完|清理干净|清理完|解决|通了|来电|来水|疏通)"
    r"|修好了|恢复了|来电了|来水了|通水了|处理好了|清理干净了|搞定了|没事了|解决了|恢复正常"
    r"|清理干净|全部清理|(很快|及时)(就)?(修好|处理|恢复|清理)"
    r"|补好了|弄好了|修完了|抢修完|救了出来|救出来了|已经补|已经填"
    # "半个钟头就修好", "两个小时就来电了": a quick fix told afterwards
    r"|就(修好|恢复|来电|来水|通水|搞定|处理好|清理好|弄好)"
    r"|(已经|都)(清走|拖走|移走|搬走|运走|挪走|补上|换上|装上)|清走了|拖走了"
    # the water has gone down: the flood is over, what is left (mud, debris) is a cleaning request
    r"|(水|积水|洪水)(已经|都|基本)?(退了|退去|退掉|消退)")
CURRENT = re.compile(
    r"现在(?!我要|我想|要|想)|目前|至今|到现在|到目前|还在|仍然|仍在|依然|一直|还是(一样|没|不|老样子)|还没|还未|又|刚刚|刚才|正在|今天|今晚|今早"
    r"|今天早上|昨晚|这会|这两天|此刻|快来|赶紧|赶快|尽快|马上|立刻|派人|救命|突然")

# a planned outage, a notice, a bill: a question about the topic, not a fault at a place
PLANNED = re.compile(r"计划(内|中|性)|(是|属于)(不是)?计划|计划停|停(水|电|气)(通知|计划|安排|公告)|(检修|维修)计划|通知一般|什么时候会停")
TOPIC_ABOUT = re.compile(
    r"(收费|赔偿|补偿)标准|怎么(申请|办理|报修|投诉|查|举报|预约|收费|赔)|如何(申请|办理|报修|处理)"
    r"|归(哪个|哪|谁)(部门)?管|找(哪个|什么)部门|打(什么|哪个)电话|哪里(能|可以)?(查|报|看)"
    r"|(应该|要)(找谁|打给谁)|流程|需要(什么|哪些)(材料|手续|资料)")
QUESTION = re.compile(r"多少钱|赔多少|要赔|能不能赔|能赔|怎么赔|(不肯|不愿意?|拒绝|不给|不想)(赔|赔偿|负责|出钱)|(可以|能|该|要)找(谁|哪)|还是.{0,12}？|(先|该|应该|要)找(谁|哪|物业|供电|水司)|多久|多长时间|哪个(部门|电话|公众号|网站)|的话|如果|万一|假如|请问|问一下|问下|想问|想咨询|咨询一下|想了解|吗？|吗$|么？|会不会|是不是|有没有|能不能|可不可以|是否")


def is_inquiry(s: str) -> bool:
    """A question ABOUT a topic (planned outage, whom to call, how to apply) rather than the report
    of a fault happening now. A planned outage or notice always counts unless the caller rules it
    out ("没有计划停水"); a how-to or whom-to-call question counts unless the fault is on now; a
    bare question counts only when the text carries no sign of a current event."""
    for m in PLANNED.finditer(s):
        if not re.search(r"(没有|没|不是|不|并非|并没有|也没|又说没)$", s[max(0, m.start() - 4):m.start()]):
            return True  # "没有计划停水" is the caller ruling a planned outage out
    if TOPIC_ABOUT.search(s) and not re.search(r"现在|还在|正在|刚刚|刚才|到现在|一滴", s):
        return True
    return bool(QUESTION.search(s)) and not CURRENT.search(s)


# thanking for a repair reports no fault ("昨晚电梯困人，十分钟就到了，表扬一下")
PRAISE = re.compile(r"表扬|点(个)?赞|赞一个|好评|送(面)?锦旗|致敬|辛苦(了|他们|你们)")


# asking for something new (a streetlight where there is none) is a suggestion, not a fault report
NEW_FACILITY = re.compile(r"建议|希望(能|可以)?(在|装|增加|加|多|修)|能不能(装|加|多|修一)|可不可以(装|加)|增设|加装|多装|新建(一个|一些|几个|一座|一条)")


def is_suggestion(s: str) -> bool:
    return bool(NEW_FACILITY.search(s)) and not re.search(r"突然|刚刚|刚才|正在|现在", s)


# a problem that keeps coming back needs enforcement or a project, not a crew now
CHRONIC = re.compile(r"一下(大)?雨就|经常(都)?有|经常都|每次都|每逢下雨|一到(夏天|冬天|雨季|下雨天|下雨|台风天|周末|过年)|几年(了|来)|一直(都)?是这样|每到|每年|每逢|每次下雨|一年四季|长期|常年|好几年|多年|这么多年|治理了|半年|几个月|一年多|很久没|坑坑洼洼")


def is_chronic(s: str) -> bool:
    return bool(CHRONIC.search(s)) and not re.search(r"突然|刚刚|刚才|今天|今晚|今早|昨晚|正在|现在", s)


NOW_STRICT = re.compile(r"开始|现在|正在|刚刚|刚才|还在|快来|救命|马上|立刻|到现在|至今")


def clause_is_past(s: str, start: int, end: int) -> bool:
    """The clause holding a match (from the last comma or stop before it) is set in the past
    ("上次停水之后水质一直有点黄": the outage is the past clause, not the report)."""
    clause = s[max(s.rfind(c, 0, start) for c in "，。！？；,") + 1:end]
    return bool(PAST.search(clause)) and not NOW_STRICT.search(clause)


def is_past(s: str) -> bool:
    """Over or already fixed: a resolved marker, or a past-time marker with no sign that the
    problem is still on ("前天停电的时候…" versus "漏了三天，现在还在漏")."""
    if RESOLVED.search(s) and not re.search(r"又(坏|停|漏|不亮|冒|塌|堵)|还(在|是|没)|再次", s):
        return True
    return bool(PAST.search(s)) and not CURRENT.search(s)

"""诉求类型 (appeal type) for every appeal (issue 14, Build 2): 咨询/求助/投诉/举报/建议/表扬 as the
codes of config/appeal_types.yaml, each with a score.

Model: word (jieba) and character n-gram TF-IDF + multinomial logistic regression, trained on the
team-written appeal-type corpus hotline/classify/seed/appeal_types.tsv (hand-written appeals, in
the team's own words, per type). Small (a few hundred rows, < 1 s to fit), so it is trained once
per process from the shipped file; nothing depends on a published artefact.

Cues: the words that name a type outright (请问/怎么办理 -> 咨询, 帮忙/求助 -> 求助, 投诉/不满 ->
投诉, 举报/违法 -> 举报, 建议/希望 -> 建议, 感谢/表扬 -> 表扬) add a fixed weight to the model's
probabilities before they are renormalised: the corpus cannot list every topic, the cue words are
what callers actually say. Pure.
"""

from __future__ import annotations

import csv
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import cues
from . import text as T

CORPUS = Path(__file__).resolve().parent / "seed" / "appeal_types.tsv"
CODES = ["consultation", "help", "complaint", "report", "suggestion", "praise"]

# (code, pattern, weight): how strongly the words vote for the type
CUES: list[tuple[str, re.Pattern, float]] = [
    ("consultation", re.compile(
        r"请问|咨询|问一下|问下|想问|想了解|了解一下|怎么(办理|申请|弄|查|收费|操作|领|交|算|预约)|如何|"
        r"需要(什么|哪些|带)|在哪(里)?(办|查|预约|申请|可以)|哪里(可以|能)?(办|查|申请|打)|多久|多少钱|"
        r"什么时候|有没有.{0,8}(计划|政策|补贴|规定)|能不能|可不可以|是否|吗[？?]?$|[？?]$"), 0.35),
    ("help", re.compile(
        r"帮帮|帮忙|求助|求求|帮我|请帮|麻烦.{0,6}(派人|处理|来|修|看)|派人|尽快(处理|来|修|派)|赶紧|"
        r"怎么办|救救|不知道(该)?怎么办|请.{0,4}(来|修|处理)"), 0.3),
    ("complaint", re.compile(
        r"投诉|不满|太差|很差|恶劣|不负责|不作为|推诿|推来推去|踢皮球|敷衍|乱收费|多收|不理|不管|没人管|"
        r"搞什么|太过分|欺人太甚|凭什么|不合理|态度|没人来|一直没|好几次|几次都|说了.{0,6}(没用|不听|不改)|"
        r"到底(谁|有没有)|寒心|气|天天|老是|总是|不拴绳|怎么做事|没(有)?(任何)?消息|到现在(都)?没(有)?(人|消息|回复|答复)|不肯|一直拖|拖着|扰民|吵得|没人(清理|处理|修|来|理)|负(点)?责任|说了(多少|好多|几)次|又(停|坏|来|没)|第[二三四五六几]次|怀疑|挡住|照到|吓到|影响(到)?(我们|休息|生活|出行|睡觉)|难看|太亮|太吵|没恢复|很久没|(但是|可是|结果).{0,20}(不|没|差|乱|颠)"), 0.3),
    ("report", re.compile(
        r"举报|违法|非法|偷排|私自|无证|假冒|假货|假烟|假酒|违规|偷税|黑诊所|黑车|传销|赌博|地沟油|"
        r"病死|倾倒|乱倒|偷偷|冒用|虚报|挪用|童工|非法营运|卖假|"
        # the illegal act itself, named in the caller's words: fraud, illegal building, dumping,
        # a vehicle hiding its plate, a demand to investigate (举报 asks for enforcement)
        r"冒充|诈骗|骗(钱|老人|人)|违建|乱搭|乱建|占用(基本)?农田|农田上|没挂牌|无牌|套牌|盗(采|伐|窃|挖)|"
        r"偷倒|卸.{0,10}(废|桶)|倒.{0,8}(化学品|化工|废液|废油|油漆|渣土)|排污|聚众|放风|过期的?(牛奶|食品|原料|肉)|用过期|严查|查处|取缔"), 0.35),
    ("suggestion", re.compile(
        r"建议|希望(能|可以|政府|有关部门|多|增加|在|把)|能否考虑|可不可以考虑|可以考虑|提个建议|"
        r"增设|增加|加装|多建|多设|开通|延长|提(个|点)?意见|最好(能|可以)|不要一次|"
        # a change to a service asked as a question ("能不能都装上空调？", "能不能组织一下演练")
        r"能不能(都|多|组织|分段|考虑|改成|增加|加开|加一|延长|装上|再多|搞)|(应该|可以)多(建|装|设|开|搞)"), 0.3),
    # "能不能 + a change to how a service runs" (早点通知, 开到十二点, 彻底整治, 在车上贴个提示) is a
    # suggestion, where "能不能申请/办理" stays a question
    ("suggestion", re.compile(
        r"(下次|以后)(能不能|可不可以|可以|最好)|能不能(早点|提前|开到|延长到|彻底|统一|在.{0,10}(贴|装|设|建|加|放|搞|划|种)|整治|改(一)?(下|成)|换成|调(整)?|(装|加|设|建|安|开)(个|一个|一些|几个|一条|条))"), 0.45),
    ("praise", re.compile(
        r"表扬|感谢|谢谢|点赞|辛苦了|致敬|赞一个|很耐心|很负责|很专业|很及时|很暖心|感激|好评|"
        r"辛苦(他们|你们|大家)|(服务)?态度(也)?(很|非常|特别)?好|点个赞|给.{0,8}点赞"), 0.45),
]


URGENT_HELP = 0.3


def cue_vector(s: str) -> np.ndarray:
    v = np.zeros(len(CODES))
    for code, rx, w in CUES:
        if rx.search(s):
            v[CODES.index(code)] += w
    # praise followed by a complaint ("谢谢，但是…态度很差") is a complaint; a thank-you sign-off
    # at the end of a request ("麻烦尽快处理，谢谢") is not praise
    if v[CODES.index("praise")] and re.search(r"(谢谢|感谢)(你们|您)?[！。!.]?$", s) and not re.search(
            r"表扬|点赞|辛苦了|致敬|很耐心|很负责|很及时|很专业|感谢.{0,20}(帮|及时|很快|耐心)", s):
        v[CODES.index("praise")] = 0.0
    return v


def load_corpus(path=CORPUS) -> tuple[list[str], list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [r["text"] for r in rows], [r["appeal_type"] for r in rows]


def _tokens(s: str) -> str:
    return T.tokens_joined(s)


@dataclass(frozen=True)
class AppealType:
    code: str
    name: str
    score: float
    scores: dict[str, float]


def type_names(config_dir=None) -> dict[str, str]:
    import yaml

    cdir = Path(config_dir) if config_dir else T.CONFIG_DIR
    data = yaml.safe_load((cdir / "appeal_types.yaml").read_text(encoding="utf-8"))
    return {t["code"]: t["name"] for t in data["appeal_types"]}


class AppealTypeModel:
    def __init__(self, names: dict[str, str] | None = None):
        self.names = names or type_names()
        self.model = None

    def fit(self, texts, labels) -> "AppealTypeModel":
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        T.initialize()
        words = TfidfVectorizer(analyzer=str.split, sublinear_tf=True, dtype=np.float32)
        chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, dtype=np.float32)
        self.model = make_pipeline(
            make_union(make_pipeline(_Tok(), words), chars),
            LogisticRegression(C=8, max_iter=2000, class_weight="balanced"),
        )
        self.model.fit([cues.plain(t) for t in texts], list(labels))
        return self

    @classmethod
    def from_corpus(cls, path=CORPUS) -> "AppealTypeModel":
        texts, labels = load_corpus(path)
        return cls().fit(texts, labels)

    def probabilities(self, s: str) -> np.ndarray:
        P = self.model.predict_proba([s])[0]
        classes = list(self.model.classes_)
        return np.array([P[classes.index(c)] if c in classes else 0.0 for c in CODES])

    def predict(self, text: str, urgent: bool = False) -> AppealType:
        """urgent: the triage found a rapid-response event or an emergency; a caller reporting one
        asks for help unless their words complain or report (the cues still add to those)."""
        s = cues.plain(text)
        p = self.probabilities(s) if s else np.full(len(CODES), 1.0 / len(CODES))
        c = cue_vector(s)
        # praise and suggestion are said in so many words: without one of their cue words the
        # small corpus's topic overlap ("供电局的师傅…") must not carry them
        for code in ("praise", "suggestion"):
            if not c[CODES.index(code)]:
                p[CODES.index(code)] *= 0.3
        v = p + c
        if urgent:
            v[CODES.index("help")] += URGENT_HELP
        v = v / v.sum()
        i = int(np.argmax(v))
        scores = {c: round(float(x), 4) for c, x in zip(CODES, v)}
        return AppealType(CODES[i], self.names.get(CODES[i], CODES[i]), round(float(v[i]), 4), scores)


class _Tok:
    """sklearn transformer: plain text -> space-joined jieba tokens (picklable, stateless)."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return [_tokens(x) for x in X]

    def get_params(self, deep=True):
        return {}

    def set_params(self, **kw):
        return self


_default: AppealTypeModel | None = None
_lock = threading.Lock()


def default_model() -> AppealTypeModel:
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                _default = AppealTypeModel.from_corpus()
    return _default


def predict(text: str) -> AppealType:
    return default_model().predict(text)

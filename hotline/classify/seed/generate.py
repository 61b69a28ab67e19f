"""Generate the shipped Dongguan-style seed corpus (team-written templates, seeded RNG).

    python -m hotline.classify.seed.generate            # rewrites hotline/classify/seed/corpus.csv

Columns: id,text,label(category code),rapid_item(code or empty),appeal_type.
Every row is produced from the phrase material in content.py and config/rapid_response.yaml;
no row comes from any third-party dataset.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import yaml

from ..text import CONFIG_DIR
from .content import CATEGORY_ISSUES, ESTATES, ITEM_DETAILS, ROADS, SPOTS, URGENT_DETAILS, VILLAGES

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus.csv"

PHONE_OPEN = ["市民来电反映：", "来电人反映，", "市民来电称，", "市民来电：", "来电反映", "市民致电12345反映，", "来电人称"]
PHONE_FILLER = ["那个，", "就是说，", "哎，", "我跟你讲，", "喂，", "嗯，", ""]
WEB_OPEN = ["尊敬的领导您好！", "您好，", "领导你好，", "尊敬的市长：", "", "", "各位领导好，"]
WEB_CLOSE = ["谢谢！", "望尽快回复。", "盼复！", "麻烦尽快处理，谢谢。", "", "希望领导重视。"]
REQUESTS = ["请相关部门尽快处理。", "希望有关部门核实处理。", "请尽快派人查看。", "请给予答复。", "希望尽快解决。"]
CALLER = ["联系电话{phone}", "我的电话是{phone}", "车牌{plate}", "来电号码{phone}", ""]
TYPOS = [("反映", "反应"), ("已经", "以经"), ("在", "再"), ("的", "得"), ("做", "作"), ("账", "帐"),
         ("处理", "处里"), ("希望", "希往"), ("马上", "码上"), ("那里", "哪里")]
PLATE_PREFIX = ["粤S", "粤S", "粤B", "湘A", "粤A"]


def _load(config_dir: Path):
    units = yaml.safe_load((config_dir / "units.yaml").read_text(encoding="utf-8"))["units"]
    towns = [u["name"] for u in units if u.get("kind") == "town"]
    cats = [c["code"] for c in yaml.safe_load((config_dir / "categories.yaml").read_text(encoding="utf-8"))["categories"]]
    items = yaml.safe_load((config_dir / "rapid_response.yaml").read_text(encoding="utf-8"))["items"]
    return towns, cats, items


class _Gen:
    def __init__(self, rng: random.Random, towns: list[str]):
        self.r = rng
        self.towns = towns

    def place(self) -> str:
        r, t = self.r, self.r.choice(self.towns)
        if r.random() < 0.25:  # colloquial: drop the 镇/街道 suffix
            t = t.removesuffix("街道").removesuffix("镇")
        form = r.randrange(5)
        if form == 0:
            return f"{t}{r.choice(VILLAGES)}"
        if form == 1:
            return f"{t}{r.choice(ESTATES)}"
        if form == 2:
            return f"{t}{r.choice(ROADS)}{r.choice(SPOTS)}"
        if form == 3:
            return f"{t}{r.choice(VILLAGES)}{r.randint(1, 30)}巷{r.randint(1, 60)}号"
        return f"东莞市{t}{r.choice(ESTATES)}{r.randint(1, 12)}栋"

    def phone(self) -> str:
        r = self.r
        if r.random() < 0.7:
            return f"1{r.choice('3578')}{r.randint(0, 9)}{r.randint(10000000, 99999999)}"
        return f"0769-{r.randint(21000000, 89999999)}"

    def plate(self) -> str:
        r = self.r
        return r.choice(PLATE_PREFIX) + "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(5))

    def caller(self) -> str:
        c = self.r.choice(CALLER)
        return c.format(phone=self.phone(), plate=self.plate()) if c else ""

    def compose(self, issue: str, details: list[str], style: int) -> str:
        r = self.r
        d = r.sample(details, k=min(len(details), r.choice([0, 1, 1, 2, 2, 3])))
        body = issue + ("，" + "，".join(d) if d else "") + "。"
        if style == 0:  # phone transcript
            s = r.choice(PHONE_OPEN) + r.choice(PHONE_FILLER) + body + r.choice(REQUESTS)
            if r.random() < 0.4:
                s += self.caller()
        elif style == 1:  # web post with title
            title = issue.split("，")[0][:20]
            s = f"{title} {r.choice(WEB_OPEN)}{body}{r.choice(REQUESTS)}{r.choice(WEB_CLOSE)}"
        elif style == 2:  # short
            s = issue.split("，")[0]
        else:  # long narrative
            extra = r.sample(details, k=min(len(details), 2))
            s = (f"{r.choice(WEB_OPEN)}本人住在{self.place()}，{body}这个问题从{r.randint(2019, 2025)}年就开始了，"
                 f"{'，'.join(extra)}，{r.choice(['之前也反映过', '找过社区', '打过电话'])}，"
                 f"{r.choice(['但一直没有解决', '没有任何回复', '问题依旧'])}。{r.choice(REQUESTS)}{self.caller()}{r.choice(WEB_CLOSE)}")
        if r.random() < 0.15:  # typos
            a, b = r.choice(TYPOS)
            s = s.replace(a, b, 1)
        if r.random() < 0.1:  # full-width digits / letters
            s = s.translate({i: i + 0xFEE0 for i in range(0x30, 0x3A)})
        return s


def generate(per_category: int = 30, per_item: int = 24, seed: int = 12345, config_dir: Path | None = None) -> list[dict]:
    import opencc

    cdir = Path(config_dir) if config_dir else CONFIG_DIR
    towns, cats, items = _load(cdir)
    rng = random.Random(seed)
    g = _Gen(rng, towns)
    s2t = opencc.OpenCC("s2t")
    rows: list[dict] = []

    def add(text: str, label: str, rapid: str, atype: str):
        if rng.random() < 0.08:  # Traditional characters (HK/TW residents, web posts)
            text = s2t.convert(text)
        rows.append({"text": text, "label": label, "rapid_item": rapid, "appeal_type": atype})

    for cat in cats:
        issues, details, atypes = CATEGORY_ISSUES[cat]
        for _i in range(per_category):
            issue = rng.choice(issues).format(place=g.place())
            add(g.compose(issue, details, rng.randrange(4)), cat, "", rng.choice(atypes))
    for it in items:
        details = URGENT_DETAILS + ITEM_DETAILS.get(it["code"], [])
        for _i in range(per_item):
            phrase = rng.choice(it["phrases"])
            lead = rng.choice(["{p}{x}", "{p}这里{x}", "{p}附近{x}", "我们{p}{x}", "{x}，地点在{p}"])
            issue = lead.format(p=g.place(), x=phrase)
            atype = "help" if rng.random() < 0.7 else "complaint"
            add(g.compose(issue, details, rng.choice([0, 0, 1, 2, 3])), it["category"], it["code"], atype)
    rng.shuffle(rows)
    for n, row in enumerate(rows, 1):
        row["id"] = f"seed{n:05d}"
    return rows


def write(rows: list[dict], path: Path = CORPUS) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["id", "text", "label", "rapid_item", "appeal_type"])
        w.writeheader()
        w.writerows(rows)


def load(path: Path | str = CORPUS) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


if __name__ == "__main__":
    rows = generate()
    write(rows)
    print(f"wrote {len(rows)} rows to {CORPUS}")

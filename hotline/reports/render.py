"""The monthly bulletin (通报) as PDF and XLSX, from the plain data of reports/bulletin.py.

PDF: reportlab, with charts drawn by reportlab.graphics. The Chinese font is EMBEDDED, never a
system font (CI machines may have none): Noto Sans SC (SIL OFL) ships as a TrueType variable
font inside the `justmytype-intl-cjk` wheel (pyproject.toml). Each document gets a subset of
that font holding only the characters it prints, instanced at regular (400) and bold (700)
weight with fontTools, so a bulletin is a few hundred kB and renders the same everywhere.
"""
from __future__ import annotations

import hashlib
import io
from functools import lru_cache
from importlib import resources

RATE_COLS = (("response_rate", "响应率"), ("resolution_rate", "解决率"),
             ("satisfaction_rate", "满意率"), ("sign_rate", "按时签收率"),
             ("ontime_rate", "按时办结率"), ("sendback_rate", "回退率"),
             ("reopen_rate", "重办率"), ("assist_rate", "协办按时率"))
NO_DATA = "本月暂无数据"
FONT_FILE = "fonts/ofl/notosanssc/NotoSansSC[wght].ttf"


def pct(v) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def num(v) -> str:
    return "—" if v is None else f"{v:.2f}"


# ---------------------------------------------------------------- the font

def _font_bytes() -> bytes:
    return (resources.files("justmytype_intl_cjk") / FONT_FILE).read_bytes()


@lru_cache(maxsize=16)
def _subset_fonts(chars: str) -> tuple[str, str]:
    """Register (regular, bold) subsets of Noto Sans SC holding `chars`; names are unique per
    character set so concurrent renders never replace each other's font."""
    from fontTools import subset
    from fontTools.ttLib import TTFont as FTFont
    from fontTools.varLib import instancer
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    digest = hashlib.sha1(chars.encode()).hexdigest()[:12]
    src = FTFont(io.BytesIO(_font_bytes()))
    opt = subset.Options()
    opt.name_IDs, opt.notdef_outline, opt.layout_features = ["*"], True, []
    sub = subset.Subsetter(opt)
    sub.populate(text=chars)
    sub.subset(src)
    names = []
    for weight, tag, style in ((400, "R", "Regular"), (700, "B", "Bold")):
        inst = instancer.instantiateVariableFont(src, {"wght": weight}, inplace=False)
        # name the instance by its weight (the variable font's default instance is Thin) and
        # its character set: reportlab keeps faces by PostScript name, so two subsets sharing
        # a name would print one document with the other's glyphs (missing characters)
        for nid, value in ((1, "Noto Sans SC"), (2, style), (4, f"Noto Sans SC {style}"),
                           (6, f"NotoSansSC-{style}-{digest}")):
            inst["name"].setName(value, nid, 3, 1, 0x409)
        buf = io.BytesIO()
        inst.save(buf)
        buf.seek(0)
        name = f"BulletinSans{tag}-{digest}"
        pdfmetrics.registerFont(TTFont(name, buf))
        names.append(name)
    return names[0], names[1]


class _Text:
    """Collects every string the document prints (pass 1) so the font subset holds them."""

    def __init__(self):
        self.chars: set[str] = set()

    def __call__(self, s) -> str:
        s = "" if s is None else str(s)
        self.chars.update(s)
        return s


# ---------------------------------------------------------------- PDF

def pdf(data: dict) -> bytes:
    """The bulletin as a PDF (A4). Built twice: once to learn the characters, once to print."""
    text = _Text()
    _story(data, ("Helvetica", "Helvetica-Bold"), text)
    chars = "".join(sorted(text.chars | set(data.get("glyph_hint", "")) | set(
        "0123456789.%-—–·:：，。、（）()《》/ ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")))
    fonts = _subset_fonts(chars)
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    out = io.BytesIO()

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(fonts[0], 8)
        canvas.drawCentredString(A4[0] / 2, 10 * mm,
                                 f"— {doc.page} —    考评公式版本 {data['formula_version']}")
        canvas.restoreState()

    doc = SimpleDocTemplate(out, pagesize=A4, title=data["title"], author="东莞市12345热线",
                            leftMargin=16 * mm, rightMargin=16 * mm, topMargin=16 * mm,
                            bottomMargin=18 * mm, invariant=1,
                            initialFontName=fonts[0])   # no unembedded Helvetica reference
    doc.build(_story(data, fonts, lambda s: "" if s is None else str(s)),
              onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def _styles(fonts):
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle
    base = ParagraphStyle("b", fontName=fonts[0], fontSize=10, leading=15, wordWrap="CJK")
    return {
        "title": ParagraphStyle("t", parent=base, fontName=fonts[1], fontSize=17, leading=24,
                                alignment=TA_CENTER, spaceAfter=4),
        "sub": ParagraphStyle("s", parent=base, alignment=TA_CENTER, fontSize=9, spaceAfter=10),
        "h": ParagraphStyle("h", parent=base, fontName=fonts[1], fontSize=13, leading=19,
                            spaceBefore=10, spaceAfter=5),
        "h2": ParagraphStyle("h2", parent=base, fontName=fonts[1], fontSize=11, leading=16,
                             spaceBefore=6, spaceAfter=3),
        "p": base,
        "cell": ParagraphStyle("c", parent=base, fontSize=8, leading=11),
    }


def _table(rows, fonts, widths=None, header_bg="#1f4e79"):
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle
    t = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    t.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), fonts[0], 8),
        ("FONT", (0, 0), (-1, 0), fonts[1], 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(header_bg)),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f5f8")]),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
    ]))
    return t


def _bar_chart(names, values, fonts, t, title, pass_line=None, grey=()):
    """Horizontal bars of the units' scores (first on top), with the 达标线; units below the
    minimum sample (indexes in `grey`) are drawn grey: shown, not ranked."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing, Line, String
    from reportlab.lib import colors
    n = len(names)
    height = 40 + 13 * n
    d = Drawing(500, height, initialFontName=fonts[0])
    c = HorizontalBarChart()
    c.x, c.y, c.width, c.height = 110, 18, 370, height - 40
    c.data = [list(reversed(values))]
    c.categoryAxis.categoryNames = [t(x) for x in reversed(names)]
    c.categoryAxis.labels.fontName, c.categoryAxis.labels.fontSize = fonts[0], 7
    c.valueAxis.valueMin, c.valueAxis.valueMax, c.valueAxis.valueStep = 0, 100, 10
    c.valueAxis.labels.fontName, c.valueAxis.labels.fontSize = fonts[0], 7
    c.bars[0].fillColor = colors.HexColor("#2e75b6")
    for idx in grey:
        c.bars[(0, n - 1 - idx)].fillColor = colors.HexColor("#b4bcc4")
    c.barSpacing, c.groupSpacing = 1, 3
    d.add(c)
    if pass_line is not None:
        x = c.x + c.width * pass_line / 100
        d.add(Line(x, c.y, x, c.y + c.height, strokeColor=colors.HexColor("#c00000"),
                   strokeDashArray=[3, 2]))
        d.add(String(x + 2, c.y + c.height + 3, t(f"达标线 {pass_line:g}"), fontName=fonts[0],
                     fontSize=7, fillColor=colors.HexColor("#c00000")))
    d.add(String(0, height - 12, t(title), fontName=fonts[1], fontSize=9))
    return d


def _rates_chart(items, fonts, t, title):
    """Grouped bars: 响应率 / 解决率 / 满意率 of each tier (the tier's totals)."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    d = Drawing(500, 190, initialFontName=fonts[0])
    c = VerticalBarChart()
    c.x, c.y, c.width, c.height = 40, 30, 330, 130
    keys = (("response_rate", "响应率"), ("resolution_rate", "解决率"),
            ("satisfaction_rate", "满意率"))
    c.data = [[round((i.get(k) or 0) * 100, 1) for i in items] for k, _ in keys]
    c.categoryAxis.categoryNames = [t(i["name"]) for i in items]
    c.categoryAxis.labels.fontName, c.categoryAxis.labels.fontSize = fonts[0], 8
    c.valueAxis.valueMin, c.valueAxis.valueMax, c.valueAxis.valueStep = 0, 100, 20
    c.valueAxis.labels.fontName, c.valueAxis.labels.fontSize = fonts[0], 7
    palette = ("#2e75b6", "#70ad47", "#ed7d31")
    for n, col in enumerate(palette):
        c.bars[n].fillColor = colors.HexColor(col)
    d.add(c)
    lg = Legend()
    lg.x, lg.y, lg.fontName, lg.fontSize = 390, 140, fonts[0], 8
    lg.colorNamePairs = [(colors.HexColor(col), t(name)) for col, (_, name) in zip(palette, keys)]
    d.add(lg)
    d.add(String(0, 175, t(title), fontName=fonts[1], fontSize=9))
    return d


def _story(data: dict, fonts, t) -> list:
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, Spacer
    st = _styles(fonts)
    P = lambda s, style="p": Paragraph(t(s), st[style])   # noqa: E731  (text is escaped below)
    story = [P(_esc(data["title"]), "title"),
             P(_esc(f"统计期：{data['from']} 至 {data['to']}　考评公式版本：{data['formula_version']}"
                    f"　计分工单不足 {data['min_sample']} 件的单位列示但不排名"), "sub")]
    n = iter(range(1, 100))

    def head(s):
        return P(_esc(f"{_cn(next(n))}、{s}"), "h")

    o = data["overview"] or {}
    story.append(head("总体情况"))
    if o.get("assigned"):
        story.append(P(_esc(
            f"本月各承办单位共接办工单 {o['assigned']} 件，计分工单 {o['population']} 件，"
            f"办结 {o['closed']} 件，有效回访评价 {o['answers']} 件。全市响应率 {pct(o['response_rate'])}、"
            f"解决率 {pct(o['resolution_rate'])}、满意率 {pct(o['satisfaction_rate'])}，"
            f"按时签收率 {pct(o['sign_rate'])}、按时办结率 {pct(o['ontime_rate'])}，"
            f"回退率 {pct(o['sendback_rate'])}、重办率 {pct(o['reopen_rate'])}。")))
        tier_tot = [{"name": x["name"], **_tier_rates(x)} for x in data["tiers"]]
        if tier_tot:
            story.append(_rates_chart(tier_tot, fonts, t, "各档次三率对比（%）"))
    else:
        story.append(P(NO_DATA))

    for tier in data["tiers"]:
        story.append(head(f"{tier['name']}考评排名"))
        # every unit of the tier is listed; below the minimum sample: 不排名 (issue 18 item 1).
        # Villages are many: those not ranked are summed up in one line instead.
        village = tier["tier"] == "village"
        rows_in = tier["ranked"] + ([] if village else tier["unranked"])
        if rows_in:
            rows = [[t(x) for x in ("排名", "单位", "综合得分", "计分工单",
                                    *[z for _, z in RATE_COLS[:5]])]]
            for i in rows_in:
                unit = i["unit_name"] + (f"（{i['parent_name']}）" if i.get("parent_name") else "")
                rank = i["rank"] if i["rank"] is not None else "不排名"
                rows.append([t(rank), Paragraph(t(_esc(unit)), st["cell"]), t(num(i["score"])),
                             t(i["sample"]), *[t(pct(i.get(k))) for k, _ in RATE_COLS[:5]]])
            story.append(_table(rows, fonts, [13 * mm, 40 * mm, 16 * mm, 15 * mm] + [17 * mm] * 5))
            story.append(Spacer(1, 4))
        scored = [i for i in rows_in if i["score"] is not None]
        if scored:
            story.append(_bar_chart(
                [i["unit_name"] for i in scored], [i["score"] for i in scored], fonts, t,
                f"{tier['name']}综合得分（灰色：样本不足，不排名）", data["pass_line"],
                grey=[n for n, i in enumerate(scored) if i["rank"] is None]))
        if not tier["ranked"]:
            story.append(P(_esc(f"本月{tier['name']}无计分工单达到 {data['min_sample']} 件的单位，"
                                "不作排名。")))
        elif tier["unranked"]:
            story.append(P(_esc(f"计分工单不足 {data['min_sample']} 件、不参与排名的单位 "
                                f"{len(tier['unranked'])} 个。")))

    story.append(head("红黑榜"))
    rows = [[t(x) for x in ("档次", "榜单", "单位", "综合得分", "排名")]]
    for tier in data["tiers"]:
        for label, lst in (("红榜", tier["red"]), ("黑榜", tier["black"])):
            for i in lst:
                rows.append([t(tier["name"]), t(label), Paragraph(t(_esc(i["unit_name"])), st["cell"]),
                             t(num(i["score"])), t(i["rank"])])
    story.append(_table(rows, fonts, [25 * mm, 16 * mm, 50 * mm, 20 * mm, 14 * mm])
                 if len(rows) > 1 else P(NO_DATA))

    story.append(head("未达标单位及主要问题"))
    story.append(P(_esc(f"综合得分低于达标线 {data['pass_line']:g} 分的单位，及其失分最多的指标：")))
    if data["below_line"]:
        rows = [[t(x) for x in ("档次", "单位", "综合得分", "排名", "主要问题")]]
        for i in data["below_line"]:
            rows.append([t(i["tier_name"]), Paragraph(t(_esc(i["unit_name"])), st["cell"]),
                         t(num(i["score"])), t(i["rank"]),
                         Paragraph(t(_esc("；".join(i["faults"]) or "—")), st["cell"])])
        story.append(_table(rows, fonts, [22 * mm, 40 * mm, 18 * mm, 12 * mm, 78 * mm],
                            header_bg="#833c0b"))
    else:
        story.append(P("本月无低于达标线的单位。"))

    story.append(head("快速响应事项办理情况"))
    r = data["rapid"]
    if r:
        rows = [[t(x) for x in ("快速响应工单", "按时签收率", "响应率", "按时办结率", "解决率", "满意率")],
                [t(r["assigned"]), t(pct(r["sign_rate"])), t(pct(r["response_rate"])),
                 t(pct(r["ontime_rate"])), t(pct(r["resolution_rate"])),
                 t(pct(r["satisfaction_rate"]))]]
        story.append(_table(rows, fonts))
    else:
        story.append(P(NO_DATA))

    for s in data["sections"].values():   # hooks other features fill (bulletin.SECTIONS)
        block = [head(s["title"])]
        tbl = s["table"]
        if tbl and tbl.get("items"):
            rows = [[t(zh) for _, zh in tbl["columns"]]]
            rows += [[Paragraph(t(_esc(_cell(i.get(k)))), st["cell"]) for k, _ in tbl["columns"]]
                     for i in tbl["items"]]
            block.append(_table(rows, fonts))
            if tbl.get("note"):
                block.append(P(_esc(tbl["note"])))
        else:
            block.append(P(NO_DATA))
        story.append(KeepTogether(block))
    return story


def _tier_rates(tier: dict) -> dict:
    """A tier's three rates over its ranked and unranked units (sums of the counts)."""
    rows = tier["ranked"] + tier["unranked"]
    tot = lambda k: sum(i.get(k) or 0 for i in rows)   # noqa: E731
    div = lambda a, b: None if not b else a / b          # noqa: E731
    n = tot("answers")
    res = sum((i.get("resolution_rate") or 0) * (i.get("answers") or 0) for i in rows)
    sat = sum((i.get("satisfaction_rate") or 0) * (i.get("answers") or 0) for i in rows)
    return {"response_rate": div(tot("resp_ok"), tot("resp_n")),
            "resolution_rate": div(res, n), "satisfaction_rate": div(sat, n)}


def _cell(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float) and 0 <= v <= 1:
        return pct(v)
    return str(v)


def _esc(s: str) -> str:
    """Paragraph text is reportlab mini-markup: unit names and other data are escaped."""
    from xml.sax.saxutils import escape
    return escape(str(s))


def _cn(n: int) -> str:
    return "一二三四五六七八九十"[n - 1] if 1 <= n <= 10 else str(n)


# ---------------------------------------------------------------- XLSX

def xlsx(data: dict) -> bytes:
    """The same bulletin as a workbook: one sheet per section."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    wb = Workbook()
    ws = wb.active
    ws.title = "概况"
    ws.append([data["title"]])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["统计期", f"{data['from']} 至 {data['to']}"])
    ws.append(["考评公式版本", data["formula_version"]])
    ws.append(["最低样本量(计分工单)", data["min_sample"]])
    ws.append(["达标线", data["pass_line"]])
    o = data["overview"] or {}
    for k, zh in (("assigned", "接办工单"), ("population", "计分工单"), ("closed", "办结"),
                  ("answers", "有效评价")):
        ws.append([zh, o.get(k, 0)])
    for k, zh in RATE_COLS:
        ws.append([zh, o.get(k)])
    head = ["排名", "单位", "单位代码", "综合得分", "计分工单", *[z for _, z in RATE_COLS], "扣分"]
    for tier in data["tiers"]:
        s = wb.create_sheet(f"{tier['name']}排名"[:31])
        village = tier["tier"] == "village"
        s.append(head + (["所属镇街", "镇街内排名"] if village else []))
        for i in tier["ranked"] + tier["unranked"]:
            s.append([i["rank"] if i["rank"] is not None else "不排名(样本不足)", i["unit_name"],
                      i["unit"], i["score"], i["sample"], *[i.get(k) for k, _ in RATE_COLS],
                      i["deduction"]] + ([i.get("parent_name"), i.get("rank_in_town")]
                                         if village else []))
    s = wb.create_sheet("红黑榜")
    s.append(["档次", "榜单", "单位", "综合得分", "排名"])
    for tier in data["tiers"]:
        for label, lst in (("红榜", tier["red"]), ("黑榜", tier["black"])):
            for i in lst:
                s.append([tier["name"], label, i["unit_name"], i["score"], i["rank"]])
    s = wb.create_sheet("未达标单位")
    s.append(["档次", "单位", "综合得分", "排名", "主要问题"])
    for i in data["below_line"]:
        s.append([i["tier_name"], i["unit_name"], i["score"], i["rank"], "；".join(i["faults"])])
    s = wb.create_sheet("快速响应事项")
    r = data["rapid"]
    s.append(["快速响应工单", *[z for _, z in RATE_COLS]])
    s.append([r["assigned"], *[r.get(k) for k, _ in RATE_COLS]] if r else [NO_DATA])
    for sec in data["sections"].values():
        s = wb.create_sheet(sec["title"][:31].replace("（", "(").replace("）", ")"))
        tbl = sec["table"]
        if tbl and tbl.get("items"):
            s.append([zh for _, zh in tbl["columns"]])
            for i in tbl["items"]:
                s.append([i.get(k) for k, _ in tbl["columns"]])
        else:
            s.append([NO_DATA])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

"""Scores a `hotline classify triage` output against a labelled file (issue 14 acceptance figures).

Labelled file columns: id, appeal_type (咨询/求助/投诉/举报/建议/表扬 or the config codes), rapid,
emergency, emergency_line, vague. Pure.
"""

from __future__ import annotations

from collections import Counter

from .appeal_type import CODES, type_names


def _flag(v) -> bool:
    return str(v).strip() in ("1", "true", "True")


def score(pred_rows: list[dict], gold_rows: list[dict]) -> dict:
    names = type_names()
    to_code = {**{v: k for k, v in names.items()}, **{k: k for k in names}}
    pred = {r["id"]: r for r in pred_rows}
    c = Counter()
    conf = Counter()
    for g in gold_rows:
        p = pred[g["id"]]
        gr, ge, gv = _flag(g["rapid"]), _flag(g["emergency"]), _flag(g["vague"])
        pr, pe, pa = _flag(p["rapid"]), _flag(p["emergency"]), _flag(p["auto"])
        conf[(to_code[g["appeal_type"]], p["appeal_type"])] += 1
        if gr:
            c["rapid_pos"] += 1
            c["rapid_tp"] += pr
        elif not ge and not gv:
            c["plain"] += 1
            c["rapid_fp"] += pr
            c["plain_auto"] += pa
        if ge:
            c["em_pos"] += 1
            c["em_tp"] += pe
            c["em_line_ok"] += pe and p["emergency_line"] == g["emergency_line"]
            c["em_auto"] += pa
        else:
            c["em_neg"] += 1
            c["em_fp"] += pe
        if gv:
            c["vague"] += 1
            c["vague_no_auto"] += not pa
    f1 = {}
    for t in CODES:
        tp = conf[(t, t)]
        pp = sum(conf[(x, t)] for x in CODES)
        gg = sum(conf[(t, x)] for x in CODES)
        prec, rec = (tp / pp if pp else 0.0), (tp / gg if gg else 0.0)
        f1[t] = 2 * prec * rec / (prec + rec) if prec + rec else 0.0

    def ratio(a, b):
        return a / b if b else 0.0
    return {
        "n": len(gold_rows), "counts": dict(c),
        "rapid_recall": ratio(c["rapid_tp"], c["rapid_pos"]), "rapid_fp_rate": ratio(c["rapid_fp"], c["plain"]),
        "emergency_recall": ratio(c["em_tp"], c["em_pos"]), "emergency_fp_rate": ratio(c["em_fp"], c["em_neg"]),
        "emergency_line_correct": ratio(c["em_line_ok"], c["em_pos"]), "emergency_auto": c["em_auto"],
        "vague_no_auto": ratio(c["vague_no_auto"], c["vague"]), "plain_auto": ratio(c["plain_auto"], c["plain"]),
        "appeal_type_f1": f1, "appeal_type_macro_f1": sum(f1.values()) / len(f1),
        "confusion": [[conf[(t, x)] for x in CODES] for t in CODES], "labels": CODES,
    }


def report(s: dict) -> str:
    names = type_names()
    c = s["counts"]
    lines = [
        f"rows {s['n']}",
        f"rapid: recall {s['rapid_recall']:.3f} ({c.get('rapid_tp', 0)}/{c.get('rapid_pos', 0)}), "
        f"false positives {s['rapid_fp_rate']:.3f} ({c.get('rapid_fp', 0)}/{c.get('plain', 0)} plain)",
        f"emergency: recall {s['emergency_recall']:.3f} ({c.get('em_tp', 0)}/{c.get('em_pos', 0)}), line correct "
        f"{s['emergency_line_correct']:.3f}, false positives {s['emergency_fp_rate']:.3f} "
        f"({c.get('em_fp', 0)}/{c.get('em_neg', 0)}), auto on emergencies {s['emergency_auto']}",
        f"vague: auto 0 on {s['vague_no_auto']:.3f} ({c.get('vague_no_auto', 0)}/{c.get('vague', 0)}); "
        f"plain: auto 1 on {s['plain_auto']:.3f} ({c.get('plain_auto', 0)}/{c.get('plain', 0)})",
        f"appeal type macro-F1 {s['appeal_type_macro_f1']:.3f}  "
        + "  ".join(f"{names[t]} {f:.2f}" for t, f in s["appeal_type_f1"].items()),
        "confusion (rows = true, columns = predicted): " + " ".join(names[t] for t in s["labels"]),
    ]
    for t, row in zip(s["labels"], s["confusion"]):
        lines.append(f"  {names[t]} " + " ".join(f"{v:3d}" for v in row))
    return "\n".join(lines)

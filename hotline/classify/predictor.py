"""Serving-side predictor: top-k calibrated suggestions, explaining terms, abstain decision."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from . import text as T
from .pipeline import TextModel

# gzip'd pickle, loaded with the C unpickler: joblib.load runs the pure-Python unpickler over the
# ~450 k-entry vocabularies (2.1 s of a 3 s cold start); this file loads in ~0.25 s.
MODEL_FILE = "model.pickle.gz"
LEGACY_MODEL_FILE = "model.joblib"  # artefacts written before the switch still load
MODEL_FILES = (MODEL_FILE, LEGACY_MODEL_FILE)
CARD_FILE = "model_card.json"


def category_units(config_dir=None) -> dict:
    """{category code: owner unit code or "town"} plus {unit code: unit code} from config/."""
    import yaml

    cdir = Path(config_dir) if config_dir else T.CONFIG_DIR
    out: dict = {}
    try:
        for u in yaml.safe_load((cdir / "units.yaml").read_text(encoding="utf-8")).get("units", []):
            out[u["code"]] = u["code"]
        for c in yaml.safe_load((cdir / "categories.yaml").read_text(encoding="utf-8")).get("categories", []):
            out[c["code"]] = c.get("owner")
    except OSError:
        pass
    return out


def has_model(model_dir) -> bool:
    return any((Path(model_dir) / f).exists() for f in MODEL_FILES)


def load_model(model_dir) -> TextModel:
    import gzip
    import pickle

    d = Path(model_dir)
    if (d / MODEL_FILE).exists():
        return pickle.loads(gzip.decompress((d / MODEL_FILE).read_bytes()))
    import joblib

    return joblib.load(d / LEGACY_MODEL_FILE)


class Predictor:
    def __init__(self, model: TextModel, card: dict | None = None, label_units: dict | None = None):
        self.model = model
        self.card = card or {}
        self.labels = list(model.labels)
        self.threshold = float(model.threshold)
        self.model_version = model.version or self.card.get("model_version", "")
        # label -> unit code (categories.yaml owner, or a unit code used as label); "town" = 属地,
        # which the service resolves from the order's 镇街. Unknown labels get unit None.
        self.label_units = label_units if label_units is not None else category_units()

    # ------------------------------------------------------------------ io -----------
    @classmethod
    def load(cls, model_dir, label_units: dict | None = None) -> "Predictor":
        d = Path(model_dir)
        T.initialize()
        model = load_model(d)
        card = {}
        if (d / CARD_FILE).exists():
            card = json.loads((d / CARD_FILE).read_text(encoding="utf-8"))
        return cls(model, card, label_units)

    @staticmethod
    def save(model: TextModel, card: dict, model_dir) -> Path:
        import gzip
        import pickle

        d = Path(model_dir)
        d.mkdir(parents=True, exist_ok=True)
        tmp = d / (MODEL_FILE + ".tmp")
        tmp.write_bytes(gzip.compress(pickle.dumps(model, protocol=5), compresslevel=3))
        tmp.replace(d / MODEL_FILE)
        (d / CARD_FILE).write_text(json.dumps(card, ensure_ascii=False, indent=2), encoding="utf-8")
        return d

    # ------------------------------------------------------------- predict -----------
    def _result(self, probs: np.ndarray, k: int, toks: str | None, xw=None) -> dict:
        # ranked by log P + the model's per-class label bias (macro-F1 tuning); the score shown and
        # compared with the threshold is the calibrated probability of that label
        order = np.argsort(-self.model.rank_scores(probs[None, :])[0])[: max(1, k)]
        sugg = [{"label": self.labels[i], "score": round(float(probs[i]), 4)} for i in order]
        for s in sugg:
            s["unit"] = self.label_units.get(s["label"])
        top = float(probs[order[0]])
        auto = top >= self.threshold
        out = {"suggestions": sugg, "auto": bool(auto), "abstain": not auto,
               "threshold": self.threshold, "model_version": self.model_version}
        if toks is not None:
            out["top_terms"] = self.model.top_terms(toks, int(order[0]), xw=xw)
        return out

    def predict(self, text: str, k: int = 3) -> dict:
        norm = T.normalise(text)
        toks = T.tokens_joined(norm)
        X = self.model.transform_prepared([norm], [toks])
        P = self.model.proba_from_X(X)[0]
        return self._result(P, k, toks, X)

    def predict_proba_many(self, texts) -> np.ndarray:
        return self.model.predict_proba(list(texts))

    def predict_many(self, texts, k: int = 3, explain: bool = False) -> list[dict]:
        texts = list(texts)
        norm = [T.normalise(t) for t in texts]
        toks = [T.tokens_joined(n) for n in norm]
        P = self.model.proba_from_X(self.model.transform_prepared(norm, toks))
        return [self._result(P[i], k, toks[i] if explain else None) for i in range(len(texts))]

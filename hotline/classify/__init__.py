"""Appeal classifier (pure: stdlib, jieba, scikit-learn/numpy/scipy/joblib, opencc, yaml).

Public API for the service layer:

    from hotline.classify import text, rapid, similarity
    text.initialize()                               # parent process, before fork
    ModelStore(root).current().predict(text, k=3)   # hotline.classify.store / predictor
    rapid.detect(text)                              # 快速响应 item or None
    triage.triage(text, town=..., predictor=...)    # intake decisions: appeal type, emergency line,
                                                    # rapid item + its unit, vague, auto + reasons
    similarity.rank_candidates(text, [(id, text)], threshold)
    training.train(texts, labels, extra_examples=[(text, label)]) -> (model, card)
    cli.train_to_store(store_root, texts, labels, extra=[(text, label)]) -> (version, card)

Heavy modules are imported lazily: importing this package does not import scikit-learn.
"""


def warmup(store_root=None, rapid_detector: bool = True) -> None:
    """Load jieba, the rapid-response detector and (if given) the published model.

    Call once in the web/worker parent process before forking (gunicorn --preload, rq launcher)
    so children share the loaded state copy-on-write.
    """
    from . import text

    text.initialize()
    if rapid_detector:
        from . import rapid

        rapid.default_detector()
    if store_root is not None:
        from .store import NoModelError, get_store

        try:
            get_store(store_root).current()
        except NoModelError:
            pass

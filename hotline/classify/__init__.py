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


"""Knowledge base (issue 16): one package per feature.

domain/   the pure engine (articles, text analysis, BM25 index, evaluation): no framework
orm.py    tables; service.py use cases (the only code that commits); api.py, pages.py the web
layers; cli.py `hotline kb ...`.
"""

"""Knowledge-base engine (pure: no framework, no database): articles, text analysis, BM25
index, evaluation. The store, API and pages live one level up (hotline/knowledge/*.py)."""

"""Knowledge base (pure): articles, import/export, and the search engine behind direct answers
(直接答复) and the text service. No framework imports (import-linter contract)."""

from pathlib import Path

REPO_CONFIG = Path(__file__).resolve().parents[3] / "config"

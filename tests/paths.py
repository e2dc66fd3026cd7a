"""Where the checkout under test is (tests read its files; the library itself never does)."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

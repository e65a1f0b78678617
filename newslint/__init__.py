"""newslint: a deduplication and text-quality linter for news text."""

__version__ = "0.1.0"

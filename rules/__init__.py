"""Shipped rule packs (TOML). Installed as the `newslint.rules` package data."""

"""Built-in rules. Importing this package registers every rule, one module per family."""

from newslint.checks import boilerplate, chrome, hygiene, repeats, segments  # noqa: F401

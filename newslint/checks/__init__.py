"""Built-in rules. Importing this package registers every rule, one module per family."""

from newslint.checks import boilerplate, chrome, hygiene, repeats, segments  # noqa: F401
import newslint.corpus.rules  # noqa: E402,F401  (NL401-403, NL202: cheap, no numpy until they run)

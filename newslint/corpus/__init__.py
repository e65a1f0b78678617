"""Cross-file duplicates: exact (NL401), near (NL402) and contained (NL403) articles, and
corpus boilerplate lines (NL202), over a persistent, incremental index.

Entry points:

    from newslint.corpus import CorpusOptions, check_corpus, analyze
    diags = check_corpus(["new.txt"], None, CorpusOptions(threshold=0.8))  # {path: [Diagnostic]}
    result = analyze(["new.txt"])          # diagnostics + edges + clusters() + stats + notes

Importing this package is cheap (no numpy, no datasketch); the work is imported on call.
The hook path never imports datasketch or scipy: MinHash is computed in numpy
(`newslint.corpus.minhash`), value for value equal to datasketch's.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing on every start
if TYPE_CHECKING:  # pragma: no cover
    from newslint.corpus.engine import CorpusOptions, CorpusResult, CorpusStats  # noqa: F401
    from newslint.diagnostics import Diagnostic

__all__ = ["CorpusOptions", "CorpusResult", "CorpusStats", "analyze", "check_corpus", "CORPUS_CODES"]

CORPUS_CODES = frozenset({"NL401", "NL402", "NL403", "NL202"})


def __getattr__(name):
    if name in ("CorpusOptions", "CorpusStats", "Edge", "FileFindings"):  # numpy-free
        from newslint.corpus import model

        return getattr(model, name)
    if name == "CorpusResult":
        from newslint.corpus import engine

        return getattr(engine, name)
    raise AttributeError(name)


def analyze(query_paths, corpus_paths=None, options=None, index_only: bool = False,
            files_only: bool = False) -> "CorpusResult":
    """Run the corpus pass for `query_paths` against the corpus (see `check_corpus`).

    `query_paths` None queries every corpus file (what `newslint dups` does);
    `index_only` refreshes the index and stops (what `newslint index` does);
    `files_only`: the query paths are known to be files, not folders to walk.
    """
    from newslint.corpus import rules  # noqa: F401  (registers NL401-403, NL202)
    from newslint.corpus.engine import analyze as _analyze

    return _analyze(query_paths, corpus_paths, options, index_only=index_only, files_only=files_only)


def check_corpus(query_paths: list[str], corpus_paths: list[str] | None = None,
                 options: "CorpusOptions | None" = None) -> "dict[str, list[Diagnostic]]":
    """Corpus diagnostics for each queried file, keyed by the name it was given as.

    `query_paths`: files (or folders, walked with the include/exclude globs) to report on.
    `corpus_paths`: what to compare them with; None means the whole git repository (every
    tracked file matching the include globs) when the cwd is inside one, else the query
    paths themselves. Queried files are always part of the corpus.
    Every diagnostic's `related` lists every other file meeting the rule's threshold with
    its similarity. Files that are not UTF-8 text are left out (see `analyze(...).notes`).
    """
    return analyze(query_paths, corpus_paths, options).diagnostics

"""`newslint dups` and `newslint index`: click commands, registered by the CLI with
`main.add_command(dups)` and `main.add_command(index)`.

Like `newslint.cli`, these are the only corpus functions that print or exit.
"""

from __future__ import annotations

import json
import os
import sys

import click

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class CorpusError(click.ClickException):
    """A config or an index that cannot be used: 'newslint: error: ...', as `check` says it,
    and exit status 2 (an I/O error, as the commands' help says), not click's default 1."""

    exit_code = EXIT_ERROR

    def show(self, file=None) -> None:
        click.echo(f"newslint: error: {self.format_message()}", err=True)


def _index_options(f, builds: bool = False):
    """--index and --no-cache. `builds` (the `index` command): --no-cache is only there to be
    refused with a reason, so its help does not offer it."""
    f = click.option("--index", "index_url", metavar="URL", envvar="NEWSLINT_INDEX",
                     help="Shared index, redis://HOST:PORT/DB[?prefix=NAME] (default: .newslint_cache/ "
                          "in the repository).")(f)
    f = click.option("--no-cache", is_flag=True, hidden=builds, help="Keep no index: read and sign every file.")(f)
    return f


def _index_options_of_index(f):
    return _index_options(f, builds=True)


def _options(paths, use_cache: bool = True, index_url: str | None = None, **cli):
    """The corpus settings `check` would use for these paths (the config of the first:
    thresholds, hash, include/exclude, the index), the command line's options winning."""
    from newslint.config import ConfigError, Resolver
    from newslint.corpus import CORPUS_CODES
    from newslint.corpus.engine import CorpusOptions
    from newslint.runner import corpus_options

    try:
        settings = Resolver().for_path(paths[0] if paths else ".")
    except ConfigError as exc:
        raise CorpusError(str(exc)) from None
    # index_url "sqlite" is the embedded index, as `check --index sqlite` and the config take it
    opts = corpus_options(settings, CORPUS_CODES, use_cache, index_url, None, settings.configured_cache_dir(),
                          asked=True) or CorpusOptions(use_cache=use_cache)
    for name, value in cli.items():
        if value is not None:
            setattr(opts, name, value)
    return opts


def _notes(result) -> None:
    from newslint.corpus.model import left_out_note

    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    for name in result.unreadable:
        click.echo(f"note: {name}: cannot be read; left out of the corpus checks", err=True)
    for folder, why in result.unlisted:
        click.echo(f"note: {folder}: cannot list the folder ({why}); its files are left out of the corpus checks",
                   err=True)
    said = set(result.notes)  # a file named by its own note is not named again in the summary
    skipped = [name for name in result.skipped if left_out_note(name) not in said]
    if skipped:
        shown = ", ".join(skipped[:5]) + (f" and {len(skipped) - 5} more" if len(skipped) > 5 else "")
        click.echo(f"note: left out {len(skipped)} file(s) that are not UTF-8 text: {shown}", err=True)


@click.command("dups")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--threshold", type=click.FloatRange(0, 1), default=None,
              help="Near-duplicate Jaccard threshold (word 5-gram shingles) [default: the config's "
                   "duplicates.threshold, else 0.8].")
@click.option("--containment", type=click.FloatRange(0, 1), default=None,
              help="Contained-article threshold [default: the config's duplicates.containment, else 0.9].")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when duplicates are found.")
@_index_options
def dups(paths, output_format, threshold, containment, exit_zero, no_cache, index_url):
    """Print clusters of duplicate, near-duplicate and contained articles.

    The corpus is PATHS (folders walked for *.txt and *.md) or, without PATHS, the whole
    git repository (tracked files), else the current folder. A cluster is a connected
    component of file pairs that are identical after normalisation (NL401), meet the
    Jaccard threshold (NL402) or are contained one in the other (NL403); each pair's
    figures are printed.

    \b
    Exit status: 0 no cluster, 1 clusters found, 2 usage or I/O error.
    """
    from newslint.corpus import analyze
    from newslint.report import printable

    opts = _options(paths, use_cache=not no_cache, index_url=index_url, threshold=threshold,
                    containment=containment, select=frozenset({"NL401", "NL402", "NL403"}))
    try:
        result = analyze(None, list(paths) or None, opts)
    except RuntimeError as exc:
        raise CorpusError(str(exc)) from None
    _notes(result)
    clusters = result.clusters()
    if output_format == "json":
        out = [json.dumps({
            "threshold": opts.threshold, "containment": opts.containment, "files": result.stats.corpus_files,
            "clusters": clusters,
        }, indent=2, ensure_ascii=False)]
    else:
        out = []
        for n, c in enumerate(clusters, 1):
            out.append(f"cluster {n}: {len(c['members'])} files")
            for m in c["members"]:
                out.append(f"  {m}")
            for p in c["pairs"]:
                what = {"NL401": "identical", "NL402": "near-duplicate", "NL403": "contained"}[p["code"]]
                out.append(f"    {p['a']} ~ {p['b']}: {p['code']} {what}, Jaccard {p['jaccard']:.2f}, "
                           f"containment {p['containment_a_in_b']:.2f} / {p['containment_b_in_a']:.2f}")
        files = sum(len(c["members"]) for c in clusters)
        out.append(f"{len(clusters)} cluster(s), {files} file(s) of {result.stats.corpus_files} "
                   f"(Jaccard >= {opts.threshold:g}, containment >= {opts.containment:g}).")
    # a file name that is not UTF-8 as check's reports name it (\xNN): valid UTF-8, and no
    # lone surrogate escape in the JSON, which strict parsers reject
    click.echo(printable("\n".join(out), output_format))
    if result.unreadable or result.unlisted:  # the clusters are those of the files that could be read
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if clusters and not exit_zero else EXIT_CLEAN)


@click.command("index")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--rebuild", is_flag=True, help="Drop the index and build it again from scratch.")
@_index_options_of_index
def index(paths, rebuild, no_cache, index_url):
    """Build or refresh the repository-wide duplicate index.

    The index lives in .newslint_cache/ at the top of the git work tree (or the current
    folder), or in Redis with --index. Unchanged files (same size, mtime and inode) are not
    read; changed files whose content is already known are not re-signed; deleted and
    renamed files drop out. `newslint check` and `newslint dups` refresh it themselves:
    this command only does it ahead of time (e.g. in CI, before the hooks run).

    \b
    Exit status: 0 indexed, 2 usage or I/O error (a file or folder that could not be read
    is named, and left out of the index).
    """
    from newslint.corpus import analyze

    if no_cache:
        raise click.UsageError("--no-cache keeps no index: there is nothing to build.")
    opts = _options(paths, index_url=index_url, rebuild=rebuild)
    try:
        result = analyze(None, list(paths) or None, opts, index_only=True)
    except RuntimeError as exc:  # among them: the cache folder cannot be made or written
        raise CorpusError(str(exc)) from None
    _notes(result)
    s = result.stats
    click.echo(
        f"indexed {s.corpus_files} file(s) in {s.seconds:.2f} s: {s.stat_hits} unchanged, {s.hashed} read, "
        f"{s.signed} newly signed, {s.dropped} dropped; index: {result.index_location or os.devnull}"
    )
    if result.unreadable or result.unlisted:  # the index lacks what could not be read: as dups, an I/O error
        sys.exit(EXIT_ERROR)

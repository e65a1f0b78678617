"""NL5xx: files that cannot be read as text. Raised by the reader, documented here."""

from __future__ import annotations

from newslint.registry import Rule, register


class _ReaderRule(Rule):
    def check(self, doc, ctx):  # emitted by the engine when reading fails
        return ()


@register
class IOError_(_ReaderRule):
    """A file that cannot be read: unreadable, a broken symlink, not a regular file.

    ## What it flags
    Any input newslint could not open or read to the end (also a rule-pack pattern that
    ran out of time on it, named in the message), and a folder it could not list (nothing
    in it was checked; reported once, at the folder). The run continues with the other files
    and exits with status 2. A path given on the command line that does not exist is a
    usage error instead: the run stops before it starts (exit status 2), as a mistyped
    name should.

    ## Fix safety
    None: the file is never written.
    """

    code = "NL500"
    name = "io-error"


@register
class InvalidEncoding(_ReaderRule):
    """A file that is not valid text in the configured encoding (UTF-8 by default).

    ## What it flags
    The first byte that does not decode, with its offset, e.g. a Latin-1 file in a
    UTF-8 repository (the BBC corpus has one: `sport/199.txt`).

    ## Why
    Rewriting a file newslint cannot decode would corrupt it; other tools will choke on it.

    ## Fix safety
    None: the file is never rewritten. Convert it (`iconv -f latin1 -t utf-8`) or set
    `encoding` for the files that really use a legacy encoding.
    """

    code = "NL501"
    name = "invalid-encoding"


@register
class BinaryFile(_ReaderRule):
    """A file that holds NUL bytes: binary, not text. It is skipped.

    ## What it flags
    Nothing: a binary file in a text folder (an image, an archive) is no defect of any
    text, so it is skipped with a note on standard error and changes neither the
    findings nor the exit status. The code exists to name the case in that note.

    ## Fix safety
    None: the file is never written.
    """

    code = "NL502"
    name = "binary-file"


@register
class FileTooLarge(_ReaderRule):
    """A file larger than `max-file-size` bytes (default 50 MB); it is skipped, not read.

    ## Fix safety
    None: the file is never written.
    """

    code = "NL503"
    name = "file-too-large"


@register
class UnusedSuppression(_ReaderRule):
    """A `<!-- newslint: disable ... -->` comment that suppresses nothing.

    ## What it flags
    A suppression directive (`disable`, `disable-next-line`, `disable-file`) whose
    codes match no finding in the lines it covers. While the cross-file rules run, a
    directive that may name one of them (NL202, NL4, or no code at all) is not reported:
    whether another file makes it needed is not known from this file. Also flagged: a
    directive naming a code no rule has (`NL999`), and a `<!-- newslint: ... -->` comment
    whose word is no directive (`disble`), which would otherwise be ignored without a word.

    ## Why
    Stale suppressions hide future findings: once the text they excused is gone,
    they should go too.

    ## Fix safety
    None (the comment is left for you to delete).
    """

    code = "NL601"
    name = "unused-suppression"

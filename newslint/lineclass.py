"""What kind of line is this? Small, language-light predicates shared by the rules."""

from __future__ import annotations

import re
from functools import lru_cache

from newslint.document import ends_sentence
from newslint.normalize import has_words, word_count, words

# A photo credit at the end of a caption: "(AFP)", "(Government media)", "/ Reuters",
# "[File: Reuters]", "Photo: Jane Doe, AP", "Image copyright EPA", "Credit... Name", and
# at the end of a caption "... Photo: Getty Images", "... Photograph by Name/AFP/Getty Images".
CREDIT = re.compile(
    r"""(?ix)
    (?: \(\s*[^()]{1,40}\)\s*$                         # (AFP), (Government media)
      | \[\s*(?:file|photo|image)?\s*:?\s*[^\[\]]{1,40}\]\s*$   # [File: Reuters]
      | \s/\s*[A-Z][\w .&-]{1,30}$                      # ... / AFP
      | ^(?:photo|image|picture|credit|source)\s*(?:copyright)?\s*[:.…]
      | (?:image|photo)\s+copyright\b
      | \bcredit\s*(?:\.\.\.|…|:)
      | (?-i:\b(?:Photo(?:graph)?|Picture|Image)s?\s+by|\b(?:Photo(?:graph)?|Picture|Image)\s*:)
        \s+(?-i:[A-Z])[^!?]{0,60}$                      # ... Photo: Getty Images, ... Photograph by Name/AFP
    )
    """
)

# Every CREDIT alternative needs one of these: the line ends in ')' or ']', holds a '/', or
# one of the words photo, image, picture, credit, source (any case). A search scans every position with seven alternatives
# (~40 us a paragraph); the screen costs ~1 us, and most lines of prose have none of them.
# the letters IGNORECASE matches beyond ASCII ('ſource', 'İmage'): lower() leaves them unlike
_FOLDS = str.maketrans({"ſ": "s", "ı": "i", "\u0307": None})


def credit_search(t: str):
    """CREDIT.search(t), for a stripped line, without the search when it cannot match."""
    if not (t.endswith((")", "]")) or "/" in t):
        low = t.lower()
        if not low.isascii():
            low = low.translate(_FOLDS)  # 'İ'.lower() is 'i' + U+0307; 'K' (Kelvin) lowers to 'k'
        if not ("photo" in low or "image" in low or "picture" in low or "credit" in low or "source" in low):
            return None
    return CREDIT.search(t)


# "WASHINGTON (Reuters) -" opens a story; it is a dateline, not a caption credit.
DATELINE = re.compile(r"^[A-Z][A-Z .'-]{2,40}(?:,\s*[A-Za-z .]+)?\s*\([^)]{1,30}\)\s*[-–—]")


def looks_like_headline(text: str) -> bool:
    """A short line that does not read as a sentence of body text."""
    t = text.strip()
    if not t or len(t) > 160:
        return False
    n = word_count(t)
    if n < 2 or n > 22:
        return False
    bare = t.rstrip("'\"’”»)] ")
    if bare.endswith((".", ",", ";", ":", "…")):
        return False  # a sentence, or a quote that ends one
    if bare.endswith(("?", "!")) and n > 14:
        return False
    if t[0] in "\"“«'‘" and bare != t:
        return False  # a whole line in quotes is a quotation, not a headline
    if DATELINE.match(t) or is_list_item(t):
        return False
    first = t[0]
    return not first.islower()


def has_credit(text: str) -> bool:
    t = text.strip()
    return bool(credit_search(t)) and not DATELINE.match(t)


def is_credit_only(text: str) -> bool:
    """A credit with (almost) nothing it credits: "[ Tom's Guide ]", "(AFP)". Printed
    before each quote of a review round-up, each copy names the source of different text,
    so such a line is a source tag, not a caption printed twice."""
    t = text.strip()
    m = credit_search(t)
    return m is not None and not DATELINE.match(t) and word_count(t[:m.start()] + " " + t[m.end():]) < 2


def is_credit_line(text: str) -> bool:
    """A short line that is a picture credit from its first character: "Photo: Getty Images",
    "Image copyright EPA", "(AFP)" (not "Subscribe (Mobile)", a menu item)."""
    t = text.strip()
    m = credit_search(t)
    return m is not None and m.start() == 0 and not DATELINE.match(t) and word_count(t) <= 8


def looks_like_caption(text: str) -> bool:
    """A photo caption: short-ish, usually no final full stop, often a credit."""
    t = text.strip()
    n = word_count(t)
    if n == 0 or n > 45:
        return False
    if has_credit(t):
        return True
    return n <= 30 and not ends_sentence(t)


# Function words of the languages written in Latin script that news sites use most
# (English, Spanish, Portuguese, French, Italian, German, Dutch, Indonesian). Prose is
# dense in them; menus, tag lists and title-case headlines are not.
FUNCTION_WORDS = frozenset(
    """a an the and or but if of to in on at by for with from as is are was were be been being
    has have had do does did not no it its this that these those he she they we you i his
    her their our your my me him them us who whom which what when where while than then so
    there here also after before into over under about will would can could should may might
    must said says however all any some more most such only just very other out up one
    de la el los las en y que del se por con para una un es al lo su como más pero sus le
    o os as um uma da do das dos na no nas nos em com não ao à é foi
    et les des du au aux est une dans pour pas qui sur ce il elle sont
    di il che per non gli della nel sono ha
    der die das und ist von mit den dem zu im auf ein eine nicht sich auch es
    het een van en op te zijn
    yang dan di ke dari ini itu dengan untuk tidak akan""".split()
)
_LATIN = re.compile(r"[A-Za-z]")
_ANY_LETTER = re.compile(r"[^\W\d_]")


def is_box_score(text: str) -> bool:
    """A box score, a results line or a results table: a Latin-script paragraph under a
    tenth of whose words are function words and at least 15% numbers ("Viera (4-0): K.
    Hupfer 1 goal. L. Patikas 1 goal."; a standings table of 40 rows, "1 Kyle Busch 5040 5
    1 17 27", joined into one paragraph of 331 words); not prose, even when it ends in a
    full stop or is long. The numbers are required because the function words listed are
    those of eight languages: prose in another Latin-script language (Polish, Turkish,
    Vietnamese) has few of them."""
    toks = words(text)
    if not toks:
        return False
    if not text.isascii() and len(_LATIN.findall(text)) <= 0.6 * len(_ANY_LETTER.findall(text)):
        return False  # another script: the list does not cover it
    if sum(t.isdigit() for t in toks) < 0.15 * len(toks):
        return False
    return sum(t in FUNCTION_WORDS for t in toks) < 0.1 * len(toks)


@lru_cache(maxsize=1024)
def is_body_text(text: str) -> bool:
    """A line or paragraph that reads as article prose (memoised for the document being
    linted: several rules ask it of every paragraph)."""
    return has_words(text, 25) or (has_words(text, 10) and ends_sentence(text) and not has_credit(text))


_LIST_MARK = re.compile(r"^\s*(?:[-*•·–—▪►]|\(?\d{1,3}[.)]|\(?[a-z][.)])\s+")


def is_list_item(text: str) -> bool:
    """A bulleted or numbered item: part of a list whose entries legitimately look alike."""
    return bool(_LIST_MARK.match(text))


def unmarked(text: str) -> str:
    """The text of a list item without its bullet or number ("- Soaring oil ..." -> "Soaring oil ...")."""
    return _LIST_MARK.sub("", text, count=1)


# "Portion Fix Containers: 1 Green, 1 Red, 1 Yellow, 1 tsp.": a label, then three or more
# items of one to three words. A meal plan or a results table repeats such lines day after
# day, each copy in its own place: they are entries, not a paragraph printed twice. (Prose
# with a colon and commas has longer pieces: "... on Sunday: two men, aged 24 and 31, ...")
_ITEM = r"\s*[^\s,.;:!?]+(?:\s+[^\s,.;:!?]+){0,2}"
_ENUMERATION = re.compile(rf"^[^:.!?]{{1,40}}:{_ITEM}(?:,{_ITEM}){{2,}}\.?$")


# "Asian Chicken Zoodles [1 cup zucchini noodles, 4 oz. cooked chicken, ½ cup edamame, ...]",
# "1 scoop Shakeology, 1 cup strawberries, 8 oz. almond milk (or 1 tsp. nut butter)": items
# led by a quantity, three or more, none long. A meal plan lists such a recipe again under
# each plan that has it: entries, not a paragraph or a caption printed twice.
_PIECES = re.compile(r"[,;\[\](){}]")
_QUANTITY_LED = re.compile(r"\s*(?:(?:or|and|plus)\s+)?(?:\d+(?:[.,/]\d+)?|[½¼¾⅓⅔⅛])\s*[^\W\d]", re.IGNORECASE)


def is_labelled_list(text: str) -> bool:
    """The label form alone: one regex match, cheap enough to ask of every paragraph."""
    return bool(_ENUMERATION.match(text.strip()))


def is_quantity_list(text: str) -> bool:
    """The quantity-led form alone (~12 us a paragraph: asked only where it matters)."""
    t = text.strip()
    if "," not in t or ends_sentence(t):  # prose with numbers ("5,000 people in the UK, 2,000 in ...") ends one
        return False
    pieces = [p for p in _PIECES.split(t) if p.strip()]
    return sum(1 for p in pieces if _QUANTITY_LED.match(p)) >= 3 and all(word_count(p) <= 10 for p in pieces)


def is_enumeration(text: str) -> bool:
    return is_labelled_list(text) or is_quantity_list(text)


def ends_prose(text: str) -> bool:
    """A paragraph that closes a run of prose: a sentence of four or more words."""
    return is_body_text(text) or (word_count(text) >= 4 and ends_sentence(text) and not has_credit(text))

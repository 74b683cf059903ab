"""Name keys shared by index building and lookup.

Place names reach us in many spellings: accents or none ("Tikrīt"/"Tikrit"), with or
without the Arabic article ("Al Ramadi"/"Ramadi"), with apostrophes for ayn and hamza
("Dar'ā"), with administrative words ("Anbar Governorate"). Index and query go through
the same functions here, so every rule applies to both sides and to every place alike.
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

_NON_WORD = re.compile(r"[\W_]+")

# Transliterations of the Arabic article: al-, el-, and the assimilated ad-, as-, ash-...
_ARTICLE = r"(?:[ae](?:l|d|dh|n|r|s|sh|t|th|z))"
_LEADING_ARTICLE = re.compile(rf"^{_ARTICLE} (?=\S{{3}})")
_ARTICLE_WORDS = re.compile(rf"\b{_ARTICLE}\b")

# Words that name the kind of an administrative unit rather than the unit itself.
_ADMIN_WORDS = (
    r"(?:governorate|province|district|sub ?district|region|county|municipality|"
    r"prefecture|department|qada|qadaa|qadha|nahiya|nahiyat|muhafazat|muhafazah|mintaqat|"
    r"iqlim|wilayat|ostan|shahrestan)"
)
_ADMIN_AFFIX = re.compile(rf"^{_ADMIN_WORDS} (?:of |e )?|(?: {_ADMIN_WORDS})+$")

_FINAL_H = re.compile(r"(?<=[aeiou])h\b")  # ta marbuta: "Raqqah" and "Raqqa" are one name
_VOWELS = dict.fromkeys(map(ord, "aeiouyw "), None)
_REPEATS = re.compile(r"(.)\1+")


class _FoldTable(dict[int, str]):
    """``str.translate`` table filled on first sight of each character.

    Apostrophe-like marks (ayn, hamza, okina) vanish instead of splitting a word,
    combining accents vanish, other Latin letters become ASCII ("ı", "ł", "ə");
    letters of other scripts stay as written.
    """

    def __missing__(self, codepoint: int) -> str:
        char = chr(codepoint)
        if char in "'’‘ʼʻʿʾ`´" or unicodedata.combining(char):
            folded = ""
        elif codepoint >= 128 and unicodedata.name(char, "").startswith("LATIN"):
            folded = anyascii(char)
        else:
            folded = char
        self[codepoint] = folded
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Casefold, fold Latin accents and letters to ASCII, turn punctuation into spaces."""
    return _NON_WORD.sub(
        " ", unicodedata.normalize("NFKD", text.casefold()).translate(_FOLD)
    ).strip()


def without_article(key: str) -> str | None:
    """``key`` without a leading Arabic article ("al anbar" -> "anbar"), or None if it has none."""
    found = _LEADING_ARTICLE.match(key)
    return key[found.end() :] if found else None


def without_admin_words(key: str) -> str | None:
    """``key`` without words such as "governorate" or "district", or None if it has none."""
    stripped = _ADMIN_AFFIX.sub("", key).strip()
    return stripped if stripped and stripped != key else None


def variants(key: str, *, admin: bool = False) -> list[str]:
    """Rule-derived keys under which a name is also found (article and, for admin units, kind)."""
    found: list[str] = []
    bare = without_admin_words(key) if admin else None
    for candidate in (bare, without_article(key), without_article(bare) if bare else None):
        if candidate and candidate != key and candidate not in found:
            found.append(candidate)
    return found


def compact(key: str) -> str:
    """``key`` without spaces, for comparing "deir ezzor" with "deir ez zor"."""
    return key.replace(" ", "")


def skeleton(key: str) -> str:
    """A consonant skeleton of a Latin key, the same for most transliterations of one name.

    Arabic names are written with consonants; romanizations differ mostly in vowels,
    doubled letters, articles and a final ``h``: "Dayr az Zawr" and "Deir ez-Zor" both
    give ``drzr``, "Idlib" and "Idleb" ``dlb``. Used only to find fuzzy candidates.
    """
    text = _FINAL_H.sub("", _ARTICLE_WORDS.sub("", key)).replace("q", "k").translate(_VOWELS)
    return _REPEATS.sub(r"\1", text)

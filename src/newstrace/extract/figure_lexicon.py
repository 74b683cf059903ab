"""Word lists that figures rest on: qualifiers, vague amounts, and the words that class a count.

General English vocabulary of conflict reporting (the terms coders of ACLED, UCDP and
GTD read tolls from), not lists made from any particular article. Verbs are lemmas;
nouns are listed as lemmas and are matched against a token's lemma or its lower-cased form.
"""

from __future__ import annotations

from dataclasses import dataclass

from newstrace.records import Qualifier

# Words before a number that say how to read it, longest first within each qualifier.
QUALIFIER_PHRASES: tuple[tuple[tuple[str, ...], Qualifier], ...] = tuple(
    (tuple(phrase.split()), qualifier)
    for qualifier, phrases in (
        (
            Qualifier.MORE_THAN,
            ("in excess of", "more than", "upwards of", "well over", "just over", "greater than"),
        ),
        (
            Qualifier.AT_LEAST,
            ("no fewer than", "no less than", "not less than", "a minimum of", "at least"),
        ),
        (Qualifier.LESS_THAN, ("fewer than", "less than", "just under")),
        (
            Qualifier.AT_MOST,
            ("no more than", "not more than", "a maximum of", "as many as", "at most", "up to"),
        ),
        (
            Qualifier.APPROXIMATE,
            (
                "an estimated",
                "close to",
                "approximately",
                "roughly",
                "around",
                "about",
                "nearly",
                "almost",
                "circa",
                "estimated",
            ),
        ),
    )
    for phrase in phrases
)
# One-word qualifiers that are also plain prepositions or determiners ("fought over two
# towns", "some 200 people"): trusted only when the parse or the entity ties them to the number.
AMBIGUOUS_QUALIFIERS: dict[str, Qualifier] = {
    "over": Qualifier.MORE_THAN,
    "above": Qualifier.MORE_THAN,
    "under": Qualifier.LESS_THAN,
    "below": Qualifier.LESS_THAN,
    "some": Qualifier.APPROXIMATE,
}

# Words joining the two ends of a range: "150 to 200", "two or three", "150-200".
RANGE_JOINERS = frozenset({"to", "or", "-", "–", "—"})


@dataclass(frozen=True, slots=True)
class VagueAmount:
    """A counting word used in the plural ("dozens"): at least two of ``unit``, at most ``high``."""

    unit: int
    high: int

    @property
    def low(self) -> int:
        return 2 * self.unit


# Plural counting words. ACLED codes each as one of its unit ('tens' = 10, 'dozens' = 12,
# 'hundreds' = 100); the text itself says at least two of them.
VAGUE_AMOUNTS: dict[str, VagueAmount] = {
    "tens": VagueAmount(10, 99),
    "dozens": VagueAmount(12, 99),
    "scores": VagueAmount(20, 99),
    "hundreds": VagueAmount(100, 999),
    "thousands": VagueAmount(1_000, 9_999),
    "millions": VagueAmount(1_000_000, 9_999_999),
    "billions": VagueAmount(1_000_000_000, 9_999_999_999),
}
# Singular counting words and the plural each one stands for after "several" or "a few".
SCALE_WORDS: dict[str, str] = {
    "dozen": "dozens",
    "hundred": "hundreds",
    "thousand": "thousands",
    "million": "millions",
    "billion": "billions",
}
# Counting words that are ordinary nouns unless "of" follows: "scores of people", "test scores".
NEEDS_OF = frozenset({"scores"})
# "several hundred", "a few thousand": as vague as the plural itself.
VAGUE_MODIFIERS = frozenset({"several", "few", "many"})

# --- What a count is of ------------------------------------------------------------------

KILLING_VERBS = frozenset(
    {
        "kill",
        "slay",
        "murder",
        "execute",
        "massacre",
        "behead",
        "assassinate",
        "slaughter",
    }
)
# Verbs whose subject is the victim: "12 people died".
DYING_VERBS = frozenset({"die", "perish", "drown", "starve"})
INJURING_VERBS = frozenset({"injure", "wound", "hurt", "maim"})
# Nouns and adjectives that make a count a death toll: "12 dead", "the death toll rose to 12",
# "the deaths of 12 people".
DEATH_WORDS = frozenset(
    {
        "dead",
        "killed",
        "death",
        "toll",
        "fatality",
        "body",
        "corpse",
        "life",  # "claimed 12 lives", "lost their lives"
        "killing",
    }
)
INJURY_WORDS = frozenset({"injured", "wounded", "injury", "wound", "hurt"})
# Groups of armed people: counted as forces unless the sentence makes them victims.
FORCE_NOUNS = frozenset(
    {
        "fighter",
        "troop",
        "soldier",
        "member",
        "militant",
        "militiaman",
        "gunman",
        "insurgent",
        "rebel",
        "jihadist",
        "combatant",
        "recruit",
        "mercenary",
        "guerrilla",
        "paramilitary",
        "policeman",
        "officer",
        "personnel",
        "force",
        "reservist",
        "marine",
        "commando",
        "sniper",
        "guard",
        "volunteer",
        "operative",
    }
)
OPERATION_NOUNS = frozenset(
    {
        "operation",
        "attack",
        "bombing",
        "raid",
        "strike",
        "airstrike",
        "assault",
        "ambush",
        "explosion",
        "blast",
        "incident",
        "offensive",
        "sortie",
        "mission",
        "shelling",
        "clash",
        "battle",
    }
)
DISTANCE_UNITS = frozenset(
    {
        "kilometer",
        "kilometre",
        "km",
        "meter",
        "metre",
        "m",
        "mile",
        "yard",
        "foot",
        "feet",
        "ft",
        "nautical mile",
    }
)
MONEY_UNITS = frozenset(
    {
        "dollar",
        "euro",
        "pound",
        "dinar",
        "lira",
        "riyal",
        "rial",
        "dirham",
        "shekel",
        "rouble",
        "ruble",
        "hryvnia",
        "rupee",
        "afghani",
        "yuan",
        "yen",
        "franc",
        "usd",
        "eur",
        "$",
        "€",
        "£",
    }
)
CURRENCY_SYMBOLS = frozenset({"$", "€", "£", "us$"})

# Person counts above this are not a report of one conflict: no war on record has killed
# more than about 85 million people.
MAX_PLAUSIBLE_PEOPLE = 100_000_000

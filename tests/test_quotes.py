"""Attribution on sentences the team wrote: every quoting form, speaker kind and
formatting trap that users of quote extractors report."""

from __future__ import annotations

import pytest

from newstrace.analysis import analyze_text
from newstrace.records import Quote, QuoteKind, SpeakerKind


def quotes_of(text: str) -> list[Quote]:
    return list(analyze_text(text).quotes)


def only(text: str) -> Quote:
    found = quotes_of(text)
    assert len(found) == 1, [q.content.text for q in found]
    return found[0]


def test_every_span_points_at_its_words() -> None:
    text = (
        "A security official, who spoke on condition of anonymity, told AFP that the base "
        'was evacuated. "We lost two vehicles," the official said.'
    )
    for quote in quotes_of(text):
        mentions = [quote.content, quote.cue, quote.recipient, *quote.hedges]
        speaker = quote.speaker
        mentions += [speaker.mention, speaker.resolved, speaker.description, speaker.anonymity]
        for mention in mentions:
            if mention is not None:
                assert text[mention.span.start : mention.span.end] == mention.text


@pytest.mark.parametrize(
    ("text", "speaker", "kind"),
    [
        ('"We will not stop," the minister said.', "the minister", SpeakerKind.ANONYMOUS_PERSON),
        ("“We will not stop,” said Ahmed Karim.", "Ahmed Karim", SpeakerKind.NAMED_PERSON),
        ("‘We will not stop,’ a witness said.", "a witness", SpeakerKind.ANONYMOUS_PERSON),
        ("«We will not stop,» residents said.", "residents", SpeakerKind.ANONYMOUS_GROUP),
        ('"We will not stop the campaign." — Ali Hassan', "Ali Hassan", SpeakerKind.NAMED_PERSON),
        ('Ali Hassan: "We will not stop the campaign."', "Ali Hassan", SpeakerKind.NAMED_PERSON),
    ],
)
def test_direct_quote_marks_and_speaker_positions(
    text: str, speaker: str, kind: SpeakerKind
) -> None:
    quote = only(text)
    assert quote.kind is QuoteKind.DIRECT
    assert quote.content.text.startswith("We will not stop")
    assert quote.speaker.name == speaker
    assert quote.speaker.kind is kind


def test_speaker_in_lead_in_sentence_before_colon() -> None:
    quote = only(
        "The statement said:\n\n"
        '"The strike targeted a weapons depot and caused no civilian casualties."'
    )
    assert quote.speaker.kind is SpeakerKind.DOCUMENT
    assert quote.speaker.name == "The statement"


def test_quote_interrupted_by_its_attribution() -> None:
    found = quotes_of(
        '"The first part of it," said Ahmed Karim, a spokesman for the ministry, '
        '"and the second part too."'
    )
    assert [q.content.text for q in found] == ["The first part of it,", "and the second part too."]
    assert {q.speaker.name for q in found} == {"Ahmed Karim"}
    description = found[0].speaker.description
    assert description is not None and description.text == "a spokesman for the ministry"


def test_partial_quote_inside_the_reporters_sentence() -> None:
    found = quotes_of('The governor demanded a "swift and transparent" inquiry into the raid.')
    partial = [q for q in found if q.kind is QuoteKind.PARTIAL]
    assert [q.content.text for q in partial] == ["swift and transparent"]
    assert partial[0].speaker.name == "The governor"
    # What was demanded is reported too, hanging from the same cue.
    reported = [q for q in found if q.kind is QuoteKind.INDIRECT]
    assert [q.content.text for q in reported] == ['a "swift and transparent" inquiry into the raid']
    assert reported[0].cue == partial[0].cue


def test_one_word_scare_quote_is_not_a_quotation() -> None:
    assert quotes_of('The group named a new "emir" for the province last year.') == []


@pytest.mark.parametrize(
    ("text", "content", "speaker", "kind"),
    [
        (
            "Police said that three people were killed in the blast.",
            "three people were killed in the blast",
            "Police",
            SpeakerKind.ORGANIZATION,
        ),
        (
            "According to Reuters, the convoy was hit near the border.",
            "the convoy was hit near the border",
            "Reuters",
            SpeakerKind.OUTLET,
        ),
        (
            "The convoy was hit near the border, according to a report published by "
            "Human Rights Watch.",
            "The convoy was hit near the border",
            "Human Rights Watch",
            SpeakerKind.ORGANIZATION,
        ),
        (
            "The ministry warned the fighting could spread to the south.",
            "the fighting could spread to the south",
            "The ministry",
            SpeakerKind.ORGANIZATION,
        ),
    ],
)
def test_indirect_speech(text: str, content: str, speaker: str, kind: SpeakerKind) -> None:
    quote = only(text)
    assert quote.kind is QuoteKind.INDIRECT
    assert quote.content.text == content
    assert speaker in quote.speaker.name
    assert quote.speaker.kind is kind


@pytest.mark.parametrize(
    ("text", "content", "speaker", "cue"),
    [
        # A verb of believing whose subject is not in the speaker-noun lists.
        (
            "Aid groups believe the ceasefire will not hold.",
            "the ceasefire will not hold",
            "Aid groups",
            "believe",
        ),
        # The infinitive is the attributed stance.
        (
            "The rebel commander refused to withdraw his fighters from the town.",
            "to withdraw his fighters from the town",
            "The rebel commander",
            "refused",
        ),
        # Verb + preposition: the object of the preposition is the claim.
        (
            "The envoy referred to the shelling of the old market.",
            "the shelling of the old market",
            "The envoy",
            "referred",
        ),
        # An object verb of stance.
        (
            "The opposition party endorsed the peace plan.",
            "the peace plan",
            "The opposition party",
            "endorsed",
        ),
        # A noun of saying: its possessor speaks, its 'that' clause is the content.
        (
            "The ministry's claim that the strike hit only military targets was disputed.",
            "the strike hit only military targets",
            "The ministry",
            "claim",
        ),
        # A 'that' clause the parser hangs below 'time' instead of the cue.
        (
            "The ministry said for the first time that foreign fighters had crossed the border.",
            "foreign fighters had crossed the border",
            "The ministry",
            "said",
        ),
    ],
)
def test_attribution_beyond_verbs_of_saying(
    text: str, content: str, speaker: str, cue: str
) -> None:
    quote = only(text)
    assert quote.kind is QuoteKind.INDIRECT
    assert quote.content.text == content
    assert quote.speaker.name == speaker
    assert quote.cue is not None and quote.cue.text == cue


@pytest.mark.parametrize(
    ("text", "content", "cue"),
    [
        (
            "The offensive is expected to resume after the holiday.",
            "The offensive is expected to resume after the holiday",
            "expected",
        ),
        ("The talks appear to have stalled.", "The talks appear to have stalled", "appear"),
        (
            "It was reported that the bridge had been destroyed.",
            "the bridge had been destroyed",
            "reported",
        ),
    ],
)
def test_attribution_that_names_no_source(text: str, content: str, cue: str) -> None:
    """Passive and raising cues: the subject is part of what is claimed, no one speaks."""
    quote = only(text)
    assert quote.content.text == content
    assert quote.cue is not None and quote.cue.text == cue
    assert quote.speaker.kind is SpeakerKind.UNKNOWN and quote.speaker.mention is None


def test_passive_cue_with_an_agent_names_the_agent() -> None:
    quote = only("The ceasefire is opposed by the army.")
    assert quote.content.text == "The ceasefire"
    assert quote.speaker.name == "the army"


@pytest.mark.parametrize(
    "text",
    ["These attacks indicate that the group has new funding.", "We know the convoy was hit."],
)
def test_stance_without_a_source_speaking_is_not_attributed(text: str) -> None:
    """Evidence and the writer's own knowledge are not anyone's reported claim."""
    assert quotes_of(text) == []


def test_reported_clause_around_a_quoted_phrase_keeps_both() -> None:
    found = quotes_of('The mayor said the shelling was "a deliberate attack on civilians."')
    assert {(q.kind, q.content.text) for q in found} == {
        (QuoteKind.INDIRECT, 'the shelling was "a deliberate attack on civilians'),
        (QuoteKind.PARTIAL, "a deliberate attack on civilians."),
    }
    assert len({q.cue for q in found}) == 1


def test_reported_stance_inside_reported_speech_is_the_outer_speakers_claim() -> None:
    """'X said Y believes Z': Y's belief is what X claims, not something Y said."""
    quote = only("The mayor said residents believe the bridge is unsafe.")
    assert quote.content.text == "residents believe the bridge is unsafe"
    assert quote.speaker.name == "The mayor"


def test_quoted_phrase_inside_reported_speech_takes_its_cue_and_speaker() -> None:
    found = quotes_of(
        'The mayor joked that he enjoys a "peaceful protest every once in a while" at city hall.'
    )
    partial = next(q for q in found if q.kind is QuoteKind.PARTIAL)
    assert partial.content.text == "peaceful protest every once in a while"
    assert partial.cue is not None and partial.cue.text == "joked"
    assert partial.speaker.name == "The mayor"


def test_coordinated_cue_verbs_each_keep_their_own_clause() -> None:
    found = quotes_of(
        "The city not only objected by filing a complaint, but announced on Monday that it "
        "would sue the company."
    )
    by_cue = {q.cue.text if q.cue else None: q.content.text for q in found}
    assert by_cue["announced"] == "it would sue the company"
    assert "objected" not in by_cue


def test_speaker_the_parser_hung_elsewhere_is_the_name_before_the_cue() -> None:
    """Here the parser reads the speaker as an apposition and leaves 'said' subjectless."""
    quote = only(
        "Campaigning on Monday in Ohio for his daughter Republican Senate hopeful Mary Dunn, "
        "former senator John Dunn said the race was close."
    )
    assert quote.content.text == "the race was close"
    assert quote.speaker.name == "former senator John Dunn"


def test_cue_verb_the_tagger_lemmatizes_wrongly() -> None:
    """spaCy's small model reads 'hoping' as a form of 'hop'."""
    quote = only("The coalition is hoping to sign the agreement by Friday.")
    assert quote.cue is not None and quote.cue.text == "hoping"
    assert quote.content.text == "to sign the agreement by Friday"


def test_name_and_colon_in_a_heading_is_not_a_quote() -> None:
    quote = only(
        "Pat Smith: Voters are worried about prices.\n\n*Pat Smith: voters in the long war*"
    )
    assert quote.content.text == "Voters are worried about prices"


def test_according_to_after_two_clauses_covers_both() -> None:
    quote = only(
        "The army lost two tanks on Monday, while the rebels retreated to the hills, "
        "according to the monitoring group."
    )
    assert quote.content.text == (
        "The army lost two tanks on Monday, while the rebels retreated to the hills"
    )
    assert quote.speaker.name == "the monitoring group"


def test_recipient_anonymity_and_outlet() -> None:
    quote = only(
        "A security official, who spoke on condition of anonymity, told AFP that the base "
        "was evacuated."
    )
    assert quote.speaker.kind is SpeakerKind.ANONYMOUS_PERSON
    assert quote.recipient is not None and quote.recipient.text == "AFP"
    assert quote.speaker.anonymity is not None
    assert "anonymity" in quote.speaker.anonymity.text


def test_pronoun_and_short_reference_resolve_to_the_fullest_mention() -> None:
    found = quotes_of(
        "Defence minister Omar Saleh said the army had retaken the bridge. "
        '"We expect more resistance in the coming days," Saleh told reporters. '
        '"But the city will be secured," he added.'
    )
    assert len(found) == 3
    for quote in found:
        assert quote.speaker.kind is SpeakerKind.NAMED_PERSON
        resolved = quote.speaker.resolved or quote.speaker.mention
        assert resolved is not None and "Omar Saleh" in resolved.text


def test_hedges_are_reported() -> None:
    quote = only("The commander was reportedly killed in the strike, officials said.")
    assert [h.text for h in quote.hedges] == ["reportedly"]


def test_quote_without_identifiable_speaker_is_kept_as_unknown() -> None:
    quote = only('"We have lost everything and nobody came to help us here."')
    assert quote.speaker.kind is SpeakerKind.UNKNOWN


def test_quote_over_several_paragraphs_with_an_opening_mark_on_each() -> None:
    quote = only(
        "“The council condemns the attack on the market in the strongest terms,\n\n"
        "“and calls on all parties to protect civilians,” the council said."
    )
    assert "condemns" in quote.content.text and "protect civilians" in quote.content.text
    assert quote.speaker.name == "the council"


def test_unbalanced_marks_do_not_stop_the_rest_of_the_document() -> None:
    found = quotes_of(
        'He said "this quote never closes and keeps going on.\n\n'
        'The mayor said "the second quote is here" on Monday.'
    )
    assert any(q.content.text == "the second quote is here" for q in found)


def test_nested_quote_stays_inside_the_outer_one() -> None:
    quote = only("\"He told me 'leave now' and I left,\" the witness said.")
    assert quote.content.text == "He told me 'leave now' and I left,"


def test_apostrophes_are_not_quote_marks() -> None:
    found = quotes_of("The officers’ convoy didn’t stop at the army’s checkpoint, police said.")
    assert all("’" not in q.content.text[:1] for q in found)
    assert [q.kind for q in found] == [QuoteKind.INDIRECT]


def test_non_english_text_is_skipped_not_misparsed() -> None:
    analysis = analyze_text(
        "Le ministre a déclaré que les forces armées avaient repris le contrôle de la ville "
        "après trois jours de combats intenses dans le nord du pays, selon la télévision."
    )
    assert analysis.english is False
    assert analysis.quotes == ()
    assert any("not English" in note for note in analysis.notes)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n\n",
        '" " " " "',
        "“““”””",
        "Name | Rank | Unit\nAli | Captain | 3rd\nOmar | Major | 5th\n" * 20,
        "Ali Hassan\nOmar Saleh\nKarim Abbas\n" * 50,
        "\x00\x01 control \x7f characters \ufffd",
    ],
)
def test_texts_without_sentences_never_raise(text: str) -> None:
    analyze_text(text)


@pytest.mark.slow
def test_300000_word_document() -> None:
    paragraph = (
        'The ministry said that four soldiers were wounded near the border. "We will '
        'respond," a spokesman told reporters, according to local media.\n\n'
    )
    text = paragraph * (300_000 // len(paragraph.split()) + 1)
    assert len(text.split()) >= 300_000
    analysis = analyze_text(text)
    assert len(analysis.quotes) > 10_000

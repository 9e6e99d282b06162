"""Delivery figures from a transcript, and delivery advice that is true of them: pure, no audio needed."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coach.delivery import (
    FAST_WPM,
    FILLERS_MIN,
    FILLERS_PER_MINUTE,
    LONG_MARGIN_S,
    LONG_PAUSE_S,
    PACE_MIN_SECONDS,
    PACE_MIN_WORDS,
    PAUSES_MIN,
    SHORT_S,
    SLOW_WPM,
    delivery_advice,
    estimated_speaking_s,
    find_fillers,
    measure_delivery,
    number_words,
    spoken_words,
)
from coach.models import ADVICE_CODES, Advice
from coach.speech.transcript import Delivery, Transcript, Word

STORY = (
    "At our Leeds distribution centre three in every hundred orders shipped with a wrong item and credits rose "
    "every month so I was asked to halve the error rate within a quarter and I ran a Pareto analysis by zone "
    "then re-slotted look alike products with the shift leads and errors fell by more than half in ten weeks"
)


def spoken(text: str, wpm: float, lead_s: float = 1.0, gaps: dict[int, float] | None = None) -> Transcript:
    """A transcript of `text` said evenly at `wpm`, after `lead_s` of silence, with extra silences after
    the word indexes in `gaps` (seconds) and two seconds of silence at the end."""
    step = 60 / wpm
    words, clock = [], lead_s
    for i, token in enumerate(text.split()):
        words.append(Word(text=token, start_s=round(clock, 3), end_s=round(clock + step * 0.8, 3)))
        clock += step + (gaps or {}).get(i, 0.0)
    return Transcript(text=text, duration_s=clock + 2.0, words=words, transcriber="local")


def untimed(text: str, duration_s: float) -> Transcript:
    return Transcript(text=text, duration_s=duration_s, transcriber="server", model="gpt-4o-mini-transcribe")


def codes(delivery: Delivery, target_s: float | None = None) -> list[str]:
    return [a.code for a in delivery_advice(delivery, target_s) if a.code]


def story(words: int) -> str:
    """`words` words of the story, repeated as needed."""
    base = STORY.split()
    return " ".join(base[i % len(base)] for i in range(words))


# -- figures --------------------------------------------------------------------------------


def test_pace_is_measured_over_the_speech_not_the_silence_around_it() -> None:
    transcript = spoken(story(300), wpm=150, lead_s=8.0)
    d = measure_delivery(transcript)
    assert d.timed and d.words == 300
    assert d.words_per_minute == pytest.approx(150, abs=1.5), "lead-in and trailing silence are not the answer"
    assert d.speaking_s == pytest.approx(119.9, abs=0.1) and d.duration_s == pytest.approx(130, abs=0.1)


def test_numbers_count_as_the_words_said_for_them() -> None:
    assert spoken_words("3% of $18,000 in 2023") == (
        "three percent of eighteen thousand dollars in two thousand twenty three".split()
    )
    assert spoken_words("1.5 hours, the 3rd shift, the 1990s") == (
        "one point five hours the three shift the one thousand nine hundred ninety".split()
    )
    assert number_words(0) == ["zero"] and number_words(1_000_001) == ["one", "million", "one"]
    assert number_words(40) == ["forty"] and number_words(119) == ["one", "hundred", "nineteen"]


def test_long_pauses_are_gaps_between_words_over_three_seconds() -> None:
    transcript = spoken(story(60), wpm=150, gaps={9: 4.0, 29: 2.5, 49: 6.0})
    pauses = measure_delivery(transcript).long_pauses
    assert [round(p.seconds, 2) for p in pauses] == [4.08, 6.08], "a 2.58 s gap is not a long pause"
    assert pauses[0].start_s == transcript.words[9].end_s and pauses[0].end_s == transcript.words[10].start_s


def test_untimed_transcripts_report_no_pauses_and_pace_over_the_recording() -> None:
    d = measure_delivery(untimed(story(100), duration_s=60))
    assert not d.timed and d.long_pauses == [] and d.speaking_s == 60 and d.words_per_minute == 100


def test_fillers_are_counted_per_minute_by_kind() -> None:
    text = "Um, so we had, you know, errors. Uh, I was, like, asked to fix it. I mean, we kind of fixed it, um."
    d = measure_delivery(spoken(text, wpm=120))
    assert d.filler_counts == {"um": 2, "you know": 1, "uh": 1, "like": 1, "I mean": 1, "kind of": 1}
    assert d.fillers == 7 and d.fillers_per_minute == pytest.approx(7 / d.speaking_s * 60, abs=0.01)


FILLER_CASES = [
    ("Um, we started. Uhh, then erm, ah, hmm.", ["um", "uh", "er", "ah", "hmm"]),
    ("It was, like, a mess and like, nobody knew. It took, like 3 weeks.", ["like", "like", "like"]),
    ("The team, you know, pushed back. We fixed it, you know.", ["you know", "you know"]),
    ("I mean, it worked.", ["I mean"]),
    ("We kind of fixed it and it was sort of late. It's kinda odd.", ["kind of", "sort of", "kind of"]),
]
NOT_FILLERS = [
    "I like the new WMS and it looks like a maze; something like this would feel like progress.",
    "What kind of truck? This sort of problem needs all sorts of checks; a different kind of pallet.",
    "As you know, the site runs two shifts. Do you know the SKU? If you know, say so. You know the drill.",
    "What I mean is the plan. I mean to fix it.",
    "The ER was busy and the UM on the order was wrong. Uh-huh, she said.",
    "Humm, umbrella, hummus, error, ahead, aha.",
]


@pytest.mark.parametrize(("text", "kinds"), FILLER_CASES)
def test_fillers_are_found(text: str, kinds: list[str]) -> None:
    assert [f.kind for f in find_fillers(text)] == kinds


@pytest.mark.parametrize("text", NOT_FILLERS)
def test_words_meant_literally_are_not_fillers(text: str) -> None:
    assert find_fillers(text) == []


def test_filler_offsets_point_at_the_filler() -> None:
    text = "So, um, we were, like, late; you know, really late. We kind of caught up."
    assert [text[f.start : f.end] for f in find_fillers(text)] == ["um", "like", "you know", "kind of"]


def test_a_typed_answer_gets_an_estimated_speaking_time() -> None:
    assert estimated_speaking_s(story(280)) == pytest.approx(120)
    assert estimated_speaking_s("") == 0


# -- advice -----------------------------------------------------------------------------------


def test_a_well_delivered_answer_gets_no_delivery_advice() -> None:
    d = measure_delivery(spoken(story(300), wpm=140, gaps={40: 1.5, 120: 2.0}))
    assert codes(d) == []


@pytest.mark.parametrize(
    ("wpm", "expected"),
    [(185, ["delivery.fast"]), (175, ["delivery.fast"]), (160, []), (120, []), (105, ["delivery.slow"])],
)
def test_pace_advice_follows_the_spec_limits(wpm: float, expected: list[str]) -> None:
    words = round(wpm * 1.5)  # a minute and a half: neither short nor long
    assert codes(measure_delivery(spoken(story(words), wpm=wpm))) == expected


def test_pace_is_not_claimed_on_a_few_words() -> None:
    d = measure_delivery(spoken(story(12), wpm=250))
    assert d.words_per_minute > FAST_WPM and "delivery.fast" not in codes(d)
    assert codes(d) == ["delivery.short"]


def test_pace_advice_quotes_the_measured_pace() -> None:
    (advice,) = delivery_advice(measure_delivery(spoken(story(300), wpm=190)))
    assert advice == Advice(code="delivery.fast", part="delivery", text=advice.text)
    assert "about 190 words a minute" in advice.text and "120-160" in advice.text


def test_length_advice_uses_the_candidates_target() -> None:
    two_and_a_half_minutes = measure_delivery(spoken(story(375), wpm=150))
    assert codes(two_and_a_half_minutes) == [], "under the default three minutes"
    assert codes(two_and_a_half_minutes, target_s=120) == ["delivery.long"]
    (advice,) = delivery_advice(two_and_a_half_minutes, target_s=120)
    assert "2:30" in advice.text and "2:00 target" in advice.text
    just_past = measure_delivery(spoken(story(451), wpm=150))
    assert just_past.speaking_s > 180 and codes(just_past) == [], "within the margin a word's timing can be off by"


def test_a_short_answer_is_flagged_with_its_length() -> None:
    d = measure_delivery(spoken(story(90), wpm=150))
    assert d.speaking_s < SHORT_S
    (advice,) = delivery_advice(d)
    assert advice.code == "delivery.short" and "36 seconds" in advice.text


def test_fillers_advice_needs_a_rate_and_a_count() -> None:
    heavy = " ".join(f"{chunk} um," for chunk in story(200).split(" ")[::10])  # a filler every 10 words
    d = measure_delivery(spoken(story(200) + " " + heavy, wpm=150))
    assert d.fillers_per_minute > FILLERS_PER_MINUTE and "delivery.fillers" in codes(d)
    two = measure_delivery(spoken("Um, " + story(20) + " uh, done.", wpm=150))
    assert two.fillers_per_minute > FILLERS_PER_MINUTE and two.fillers < FILLERS_MIN
    assert "delivery.fillers" not in codes(two), "two fillers are nothing to work on"


def test_pause_advice_needs_two_long_pauses() -> None:
    one = measure_delivery(spoken(story(200), wpm=150, gaps={50: 5.0}))
    two = measure_delivery(spoken(story(200), wpm=150, gaps={50: 5.0, 150: 3.5}))
    assert "delivery.pauses" not in codes(one)
    (advice,) = [a for a in delivery_advice(two) if a.code == "delivery.pauses"]
    assert "2 silences" in advice.text and "longest 5 s" in advice.text


def test_without_word_timings_only_provable_claims_are_made() -> None:
    # A minute of recording: the answer inside it may be shorter, so its pace may be faster than measured.
    slow_looking = measure_delivery(untimed(story(90), duration_s=60))
    assert slow_looking.words_per_minute < SLOW_WPM and codes(slow_looking) == []
    long_looking = measure_delivery(untimed(story(400), duration_s=300))
    assert "delivery.long" not in codes(long_looking)
    # ...but "too fast" and "too short" stay true whatever silence the recording holds.
    assert codes(measure_delivery(untimed(story(120), duration_s=40))) == ["delivery.short", "delivery.fast"]


def test_every_delivery_code_is_a_known_delivery_code() -> None:
    d = measure_delivery(spoken("Um, uh, like, " + story(40), wpm=220, gaps={10: 4.0, 20: 4.0}))
    advice = delivery_advice(d)
    assert {a.code for a in advice} == {"delivery.short", "delivery.fillers", "delivery.pauses"}
    assert all(a.code in ADVICE_CODES and ADVICE_CODES[a.code] == "delivery" == a.part for a in advice)


@st.composite
def transcripts(draw: st.DrawFn) -> Transcript:
    """Any transcript: a drawn length, word speed, filler share and pause rate, the words themselves from a
    drawn seed (drawing each of hundreds of timings through hypothesis is slow for no gain in reach)."""
    rng = random.Random(draw(st.integers(0, 2**32)))
    n, word_s = draw(st.integers(0, 300)), draw(st.floats(0.05, 1.5))
    filler_share, pause_share = draw(st.floats(0, 0.5)), draw(st.floats(0, 0.2))
    fillers = ["um,", "uh,", "like,", "you know,", "I mean,", "kind of"]
    tokens = [rng.choice(fillers) if rng.random() < filler_share else "word" for _ in range(n)]
    clock = draw(st.floats(0, 10))
    words = []
    for token in tokens:
        length = word_s * rng.uniform(0.5, 1.5)
        words.append(Word(text=token, start_s=round(clock, 3), end_s=round(clock + length, 3)))
        clock += length + (rng.uniform(0, 8) if rng.random() < pause_share else 0.0)
    return Transcript(
        text=" ".join(tokens),
        duration_s=clock + draw(st.floats(0, 30)),
        words=words if draw(st.booleans()) else [],
        transcriber="local",
    )


@settings(max_examples=200, deadline=None)
@given(transcripts(), st.one_of(st.none(), st.sampled_from([60.0, 120.0, 180.0])))
def test_every_claim_is_true_of_the_figures(transcript: Transcript, target_s: float | None) -> None:
    d = measure_delivery(transcript)
    made = set(codes(d, target_s))
    paced = d.words >= PACE_MIN_WORDS and d.speaking_s >= PACE_MIN_SECONDS
    if "delivery.fast" in made:
        assert paced and d.words_per_minute > FAST_WPM
    if "delivery.slow" in made:
        assert d.timed and paced and d.words_per_minute < SLOW_WPM
    if "delivery.fillers" in made:
        assert d.fillers >= FILLERS_MIN and d.fillers_per_minute > FILLERS_PER_MINUTE
    if "delivery.pauses" in made:
        gaps = [b.start_s - a.end_s for a, b in itertools.pairwise(transcript.words)]
        assert d.timed and sum(g > LONG_PAUSE_S for g in gaps) >= PAUSES_MIN
    if "delivery.long" in made:
        assert d.timed and d.speaking_s > (target_s or 180) + LONG_MARGIN_S
    if "delivery.short" in made:
        assert d.words > 0 and d.speaking_s < SHORT_S
    if not transcript.words:
        assert not made & {"delivery.slow", "delivery.pauses", "delivery.long"}

"""Progress: am I improving, and what am I weakest at?"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from app_pages import ui
from coach.delivery import FAST_WPM, GOOD_PACE, SLOW_WPM
from coach.interview import AnswerRejected
from coach.models import PARTS, TOPIC_LABELS
from coach.progress import Progress, chart_rows, weak_spots_setup

history = ui.history()


def headline(progress: Progress) -> None:
    cols = st.columns(4)
    cols[0].metric("Answers graded", f"{progress.answered:,}")
    cols[1].metric("In the last 7 days", progress.answered_this_week)
    cols[2].metric("Average score", f"{progress.average:.0f}/100" if progress.average is not None else "–")
    trend = progress.trend
    cols[3].metric(
        "Recent vs before",
        "–" if trend is None else f"{trend:+.0f} points",
        help="Your latest answers (up to 10) against the same number before them.",
    )
    weak_topic = progress.weakest_topics[0] if progress.weakest_topics else None
    lines = []
    if progress.weakest_part:
        lines.append(f"Your weakest STAR part is **{progress.weakest_part}** "
                     f"({progress.part_averages[progress.weakest_part]:.1f}/5 on average).")  # fmt: skip
    if weak_topic:
        count, average = progress.topic_averages[weak_topic]
        lines.append(f"Your weakest topic is **{TOPIC_LABELS[weak_topic]}** ({average:.0f}/100 over {count}).")
    if trend is not None:
        lines.append("You are improving." if trend > 2 else "You are holding steady." if trend >= -2 else
                     "Your recent answers score lower than before.")  # fmt: skip
    st.info(" ".join(lines))


def charts(progress: Progress) -> None:
    unit, rows = chart_rows(progress.points)
    frame = pd.DataFrame(rows)
    # Few points: one band per answer, the parts side by side in it, so none hides another.
    x = alt.X("n:O", title=unit, axis=alt.Axis(labelAngle=0)) if len(rows) <= 60 else alt.X("n:Q", title=unit)
    when = alt.Tooltip("when:T", title="When", format="%d %b %Y %H:%M")
    st.subheader(f"Overall score, {unit.lower()} by {unit.lower()}")
    st.altair_chart(
        alt.Chart(frame)
        .mark_line(point=alt.OverlayMarkDef(size=60))
        .encode(x=x, y=alt.Y("overall:Q", title="Score", scale=alt.Scale(domain=[0, 100])), tooltip=[when, "overall"]),
        width="stretch",
    )
    st.subheader("Each STAR part")
    parts = frame.melt(id_vars=["n", "when"], value_vars=list(PARTS), var_name="part", value_name="score")
    part = alt.Color("part:N", sort=list(PARTS), title="Part")
    chart = alt.Chart(parts).encode(
        x=x,
        y=alt.Y("score:Q", title="Score (0-5)", scale=alt.Scale(domain=[0, 5])),
        color=part,
        shape=alt.Shape("part:N", sort=list(PARTS), title="Part"),
        tooltip=[when, "part", alt.Tooltip("score:Q", format=".1f")],
    )
    if len(rows) <= 60:
        chart = chart.encode(xOffset=alt.XOffset("part:N", sort=list(PARTS)))
    st.altair_chart(chart.mark_point(filled=True, size=70), width="stretch")
    if progress.topic_averages:
        st.subheader("Average by topic")
        topics = pd.DataFrame(
            [{"topic": TOPIC_LABELS[t], "average": a, "answers": n} for t, (n, a) in progress.topic_averages.items()]
        )
        st.altair_chart(
            alt.Chart(topics)
            .mark_bar()
            .encode(
                x=alt.X("average:Q", title="Average score", scale=alt.Scale(domain=[0, 100])),
                # Full names: the default label limit cuts "Production planning & scheduling" short.
                y=alt.Y("topic:N", sort="x", title=None, axis=alt.Axis(labelLimit=0)),
                tooltip=["topic", alt.Tooltip("average:Q", format=".0f"), "answers"],
            ),
            width="stretch",
        )


def delivery(progress: Progress) -> None:
    if not progress.spoken:
        return
    st.subheader("Spoken answers: pace and fillers")
    frame = pd.DataFrame(progress.spoken)
    x = alt.X("n:O", title="Spoken answer", axis=alt.Axis(labelAngle=0))
    when = alt.Tooltip("when:T", title="When", format="%d %b %Y %H:%M")
    # The pace a spoken answer reads best at, behind the line.
    band = alt.Chart(pd.DataFrame([{"low": SLOW_WPM + 10, "high": FAST_WPM - 10}])).mark_rect(opacity=0.15)
    pace = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(x=x, y=alt.Y("words_per_minute:Q", title="Words a minute"), tooltip=[when, "words_per_minute"])
    )
    left, right = st.columns(2)
    left.altair_chart(band.encode(y="low:Q", y2="high:Q") + pace, width="stretch")
    right.altair_chart(
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(x=x, y=alt.Y("fillers_per_minute:Q", title="Fillers a minute"), tooltip=[when, "fillers_per_minute"]),
        width="stretch",
    )
    st.caption(f"A spoken answer reads best at {GOOD_PACE} words a minute (the shaded band), with few fillers.")


def reattempts(progress: Progress) -> None:
    if not progress.reattempts:
        return
    st.subheader("Questions you answered more than once")
    rows = [
        {"Question": ui.short(question, 80), "Scores, oldest first": " → ".join(str(a.overall) for a in attempts)}
        for question, attempts in progress.reattempts.items()
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def weak_spots(progress: Progress) -> None:
    topics = ", ".join(TOPIC_LABELS[t] for t in progress.weakest_topics) or "every topic"
    st.write(f"Five questions on {topics}, at your usual level ({progress.usual_level}), with follow-ups on.")
    if st.button("Practise my weak spots", type="primary", icon=":material/fitness_center:"):
        try:
            interview = ui.service().start(weak_spots_setup(progress))
        except AnswerRejected as exc:
            st.warning(ui.plain(str(exc)))
            return
        ui.go_to_interview(interview.id)


st.title("Progress")
progress = history.progress()
if progress.answered == 0:
    st.info("Answer a few questions first: your scores over time, by STAR part and by topic, appear here.")
else:
    headline(progress)
    weak_spots(progress)
    charts(progress)
    delivery(progress)
    reattempts(progress)

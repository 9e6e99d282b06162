"""The answer clock: a count-up clock against a time target that ticks in the browser, and its target picker."""

from __future__ import annotations

import time

import streamlit as st

from coach.delivery import TYPICAL_WPM, clock, estimated_speaking_s

TARGET_CHOICES = (60, 120, 180, 0)  # seconds; 0 is "off" (a widget option cannot well be None)
DEFAULT_TARGET_S = 120
NEAR_S = 15  # the clock turns amber this many seconds before the target
_STARTED = "answer_clock_started"  # session state: (started_key, epoch seconds the question was shown)

# The clock ticks here, in the page: Python renders it once a run and never hears from it again, so ticking
# costs no script rerun. It sets no component state and no trigger, the only ways a component reruns the app.
# Each run passes how long the question has been up by the server's clock; the page counts on from there
# with its own clock, so a difference between the two machines' clocks does not matter, and keeps when it
# first showed the question in the browser's local storage, so a reload does not set the clock back to 0:00.
_HTML = (
    '<div class="answer-clock" role="timer" data-state="ok">'
    '<span class="time">0:00</span><span class="note"></span></div>'
)
_CSS = """
.answer-clock { font-variant-numeric: tabular-nums; font-weight: 600; color: var(--st-text-color); }
.answer-clock[data-state="near"] { color: #b45309; }
.answer-clock[data-state="over"] { color: #dc2626; }
.answer-clock .note { margin-left: 0.6em; font-weight: 400; }
"""
_JS = """
const STORE = "star-coach-answer-clock:";
const DAY_MS = 24 * 3600 * 1000;

function clock(seconds) {
  const s = Math.max(0, Math.round(seconds));
  return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
}

// When this browser first showed the question (epoch ms), kept in its local storage: a reload starts a new
// session, whose own clock would begin again at 0:00. The earlier of the kept time and the one this run
// implies wins; both are read on this browser's clock, so the server's clock never has to agree with it.
function shownAt(key, elapsedS) {
  const now = Date.now();
  let start = now - elapsedS * 1000;
  try {
    const kept = Number(window.localStorage.getItem(STORE + key));
    if (kept > 0 && kept < start && now - kept < DAY_MS) start = kept;
    window.localStorage.setItem(STORE + key, String(start));
    for (let i = window.localStorage.length - 1; i >= 0; i--) {
      const name = window.localStorage.key(i);
      if (name && name.startsWith(STORE) && now - Number(window.localStorage.getItem(name)) > DAY_MS) {
        window.localStorage.removeItem(name);
      }
    }
  } catch (e) {
    // Storage refused (a private window, a full quota): the clock counts from this run.
  }
  return start;
}

export default function ({ parentElement, data }) {
  const root = parentElement.querySelector(".answer-clock");
  if (root.ticker) clearInterval(root.ticker);
  const start = shownAt(data.key, data.elapsed_s);
  const target = data.target_s;
  const show = () => {
    const elapsed = Math.max(0, Math.floor((Date.now() - start) / 1000));
    const state = !target ? "ok" : elapsed >= target ? "over" : target - elapsed <= data.near_s ? "near" : "ok";
    const text = target ? clock(elapsed) + " / " + clock(target) : clock(elapsed);
    const note = state === "over" ? "past your " + clock(target) + " target" : "";
    if (root.dataset.elapsed === String(elapsed) && root.dataset.state === state) return;
    root.querySelector(".time").textContent = text;
    root.querySelector(".note").textContent = note;
    root.dataset.elapsed = String(elapsed);
    root.dataset.state = state;
    root.setAttribute("aria-label", "Answer time " + text + (note ? ", " + note : ""));
  };
  show();
  root.ticker = setInterval(show, 250);
  return () => clearInterval(root.ticker);
}
"""
_clock_component = st.components.v2.component("star_coach_answer_clock", html=_HTML, css=_CSS, js=_JS)


def answer_clock(target_s: int | None, started_key: str) -> None:
    """A clock counting up from when the question `started_key` names was first shown, against `target_s`."""
    now = time.time()
    previous = st.session_state.get(_STARTED)
    if previous is None or previous[0] != started_key:
        previous = st.session_state[_STARTED] = (started_key, now)
    data = {
        "elapsed_s": max(0.0, now - previous[1]),
        "target_s": target_s or 0,
        "near_s": NEAR_S,
        "key": started_key,
        "run": time.time_ns(),
    }
    # Keyed by the question: a rerun updates the same clock, a new question mounts a new one.
    _clock_component(key=f"answer-clock-{started_key}", data=data, height="content")


def target_choice(key: str) -> int | None:
    """A compact 1, 2 or 3 minute (or off) target picker, 2 minutes at first; its value is in session state."""
    choice = st.segmented_control(
        "Answer target",
        TARGET_CHOICES,
        format_func=lambda s: f"{s // 60} min" if s else "Off",
        default=DEFAULT_TARGET_S,
        required=True,
        key=key,
    )
    return choice or None


def estimated_time_caption(text: str) -> str:
    """How long a typed answer would take to say, as a caption: "about 1:10 spoken at 140 words a minute"."""
    if not text.strip():
        return ""
    return f"about {clock(estimated_speaking_s(text))} spoken at {TYPICAL_WPM:.0f} words a minute"

"""The shapes of a spoken answer: its transcript with word timings, and the delivery figures read from it.

They live in coach/models.py with the app's other shapes (storage keeps a spoken answer's delivery); this
module names them for the speech layer.
"""

from __future__ import annotations

from coach.models import Delivery, Pause, TranscriberName, Transcript, Word

__all__ = ["Delivery", "Pause", "TranscriberName", "Transcript", "Word"]

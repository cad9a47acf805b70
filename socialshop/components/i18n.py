"""Render a catalogue key in the reader's language (both strings ship with the page)."""

from __future__ import annotations

import reflex as rx

from socialshop.i18n import CATALOG
from socialshop.state.session import SessionState


def tr(key: str) -> rx.Var:
    english, italian = CATALOG[key]
    return rx.cond(SessionState.lang == "it", italian, english)

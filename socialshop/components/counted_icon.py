"""An icon with a small count in its corner: the header's cart and notification bell."""

from __future__ import annotations

import reflex as rx


def counted_icon(icon: str, *, shown: rx.Var, label: rx.Var, test_id: str) -> rx.Component:
    return rx.box(
        rx.icon(icon, size=20),
        rx.cond(
            shown,
            rx.badge(
                label,
                variant="solid",
                radius="full",
                size="1",
                position="absolute",
                top="-8px",
                right="-12px",
                data_testid=test_id,
            ),
        ),
        position="relative",
        display="flex",
    )

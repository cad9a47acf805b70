"""A picture field: the current picture (if any), "Choose a picture" and "Remove picture".

The file goes to the server as soon as it is chosen; the server checks it (by content,
size and pixel count, services/uploads.py) and the preview shows what it stored.
"""

from __future__ import annotations

import reflex as rx

from socialshop.components.i18n import tr
from socialshop.services.uploads import MAX_UPLOAD_BYTES

ACCEPTED = {
    "image/jpeg": [".jpg", ".jpeg"],
    "image/png": [".png"],
    "image/webp": [".webp"],
    "image/gif": [".gif"],
}


def _label_file_input(component: rx.Component, label: rx.Var) -> None:
    """Name the dropzone's file input: react-dropzone hides it visually but not from
    screen readers, and Reflex gives no way to pass it props."""
    for child in component.children:
        if getattr(child, "tag", None) == "input":
            child.custom_attrs["aria-label"] = label
        else:
            _label_file_input(child, label)


def picture_upload(
    upload_id: str, label_key: str, preview: rx.Var, on_upload, on_remove, on_rejected, *, size: str = "96px"
) -> rx.Component:
    """`on_rejected` receives the browser's refusals (too big, wrong type) so they are
    explained like the server's."""
    dropzone = rx.upload.root(
        rx.button(
            rx.icon("image-up", size=16),
            tr("upload.choose"),
            type="button",
            variant="soft",
            aria_describedby=f"{upload_id}-label",
        ),
        id=upload_id,
        accept=ACCEPTED,
        max_files=1,
        multiple=False,
        max_size=MAX_UPLOAD_BYTES,
        on_drop=on_upload(rx.upload_files(upload_id=upload_id)),
        on_drop_rejected=on_rejected,
    )
    _label_file_input(dropzone, tr(label_key))
    return rx.vstack(
        rx.text(tr(label_key), size="2", weight="medium", id=f"{upload_id}-label"),
        rx.hstack(
            rx.cond(
                preview != "",
                rx.image(
                    src=preview,
                    alt="",
                    width=size,
                    height=size,
                    min_width=size,
                    object_fit="cover",
                    border_radius="var(--radius-3)",
                    data_testid=f"{upload_id}-preview",
                ),
            ),
            rx.vstack(
                dropzone,
                rx.cond(
                    preview != "",
                    rx.button(
                        rx.icon("x", size=14),
                        tr("upload.remove"),
                        type="button",
                        variant="ghost",
                        color_scheme="gray",
                        size="1",
                        on_click=on_remove,
                    ),
                ),
                rx.text(tr("upload.hint"), size="1", color_scheme="gray"),
                spacing="2",
                align="start",
            ),
            spacing="3",
            align="center",
        ),
        spacing="1",
        width="100%",
    )

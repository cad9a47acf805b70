"""State of /merchant/posts: a post on one app, its picture and the product tags on it."""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from socialshop.db import session_scope
from socialshop.models import MAX_TAGS_PER_POST, AppSurface
from socialshop.services import feed, merchant_posts, uploads
from socialshop.services.errors import ServiceError, ValidationError
from socialshop.state.merchant import MerchantState
from socialshop.state.merchant_products import read_upload, rejection_code

POST_UPLOAD_ID = "post-image"


@dataclasses.dataclass(frozen=True)
class TagDraft:
    product_id: int
    title: str
    price_label: str
    x_pct: float
    y_pct: float


class MerchantPostsState(MerchantState):
    post_app: str = AppSurface.INSTAGRAM.value
    post_image: str = ""
    # The shop's products to pick from (a short, searched list, not the whole catalogue).
    picker: list[merchant_posts.TaggableProduct] = []
    picker_query: str = ""
    selected_product_id: int = 0
    tags: list[TagDraft] = []
    post_error: str = ""
    published_app: str = ""
    # Changes after publishing, so the text box starts empty again.
    form_key: int = 0

    def _load_picker(self, session, user) -> None:
        self.picker = merchant_posts.taggable_products(
            session, user=user, query=self.picker_query, language=self.lang
        )

    @rx.event
    def load(self):
        self.post_error = ""
        self.published_app = ""
        with session_scope() as session:
            user = self._page_user(session)
            if user is None:
                return self._login_redirect()
            found = self._merchant_page(session)
            if found is None:
                self.picker = []
                return None
            self.picker_query = ""
            self._load_picker(session, user)
        return None

    def _refuse(self) -> None:
        self.post_error = self._t("error.merchant_only")

    @rx.event
    def set_app(self, app: str):
        parsed = AppSurface.parse(app) if isinstance(app, str) else None
        if parsed is not None:
            self.post_app = parsed.value

    @rx.event
    def search_products(self, form_data: dict):
        query = form_data.get("q") if isinstance(form_data, dict) else ""
        self.post_error = ""
        try:
            with session_scope() as session:
                found = self._merchant(session)
                if found is None:
                    return self._refuse()
                self.picker_query = query if isinstance(query, str) else ""
                self._load_picker(session, found[0])
        except ServiceError as error:
            self.post_error = self._error_text(error)
        return None

    @rx.event
    async def upload_image(self, files: list[rx.UploadFile]):
        self.post_error = ""
        self.published_app = ""
        try:
            with session_scope() as session:
                if self._merchant(session) is None:
                    return self._refuse()
            data = await read_upload(files)
            picture = await asyncio.to_thread(uploads.process_picture, data, kind="posts")
        except ServiceError as error:
            self.post_error = self._error_text(error)
            return None
        self.post_image = picture.url
        return None

    @rx.event
    def reject_image(self, rejections: list[dict]):
        code = rejection_code(rejections)
        self.post_error = self._error_text(ValidationError(code, max_mb=uploads.MAX_UPLOAD_BYTES // (1024 * 1024)))

    @rx.event
    def use_product_image(self, product_id: int):
        """A listed product's photo as the post's picture (only products this page listed)."""
        chosen = next((p for p in self.picker if p.id == product_id and p.image), None)
        if chosen is not None:
            self.post_image = chosen.image
            self.post_error = ""
            self.published_app = ""

    @rx.event
    def remove_image(self):
        self.post_image = ""
        self.tags = []

    @rx.event
    def select_product(self, product_id: int):
        if any(p.id == product_id for p in self.picker):
            self.selected_product_id = product_id
            self.post_error = ""

    @rx.event
    def place_tag(self, x_pct: float, y_pct: float):
        """A click on the picture: the selected product's tag goes there (moved if placed before)."""
        self.post_error = ""
        chosen = next((p for p in self.picker if p.id == self.selected_product_id), None)
        if chosen is None:
            self.post_error = self._t("mposts.pick_first")
            return
        if not self.post_image:
            self.post_error = self._error_text(ValidationError("tags_need_image"))
            return
        try:
            x, y = feed._parse_position(x_pct), feed._parse_position(y_pct)
        except ServiceError as error:
            self.post_error = self._error_text(error)
            return
        others = [t for t in self.tags if t.product_id != chosen.id]
        if len(others) >= MAX_TAGS_PER_POST:
            self.post_error = self._error_text(ValidationError("too_many_tags", max=MAX_TAGS_PER_POST))
            return
        self.tags = [*others, TagDraft(chosen.id, chosen.title, chosen.price_label, round(x, 1), round(y, 1))]

    @rx.event
    def remove_tag(self, product_id: int):
        self.tags = [t for t in self.tags if t.product_id != product_id]

    @rx.event
    def publish(self, form_data: dict):
        text = form_data.get("text") if isinstance(form_data, dict) else ""
        self.post_error = ""
        self.published_app = ""
        try:
            with session_scope() as session:
                found = self._merchant(session)
                if found is None:
                    return self._refuse()
                merchant_posts.publish_post(
                    session,
                    user=found[0],
                    app=self.post_app,
                    text=text,
                    image=self.post_image,
                    tags=[dataclasses.asdict(t) for t in self.tags],
                )
        except ServiceError as error:
            self.post_error = self._error_text(error)
            return None
        self.published_app = self.post_app
        self.post_image = ""
        self.tags = []
        self.selected_product_id = 0
        self.form_key += 1
        return None

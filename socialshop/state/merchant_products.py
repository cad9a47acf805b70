"""State of /merchant/products: one page of the shop's products and the product form."""

from __future__ import annotations

import asyncio

import reflex as rx

from socialshop.db import session_scope
from socialshop.models import ProductCategory
from socialshop.services import merchant_products, uploads
from socialshop.services.errors import ServiceError, ValidationError
from socialshop.state.merchant import MerchantState

PRODUCT_UPLOAD_ID = "product-image"
FORM_FIELDS = ("title", "description", "price", "stock", "category")
EMPTY_FORM = {"title": "", "description": "", "price": "", "stock": "1", "category": ProductCategory.OTHER.value}


async def read_upload(files: list) -> bytes:
    """The first uploaded file's bytes, reading at most one byte over the limit (so a
    huge file is refused without being held in memory whole)."""
    if not isinstance(files, list) or not files:
        raise ValidationError("image_missing")
    data = await files[0].read(uploads.MAX_UPLOAD_BYTES + 1)
    if len(data) > uploads.MAX_UPLOAD_BYTES:
        raise ValidationError("image_too_big", max_mb=uploads.MAX_UPLOAD_BYTES // (1024 * 1024))
    return data


def rejection_code(rejections: object) -> str:
    """The error code for files the browser refused before sending (react-dropzone's codes)."""
    codes = set()
    if isinstance(rejections, list):
        for item in rejections:
            for err in item.get("errors", []) if isinstance(item, dict) else []:
                if isinstance(err, dict):
                    codes.add(err.get("code"))
    return "image_too_big" if "file-too-large" in codes else "image_not_an_image"


class MerchantProductsState(MerchantState):
    products: list[merchant_products.MerchantProduct] = []
    status: str = "active"
    search_text: str = ""
    page_number: int = 1
    has_next: bool = False
    products_error: str = ""
    products_notice: str = ""
    # The form: closed, "new", or the id (as text) of the product being edited.
    editing: str = ""
    # Changes whenever the form opens, so its uncontrolled inputs start from edit_fields.
    form_key: int = 0
    edit_fields: dict[str, str] = EMPTY_FORM
    form_image: str = ""
    form_error: str = ""
    uploading: bool = False
    _cursors: list[int] = [0]
    _next_cursor: int = 0

    def _fetch(self) -> None:
        self.products_error = ""
        try:
            with session_scope() as session:
                found = self._merchant(session)
                if found is None:
                    self.products = []
                    return
                page = merchant_products.list_products(
                    session,
                    user=found[0],
                    status=self.status,
                    query=self.search_text,
                    after=self._cursors[-1],
                    language=self.lang,
                )
        except ServiceError as error:
            self.products = []
            self.products_error = self._error_text(error)
            return
        self.products = page.products
        self._next_cursor = page.next_cursor
        self.has_next = page.next_cursor != 0
        self.page_number = len(self._cursors)

    @rx.event
    def load(self):
        self.products_notice = ""
        self.form_error = ""
        self.editing = ""
        self._cursors = [0]
        with session_scope() as session:
            user = self._page_user(session)
            if user is None:
                return self._login_redirect()
            self._merchant_page(session)
        if self.is_merchant:
            self._fetch()
        return None

    @rx.event
    def show_status(self, status: str | list[str]):
        if status not in merchant_products.STATUSES:
            return
        self.status = status
        self._cursors = [0]
        self._fetch()

    @rx.event
    def search(self, form_data: dict):
        query = form_data.get("q") if isinstance(form_data, dict) else ""
        self.search_text = query if isinstance(query, str) else ""
        self._cursors = [0]
        self._fetch()

    @rx.event
    def next_page(self):
        if not self._next_cursor:
            return
        self._cursors = [*self._cursors, self._next_cursor]
        self._fetch()

    @rx.event
    def previous_page(self):
        if len(self._cursors) <= 1:
            return
        self._cursors = self._cursors[:-1]
        self._fetch()

    def _open_form(self, editing: str, fields: dict[str, str], image: str) -> None:
        self.editing = editing
        self.edit_fields = fields
        self.form_image = image
        self.form_error = ""
        self.products_notice = ""
        self.form_key += 1

    @rx.event
    def open_new(self):
        with session_scope() as session:
            if self._merchant(session) is None:
                self.products_error = self._t("error.merchant_only")
                return None
        self._open_form("new", dict(EMPTY_FORM), "")
        return rx.scroll_to("product-form")

    @rx.event
    def open_edit(self, product_id: int):
        try:
            with session_scope() as session:
                found = self._merchant(session)
                if found is None:
                    self.products_error = self._t("error.merchant_only")
                    return None
                product = merchant_products.get_product(
                    session, user=found[0], product_id=product_id, language=self.lang
                )
        except ServiceError as error:
            self.products_error = self._error_text(error)
            return None
        self._open_form(
            str(product.id),
            {
                "title": product.title,
                "description": product.description,
                "price": product.price_input,
                "stock": str(product.stock),
                "category": product.category,
            },
            product.image,
        )
        # The form is above the list: bring it into view from the tenth row on a phone.
        return rx.scroll_to("product-form")

    @rx.event
    def close_form(self):
        self.editing = ""
        self.form_error = ""

    @rx.event
    async def upload_image(self, files: list[rx.UploadFile]):
        """The photo for the open form: checked and stored now, saved with the product."""
        self.form_error = ""
        try:
            with session_scope() as session:
                if self._merchant(session) is None:
                    self.form_error = self._t("error.merchant_only")
                    return
            data = await read_upload(files)
            picture = await asyncio.to_thread(uploads.process_picture, data, kind="products")
        except ServiceError as error:
            self.form_error = self._error_text(error)
            return
        self.form_image = picture.url

    @rx.event
    def reject_image(self, rejections: list[dict]):
        code = rejection_code(rejections)
        self.form_error = self._error_text(ValidationError(code, max_mb=uploads.MAX_UPLOAD_BYTES // (1024 * 1024)))

    @rx.event
    def remove_image(self):
        self.form_image = ""

    @rx.event
    def save(self, form_data: dict):
        if not isinstance(form_data, dict):
            return
        fields = {name: form_data.get(name, "") for name in FORM_FIELDS}
        # Kept as typed, so a refused form is shown again with what the person wrote.
        self.edit_fields = {name: value if isinstance(value, str) else "" for name, value in fields.items()}
        self.form_error = ""
        try:
            with session_scope() as session:
                found = self._merchant(session)
                if found is None:
                    self.form_error = self._t("error.merchant_only")
                    return
                if self.editing == "new":
                    merchant_products.create_product(
                        session, user=found[0], image=self.form_image, language=self.lang, **fields
                    )
                    notice = "mproducts.created"
                else:
                    merchant_products.update_product(
                        session,
                        user=found[0],
                        product_id=self.editing,
                        image=self.form_image,
                        language=self.lang,
                        **fields,
                    )
                    notice = "mproducts.saved"
        except ServiceError as error:
            self.form_error = self._error_text(error)
            return
        self.editing = ""
        if notice == "mproducts.created":
            self.status = "active"
            self._cursors = [0]
        self._fetch()
        self.products_notice = self._t(notice)

    def _set_archived(self, product_id: int, archived: bool) -> None:
        self.products_notice = ""
        try:
            with session_scope() as session:
                found = self._merchant(session)
                if found is None:
                    self.products_error = self._t("error.merchant_only")
                    return
                merchant_products.set_archived(session, user=found[0], product_id=product_id, archived=archived)
        except ServiceError as error:
            self.products_error = self._error_text(error)
            return
        self._fetch()
        self.products_notice = self._t("mproducts.archived_done" if archived else "mproducts.unarchived_done")

    @rx.event
    def archive(self, product_id: int):
        self._set_archived(product_id, True)

    @rx.event
    def unarchive(self, product_id: int):
        self._set_archived(product_id, False)

from __future__ import annotations

import asyncio

import reflex as rx

from socialshop.db import session_scope
from socialshop.models import Role
from socialshop.services import shops, uploads
from socialshop.services.errors import ServiceError, ValidationError
from socialshop.state.merchant_products import read_upload, rejection_code
from socialshop.state.session import SessionState

LOGO_UPLOAD_ID = "shop-logo"


class ProfileState(SessionState):
    email: str = ""
    phone: str = ""
    handle: str = ""
    shop_name: str = ""
    shop_slug: str = ""
    # Opening a shop later (sign-up can open one too).
    open_slug: str = ""
    open_logo: str = ""
    open_error: str = ""
    # The form stays folded until the person asks for it: most people only shop.
    opening_shop: bool = False
    _slug_typed: bool = False

    @rx.event
    def load(self):
        self.open_error = ""
        self.opening_shop = False
        with session_scope() as session:
            user = self._page_user(session)
            if user is None:
                return self._login_redirect()
            self.email = user.email
            self.phone = user.phone_number or ""
            self.handle = f"@{user.handle}" if user.handle else ""
            shop = shops.shop_of(session, owner=user)
            self.shop_name = shop.name if shop else ""
            self.shop_slug = shop.slug if shop else ""
        return None

    @rx.event
    def start_opening_shop(self):
        self.opening_shop = True

    @rx.event
    def suggest_slug(self, name: str):
        """The shop's name was typed: offer a free address made from it, unless the person
        already typed one of their own."""
        if self._slug_typed:
            return
        with session_scope() as session:
            self.open_slug = shops.suggest_slug(session, name=name)

    @rx.event
    def type_slug(self, slug: str):
        self.open_slug = slug[:80] if isinstance(slug, str) else ""
        self._slug_typed = self.open_slug != ""

    @rx.event
    async def upload_logo(self, files: list[rx.UploadFile]):
        self.open_error = ""
        try:
            data = await read_upload(files)
            picture = await asyncio.to_thread(uploads.process_picture, data, kind="logos")
        except ServiceError as error:
            self.open_error = self._error_text(error)
            return
        self.open_logo = picture.url

    @rx.event
    def reject_logo(self, rejections: list[dict]):
        code = rejection_code(rejections)
        self.open_error = self._error_text(ValidationError(code, max_mb=uploads.MAX_UPLOAD_BYTES // (1024 * 1024)))

    @rx.event
    def remove_logo(self):
        self.open_logo = ""

    @rx.event
    def open_shop(self, form_data: dict):
        if not isinstance(form_data, dict):
            return None
        self.open_error = ""
        try:
            with session_scope() as session:
                user = self._current_user(session)
                if user is None:
                    return self._login_redirect()
                shop = shops.create_shop(
                    session,
                    owner=user,
                    name=form_data.get("name"),
                    slug=self.open_slug,
                    city=form_data.get("city", ""),
                    description=form_data.get("description", ""),
                    logo=self.open_logo,
                )
                self.shop_name, self.shop_slug = shop.name, shop.slug
        except ServiceError as error:
            self.open_error = self._error_text(error)
            return None
        self.user_role = Role.MERCHANT.value
        self.open_slug = ""
        self.open_logo = ""
        self._slug_typed = False
        return rx.redirect("/merchant")

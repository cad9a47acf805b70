"""Payment codes: scanning and paying one (/pay/scan), the shop's codes (/merchant/qr), and
which shops know the buyer by which pseudonym (/pay/privacy).

The scanned text stays in a backend var: the browser only ever sends an image or typed
text, and the service checks the code again when it is paid.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt

import reflex as rx
from sqlmodel import Session

from socialshop.db import session_scope
from socialshop.models import AppSurface, PaymentCodeKind, PaymentKind, User
from socialshop.money import fees
from socialshop.services import payment_codes, shop_customers
from socialshop.services.errors import ServiceError, ValidationError
from socialshop.services.money import format_datetime, format_money, parse_amount
from socialshop.state.checkout import PaymentSheetState, form_text
from socialshop.state.merchant import MerchantState
from socialshop.state.session import SessionState

UPLOAD_ID = "payment-code-upload"
PAY_FORM_ID = "payment-code-form"
POLL_INTERVAL_MS = 1000


def png_data_url(payload: str, box_size: int = 10) -> str:
    return "data:image/png;base64," + base64.b64encode(payment_codes.png_bytes(payload, box_size=box_size)).decode()


def _remaining(expires_at: dt.datetime | None, now: dt.datetime) -> int:
    if expires_at is None:
        return 0
    if expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=dt.UTC)
    return max(0, int((expires_at - now).total_seconds()))


def countdown(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


class PayCodeState(PaymentSheetState):
    """The buyer's side: read a code (photo, upload or pasted text), then pay it."""

    app: str = AppSurface.WHATSAPP.value
    scan_error: str = ""
    code_loaded: bool = False
    code_kind: str = ""
    shop_name: str = ""
    shop_city: str = ""
    amount_label: str = ""
    description: str = ""
    reference: str = ""
    expires_label: str = ""
    paid_shop: str = ""
    _payload: str = ""
    _code_id: int = 0

    def _kind(self) -> str:
        return PaymentKind.PURCHASE.value

    def _subject(self) -> str:
        return f"code:{self._code_id}"

    @rx.var
    def is_static(self) -> bool:
        return self.code_kind == PaymentCodeKind.STATIC.value

    def _forget_code(self) -> None:
        self.code_loaded = False
        self.code_kind = self.shop_name = self.shop_city = self.amount_label = ""
        self.description = self.reference = self.expires_label = ""
        self._payload, self._code_id = "", 0

    @rx.event
    def load(self):
        self._reset_view()
        self._forget_code()
        self.scan_error = ""
        surface = AppSurface.parse(self.router.url.query_parameters.get("app", AppSurface.WHATSAPP.value))
        self.app = (surface or AppSurface.WHATSAPP).value
        with session_scope() as session:
            user = self._page_user(session)
            if user is None:
                return self._login_redirect()
        self.status = "empty"
        return None

    def _show_code(self, session: Session, user: User, text: str) -> None:
        """Check the code, show it, and open (or resume) this tab's attempt to pay it."""
        view = payment_codes.read_code(session, text=text)
        self._payload, self._code_id = view.payload, view.code_id
        self.code_kind = view.kind
        self.shop_name, self.shop_city = view.shop_name, view.shop_city
        self.amount_label = format_money(view.amount_cents, view.currency, self.lang) if view.amount_cents else ""
        self.description, self.reference = view.description, view.reference
        self.expires_label = format_datetime(view.expires_at, self.lang) if view.expires_at else ""
        self._reset_view()
        self._load_payment_options(session, user)
        self._resume_or_open_attempt(session, user)
        session.commit()
        self.code_loaded = True

    def _read(self, text: str) -> None:
        self.scan_error = ""
        self._forget_code()
        with session_scope() as session:
            user = self._current_user(session)
            if user is None:
                self.scan_error = self._t("error.login_required")
                return
            try:
                self._show_code(session, user, text)
            except ServiceError as error:
                self._forget_code()
                self.status = "empty"
                self.scan_error = self._error_text(error)

    @rx.event
    def read_text(self, form_data: dict):
        self._read(form_text(form_data, "code_text", payment_codes.MAX_PAYLOAD_LENGTH + 1))

    @rx.event
    async def read_image(self, files: list[rx.UploadFile]):
        self.scan_error = ""
        if not isinstance(files, list) or len(files) != 1:
            self.scan_error = self._error_text(ValidationError("code_image_invalid"))
            return
        # One byte more than allowed is enough to know it is too big.
        data = await files[0].read(payment_codes.MAX_IMAGE_BYTES + 1)
        try:
            text = payment_codes.decode_image(data)
        except ServiceError as error:
            self._forget_code()
            self.status = "empty"
            self.scan_error = self._error_text(error)
            return
        self._read(text)

    @rx.event
    def scan_another(self):
        self._forget_code()
        self._reset_view()
        self.scan_error = ""
        self.paid_shop = ""
        self.status = "empty"

    @rx.event
    def try_again(self):
        """After a refusal: a new attempt for the same code (checked again)."""
        payload = self._payload
        self.attempt_key = ""
        self._read(payload)

    def _payment_details(self, form_data: dict) -> dict:
        if not self._payload:
            raise ValidationError("code_invalid")
        amount = None
        if self.code_kind == PaymentCodeKind.STATIC.value:
            amount = payment_codes.check_code_amount(
                parse_amount(form_text(form_data, "amount", 20), "EUR", self.lang)
            )
        return {
            "payload": self._payload, "amount_cents": amount, "app": self.app,
            "note": form_text(form_data, "note", payment_codes.MAX_NOTE + 1),
        }

    @classmethod
    def _run_payment(cls, session: Session, user: User, key: str, method_id: int, details: dict):
        return payment_codes.pay_code(
            session, user=user, key=key, payload=details["payload"], method_id=method_id, app=details["app"],
            amount_cents=details["amount_cents"], note=details["note"],
        )

    @rx.event(background=True)
    async def pay(self, form_data: dict):
        async for update in self._pay_flow(form_data):
            yield update
        async with self:
            if self.status == "succeeded":
                self.paid_shop = self.shop_name

    @rx.event(background=True)
    async def watch_payment(self):
        await self._watch_until_settled()


@dataclasses.dataclass(frozen=True)
class KnownShopRow:
    shop_id: int
    shop_name: str
    shop_slug: str
    shown_as: str
    since_label: str


class PayPrivacyState(SessionState):
    """Which shops know the buyer, as whom; a new pseudonym per shop on request."""

    shops: list[KnownShopRow] = []
    privacy_notice: str = ""
    privacy_error: str = ""
    privacy_loaded: bool = False

    def _list(self, session: Session, user: User) -> None:
        self.shops = [
            KnownShopRow(k.shop_id, k.shop_name, k.shop_slug, shop_customers.display(k.alias),
                         format_datetime(dt.datetime.fromisoformat(k.first_seen_at), self.lang))
            for k in shop_customers.known_shops(session, user=user)
        ]

    @rx.event
    def load(self):
        self.privacy_notice = self.privacy_error = ""
        with session_scope() as session:
            user = self._page_user(session)
            if user is None:
                return self._login_redirect()
            self._list(session, user)
        self.privacy_loaded = True
        return None

    @rx.event
    def reset_alias(self, shop_id: int):
        self.privacy_notice = self.privacy_error = ""
        with session_scope() as session:
            user = self._current_user(session)
            if user is None:
                return self._login_redirect()
            try:
                alias = shop_customers.reset_alias(session, user=user, shop_id=shop_id)
            except ServiceError as error:
                self.privacy_error = self._error_text(error)
                return None
            name = next((s.shop_name for s in self.shops if s.shop_id == shop_id), "")
            self._list(session, user)
        self.privacy_notice = self._t("privacy.reset_done", shop=name, alias=shop_customers.display(alias))
        return None


@dataclasses.dataclass(frozen=True)
class CodeRowView:
    id: int
    amount_label: str
    description: str
    reference: str
    status: str
    created_label: str
    paid_by: str
    fee_label: str
    net_label: str
    package_label: str


@dataclasses.dataclass(frozen=True)
class StaticPaymentView:
    order_number: str
    amount_label: str
    note: str
    paid_by: str
    fee_label: str
    package_label: str
    paid_label: str


EMPTY_ROW = CodeRowView(0, "", "", "", "", "", "", "", "", "")


class MerchantCodesState(MerchantState):
    """/merchant/qr: the shop's static code, making a dynamic one, and its status live."""

    static_png: str = ""
    static_reference: str = ""
    create_error: str = ""
    codes_error: str = ""
    current_id: int = 0
    current_png: str = ""
    current_payload: str = ""
    current: CodeRowView = EMPTY_ROW
    seconds_left: int = 0
    rows: list[CodeRowView] = []
    static_rows: list[StaticPaymentView] = []
    has_more: bool = False
    on_first_page: bool = True
    package_label: str = ""
    # Keyset cursor of the list's page (0: the newest codes).
    _before_id: int = 0

    @rx.var
    def countdown_label(self) -> str:
        return countdown(self.seconds_left)

    def _view(self, row: payment_codes.CodeRow) -> CodeRowView:
        return CodeRowView(
            id=row.id,
            amount_label=format_money(row.amount_cents, row.currency, self.lang),
            description=row.description,
            reference=row.reference,
            status=row.status,
            created_label=format_datetime(row.created_at, self.lang),
            paid_by=row.paid_by,
            fee_label=format_money(row.fee_cents, row.currency, self.lang) if row.paid_by else "",
            net_label=format_money(row.net_cents, row.currency, self.lang) if row.paid_by else "",
            package_label=self._t(f"qr.package.{fees.package(row.fee_package).code}") if row.fee_package else "",
        )

    def _load_static(self, session: Session, user: User) -> None:
        self.static_rows = [
            StaticPaymentView(
                r.order_number, format_money(r.amount_cents, r.currency, self.lang), r.note, r.paid_by,
                format_money(r.fee_cents, r.currency, self.lang), self._t(f"qr.package.{fees.package(r.fee_package).code}"),
                format_datetime(r.paid_at, self.lang),
            )
            for r in payment_codes.static_payments(session, user=user)
        ]

    def _load_rows(self, session: Session, user: User) -> None:
        """The page of codes the list shows: the newest, or those older than _before_id."""
        found = payment_codes.recent_codes(
            session, user=user, before_id=self._before_id or None, limit=payment_codes.PAGE_SIZE + 1
        )
        self.has_more = len(found) > payment_codes.PAGE_SIZE
        self.rows = [self._view(r) for r in found[:payment_codes.PAGE_SIZE]]

    @rx.event
    def older(self):
        if not self.has_more or not self.rows:
            return
        self._before_id = self.rows[-1].id
        self.on_first_page = False
        with session_scope() as session:
            found = self._merchant(session)
            if found is not None:
                self._load_rows(session, found[0])

    @rx.event
    def newest(self):
        self._before_id = 0
        self.on_first_page = True
        with session_scope() as session:
            found = self._merchant(session)
            if found is not None:
                self._load_rows(session, found[0])

    @rx.event
    def load(self):
        self.create_error = self.codes_error = ""
        with session_scope() as session:
            found = self._merchant_page(session)
            if found is None:
                return None if self.auth_token else self._login_redirect()
            user, shop = found
            payload = payment_codes.static_payload(session, user=user)
            self.static_png = png_data_url(payload, box_size=8)
            self.package_label = self._t(f"qr.package.{fees.package(shop.fee_package).code}")
            self._before_id, self.on_first_page = 0, True
            self._load_rows(session, user)
            self._load_static(session, user)
            if self.current_id:
                self._refresh_current(session, user)
        return None

    def _refresh_current(self, session: Session, user: User) -> None:
        try:
            row = payment_codes.code_row(session, user=user, code_id=self.current_id)
        except ServiceError:
            self.current_id, self.current, self.current_png, self.current_payload = 0, EMPTY_ROW, "", ""
            return
        self.current = self._view(row)
        self.seconds_left = _remaining(row.expires_at, payment_codes._now()) if row.status in ("open", "failed") else 0

    @rx.event
    def create(self, form_data: dict):
        self.create_error = ""
        with session_scope() as session:
            found = self._merchant(session)
            if found is None:
                return None
            user, _ = found
            try:
                amount = parse_amount(form_text(form_data, "amount", 20), "EUR", self.lang)
                code = payment_codes.create_dynamic(
                    session, user=user, amount_cents=amount, description=form_text(form_data, "items", 201)
                )
                session.commit()
                self.current_id = code.id  # type: ignore[assignment]
                self.current_payload = payment_codes.payload_of(session, user=user, code_id=code.id)
            except ServiceError as error:
                self.create_error = self._error_text(error)
                return None
            self.current_png = png_data_url(self.current_payload, box_size=10)
            self._refresh_current(session, user)
            self._before_id, self.on_first_page = 0, True
            self._load_rows(session, user)
        return rx.call_script("document.getElementById('qr-create-form')?.reset()")

    @rx.event
    def show(self, code_id: int):
        """Show one of the listed codes big again."""
        if all(r.id != code_id for r in self.rows):
            return
        with session_scope() as session:
            found = self._merchant(session)
            if found is None:
                return
            user, _ = found
            try:
                self.current_payload = payment_codes.payload_of(session, user=user, code_id=code_id)
            except ServiceError as error:
                self.codes_error = self._error_text(error)
                return
            self.current_id = code_id
            self.current_png = png_data_url(self.current_payload, box_size=10)
            self._refresh_current(session, user)

    @rx.event
    def close_current(self):
        self.current_id, self.current, self.current_png, self.current_payload = 0, EMPTY_ROW, "", ""

    @rx.event
    def cancel(self, code_id: int):
        self.codes_error = ""
        with session_scope() as session:
            found = self._merchant(session)
            if found is None:
                return
            user, _ = found
            try:
                payment_codes.cancel_code(session, user=user, code_id=code_id)
                session.commit()
            except ServiceError as error:
                self.codes_error = self._error_text(error)
                return
            if self.current_id:
                self._refresh_current(session, user)
            self._load_rows(session, user)

    @rx.event
    def poll(self, _moment: str = ""):
        """While the page is open: the shown code's status and countdown, and the list."""
        if not self.is_merchant:
            return
        with session_scope() as session:
            found = self._merchant(session)
            if found is None:
                return
            user, _ = found
            if self.current_id:
                self._refresh_current(session, user)
            if any(r.status in ("open", "claimed", "failed") for r in self.rows):
                self._load_rows(session, user)
            self._load_static(session, user)

    def _download(self, build):
        with session_scope() as session:
            found = self._merchant(session)
            if found is None:
                return None
            user, shop = found
            payload = payment_codes.static_payload(session, user=user)
            data, filename, mime = build(payload, shop)
        return rx.download(data=data, filename=filename, mime_type=mime)

    @rx.event
    def download_png(self):
        return self._download(lambda payload, shop: (
            payment_codes.png_bytes(payload, box_size=16), f"{shop.slug}-qr.png", "image/png"))

    @rx.event
    def download_sheet(self):
        caption = self._t("qr.sheet_caption")
        return self._download(lambda payload, shop: (
            payment_codes.a6_sheet_pdf(payload, shop_name=shop.name, city=shop.city, caption=caption),
            f"{shop.slug}-qr-a6.pdf", "application/pdf"))

    @rx.event
    def download_current(self):
        if not self.current_payload:
            return None
        return rx.download(data=payment_codes.png_bytes(self.current_payload), filename=f"qr-{self.current_id}.png",
                           mime_type="image/png")

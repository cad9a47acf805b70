"""Payment codes: the QR a shop shows and a buyer scans, and paying one.

A payment code is an EMVCo merchant-presented QR payload (ID-length-value fields):

    00 "01" payload format · 01 "11" static / "12" dynamic
    26 our merchant-account template: 00 GUI, 01 code id, 02 shop id, 03 expiry (unix
       seconds, "0" for a static code), 04 signature
    52 MCC · 53 "978" (EUR) · 54 amount (dynamic only) · 58 "IT" · 59 shop name (≤ 25)
    60 city (≤ 15) · 62 additional data with 05 the code's reference
    63 CRC-16/CCITT-FALSE over everything before it, "6304" included

The signature is an HMAC-SHA256 under the server secret of (kind, code id, shop id,
amount, expiry), truncated and base32-encoded: a changed amount, expiry or shop makes it
fail even when the CRC is recomputed. The database row decides the rest (paid, expired,
cancelled, deleted shop).

Paying goes through the money engine like every other payment. A dynamic code is taken
in the claim transaction (`UPDATE ... SET status='claimed' WHERE status='open' AND
expires_at > now`), so one code paid from two tabs at once is charged once; a declined
charge puts it back to open; the recorded payment marks it paid. The payment becomes an
Order of source "qr" (or "chat" for a chat's order message) with the fee of the shop's
package, so refunds, fees and payouts treat it like any other order.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import io
import re
import secrets
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from socialshop import settings
from socialshop.models import (
    CheckoutAttempt,
    Order,
    OrderEvent,
    OrderSource,
    OrderStatus,
    PaymentCode,
    PaymentCodeKind,
    PaymentCodeStatus,
    PaymentKind,
    Shop,
    User,
)
from socialshop.money import engine, fees
from socialshop.money.engine import CheckoutResult, closed_attempt_result
from socialshop.services import ledger, shop_customers, shops
from socialshop.services.errors import Conflict, NotFound, ValidationError
from socialshop.services.inputs import parse_id, parse_int

GUI = "app.socialshop.pay"
MCC = "5814"  # fast-food restaurants / cafés: our demo shops are small local businesses
CURRENCY = "EUR"
CURRENCY_NUMERIC = "978"
COUNTRY = "IT"
MAX_NAME = 25
MAX_CITY = 15
MAX_PAYLOAD_LENGTH = 512
DYNAMIC_LIFETIME = dt.timedelta(minutes=10)
CHAT_LIFETIME = dt.timedelta(hours=24)
MAX_CODE_CENTS = 100_000
MAX_DESCRIPTION = 200
MAX_NOTE = 140
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 24_000_000
MAX_OPEN_DYNAMIC = 50
PAGE_SIZE = 10
SIGNATURE_BYTES = 10  # 80 bits: 16 base32 characters
HANDLER = "payment_code"

_FIELD_ID = re.compile(r"^\d{2}$")


def _now() -> dt.datetime:
    """The clock; tests monkeypatch it."""
    return engine._now()


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


# ---------------------------------------------------------------- the EMV payload


def crc16(data: str) -> str:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) as four upper-case hex digits."""
    return f"{binascii.crc_hqx(data.encode('ascii'), 0xFFFF):04X}"


def tlv(field_id: str, value: str) -> str:
    if not _FIELD_ID.match(field_id) or not 0 < len(value) <= 99:
        raise ValueError(f"EMV field {field_id} cannot hold {value!r}")
    return f"{field_id}{len(value):02d}{value}"


def emv_text(text: str, max_length: int) -> str:
    """Text in EMV's common character set (printable ASCII): accents stripped, the rest dropped."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if " " <= c <= "~")
    return " ".join(ascii_text.split())[:max_length].strip()


def parse_tlv(text: str) -> dict[str, str]:
    """The fields of one ID-length-value level; ValidationError("code_invalid") on any
    malformed, truncated or repeated field."""
    fields: dict[str, str] = {}
    i = 0
    while i < len(text):
        head = text[i:i + 4]
        if len(head) < 4 or not head.isdigit():
            raise ValidationError("code_invalid")
        field_id, length = head[:2], int(head[2:])
        value = text[i + 4:i + 4 + length]
        if length == 0 or len(value) != length or field_id in fields:
            raise ValidationError("code_invalid")
        fields[field_id] = value
        i += 4 + length
    return fields


def _amount_text(cents: int) -> str:
    return f"{Decimal(cents).scaleb(-2):.2f}"


def _amount_cents(text: str) -> int:
    if not re.fullmatch(r"\d{1,10}(\.\d{1,2})?", text):
        raise ValidationError("code_invalid")
    try:
        return int(Decimal(text).scaleb(2))
    except InvalidOperation as exc:  # pragma: no cover - the regex already checked
        raise ValidationError("code_invalid") from exc


def _expiry_epoch(code: PaymentCode) -> int:
    return int(_aware(code.expires_at).timestamp()) if code.expires_at is not None else 0


def signature(*, kind: str, code_id: int, shop_id: int, amount_cents: int, expiry: int) -> str:
    message = f"payment-code:v1:{kind}:{code_id}:{shop_id}:{amount_cents}:{expiry}".encode()
    digest = hmac.new(settings.server_secret(), message, hashlib.sha256).digest()[:SIGNATURE_BYTES]
    return base64.b32encode(digest).decode("ascii").rstrip("=")


def build_payload(code: PaymentCode, shop: Shop) -> str:
    """The code's QR text."""
    dynamic = code.kind == PaymentCodeKind.DYNAMIC.value
    expiry = _expiry_epoch(code)
    amount = code.amount_cents if dynamic else 0
    account = (
        tlv("00", GUI)
        + tlv("01", str(code.id))
        + tlv("02", str(shop.id))
        + tlv("03", str(expiry))
        + tlv("04", signature(kind=code.kind, code_id=code.id, shop_id=shop.id, amount_cents=amount, expiry=expiry))  # type: ignore[arg-type]
    )
    body = (
        tlv("00", "01")
        + tlv("01", "12" if dynamic else "11")
        + tlv("26", account)
        + tlv("52", MCC)
        + tlv("53", CURRENCY_NUMERIC)
        + (tlv("54", _amount_text(code.amount_cents)) if dynamic else "")
        + tlv("58", COUNTRY)
        + tlv("59", emv_text(shop.name, MAX_NAME) or "SocialShop")
        + tlv("60", emv_text(shop.city, MAX_CITY) or "Italia")
        + tlv("62", tlv("05", code.reference))
        + "6304"
    )
    return body + crc16(body)


@dataclass(frozen=True)
class ParsedCode:
    """What a payload says, after its CRC, format and signature were checked."""

    kind: str
    code_id: int
    shop_id: int
    amount_cents: int
    expiry: int
    merchant_name: str
    city: str
    reference: str


def parse_payload(text: object) -> ParsedCode:
    """Read and check a scanned or pasted payload (nothing from the database yet).

    ValidationError("code_invalid") for anything that is not one of our codes,
    ("code_crc_mismatch") when the checksum is wrong, ("code_tampered") when the
    signature does not match the fields.
    """
    if not isinstance(text, str):
        raise ValidationError("code_invalid")
    text = text.strip()
    if not 12 <= len(text) <= MAX_PAYLOAD_LENGTH or not text.isascii() or not text.startswith("000201"):
        raise ValidationError("code_invalid")
    if text[-8:-4] != "6304":
        raise ValidationError("code_invalid")
    fields = parse_tlv(text)
    if list(fields)[-1] != "63":
        raise ValidationError("code_invalid")
    if crc16(text[:-4]) != text[-4:].upper():
        raise ValidationError("code_crc_mismatch")
    kind = {"11": PaymentCodeKind.STATIC.value, "12": PaymentCodeKind.DYNAMIC.value}.get(fields.get("01", ""))
    if kind is None or "26" not in fields or fields.get("53") != CURRENCY_NUMERIC:
        raise ValidationError("code_invalid")
    account = parse_tlv(fields["26"])
    if account.get("00") != GUI:
        raise ValidationError("code_invalid")
    numbers = [account.get(k, "") for k in ("01", "02", "03")]
    if not all(n.isdigit() and len(n) <= 12 for n in numbers):
        raise ValidationError("code_invalid")
    code_id, shop_id, expiry = (int(n) for n in numbers)
    dynamic = kind == PaymentCodeKind.DYNAMIC.value
    if dynamic != ("54" in fields):
        raise ValidationError("code_tampered")
    amount = _amount_cents(fields["54"]) if dynamic else 0
    expected = signature(kind=kind, code_id=code_id, shop_id=shop_id, amount_cents=amount, expiry=expiry)
    if not hmac.compare_digest(expected, account.get("04", "")):
        raise ValidationError("code_tampered")
    additional = parse_tlv(fields["62"]) if "62" in fields else {}
    return ParsedCode(
        kind=kind, code_id=code_id, shop_id=shop_id, amount_cents=amount, expiry=expiry,
        merchant_name=fields.get("59", ""), city=fields.get("60", ""), reference=additional.get("05", ""),
    )


# ---------------------------------------------------------------- images


def png_bytes(payload: str, *, box_size: int = 10) -> bytes:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=4)
    qr.add_data(payload)
    qr.make(fit=True)
    buffer = io.BytesIO()
    qr.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


def a6_sheet_pdf(payload: str, *, shop_name: str, city: str, caption: str) -> bytes:
    """A printable A6 sheet (105 × 148 mm at 300 dpi): the shop's name, the code, a caption."""
    from PIL import Image, ImageDraw

    from socialshop.images import _drawable, _font

    width, height = 1240, 1748
    sheet = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(sheet)

    def centred(text: str, y: int, size: int) -> None:
        text = _drawable(text)
        font = _font(size)
        left, _, right, _ = draw.textbbox((0, 0), text, font=font)
        while right - left > width - 100 and size > 24:  # a long shop name gets smaller, not cut
            size -= 4
            font = _font(size)
            left, _, right, _ = draw.textbbox((0, 0), text, font=font)
        draw.text(((width - (right - left)) / 2, y), text, fill="black", font=font)

    centred(shop_name, 110, 84)
    if city:
        centred(city, 220, 52)
    code = Image.open(io.BytesIO(png_bytes(payload, box_size=12))).convert("RGB")
    side = 1000
    code = code.resize((side, side), Image.Resampling.NEAREST)
    sheet.paste(code, ((width - side) // 2, 330))
    centred(caption, 1400, 48)
    centred("SocialShop Pay", 1500, 40)
    buffer = io.BytesIO()
    sheet.save(buffer, format="PDF", resolution=300.0)
    return buffer.getvalue()


def decode_image(data: object) -> str:
    """The QR text in an uploaded photo or screenshot, decoded on the server.

    ValidationError("code_image_too_big" | "code_image_invalid" | "code_not_found_in_image").
    """
    from PIL import Image, UnidentifiedImageError

    if not isinstance(data, bytes | bytearray) or not data:
        raise ValidationError("code_image_invalid")
    if len(data) > MAX_IMAGE_BYTES:
        raise ValidationError("code_image_too_big", max_mb=MAX_IMAGE_BYTES // (1024 * 1024))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            # Checked from the header, before any pixel is decoded: a small file can
            # declare a huge picture (a decompression bomb).
            if probe.width * probe.height > MAX_IMAGE_PIXELS:
                raise ValidationError("code_image_too_big", max_mb=MAX_IMAGE_BYTES // (1024 * 1024))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            picture = image.convert("L")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError("code_image_invalid") from exc
    import zxingcpp

    for result in zxingcpp.read_barcodes(picture, formats=zxingcpp.BarcodeFormat.QRCode):
        if result.text:
            return result.text
    raise ValidationError("code_not_found_in_image")


# ---------------------------------------------------------------- codes


def _new_reference() -> str:
    return "QR" + secrets.token_hex(5).upper()


def static_code(session: Session, *, shop: Shop) -> PaymentCode:
    """The shop's one static code, made on first use. Does not commit."""
    code = session.exec(
        select(PaymentCode)
        .where(PaymentCode.shop_id == shop.id, PaymentCode.kind == PaymentCodeKind.STATIC.value)
        .order_by(col(PaymentCode.id))
    ).first()
    if code is None:
        code = PaymentCode(shop_id=shop.id, kind=PaymentCodeKind.STATIC.value, reference=_new_reference(),  # type: ignore[arg-type]
                           created_at=_now())
        session.add(code)
        session.flush()
    return code


def check_code_amount(amount_cents: object) -> int:
    amount = parse_int(amount_cents)
    if amount is None or amount <= 0:
        raise ValidationError("amount_invalid")
    if amount > MAX_CODE_CENTS:
        raise ValidationError("code_amount_over_limit", limit=MAX_CODE_CENTS)
    return amount


def _clean_text(value: object, max_length: int, code: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(code)
    text = " ".join(value.split())
    if len(text) > max_length:
        raise ValidationError(f"{code}_too_long", max_length=max_length)
    return text


def create_dynamic(
    session: Session, *, user: User, amount_cents: object, description: object = "",
    lifetime: dt.timedelta = DYNAMIC_LIFETIME, chat_id: int | None = None,
) -> PaymentCode:
    """A code for one sale of exactly this amount, payable once, expiring. Does not commit.

    PermissionDenied("merchant_only"), ValidationError("amount_invalid" |
    "code_amount_over_limit"(limit) | "description_invalid" | "description_invalid_too_long"),
    Conflict("too_many_open_codes", max=...).
    """
    shop = shops.require_shop(session, user=user)
    amount = check_code_amount(amount_cents)
    text = _clean_text(description, MAX_DESCRIPTION, "description_invalid")
    now = _now()
    open_count = len(session.exec(
        select(PaymentCode.id).where(
            PaymentCode.shop_id == shop.id,
            PaymentCode.kind == PaymentCodeKind.DYNAMIC.value,
            PaymentCode.status == PaymentCodeStatus.OPEN.value,
            col(PaymentCode.expires_at) > now,
        ).limit(MAX_OPEN_DYNAMIC)
    ).all())
    if open_count >= MAX_OPEN_DYNAMIC:
        raise Conflict("too_many_open_codes", max=MAX_OPEN_DYNAMIC)
    code = PaymentCode(
        shop_id=shop.id,  # type: ignore[arg-type]
        kind=PaymentCodeKind.DYNAMIC.value,
        amount_cents=amount,
        currency=CURRENCY,
        description=text,
        reference=_new_reference(),
        expires_at=now + lifetime,
        chat_id=chat_id,
        created_at=now,
    )
    session.add(code)
    session.flush()
    return code


def cancel_code(session: Session, *, user: User, code_id: object) -> PaymentCode:
    """The merchant withdraws an open dynamic code. Does not commit.
    NotFound("code_not_found") for another shop's or a static code, Conflict("code_not_open")."""
    code = _own_code(session, user=user, code_id=code_id)
    moved = session.exec(
        update(PaymentCode)
        .where(col(PaymentCode.id) == code.id, col(PaymentCode.status) == PaymentCodeStatus.OPEN.value)
        .values(status=PaymentCodeStatus.CANCELLED.value)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(code)
    if moved != 1:
        raise Conflict("code_not_open", status=code.status)
    return code


def _own_code(session: Session, *, user: User, code_id: object) -> PaymentCode:
    shop = shops.require_shop(session, user=user)
    parsed = parse_id(code_id)
    code = session.get(PaymentCode, parsed) if parsed is not None else None
    if code is None or code.shop_id != shop.id or code.kind != PaymentCodeKind.DYNAMIC.value:
        raise NotFound("code_not_found")
    return code


# ---------------------------------------------------------------- reading a code


@dataclass(frozen=True)
class CodeView:
    """A checked code as the buyer's pay page shows it."""

    code_id: int
    kind: str
    shop_id: int
    shop_name: str
    shop_city: str
    amount_cents: int
    currency: str
    description: str
    reference: str
    expires_at: dt.datetime | None
    payload: str


def read_code(session: Session, *, text: object, now: dt.datetime | None = None) -> CodeView:
    """A payload checked against the database: the code exists as signed, its shop is open,
    and (dynamic) it is still open and not expired.

    Raises what parse_payload raises, and NotFound("code_not_found"),
    Conflict("code_shop_closed" | "code_expired" | "code_already_paid" | "code_cancelled"
    | "code_being_paid").
    """
    parsed = parse_payload(text)
    code = session.exec(
        select(PaymentCode).where(PaymentCode.id == parsed.code_id).execution_options(populate_existing=True)
    ).first()
    if code is None or code.shop_id != parsed.shop_id or code.kind != parsed.kind:
        raise NotFound("code_not_found")
    # The signature covers these, but a code is only what the database says it is.
    if (code.kind == PaymentCodeKind.DYNAMIC.value and code.amount_cents != parsed.amount_cents) or (
        _expiry_epoch(code) != parsed.expiry
    ):
        raise ValidationError("code_tampered")
    shop = session.get(Shop, code.shop_id)
    if shop is None or shop.deleted_at is not None:
        raise Conflict("code_shop_closed")
    check_payable_code(code, now=now or _now())
    return CodeView(
        code_id=code.id, kind=code.kind, shop_id=shop.id, shop_name=shop.name, shop_city=shop.city,  # type: ignore[arg-type]
        amount_cents=code.amount_cents, currency=code.currency, description=code.description,
        reference=code.reference, expires_at=code.expires_at, payload=text.strip(),  # type: ignore[union-attr]
    )


def check_payable_code(code: PaymentCode, *, now: dt.datetime) -> None:
    if code.kind == PaymentCodeKind.STATIC.value:
        return
    if code.status == PaymentCodeStatus.PAID.value:
        raise Conflict("code_already_paid")
    if code.status == PaymentCodeStatus.CANCELLED.value:
        raise Conflict("code_cancelled")
    if code.status == PaymentCodeStatus.CLAIMED.value:
        raise Conflict("code_being_paid")
    if code.expires_at is not None and _aware(code.expires_at) <= now:
        raise Conflict("code_expired")


# ---------------------------------------------------------------- paying


def pay_code(
    session: Session,
    *,
    user: User,
    key: object,
    payload: object,
    method_id: object,
    app: object,
    amount_cents: object = None,
    note: object = "",
) -> CheckoutResult:
    """Pay a scanned code: a dynamic one for its amount, a static one for `amount_cents`.
    Commits step by step (see money/engine.py).

    A key that already ran returns its stored result. Raises what read_code raises, and
    ValidationError("amount_invalid" | "code_amount_over_limit" | "note_invalid" |
    "note_invalid_too_long" | "code_own_shop"), plus the engine's attempt, PIN and Pay-switch errors.
    """
    replay = closed_attempt_result(session, user=user, key=key)
    if replay is not None:
        return replay
    view = read_code(session, text=payload)
    shop = session.get(Shop, view.shop_id)
    assert shop is not None
    if shop.owner_id == user.id:
        raise ValidationError("code_own_shop")
    dynamic = view.kind == PaymentCodeKind.DYNAMIC.value
    amount = view.amount_cents if dynamic else check_code_amount(amount_cents)
    clean_note = _clean_text(note, MAX_NOTE, "note_invalid")
    code = session.get(PaymentCode, view.code_id)
    assert code is not None
    source = OrderSource.CHAT.value if code.chat_id is not None else OrderSource.QR.value
    breakdown = fees.breakdown(shop.fee_package, amount)
    code_pk: int = code.id  # type: ignore[assignment]

    def reserve(s: Session) -> None:
        if not dynamic:
            return
        taken = s.exec(
            update(PaymentCode)
            .where(
                col(PaymentCode.id) == code_pk,
                col(PaymentCode.status) == PaymentCodeStatus.OPEN.value,
                col(PaymentCode.expires_at) > _now(),
            )
            .values(status=PaymentCodeStatus.CLAIMED.value)
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken != 1:
            current = s.exec(
                select(PaymentCode).where(PaymentCode.id == code_pk).execution_options(populate_existing=True)
            ).one()
            check_payable_code(current, now=_now())
            raise Conflict("code_being_paid")

    return engine.charge_to_account(
        session,
        user=user,
        key=key,
        kind=PaymentKind.PURCHASE,
        handler=HANDLER,
        app=app,
        method_id=method_id,
        amount_cents=amount,
        currency=view.currency,
        credit_account=ledger.merchant_account(shop.id),  # type: ignore[arg-type]
        description=f"SocialShop {source} payment to {shop.name}"[:200],
        payment_fields={
            "counterparty_label": shop.name,
            "counterparty_shop_id": shop.id,
            "note": clean_note or view.description,
        },
        plan={
            "code_id": code_pk,
            "dynamic": dynamic,
            "shop_id": shop.id,
            "source": source,
            "note": clean_note,
            "fee_package": breakdown.package,
            "fee_cents": breakdown.fee_cents,
            "fee_flat_cents": breakdown.flat_cents,
        },
        reserve=reserve,
    )


_ORDER = Order.__table__  # type: ignore[attr-defined]
_ORDER_EVENT = OrderEvent.__table__  # type: ignore[attr-defined]


def _record(s: Session, attempt: CheckoutAttempt, plan: dict, paid: engine.Paid) -> list[tuple[int, str]]:
    now = _now()
    amount, currency, shop_id = paid.values["amount_cents"], paid.values["currency"], plan["shop_id"]
    prefix = "CH" if plan["source"] == OrderSource.CHAT.value else "QR"
    number = f"{prefix}-{attempt.id:08d}"
    order_id = s.connection().execute(
        insert(_ORDER).returning(_ORDER.c.id),
        {
            "number": number, "buyer_id": attempt.user_id, "shop_id": shop_id, "app": attempt.app,
            "status": OrderStatus.PAID.value, "subtotal_cents": amount, "fee_cents": plan["fee_cents"],
            "fee_flat_cents": plan["fee_flat_cents"], "fee_package": plan["fee_package"], "fee_refunded_cents": 0,
            "refunded_cents": 0, "source": plan["source"], "needs_shipping": False, "carrier": "",
            "tracking_number": "", "note": plan["note"][:MAX_NOTE], "currency": currency, "payment_id": paid.id,
            "checkout_attempt_id": attempt.id, "ship_name": "", "ship_line1": "", "ship_city": "",
            "ship_postal_code": "", "ship_country": COUNTRY, "created_at": now, "paid_at": now,
        },
    ).scalar_one()
    s.connection().execute(
        insert(_ORDER_EVENT),
        [
            {"order_id": order_id, "from_status": None, "to_status": OrderStatus.PENDING.value,
             "actor_id": attempt.user_id, "note": "", "at": now},
            {"order_id": order_id, "from_status": OrderStatus.PENDING.value, "to_status": OrderStatus.PAID.value,
             "actor_id": attempt.user_id, "note": "payment received", "at": now},
        ],
    )
    fee = plan["fee_cents"]
    ledger.ensure_accounts(
        s,
        codes=[ledger.external_method_account(paid.method_id), ledger.platform_fees_account(),  # type: ignore[arg-type]
               ledger.merchant_account(shop_id)],
        currency=currency,
    )
    ledger.post_transaction(
        s,
        idempotency_key=ledger.order_transaction_key(order_id),
        kind=PaymentKind.PURCHASE.value,
        legs=[
            (ledger.external_method_account(paid.method_id), -amount),  # type: ignore[arg-type]
            (ledger.merchant_account(shop_id), amount - fee),
            (ledger.platform_fees_account(), fee),
        ],
        currency=currency,
        description=f"order {number}",
    )
    if plan["dynamic"]:
        s.exec(
            update(PaymentCode)
            .where(col(PaymentCode.id) == plan["code_id"])
            .values(status=PaymentCodeStatus.PAID.value, order_id=order_id, payment_id=paid.id, paid_at=now)
            .execution_options(synchronize_session=False)
        )
    # The shop gets to know the buyer by a pseudonym only (and the buyer sees it listed).
    shop_customers.customer_alias(s, shop_id=shop_id, user_id=attempt.user_id)
    return [(order_id, number)]


def _release(s: Session, attempt: CheckoutAttempt, plan: dict) -> None:
    if plan.get("dynamic"):
        s.exec(
            update(PaymentCode)
            .where(col(PaymentCode.id) == plan["code_id"], col(PaymentCode.status) == PaymentCodeStatus.CLAIMED.value)
            .values(status=PaymentCodeStatus.OPEN.value, failed_at=_now())
            .execution_options(synchronize_session=False)
        )


engine.register_handler(HANDLER, engine.Handler(record=_record, release=_release))


# ---------------------------------------------------------------- the merchant's view


@dataclass(frozen=True)
class CodeRow:
    """A dynamic code as its shop sees it: never the buyer's name, email or phone."""

    id: int
    amount_cents: int
    currency: str
    description: str
    reference: str
    # open | claimed | paid | cancelled | expired | failed
    status: str
    expires_at: dt.datetime | None
    created_at: dt.datetime
    paid_by: str  # "Customer 7F3K" once paid
    fee_cents: int
    net_cents: int
    fee_package: str


def _status_of(code: PaymentCode, now: dt.datetime) -> str:
    """open | claimed | paid | cancelled | expired | failed (open again after a declined payment)."""
    if code.status == PaymentCodeStatus.OPEN.value:
        if code.expires_at is not None and _aware(code.expires_at) <= now:
            return "expired"
        if code.failed_at is not None:
            return "failed"
    return code.status


def _rows(session: Session, shop_id: int, codes: list[PaymentCode]) -> list[CodeRow]:
    order_ids = [c.order_id for c in codes if c.order_id is not None]
    orders = {
        o.id: o for o in session.exec(select(Order).where(col(Order.id).in_(order_ids))).all()
    } if order_ids else {}
    names = shop_customers.aliases(session, shop_id=shop_id, user_ids={o.buyer_id for o in orders.values()})
    now = _now()
    rows = []
    for code in codes:
        order = orders.get(code.order_id)
        rows.append(CodeRow(
            id=code.id, amount_cents=code.amount_cents, currency=code.currency,  # type: ignore[arg-type]
            description=code.description, reference=code.reference, status=_status_of(code, now),
            expires_at=code.expires_at, created_at=code.created_at,
            paid_by=shop_customers.display(names[order.buyer_id]) if order else "",
            fee_cents=order.fee_cents if order else 0,
            net_cents=order.subtotal_cents - order.fee_cents if order else 0,
            fee_package=order.fee_package if order else "",
        ))
    return rows


def recent_codes(
    session: Session, *, user: User, before_id: object = None, limit: int = PAGE_SIZE
) -> list[CodeRow]:
    """The shop's dynamic QR codes (not the chat ones), newest first, a keyset page."""
    shop = shops.require_shop(session, user=user)
    stmt = select(PaymentCode).where(
        PaymentCode.shop_id == shop.id,
        PaymentCode.kind == PaymentCodeKind.DYNAMIC.value,
        col(PaymentCode.chat_id).is_(None),
    )
    cursor = parse_id(before_id)
    if cursor is not None:
        stmt = stmt.where(col(PaymentCode.id) < cursor)
    codes = list(session.exec(
        stmt.order_by(col(PaymentCode.id).desc()).limit(max(1, min(limit, 50))).execution_options(populate_existing=True)
    ).all())
    return _rows(session, shop.id, codes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class StaticPaymentRow:
    """A payment to the shop's printed code, as the shop sees it."""

    order_id: int
    order_number: str
    amount_cents: int
    currency: str
    note: str
    paid_by: str
    fee_cents: int
    fee_package: str
    paid_at: dt.datetime


def static_payments(session: Session, *, user: User, limit: int = 5) -> list[StaticPaymentRow]:
    """The latest payments made by scanning the shop's static code, newest first."""
    shop = shops.require_shop(session, user=user)
    rows = session.exec(
        select(Order)
        .outerjoin(PaymentCode, col(PaymentCode.order_id) == Order.id)
        .where(Order.shop_id == shop.id, Order.source == OrderSource.QR.value, col(PaymentCode.id).is_(None))
        .order_by(col(Order.id).desc())
        .limit(max(1, min(limit, 20)))
    ).all()
    names = shop_customers.aliases(session, shop_id=shop.id, user_ids={o.buyer_id for o in rows})  # type: ignore[arg-type]
    return [
        StaticPaymentRow(o.id, o.number, o.subtotal_cents, o.currency, o.note,  # type: ignore[arg-type]
                         shop_customers.display(names[o.buyer_id]), o.fee_cents, o.fee_package,
                         o.paid_at or o.created_at)
        for o in rows
    ]


def code_row(session: Session, *, user: User, code_id: object) -> CodeRow:
    """One of the shop's dynamic codes, fresh (the dashboard polls it). NotFound("code_not_found")."""
    code = _own_code(session, user=user, code_id=code_id)
    session.refresh(code)
    return _rows(session, code.shop_id, [code])[0]


def payload_of(session: Session, *, user: User, code_id: object) -> str:
    """The QR text of one of the shop's dynamic codes. NotFound("code_not_found")."""
    code = _own_code(session, user=user, code_id=code_id)
    shop = session.get(Shop, code.shop_id)
    return build_payload(code, shop)  # type: ignore[arg-type]


def static_payload(session: Session, *, user: User) -> str:
    """The shop's static QR text (made on first use; commits it then)."""
    shop = shops.require_shop(session, user=user)
    code = static_code(session, shop=shop)
    session.commit()
    return build_payload(code, shop)

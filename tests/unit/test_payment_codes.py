"""Payment codes (QR payments): payload format, CRC, signature, paying once, privacy."""

from __future__ import annotations

import binascii
import dataclasses
import datetime as dt
import io

import pytest
from sqlmodel import Session, func, select

from socialshop.models import Order, Payment, PaymentCode, Role, ShopCustomer, utcnow
from socialshop.money import engine as money_engine
from socialshop.money import fees
from socialshop.services import ledger, pay_apps, payment_codes, shop_customers
from socialshop.services.errors import Conflict, NotFound, PermissionDenied, ValidationError
from tests.unit.factories import (
    assert_books_balance,
    authorized_key,
    make_buyer,
    make_shop,
    make_user,
)
from tests.unit.test_concurrency import ENGINES, codes, run_together

# The example of the Banco Central do Brasil's "Manual de Padrões para Iniciação do Pix"
# (random key, no amount), with its published CRC 1D3D.
PIX_EXAMPLE = (
    "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000"
    "5204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"
)


def walk(text: str) -> dict[str, str]:
    """An independent reading of one EMV level (not the module's parser)."""
    out, i = {}, 0
    while i < len(text):
        tag, size = text[i:i + 2], int(text[i + 2:i + 4])
        out[tag] = text[i + 4:i + 4 + size]
        i += 4 + size
    assert i == len(text)
    return out


def merchant_with_shop(session, *, name="Caffè Aurora di Quartu Sant'Elena", city="Quartu Sant'Elena"):
    owner = make_user(session, with_pin=False)
    owner.role = Role.MERCHANT.value
    shop = make_shop(session, owner=owner, name=name)
    shop.city = city
    session.add_all([owner, shop])
    session.commit()
    return owner, shop


def pay(session, user, method, payload, *, amount=None, note="", app="whatsapp"):
    key = authorized_key(session, user, app=app)
    return payment_codes.pay_code(
        session, user=user, key=key, payload=payload, method_id=method.id, app=app, amount_cents=amount, note=note
    )


def dynamic(session, owner, amount=450, description="2 cappuccini"):
    code = payment_codes.create_dynamic(session, user=owner, amount_cents=amount, description=description)
    session.commit()
    return code, payment_codes.payload_of(session, user=owner, code_id=code.id)


# ---------------------------------------------------------------- format


def test_crc_matches_the_published_vectors():
    assert payment_codes.crc16("123456789") == "29B1"  # CRC-16/CCITT-FALSE check value
    assert payment_codes.crc16(PIX_EXAMPLE[:-4]) == "1D3D"
    fields = payment_codes.parse_tlv(PIX_EXAMPLE)
    assert fields["59"] == "Fulano de Tal" and fields["62"] == "0503***"
    assert payment_codes.parse_tlv(fields["26"])["00"] == "br.gov.bcb.pix"


def test_pix_example_is_not_one_of_ours():
    with pytest.raises(ValidationError) as info:
        payment_codes.parse_payload(PIX_EXAMPLE)
    assert info.value.code == "code_invalid"


def test_dynamic_payload_fields(session):
    owner, shop = merchant_with_shop(session)
    code, payload = dynamic(session, owner)
    fields = walk(payload)
    assert list(fields) == ["00", "01", "26", "52", "53", "54", "58", "59", "60", "62", "63"]
    assert (fields["00"], fields["01"], fields["53"], fields["54"], fields["58"]) == ("01", "12", "978", "4.50", "IT")
    assert fields["59"] == "Caffe Aurora di Quartu Sa" and len(fields["59"]) == 25
    assert fields["60"] == "Quartu Sant'Ele"
    assert walk(fields["62"]) == {"05": code.reference}
    account = walk(fields["26"])
    assert account["00"] == "app.socialshop.pay"
    assert (account["01"], account["02"]) == (str(code.id), str(shop.id))
    assert int(account["03"]) == int(code.expires_at.replace(tzinfo=dt.UTC).timestamp())
    assert len(account["04"]) == 16
    assert fields["63"] == format(binascii.crc_hqx(payload[:-4].encode(), 0xFFFF), "04X")
    assert payload.isascii()


def test_static_payload_has_no_amount(session):
    owner, shop = merchant_with_shop(session)
    payload = payment_codes.static_payload(session, user=owner)
    fields = walk(payload)
    assert fields["01"] == "11" and "54" not in fields
    assert walk(fields["26"])["03"] == "0"
    # One static code per shop, the same every time.
    assert payment_codes.static_payload(session, user=owner) == payload
    assert session.exec(select(func.count()).select_from(PaymentCode)).one() == 1


def test_png_decodes_back_to_the_same_text(session):
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    owner, _ = merchant_with_shop(session)
    _, payload = dynamic(session, owner)
    png = payment_codes.png_bytes(payload)
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))] == [payload]
    assert payment_codes.decode_image(png) == payload


def test_a6_sheet_is_a_pdf(session):
    owner, shop = merchant_with_shop(session)
    payload = payment_codes.static_payload(session, user=owner)
    pdf = payment_codes.a6_sheet_pdf(payload, shop_name=shop.name, city=shop.city, caption="Scan to pay")
    assert pdf.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "code_image_invalid"),
        (b"not an image at all", "code_image_invalid"),
        (b"\x89PNG" + b"0" * (payment_codes.MAX_IMAGE_BYTES + 1), "code_image_too_big"),
        ("text", "code_image_invalid"),
    ],
)
def test_bad_images(data, code):
    with pytest.raises(ValidationError) as info:
        payment_codes.decode_image(data)
    assert info.value.code == code


def test_image_without_a_code_and_a_decompression_bomb():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(buffer, format="PNG")
    with pytest.raises(ValidationError) as info:
        payment_codes.decode_image(buffer.getvalue())
    assert info.value.code == "code_not_found_in_image"
    bomb = io.BytesIO()
    Image.new("1", (6000, 6000)).save(bomb, format="PNG")  # tiny file, 36 megapixels
    assert len(bomb.getvalue()) < payment_codes.MAX_IMAGE_BYTES
    with pytest.raises(ValidationError) as info:
        payment_codes.decode_image(bomb.getvalue())
    assert info.value.code == "code_image_too_big"


def _with_crc(body: str) -> str:
    body = body[:-4]
    return body + payment_codes.crc16(body)


def test_tampered_amount_with_a_recomputed_crc_is_refused(session):
    owner, _ = merchant_with_shop(session)
    _, payload = dynamic(session, owner, amount=450)
    forged = _with_crc(payload.replace("54044.50", "54040.01"))
    assert forged != payload
    with pytest.raises(ValidationError) as info:
        payment_codes.read_code(session, text=forged)
    assert info.value.code == "code_tampered"


def test_tampered_expiry_and_shop_are_refused(session):
    owner, shop = merchant_with_shop(session)
    other_owner, other = merchant_with_shop(session, name="Bottega")
    code, payload = dynamic(session, owner)
    for change in ({"expires_at": code.expires_at + dt.timedelta(hours=5)}, {"shop_id": other.id}):
        changed = PaymentCode(**{**code.model_dump(), **change})
        forged = payment_codes.build_payload(changed, other if "shop_id" in change else shop)
        assert forged != payload
        # Rebuilt with the real signature of the original fields, the altered one must fail.
        real_sig = walk(walk(payload)["26"])["04"]
        fields = walk(forged)
        account = walk(fields["26"])
        account["04"] = real_sig
        rebuilt_account = "".join(payment_codes.tlv(k, v) for k, v in account.items())
        body = forged.replace(fields["26"], rebuilt_account)
        with pytest.raises(ValidationError) as info:
            payment_codes.read_code(session, text=_with_crc(body))
        assert info.value.code == "code_tampered"


def test_crc_mismatch_and_garbage(session):
    owner, _ = merchant_with_shop(session)
    _, payload = dynamic(session, owner)
    wrong = payload[:-4] + ("0000" if payload[-4:] != "0000" else "FFFF")
    with pytest.raises(ValidationError) as info:
        payment_codes.read_code(session, text=wrong)
    assert info.value.code == "code_crc_mismatch"
    for garbage in ("", "hello", None, 42, "0002" + "x" * 600, payload[:-10], "000201" + "9" * 20 + "6304ABCD"):
        with pytest.raises(ValidationError) as info:
            payment_codes.read_code(session, text=garbage)
        assert info.value.code == "code_invalid", garbage


# ---------------------------------------------------------------- paying


def test_pay_dynamic_code_records_order_fee_and_ledger(session):
    owner, shop = merchant_with_shop(session)
    buyer, method = make_buyer(session)
    code, payload = dynamic(session, owner, amount=450)
    result = pay(session, buyer, method, payload, note="table 4")
    assert result.succeeded
    order = session.exec(select(Order).where(Order.payment_id == result.payment_id)).one()
    expected = fees.breakdown("starter", 450)
    assert (order.source, order.needs_shipping, order.subtotal_cents, order.note) == ("qr", False, 450, "table 4")
    assert (order.fee_cents, order.fee_flat_cents, order.fee_package) == (expected.fee_cents, 40, "starter")
    assert order.ship_name == "" and order.app == "whatsapp"
    assert ledger.balance(session, account_code=ledger.merchant_account(shop.id)) == 450 - expected.fee_cents
    assert ledger.balance(session, account_code=ledger.platform_fees_account()) == expected.fee_cents
    session.refresh(code)
    assert (code.status, code.order_id, code.payment_id) == ("paid", order.id, result.payment_id)
    assert_books_balance(session)
    # The shop now knows the buyer by a pseudonym, and the buyer sees it listed.
    known = shop_customers.known_shops(session, user=buyer)
    assert [k.shop_id for k in known] == [shop.id]
    row = payment_codes.code_row(session, user=owner, code_id=code.id)
    assert row.paid_by == shop_customers.display(known[0].alias)
    assert (row.status, row.fee_cents, row.net_cents) == ("paid", expected.fee_cents, 450 - expected.fee_cents)


def test_paying_again_is_refused(session):
    owner, _ = merchant_with_shop(session)
    buyer, method = make_buyer(session)
    other, other_method = make_buyer(session)
    _, payload = dynamic(session, owner)
    assert pay(session, buyer, method, payload).succeeded
    for who, how in ((buyer, method), (other, other_method)):
        with pytest.raises(Conflict) as info:
            pay(session, who, how, payload)
        assert info.value.code == "code_already_paid"
    assert session.exec(select(func.count()).select_from(Payment)).one() == 1


def test_expired_code_is_refused(session, monkeypatch):
    owner, _ = merchant_with_shop(session)
    buyer, method = make_buyer(session)
    _, payload = dynamic(session, owner)
    later = utcnow() + payment_codes.DYNAMIC_LIFETIME + dt.timedelta(seconds=1)
    monkeypatch.setattr(money_engine, "_now", lambda: later)
    with pytest.raises(Conflict) as info:
        pay(session, buyer, method, payload)
    assert info.value.code == "code_expired"


def test_expiring_between_reading_and_claiming_is_refused(session, monkeypatch):
    owner, _ = merchant_with_shop(session)
    buyer, method = make_buyer(session)
    code, payload = dynamic(session, owner)
    real_read = payment_codes.read_code

    def read_then_expire(s, **kwargs):
        view = real_read(s, **kwargs)
        later = utcnow() + payment_codes.DYNAMIC_LIFETIME + dt.timedelta(seconds=1)
        monkeypatch.setattr(money_engine, "_now", lambda: later)
        return view

    monkeypatch.setattr(payment_codes, "read_code", read_then_expire)
    key = authorized_key(session, buyer, app="whatsapp")
    with pytest.raises(Conflict) as info:
        payment_codes.pay_code(session, user=buyer, key=key, payload=payload, method_id=method.id, app="whatsapp")
    assert info.value.code in ("code_expired", "pin_required")
    session.refresh(code)
    assert code.status == "open"
    assert session.exec(select(func.count()).select_from(Payment)).one() == 0


def test_deleted_shop_and_cancelled_code_are_refused(session):
    owner, shop = merchant_with_shop(session)
    buyer, method = make_buyer(session)
    code, payload = dynamic(session, owner)
    static = payment_codes.static_payload(session, user=owner)
    payment_codes.cancel_code(session, user=owner, code_id=code.id)
    session.commit()
    with pytest.raises(Conflict) as info:
        pay(session, buyer, method, payload)
    assert info.value.code == "code_cancelled"
    shop.deleted_at = utcnow()
    session.add(shop)
    session.commit()
    with pytest.raises(Conflict) as info:
        pay(session, buyer, method, static, amount=500)
    assert info.value.code == "code_shop_closed"


def test_declined_card_gives_the_code_back(session):
    owner, _ = merchant_with_shop(session)
    buyer, method = make_buyer(session, number="4000000000000002")
    code, payload = dynamic(session, owner)
    result = pay(session, buyer, method, payload)
    assert result.status == "failed"
    session.refresh(code)
    assert code.status == "open"
    assert payment_codes.code_row(session, user=owner, code_id=code.id).status == "failed"
    good_buyer, good_method = make_buyer(session)
    assert pay(session, good_buyer, good_method, payload).succeeded


@pytest.mark.parametrize(
    ("amount", "code"),
    [(0, "amount_invalid"), (-100, "amount_invalid"), (None, "amount_invalid"), ("abc", "amount_invalid"),
     (10**9, "code_amount_over_limit")],
)
def test_static_amount_validation(session, amount, code):
    owner, _ = merchant_with_shop(session)
    buyer, method = make_buyer(session)
    payload = payment_codes.static_payload(session, user=owner)
    with pytest.raises(ValidationError) as info:
        pay(session, buyer, method, payload, amount=amount)
    assert info.value.code == code
    assert session.exec(select(func.count()).select_from(Payment)).one() == 0


def test_static_code_is_paid_many_times_for_the_buyers_amount(session):
    owner, shop = merchant_with_shop(session)
    buyer, method = make_buyer(session)
    payload = payment_codes.static_payload(session, user=owner)
    assert pay(session, buyer, method, payload, amount=1_250, note="pizza").succeeded
    assert pay(session, buyer, method, payload, amount=300).succeeded
    amounts = session.exec(select(Order.subtotal_cents).where(Order.shop_id == shop.id).order_by(Order.id)).all()
    assert amounts == [1_250, 300]
    assert_books_balance(session)


def test_dynamic_amount_cannot_be_overridden(session):
    owner, _ = merchant_with_shop(session)
    buyer, method = make_buyer(session)
    _, payload = dynamic(session, owner, amount=450)
    result = pay(session, buyer, method, payload, amount=1)
    assert result.succeeded and result.total_cents == 450


def test_pay_switch_of_the_app_is_enforced(session):
    owner, _ = merchant_with_shop(session)
    buyer, method = make_buyer(session)
    _, payload = dynamic(session, owner)
    key = authorized_key(session, buyer, app="whatsapp")
    pay_apps.set_activation(session, user=buyer, app="whatsapp", enabled=False)
    session.commit()
    with pytest.raises(Conflict) as info:
        payment_codes.pay_code(session, user=buyer, key=key, payload=payload, method_id=method.id, app="whatsapp")
    assert info.value.code == "pay_disabled_in_app"


def test_merchant_cannot_pay_own_code(session):
    owner, _ = merchant_with_shop(session)
    _, payload = dynamic(session, owner)
    from socialshop.models import PayProfile
    from tests.unit.factories import PIN, add_card, pin_hash  # noqa: F401

    session.add(PayProfile(user_id=owner.id, pin_hash=pin_hash()))
    method = add_card(session, owner)
    session.commit()
    with pytest.raises(ValidationError) as info:
        pay(session, owner, method, payload)
    assert info.value.code == "code_own_shop"


# ---------------------------------------------------------------- the merchant's side


def test_shopper_cannot_use_merchant_functions(session):
    shopper = make_user(session)
    session.commit()
    with pytest.raises(PermissionDenied):
        payment_codes.create_dynamic(session, user=shopper, amount_cents=450)
    with pytest.raises(PermissionDenied):
        payment_codes.static_payload(session, user=shopper)
    with pytest.raises(PermissionDenied):
        payment_codes.recent_codes(session, user=shopper)


def test_forged_code_ids_of_another_shop(session):
    owner, _ = merchant_with_shop(session)
    other_owner, _ = merchant_with_shop(session, name="Bottega")
    code, _ = dynamic(session, owner)
    for call in (payment_codes.code_row, payment_codes.payload_of, payment_codes.cancel_code):
        for forged in (code.id, "abc", -1, None, 10**12):
            with pytest.raises(NotFound):
                call(session, user=other_owner, code_id=forged)


@pytest.mark.parametrize(
    ("amount", "description", "code"),
    [(0, "", "amount_invalid"), (-5, "", "amount_invalid"), (10**7, "", "code_amount_over_limit"),
     (450, "x" * 201, "description_invalid_too_long"), (450, 42, "description_invalid")],
)
def test_create_dynamic_bad_input(session, amount, description, code):
    owner, _ = merchant_with_shop(session)
    with pytest.raises(ValidationError) as info:
        payment_codes.create_dynamic(session, user=owner, amount_cents=amount, description=description)
    assert info.value.code == code


def test_merchant_rows_never_hold_the_buyers_identity(session):
    owner, _ = merchant_with_shop(session)
    buyer, method = make_buyer(session, name="Giulia Rossi")
    buyer.phone_number = "+393331234567"
    session.add(buyer)
    session.commit()
    _, payload = dynamic(session, owner)
    assert pay(session, buyer, method, payload).succeeded
    rows = payment_codes.recent_codes(session, user=owner)
    text = repr([dataclasses.asdict(r) for r in rows])
    assert buyer.email not in text and "Giulia" not in text and "3331234567" not in text
    assert rows[0].paid_by.startswith("Customer ")


def test_recent_codes_keyset_pages(session):
    owner, _ = merchant_with_shop(session)
    made = [dynamic(session, owner, amount=100 + i)[0].id for i in range(12)]
    first = payment_codes.recent_codes(session, user=owner, limit=5)
    assert [r.id for r in first] == made[::-1][:5]
    second = payment_codes.recent_codes(session, user=owner, limit=5, before_id=first[-1].id)
    assert [r.id for r in second] == made[::-1][5:10]


def test_reset_alias_changes_what_the_merchant_sees(session):
    owner, shop = merchant_with_shop(session)
    buyer, method = make_buyer(session)
    code, payload = dynamic(session, owner)
    assert pay(session, buyer, method, payload).succeeded
    before = payment_codes.code_row(session, user=owner, code_id=code.id).paid_by
    shop_customers.reset_alias(session, user=buyer, shop_id=shop.id)
    after = payment_codes.code_row(session, user=owner, code_id=code.id).paid_by
    assert before != after and after.startswith("Customer ")
    assert session.exec(select(func.count()).select_from(ShopCustomer)).one() == 1


# ---------------------------------------------------------------- two tabs at once


@pytest.mark.parametrize("engine_fixture", ENGINES)
def test_one_dynamic_code_paid_from_many_tabs_once(request, engine_fixture):
    engine = request.getfixturevalue(engine_fixture)
    with Session(engine, expire_on_commit=False) as session:
        owner, shop = merchant_with_shop(session)
        code, payload = dynamic(session, owner)
        buyers = []
        for _ in range(4):
            buyer, method = make_buyer(session)
            buyers.append((buyer, method, authorized_key(session, buyer, app="whatsapp")))
        session.commit()

    def work(session, i):
        buyer, method, key = buyers[i]
        return payment_codes.pay_code(
            session, user=buyer, key=key, payload=payload, method_id=method.id, app="whatsapp"
        )

    outcomes = run_together(engine, work, n=len(buyers))
    counted = codes(outcomes)
    assert counted["succeeded"] == 1, counted
    assert set(counted) <= {"succeeded", "code_being_paid", "code_already_paid"}, counted
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Payment)).one() == 1
        assert session.exec(select(func.count()).select_from(Order).where(Order.shop_id == shop.id)).one() == 1
        assert session.get(PaymentCode, code.id).status == "paid"
        assert ledger.check_invariants(session) == []


def test_page_states_ignore_what_they_did_not_show():
    """Handlers called by a browser with ids the page never listed change nothing (and
    reach no database)."""
    from socialshop.state.payment_codes import MerchantCodesState
    from socialshop.state.shop_chats import BuyerChatsState, MessageRow

    merchant = MerchantCodesState(_reflex_internal_init=True)  # type: ignore[call-arg]
    MerchantCodesState.show.fn(merchant, 5)
    assert merchant.current_id == 0
    MerchantCodesState.older.fn(merchant)
    assert merchant.on_first_page
    buyer = BuyerChatsState(_reflex_internal_init=True)  # type: ignore[call-arg]
    buyer.messages = [MessageRow(1, False, "hello", "", 0, "", "", "", "")]
    for forged in (1, 2, -1):
        BuyerChatsState.review.fn(buyer, forged)
    assert buyer.paying_message_id == 0 and not buyer.code_loaded


def test_static_payments_are_listed_for_the_shop_with_a_pseudonym(session):
    owner, _ = merchant_with_shop(session)
    buyer, method = make_buyer(session, name="Giulia Rossi")
    static = payment_codes.static_payload(session, user=owner)
    _, dynamic_payload = dynamic(session, owner)
    assert pay(session, buyer, method, static, amount=280, note="table 4").succeeded
    assert pay(session, buyer, method, dynamic_payload).succeeded
    [row] = payment_codes.static_payments(session, user=owner)
    assert (row.amount_cents, row.note, row.paid_by.startswith("Customer ")) == (280, "table 4", True)
    assert "Giulia" not in repr(row) and buyer.email not in repr(row)

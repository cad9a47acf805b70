"""Disputes: the buyer reports, the shop answers in 2 business days or support decides."""

import datetime as dt

import pytest
from sqlmodel import select

from socialshop.models import Dispute, Notification, Order, Role, User
from socialshop.services import disputes
from socialshop.services.errors import Conflict, NotFound, PermissionDenied, ValidationError
from tests.unit.factories import make_shop, make_user

UTC = dt.timezone.utc
MONDAY = dt.datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def merchant_shop(session):
    owner = make_user(session, with_pin=False)
    owner.role = Role.MERCHANT.value
    shop = make_shop(session, owner=owner)
    return owner, shop


def paid_order(session, shop, buyer=None, status="paid"):
    buyer = buyer or make_user(session, name="Giulia Rossi")
    order = Order(number=f"D-{shop.id}-{buyer.id}-{status}", buyer_id=buyer.id, shop_id=shop.id, app="instagram",
                  status=status, subtotal_cents=2400)
    session.add(order)
    session.commit()
    return buyer, order


def agent(session):
    user = make_user(session, with_pin=False)
    user.role = Role.SUPPORT.value
    session.commit()
    return user


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (dt.datetime(2026, 11, 30, 10, tzinfo=UTC), dt.datetime(2026, 12, 2, 10, tzinfo=UTC)),  # Monday -> Wednesday
        (dt.datetime(2026, 12, 3, 10, tzinfo=UTC), dt.datetime(2026, 12, 7, 10, tzinfo=UTC)),  # Thursday -> Monday
        (dt.datetime(2026, 12, 4, 18, tzinfo=UTC), dt.datetime(2026, 12, 8, 18, tzinfo=UTC)),  # Friday -> Tuesday
        (dt.datetime(2026, 12, 5, 9, tzinfo=UTC), dt.datetime(2026, 12, 9, 9, tzinfo=UTC)),  # Saturday counts from Monday
    ],
)
def test_two_business_days(start, due):
    assert disputes.add_business_days(start, 2) == due


def test_buyer_reports_shop_sees_a_pseudonym_and_answers(session):
    owner, shop = merchant_shop(session)
    buyer, order = paid_order(session, shop)
    disputes.open_dispute(session, user=buyer, order_id=order.id, reason="damaged", details="The jug was broken.", now=MONDAY)
    [to_shop] = session.exec(select(Notification).where(Notification.user_id == owner.id)).all()
    assert "Giulia" not in to_shop.params and buyer.email not in to_shop.params and "Customer " in to_shop.params

    page, cursor = disputes.shop_disputes(session, user=owner, status="waiting", now=MONDAY)
    assert cursor == ""
    [view] = page
    assert view.reporter.startswith("Customer ") and "Giulia" not in repr(view) and buyer.email not in repr(view)
    assert view.details == "The jug was broken." and view.status == "open" and not view.overdue

    disputes.answer(session, user=owner, dispute_id=view.id, text="Sorry! A new one is on its way.",
                    now=MONDAY + dt.timedelta(hours=3))
    case = disputes.buyer_case(session, user=buyer, order_id=order.id)
    assert case.dispute.status == "answered" and case.dispute.answer.startswith("Sorry")
    assert not case.can_report
    with pytest.raises(Conflict):
        disputes.answer(session, user=owner, dispute_id=view.id, text="again", now=MONDAY + dt.timedelta(hours=4))


def test_bad_reports_change_nothing(session):
    _, shop = merchant_shop(session)
    buyer, order = paid_order(session, shop)
    stranger = make_user(session)
    with pytest.raises(NotFound):
        disputes.open_dispute(session, user=stranger, order_id=order.id, reason="damaged", details="x")
    for forged in (None, "abc", -1, 10**12, [order.id]):
        with pytest.raises(NotFound):
            disputes.open_dispute(session, user=buyer, order_id=forged, reason="damaged", details="x")
    for reason in ("", "refund me", None, 3):
        with pytest.raises(ValidationError):
            disputes.open_dispute(session, user=buyer, order_id=order.id, reason=reason, details="x")
    for details in ("", "   ", None, "x" * 2001, {"a": 1}):
        with pytest.raises(ValidationError):
            disputes.open_dispute(session, user=buyer, order_id=order.id, reason="other", details=details)
    assert session.exec(select(Dispute)).all() == []
    _, cancelled = paid_order(session, shop, buyer=make_user(session), status="cancelled")
    with pytest.raises(Conflict):
        disputes.open_dispute(session, user=session.get(User, cancelled.buyer_id), order_id=cancelled.id,
                              reason="other", details="x")
    disputes.open_dispute(session, user=buyer, order_id=order.id, reason="other", details="first")
    with pytest.raises(Conflict):
        disputes.open_dispute(session, user=buyer, order_id=order.id, reason="other", details="second")


def test_only_the_shop_answers_its_own_disputes(session):
    owner, shop = merchant_shop(session)
    other_owner, _ = merchant_shop(session)
    buyer, order = paid_order(session, shop)
    dispute = disputes.open_dispute(session, user=buyer, order_id=order.id, reason="other", details="?", now=MONDAY)
    with pytest.raises(NotFound):
        disputes.answer(session, user=other_owner, dispute_id=dispute.id, text="not mine", now=MONDAY)
    with pytest.raises(PermissionDenied):
        disputes.answer(session, user=buyer, dispute_id=dispute.id, text="I am the shop", now=MONDAY)
    with pytest.raises(PermissionDenied):
        disputes.shop_disputes(session, user=buyer)
    with pytest.raises(ValidationError):
        disputes.shop_disputes(session, user=owner, status="everything")
    assert disputes.shop_disputes(session, user=other_owner, now=MONDAY)[0] == []
    assert session.get(Dispute, dispute.id).status == "open"


def test_an_unanswered_dispute_goes_to_support_after_two_business_days(session):
    owner, shop = merchant_shop(session)
    buyer, order = paid_order(session, shop)
    support = agent(session)
    dispute = disputes.open_dispute(session, user=buyer, order_id=order.id, reason="not_received", details="Nothing came.",
                                    now=MONDAY)
    assert disputes.escalate_overdue(session, now=MONDAY + dt.timedelta(days=2)) == 0  # Wednesday 10:00 exactly
    assert disputes.support_queue(session, agent=support, now=MONDAY + dt.timedelta(days=2))[0] == []
    late = MONDAY + dt.timedelta(days=2, minutes=1)
    with pytest.raises(Conflict) as caught:
        disputes.answer(session, user=owner, dispute_id=dispute.id, text="too late", now=late)
    assert caught.value.code == "dispute_answer_late"
    [view], _ = disputes.support_queue(session, agent=support, now=late)
    assert (view.id, view.escalated_by, view.reporter) == (dispute.id, "overdue", "Giulia Rossi")
    assert any('"event":"escalated"' in n.params for n in session.exec(
        select(Notification).where(Notification.user_id == buyer.id)).all())
    with pytest.raises(PermissionDenied):
        disputes.support_queue(session, agent=owner)
    with pytest.raises(ValidationError):
        disputes.close_by_support(session, agent=support, dispute_id=dispute.id, note="  ")
    disputes.close_by_support(session, agent=support, dispute_id=dispute.id, note="Tracking shows it was delivered.")
    case = disputes.buyer_case(session, user=buyer, order_id=order.id)
    assert case.dispute.status == "closed" and case.dispute.resolution.startswith("Tracking")
    with pytest.raises(Conflict):
        disputes.close_by_support(session, agent=support, dispute_id=dispute.id, note="twice")


def test_the_buyer_can_escalate_an_answer_or_withdraw(session):
    owner, shop = merchant_shop(session)
    buyer, order = paid_order(session, shop)
    dispute = disputes.open_dispute(session, user=buyer, order_id=order.id, reason="damaged", details="Broken.", now=MONDAY)
    disputes.answer(session, user=owner, dispute_id=dispute.id, text="It was fine when it left.", now=MONDAY)
    disputes.escalate_by_buyer(session, user=buyer, order_id=order.id, now=MONDAY)
    session.expire_all()
    assert session.get(Dispute, dispute.id).escalated_by == "buyer"
    with pytest.raises(Conflict):
        disputes.escalate_by_buyer(session, user=buyer, order_id=order.id, now=MONDAY)
    disputes.withdraw(session, user=buyer, order_id=order.id, now=MONDAY)
    with pytest.raises(Conflict):
        disputes.withdraw(session, user=buyer, order_id=order.id, now=MONDAY)


def test_the_shops_list_pages_without_gaps(session):
    owner, shop = merchant_shop(session)
    ids = []
    for n in range(disputes.PAGE_SIZE + 5):
        buyer, order = paid_order(session, shop, buyer=make_user(session))
        ids.append(disputes.open_dispute(session, user=buyer, order_id=order.id, reason="other", details=f"#{n}",
                                         now=MONDAY + dt.timedelta(seconds=n % 3)).id)
    first, cursor = disputes.shop_disputes(session, user=owner, now=MONDAY)
    second, end = disputes.shop_disputes(session, user=owner, after=cursor, now=MONDAY)
    assert len(first) == disputes.PAGE_SIZE and end == ""
    assert sorted(v.id for v in first + second) == sorted(ids)
    assert len({v.reporter for v in first + second}) == len(ids)
    assert disputes.shop_disputes(session, user=owner, after="garbage|x", now=MONDAY)[0] == first

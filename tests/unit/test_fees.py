"""Fee packages: the breakdown of one order and the pro rata fee a refund gives back."""

from hypothesis import given
from hypothesis import strategies as st

from socialshop.money import fees


def test_starter_charges_the_flat_fee_only_on_small_orders():
    small = fees.breakdown("starter", 800)
    assert (small.commission_cents, small.flat_cents, small.fee_cents, small.net_cents) == (40, 40, 80, 720)
    large = fees.breakdown("starter", 801)
    assert (large.commission_cents, large.flat_cents, large.net_cents) == (40, 0, 761)


def test_growth_and_pro():
    assert fees.breakdown("growth", 1000).fee_cents == 40  # 39.9 rounds half up
    pro = fees.breakdown("pro", 450)
    assert (pro.commission_cents, pro.flat_cents) == (13, 30)  # 13.05 -> 13


def test_unknown_codes_are_the_default_package_but_not_a_choice():
    assert fees.breakdown("", 1000).package == fees.DEFAULT_PACKAGE
    assert fees.parse_package("gold") is None
    assert fees.parse_package(["pro"]) is None
    assert fees.parse_package("pro") is fees.PACKAGES["pro"]


@given(code=st.sampled_from(sorted(fees.PACKAGES)), gross=st.integers(min_value=0, max_value=10**9))
def test_a_fee_never_exceeds_the_gross(code, gross):
    result = fees.breakdown(code, gross)
    assert 0 <= result.fee_cents <= gross
    assert result.net_cents + result.fee_cents == gross


@given(
    code=st.sampled_from(sorted(fees.PACKAGES)),
    gross=st.integers(min_value=1, max_value=10**7),
    cuts=st.lists(st.integers(min_value=1, max_value=10**7), max_size=8),
)
def test_refunds_in_parts_give_back_the_whole_fee_exactly_once(code, gross, cuts):
    fee = fees.breakdown(code, gross).fee_cents
    refunded = given_back = 0
    parts = []
    for cut in cuts:
        amount = min(cut, gross - refunded)
        if amount <= 0:
            break
        back = fees.fee_to_give_back(fee_cents=fee, gross_cents=gross, refunded_before_cents=refunded,
                                     refund_cents=amount, fee_refunded_before_cents=given_back)
        assert 0 <= back <= fee - given_back
        refunded += amount
        given_back += back
        parts.append(amount)
    remaining = gross - refunded
    given_back += fees.fee_to_give_back(fee_cents=fee, gross_cents=gross, refunded_before_cents=refunded,
                                        refund_cents=remaining, fee_refunded_before_cents=given_back)
    assert given_back == fee

import datetime as dt

import pytest
from sqlmodel import select

from socialshop.models import AuthSession, Role, User, utcnow
from socialshop.services import accounts, shops
from socialshop.services.errors import Conflict, ValidationError

GOOD_PASSWORD = "correct-horse-7"


def sign_up(session, email="ada@example.com", password=GOOD_PASSWORD, name="Ada"):
    return accounts.sign_up_and_log_in(session, email=email, password=password, display_name=name)


def test_sign_up_stores_an_argon2_hash_never_the_password(session):
    result = sign_up(session)
    stored = session.exec(select(User)).one()
    assert stored.email == "ada@example.com"
    assert stored.password_hash.startswith("$argon2")
    assert GOOD_PASSWORD not in stored.password_hash
    assert accounts.user_for_token(session, token=result.token).id == stored.id


def test_session_table_keeps_only_a_digest_of_the_token(session):
    result = sign_up(session)
    row = session.exec(select(AuthSession)).one()
    assert row.token_hash != result.token
    assert len(row.token_hash) == 64


def test_email_is_normalised_and_duplicates_refused_case_insensitively(session):
    sign_up(session, email="Ada@Example.com")
    with pytest.raises(Conflict) as err:
        sign_up(session, email="ada@example.COM")
    assert err.value.code == "email_taken"


@pytest.mark.parametrize("email", ["", "ada", "ada@", "@example.com", "a b@example.com", None, 42])
def test_malformed_email_is_refused(session, email):
    with pytest.raises(ValidationError) as err:
        sign_up(session, email=email)
    assert err.value.code == "email_invalid"
    assert session.exec(select(User)).all() == []


@pytest.mark.parametrize("password", ["short1", "onlyletters", "12345678901", "aaaaaaa1", "", None])
def test_weak_password_is_refused(session, password):
    with pytest.raises(ValidationError) as err:
        sign_up(session, password=password)
    assert err.value.code == "password_weak"
    assert err.value.params["min_length"] == 8


def test_login_failure_does_not_reveal_whether_the_email_exists(session):
    sign_up(session)
    with pytest.raises(ValidationError) as wrong_password:
        accounts.log_in(session, email="ada@example.com", password="wrong-password-1")
    with pytest.raises(ValidationError) as unknown_email:
        accounts.log_in(session, email="nobody@example.com", password="wrong-password-1")
    assert wrong_password.value.code == unknown_email.value.code == "invalid_credentials"


def test_login_with_malformed_email_says_so(session):
    with pytest.raises(ValidationError) as err:
        accounts.log_in(session, email="not-an-email", password="x")
    assert err.value.code == "email_invalid"


def test_expired_session_is_not_accepted(session):
    result = sign_up(session)
    row = session.exec(select(AuthSession)).one()
    row.expires_at = utcnow() - dt.timedelta(seconds=1)
    session.add(row)
    session.flush()
    assert accounts.user_for_token(session, token=result.token) is None


@pytest.mark.parametrize("token", ["", "nope", None, 5, "x" * 1000])
def test_garbage_tokens_resolve_to_nobody(session, token):
    sign_up(session)
    assert accounts.user_for_token(session, token=token) is None


def test_log_out_ends_the_session(session):
    result = sign_up(session)
    accounts.log_out(session, token=result.token)
    session.flush()
    assert accounts.user_for_token(session, token=result.token) is None


def test_merchant_owns_one_shop_with_a_unique_slug(session):
    first = sign_up(session, email="a@example.com").user
    second = sign_up(session, email="b@example.com").user
    shop_a = shops.create_shop(session, owner=first, name="Caffè Aurora")
    shop_b = shops.create_shop(session, owner=second, name="Caffè Aurora")
    assert shop_a.slug == "caffe-aurora"
    assert shop_b.slug == "caffe-aurora-2"
    assert first.role == Role.MERCHANT.value
    with pytest.raises(Conflict):
        shops.create_shop(session, owner=first, name="Another")


def test_language_must_be_known(session):
    user = sign_up(session).user
    accounts.set_language(session, user=user, language="it")
    assert user.language == "it"
    with pytest.raises(ValidationError):
        accounts.set_language(session, user=user, language="fr")


def test_each_token_finds_its_own_user_in_one_statement(session):
    from sqlalchemy import event

    ada = sign_up(session)
    bob = sign_up(session, email="bob@example.com", name="Bob")
    session.flush()
    session.expunge_all()  # no user already loaded: the lookup must read it
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        found = [accounts.user_for_token(session, token=t).email for t in (bob.token, ada.token)]
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert found == ["bob@example.com", "ada@example.com"]
    # Every event of a signed-in page starts with this lookup.
    assert len(statements) == 2

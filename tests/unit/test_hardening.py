"""Log-in throttling, neutral sign-up, exact people lookup, safe next=, state kept on disk."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import datetime as dt
import os
import stat
import uuid

import pytest
from sqlmodel import select

from socialshop import i18n
from socialshop.models import AuthSession, Payment, PaymentKind, User
from socialshop.services import accounts, people, security
from socialshop.services.errors import NotFound, PermissionDenied, ValidationError
from socialshop.services.login_throttle import ACCOUNT_LIMITS, throttle_for
from socialshop.state.session import safe_next_path
from tests.unit.factories import make_user

PASSWORD = "correct-horse-7"
REDIS_URL = os.environ.get("SOCIALSHOP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _account(session, email="ada@example.com"):
    return accounts.sign_up(session, email=email, password=PASSWORD, display_name="Ada")


def _fail(session, throttle, email="ada@example.com", client="10.0.0.1"):
    return accounts.log_in(session, email=email, password="wrong-password-1", client=client, throttle=throttle)


# --- log-in throttling ---------------------------------------------------------------


def test_wrong_passwords_lock_the_account_and_then_even_the_right_one_says_when(session):
    _account(session)
    throttle = throttle_for("memory://")
    first_tier = ACCOUNT_LIMITS[0].amount
    for _ in range(first_tier - 1):
        with pytest.raises(ValidationError) as err:
            _fail(session, throttle)
        assert err.value.code == "invalid_credentials"
    with pytest.raises(PermissionDenied) as err:
        _fail(session, throttle)
    assert err.value.code == "login_throttled"
    with pytest.raises(PermissionDenied) as locked:
        accounts.log_in(session, email="ADA@example.com", password=PASSWORD, client="10.9.9.9", throttle=throttle)
    wait = locked.value.params["wait"]
    assert dt.timedelta(seconds=1) <= wait <= dt.timedelta(minutes=1)
    assert session.exec(select(AuthSession)).all() == []
    assert "Try again in" in i18n.error_message("login_throttled", "en", **locked.value.params)
    assert "Riprova tra" in i18n.error_message("login_throttled", "it", **locked.value.params)


def test_the_wait_grows_with_more_failures():
    throttle = throttle_for("memory://")
    waits = []
    for tier in ACCOUNT_LIMITS:
        # Reach the tier's count, keeping the clock still: each tier's window is longer.
        while throttle.wait_seconds(account="bob@example.com", client="") < tier.get_expiry() - 5:
            throttle._limiter.hit(tier, "socialshop-login", "account", "bob@example.com")
        waits.append(throttle.wait_seconds(account="bob@example.com", client=""))
    assert waits == sorted(waits) and waits[0] < waits[-1]
    assert waits[-1] > 30 * 60  # the last tier is a lock of up to an hour


def test_an_unknown_email_is_throttled_like_a_real_one(session):
    throttle = throttle_for("memory://")
    for _ in range(ACCOUNT_LIMITS[0].amount - 1):
        with pytest.raises(ValidationError):
            _fail(session, throttle, email="nobody@example.com")
    with pytest.raises(PermissionDenied):
        _fail(session, throttle, email="nobody@example.com")


def test_one_client_trying_many_accounts_is_throttled(session):
    throttle = throttle_for("memory://")
    refused = 0
    for n in range(40):
        try:
            _fail(session, throttle, email=f"victim{n}@example.com", client="203.0.113.7")
        except PermissionDenied:
            refused += 1
        except ValidationError:
            pass
    assert refused > 0
    # Another client is not affected.
    with pytest.raises(ValidationError):
        _fail(session, throttle, email="victim0@example.com", client="198.51.100.1")


def test_the_right_password_clears_the_account_count(session):
    _account(session)
    throttle = throttle_for("memory://")
    for _ in range(ACCOUNT_LIMITS[0].amount - 1):
        with pytest.raises(ValidationError):
            _fail(session, throttle)
    accounts.log_in(session, email="ada@example.com", password=PASSWORD, client="10.0.0.1", throttle=throttle)
    with pytest.raises(ValidationError):
        _fail(session, throttle)


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


@pytest.mark.skipif(not _redis_up(), reason="needs Redis (SOCIALSHOP_TEST_REDIS_URL)")
def test_workers_share_the_counts_through_redis(session):
    email = f"shared-{uuid.uuid4().hex[:8]}@example.com"
    worker_a, worker_b = throttle_for(REDIS_URL), throttle_for(REDIS_URL)
    for _ in range(ACCOUNT_LIMITS[0].amount - 1):
        with pytest.raises(ValidationError):
            _fail(session, worker_a, email=email, client="")
    assert worker_b.wait_seconds(account=email, client="") == 0
    worker_a.failed(account=email, client="")
    assert worker_b.wait_seconds(account=email, client="") > 0
    worker_b.succeeded(account=email)
    assert worker_a.wait_seconds(account=email, client="") == 0


# --- sign-up does not tell who is registered -----------------------------------------


def test_sign_up_with_a_registered_email_in_another_case_looks_like_a_new_one(session):
    existing = _account(session, "Ada@Example.com")
    assert accounts.register(session, email="ada@example.COM", password="another-pass-9", display_name="Eve") is None
    stored = session.exec(select(User)).one()
    assert (stored.id, stored.display_name, stored.password_hash) == (
        existing.id, "Ada", existing.password_hash)
    assert security.verify_secret(PASSWORD, stored.password_hash)
    new = accounts.register(session, email="bea@example.com", password="another-pass-9", display_name="Bea")
    assert new is not None and new.email == "bea@example.com"


def test_sign_up_form_answers_the_same_for_new_and_registered_emails(engine):
    from socialshop.state.auth import _sign_up

    fields = {"password": "another-pass-9", "display_name": "Eve", "phone_number": "", "language": "en"}
    from socialshop.db import session_scope

    with session_scope() as session:
        _account(session, "ada@example.com")
    assert _sign_up({**fields, "email": "ADA@example.com"}, None) is None
    assert _sign_up({**fields, "email": "eve@example.com"}, None) is None
    # A bad shop name is refused alike, before the address is looked at.
    for email in ("ada@example.com", "zed@example.com"):
        with pytest.raises(ValidationError) as err:
            _sign_up({**fields, "email": email}, "   ")
        assert err.value.code == "shop_name_required"
    with session_scope() as session:
        emails = sorted(session.exec(select(User.email)).all())
    assert emails == ["ada@example.com", "eve@example.com"]


# --- people: exact lookup, only own counterparties listed ----------------------------


def _transfer(session, payer, payee, minutes_ago: int):
    session.add(Payment(
        payer_id=payer.id, kind=PaymentKind.TRANSFER.value, app="messenger", amount_cents=500,
        provider="sandbox", idempotency_key=uuid.uuid4().hex, counterparty_user_id=payee.id,
        counterparty_label=payee.display_name,
        created_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes_ago),
    ))
    session.flush()


def test_recent_people_are_only_those_who_exchanged_money_with_the_user(session):
    me, paid, payer, stranger = (make_user(session, name=n) for n in ("Me", "Paid", "Payer", "Stranger"))
    _transfer(session, me, paid, minutes_ago=30)
    _transfer(session, payer, me, minutes_ago=5)
    _transfer(session, stranger, paid, minutes_ago=1)
    assert [p.display_name for p in people.recent_people(session, user=me)] == ["Payer", "Paid"]
    assert people.recent_people(session, user=make_user(session)) == []


def test_recent_people_are_bounded(session):
    me = make_user(session)
    for n in range(people.RECENT_LIMIT + 5):
        _transfer(session, me, make_user(session), minutes_ago=n)
    assert len(people.recent_people(session, user=me)) == people.RECENT_LIMIT


def test_a_person_is_found_by_exact_email_or_phone_only(session):
    me = make_user(session)
    giulia = User(email="giulia@example.com", display_name="Giulia Rossi", phone_number="+39 333 123 4567",
                  password_hash="x")
    session.add(giulia)
    session.flush()
    assert people.find_person(session, user=me, query=" Giulia@Example.com ").id == giulia.id
    assert people.find_person(session, user=me, query="+39-333-1234567").display_name == "Giulia Rossi"
    for partial in ("iulia@example.com", "giulia@example.co", "+39 333 123 456", "3331234567"):
        with pytest.raises(NotFound) as err:
            people.find_person(session, user=me, query=partial)
        assert err.value.code == "person_not_found"
    for bad in ("giulia", "%", "_", "12", "", None, "g" * 300):
        with pytest.raises(ValidationError):
            people.find_person(session, user=me, query=bad)
    with pytest.raises(ValidationError) as err:
        people.find_person(session, user=giulia, query="giulia@example.com")
    assert err.value.code == "person_is_you"


def test_a_person_is_found_by_exact_handle_only(session):
    me = make_user(session)
    giulia = User(email="g@example.com", display_name="Giulia Rossi", handle="giulia_rossi", password_hash="x")
    session.add(giulia)
    session.flush()
    assert people.find_person(session, user=me, query="@giulia_rossi").id == giulia.id
    assert people.find_person(session, user=me, query=" @Giulia_Rossi ").id == giulia.id
    for partial in ("@giulia", "@giulia_ross", "@iulia_rossi"):
        with pytest.raises(NotFound):
            people.find_person(session, user=me, query=partial)
    # Not a handle's shape: refused before any lookup, so % and _ never act as wildcards.
    for bad in ("@", "@%", "@giulia rossi", "@giulia-rossi", "@" + "g" * 31, "@@giulia"):
        with pytest.raises(ValidationError) as err:
            people.find_person(session, user=me, query=bad)
        assert err.value.code == "person_query_invalid"


def test_sign_up_gives_each_person_a_free_handle_from_their_name(session):
    made = [
        accounts.sign_up(session, display_name=name, email=f"h{n}@example.com", password=PASSWORD)
        for n, name in enumerate(("Zoë Ågren", "Zoë Ågren", "!!!"))
    ]
    assert [user.handle for user in made] == ["zoe_agren", "zoe_agren2", "user"]


# --- next= ---------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [
    "//evil.example", "/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "/\x00x", "/\x7f/x",
    "/\\evil.example", "https://evil.example", "evil.example", "/login?next=/", None, 5,
])
def test_next_refuses_other_sites_and_control_characters(raw):
    assert safe_next_path(raw) == "/"


@pytest.mark.parametrize("raw", ["/pay", "/orders/3?tab=items", "/shop/caffè-aurora"])
def test_next_keeps_local_paths(raw):
    assert safe_next_path(raw) == raw


# --- what the server writes down about a login ---------------------------------------


def test_state_on_disk_holds_no_raw_token_and_is_private(session, tmp_path, monkeypatch):
    from reflex.istate.manager.disk import StateManagerDisk
    from reflex.istate.manager.token import BaseStateToken
    from reflex.state import State

    from socialshop.state.session import SessionState
    from socialshop.web_security import private_state_files

    _account(session)
    login = accounts.log_in(session, email="ada@example.com", password=PASSWORD, throttle=throttle_for("memory://"))
    states_dir = tmp_path / "states"
    monkeypatch.setenv("REFLEX_STATES_WORKDIR", str(states_dir))
    old_umask = os.umask(0o022)
    try:
        states_dir.mkdir(mode=0o755)
        (states_dir / "old.pkl").write_bytes(b"x")
        private_state_files(states_dir)
        assert stat.S_IMODE((states_dir / "old.pkl").stat().st_mode) == 0o600

        async def write_and_reload() -> str:
            manager = StateManagerDisk(_write_debounce_seconds=0)
            token = BaseStateToken(ident=f"tab-{uuid.uuid4().hex}", cls=State)
            async with manager.modify_state(token) as root:
                (await root.get_state(SessionState)).auth_token = login.token
            await manager.close()
            fresh = StateManagerDisk()
            reloaded = await (await fresh.get_state(token)).get_state(SessionState)
            return reloaded.auth_token

        # Its own thread (with this one's context variables, which Reflex's event context is):
        # after the browser scenarios, Playwright's event loop is running in this thread.
        context = contextvars.copy_context()
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            stored_form = pool.submit(context.run, asyncio.run, write_and_reload()).result()
    finally:
        os.umask(old_umask)
    files = [p for p in states_dir.iterdir() if p.name != "old.pkl"]
    assert files
    written = b"".join(p.read_bytes() for p in files)
    assert login.token.encode() not in written
    assert security.token_digest(login.token).encode() in written
    assert stat.S_IMODE(states_dir.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)
    # What was read back still finds the user, and the browser cannot send that form.
    assert accounts.user_for_token(session, token=stored_form).email == "ada@example.com"
    state = SessionState(_reflex_internal_init=True)  # type: ignore[call-arg]
    state.auth_token = stored_form
    assert state.auth_token == ""


# --- security headers ----------------------------------------------------------------


def test_every_http_answer_gets_the_security_headers():
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    from socialshop.web_security import security_headers

    inner = Starlette(routes=[Route("/page", lambda request: PlainTextResponse("hi"))])
    client = TestClient(security_headers(inner, "http://127.0.0.1:9"))
    for path in ("/page", "/missing"):
        headers = client.get(path).headers
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        policy = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy
        assert "connect-src 'self' http://127.0.0.1:9 ws://127.0.0.1:9" in policy
        assert "img-src 'self' data:" in policy


def test_the_app_wraps_its_backend_and_pages_in_the_headers():
    import socialshop.socialshop as module
    from socialshop.web_security import security_headers

    transformers = module.app.api_transformer
    assert isinstance(transformers, list) and transformers[-1] is security_headers


def test_messenger_money_refuses_a_person_the_page_did_not_offer():
    from socialshop.state.transfers import TransferState

    state = TransferState(_reflex_internal_init=True)  # type: ignore[call-arg]
    state.people = [people.Person(id=7, display_name="Giulia Rossi")]
    assert state._shown_person_id("7") == 7
    for forged in ("8", "0", "-7", "7.0", "", None, ["7"]):
        assert state._shown_person_id(forged) is None

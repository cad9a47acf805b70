"""Pay security settings of this slice: when the PIN is asked, and the user's passkeys."""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx
from sqlmodel import Session

from socialshop.components import passkey_confirm
from socialshop.db import session_scope
from socialshop.models import User
from socialshop.services import accounts, passkeys, pay_authorization, pay_pin
from socialshop.services.errors import ServiceError, ValidationError
from socialshop.services.money import format_datetime, format_money, parse_amount
from socialshop.state.checkout import form_text
from socialshop.state.session import SessionState

POLICY_FORM_ID = "pin-policy-form"
PASSKEY_FORM_ID = "passkey-form"


@dataclasses.dataclass(frozen=True)
class PasskeyRow:
    id: int
    name: str
    detail: str
    remove_label: str


def _user(session: Session, token: str) -> User:
    user = accounts.user_for_token(session, token=token)
    if user is None:
        raise ValidationError("login_required")
    return user


def _save_policy(token: str, policy: str, threshold: int, pin: str) -> pay_authorization.PinPolicy:
    with session_scope() as session:
        return pay_authorization.set_policy(
            session, user=_user(session, token), policy=policy, threshold_cents=threshold, pin=pin
        )


def _registration_options(token: str, origin: str, name: str, pin: str) -> str:
    with session_scope() as session:
        return passkeys.registration_options(session, user=_user(session, token), origin=origin, name=name, pin=pin)


class PayAuthorizationState(SessionState):
    pin_is_set: bool = False
    # The saved policy ("always" | "above") and the radio's current choice.
    policy: str = pay_authorization.ALWAYS
    policy_choice: str = pay_authorization.ALWAYS
    threshold_label: str = ""
    threshold_input: str = ""
    policy_error: str = ""
    policy_notice: str = ""
    passkeys: list[PasskeyRow] = []
    passkey_error: str = ""
    passkey_notice: str = ""
    registering: bool = False

    @rx.event
    def load(self):
        self.policy_error = self.policy_notice = self.passkey_error = self.passkey_notice = ""
        self.registering = False
        with session_scope() as session:
            user = self._page_user(session)
            if user is None:
                return self._login_redirect()
            self.pin_is_set = pay_pin.pin_status(session, user=user).is_set
            self._show_policy(pay_authorization.get_policy(session, user=user))
            self._load_passkeys(session, user)
        return None

    def _show_policy(self, policy: pay_authorization.PinPolicy) -> None:
        self.policy = self.policy_choice = policy.policy
        self.threshold_label = format_money(policy.threshold_cents, pay_authorization.POLICY_CURRENCY, self.lang)
        cents = policy.threshold_cents
        self.threshold_input = f"{cents // 100}{',' if self.lang == 'it' else '.'}{cents % 100:02d}" if cents else ""

    def _load_passkeys(self, session: Session, user: User) -> None:
        never = self._t("passkeys.never_used")
        self.passkeys = [
            PasskeyRow(
                id=p.id,
                name=p.name,
                detail=f"{self._t('passkeys.added_on')} {format_datetime(p.created_at, self.lang)} · "
                + (f"{self._t('passkeys.last_used')} {format_datetime(p.last_used_at, self.lang)}"
                   if p.last_used_at else never),
                remove_label=f"{self._t('passkeys.remove_named')} {p.name}",
            )
            for p in passkeys.list_passkeys(session, user=user)
        ]

    @rx.event
    def choose_policy(self, value: str):
        if value in pay_authorization.POLICIES:
            self.policy_choice = value

    @rx.event(background=True)
    async def save_policy(self, form_data: dict):
        """Asking less often checks the PIN (argon2): in a worker thread."""
        async with self:
            self.policy_error = self.policy_notice = ""
            token, choice, lang = self.auth_token, self.policy_choice, self.lang
        try:
            threshold = 0
            if choice == pay_authorization.ABOVE:
                threshold = parse_amount(form_text(form_data, "threshold", 20), "EUR", lang)
            policy = await asyncio.to_thread(_save_policy, token, choice, threshold, form_text(form_data, "policy_pin", 12))
        except ServiceError as error:
            async with self:
                self.policy_error = self._error_text(error)
        else:
            async with self:
                self._show_policy(policy)
                self.policy_notice = self._t("pinpolicy.saved")
        yield rx.call_script("(()=>{const f=document.getElementById('field-policy_pin');if(f)f.value='';})()")

    @rx.event(background=True)
    async def start_registration(self, form_data: dict):
        """PIN check (argon2) in a worker thread, then the browser's passkey prompt."""
        async with self:
            if self.registering:
                return
            self.passkey_error = self.passkey_notice = ""
            self.registering = True
            token, origin = self.auth_token, self.router.headers.origin
        options = ""
        try:
            options = await asyncio.to_thread(
                _registration_options, token, origin, form_text(form_data, "passkey_name", 200),
                form_text(form_data, "passkey_pin", 12),
            )
        except ServiceError as error:
            async with self:
                self.passkey_error = self._error_text(error)
                self.registering = False
        # The PIN was typed for this one registration.
        yield rx.call_script("(()=>{const f=document.getElementById('field-passkey_pin');if(f)f.value='';})()")
        if options:
            yield rx.call_script(
                passkey_confirm.create_script(options), callback=PayAuthorizationState.finish_registration
            )

    @rx.event
    def finish_registration(self, result: str):
        self.registering = False
        key = passkey_confirm.error_key(result)
        if key:
            self.passkey_error = self._t(key)
            return None
        with session_scope() as session:
            user = self._current_user(session)
            if user is None:
                return self._login_redirect()
            try:
                passkeys.register(session, user=user, response=result)
            except ServiceError as error:
                self.passkey_error = self._error_text(error)
                return None
            self._load_passkeys(session, user)
        self.passkey_notice = self._t("passkeys.added")
        return rx.call_script(f"document.getElementById('{PASSKEY_FORM_ID}')?.reset()")

    @rx.event
    def remove_passkey(self, passkey_id: int):
        self.passkey_error = self.passkey_notice = ""
        with session_scope() as session:
            user = self._current_user(session)
            if user is None:
                return self._login_redirect()
            try:
                passkeys.remove_passkey(session, user=user, passkey_id=passkey_id)
            except ServiceError as error:
                self.passkey_error = self._error_text(error)
                return None
            self._load_passkeys(session, user)
        self.passkey_notice = self._t("passkeys.removed")
        return None

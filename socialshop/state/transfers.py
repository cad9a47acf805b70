"""Messenger money: send to a person, ask a person, pay what someone asked."""

from __future__ import annotations

import dataclasses

import reflex as rx
from sqlmodel import Session

from socialshop.db import session_scope
from socialshop.models import AppSurface, MoneyRequestStatus, PaymentKind, User
from socialshop.services import inputs, people, transfers
from socialshop.services.errors import ServiceError, ValidationError
from socialshop.services.money import format_datetime, format_money, parse_amount
from socialshop.state.checkout import PaymentSheetState, form_text

SEND_FORM_ID = "send-money-form"


@dataclasses.dataclass(frozen=True)
class RequestRow:
    id: int
    other_name: str
    amount_label: str
    note: str
    status: str
    created_at_label: str


class TransferState(PaymentSheetState):
    # Only people this user exchanged money with, and the one found by exact email or
    # phone: never a listing of other users.
    people: list[people.Person] = []
    chosen_to: str = ""
    lookup_error: str = ""
    _found: people.Person | None = None
    incoming: list[RequestRow] = []
    outgoing: list[RequestRow] = []
    # Set when the form pays someone's request instead of a free transfer.
    paying_request_id: int = 0
    paying_request_label: str = ""
    notice: str = ""
    request_error: str = ""
    remaining_label: str = ""

    def _kind(self) -> str:
        return PaymentKind.TRANSFER.value

    def _subject(self) -> str:
        return "transfer"

    @rx.event
    def load(self):
        self._reset_view()
        self.app = AppSurface.MESSENGER.value
        self.notice = ""
        self.request_error = ""
        self.paying_request_id = 0
        self.paying_request_label = ""
        self.chosen_to = ""
        self.lookup_error = ""
        self._found = None
        with session_scope() as session:
            user = self._page_user(session)
            if user is None:
                return self._login_redirect()
            try:
                self._load_lists(session, user)
                self._load_payment_options(session, user)
                self._resume_or_open_attempt(session, user)
            except ServiceError as error:
                self.error = self._error_text(error)
                self.status = "empty"
        if self.status == "succeeded":
            # Money already went out with this tab's attempt: start a fresh one for the next.
            return TransferState.new_transfer
        if self.status in ("processing", "confirming"):
            return TransferState.watch_payment
        return None

    def _load_lists(self, session: Session, user: User) -> None:
        recent = people.recent_people(session, user=user)
        found = self._found
        self.people = [found, *[p for p in recent if p.id != found.id]] if found else recent
        lists = transfers.list_requests(session, user=user)
        self.incoming = [self._row(r, r.requester_name) for r in lists.incoming]
        self.outgoing = [self._row(r, r.payer_name) for r in lists.outgoing]
        self.remaining_label = format_money(transfers.monthly_remaining(session, user=user), "EUR", self.lang)

    def _row(self, request: transfers.MoneyRequestView, other_name: str) -> RequestRow:
        return RequestRow(
            id=request.id,
            other_name=other_name,
            amount_label=format_money(request.amount_cents, request.currency, self.lang),
            note=request.note,
            status=request.status,
            created_at_label=format_datetime(request.created_at, self.lang),
        )

    @rx.event
    def new_transfer(self):
        """After a transfer went through: a new attempt for the next one."""
        paid = self.paid_label
        self.attempt_key = ""
        with session_scope() as session:
            user = self._current_user(session)
            if user is None:
                return self._login_redirect()
            self._resume_or_open_attempt(session, user)
            self._load_lists(session, user)
        self.chosen_to = ""
        self.paying_request_id = 0
        self.paying_request_label = ""
        if paid:
            self.notice = self._t("transfer.sent", amount=paid)
        return None

    @rx.event
    def find_person(self, form_data: dict):
        self.lookup_error = ""
        self.notice = ""
        try:
            with session_scope() as session:
                user = self._require_user(session)
                self._found = people.find_person(session, user=user, query=form_text(form_data, "person", 254))
                self._load_lists(session, user)
        except ServiceError as error:
            self.lookup_error = self._error_text(error)
            return
        self.chosen_to = str(self._found.id)
        self.notice = self._t("people.found", name=self._found.display_name)

    @rx.event
    def choose_to(self, value: str):
        self.chosen_to = value if self._shown_person_id(value) is not None else ""

    def _shown_person_id(self, raw: object) -> int | None:
        """A person id from the form, if it is one of the people this page offered."""
        person_id = inputs.parse_id(raw)
        if person_id is None or all(p.id != person_id for p in self.people):
            return None
        return person_id

    @rx.event
    def choose_request(self, request_id: int):
        row = next((r for r in self.incoming if r.id == request_id and r.status == MoneyRequestStatus.OPEN.value), None)
        if row is None:
            return
        self.paying_request_id = row.id
        self.paying_request_label = f"{row.other_name} · {row.amount_label}"

    @rx.event
    def clear_request(self):
        self.paying_request_id = 0
        self.paying_request_label = ""

    @rx.event(background=True)
    async def send(self, form_data: dict):
        async with self:
            if self.status == "ready":
                self.notice = ""
        async for update in self._pay_flow(form_data):
            yield update
        if self.status == "succeeded":
            yield rx.call_script(f"document.getElementById('{SEND_FORM_ID}')?.reset()")
            yield TransferState.new_transfer

    @rx.event(background=True)
    async def watch_payment(self):
        """After a reload onto a transfer still being confirmed: wait for its outcome."""
        await self._watch_until_settled()
        if self.status == "succeeded":
            yield TransferState.new_transfer

    def _payment_details(self, form_data: dict) -> dict:
        if self.paying_request_id:
            return {"request_id": self.paying_request_id}
        to_user_id = self._shown_person_id(form_text(form_data, "to_user"))
        if to_user_id is None:
            raise ValidationError("recipient_required")
        amount = transfers.check_transfer_amount(parse_amount(form_text(form_data, "amount", 20), "EUR", self.lang))
        return {"to_user_id": to_user_id, "amount_cents": amount, "note": form_text(form_data, "note", 255)}

    @classmethod
    def _run_payment(cls, session: Session, user: User, key: str, method_id: int, details: dict):
        if "request_id" in details:
            return transfers.pay_request(
                session, user=user, key=key, request_id=details["request_id"], method_id=method_id
            )
        return transfers.send_money(
            session, user=user, key=key, to_user_id=details["to_user_id"],
            amount_cents=details["amount_cents"], method_id=method_id, note=details["note"],
        )

    @rx.event
    def ask(self, form_data: dict):
        self.request_error = ""
        self.notice = ""
        try:
            with session_scope() as session:
                user = self._require_user(session)
                from_user_id = self._shown_person_id(form_text(form_data, "from_user"))
                if from_user_id is None:
                    raise ValidationError("recipient_required")
                amount = parse_amount(form_text(form_data, "request_amount", 20), "EUR", self.lang)
                request = transfers.request_money(
                    session, user=user, from_user_id=from_user_id, amount_cents=amount,
                    note=form_text(form_data, "request_note", 255),
                )
                label = format_money(request.amount_cents, request.currency, self.lang)
            with session_scope() as session:
                self._load_lists(session, self._require_user(session))
        except ServiceError as error:
            self.request_error = self._error_text(error)
            return
        self.notice = self._t("transfer.requested", amount=label)

    @rx.event
    def decline(self, request_id: int):
        try:
            with session_scope() as session:
                user = self._require_user(session)
                transfers.decline_request(session, user=user, request_id=request_id)
            with session_scope() as session:
                self._load_lists(session, self._require_user(session))
        except ServiceError as error:
            self.request_error = self._error_text(error)

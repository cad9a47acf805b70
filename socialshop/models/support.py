"""Support chat: a conversation between a user, the assistant and (after handover) an agent."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from socialshop.models.base import StrEnum, utcnow


class ConversationStatus(StrEnum):
    # The rule-based assistant answers.
    ASSISTANT = "assistant"
    # Handed over: waiting in the agents' queue.
    WAITING = "waiting"
    # An agent has answered at least once.
    AGENT = "agent"
    CLOSED = "closed"


# What the agents' queue lists.
QUEUE_STATUSES = (ConversationStatus.WAITING.value, ConversationStatus.AGENT.value)


class MessageSender(StrEnum):
    USER = "user"
    ASSISTANT = "assistant"
    AGENT = "agent"
    # A change of the conversation (handed over, closed): `body` is a catalogue key.
    SYSTEM = "system"


class SupportConversation(SQLModel, table=True):
    __table_args__ = (Index("ix_supportconversation_status_updated", "status", "updated_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    status: str = Field(default=ConversationStatus.ASSISTANT.value, max_length=16)
    # The history entry it is about ("payment" / "refund" / "received" / "returned" and
    # the row id), or "" and 0 for a general question.
    about_kind: str = Field(default="", max_length=16)
    about_id: int = Field(default=0)
    agent_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class SupportMessage(SQLModel, table=True):
    # Every open tab asks "anything after my last id in this conversation?" a few times a
    # minute: (conversation_id, id) answers that from the index alone.
    __table_args__ = (Index("ix_supportmessage_conversation_id_id", "conversation_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="supportconversation.id")
    sender: str = Field(max_length=16)
    author_id: int | None = Field(default=None, foreign_key="user.id")
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: dt.datetime = Field(default_factory=utcnow)

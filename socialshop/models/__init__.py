"""All tables, imported here so SQLModel.metadata (and Alembic) sees every one."""

from socialshop.models.base import StrEnum, utcnow
from socialshop.models.commerce import (
    CartItem,
    Order,
    OrderEvent,
    OrderItem,
    OrderSource,
    OrderStatus,
    SavedItem,
)
from socialshop.models.contact import ShippingAddress
from socialshop.models.disputes import DISPUTE_REASONS, Dispute, DisputeStatus
from socialshop.models.ledger import AccountKind, LedgerAccount, LedgerEntry, LedgerTransaction
from socialshop.models.notifications import Notification, NotificationKind
from socialshop.models.passkeys import PasskeyChallenge, PasskeyCredential, PasskeyPurpose
from socialshop.models.payments import (
    UNRESOLVED_ATTEMPT_STATUSES,
    AppActivation,
    AttemptEvent,
    AttemptStatus,
    CheckoutAttempt,
    MoneyRequest,
    MoneyRequestStatus,
    Payment,
    PaymentKind,
    PaymentMethod,
    PaymentMethodKind,
    PaymentStatus,
    PayProfile,
    Refund,
)
from socialshop.models.sandbox import SandboxCharge, SandboxChargeStatus
from socialshop.models.shop_customers import ShopCustomer
from socialshop.models.social import (
    MAX_TAGS_PER_POST,
    AppSurface,
    Comment,
    Fundraiser,
    Like,
    Post,
    Product,
    ProductCategory,
    ProductTag,
    Shop,
)
from socialshop.models.support import (
    QUEUE_STATUSES,
    ConversationStatus,
    MessageSender,
    SupportConversation,
    SupportMessage,
)
from socialshop.models.user import AuthSession, Language, Role, User
from socialshop.models.webhooks import WebhookEvent, WebhookOutcome

__all__ = [
    "MAX_TAGS_PER_POST",
    "QUEUE_STATUSES",
    "ConversationStatus",
    "MessageSender",
    "DISPUTE_REASONS",
    "Dispute",
    "DisputeStatus",
    "Notification",
    "OrderSource",
    "ShopCustomer",
    "NotificationKind",
    "SupportConversation",
    "SupportMessage",
    "UNRESOLVED_ATTEMPT_STATUSES",
    "AccountKind",
    "AppActivation",
    "AttemptEvent",
    "AppSurface",
    "AttemptStatus",
    "AuthSession",
    "CartItem",
    "CheckoutAttempt",
    "Comment",
    "Fundraiser",
    "Language",
    "LedgerAccount",
    "LedgerEntry",
    "LedgerTransaction",
    "Like",
    "MoneyRequest",
    "MoneyRequestStatus",
    "Order",
    "OrderEvent",
    "OrderItem",
    "OrderStatus",
    "PasskeyChallenge",
    "PasskeyCredential",
    "PasskeyPurpose",
    "PayProfile",
    "Payment",
    "PaymentKind",
    "PaymentMethod",
    "PaymentMethodKind",
    "PaymentStatus",
    "Post",
    "Product",
    "ProductCategory",
    "ProductTag",
    "Refund",
    "Role",
    "SandboxCharge",
    "SandboxChargeStatus",
    "SavedItem",
    "ShippingAddress",
    "Shop",
    "StrEnum",
    "User",
    "WebhookEvent",
    "WebhookOutcome",
    "utcnow",
]

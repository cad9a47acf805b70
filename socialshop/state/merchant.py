"""What every merchant page's state shares: the signed-in merchant's shop, or a refusal.

A page state subclasses MerchantState, calls `self._merchant_page(session)` in its on_load
and `self._merchant(session)` in every handler: both return the user and their shop, or
None after showing the refusal (shoppers never get merchant data, whatever they call).
"""

from __future__ import annotations

from sqlmodel import Session

from socialshop.models import Shop, User
from socialshop.services import shops
from socialshop.services.errors import PermissionDenied
from socialshop.state.session import SessionState


class MerchantState(SessionState):
    # False until the page knows the user owns a shop; pages show their content only then.
    is_merchant: bool = False
    merchant_checked: bool = False
    shop_name: str = ""
    shop_slug: str = ""

    def _merchant(self, session: Session) -> tuple[User, Shop] | None:
        user = self._current_user(session)
        try:
            shop = shops.require_shop(session, user=user)
        except PermissionDenied:
            self.is_merchant = False
            return None
        return user, shop  # type: ignore[return-value]

    def _merchant_page(self, session: Session):
        """For on_load: (user, shop), or None with the page set to refuse. A signed-out
        visitor gets `self._login_redirect()` from the caller when `_page_user` is None."""
        user = self._page_user(session)
        self.merchant_checked = True
        if user is None:
            self.is_merchant = False
            return None
        found = self._merchant(session)
        self.is_merchant = found is not None
        if found is not None:
            self.shop_name, self.shop_slug = found[1].name, found[1].slug
        return found

"""The merchant dashboard's frame: tabs and the refusal for non-merchants. key: (English, Italiano)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "merchantnav.label": ("Your shop", "Il tuo negozio"),
    "merchantnav.overview": ("Shop", "Negozio"),
    "merchantnav.products": ("Products", "Prodotti"),
    "merchantnav.posts": ("Posts", "Post"),
    "merchantnav.orders": ("Orders", "Ordini"),
    "merchantnav.qr": ("QR codes", "Codici QR"),
    "merchantnav.chats": ("Chats", "Chat"),
    "merchantnav.payouts": ("Payouts", "Pagamenti ricevuti"),
    "merchantnav.fees": ("Fees", "Commissioni"),
    "merchantnav.insights": ("Insights", "Statistiche"),
    "merchant.refused": (
        "This page is for shop owners. Open a shop from your profile to sell here.",
        "Questa pagina è per chi ha un negozio. Apri un negozio dal tuo profilo per vendere qui.",
    ),
    "error.merchant_only": (
        "Only the shop's owner can do this.",
        "Solo il titolare del negozio può farlo.",
    ),
    "error.shop_customer_not_found": (
        "That shop does not know you.",
        "Quel negozio non ti conosce.",
    ),
}

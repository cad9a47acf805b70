"""Public pages (shops, storefronts and product pages readable logged out). key: (English, Italiano)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "product.not_found_title": ("Product not found", "Prodotto non trovato"),
    "product.not_found_text": (
        "This product does not exist or is not sold by this shop.",
        "Questo prodotto non esiste o non è venduto da questo negozio.",
    ),
    "product.copy_link": ("Copy link", "Copia link"),
    "product.link_copied": ("Link copied.", "Link copiato."),
    "product.login_hint": (
        "Log in or sign up to buy, save or chat with the shop.",
        "Accedi o registrati per comprare, salvare o scrivere al negozio.",
    ),
}

"""qr_payments: payment codes (QR), the buyer's privacy page and shop chats. key: (English, Italiano)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "paynav.scan": ("Scan", "Scansiona"),
    "paynav.privacy": ("Privacy", "Privacy"),
    "qr.scan_button": ("Scan to pay", "Scansiona e paga"),
    # The buyer: scan, then pay
    "qr.scan_heading": ("Scan to pay", "Scansiona e paga"),
    "qr.scan_title": ("Scan a shop's QR code", "Scansiona il codice QR di un negozio"),
    "qr.scan_intro": (
        "Take a photo of the code or choose a picture of it. The shop never sees your name, email or phone.",
        "Fotografa il codice o scegli un'immagine che lo contiene. Il negozio non vede mai il tuo nome, "
        "la tua email o il tuo telefono.",
    ),
    "qr.choose_image": ("Take a photo or choose an image", "Scatta una foto o scegli un'immagine"),
    "qr.image_hint": ("PNG, JPEG, WebP or GIF, up to 5 MB", "PNG, JPEG, WebP o GIF, fino a 5 MB"),
    "qr.paste_label": ("Or paste the code's text", "Oppure incolla il testo del codice"),
    "qr.read_code": ("Read code", "Leggi il codice"),
    "qr.amount": ("Amount (€)", "Importo (€)"),
    "qr.note": ("Note for the shop (optional)", "Nota per il negozio (facoltativa)"),
    "qr.note_placeholder": ("e.g. table 4", "ad es. tavolo 4"),
    "qr.amount_to_pay": ("Amount to pay", "Importo da pagare"),
    "qr.valid_until": ("Valid until", "Valido fino a"),
    "qr.reference": ("Reference", "Riferimento"),
    "qr.pay": ("Pay", "Paga"),
    "qr.paid_title": ("Paid", "Pagato"),
    "qr.order_number": ("Order", "Ordine"),
    "qr.see_receipt": ("See receipt", "Vedi ricevuta"),
    "qr.scan_another": ("Scan another code", "Scansiona un altro codice"),
    # Privacy
    "privacy.title": ("Shops that know you", "Negozi che ti conoscono"),
    "privacy.intro": (
        "Shops see a nickname instead of your name, email or phone. Each shop has its own; "
        "reset it and the shop cannot tell your next payments from a new customer's.",
        "I negozi vedono un nome in codice al posto del tuo nome, email o telefono. Ogni negozio ne ha uno "
        "diverso; se lo reimposti, il negozio non può collegare i tuoi prossimi pagamenti a quelli passati.",
    ),
    "privacy.knows_you_as": ("knows you as", "ti conosce come"),
    "privacy.since": ("since", "dal"),
    "privacy.reset": ("Reset", "Reimposta"),
    "privacy.none": ("No shop knows you yet.", "Nessun negozio ti conosce ancora."),
    "privacy.reset_done": ("{shop} now knows you as {alias}.", "{shop} ora ti conosce come {alias}."),
    # The merchant
    "qr.merchant_title": ("QR codes", "Codici QR"),
    "qr.static_title": ("Your shop's QR code", "Il codice QR del tuo negozio"),
    "qr.static_intro": (
        "Print it for the counter: customers scan it and type the amount.",
        "Stampalo per il bancone: i clienti lo scansionano e scrivono l'importo.",
    ),
    "qr.static_alt": ("Your shop's QR code", "Il codice QR del tuo negozio"),
    "qr.dynamic_alt": ("QR code for this amount", "Codice QR per questo importo"),
    "qr.download_png": ("Download PNG", "Scarica PNG"),
    "qr.download_sheet": ("Printable A6 sheet (PDF)", "Foglio A6 da stampare (PDF)"),
    "qr.sheet_caption": ("Scan to pay with SocialShop", "Scansiona per pagare con SocialShop"),
    "qr.fees_under": ("Fees under your package:", "Commissioni del tuo pacchetto:"),
    "qr.create_title": ("Charge an amount", "Incassa un importo"),
    "qr.create_intro": (
        "A QR code for exactly this amount, payable once, valid for 10 minutes.",
        "Un codice QR per esattamente questo importo, pagabile una volta, valido 10 minuti.",
    ),
    "qr.items": ("Items (optional)", "Articoli (facoltativo)"),
    "qr.items_placeholder": ("e.g. 2 cappuccini, 1 cornetto", "ad es. 2 cappuccini, 1 cornetto"),
    "qr.create": ("Create QR code", "Crea codice QR"),
    "qr.current_label": ("The QR code being paid", "Il codice QR da pagare"),
    "qr.expires_in": ("Expires in", "Scade tra"),
    "qr.cancel_code": ("Cancel code", "Annulla codice"),
    "qr.close": ("Close", "Chiudi"),
    "qr.show": ("Show", "Mostra"),
    "qr.recent_title": ("Recent codes", "Codici recenti"),
    "qr.paid_by": ("Paid by", "Pagato da"),
    "qr.fee": ("Fee", "Commissione"),
    "qr.you_receive": ("you receive", "ricevi"),
    "qr.status.open": ("Waiting for payment", "In attesa di pagamento"),
    "qr.status.claimed": ("Being paid…", "Pagamento in corso…"),
    "qr.status.paid": ("Paid", "Pagato"),
    "qr.status.expired": ("Expired", "Scaduto"),
    "qr.status.cancelled": ("Cancelled", "Annullato"),
    "qr.status.failed": ("Payment failed", "Pagamento non riuscito"),
    "qr.package.starter": ("Starter", "Starter"),
    "qr.package.growth": ("Growth", "Growth"),
    "qr.package.pro": ("Pro", "Pro"),
    # Refusals
    "error.code_invalid": (
        "This is not a SocialShop payment code.",
        "Questo non è un codice di pagamento SocialShop.",
    ),
    "error.code_crc_mismatch": (
        "This code is damaged (its checksum does not match). Scan it again.",
        "Questo codice è danneggiato (il checksum non corrisponde). Scansionalo di nuovo.",
    ),
    "error.code_tampered": (
        "This code has been altered and cannot be paid.",
        "Questo codice è stato alterato e non si può pagare.",
    ),
    "error.code_not_found": ("This payment code does not exist.", "Questo codice di pagamento non esiste."),
    "error.code_shop_closed": (
        "This shop is closed: its code can no longer be paid.",
        "Questo negozio ha chiuso: il suo codice non si può più pagare.",
    ),
    "error.code_expired": (
        "This code has expired. Ask the shop for a new one.",
        "Questo codice è scaduto. Chiedine uno nuovo al negozio.",
    ),
    "error.code_already_paid": ("This code has already been paid.", "Questo codice è già stato pagato."),
    "error.code_cancelled": ("The shop cancelled this code.", "Il negozio ha annullato questo codice."),
    "error.code_being_paid": (
        "This code is being paid right now.",
        "Questo codice è in fase di pagamento proprio ora.",
    ),
    "error.code_not_open": ("This code is no longer open.", "Questo codice non è più aperto."),
    "error.code_own_shop": ("You cannot pay your own shop.", "Non puoi pagare il tuo stesso negozio."),
    "error.code_amount_over_limit": (
        "The amount can be at most {limit}.",
        "L'importo può essere al massimo {limit}.",
    ),
    "error.too_many_open_codes": (
        "You have {max} open codes: cancel some or wait for them to expire.",
        "Hai {max} codici aperti: annullane qualcuno o attendi che scadano.",
    ),
    "error.description_invalid": ("The items are not valid.", "Gli articoli non sono validi."),
    "error.description_invalid_too_long": (
        "The items can be at most {max_length} characters.",
        "Gli articoli possono avere al massimo {max_length} caratteri.",
    ),
    "error.note_invalid_too_long": (
        "The note can be at most {max_length} characters.",
        "La nota può avere al massimo {max_length} caratteri.",
    ),
    "error.code_image_too_big": (
        "The image is too big (at most {max_mb} MB).",
        "L'immagine è troppo grande (al massimo {max_mb} MB).",
    ),
    "error.code_image_invalid": ("That file is not an image.", "Quel file non è un'immagine."),
    "error.code_not_found_in_image": (
        "No QR code found in that image. Try a sharper photo, or paste the code's text.",
        "Nessun codice QR in quell'immagine. Prova una foto più nitida o incolla il testo del codice.",
    ),
}

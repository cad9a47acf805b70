"""/pay/methods: saved cards and PayPal, and their errors. key: (English, Italiano)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "methods.title": ("Payment methods", "Metodi di pagamento"),
    "methods.explain": (
        "The cards and accounts you pay with on Facebook, Instagram, Messenger and WhatsApp.",
        "Le carte e i conti con cui paghi su Facebook, Instagram, Messenger e WhatsApp.",
    ),
    "methods.saved": ("Saved methods", "Metodi salvati"),
    "methods.empty": (
        "No saved payment methods yet: add a card or link PayPal below.",
        "Nessun metodo di pagamento salvato: aggiungi una carta o collega PayPal qui sotto.",
    ),
    "methods.default": ("Default", "Predefinito"),
    "methods.expired": ("Expired", "Scaduta"),
    "methods.expires": ("Expires", "Scade"),
    "methods.expired_hint": (
        "An expired card cannot pay: remove it and add the new one.",
        "Una carta scaduta non può pagare: rimuovila e aggiungi quella nuova.",
    ),
    "methods.make_default": ("Make default", "Rendi predefinito"),
    "methods.remove": ("Remove", "Rimuovi"),
    "methods.add_card": ("Add a card", "Aggiungi una carta"),
    "methods.add_paypal": ("Link PayPal", "Collega PayPal"),
    "methods.paypal_email": ("PayPal email", "Email PayPal"),
    "methods.paypal_hint": (
        "Payments with PayPal are charged to the linked account, like a card.",
        "I pagamenti con PayPal vengono addebitati sul conto collegato, come con una carta.",
    ),
    "methods.pin": ("Pay PIN to confirm", "PIN di Pay per confermare"),
    "methods.save_card": ("Save card", "Salva carta"),
    "methods.save_paypal": ("Link account", "Collega conto"),
    "methods.saving": ("Saving…", "Salvataggio…"),
    "methods.as_default": ("Make it my default", "Rendilo predefinito"),
    "methods.confirm_title": ("Remove this payment method?", "Rimuovere questo metodo di pagamento?"),
    "methods.confirm_body": (
        "It will no longer be offered at checkout and cannot pay again. Enter your Pay PIN to confirm.",
        "Non sarà più proposto al pagamento e non potrà più pagare. Inserisci il PIN di Pay per confermare.",
    ),
    "methods.cancel": ("Cancel", "Annulla"),
    "methods.confirm_remove": ("Remove", "Rimuovi"),
    "methods.card_added": ("Card saved.", "Carta salvata."),
    "methods.paypal_added": ("PayPal account linked.", "Conto PayPal collegato."),
    "methods.removed": ("Payment method removed.", "Metodo di pagamento rimosso."),
    "methods.default_set": ("{label} is now your default.", "{label} ora è il tuo metodo predefinito."),
    "methods.no_pin": (
        "Adding or removing a method asks for your Pay PIN: set one first.",
        "Per aggiungere o rimuovere un metodo serve il PIN di Pay: impostalo prima.",
    ),
    "error.method_duplicate": (
        "This payment method is already saved.",
        "Questo metodo di pagamento è già salvato.",
    ),
    "error.method_expired": (
        "This card expired in {expiry} and cannot pay: choose another method or add a new card.",
        "Questa carta è scaduta a {expiry} e non può pagare: scegli un altro metodo o aggiungi una nuova carta.",
    ),
    "error.paypal_email_invalid": (
        "Enter the email address of your PayPal account.",
        "Inserisci l'indirizzo email del tuo conto PayPal.",
    ),
    "error.paypal_unavailable": (
        "PayPal cannot be linked with this payment provider.",
        "PayPal non può essere collegato con questo fornitore di pagamenti.",
    ),
    "error.paypal_declined": (
        "PayPal refused to link this account.",
        "PayPal ha rifiutato di collegare questo conto.",
    ),
}

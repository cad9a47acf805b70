"""The bell and its entries. key: (English, Italiano)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "notifications.title": ("Notifications", "Notifiche"),
    "notifications.bell": ("Notifications", "Notifiche"),
    "notifications.unread": ("unread", "da leggere"),
    "notifications.empty": ("Nothing new yet.", "Ancora niente di nuovo."),
    "notifications.mark_all": ("Mark all read", "Segna tutte come lette"),
    "notifications.mark_read": ("Mark read", "Segna come letta"),
    "notifications.older": ("Older", "Meno recenti"),
    "notifications.newest": ("Newest", "Più recenti"),
    "notifications.open": ("Open", "Apri"),
    "notification.payment": ("You paid {amount} to {counterparty} on {app}.", "Hai pagato {amount} a {counterparty} su {app}."),
    "notification.payment_no_counterparty": ("You paid {amount} on {app}.", "Hai pagato {amount} su {app}."),
    "notification.refund": (
        "{amount} refunded for order {order}: it is on its way back to your card.",
        "{amount} rimborsati per l'ordine {order}: stanno tornando sulla tua carta.",
    ),
    "notification.pin_locked": (
        "Your Pay PIN was locked after too many wrong tries, until {until}.",
        "Il tuo PIN di Pay è stato bloccato dopo troppi tentativi sbagliati, fino al {until}.",
    ),
    "notification.method_added": (
        "A new payment method was added: {method}.",
        "È stato aggiunto un nuovo metodo di pagamento: {method}.",
    ),
    "notification.money_received": ("{sender} sent you {amount}.", "{sender} ti ha inviato {amount}."),
    "notification.support_answer": ("Support answered: “{preview}”", "L'assistenza ha risposto: “{preview}”"),
    "notification.generic": ("Something happened on your account.", "È successo qualcosa sul tuo account."),
    "error.notification_page_invalid": ("That page of notifications does not exist.", "Questa pagina di notifiche non esiste."),
    "error.notification_not_found": ("That notification does not exist.", "Questa notifica non esiste."),
}

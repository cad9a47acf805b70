"""When the PIN is asked, and passkeys (settings, checkout button, errors). key: (English, Italiano)."""

MESSAGES: dict[str, tuple[str, str]] = {
    # When the PIN is asked
    "pinpolicy.title": ("When to ask for the PIN", "Quando chiedere il PIN"),
    "pinpolicy.intro": (
        "The PIN (or a passkey) confirms payments. You can skip it for small amounts.",
        "Il PIN (o una passkey) conferma i pagamenti. Puoi non chiederlo per importi piccoli.",
    ),
    "pinpolicy.always": ("For every payment", "Per ogni pagamento"),
    "pinpolicy.above": ("Only above an amount", "Solo sopra un importo"),
    "pinpolicy.threshold": ("Amount (€)", "Importo (€)"),
    "pinpolicy.threshold_hint": (
        "Payments up to this amount (at most €100) go through without the PIN.",
        "I pagamenti fino a questo importo (al massimo € 100) passano senza PIN.",
    ),
    "pinpolicy.pin": ("Your PIN, to ask less often", "Il tuo PIN, per chiederlo meno spesso"),
    "pinpolicy.save": ("Save", "Salva"),
    "pinpolicy.current_always": ("Now: the PIN is asked for every payment.", "Ora: il PIN è chiesto per ogni pagamento."),
    "pinpolicy.current_above": ("Now: the PIN is asked only above", "Ora: il PIN è chiesto solo sopra"),
    "pinpolicy.saved": ("Saved.", "Salvato."),
    "pinpolicy.skip_hint": ("Not needed for payments up to", "Non serve per pagamenti fino a"),
    # Passkeys
    "passkeys.title": ("Passkeys", "Passkey"),
    "passkeys.intro": (
        "A passkey uses your device's fingerprint, face or screen lock to confirm payments instead of the PIN.",
        "Una passkey usa l'impronta, il volto o il blocco schermo del dispositivo per confermare i pagamenti al posto del PIN.",
    ),
    "passkeys.none": ("No passkeys yet.", "Ancora nessuna passkey."),
    "passkeys.name": ("Passkey name", "Nome della passkey"),
    "passkeys.name_placeholder": ("My phone", "Il mio telefono"),
    "passkeys.pin": ("Your PIN", "Il tuo PIN"),
    "passkeys.add": ("Add a passkey", "Aggiungi una passkey"),
    "passkeys.added": ("Passkey added: you can now confirm payments with it.", "Passkey aggiunta: ora puoi confermare i pagamenti con essa."),
    "passkeys.remove": ("Remove", "Rimuovi"),
    "passkeys.remove_named": ("Remove passkey", "Rimuovi la passkey"),
    "passkeys.removed": ("Passkey removed.", "Passkey rimossa."),
    "passkeys.added_on": ("Added", "Aggiunta il"),
    "passkeys.last_used": ("last used", "ultimo uso"),
    "passkeys.never_used": ("never used", "mai usata"),
    "passkeys.waiting": ("Follow your device's prompt…", "Segui le indicazioni del dispositivo…"),
    "passkeys.confirm": ("Confirm with passkey", "Conferma con passkey"),
    "passkeys.or_pin": ("or type your PIN above", "oppure scrivi il PIN qui sopra"),
    "passkeys.cancelled": (
        "The passkey was not used (cancelled or timed out). Try again or type your PIN.",
        "La passkey non è stata usata (annullata o scaduta). Riprova o scrivi il PIN.",
    ),
    "passkeys.unsupported": (
        "This browser cannot use passkeys here. Type your PIN instead.",
        "Questo browser non può usare le passkey qui. Scrivi il PIN.",
    ),
    "passkeys.already_registered": (
        "This device already has a passkey for your account.",
        "Questo dispositivo ha già una passkey per il tuo account.",
    ),
    "passkeys.failed": ("The passkey could not be used. Try again.", "Non è stato possibile usare la passkey. Riprova."),
    "passkeys.settings_title": ("Pay security", "Sicurezza di Pay"),
    # Errors
    "error.passkey_duplicate": ("This passkey is already registered.", "Questa passkey è già registrata."),
    "error.passkey_expired": (
        "The passkey request expired or was already used. Try again.",
        "La richiesta della passkey è scaduta o è già stata usata. Riprova.",
    ),
    "error.passkey_invalid": (
        "The passkey could not be verified. Try again or type your PIN.",
        "Non è stato possibile verificare la passkey. Riprova o scrivi il PIN.",
    ),
    "error.passkey_limit": ("You can have at most {limit} passkeys.", "Puoi avere al massimo {limit} passkey."),
    "error.passkey_name_invalid": (
        "Give the passkey a name (up to {max_length} characters).",
        "Dai un nome alla passkey (fino a {max_length} caratteri).",
    ),
    "error.passkey_none": (
        "You have no passkey for this site yet: add one in Pay security.",
        "Non hai ancora una passkey per questo sito: aggiungila in Sicurezza di Pay.",
    ),
    "error.passkey_not_found": ("That passkey does not exist.", "Quella passkey non esiste."),
    "error.passkey_origin_invalid": (
        "Passkeys cannot be used on this address.",
        "Le passkey non si possono usare su questo indirizzo.",
    ),
    "error.pin_policy_invalid": ("Choose when the PIN is asked.", "Scegli quando chiedere il PIN."),
    "error.pin_threshold_invalid": (
        "Enter an amount more than zero and at most {max}.",
        "Inserisci un importo maggiore di zero e al massimo {max}.",
    ),
}

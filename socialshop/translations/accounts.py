"""Log-in throttling and the sign-up outcome. key: (English, Italiano)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "error.login_throttled": (
        "Too many failed log-ins for this account or from this device. Try again in {wait}.",
        "Troppi accessi non riusciti per questo account o da questo dispositivo. Riprova tra {wait}.",
    ),
    # Shown after every sign-up, new address or not: the form never tells who is registered.
    "signup.done": (
        "Sign-up received. Log in with this email and the password you chose. "
        "If the email already had an account, use that account's password.",
        "Registrazione ricevuta. Accedi con questa email e la password che hai scelto. "
        "Se l'email aveva già un account, usa la password di quell'account.",
    ),
}

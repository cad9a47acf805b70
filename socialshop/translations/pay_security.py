"""Pay → Security: resetting the PIN, the lock, where you are signed in. key: (English, Italiano)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "security.tries_left": (
        "Wrong tries left before a lock: {tries} of {max}.",
        "Tentativi errati rimasti prima del blocco: {tries} su {max}.",
    ),
    "security.locked_until": ("Locked until {until}", "Bloccato fino alle {until}"),
    "security.locked_hint": (
        "Too many wrong PINs. Payments, changing and resetting the PIN wait until then; "
        "the lock ends by itself.",
        "Troppi PIN errati. Pagamenti, cambio e reimpostazione del PIN attendono fino ad allora; "
        "il blocco finisce da solo.",
    ),
    "security.forgot": ("Forgot your PIN?", "Hai dimenticato il PIN?"),
    "security.remembered": ("I remember my PIN", "Ricordo il mio PIN"),
    "security.reset_title": ("Reset your PIN", "Reimposta il PIN"),
    "security.reset_hint": (
        "Your account password proves it is you. A wrong password counts as a wrong PIN.",
        "La password dell'account dimostra che sei tu. Una password errata conta come un PIN errato.",
    ),
    "security.password": ("Account password", "Password dell'account"),
    "security.reset_save": ("Reset PIN", "Reimposta PIN"),
    "security.reset_done": ("Your PIN was reset.", "Il PIN è stato reimpostato."),
    "security.pin_rules": (
        "4 to 6 digits, not an easy one like 1234, 0000 or 2580.",
        "Da 4 a 6 cifre, non uno facile come 1234, 0000 o 2580.",
    ),
    # Where you are signed in
    "security.sessions_title": ("Where you're signed in", "Dove hai effettuato l'accesso"),
    "security.sessions_intro": (
        "Sign out any device you don't recognise, then change your password.",
        "Disconnetti i dispositivi che non riconosci, poi cambia la password.",
    ),
    "security.device": ("{browser} on {os}", "{browser} su {os}"),
    "security.unknown_device": ("Unknown device", "Dispositivo sconosciuto"),
    "security.this_device": ("This device", "Questo dispositivo"),
    "security.active_now": ("Active now", "Attivo ora"),
    "security.last_seen": ("Last seen {when}", "Ultimo accesso {when}"),
    "security.signed_in_on": ("signed in {date}", "accesso: {date}"),
    "security.sign_out": ("Sign out", "Disconnetti"),
    "security.sign_out_named": ("Sign out {device}, last seen {when}", "Disconnetti {device}, ultimo accesso {when}"),
    "security.sign_out_others": ("Sign out everywhere else", "Esci da tutti gli altri dispositivi"),
    "security.only_here": ("You're signed in only on this device.", "Hai effettuato l'accesso solo su questo dispositivo."),
    "security.signed_out_others": (
        "Signed out everywhere else ({count}).",
        "Disconnesso da tutti gli altri dispositivi ({count}).",
    ),
    "security.signed_out_one": ("That device was signed out.", "Il dispositivo è stato disconnesso."),
    "security.show_more": ("Show more", "Mostra altri"),
    # errors
    "error.pin_too_common": (
        "This PIN is too easy to guess (like 1234, 0000 or 2580): choose another.",
        "Questo PIN è troppo facile da indovinare (come 1234, 0000 o 2580): scegline un altro.",
    ),
    "error.password_wrong": (
        "Wrong account password. Tries left: {tries_left}.",
        "Password dell'account errata. Tentativi rimasti: {tries_left}.",
    ),
    "error.password_required": (
        "Enter your account password to reset the PIN.",
        "Inserisci la password dell'account per reimpostare il PIN.",
    ),
    "error.session_not_found": (
        "That sign-in was not found: it may have ended already.",
        "Accesso non trovato: potrebbe essere già terminato.",
    ),
}

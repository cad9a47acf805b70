"""Finding the person to send money to or ask money of. key: (English, Italiano)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "people.find_label": ("Find someone by email or phone", "Trova qualcuno per email o telefono"),
    "people.find_hint": (
        "Type their full email address or phone number, exactly.",
        "Scrivi il suo indirizzo email o numero di telefono completo, esatto.",
    ),
    "people.find": ("Find", "Trova"),
    "people.found": ("Found {name}: chosen below.", "Trovato {name}: selezionato qui sotto."),
    "people.recent_hint": (
        "The list has the people you have exchanged money with.",
        "L'elenco contiene le persone con cui hai scambiato denaro.",
    ),
    "error.person_not_found": (
        "Nobody has exactly this email or phone number. Check it and try again.",
        "Nessuno ha esattamente questa email o questo numero di telefono. Controlla e riprova.",
    ),
    "error.person_query_invalid": (
        "Enter a full email address (name@example.com) or a phone number with at least 6 digits.",
        "Inserisci un indirizzo email completo (nome@example.com) o un numero di telefono di almeno 6 cifre.",
    ),
    "error.person_is_you": ("That is you: pick someone else.", "Sei tu: scegli un'altra persona."),
}

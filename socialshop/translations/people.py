"""Finding the person to send money to or ask money of. key: (English, Italiano)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "people.find_label": ("Find someone by email, phone or @handle", "Trova qualcuno per email, telefono o @nome"),
    "people.find_hint": (
        "Type their full email address, phone number or @handle, exactly.",
        "Scrivi il suo indirizzo email, numero di telefono o @nome completo, esatto.",
    ),
    "people.find": ("Find", "Trova"),
    "people.found": ("Found {name}: chosen below.", "Trovato {name}: selezionato qui sotto."),
    "people.recent_hint": (
        "The list has the people you have exchanged money with.",
        "L'elenco contiene le persone con cui hai scambiato denaro.",
    ),
    "error.person_not_found": (
        "Nobody has exactly this email, phone number or handle. Check it and try again.",
        "Nessuno ha esattamente questa email, questo numero di telefono o questo @nome. Controlla e riprova.",
    ),
    "error.person_query_invalid": (
        "Enter a full email address (name@example.com), a phone number with at least 6 digits"
        " or a handle (@name: letters, digits and _).",
        "Inserisci un indirizzo email completo (nome@example.com), un numero di telefono di almeno 6 cifre"
        " o un @nome (lettere, cifre e _).",
    ),
    "error.person_is_you": ("That is you: pick someone else.", "Sei tu: scegli un'altra persona."),
}

"""Support chat, the assistant's answers and the agents' queue. key: (English, Italiano)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "support.title": ("Support", "Assistenza"),
    "support.chat_title": ("Chat", "Chat"),
    "support.intro": (
        "Ask about a refund, your PIN, a declined card or Pay in your apps. The assistant answers from your "
        "account at once; a person from our team takes over when needed.",
        "Chiedi di un rimborso, del PIN, di una carta rifiutata o di Pay nelle tue app. L'assistente risponde "
        "subito con i dati del tuo account; se serve, ti risponde una persona del nostro team.",
    ),
    "support.about_title": ("About", "Riguarda"),
    "support.about.payment": ("Payment", "Pagamento"),
    "support.about.refund": ("Refund", "Rimborso"),
    "support.about.received": ("Money received", "Denaro ricevuto"),
    "support.about.returned": ("Money returned", "Denaro restituito"),
    "support.empty": ("No messages yet. Ask a question below.", "Ancora nessun messaggio. Fai una domanda qui sotto."),
    "support.input_label": ("Your message", "Il tuo messaggio"),
    "support.input_placeholder": ("Type your question…", "Scrivi la tua domanda…"),
    "support.send": ("Send", "Invia"),
    "support.quick_title": ("Common questions", "Domande frequenti"),
    "support.quick.refund": ("Where is my refund?", "Dov'è il mio rimborso?"),
    "support.quick.pin": ("Why is my PIN locked?", "Perché il mio PIN è bloccato?"),
    "support.quick.declined": ("Why was my card declined?", "Perché la mia carta è stata rifiutata?"),
    "support.quick.apps": ("Which apps have Pay on?", "In quali app è attivo Pay?"),
    "support.handover": ("Talk to a person", "Parla con una persona"),
    "support.close": ("End conversation", "Chiudi la conversazione"),
    "support.new": ("New conversation", "Nuova conversazione"),
    "support.status.assistant": ("Assistant", "Assistente"),
    "support.status.waiting": ("Waiting for a person", "In attesa di una persona"),
    "support.status.agent": ("With our team", "Con il nostro team"),
    "support.status.closed": ("Closed", "Chiusa"),
    "support.author.you": ("You", "Tu"),
    "support.author.assistant": ("Assistant", "Assistente"),
    "support.author.agent": ("Support team", "Team di assistenza"),
    "support.system.handover": (
        "A person from our team will answer here. You can keep writing; you'll also get a notification.",
        "Una persona del nostro team risponderà qui. Puoi continuare a scrivere; riceverai anche una notifica.",
    ),
    "support.system.closed": ("This conversation was closed.", "Questa conversazione è stata chiusa."),
    "support.system.changed": ("The conversation changed.", "La conversazione è cambiata."),
    "support.answer.pin_locked": (
        "Your Pay PIN is locked because it was entered wrong {tries} times in a row. It unlocks on {until}; "
        "then you can try again. Each new lock lasts longer, so if you are not sure of it, change it (or reset it with your account password) on the Pay security page once it unlocks.",
        "Il tuo PIN di Pay è bloccato perché è stato inserito sbagliato {tries} volte di fila. Si sblocca il {until}; "
        "poi potrai riprovare. Ogni nuovo blocco dura di più: se non ne sei sicuro, cambialo (o reimpostalo con la password dell'account) nella pagina Sicurezza di Pay quando si sblocca.",
    ),
    "support.answer.pin_ok": (
        "Your Pay PIN is not locked: you have {tries} of {max} tries left. After {max} wrong tries in a row it locks for 15 minutes, longer each time.",
        "Il tuo PIN di Pay non è bloccato: hai ancora {tries} tentativi su {max}. Dopo {max} tentativi sbagliati di fila si blocca per 15 minuti, ogni volta più a lungo.",
    ),
    "support.answer.pin_not_set": (
        "You have not set a Pay PIN yet, so it cannot be locked. You can choose one on the Pay security page.",
        "Non hai ancora impostato un PIN di Pay, quindi non può essere bloccato. Puoi sceglierlo nella pagina Sicurezza di Pay.",
    ),
    "support.answer.declined": (
        "Your latest refused payment was {amount} on {app} ({when}). The reason the payment service gave: {reason} "
        "Nothing was charged. Try another card, or check the card's details and balance.",
        "Il tuo ultimo pagamento rifiutato è stato di {amount} su {app} ({when}). Il motivo indicato dal servizio di pagamento: {reason} "
        "Non è stato addebitato nulla. Prova un'altra carta o controlla i dati e il saldo della carta.",
    ),
    "support.answer.declined_none": (
        "I can't find any refused payment on your account. If a payment is still being confirmed, it will update by itself.",
        "Non trovo pagamenti rifiutati sul tuo account. Se un pagamento è ancora in conferma, si aggiornerà da solo.",
    ),
    "support.answer.refund_intro": ("Your latest refunds:", "I tuoi ultimi rimborsi:"),
    "support.answer.refund_line": (
        "• {amount} for {what} ({status}), started {when}",
        "• {amount} per {what} ({status}), avviato il {when}",
    ),
    "support.answer.refund_outro": (
        "Refunds go back to the card you paid with; your bank usually shows them within 5–10 business days.",
        "I rimborsi tornano sulla carta con cui hai pagato; di solito la banca li mostra entro 5–10 giorni lavorativi.",
    ),
    "support.answer.refund_none": (
        "I can't find any refund on your account. You can cancel a paid order within 30 minutes from Orders; the refund then starts at once.",
        "Non trovo rimborsi sul tuo account. Puoi annullare un ordine pagato entro 30 minuti da Ordini; il rimborso parte subito.",
    ),
    "support.answer.apps_on": ("Pay is on in: {apps}.", "Pay è attivo in: {apps}."),
    "support.answer.apps_none": ("Pay is off in all your apps.", "Pay è disattivato in tutte le tue app."),
    "support.answer.apps_off": ("It is off in: {apps}.", "È disattivato in: {apps}."),
    "support.answer.apps_where": (
        "You can switch it on the Pay in apps page.",
        "Puoi cambiarlo nella pagina Pay nelle app.",
    ),
    "support.answer.unknown": (
        "I'm not sure I understood. I can tell you where your refund is, why your PIN is locked, why a card was "
        "declined or which apps have Pay on. For anything else, tap “Talk to a person” and someone from our team will answer here.",
        "Non sono sicuro di aver capito. Posso dirti dov'è il tuo rimborso, perché il PIN è bloccato, perché una carta "
        "è stata rifiutata o in quali app è attivo Pay. Per altro, tocca “Parla con una persona” e qualcuno del nostro team risponderà qui.",
    ),
    "agent.title": ("Support queue", "Coda dell'assistenza"),
    "agent.refused": (
        "This page is for the support team. Your account cannot open it.",
        "Questa pagina è riservata al team di assistenza. Il tuo account non può aprirla.",
    ),
    "agent.empty": ("No conversations are waiting.", "Nessuna conversazione in attesa."),
    "agent.open": ("Open", "Apri"),
    "agent.back": ("Back to the queue", "Torna alla coda"),
    "agent.reply_label": ("Your answer", "La tua risposta"),
    "agent.reply": ("Answer", "Rispondi"),
    "agent.previous": ("Previous", "Precedenti"),
    "agent.next": ("Next", "Successive"),
    "agent.refresh": ("Refresh", "Aggiorna"),
    "agent.user": ("Customer", "Cliente"),
    "error.support_message_empty": ("Write a message first.", "Scrivi prima un messaggio."),
    "error.support_message_too_long": (
        "A message can be at most {max_length} characters.",
        "Un messaggio può avere al massimo {max_length} caratteri.",
    ),
    "error.support_too_fast": (
        "You are sending messages too fast. Wait a minute and try again.",
        "Stai inviando messaggi troppo in fretta. Aspetta un minuto e riprova.",
    ),
    "error.support_about_invalid": (
        "That link does not point to a payment. Open “Report a problem” from the payment's receipt.",
        "Questo link non indica un pagamento. Apri “Segnala un problema” dalla ricevuta del pagamento.",
    ),
    "error.support_about_not_found": (
        "That payment is not in your history, so you can't open a conversation about it.",
        "Questo pagamento non è nella tua cronologia, quindi non puoi aprire una conversazione su di esso.",
    ),
    "error.support_conversation_not_found": ("That conversation does not exist.", "Questa conversazione non esiste."),
    "error.support_conversation_closed": ("This conversation is closed.", "Questa conversazione è chiusa."),
    "error.support_agents_only": (
        "Only the support team can do this.",
        "Solo il team di assistenza può farlo.",
    ),
    "error.support_page_invalid": ("That page does not exist.", "Questa pagina non esiste."),
}

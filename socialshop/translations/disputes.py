"""Disputes: a buyer's reported problem, the shop's answer, support's decision. key: (English, Italiano)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "dispute.title": ("Report a problem", "Segnala un problema"),
    "dispute.order": ("Order {number} from {shop}, {amount}", "Ordine {number} da {shop}, {amount}"),
    "dispute.intro": (
        "Tell the shop what went wrong. It has 2 business days to answer; after that, or if you are "
        "not satisfied with its answer, our support team looks at it and can refund you.",
        "Racconta al negozio cosa non va. Ha 2 giorni lavorativi per rispondere; dopo, o se la risposta "
        "non ti soddisfa, se ne occupa la nostra assistenza, che può rimborsarti.",
    ),
    "dispute.reason": ("What went wrong?", "Cosa non va?"),
    "dispute.reason.not_received": ("It never arrived", "Non è mai arrivato"),
    "dispute.reason.damaged": ("It arrived damaged", "È arrivato danneggiato"),
    "dispute.reason.not_as_described": ("It is not as described", "Non corrisponde alla descrizione"),
    "dispute.reason.wrong_amount": ("I was charged the wrong amount", "Mi è stato addebitato l'importo sbagliato"),
    "dispute.reason.other": ("Something else", "Altro"),
    "dispute.details": ("Details for the shop", "Dettagli per il negozio"),
    "dispute.details_hint": (
        "What happened, and what would put it right?", "Cosa è successo e cosa lo risolverebbe?"
    ),
    "dispute.send": ("Send to the shop", "Invia al negozio"),
    "dispute.sent": ("Sent. The shop has been told.", "Inviato. Il negozio è stato avvisato."),
    "dispute.not_reportable": (
        "This order cannot be reported: it is not paid, or it was cancelled or refunded in full.",
        "Questo ordine non si può segnalare: non è pagato, oppure è stato annullato o rimborsato per intero.",
    ),
    "dispute.status.open": ("Waiting for the shop", "In attesa del negozio"),
    "dispute.status.answered": ("The shop answered", "Il negozio ha risposto"),
    "dispute.status.escalated": ("With support", "All'assistenza"),
    "dispute.status.refunded": ("Refunded", "Rimborsato"),
    "dispute.status.closed": ("Closed", "Chiusa"),
    "dispute.due": ("Answer due by", "Risposta entro"),
    "dispute.overdue": ("Overdue", "Scaduta"),
    "dispute.you_wrote": ("You wrote", "Hai scritto"),
    "dispute.customer_wrote": ("Customer wrote", "Il cliente ha scritto"),
    "dispute.shop_answer": ("The shop's answer", "La risposta del negozio"),
    "dispute.support_decision": ("Support's decision", "La decisione dell'assistenza"),
    "dispute.escalate": ("Ask support to decide", "Chiedi all'assistenza di decidere"),
    "dispute.escalated_note": (
        "Support is looking at it and will answer here.", "L'assistenza se ne sta occupando e risponderà qui."
    ),
    "dispute.escalated.overdue": ("The shop did not answer in time.", "Il negozio non ha risposto in tempo."),
    "dispute.escalated.buyer": ("The customer asked support to decide.", "Il cliente ha chiesto all'assistenza di decidere."),
    "dispute.withdraw": ("The problem is solved", "Il problema è risolto"),
    "dispute.back_to_order": ("Back to the order", "Torna all'ordine"),
    "dispute.report_link": ("Report a problem with {shop}", "Segnala un problema con {shop}"),
    # the shop's list
    "merchantnav.disputes": ("Disputes", "Contestazioni"),
    "mdispute.title": ("Disputes", "Contestazioni"),
    "mdispute.intro": (
        "Customers' reported problems. Answer within 2 business days, or support decides (and may refund).",
        "Problemi segnalati dai clienti. Rispondi entro 2 giorni lavorativi, altrimenti decide l'assistenza "
        "(e può rimborsare).",
    ),
    "mdispute.filter": ("Show", "Mostra"),
    "mdispute.filter.waiting": ("Waiting for you", "In attesa di te"),
    "mdispute.filter.answered": ("Answered", "Risposte"),
    "mdispute.filter.escalated": ("With support", "All'assistenza"),
    "mdispute.filter.closed": ("Closed", "Chiuse"),
    "mdispute.filter.all": ("All", "Tutte"),
    "mdispute.empty": ("No disputes here.", "Nessuna contestazione qui."),
    "mdispute.answer": ("Your answer", "La tua risposta"),
    "mdispute.send": ("Send answer", "Invia risposta"),
    "mdispute.answered": ("Answer sent.", "Risposta inviata."),
    "mdispute.more": ("Show more", "Mostra altre"),
    # support
    "sdispute.title": ("Escalated disputes", "Contestazioni all'assistenza"),
    "sdispute.empty": ("No dispute is waiting for support.", "Nessuna contestazione in attesa dell'assistenza."),
    "sdispute.link": ("Escalated disputes", "Contestazioni all'assistenza"),
    "sdispute.refund_amount": ("Refund amount", "Importo da rimborsare"),
    "sdispute.left": ("Left to refund", "Ancora rimborsabile"),
    "sdispute.note": ("Decision, shown to the customer", "Decisione, mostrata al cliente"),
    "sdispute.refund": ("Refund", "Rimborsa"),
    "sdispute.close": ("Close without refund", "Chiudi senza rimborso"),
    "sdispute.refunded": ("Refunded and closed.", "Rimborsato e chiuso."),
    "sdispute.closed": ("Closed.", "Chiusa."),
    "sdispute.paid": ("Paid", "Pagato"),
    "sdispute.refunded_so_far": ("Refunded so far", "Già rimborsato"),
    # notifications
    "notification.dispute": ("A dispute about order {order} changed.", "Una contestazione sull'ordine {order} è cambiata."),
    "notification.dispute.opened": (
        "{customer} reported a problem with order {order}.", "{customer} ha segnalato un problema con l'ordine {order}."
    ),
    "notification.dispute.answered": (
        "The shop answered your report about order {order}.", "Il negozio ha risposto alla tua segnalazione sull'ordine {order}."
    ),
    "notification.dispute.escalated": (
        "Support is now looking at your report about order {order}.",
        "L'assistenza ora segue la tua segnalazione sull'ordine {order}.",
    ),
    "notification.dispute.refunded": (
        "Support refunded you for order {order}.", "L'assistenza ti ha rimborsato per l'ordine {order}."
    ),
    "notification.dispute.closed": (
        "Support closed your report about order {order}.", "L'assistenza ha chiuso la tua segnalazione sull'ordine {order}."
    ),
    # errors
    "error.dispute_reason_invalid": ("Choose what went wrong.", "Scegli cosa non va."),
    "error.dispute_details_required": ("Tell the shop what happened.", "Racconta al negozio cosa è successo."),
    "error.dispute_text_too_long": ("Keep it under {max_length} characters.", "Resta sotto i {max_length} caratteri."),
    "error.dispute_exists": ("You already reported a problem with this order.", "Hai già segnalato un problema con questo ordine."),
    "error.order_not_disputable": (
        "This order cannot be reported: it is not paid, or it was cancelled or refunded in full.",
        "Questo ordine non si può segnalare: non è pagato, oppure è stato annullato o rimborsato per intero.",
    ),
    "error.dispute_not_found": ("That dispute was not found.", "Contestazione non trovata."),
    "error.dispute_not_escalatable": ("Support already has this one, or it is closed.", "È già all'assistenza, o è chiusa."),
    "error.dispute_finished": ("This dispute is already closed.", "Questa contestazione è già chiusa."),
    "error.dispute_filter_invalid": ("Unknown filter.", "Filtro sconosciuto."),
    "error.dispute_answer_required": ("Write your answer first.", "Scrivi prima la tua risposta."),
    "error.dispute_answer_late": (
        "The 2 business days to answer are over: support is deciding now.",
        "I 2 giorni lavorativi per rispondere sono passati: ora decide l'assistenza.",
    ),
    "error.dispute_not_open": ("This dispute was already answered or closed.", "Questa contestazione ha già una risposta o è chiusa."),
    "error.dispute_not_escalated": ("This dispute is not with support.", "Questa contestazione non è all'assistenza."),
    "error.dispute_note_required": ("Write the decision for the customer.", "Scrivi la decisione per il cliente."),
}

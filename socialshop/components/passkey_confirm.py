"""The browser half of passkeys: the WebAuthn calls (as scripts the backend sends with
rx.call_script) and the "Confirm with passkey" block of a pay form.

WebAuthn speaks ArrayBuffers, the server speaks JSON with base64url strings: the scripts
convert both ways and answer the callback with a string ("ok", the credential JSON, or
"error:<DOMException name>", e.g. NotAllowedError when the user cancels). They never
throw, so a cancelled prompt is a message on the page, not a console error.
"""

from __future__ import annotations

import reflex as rx

from socialshop.components.i18n import tr

# A hidden field of the pay form: the assertion travels with the form's other fields.
ASSERTION_FIELD_ID = "field-passkey-assertion"
ASSERTION_FIELD = "passkey_assertion"

_BASE64URL = (
    "const d=s=>Uint8Array.from(atob(s.replace(/-/g,'+').replace(/_/g,'/')+'='.repeat((4-s.length%4)%4)),"
    "c=>c.charCodeAt(0));"
    "const e=b=>btoa(String.fromCharCode(...new Uint8Array(b)))"
    ".replace(/\\+/g,'-').replace(/\\//g,'_').replace(/=+$/,'');"
    "if(!window.PublicKeyCredential||!navigator.credentials)return 'error:NotSupportedError';"
)


def create_script(options_json: str) -> str:
    """navigator.credentials.create with server options (JSON from webauthn.options_to_json)."""
    return (
        "(async()=>{" + _BASE64URL
        + f"const o={options_json};o.challenge=d(o.challenge);o.user.id=d(o.user.id);"
        "(o.excludeCredentials||[]).forEach(c=>{c.id=d(c.id);});"
        "try{const c=await navigator.credentials.create({publicKey:o});const r=c.response;"
        "return JSON.stringify({id:c.id,rawId:e(c.rawId),type:c.type,"
        "response:{clientDataJSON:e(r.clientDataJSON),attestationObject:e(r.attestationObject),"
        "transports:r.getTransports?r.getTransports():[]},"
        "clientExtensionResults:c.getClientExtensionResults(),"
        "authenticatorAttachment:c.authenticatorAttachment||null});"
        "}catch(x){return 'error:'+((x&&x.name)||'Error');}})()"
    )


def assertion_script(options_json: str) -> str:
    """navigator.credentials.get, then the assertion goes into the pay form, which is sent."""
    return (
        "(async()=>{" + _BASE64URL
        + f"const o={options_json};o.challenge=d(o.challenge);"
        "(o.allowCredentials||[]).forEach(c=>{c.id=d(c.id);});"
        "try{const c=await navigator.credentials.get({publicKey:o});const r=c.response;"
        "const v=JSON.stringify({id:c.id,rawId:e(c.rawId),type:c.type,"
        "response:{clientDataJSON:e(r.clientDataJSON),authenticatorData:e(r.authenticatorData),"
        "signature:e(r.signature),userHandle:r.userHandle?e(r.userHandle):null},"
        "clientExtensionResults:c.getClientExtensionResults()});"
        f"const f=document.getElementById('{ASSERTION_FIELD_ID}');"
        "if(!f||!f.form)return 'error:AbortError';f.value=v;f.form.requestSubmit();return 'ok';"
        "}catch(x){return 'error:'+((x&&x.name)||'Error');}})()"
    )


CLEAR_ASSERTION = f"(()=>{{const f=document.getElementById('{ASSERTION_FIELD_ID}');if(f)f.value='';}})()"

# DOMException names -> what the payer reads.
ERROR_KEYS = {
    "NotAllowedError": "passkeys.cancelled",
    "AbortError": "passkeys.cancelled",
    "NotSupportedError": "passkeys.unsupported",
    "SecurityError": "passkeys.unsupported",
    "InvalidStateError": "passkeys.already_registered",
}


def error_key(result: object) -> str:
    """The message key for a script's answer, "" when it was not an error."""
    if not isinstance(result, str) or not result.startswith("error:"):
        return "" if isinstance(result, str) else "passkeys.failed"
    return ERROR_KEYS.get(result.removeprefix("error:"), "passkeys.failed")


def passkey_confirm(state) -> rx.Component:
    """Under a pay form's PIN field: when the PIN can be skipped, and the passkey button.
    `state` is a PaymentSheetState subclass."""
    return rx.vstack(
        rx.el.input(type="hidden", name=ASSERTION_FIELD, id=ASSERTION_FIELD_ID, default_value=""),
        rx.cond(
            state.pin_skip_label != "",
            rx.text(tr("pinpolicy.skip_hint"), " ", state.pin_skip_label, size="1", color_scheme="gray"),
        ),
        rx.cond(
            state.has_passkey,
            rx.vstack(
                rx.button(
                    rx.icon("fingerprint", size=18),
                    tr("passkeys.confirm"),
                    type="button",
                    variant="soft",
                    size="3",
                    width="100%",
                    on_click=state.confirm_with_passkey,
                    disabled=state.busy,
                ),
                rx.text(tr("passkeys.or_pin"), size="1", color_scheme="gray"),
                rx.cond(
                    state.passkey_error != "",
                    rx.text(state.passkey_error, color_scheme="red", size="2", role="alert"),
                ),
                spacing="1",
                width="100%",
            ),
        ),
        spacing="2",
        width="100%",
    )

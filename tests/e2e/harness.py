"""The app harness the shared server (shared_server.py) runs: Reflex's production harness,
with the app's security headers around the pages it serves."""

from __future__ import annotations


def harness_class():
    from reflex.testing import AppHarnessProd

    class HarnessWithHeaders(AppHarnessProd):
        """The harness serves the pages from a server of their own; `make run` serves them
        from the backend, wrapped in the app's security headers. Wrap them here too, so the
        scenarios load pages under the same Content-Security-Policy."""

        def _run_frontend(self):
            import reflex.utils.exec

            from socialshop.web_security import security_headers

            assert self.backend is not None
            host, port = self.backend.servers[0].sockets[0].getsockname()[:2]
            plain = reflex.utils.exec._frontend_prod_app
            reflex.utils.exec._frontend_prod_app = lambda: security_headers(plain(), f"http://{host}:{port}")
            try:
                super()._run_frontend()
            finally:
                reflex.utils.exec._frontend_prod_app = plain

    return HarnessWithHeaders

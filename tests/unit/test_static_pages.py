"""Compiled pages answer at their link address (/pay) without a redirect to /pay/."""

from __future__ import annotations

from starlette.staticfiles import StaticFiles
from starlette.testclient import TestClient

from socialshop.static_pages import DirectoryPages


def _client(tmp_path, prefix: str = "") -> TestClient:
    (tmp_path / "pay" / "history").mkdir(parents=True)
    (tmp_path / "pay" / "index.html").write_text("pay page")
    (tmp_path / "pay" / "history" / "index.html").write_text("history page")
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "app.js").write_text("js")
    (tmp_path / "404.html").write_text("not found")
    (tmp_path / "index.html").write_text("feed page")
    static = StaticFiles(directory=tmp_path, html=True)
    return TestClient(DirectoryPages(static, static_dir=tmp_path, prefix=prefix), follow_redirects=False)


def test_a_page_folder_is_served_without_a_redirect(tmp_path):
    client = _client(tmp_path)
    for path, body in (("/pay", "pay page"), ("/pay/history", "history page"), ("/pay?tab=1", "pay page"),
                       ("/pay/", "pay page"), ("/", "feed page")):
        answer = client.get(path)
        assert (answer.status_code, answer.text) == (200, body), path
    assert client.head("/pay").status_code == 200


def test_other_paths_are_left_alone(tmp_path):
    client = _client(tmp_path)
    assert client.get("/assets/app.js").text == "js"
    assert client.get("/shop/caffe-aurora").status_code == 404  # no folder: the SPA fallback decides
    assert client.get("/assets").status_code == 404  # a folder without a page: StaticFiles as before
    for sneaky in ("/pay/..", "/../pay", "/pay//history", "/pay/./history", "/assets/app.js"):
        assert client.app._is_page(sneaky) is False, sneaky


def test_without_it_starlette_redirects(tmp_path):
    _client(tmp_path)
    bare = TestClient(StaticFiles(directory=tmp_path, html=True), follow_redirects=False)
    assert bare.get("/pay").status_code == 307


def test_a_frontend_path_prefix_is_stripped(tmp_path):
    client = _client(tmp_path, prefix="/app")
    # The mount strips /app in the real server; here the prefix alone decides.
    middleware = client.app
    assert middleware._is_page("/app/pay") is True
    assert middleware._is_page("/pay") is False


def test_the_app_serves_its_pages_through_it():
    import socialshop.socialshop as module
    from socialshop.static_pages import directory_pages

    assert directory_pages in module.app.api_transformer


def test_hashed_build_assets_are_cacheable_for_a_year(tmp_path):
    client = _client(tmp_path)
    (tmp_path / "assets" / "select-CrRH6Blz.js").write_text("js")
    (tmp_path / "assets" / "__reflex_global_styles-NccINl-w.css").write_text("css")
    for path in ("/assets/select-CrRH6Blz.js", "/assets/__reflex_global_styles-NccINl-w.css"):
        assert client.get(path).headers["cache-control"] == "public, max-age=31536000, immutable", path
    # Not content-hashed, not an asset, or missing: no promise made.
    for path in ("/assets/app.js", "/pay", "/assets/gone-CrRH6Blz.js"):
        assert "cache-control" not in client.get(path).headers, path

"""Anonymity of the public report form through the shipped deployment.

A reporter connects from a distinctive address (127.0.0.77) with a distinctive browser name,
through the shipped nginx site (deploy/nginx/ctip.conf, as the lockout test starts it), sends
a report, reads it back with the receipt code and writes again. Then the address and the
browser name are looked for in every log file nginx wrote, in every row of every table
(decrypted through the models, and raw), in everything the application logged, and in the
line gunicorn writes with the shipped deploy/gunicorn.conf.py.
"""

import datetime
import logging
import re
import runpy
import shutil
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.db import connection

from ctip.access.tests.proxy import ProxyClient, shipped_nginx
from ctip.registry.tests.test_files import jpeg_with_gps

pytestmark = pytest.mark.django_db(transaction=True)

ADDRESS = "127.0.0.77"
AGENT = "AnonymityProbe/7.31 (distinct-marker-5309)"
FORGED = "203.0.113.77"
MARKERS = (ADDRESS, AGENT, "distinct-marker-5309", FORGED)
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def proxy(live_server, live_reference, tmp_path, settings):
    settings.CTIP_TRUSTED_PROXY_HEADER = "X-Real-IP"
    folder = tmp_path / "nginx"
    # The public form's own files, where the site's /static/intake/ alias points.
    for name in ("public.css", "pow.js", "noto-sans-khmer-400.woff2"):
        target = folder / "static" / "intake" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(finders.find(f"intake/{name}"), target)
    port = int(live_server.url.rsplit(":", 1)[1])
    with shipped_nginx(port, folder) as https_port:
        yield ProxyClient(https_port, ADDRESS), folder


def headers(**extra: str) -> dict[str, str]:
    return {
        "User-Agent": AGENT,
        "X-Forwarded-For": FORGED,
        "X-Real-IP": FORGED,
        "Referer": f"https://{ADDRESS}/from-a-search?q={AGENT}",
        **extra,
    }


def form(body: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    return urlencode(body).encode(), headers(
        **{"Content-Type": "application/x-www-form-urlencoded"}
    )


def multipart(fields: dict[str, str], files: list[tuple[str, bytes]]) -> tuple[bytes, dict]:
    """A multipart/form-data body, as a browser sends the form with files."""
    boundary = "----ctipanonymityprobe"
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for filename, data in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), headers(**{"Content-Type": f"multipart/form-data; boundary={boundary}"})


def found_in(text: str) -> list[str]:
    return [marker for marker in MARKERS if marker in text]


def test_a_report_through_nginx_leaves_no_address_or_browser_anywhere(proxy, caplog):
    caplog.set_level(logging.DEBUG)
    client, folder = proxy
    status, page = client.request("GET", "/report/en/", headers=headers())
    assert status == 200 and "What is happening?" in page
    assert client.cookies == {}  # the public pages set none
    for asset in (
        "/static/intake/public.css",
        "/static/intake/pow.js",
        "/static/intake/noto-sans-khmer-400.woff2",
        "/favicon.ico",
    ):
        assert client.request("GET", asset, headers=headers())[0] in (200, 204)
    challenge = re.search(r'name="pow_challenge" value="([^"]+)"', page).group(1)
    # A photo with the camera and GPS position in it, under a file name that names the sender.
    body, sent = multipart(
        {
            "what": "Workers locked in a compound near the border",
            "child_involved": "unknown",
            "danger_now": "yes",
            "pow_challenge": challenge,
            "send": "1",
        },
        [(f"IMG_{AGENT}_{ADDRESS}.jpg", jpeg_with_gps())],
    )
    status, receipt = client.request("POST", "/report/en/", body, sent)
    assert status == 200, receipt[:500]
    code = re.search(r'id="receipt-code">([\d ]+)<', receipt).group(1)
    body, sent = multipart(
        {"code": code, "body": "It is the blue building."},
        [(f"gate-distinct-marker-5309-{FORGED}.jpg", jpeg_with_gps())],
    )
    status, answer = client.request("POST", "/report/en/follow-up/", body, sent)
    assert status == 200 and "It is the blue building." in answer and "You sent 2 files" in answer
    body, sent = form({"code": "0000 0000 0000 0000"})
    assert client.request("POST", "/report/en/follow-up/", body, sent)[0] == 200
    assert client.request("GET", "/report/en/about/", headers=headers())[0] == 200
    assert client.request("GET", "/report/xx/", headers=headers())[0] == 404

    from ctip.intake.models import Report, ReportAttachment, ReportMessage

    assert Report.objects.count() == 1 and ReportMessage.objects.count() == 1
    assert ReportAttachment.objects.count() == 2

    # Every log file nginx wrote: access logs in the public format, and its error logs.
    logs = [p for p in folder.rglob("*.log") if p.is_file()]
    assert any(p.name == "ctip-public.log" for p in logs)
    public_log = (folder / "logs" / "ctip-public.log").read_text()
    assert "POST /report/en/" in public_log and "GET /static/intake/pow.js" in public_log
    for path in logs:
        assert found_in(path.read_text(errors="replace")) == [], path.name

    # Every table, through the models (encrypted fields decrypted) and raw.
    dump = folder / "dump.json"
    call_command("dumpdata", output=str(dump), verbosity=0)
    assert "Workers locked in a compound" in dump.read_text()  # the dump does decrypt
    assert found_in(dump.read_text()) == []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            # Table names come from the schema itself.
            cursor.execute(f'SELECT * FROM "{table}"')
            rows = repr(cursor.fetchall())
            assert found_in(rows) == [], table
    assert len(apps.get_models()) > 20  # the dump covered the whole schema

    # Everything the application logged while serving the reporter.
    assert found_in(caplog.text) == []


def test_gunicorn_access_log_format_of_the_shipped_config_keeps_no_address(tmp_path):
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    shipped = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    config = Config()
    for name in ("bind", "workers", "timeout", "accesslog", "access_log_format"):
        config.set(name, shipped[name])
    log_file = tmp_path / "access.log"
    config.set("accesslog", str(log_file))
    logger = Logger(config)
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": f"/report/en/?from={ADDRESS}",
        "PATH_INFO": "/report/en/",
        "QUERY_STRING": f"from={ADDRESS}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": ADDRESS,
        "HTTP_USER_AGENT": AGENT,
        "HTTP_REFERER": f"https://{ADDRESS}/",
        "HTTP_X_FORWARDED_FOR": FORGED,
    }
    response = SimpleNamespace(status="200 OK", sent=1234, headers=[])
    request = SimpleNamespace(headers=[("USER-AGENT", AGENT), ("X-FORWARDED-FOR", FORGED)])
    logger.access(response, request, environ, datetime.timedelta(milliseconds=42))
    for handler in logger.access_log.handlers:
        handler.flush()
    line = log_file.read_text()
    assert "POST /report/en/" in line and "200" in line
    assert found_in(line) == []

"""The emulator behaves as a platform would (no database: spoken to over its in-process
transport): tokens, an invalid file rejected at once with its errors, idempotent flows, the
directory with SIRENs missing, statuses visible only once their time has come."""

from __future__ import annotations

import datetime
import json

import requests
import time_machine

from einvoicing.emulator.app import Emulator
from einvoicing.emulator.transport import WSGITransport

BASE = "http://emulator.test"
NOW = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


def session(app) -> tuple[requests.Session, dict]:
    s = requests.Session()
    s.mount(BASE, WSGITransport(app))
    token = s.post(f"{BASE}/oauth/token", data={"grant_type": "client_credentials", "client_id": "a",
                                                  "client_secret": "b"}).json()["access_token"]
    return s, {"Authorization": f"Bearer {token}"}


def submit(s, auth, tracking: str, content: bytes):
    return s.post(f"{BASE}/v1/flows", headers=auth, files={
        "flowInfo": (None, json.dumps({"trackingId": tracking}), "application/json"),
        "file": ("f.pdf", content, "application/pdf"),
    })


def test_tokens_are_checked():
    app = Emulator(client_id="a", client_secret="b")
    s = requests.Session()
    s.mount(BASE, WSGITransport(app))
    assert s.post(f"{BASE}/oauth/token", data={"client_id": "a", "client_secret": "x"}).status_code == 401
    assert s.get(f"{BASE}/v1/healthcheck", headers={"Authorization": "Bearer forged"}).status_code == 401


@time_machine.travel(NOW, tick=False)
def test_an_invalid_file_is_rejected_at_once_and_a_flow_is_idempotent():
    app = Emulator()
    s, auth = session(app)
    first = submit(s, auth, "t-1", b"not a pdf")
    again = submit(s, auth, "t-1", b"not a pdf")
    assert first.status_code == 202 and again.status_code == 200
    assert first.json()["flowId"] == again.json()["flowId"] and len(app.flows) == 1
    events = s.get(f"{BASE}/v1/lifecycle", headers=auth).json()["results"]
    assert [e["statusCode"] for e in events] == ["213"]
    assert events[0]["errors"][0]["code"] == "FORMAT"
    found = s.get(f"{BASE}/v1/flows?trackingId=t-1", headers=auth).json()["results"]
    assert found == [{"flowId": first.json()["flowId"]}]


def test_the_directory_misses_some_sirens():
    app = Emulator(missing_sirens={"552100554"})
    s, auth = session(app)
    assert s.get(f"{BASE}/v1/directory/siren/552100554", headers=auth).status_code == 404
    assert s.get(f"{BASE}/v1/directory/siren/732829320", headers=auth).json()["electronicAddress"] == "0225:732829320"


def test_statuses_appear_over_time():
    app = Emulator()
    with time_machine.travel(NOW, tick=False) as clock:
        s, auth = session(app)
        flow = submit(s, auth, "t-2", b"x").json()["flowId"]
        app.flows[flow]["events"] = [
            {**app.flows[flow]["events"][0], "statusCode": "200"},
            {**app.flows[flow]["events"][0], "eventId": "late", "statusCode": "205",
             "at": NOW + datetime.timedelta(minutes=10)},
        ]
        assert [e["statusCode"] for e in s.get(f"{BASE}/v1/lifecycle", headers=auth).json()["results"]] == ["200"]
        clock.shift(datetime.timedelta(minutes=10))
        since = (NOW + datetime.timedelta(minutes=5)).isoformat().replace("+00:00", "Z")
        later = s.get(f"{BASE}/v1/lifecycle", params={"since": since}, headers=auth).json()["results"]
    assert [e["statusCode"] for e in later] == ["205"]

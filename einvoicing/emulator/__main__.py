"""`python -m einvoicing.emulator [--port 8765]`: the local platform over HTTP (threaded wsgiref).

Environment: EINVOICING_EMULATOR_MISSING (SIRENs absent from the directory, comma-separated),
EINVOICING_EMULATOR_SCENARIOS ("siren:scenario,..."), EINVOICING_EMULATOR_CLIENT_ID / _SECRET
(credentials it accepts; empty: any).
"""

from __future__ import annotations

import argparse
import os
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from .app import Emulator

DEFAULT_MISSING = "834561292"
DEFAULT_SCENARIOS = "823654710:dispute,778945618:pay,523146983:refuse"


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):  # the supervisor's log stays readable
        pass


def build() -> Emulator:
    missing = os.environ.get("EINVOICING_EMULATOR_MISSING", DEFAULT_MISSING)
    scenarios = os.environ.get("EINVOICING_EMULATOR_SCENARIOS", DEFAULT_SCENARIOS)
    return Emulator(
        client_id=os.environ.get("EINVOICING_EMULATOR_CLIENT_ID", ""),
        client_secret=os.environ.get("EINVOICING_EMULATOR_CLIENT_SECRET", ""),
        missing_sirens=[s.strip() for s in missing.split(",") if s.strip()],
        scenarios=dict(item.split(":", 1) for item in scenarios.split(",") if ":" in item),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("EINVOICING_EMULATOR_PORT", "8765")))
    args = parser.parse_args()
    server = make_server(args.host, args.port, build(), server_class=_Server, handler_class=_Quiet)
    print(f"e-invoicing emulator on http://{args.host}:{args.port}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

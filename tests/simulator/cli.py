# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The command line: serve until SIGTERM/SIGINT, printing "scim_url=... token_url=..." once serving."""

from __future__ import annotations

import argparse
import json
import signal
import threading

from tests.simulator.defaults import DEFAULT_ADMIN_PASSWORD, DEFAULT_ADMIN_USER, DEFAULT_APP_TOKEN
from tests.simulator.simulator import TotangoSimulator


def _parser():
    parser = argparse.ArgumentParser(description="Totango SCIM API simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--app-token", default=DEFAULT_APP_TOKEN)
    parser.add_argument("--admin-user", default=DEFAULT_ADMIN_USER)
    parser.add_argument("--admin-password", default=DEFAULT_ADMIN_PASSWORD)
    parser.add_argument("--rate-limit", type=int, default=0, help="requests per minute (0: off)")
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--tls", action="store_true", help="serve HTTPS with a fresh self-signed certificate")
    parser.add_argument("--config", default=None, help="extra config as a JSON object (or @file.json)")
    return parser


def _config(args):
    config = {"rate_limit": args.rate_limit, "latency_ms": args.latency_ms}
    if args.config:
        if args.config.startswith("@"):
            with open(args.config[1:], encoding="utf-8") as handle:
                config.update(json.load(handle))
        else:
            config.update(json.loads(args.config))
    return config


def main(argv=None):
    """Run the simulator until SIGTERM/SIGINT."""
    args = _parser().parse_args(argv)
    sim = TotangoSimulator(host=args.host, port=args.port, app_token=args.app_token, admin_user=args.admin_user,
                           admin_password=args.admin_password, tls=args.tls, **_config(args))
    stop = threading.Event()

    def _on_signal(_signum, _frame):
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    sim.start()
    line = "scim_url=%s token_url=%s" % (sim.scim_url, sim.token_url)
    if sim.cert_path:
        line += " cert=%s" % sim.cert_path
    print(line, flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        sim.stop()
    return 0

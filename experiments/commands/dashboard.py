"""``inclusim dashboard``: serve the live dashboard (:mod:`experiments.app`) on this machine.

The page is Mesa's SolaraViz run by the Solara server; the scenario reaches it through the
``INCLUSIM_SCENARIO`` environment variable, and the ``--set`` settings through
``INCLUSIM_SETTINGS`` (JSON), which the page applies through the same checked path. Needs the
``dashboard`` extra (``pip install 'inclusim[dashboard]'``).
"""

from __future__ import annotations

import argparse
import importlib.util
import ipaddress
import os
import socket
import sys
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from experiments.commands.settings import add_set_argument, settings_of
from model.errors import InputError, Problem, printable
from model.loader import ROOT
from model.settings import load_with_settings, settings_json

APP = "experiments.app"
"""The Solara app: a module whose ``Page`` component is the dashboard."""
SCENARIO_ENV = "INCLUSIM_SCENARIO"
"""Environment variable read by :mod:`experiments.app` (kept in step with it by a test)."""
DEFAULT_SCENARIO = ROOT / "scenarios" / "lac" / "four_is.yaml"
"""Scenario the page opens without one (:mod:`experiments.app`'s, kept in step by a test)."""
SETTINGS_ENV = "INCLUSIM_SETTINGS"
"""Environment variable holding the ``--set`` settings as JSON, read by :mod:`experiments.app`."""
DEFAULT_PORT = 8765
SERVER_ENV = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "SOLARA_THEME_SHOW_BANNER": "False",
}
"""Solara settings: no usage telemetry sent anywhere, no "runs on Solara" banner on the page."""


def serve(
    scenario_path: str | None,
    port: int,
    host: str = "127.0.0.1",
    settings: Mapping[str, Any] | None = None,
) -> int:
    """Serve the dashboard until Ctrl-C; return the exit status.

    Args:
        scenario_path: scenario file the page opens (None: LAC with all four levers).
        port: TCP port (0: any free port).
        host: address to listen on; the default serves this machine only.
        settings: ``--set`` values applied to the scenario, by address.

    Raises:
        InputError: the scenario file or a setting is not valid, or the host is empty or
            unresolvable; raised before any server starts.

    """
    check_host(host)
    prepare(scenario_path, settings)
    if importlib.util.find_spec("solara") is None:
        print("the dashboard needs Solara: pip install 'inclusim[dashboard]'", file=sys.stderr)
        return 1
    try:
        port = _free_port(host, port)
    except OSError as exc:
        print(printable(f"cannot listen on {host}:{port}: {exc.strerror or exc}"), file=sys.stderr)
        print("choose another port with --port.", file=sys.stderr)
        return 1
    os.environ.update(SERVER_ENV)
    url = f"http://{_url_host(host)}:{port}/"
    print(f"inclusim dashboard: {url}  (Ctrl-C to stop)", flush=True)
    if not _is_loopback(host):
        print(f"note: listening on {host}, so other machines can open the page.", flush=True)
    # Solara warns on every page load when the host is an address rather than "localhost".
    warnings.filterwarnings("ignore", message="Cookies with samesite=none", category=UserWarning)
    from click.exceptions import Abort
    from solara.__main__ import run

    args = [APP, "--host", host, "--port", str(port), "--production"]
    args += ["--no-open", "--no-check-version", "--log-level", "warning"]
    try:
        run.main(args=args, prog_name="solara run", standalone_mode=False)
    except (KeyboardInterrupt, Abort):
        pass
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    print("dashboard stopped.", flush=True)
    return 0


def prepare(scenario_path: str | None, settings: Mapping[str, Any] | None) -> None:
    """Check the scenario with its settings; hand both to the page's environment variables.

    Raises:
        InputError: the scenario file or a setting is not valid (the environment is then
            left as it was).

    """
    path = Path(scenario_path) if scenario_path is not None else DEFAULT_SCENARIO
    load_with_settings(path, settings)
    _set_env(SCENARIO_ENV, str(path.resolve()) if scenario_path is not None else "")
    _set_env(SETTINGS_ENV, settings_json(settings))


def _set_env(name: str, value: str) -> None:
    """Set an environment variable, or remove it when ``value`` is empty."""
    if value:
        os.environ[name] = value
    else:
        os.environ.pop(name, None)


def check_host(host: str) -> None:
    """Refuse an empty host (servers read it as every interface) and one that does not resolve.

    Raises:
        InputError: the host is empty, blank, or names no address.

    """
    fix = (
        "give an address to listen on: 127.0.0.1 (this machine, the default), or 0.0.0.0 to "
        "let every machine that can reach this one open the page."
    )
    if not host.strip():
        raise InputError(
            "--host",
            [Problem("", "is empty, which a server reads as every network interface.", fix)],
        )
    try:
        socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise InputError(
            "--host", [Problem("", f"'{host}' does not resolve to an address ({reason}).", fix)]
        ) from None


def _free_port(host: str, port: int) -> int:
    """``port`` if it can be bound on ``host`` (or a free one for 0).

    Raises:
        OSError: the port is taken or the address is not on this machine.

    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        return int(sock.getsockname()[1])


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", "::"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port {value} must be between 0 and 65535")
    return value


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The dashboard's arguments (shared by ``inclusim dashboard`` and ``python -m``)."""
    p.add_argument(
        "scenario",
        nargs="?",
        default=None,
        metavar="SCENARIO.yaml",
        help="scenario to open (default: scenarios/lac/four_is.yaml)",
    )
    p.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    add_set_argument(p)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m experiments.commands.dashboard [SCENARIO.yaml] [--port P] [--host H]``."""
    p = argparse.ArgumentParser(
        prog="inclusim dashboard", description="serve the live dashboard in your browser"
    )
    add_arguments(p)
    args = p.parse_args(argv)
    try:
        return serve(args.scenario, args.port, args.host, settings_of(args))
    except InputError as exc:
        print(exc.render(), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())


def command(args: argparse.Namespace) -> int:
    """The ``dashboard`` sub-command: serve the live dashboard until Ctrl-C."""
    return serve(args.scenario, args.port, args.host, settings_of(args))

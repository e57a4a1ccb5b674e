"""``loupe server init|export|passwd``: a project on a PostgreSQL team server.

``init URL --from FILE`` publishes a project file into an empty database (same
migrations, every row, one transaction, row counts checked, logins' row-level security);
``export URL FILE`` copies it back into a new project file (a backup a laptop can open);
``passwd URL NAME --password-file F`` creates or resets coder NAME's login.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.core.printable import printable


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "server", help="put a project on a PostgreSQL team server, copy it back, set logins",
        description="A project on a PostgreSQL team server. URL: postgresql://OWNER@HOST/DATABASE "
        "(the password from the URL, PGPASSWORD or ~/.pgpass).",
    )
    actions = parser.add_subparsers(dest="server_command", metavar="ACTION", required=True)
    init = actions.add_parser("init", help="publish a project file into an empty database")
    init.add_argument("url", help="the empty database, as its owner (the lead)")
    init.add_argument("--from", dest="source", required=True, type=Path, help="the project file")
    init.set_defaults(handler=run_init)
    export = actions.add_parser("export", help="copy the project on the server into a new file")
    export.add_argument("url", help="the project's database")
    export.add_argument("target", type=Path, help="the new project file")
    export.set_defaults(handler=run_export)
    passwd = actions.add_parser("passwd", help="create or reset a coder's login")
    passwd.add_argument("url", help="the project's database, as its owner (the lead)")
    passwd.add_argument("name", help="the coder's name in the project (also the login's name)")
    passwd.add_argument("--password-file", required=True, type=Path,
                        help="a file whose first line is the password")
    passwd.set_defaults(handler=run_passwd)


def _total(counts: dict[str, int]) -> int:
    return sum(counts.values())


def run_init(args: argparse.Namespace) -> int:
    from app.services.team_server import publish

    counts = publish(args.url, args.source)
    print(f"Published {printable(args.source.name)}: {_total(counts)} rows in {len(counts)} tables, "
          f"{counts.get('article', 0)} articles.")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from app.services.team_server import download

    counts = download(args.url, args.target)
    print(f"Wrote {printable(str(args.target))}: {_total(counts)} rows, {counts.get('article', 0)} articles.")
    return 0


def run_passwd(args: argparse.Namespace) -> int:
    from app.services.team_server import set_password

    created = set_password(args.url, args.name, args.password_file)
    print(f"{'Created' if created else 'Reset'} the login of {printable(args.name)}.")
    return 0

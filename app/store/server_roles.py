"""Logins and row-level security of a project on PostgreSQL: the database keeps coders blind.

A coder signs in with a PostgreSQL role whose name is the coder's name in the project (the
``coder.name`` column; :func:`set_login` creates or resets it). Every coder login is a
member of the group role ``loupe_coder``, an adjudicator's also of ``loupe_adjudicator``;
the lead signs in as the database's owner, who owns the tables and so is not subject to
the policies: the lead reads and writes everything. The policies (installed by
:func:`install_security` when a project is published, again on every run: they are
replaced, never duplicated) give a coder's login:

- the project row and the codebook; its own coder row (an adjudicator: every coder row);
- the articles it has an assignment row for, with their entities and search rows; its own assignment
  rows, of which it may change only the status, the time spent and the update time;
- its own annotations (with their fragments), relations and answers, to read, add,
  change and delete; a row it adds or changes must carry its own coder id and an article
  assigned to it, a relation two of its own annotations, a fragment its own annotation
  (WITH CHECK);
- an adjudicator also reads every coder's coding rows and statuses on the articles
  assigned to it (the articles it adjudicates), and keeps its own rejections; its gold
  is its own rows, written under the same rules as a coder's.

Nothing else: no merge log, no other coder's rows. The helper functions run as the owner
(``SECURITY DEFINER``, so the policies do not recurse) and look the login up by
``session_user``, so no coder can ask them about another login.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from app.core.errors import ProjectError

CODER_GROUP = "loupe_coder"
ADJUDICATOR_GROUP = "loupe_adjudicator"
#: Tables a coder's login writes (its own rows only).
CODING_TABLES = ("annotation", "relation", "document_code")

#: PostgreSQL cuts longer names, which would then no longer be the coder's.
_MAX_ROLE_BYTES = 63
_RESERVED = frozenset({"public", "none", "current_user", "session_user", "current_role", CODER_GROUP, ADJUDICATOR_GROUP})

_GROUPS = f"""
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{CODER_GROUP}') THEN
    CREATE ROLE {CODER_GROUP} NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ADJUDICATOR_GROUP}') THEN
    CREATE ROLE {ADJUDICATOR_GROUP} NOLOGIN IN ROLE {CODER_GROUP};
  END IF;
END $$
"""

_DEFINER = "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp"
_FUNCTIONS = (
    f"""CREATE OR REPLACE FUNCTION loupe_me() RETURNS varchar {_DEFINER} AS $$
        SELECT id FROM coder WHERE name = session_user $$""",
    f"""CREATE OR REPLACE FUNCTION loupe_is_adjudicator() RETURNS boolean {_DEFINER} AS $$
        SELECT EXISTS (SELECT 1 FROM coder WHERE name = session_user AND role = 'adjudicator') $$""",
    f"""CREATE OR REPLACE FUNCTION loupe_reads_article(article varchar) RETURNS boolean {_DEFINER} AS $$
        SELECT EXISTS (SELECT 1 FROM assignment a JOIN coder c ON c.id = a.coder_id
                       WHERE a.article_id = article AND c.name = session_user) $$""",
    f"""CREATE OR REPLACE FUNCTION loupe_adjudicates(article varchar) RETURNS boolean {_DEFINER} AS $$
        SELECT EXISTS (SELECT 1 FROM assignment a JOIN coder c ON c.id = a.coder_id
                       WHERE a.article_id = article AND c.name = session_user
                       AND c.role = 'adjudicator') $$""",
    f"""CREATE OR REPLACE FUNCTION loupe_reads_annotation(annotation varchar) RETURNS boolean {_DEFINER} AS $$
        SELECT EXISTS (SELECT 1 FROM annotation n WHERE n.id = annotation
                       AND (n.coder_id = loupe_me() OR loupe_adjudicates(n.article_id))) $$""",
    f"""CREATE OR REPLACE FUNCTION loupe_owns_annotation(annotation varchar) RETURNS boolean {_DEFINER} AS $$
        SELECT EXISTS (SELECT 1 FROM annotation n WHERE n.id = annotation AND n.coder_id = loupe_me()) $$""",
)
_FUNCTION_NAMES = (
    "loupe_me()", "loupe_is_adjudicator()", "loupe_reads_article(varchar)",
    "loupe_adjudicates(varchar)", "loupe_reads_annotation(varchar)", "loupe_owns_annotation(varchar)",
)

#: ``(SELECT loupe_me())``: an InitPlan, evaluated once per statement, not once per row.
_MINE = "coder_id = (SELECT loupe_me())"
_WRITABLE = "coder_id = (SELECT loupe_me()) AND loupe_reads_article(article_id)"
#: A relation joins two of its coder's own annotations (foreign keys alone would let it
#: point at another coder's, whose ids it cannot read but might be given).
_ENDS = "loupe_owns_annotation(source_id) AND loupe_owns_annotation(target_id)"


def _writable(table: str) -> str:
    return f"{_WRITABLE} AND {_ENDS}" if table == "relation" else _WRITABLE

#: (table, command, USING, WITH CHECK) of every policy, all for the coder group.
_POLICIES: tuple[tuple[str, str, str | None, str | None], ...] = (
    ("project", "SELECT", "true", None),
    ("codebook", "SELECT", "true", None),
    ("codebook_history", "SELECT", "true", None),
    ("coder", "SELECT", "name = session_user OR loupe_is_adjudicator()", None),
    ("article", "SELECT", "loupe_reads_article(id)", None),
    ("entity", "SELECT", "loupe_reads_article(article_id)", None),
    ("article_search", "SELECT", "loupe_reads_article(article_id)", None),
    ("assignment", "SELECT", f"{_MINE} OR loupe_adjudicates(article_id)", None),
    ("assignment", "UPDATE", _MINE, _MINE),
    *(
        policy
        for table in CODING_TABLES
        for policy in (
            (table, "SELECT", f"{_MINE} OR loupe_adjudicates(article_id)", None),
            (table, "INSERT", None, _writable(table)),
            (table, "UPDATE", _MINE, _writable(table)),
            (table, "DELETE", _MINE, None),
        )
    ),
    ("annotation_fragment", "SELECT", "loupe_reads_annotation(annotation_id)", None),
    ("annotation_fragment", "INSERT", None, "loupe_owns_annotation(annotation_id)"),
    ("annotation_fragment", "UPDATE", "loupe_owns_annotation(annotation_id)",
     "loupe_owns_annotation(annotation_id)"),
    ("annotation_fragment", "DELETE", "loupe_owns_annotation(annotation_id)", None),
    ("adjudication_rejection", "SELECT", "adjudicator_id = loupe_me()", None),
    ("adjudication_rejection", "INSERT", None, "adjudicator_id = loupe_me() AND loupe_adjudicates(article_id)"),
    ("adjudication_rejection", "DELETE", "adjudicator_id = loupe_me()", None),
)
_SECURED = (
    "project", "codebook", "codebook_history", "coder", "article", "entity", "article_search", "assignment",
    *CODING_TABLES, "annotation_fragment", "adjudication_rejection", "merge_log",
)
_GRANTS = (
    f"GRANT USAGE ON SCHEMA public TO {CODER_GROUP}",
    f"GRANT SELECT ON project, codebook, codebook_history, coder, article, entity, article_search, assignment, "
    f"alembic_version TO {CODER_GROUP}",
    f"GRANT UPDATE (status, seconds_spent, updated_at) ON assignment TO {CODER_GROUP}",
    f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(CODING_TABLES)}, annotation_fragment TO {CODER_GROUP}",
    f"GRANT SELECT, INSERT, DELETE ON adjudication_rejection TO {ADJUDICATOR_GROUP}",
)


def install_security(conn: Connection) -> None:
    """Create the group roles, the helper functions, the grants and the policies (again)."""
    conn.exec_driver_sql(_GROUPS)
    for function in _FUNCTIONS:
        conn.exec_driver_sql(function)
    for signature in _FUNCTION_NAMES:
        conn.exec_driver_sql(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        conn.exec_driver_sql(f"GRANT EXECUTE ON FUNCTION {signature} TO {CODER_GROUP}")
    for table in _SECURED:
        conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    for grant in _GRANTS:
        conn.exec_driver_sql(grant)
    for number, (table, command, using, check) in enumerate(_POLICIES):
        name = f"loupe_{table}_{command.lower()}_{number}"
        conn.exec_driver_sql(f"DROP POLICY IF EXISTS {name} ON {table}")
        clauses = (f" USING ({using})" if using else "") + (f" WITH CHECK ({check})" if check else "")
        conn.exec_driver_sql(f"CREATE POLICY {name} ON {table} FOR {command} TO {CODER_GROUP}{clauses}")


def set_login(conn: Connection, name: str, password: str) -> bool:
    """Create or reset the login of coder ``name``; True if it was created."""
    role = conn.execute(text("SELECT role FROM coder WHERE name = :name"), {"name": name}).scalar()
    if role is None:
        raise ProjectError(f"The project has no coder called {name}; add the coder first.")
    if role == "lead":
        raise ProjectError(f"{name} is the project's lead, who signs in as the database's owner.")
    if not password:
        raise ProjectError("The password file is empty.")
    if len(name.encode("utf-8")) > _MAX_ROLE_BYTES or name.lower().startswith("pg_") or name in _RESERVED:
        raise ProjectError(
            f"{name} cannot be a PostgreSQL login (at most 63 bytes, not starting with pg_, "
            "not a reserved name); rename the coder first."
        )
    conn.exec_driver_sql(_GROUPS)
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": name}).scalar()
    if exists and not conn.execute(
        text("SELECT pg_has_role(CAST(:name AS name), CAST(:group AS name), 'MEMBER')"), {"name": name, "group": CODER_GROUP}
    ).scalar():
        raise ProjectError(
            f"{name} is a PostgreSQL role that is not a Loupe login; Loupe will not change it."
        )
    verb = "ALTER" if exists else "CREATE"
    statement = conn.execute(
        text(f"SELECT format('{verb} ROLE %I LOGIN PASSWORD %L', "
             "CAST(:name AS text), CAST(:password AS text))"),
        {"name": name, "password": password},
    ).scalar_one()
    conn.exec_driver_sql(statement.replace("%", "%%"))
    quoted = conn.execute(text("SELECT quote_ident(CAST(:name AS text))"), {"name": name}).scalar_one()
    conn.exec_driver_sql(f"GRANT {CODER_GROUP} TO {quoted}")
    if role == "adjudicator":
        conn.exec_driver_sql(f"GRANT {ADJUDICATOR_GROUP} TO {quoted}")
    elif exists:
        conn.exec_driver_sql(f"REVOKE {ADJUDICATOR_GROUP} FROM {quoted}")
    return not exists

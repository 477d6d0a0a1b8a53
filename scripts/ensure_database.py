"""Creates the PostgreSQL database named in DATABASE_URL if it does not exist yet."""

import os
import sys

import dj_database_url
import psycopg

url = os.environ.get("DATABASE_URL", "")
if not url.startswith(("postgres://", "postgresql://")):
    sys.exit(0)
cfg = dj_database_url.parse(url)
try:
    conn = psycopg.connect(
        dbname="postgres",
        user=cfg["USER"],
        password=cfg["PASSWORD"] or None,
        host=cfg["HOST"],
        port=cfg["PORT"] or 5432,
        autocommit=True,
    )
except psycopg.OperationalError as exc:
    sys.exit(f"PostgreSQL is not reachable at {cfg['HOST']}:{cfg['PORT']}: {exc}")
with conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]]).fetchone():
        conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
        print(f"Created database {cfg['NAME']}")

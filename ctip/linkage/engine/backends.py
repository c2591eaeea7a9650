"""Where Splink runs: DuckDB in this process (the default) or a Spark session.

Identity data is decrypted only in memory. DuckDB gets an in-memory database with spilling to
disk turned off (temp_directory is empty), so a job too big for its memory limit fails instead
of writing plaintext to a temporary file; CTIP_LINKAGE_MEMORY_LIMIT and CTIP_LINKAGE_THREADS
size it. On Spark the same settings run unchanged; intermediate tables are persisted in
memory (Spark may spill them to spark.local.dir, which must sit on encrypted storage).
"""

import contextlib
import os
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pyarrow as pa

_INTEGER = {"birth_year"}
_BOOLEAN = {"birth_estimated"}
_FLOAT_PREFIX = "tf_"


def _type(column: str) -> pa.DataType:
    if column in _INTEGER:
        return pa.int64()
    if column in _BOOLEAN:
        return pa.bool_()
    if column.startswith(_FLOAT_PREFIX):
        return pa.float64()
    return pa.string()


def arrow_schema(columns: Sequence[str]) -> pa.Schema:
    return pa.schema([(column, _type(column)) for column in columns])


def arrow_table(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str],
    aliases: Mapping[str, str] | None = None,
) -> pa.Table:
    """The rows as an Arrow table; a column named in `aliases` is filled from its source."""
    aliases = aliases or {}
    schema = arrow_schema(columns)
    return pa.table(
        {column: [row.get(aliases.get(column, column)) for row in rows] for column in columns},
        schema=schema,
    )


def duckdb_config() -> dict[str, Any]:
    """DuckDB settings: in memory, no spill of (decrypted) data to disk."""
    return {
        "temp_directory": "",
        "memory_limit": os.environ.get("CTIP_LINKAGE_MEMORY_LIMIT", "3GB"),
        "threads": int(os.environ.get("CTIP_LINKAGE_THREADS", str(min(os.cpu_count() or 1, 2)))),
        "preserve_insertion_order": False,
    }


class Session:
    """One backend connection: register tables, run a query, close."""

    def __init__(self, db_api: Any, kind: str, spark: Any = None):
        self.db_api = db_api
        self.kind = kind
        self.spark = spark

    def register(
        self,
        rows: Sequence[dict[str, Any]],
        columns: Sequence[str],
        aliases: Mapping[str, str] | None = None,
    ):
        return self.register_table(arrow_table(rows, columns, aliases))

    def register_table(self, table: pa.Table):
        """An Arrow table as a Splink input (DuckDB scans it where it lies, without a copy)."""
        if self.kind == "spark":
            data = self.spark.createDataFrame(table.to_pandas())
            return self.db_api.register(data)
        return self.db_api.register(table)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.kind == "spark":
            return [tuple(row) for row in self.spark.sql(sql).collect()]
        return self.db_api._con.execute(sql).fetchall()


@contextlib.contextmanager
def session(kind: str = "duckdb", *, spark: Any = None) -> Iterator[Session]:
    if kind == "duckdb":
        import duckdb
        from splink import DuckDBAPI

        connection = duckdb.connect(":memory:", config=duckdb_config())
        try:
            yield Session(DuckDBAPI(connection), kind)
        finally:
            connection.close()
    elif kind == "spark":
        from splink import SparkAPI

        if spark is None:
            raise ValueError("backend: the Spark backend needs a SparkSession (spark=...)")
        # Intermediate tables are persisted in the executors' memory, not written as parquet
        # checkpoints; Spark may still spill them to spark.local.dir (docs/linkage.md).
        yield Session(
            SparkAPI(
                spark_session=spark,
                break_lineage_method="persist",
                num_partitions_on_repartition=int(spark.conf.get("spark.sql.shuffle.partitions")),
            ),
            kind,
            spark,
        )
    else:
        raise ValueError(f"backend: unknown backend {kind!r} (duckdb or spark)")

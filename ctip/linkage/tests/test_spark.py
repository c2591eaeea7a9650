"""The same model settings run unchanged on Spark (Splink's Spark backend, local session).

Needs a Java runtime; without one the test is skipped locally, and fails where
CTIP_REQUIRE_SPARK=1 (CI sets it, and .ci/run installs Java from Debian). It takes a minute
or two, most of it Spark starting and planning, so CI runs it in one of its two passes.
"""

import os
import shutil

import pytest

from ctip.linkage.engine import model, scoring, synthetic
from ctip.linkage.engine.records import normalise


@pytest.fixture(scope="module")
def spark():
    if os.environ.get("CTIP_SKIP_SPARK"):
        pytest.skip("CTIP_SKIP_SPARK: the Spark test runs once per CI run (the SQLite pass)")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        if os.environ.get("CTIP_REQUIRE_SPARK"):
            pytest.fail("CTIP_REQUIRE_SPARK is set but no Java runtime is installed")
        pytest.skip("no Java runtime for a local Spark session")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("ctip-linkage-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.driver.memory", "1g")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_spark_scores_with_the_same_settings(spark) -> None:
    """A model trained on DuckDB predicts on Spark: same pairs, same probabilities, evidence."""
    rows, _truth = synthetic.records(150, seed=21)
    records = [normalise(row) for row in rows]
    trained = model.train(records)
    duck_pairs = model.predict(trained, records, threshold=0.5)
    spark_pairs = model.predict(trained, records, threshold=0.5, backend="spark", spark=spark)
    assert len(duck_pairs) > 20
    assert [(p.a, p.b) for p in spark_pairs] == [(p.a, p.b) for p in duck_pairs]
    by_id = {r["unique_id"]: r for r in records}
    for ours, theirs in zip(spark_pairs, duck_pairs, strict=True):
        assert ours.probability == pytest.approx(theirs.probability, abs=1e-9)
        assert ours.pattern == theirs.pattern
        assert scoring.score(trained, by_id[ours.a], by_id[ours.b]).probability == (
            pytest.approx(ours.probability, abs=1e-9)
        )

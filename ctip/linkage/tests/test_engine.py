"""The matching engine: normalised records, the trained model, the Python scorer, clusters."""

import datetime
import random

import pytest

from ctip.linkage.engine import backends, model, scoring, synthetic
from ctip.linkage.engine.comparisons import BLOCKING_RULES, COMPARISON_BY_NAME, levenshtein
from ctip.linkage.engine.records import COLUMNS, consonants, normalise, phone_key


def person(**fields):
    return normalise({"record_id": fields.pop("record_id", "x"), **fields})


@pytest.mark.parametrize(
    ("one", "other"),
    [("Sokha", "Sokhar"), ("Chhay", "Chay"), ("Srey", "Srei"), ("Huot", "Hout")],
)
def test_romanisation_variants_share_a_skeleton(one: str, other: str) -> None:
    assert person(given_name=one)["given_sk"] == person(given_name=other)["given_sk"]
    assert person(given_name=one)["given_norm"] != person(given_name=other)["given_norm"]


def test_samnang_and_somnang_sound_alike_but_differ_in_skeleton() -> None:
    a, b = person(given_name="Samnang"), person(given_name="Somnang")
    assert a["given_sk"] != b["given_sk"]
    assert a["given_cons"] == b["given_cons"] == consonants(a["given_sk"])
    level = COMPARISON_BY_NAME["given"].level_of(a, b)
    assert COMPARISON_BY_NAME["given"].levels[level].label == "sounds alike"


def test_khmer_only_record_meets_its_latin_spelling() -> None:
    khmer = person(name_km="សុខ ចាន់ថា")
    latin = person(family_name="Sok", given_name="Chantha")
    assert khmer["family_sk"] == latin["family_sk"]
    assert (
        COMPARISON_BY_NAME["family"]
        .levels[COMPARISON_BY_NAME["family"].level_of(khmer, latin)]
        .label
        == "romanisation variant"
    )


def test_swapped_names_are_recognised() -> None:
    a = person(family_name="Sok", given_name="Dara")
    b = person(family_name="Dara", given_name="Sok")
    for name in ("family", "given"):
        comparison = COMPARISON_BY_NAME[name]
        assert comparison.levels[comparison.level_of(a, b)].label == "family/given swapped"


def test_phones_are_compared_in_e164() -> None:
    assert phone_key("012 345 678") == phone_key("+855 12 345 678") == "+85512345678"
    assert phone_key("") == ""
    assert person(phone="   ")["phone"] is None


def test_birth_levels() -> None:
    birth = COMPARISON_BY_NAME["birth"]

    def label(a, b):
        return birth.levels[birth.level_of(a, b)].label

    exact = person(birth_date=datetime.date(1990, 3, 7))
    assert label(exact, person(birth_date=datetime.date(1990, 3, 7))) == "exact date"
    assert label(exact, person(birth_date=datetime.date(1990, 7, 3))) == "day/month swapped"
    assert label(exact, person(birth_year=1990, birth_estimated=True)) == "year only"
    assert label(exact, person(birth_year=1991)) == "±1 year"
    assert label(exact, person(birth_year=1993, birth_estimated=True)) == "±3 years, estimated age"
    assert label(exact, person(birth_year=1993)) == "different"
    assert label(exact, person()) == "missing"
    # Two recorded dates that differ disagree: the year alone no longer makes them "year only".
    assert label(exact, person(birth_date=datetime.date(1990, 11, 24))) == (
        "same year, dates differ"
    )
    assert label(exact, person(birth_date=datetime.date(1991, 11, 24))) == "different dates"
    # Two estimates (no date on either) are a level of their own.
    estimated = person(birth_year=1990, birth_estimated=True)
    assert label(estimated, person(birth_year=1990, birth_estimated=True)) == (
        "year only, no date on either"
    )
    assert label(estimated, person(birth_year=1989)) == "±1 year, no date on either"


def test_every_level_has_words_in_the_evidence() -> None:
    from ctip.linkage.evidence import LEVELS

    for comparison in COMPARISON_BY_NAME.values():
        for level in comparison.levels:
            assert level.label in LEVELS, (comparison.name, level.label)


def test_levenshtein() -> None:
    assert levenshtein("kitten", "sitting") == 3
    assert levenshtein("", "abc") == 3
    assert levenshtein("sok", "sok") == 0


@pytest.fixture(scope="module")
def trained():
    rows, truth = synthetic.records(600, seed=7)
    records = [normalise(row) for row in rows]
    return model.train(records), records, truth


def test_python_scorer_agrees_with_splink(trained) -> None:
    trained_model, records, _truth = trained
    pairs = model.predict(trained_model, records, threshold=0.01)
    assert len(pairs) > 100
    by_id = {r["unique_id"]: r for r in records}
    for pair in pairs:
        result = scoring.score(trained_model, by_id[pair.a], by_id[pair.b])
        assert result.probability == pytest.approx(pair.probability, abs=1e-9)
        assert result.pattern == pair.pattern
    # Both orders give the same score.
    pair = pairs[0]
    assert scoring.score(trained_model, by_id[pair.b], by_id[pair.a]).probability == (
        pytest.approx(pair.probability, abs=1e-9)
    )


def test_model_finds_most_duplicates_and_few_false_ones(trained) -> None:
    trained_model, records, truth = trained
    pairs = model.predict(trained_model, records, threshold=model.DEFAULT_THRESHOLD)
    found = {(min(p.a, p.b), max(p.a, p.b)) for p in pairs}
    true = synthetic.true_pairs(truth)
    right = len(found & true)
    assert right / len(found) >= 0.9
    assert right / len(true) >= 0.6


def test_model_json_round_trip_scores_the_same(trained) -> None:
    trained_model, records, _truth = trained
    again = model.TrainedModel.from_json(trained_model.to_json())
    a, b = records[0], records[1]
    assert scoring.score(again, a, b) == scoring.score(trained_model, a, b)
    assert model.predict(again, records[:200], threshold=0.5) == model.predict(
        trained_model, records[:200], threshold=0.5
    )


def test_name_frequencies_are_counted_within_a_nationality() -> None:
    # Three Sri Lankans, two of them Perera, among forty Khmer records: Perera is rare among
    # all records but two in three among Sri Lankans, and strangers of that nationality share
    # it often; the model must weigh it as the latter.
    records = [
        person(record_id=f"k{i}", family_name="Sok", nationality="KHM") for i in range(40)
    ] + [
        person(record_id="l1", family_name="Perera", nationality="LKA"),
        person(record_id="l2", family_name="Perera", nationality="LKA"),
        person(record_id="l3", family_name="Silva", nationality="LKA"),
    ]
    tables = model.term_frequencies(records)
    perera = records[-2]["family_tf"]
    assert tables["family_tf"][perera] == pytest.approx(2 / 3)
    assert tables["family_tf"][records[0]["family_tf"]] == pytest.approx(1.0)
    assert person(family_name="Perera")["family_tf"] != perera  # no nationality: own group


def test_each_name_level_is_adjusted_against_strangers_sharing_the_skeleton(trained) -> None:
    """weight = log2(m/u) + log2(U/f) for the exact and the variant level, U the two levels'
    u together and f the name's frequency; Splink alone would give log2(m/f) for both."""
    import math

    trained_model, _records, _truth = trained
    levels = {
        level["label_for_charts"]: level
        for level in trained_model.settings["comparisons"][0]["comparison_levels"]
    }
    exact, variant = levels["exact"], levels["romanisation variant"]
    together = exact["u_probability"] + variant["u_probability"]
    a = person(family_name="Sokha", given_name="Zzyzx", nationality="KHM")
    b = person(family_name="Sokhar", given_name="Qqwwe", nationality="KHM", record_id="y")
    frequency = trained_model.term_frequencies["family_tf"].get(a["family_tf"])
    scaled = trained_model.term_frequencies["family_tfv"].get(a["family_tf"])
    if frequency is None:
        pytest.skip("the seeded records do not carry this name")
    unscaled = frequency / (exact["u_probability"] / together)
    assert scaled == pytest.approx(unscaled * variant["u_probability"] / together)
    # The scorer's family weight for a variant pair, alone: the pair with and without it.
    base = scoring.score(trained_model, person(given_name="Zzyzx"), person(given_name="Qqwwe"))
    both = scoring.score(trained_model, a, b)
    assert both.pattern["family"] == "romanisation variant"
    expected = math.log2(variant["m_probability"] / variant["u_probability"]) + math.log2(
        together / unscaled
    )
    nationality = next(
        level for level in trained_model.settings["comparisons"][4]["comparison_levels"]
        if level["label_for_charts"] == "same"
    )  # fmt: skip
    # The nationality's level is adjusted by the nationality's share: log2(m / f).
    share = trained_model.term_frequencies["nationality"]["KHM"]
    expected += math.log2(nationality["m_probability"] / share)
    assert both.match_weight - base.match_weight == pytest.approx(expected, abs=1e-9)


def test_swapped_common_names_count_for_less_than_swapped_rare_ones(trained) -> None:
    """A swapped name is adjusted by its frequency in the place it moved to, as exact names
    are; without it every swapped pair weighed the same."""
    trained_model, records, _truth = trained
    tables = trained_model.term_frequencies
    khmer = [r for r in records if r["nationality"] == "KHM" and r["family_sk"] and r["given_sk"]]
    common = max(khmer, key=lambda r: tables["family_tf"][r["family_tf"]])
    fields = {"nationality": "KHM", "birth_year": 1990, "sex": "F"}
    a = person(family_name=common["family_norm"], given_name=common["given_norm"], **fields)
    b = person(family_name=common["given_norm"], given_name=common["family_norm"], **fields)
    rare_a = person(family_name="Zzyzx", given_name="Qqwwe", **fields)
    rare_b = person(family_name="Qqwwe", given_name="Zzyzx", **fields)
    swapped = scoring.score(trained_model, a, b)
    rare = scoring.score(trained_model, rare_a, rare_b)
    assert swapped.pattern["family"] == rare.pattern["family"] == "family/given swapped"
    assert swapped.match_weight < rare.match_weight - 1


def test_a_rare_nationality_agreeing_counts_for_more_than_a_common_one(trained) -> None:
    trained_model, _records, _truth = trained
    shares = trained_model.term_frequencies["nationality"]
    rare = min(shares, key=shares.__getitem__)
    common = max(shares, key=shares.__getitem__)
    assert shares[rare] < shares[common]

    def weight(nationality: str) -> float:
        fields = {"family_name": "Zzyzx", "given_name": "Qqwwe", "nationality": nationality}
        return scoring.score(trained_model, person(**fields), person(**fields)).match_weight

    assert weight(rare) > weight(common) + 1


def test_a_model_stored_with_skeleton_frequencies_still_scores(trained) -> None:
    """Models trained before the frequency tables changed name family_sk/given_sk."""
    trained_model, records, _truth = trained
    old = model.TrainedModel.from_json(trained_model.to_json())
    plain = model.term_frequencies(records)
    old.term_frequencies = {
        "family_sk": {k.partition(":")[2]: f for k, f in plain["family_tf"].items()},
        "given_sk": {k.partition(":")[2]: f for k, f in plain["given_tf"].items()},
    }
    for comparison in old.settings["comparisons"][:2]:
        for level in comparison["comparison_levels"]:
            if level.get("tf_adjustment_column"):
                level["tf_adjustment_column"] = comparison["output_column_name"] + "_sk"
    pairs = model.predict(old, records, threshold=0.5)
    assert pairs
    by_id = {r["unique_id"]: r for r in records}
    for pair in pairs[:50]:
        assert scoring.score(old, by_id[pair.a], by_id[pair.b]).probability == pytest.approx(
            pair.probability, abs=1e-9
        )


def test_model_from_another_schema_is_refused() -> None:
    with pytest.raises(model.ModelError, match="model"):
        model.TrainedModel.from_json('{"schema": "something-else"}')
    with pytest.raises(model.ModelError, match="model"):
        model.TrainedModel.from_json("not json")


@pytest.mark.parametrize("threshold", [0, 1, -0.5, 1.5])
def test_threshold_outside_zero_one_is_refused(trained, threshold: float) -> None:
    trained_model, records, _truth = trained
    with pytest.raises(model.ModelError, match="threshold"):
        model.predict(trained_model, records, threshold=threshold)


def test_clusters_are_connected_components_above_the_threshold() -> None:
    pairs = [
        model.Pair("a", "b", 0.99, {}),
        model.Pair("b", "c", 0.95, {}),
        model.Pair("d", "e", 0.5, {}),
        model.Pair("f", "g", 0.97, {}),
    ]
    assert model.cluster(pairs, threshold=0.9) == [["a", "b", "c"], ["f", "g"]]
    assert model.cluster(pairs, threshold=0.96) == [["a", "b"], ["f", "g"]]


def test_duckdb_never_spills_to_disk() -> None:
    with backends.session() as session:
        (directory,) = session.rows("SELECT current_setting('temp_directory')")[0]
    assert directory == ""


def _tiny_file() -> list[dict]:
    """Eight people, two of them recorded twice: far too few pairs to sample u or run EM."""
    people = [
        ("a1", "Sok", "Sokha", "1990-03-04", "012 345 678"),
        ("a2", "Sokh", "Sokhar", "1990-03-04", "+855 12 345 678"),
        ("b1", "Chan", "Vuthy", "1985-07-01", ""),
        ("b2", "Chann", "Vuthi", "1985-07-01", ""),
        ("c1", "Heng", "Dara", "1992-01-01", ""),
        ("d1", "Keo", "Bopha", "1992-05-09", ""),
        ("e1", "Meas", "Rithy", "1979-11-30", ""),
        ("f1", "Ly", "Sophal", "2001-02-14", ""),
    ]
    rows = []
    for record_id, family, given, born, phone in people:
        rows.append(
            normalise({
                "record_id": record_id, "family_name": family, "given_name": given,
                "birth_date": datetime.date.fromisoformat(born), "phone": phone, "sex": "F",
            })
        )  # fmt: skip
    return rows


def test_a_tiny_file_is_scored_with_the_fixed_priors_not_with_sampled_zeros() -> None:
    records = _tiny_file()
    trained = model.train(records)
    assert trained.method == "priors"
    # Every level keeps its prior u: none falls to the floor a few sampled pairs would give
    # (a birth year shared by chance would then weigh 30,000 to one).
    for comparison, spec in zip(trained.settings["comparisons"], COMPARISON_BY_NAME.values(),
                                strict=True):  # fmt: skip
        for level, prior in zip(comparison["comparison_levels"], spec.levels, strict=True):
            if not prior.null:
                assert prior.u is not None
                assert level["u_probability"] == pytest.approx(max(prior.u, model.U_FLOOR))
    low, high = model.PRIOR_MATCH_SHARE
    assert low <= trained.probability_two_random_records_match <= high
    found = {(p.a, p.b) for p in model.predict(trained, records, threshold=0.9)}
    assert found == {("a1", "a2"), ("b1", "b2")}


def test_a_file_with_enough_pairs_is_trained_on_its_own_data() -> None:
    rows, _truth = synthetic.records(400, seed=3)
    trained = model.train([normalise(row) for row in rows])
    assert trained.method == "em"
    assert model.TrainedModel.from_json(trained.to_json()).method == "em"


def test_past_the_training_cap_a_seeded_sample_keeps_every_labelled_record(monkeypatch) -> None:
    monkeypatch.setattr(model, "TRAIN_MAX_RECORDS", 50)
    rows = [{"unique_id": str(i)} for i in range(200)]
    labels = [("7", "150", True), ("199", "3", False)]
    sample = model.training_sample(rows, labels)
    ids = sample["unique_id"].to_pylist()
    assert len(ids) == 50
    assert {"7", "150", "199", "3"} <= set(ids)
    assert sample.equals(model.training_sample(iter(rows), labels))  # seeded: the same every time
    # The very sample the list of dictionaries gave before the records became a table: the
    # labelled records first, then random.sample's draw among the others.
    others = [row for row in rows if row["unique_id"] not in {"7", "150", "199", "3"}]
    drawn = random.Random(model.SEED).sample(others, 46)
    assert ids == ["3", "7", "150", "199"] + [row["unique_id"] for row in drawn]
    # Without any decision (the usual first run) the sample is random.sample's alone.
    unlabelled = model.training_sample(rows, [])["unique_id"].to_pylist()
    assert unlabelled == [row["unique_id"] for row in random.Random(model.SEED).sample(rows, 50)]


def test_records_stream_into_the_table_a_batch_at_a_time(monkeypatch) -> None:
    """A generator of records (as from the registry's cursor) is read once, in batches, into
    one table; training and prediction on it find what they find on the list."""
    rows, _truth = synthetic.records(400, seed=3)
    records = [normalise(row) for row in rows]
    monkeypatch.setattr(model, "BATCH_RECORDS", 37)
    read = []

    def stream():
        for record in records:
            read.append(record["unique_id"])
            yield record

    table = model.record_table(stream())
    assert read == [r["unique_id"] for r in records]  # each record read once, in order
    assert table.num_rows == len(records)
    assert len(table.to_batches()) == -(-len(records) // 37)
    assert table.to_pylist() == records
    trained = model.train(table)
    assert trained.records == len(records)
    assert trained.term_frequencies == model.train(records).term_frequencies
    pairs = model.predict(trained, table, threshold=0.5)
    assert pairs == model.predict(trained, iter(records), threshold=0.5)
    assert len(pairs) > 20
    by_id = {r["unique_id"]: r for r in records}
    for pair in pairs:  # the evidence, from the rows fetched back out of the table
        expected = scoring.score(trained, by_id[pair.a], by_id[pair.b])
        assert pair.pattern == expected.pattern
        assert pair.probability == pytest.approx(expected.probability, abs=1e-9)


def test_names_and_province_block_only_years_within_three_or_unknown() -> None:
    """The names + province rule pairs records with an unknown birth year, or years up to
    three apart; strangers of a common name born decades apart are not candidates."""
    base = {"family_name": "Sok", "given_name": "Dara", "province": "Kandal"}
    rows: list[dict[str, object]] = [
        {**base, "record_id": "a", "birth_year": 1990},
        {**base, "record_id": "no-year"},
        {**base, "record_id": "three-later", "birth_year": 1993},
        {**base, "record_id": "ten-later", "birth_year": 2000},
        {**base, "record_id": "elsewhere", "province": "Takeo"},
    ]
    records = [normalise(row) for row in rows]
    rule = next(r for r in BLOCKING_RULES if "province" in r)
    with backends.session() as session:
        connection = session.db_api._con
        connection.register("people", backends.arrow_table(records, COLUMNS))
        found = connection.execute(
            f"SELECT l.unique_id, r.unique_id FROM people l JOIN people r ON ({rule}) "
            "AND l.unique_id < r.unique_id"
        ).fetchall()
    assert {tuple(sorted(pair)) for pair in found} == {
        ("a", "no-year"),
        ("a", "three-later"),
        ("no-year", "three-later"),
        ("no-year", "ten-later"),
    }

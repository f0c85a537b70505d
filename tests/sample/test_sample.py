"""The built-in sample: deterministic, spread over bank types, realistic files."""

import hashlib
from collections import Counter

import numpy as np
import polars as pl
import pytest

from ingest.identifiers import BANK_CODE_PATTERN, is_valid_uscc
from ingest.readers import read_file
from ingest.submission import read_submission
from sample.banks import bank_profiles
from sample.generate import SampleConfig, generate
from sample.population import make_enterprises

SMALL = SampleConfig(banks=6, start="2025-09", end="2026-10", loans_per_bank=40, enterprises=200)


@pytest.fixture(scope="module")
def small_sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    return out, generate(out, SMALL)


@pytest.fixture(scope="module")
def read_back(small_sample) -> dict:
    """Every file of the small sample read as the intake reads it, by path."""
    return {path: read_submission(path) for path in small_sample[1]}


def _digest(paths):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_same_seed_gives_the_same_bytes(small_sample, tmp_path):
    out, first = small_sample
    again = generate(tmp_path, SMALL)
    assert _digest(first) == _digest(again)


def test_a_different_seed_gives_different_files(small_sample, tmp_path):
    _, first = small_sample
    other = generate(tmp_path, SampleConfig(**{**SMALL.__dict__, "seed": 7}))
    assert _digest(first) != _digest(other)


def test_default_sample_spans_every_bank_type_with_14_character_codes():
    profiles = bank_profiles(SampleConfig(), np.random.default_rng(0))
    assert len(profiles) >= 24
    assert set(Counter(p.bank_type for p in profiles)) == {
        "国有大型商业银行",
        "股份制商业银行",
        "城市商业银行",
        "农村商业银行",
        "村镇银行",
        "外资银行",
    }
    assert all(pl.Series([p.code]).str.contains(BANK_CODE_PATTERN)[0] for p in profiles)
    trends = [p.mfg_trend for p in profiles]
    assert min(trends) < 0 < max(trends), "some banks raise their manufacturing share, some cut it"


def test_enterprises_have_valid_chongqing_usccs_in_and_out_of_manufacturing():
    firms = make_enterprises(np.random.default_rng(1), 1500)
    assert all(is_valid_uscc(u) for u in firms.uscc)
    assert all(u[2:4] == "50" for u in firms.uscc)
    assert len(set(firms.uscc)) == 1500
    share = firms.is_mfg.mean()
    assert 0.3 < share < 0.6


BANK_FILE_PREFIXES = ("loans_", "loan_totals_", "对公贷款借据_", "各项贷款_")


def _bank_files(files):
    return [p for p in files if p.name.startswith(BANK_FILE_PREFIXES)]


def test_files_mix_containers_encodings_and_months(small_sample):
    _, every = small_sample
    files = _bank_files(every)
    # 6 banks × 14 months × (loans + loan_totals)
    assert len(files) == 6 * 14 * 2
    raws = [read_file(p) for p in files]
    containers = Counter(r.container for r in raws)
    assert set(containers) == {"csv", "xlsx", "parquet"}
    assert {r.encoding for r in raws if r.container == "csv"} == {"utf-8", "gb18030"}
    headers = {h for r in raws for h in r.headers}
    assert "贷款借据号" in headers and "loan_id" in headers
    xlsx = next(p for p in files if p.suffix == ".xlsx" and "借据" in p.name)
    assert read_file(xlsx).unit == 10_000


def test_every_file_reads_as_one_reporter_and_one_month(read_back):
    kinds = Counter()
    for path, submission in read_back.items():
        kinds[submission.kind.name] += 1
        assert submission.data[submission.kind.reporter_column].n_unique() == 1, path.name
        assert submission.data[submission.kind.period_column].n_unique() == 1, path.name
    # Registers from the plan's start: here 2025-09 … 2026-10, every month.
    assert kinds["enterprises"] == kinds["bonds"] == kinds["engagements"] == 14
    assert kinds["fund_investments"] > 0 and kinds["ipos"] > 0
    # The plan's money: bridges and pushes most months, compensations each quarter-end.
    assert kinds["bridge_loans"] > 0 and kinds["whitelist_pushes"] > 0
    # Compensations only at quarter-ends (five here), on bad loans the banks filed earlier.
    assert 0 < kinds["guarantee_compensations"] <= 5


def test_some_loans_are_in_foreign_currency(read_back):
    currencies = pl.concat(
        [
            read_back[p].data.select("currency")
            for p in _bank_files(read_back)
            if "loan_totals" not in p.name and "各项贷款" not in p.name
        ]
    )["currency"]
    assert "CNY" in currencies.to_list()
    assert (currencies != "CNY").sum() >= 1


def test_subsidy_claims_name_real_tech_loans_and_reach_every_cap(tmp_path):
    """Each claim's loan is a 技改专项贷 to the claimant in its bank's files of the claim year,
    read back from the bank files themselves; the year holds a claim over the project cap,
    one not eligible (no interest yet) and a fee above 1 %."""
    files = generate(tmp_path, SampleConfig(banks=4, start="2025-01", end="2026-03"))
    claims = next(p for p in files if p.name == "技改专项贷贴息申请_2025.csv")
    rows = read_submission(claims).data
    loans = pl.concat(
        [
            read_submission(p).data.select(
                "bank_code", "loan_id", "borrower_uscc", "product", "report_period"
            )
            for p in _bank_files(files)
            if "loan_totals" not in p.name and "各项贷款" not in p.name
        ]
    ).filter(pl.col("report_period").dt.year() == 2025)
    matched = rows.join(
        loans,
        left_on=["bank_code", "loan_id", "enterprise_uscc"],
        right_on=["bank_code", "loan_id", "borrower_uscc"],
    )
    assert set(matched["claim_id"]) == set(rows["claim_id"])
    assert set(matched["product"]) == {"技改专项贷"}
    major = rows.filter(pl.col("project_name").str.contains("重大项目"))
    # 2400万 of interest at any sample rate is over 1000万 of subsidy.
    assert major["interest_paid"].sum() == 24_000_000
    assert (rows["interest_paid"] == 0).any()
    assert (rows["guarantee_fee_rate"] > 1).any() and (rows["guarantee_fee_rate"] <= 1).any()

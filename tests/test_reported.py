"""Reported-table checks by declaration (evaluation.reported): consistent tables pass, planted errors are caught."""

from pathlib import Path

import pandas as pd
import pytest

from evaluation import flows, kasam, reported
from evaluation.reported import ReportedTableError, check_reported

ROOT = Path(__file__).resolve().parents[1]
VUX = ROOT / "data_samples" / "rapporterat" / "vuxenteamen.csv"
VU = ROOT / "data_samples" / "rapporterat" / "vagen_ut.csv"


def _table(values, enhet="antal", total=None):
    n = len(values)
    rows = {"kalla": ["x"] * n, "tabell": ["T"] * n, "kategori": [f"k{i}" for i in range(n)], "varde": values,
            "enhet": [enhet] * n, "id": [""] * n, "relation": ["del av S"] * n}
    df = pd.DataFrame(rows)
    tot = pd.DataFrame({"kalla": ["x"], "tabell": ["T"], "kategori": ["summa"], "varde": [total], "enhet": [enhet],
                        "id": ["S"], "relation": [""]})
    return pd.concat([df, tot], ignore_index=True)


def _planted(path, kategori, matt, value, enhet=None):
    rep = pd.read_csv(path)
    mask = (rep["kategori"] == kategori) & (rep["matt"] == matt)
    if enhet:
        mask &= rep["enhet"] == enhet
    assert mask.sum() == 1
    rep.loc[mask, "varde"] = value
    return rep


def test_consistent_tables_pass_without_subset_guessing():
    # 30 = 10 + 20 is no subtotal: nothing is inferred from the numbers
    chk = check_reported(_table([10, 20, 30], total=60))
    assert chk["status"].tolist() == ["ok"] and chk["beraknat"].item() == 60
    chk = check_reported(_table([25, 25, 50], enhet="procent", total=100))
    assert chk["status"].tolist() == ["ok"]


def test_a_real_sum_mismatch_is_caught_and_worded_as_a_sum():
    chk = check_reported(_table([10, 20, 40], total=75))
    assert chk["status"].item() == "avvikelse" and chk["differens"].item() == -5
    assert "summan stämmer inte" in chk["meddelande"].item()


def test_a_single_part_must_equal_its_parent():
    chk = check_reported(_table([12], total=13))
    assert chk["status"].item() == "avvikelse"


def test_the_vuxenteamen_sample_is_consistent_and_its_declared_residual_passes_with_its_note():
    chk = check_reported(pd.read_csv(VUX))
    assert chk["ok"].all(), chk.loc[~chk["ok"], "meddelande"].tolist()
    # every kind of declared relation is checked at least once
    assert set(chk["kontroll"]) == {"summa", "rest", "andel", "delmangd", "produkt"}
    rest = chk[chk["kontroll"] == "rest"].iloc[0]
    assert (rest["angivet"], rest["beraknat"]) == (9, 9)          # 100 − (48 + 16 + 27) = 9
    assert "stämmer" in rest["meddelande"] and "summerar till 91" in rest["meddelande"]
    # 666 / 975 = 68.31 %, printed as 68 %
    share = chk[(chk["kontroll"] == "andel") & (chk["tabell"] == "T5")].iloc[0]
    assert share["beraknat"] == pytest.approx(100 * 666 / 975) and share["status"] == "ok"
    # the product is a proxy presented as a saving: a warning travels with it
    prod = chk[chk["matt"] == "minskad_offentlig_forsorjning_per_ar"].iloc[0]
    assert prod["beraknat"] == 666 * 8000 * 12 and "inte en uppmätt besparing" in prod["varning"]


@pytest.mark.parametrize("kategori, matt, value, enhet, kontroll, wording", [
    ("summa", "andel_ej_offentlig_forsorjning", 75, None, "andel", "andelen stämmer inte"),          # 68 % -> 75 %
    ("avslutade_jan_apr_2000", "rundgang_andel", 20, None, "andel", "andelen stämmer inte"),       # 12,4 % -> 20 %
    ("summa", "minskad_offentlig_forsorjning_per_ar", 70_000_000, "kr", "produkt", "produkten stämmer inte"),
])
def test_each_planted_inconsistency_in_vuxenteamen_is_caught(kategori, matt, value, enhet, kontroll, wording):
    chk = check_reported(_planted(VUX, kategori, matt, value, enhet))
    bad = chk[~chk["ok"]]
    assert bad["kontroll"].tolist() == [kontroll]
    assert wording in bad["meddelande"].item()


def test_twelve_of_ninety_seven_changed_to_one_hundred_and_twenty_is_caught():
    chk = check_reported(_planted(VUX, "avslutade_jan_apr_2000", "rundgang_ater_kontakt", 120))
    bad = chk[~chk["ok"]].set_index("kontroll")
    # 120 of a cohort of 97: the subset is larger than the whole, and 12,4 % no longer matches (123,7 %)
    assert set(bad.index) == {"delmangd", "andel"}
    assert "fler än hela gruppen" in bad.loc["delmangd", "meddelande"]
    assert bad.loc["andel", "beraknat"] == pytest.approx(100 * 120 / 97)


def test_the_vagen_ut_sample_reports_exactly_the_three_inconsistencies_of_the_source():
    chk = check_reported(pd.read_csv(VU))
    bad = chk[~chk["ok"]]
    got = {(r.kontroll, r.kategori, r.period, r.angivet, r.beraknat) for r in bad.itertuples()}
    assert got == {
        ("summa", "total", "2013-05", 125, 127),                       # 45 + 38 + 44 = 127, stated 125
        ("forandring", "meningsfullhet", "2011-10/2013-05", -8, 0),    # 44 -> 44, stated -8
        ("forandring_summa", "total", "2011-10/2013-05", -20, -26),    # -4 - 14 - 8 = -26, stated -20
    }
    change = bad[bad["kontroll"] == "forandring"].iloc[0]
    assert "förändringen stämmer inte" in change["meddelande"] and "ej_redovisat" not in change["meddelande"]
    assert "förändringarna stämmer inte" in bad[bad["kontroll"] == "forandring_summa"]["meddelande"].item()
    # October 2011 -> May 2013: every change across the two months carries the seasonal warning
    f1 = chk[chk["tabell"] == "F1"]
    assert len(f1) == 2 and f1["varning"].str.contains("oktober och maj").all()
    f2 = chk[chk["tabell"] == "F2"]
    assert (f2["varning"] == "").all() and f2["ok"].all()          # October -> October, May -> May


def test_flows_kasam_and_the_report_share_the_one_check():
    rep = pd.read_csv(VU)
    pd.testing.assert_frame_equal(flows.check_reported(rep), check_reported(rep))
    k = kasam.check_reported(rep)
    dev = k[k["status"] == "avvikelse"]
    one = check_reported(rep)
    assert sorted(dev["meddelande"]) == sorted(one.loc[~one["ok"], "meddelande"])


def test_declaration_errors_name_the_source_row_and_column():
    bad = _table([1, 2], total=3)
    bad.loc[0, "relation"] = "del av NOPE"
    with pytest.raises(ReportedTableError, match=r"rad 2, kolumn relation: okänt id 'NOPE'"):
        check_reported(bad)
    bad.loc[0, "relation"] = "ungefär S"
    with pytest.raises(ReportedTableError, match="okänd relation"):
        check_reported(bad)


def test_a_change_in_percent_of_levels_is_relative_and_rounding_aware():
    rep = pd.DataFrame({"kalla": ["v"] * 3, "tabell": ["F"] * 3, "kategori": ["a", "b", "d"],
                        "period": ["2011-10", "2013-05", "2011-10/2013-05"], "varde": [5897, 4455, -24.5],
                        "enhet": ["antal", "antal", "procent"], "id": ["A", "B", ""],
                        "relation": ["", "", "förändring A -> B"]})
    chk = check_reported(rep)
    assert chk["beraknat"].item() == pytest.approx(100 * (4455 - 5897) / 5897) and chk["ok"].item()
    rep.loc[2, "varde"] = -20
    assert not check_reported(rep)["ok"].item()


def test_board_table_says_yes_or_no_with_message():
    tab = reported.board_table(check_reported(_table([10, 20, 30], total=61)))
    assert tab.columns.tolist() == ["Källa", "Tabell", "Stämmer", "Meddelande", "Varning"]
    assert tab.iloc[0]["Stämmer"] == "Nej" and "60" in tab.iloc[0]["Meddelande"]


def test_a_stock_times_mean_duration_is_flagged_as_a_proxy():
    # Vägen ut style: 4 455 persons × 11,4 mean months = 50 787 "bidragsmånader" is no sum of months
    rep = pd.DataFrame({"kalla": ["v"] * 3, "tabell": ["F"] * 3,
                        "matt": ["personer_forsorjningsstod", "bidragsmanader_medel", "bidragsmanader"],
                        "kategori": ["summa"] * 3, "period": ["2013-05"] * 3, "varde": [4455, 11.4, 50787],
                        "enhet": ["antal", "manader", "manader"], "id": ["P", "M", ""],
                        "relation": ["", "", "produkt P * M"]})
    chk = check_reported(rep)
    assert chk["ok"].item() and chk["beraknat"].item() == pytest.approx(4455 * 11.4)
    assert "inte summerade bidragsmånader" in chk["varning"].item()

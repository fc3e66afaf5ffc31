"""The command line: questionnaires export, scan, key location, summary."""

from __future__ import annotations

import csv

from evaluation.cli import main


def test_enkater_writes_a_template_and_a_form_for_every_questionnaire_of_tabell_2(tmp_path, capsys):
    assert main(["enkater", "--out", str(tmp_path), "--scale-max", "5"]) == 0
    csvs = sorted(p.name for p in tmp_path.glob("*.csv"))
    htmls = sorted(p.name for p in tmp_path.glob("*.html"))
    assert len(csvs) == len(htmls) == 10  # Tabell 2: 3 deltagare + 3 personal + 4 half-yearly questionnaires
    with (tmp_path / "nns_deltagare_avslut.csv").open(encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    items = [c for c in header if c.startswith("nns_")]
    # DOMAIN.md §4.2: deltagare vid avslut answer 1A, 2A, 3A, 4A, 5A, 6a, 6b, 7D, 9D
    assert items == ["nns_1A", "nns_2A", "nns_3A", "nns_4A", "nns_5A", "nns_6a", "nns_6b", "nns_7D", "nns_9D"]
    form = (tmp_path / "nns_styrelse_halvar.html").read_text(encoding="utf-8")
    assert "Vi har en strategi för hur vi arbetar med uppföljning och utvärdering" in form  # 14a verbatim
    assert "Instämmer inte alls" in form and "Instämmer helt" in form
    assert "10 enkäter" in capsys.readouterr().out


def test_scan_fails_on_a_planted_personnummer_and_passes_on_clean_output(tmp_path, capsys):
    (tmp_path / "ok.html").write_text("<p>Inga uppgifter 2024-01-31</p>", encoding="utf-8")
    assert main(["scan", str(tmp_path)]) == 0
    (tmp_path / "leak.json").write_text('{"anteckning": "pnr 811228-9874"}', encoding="utf-8")
    assert main(["scan", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "leak.json" in out and "811228-9874" not in out

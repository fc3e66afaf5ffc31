"""Evaluation workbench for Swedish welfare-collaboration projects.

Samordningsförbund under Finsam, ESF projects and co-located teams of Försäkringskassan,
Arbetsförmedlingen, socialtjänst and region. All logic lives in this package, one module per
domain concept; notebooks only set parameters, call into it and display.

Modules
-------
vocabulary   controlled vocabularies (kön, försörjning, avslutsorsak, ...) from package data
schemas      pandera schemas of the data model (episodes, events, survey responses, ...)
io           import of CSV/XLSX/Parquet with mapping files and an import report
privacy      personnummer detection, keyed pseudonyms, output scanner
disclosure   small-cell suppression with secondary suppression
labels       Swedish/English labels for everything a board reads
"""

__version__ = "0.1.0"

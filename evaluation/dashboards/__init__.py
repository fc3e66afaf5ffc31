"""Voilà dashboards for boards and evaluators: data, filters, computations and the server.

Three dashboards live in ``notebooks/dashboards/`` and are thin (imports + one call):

``styrelse.ipynb``
    The board's overview (:func:`evaluation.dashboards.apps.board_app`): nyckeltal (active, new and
    ended participants, exits by category, share to work/studies, försörjning before → after), KASAM
    change with its 95 % CI, NNS indicators against målnivåer, cost-benefit per actor with payback
    month and trends across snapshots; filters förbund, insats, period and kön.
``utvarderare.ipynb``
    The evaluator's drill-down (:func:`evaluation.dashboards.apps.evaluator_app`): flows (outcome
    report per measure, exits per level, monthly flows), NNS survey items, focus-group tallies and
    coder agreement, data-quality findings of the import reports.
``samhallsekonomi.ipynb``
    Cost-benefit sliders for a board workshop (:func:`evaluation.dashboards.apps.scenario_app`,
    reusing :func:`evaluation.costbenefit.scenario_widgets`).

The data of every card comes from plain functions (:mod:`evaluation.dashboards.views`) that take the
loaded :class:`DashboardData` and a validated :class:`Filters` and return DataFrames (unit-tested
without a browser); the widget layer (:mod:`evaluation.dashboards.apps`) only arranges them and
redraws plotly ``go.Figure`` objects into ``ipywidgets.Output`` widgets when a filter changes. Data are read **once per kernel**
(:func:`load_data`); a filter change only selects rows in memory.

Board-facing numbers are slices of the protected table set (:mod:`evaluation.tableset`, issue 15):
every count, share and mean on the board's flow and KASAM cards is read from cells of one
hierarchical table protected as a whole (primary suppression ``0 < n < min_n``, secondary
suppression checked by the LP attacker), so that no filter combination can be subtracted from
another to reveal a hidden group. A figure is shown only when every cell it uses is published
("–" otherwise); a combination whose cells are all hidden shows one explanatory line. The board
door's kernels (``styrelse``, ``samhallsekonomi``) read only the table set's Parquet file
(:func:`load_board_data`; the server prepares it with :func:`ensure_tableset` and passes
``EVALUATION_TABELLUPPSATTNING``), scenarios, unit costs, målnivåer and the snapshot history —
never participant rows. The evaluator dashboard still reads the rows (per-table suppression with
:mod:`evaluation.disclosure`).

Package layout (no import cycle: ``server`` ← ``load`` ← ``views`` ← ``apps``)
---------------------------------------------------------------------------
:mod:`evaluation.dashboards.server`
    Safe paths (:func:`resolve_data_dir`, :func:`safe_path`), the Voilà launch (:func:`serve`,
    :func:`voila_arguments`) and ``evaluation dashboard`` (:func:`cli`); the security notes and the
    reverse-proxy recipe are in its docstring.
:mod:`evaluation.dashboards.load`
    :class:`DashboardData`, read once per kernel by :func:`load_data`.
:mod:`evaluation.dashboards.views`
    Filters, allowlists and the data of every card, computed by the analysis modules.
:mod:`evaluation.dashboards.apps`
    The ipywidgets apps and the HTML tables and figures they show.

``evaluation.dashboards`` re-exports the public names of all four, so notebooks and tests keep
writing ``from evaluation import dashboards; dashboards.load_data(...)``.
"""

from __future__ import annotations

from .server import (DASHBOARDS, DATA_ENV, REFERENCE_ENV, SNAPSHOTS_ENV, TABLESET_ENV, DashboardError, NotAllowedError,
                     UnsafePathError, cli, free_port, notebooks_dir, resolve_data_dir, safe_path, serve, server_env,
                     voila_arguments, wait_until_ready, DOORS, notebook_door, door_root, stop)
from .load import DEFAULT_CODEBOOKS, PARTICIPANT_COLUMNS, DashboardData, ensure_tableset, load_board_data, load_data
from .views import (ALL, ITEM_COLUMNS, all_suppressed, protected_tableset, OUTCOME_MEASURES, PERIOD_ALL, TREND_KEYS, Filters, allowed_values,
                    check_choice, cost_benefit, data_quality, exit_table, filter_options, focus_groups,
                    forsorjning_table, kasam_change, key_figures, nns_targets, outcome_table, parse_query,
                    period_bounds, select, survey_items, trends, validate_filters)
from .apps import (CSS, board_app, evaluator_app, figure_kasam, figure_message, figure_trends, html_table,
                   html_table_or_empty, key_figures_html, scenario_app)

__all__ = [
    "DATA_ENV", "SNAPSHOTS_ENV", "REFERENCE_ENV", "TABLESET_ENV", "PARTICIPANT_COLUMNS", "ensure_tableset",
    "load_board_data", "all_suppressed", "protected_tableset", "DASHBOARDS", "DEFAULT_CODEBOOKS", "DashboardError",
    "UnsafePathError", "NotAllowedError", "Filters", "DashboardData", "resolve_data_dir", "safe_path",
    "load_data", "allowed_values", "filter_options", "check_choice", "validate_filters", "parse_query",
    "period_bounds", "select", "key_figures", "exit_table", "forsorjning_table", "kasam_change",
    "nns_targets", "cost_benefit", "trends", "outcome_table", "survey_items", "focus_groups",
    "data_quality", "html_table", "key_figures_html", "figure_kasam", "figure_trends",
    "figure_message", "notebooks_dir", "voila_arguments", "server_env", "free_port", "serve", "wait_until_ready", "cli",
    "board_app", "evaluator_app", "scenario_app", "DOORS", "notebook_door", "door_root", "stop",
    "ALL", "PERIOD_ALL", "OUTCOME_MEASURES", "ITEM_COLUMNS", "TREND_KEYS", "CSS", "html_table_or_empty",
]

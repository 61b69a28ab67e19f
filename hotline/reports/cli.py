"""`hotline reports ...`: maintenance of the reports' rollup (docs/design/architecture.md §3.4)."""
from __future__ import annotations

import click


@click.group(help="统计报表")
def reports():
    pass


@reports.command("rebuild-facts",
                 help="Recompute every order's scoring facts (unit_facts) from its history: "
                 "run after a change of scoring formula, SLA policy or calendar.")
@click.option("--batch", type=int, default=500, show_default=True,
              help="orders per transaction")
def rebuild_facts(batch):
    from hotline.core.runtime import Runtime
    from hotline.reports.facts import rebuild_facts as run
    rt = Runtime.build()
    n = run(rt, batch=batch)
    # reports compute rates and scores from these facts with the formula in force
    click.echo(f"rebuilt the scoring facts of {n} orders "
               f"(scoring formula {rt.config.scoring.version})")

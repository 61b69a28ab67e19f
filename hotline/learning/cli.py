"""Service-side `hotline classify` commands: the learning loop needs the database."""
from __future__ import annotations

import click


def extend(group: click.Group) -> None:
    if "ensure-model" not in group.commands:
        group.add_command(ensure_model)
    train = group.commands.get("train")
    if train is not None and not any(p.name == "from_db" for p in train.params):
        original = train.callback
        train.params.append(click.Option(
            ["--from-db"], is_flag=True,
            help="Retrain from the seed corpus plus the centre's corrections in the "
                 "database, and publish to the service's model store."))

        def callback(from_db=False, **kw):
            if from_db:
                return _train_from_db()
            return original(**kw)
        train.callback = callback


def _train_from_db():
    from hotline.core.runtime import Runtime
    from hotline.learning.training import train_now
    out = train_now(Runtime.build(), progress=lambda done, total: click.echo(
        f"  cross-validation fold {done}/{total}", err=True))
    click.echo(f"published model {out['version']}: {out['examples']} seed examples + "
               f"{out['corrections']} corrections")


@click.command("ensure-model")
def ensure_model():
    """Train and publish the default model from the shipped seed corpus if none exists."""
    from hotline.classify.store import ModelStore
    from hotline.core.config import var_dir
    store = ModelStore(var_dir() / "models")
    if store.current_version():
        click.echo(f"model {store.current_version()} already published")
        return
    _train_from_db()

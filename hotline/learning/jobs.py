from hotline.core.jobs import runtime


def train_model(run_id: int) -> None:
    """rq job: retrain the classifier from the seed corpus and the centre's corrections."""
    from hotline.learning.training import execute_run
    execute_run(runtime(), run_id)

"""The web server freezes the preloaded heap before forking its workers (hotline/web/server.py
freeze_heap): full garbage collections of a worker then walk only what it allocated itself,
not the ~190,000 objects of the model and the dictionary (the inbox's p99 outlier)."""
import subprocess
import sys

PROBE = """
import gc, time
big = [[i] for i in range(200000)]     # stands in for the preloaded model: tracked objects
from hotline.web.server import freeze_heap
before = len(gc.get_objects(2))
freeze_heap()
after = len(gc.get_objects(2))
t = time.perf_counter(); gc.collect(2); took = time.perf_counter() - t
print(before, after, gc.get_freeze_count(), took)
"""


def test_freeze_heap_moves_preloaded_objects_out_of_the_full_collection():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         check=True).stdout.split()
    before, after, frozen, took = int(out[0]), int(out[1]), int(out[2]), float(out[3])
    assert before > 200000 and frozen > 200000
    assert after < 1000, after          # the full collection no longer sees them
    assert took < 0.05, took

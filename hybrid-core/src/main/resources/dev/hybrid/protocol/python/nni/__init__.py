"""A small, dependency-free implementation of NNI's trial API, shipped with Hybrid.

It speaks NNI's trial protocol (parameter.cfg, ME frames in $NNI_SYS_DIR/.nni/metrics on the local platform,
NNISDK_MEb'...' lines on stdout elsewhere), so NNI trial scripts run unchanged where the real ``nni`` package
is not installed. Where it is installed, Hybrid leaves it in charge: this module is found first (it is on
PYTHONPATH), looks for another ``nni`` on the running interpreter's path, and if there is one, loads it in its
place, so ``import nni`` gives the real package whichever interpreter runs the trial.
"""

import json
import os
import sys
import time


def _step_aside():
    """Replaces this module in sys.modules by the real nni package, when the running Python has one."""
    import importlib.machinery
    import importlib.util
    here = os.path.realpath(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    others = [p for p in sys.path if os.path.realpath(os.path.abspath(p or os.getcwd())) != here]
    try:
        spec = importlib.machinery.PathFinder.find_spec(__name__, others)
    except (ImportError, ValueError):
        return
    if spec is None or spec.loader is None:
        return
    bundled = sys.modules.get(__name__)
    real = importlib.util.module_from_spec(spec)
    sys.modules[__name__] = real
    try:
        spec.loader.exec_module(real)
    except Exception as e:  # a broken NNI installation: keep the bundled module rather than fail the trial
        for name in [n for n in sys.modules if n == __name__ or n.startswith(__name__ + ".")]:
            del sys.modules[name]
        if bundled is not None:
            sys.modules[__name__] = bundled
        sys.stderr.write("hybrid: the installed nni package (%s) cannot be imported (%r); using Hybrid's own nni "
                         "module\n" % (spec.origin, e))


_step_aside()
# When the real package took over, the import system hands it out instead of this module (it returns whatever
# sys.modules holds once this file has run); the definitions below then only fill this discarded module.

__all__ = [
    "get_next_parameter",
    "get_current_parameter",
    "report_intermediate_result",
    "report_final_result",
    "get_experiment_id",
    "get_trial_id",
    "get_sequence_id",
]

__version__ = "hybrid"

_params = None
_param_id = None
_param_index = 0
_intermediate_seq = 0
_received = False


def _platform():
    return os.environ.get("NNI_PLATFORM")


def _sys_dir():
    return os.environ.get("NNI_SYS_DIR", ".")


def _to_jsonable(value):
    if hasattr(value, "item") and callable(value.item):  # numpy and torch scalars
        return value.item()
    if hasattr(value, "tolist") and callable(value.tolist):
        return value.tolist()
    raise TypeError("cannot report a value of type %s" % type(value).__name__)


def _dumps(value):
    return json.dumps(value, default=_to_jsonable)


def _send(record):
    text = _dumps(record)
    if len(text) >= 1000000:
        raise ValueError("Metric too long")
    if _platform() == "local" and os.environ.get("REUSE_MODE") != "true":
        data = (text + "\n").encode("utf8")
        metrics_dir = os.path.join(_sys_dir(), ".nni")
        os.makedirs(metrics_dir, exist_ok=True)
        with open(os.path.join(metrics_dir, "metrics"), "ab") as f:
            f.write(b"ME" + b"%06d" % len(data) + data)
            f.flush()
    else:
        sys.stdout.write("NNISDK_ME%r\n" % (text.encode("utf8"),))
        sys.stdout.flush()


def _param_file(index):
    name = "parameter.cfg" if index == 0 else "parameter_%d.cfg" % index
    return os.path.join(_sys_dir(), name)


def get_next_parameter():
    """Returns this trial's parameters (a dict), or None once they have been handed out without MULTI_PHASE."""
    global _params, _param_id, _param_index, _received
    if _platform() is None:
        _params = {}
        _received = True
        return _params
    if _received and os.environ.get("MULTI_PHASE", "false").lower() != "true":
        return None
    path = _param_file(_param_index)
    if not os.path.exists(path):
        _send({"parameter_id": None, "trial_job_id": get_trial_id(), "type": "REQUEST_PARAMETER",
               "sequence": 0, "value": None})
    waited = 0.0
    while not (os.path.exists(path) and os.path.getsize(path) > 0):
        time.sleep(0.01 if waited < 1 else 0.5)
        waited += 0.01 if waited < 1 else 0.5
    with open(path, "r", encoding="utf8") as f:
        content = json.load(f)
    _params = content["parameters"]
    _param_id = content.get("parameter_id")
    _param_index += 1
    _received = True
    return _params


def get_current_parameter(tag=None):
    """The parameters last returned by get_next_parameter (or one of them, by name)."""
    if _params is None:
        return None
    return _params if tag is None else _params[tag]


def _check_received():
    if _platform() is not None and not _received:
        raise RuntimeError("nni.get_next_parameter() needs to be called before reporting results")


def report_intermediate_result(metric):
    """Reports an intermediate result: a number, or a dict with a numeric 'default'."""
    global _intermediate_seq
    _check_received()
    if _platform() is None:
        print("[nni standalone] intermediate result: %s" % (metric,))
        return
    _send({"parameter_id": _param_id, "trial_job_id": get_trial_id(), "type": "PERIODICAL",
           "sequence": _intermediate_seq, "value": _dumps(metric)})
    _intermediate_seq += 1


def report_final_result(metric):
    """Reports the trial's final result: a number, or a dict with a numeric 'default'."""
    _check_received()
    if _platform() is None:
        print("[nni standalone] final result: %s" % (metric,))
        return
    _send({"parameter_id": _param_id, "trial_job_id": get_trial_id(), "type": "FINAL",
           "sequence": 0, "value": _dumps(metric)})


def get_experiment_id():
    return os.environ.get("NNI_EXP_ID", "STANDALONE")


def get_trial_id():
    return os.environ.get("NNI_TRIAL_JOB_ID", "STANDALONE")


def get_sequence_id():
    return int(os.environ.get("NNI_TRIAL_SEQ_ID", "0"))

"""Runs one Hybrid trial inside an Azure ML command job and forwards its NNI metrics to the job's MLflow run.

Standard library only. The trial's metrics come from NNI's two channels: ME frames appended to
$NNI_SYS_DIR/.nni/metrics, and NNISDK_MEb'...' lines on stdout. Every metric gets the next step number (0, 1, 2...,
in the order they were read) and is sent once, in that order, before the next one:

- a value that is a finite number, whose sequence is the count of earlier metrics of its type (NNI's SDK numbers
  them so), becomes the MLflow metric "nni.PERIODICAL" or "nni.FINAL" at that step;
- anything else (a dict, text, NaN or Infinity, another sequence) becomes the run tag "nni.metric.<step>" holding
  {"type": ..., "sequence": ..., "value": <the value's JSON text>}, announced by the metric "nni.tagged" at that step.

When the trial has exited, its exit code is logged as the metric "nni.exit_code" and this process exits with it.
"""
import ast
import json
import math
import os
import queue
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

SELF_DIR = os.path.dirname(os.path.abspath(__file__))


def tracking_base():
    uri = os.environ.get("MLFLOW_TRACKING_URI", "")
    if uri.startswith("azureml://"):
        uri = "https://" + uri[len("azureml://"):]
    return uri.rstrip("/")


def token():
    return os.environ.get("MLFLOW_TRACKING_TOKEN") or os.environ.get("AZUREML_RUN_TOKEN") or ""


def post(path, body):
    """POSTs to the MLflow REST API, retrying throttling, server errors and connection errors."""
    data = json.dumps(body).encode("utf8")
    delay = 1.0
    for attempt in range(12):
        request = urllib.request.Request(tracking_base() + "/api/2.0/mlflow/" + path, data=data, method="POST")
        request.add_header("Content-Type", "application/json")
        request.add_header("Authorization", "Bearer " + token())
        wait = delay
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                response.read()
                return
        except urllib.error.HTTPError as e:
            text = e.read().decode("utf8", "replace")
            if e.code not in (408, 429, 500, 502, 503, 504) and "RequestThrottled" not in text:
                sys.stderr.write("hybrid: MLflow %s answered %d: %s\n" % (path, e.code, text[:500]))
                return
            retry_after = e.headers.get("Retry-After")
            if retry_after and retry_after.isdigit():
                wait = float(retry_after)
        except (urllib.error.URLError, OSError) as e:
            sys.stderr.write("hybrid: MLflow %s failed (%s), retrying\n" % (path, e))
        time.sleep(wait)
        delay = min(delay * 2, 30.0)
    sys.stderr.write("hybrid: giving up on MLflow %s\n" % path)


class Sender:
    """Numbers the metrics in the order they are read and sends them one after the other."""

    def __init__(self, run_id):
        self.run_id = run_id
        self.step = 0
        self.counts = {"PERIODICAL": 0, "FINAL": 0}
        self.pending = queue.Queue()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def add(self, record):
        self.pending.put(record)

    def finish(self, exit_code):
        self.pending.put(None)
        self.thread.join()
        self.metric("nni.exit_code", float(exit_code), 0)

    def metric(self, key, value, step):
        post("runs/log-metric", {"run_id": self.run_id, "key": key, "value": value,
                                 "timestamp": int(time.time() * 1000), "step": step})

    def loop(self):
        while True:
            record = self.pending.get()
            if record is None:
                return
            kind = record.get("type")
            if kind not in ("PERIODICAL", "FINAL"):
                continue
            value = record.get("value")
            text = value if isinstance(value, str) else json.dumps(value)
            number = None
            try:
                parsed = json.loads(text)
                if isinstance(parsed, (int, float)) and not isinstance(parsed, bool) and math.isfinite(parsed):
                    number = float(parsed)
                    if repr(number) != text and str(parsed) != text:
                        number = None  # keep text such as "1e400" or "0.10" exactly as written
            except ValueError:
                pass
            sequence = record.get("sequence", 0)
            if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 0:
                sequence = 0
            if sequence != self.counts[kind]:
                number = None
            self.counts[kind] += 1
            step = self.step
            self.step += 1
            if number is not None:
                self.metric("nni." + kind, number, step)
            else:
                post("runs/set-tag", {"run_id": self.run_id, "key": "nni.metric.%d" % step,
                                      "value": json.dumps({"type": kind, "sequence": sequence, "value": text})})
                self.metric("nni.tagged", float(step), step)


def parse_stdout_line(line):
    """The record of an NNISDK_MEb'...' line, or None."""
    text = line.decode("utf8", "replace").strip()
    if not text.startswith("NNISDK_ME"):
        return None
    try:
        payload = ast.literal_eval(text[len("NNISDK_ME"):])
        if isinstance(payload, bytes):
            payload = payload.decode("utf8")
        record = json.loads(payload)
        return record if isinstance(record, dict) else None
    except (ValueError, SyntaxError):
        return None


class FrameReader:
    """Reads the ME frames appended to .nni/metrics since the last call."""

    def __init__(self, path):
        self.path = path
        self.offset = 0
        self.buffer = b""

    def read(self, final=False):
        """The records of the frames appended since the last call; with final (the trial has exited), a stretch
        that never became a whole frame is skipped so that the frames after it are still read."""
        records = []
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                chunk = f.read()
        except FileNotFoundError:
            return records
        self.offset += len(chunk)
        self.buffer += chunk
        while True:
            start = self.buffer.find(b"ME")
            if start < 0:
                self.buffer = self.buffer[-1:] if self.buffer.endswith(b"M") else b""
                return records
            self.buffer = self.buffer[start:]
            if len(self.buffer) < 8:
                return records
            head = self.buffer[2:8]
            if not head.isdigit():
                self.buffer = self.buffer[2:]
                continue
            length = int(head)
            if len(self.buffer) < 8 + length:
                if not final:
                    return records
                sys.stderr.write("hybrid: skipped an incomplete metric frame\n")
                self.buffer = self.buffer[2:]
                continue
            body = self.buffer[8:8 + length]
            if not body.endswith(b"\n"):
                # Not a frame after all (garbage that looked like a header): look for the next one.
                sys.stderr.write("hybrid: skipped a malformed metric frame\n")
                self.buffer = self.buffer[2:]
                continue
            self.buffer = self.buffer[8 + length:]
            try:
                record = json.loads(body.decode("utf8"))
                if isinstance(record, dict):
                    records.append(record)
            except ValueError:
                sys.stderr.write("hybrid: skipped a malformed metric frame\n")


def main():
    cwd = os.getcwd()
    sys_dir = os.environ.get("NNI_SYS_DIR") or os.path.join(cwd, "outputs", "nni")
    sys_dir = os.path.abspath(sys_dir)
    os.makedirs(os.path.join(sys_dir, ".nni"), exist_ok=True)
    env = dict(os.environ)
    env["NNI_SYS_DIR"] = sys_dir
    env.setdefault("NNI_OUTPUT_DIR", sys_dir)
    env.setdefault("NNI_CODE_DIR", cwd)
    with open(os.path.join(sys_dir, "parameter.cfg.tmp"), "w") as f:
        f.write(os.environ.get("HYBRID_PARAMETERS", "{}"))
    os.replace(os.path.join(sys_dir, "parameter.cfg.tmp"), os.path.join(sys_dir, "parameter.cfg"))
    # The bundled module sits beside this script, so this script's folder (sys.path[0]) must not count.
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != SELF_DIR]
    try:
        import importlib.util
        has_nni = importlib.util.find_spec("nni") is not None
    except (ImportError, ValueError):
        has_nni = False
    if not has_nni:
        env["PYTHONPATH"] = SELF_DIR + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")

    sender = Sender(os.environ.get("MLFLOW_RUN_ID", ""))
    frames = FrameReader(os.path.join(sys_dir, ".nni", "metrics"))
    lock = threading.Lock()
    trial = subprocess.Popen(["bash", "-c", os.environ["HYBRID_TRIAL_COMMAND"]], cwd=cwd, env=env,
                             stdout=subprocess.PIPE)

    def read_stdout():
        for line in iter(trial.stdout.readline, b""):
            sys.stdout.buffer.write(line)
            sys.stdout.flush()
            record = parse_stdout_line(line)
            if record is not None:
                with lock:
                    sender.add(record)

    reader = threading.Thread(target=read_stdout, daemon=True)
    reader.start()
    while trial.poll() is None:
        with lock:
            for record in frames.read():
                sender.add(record)
        time.sleep(0.1)
    reader.join()
    with lock:
        for record in frames.read(final=True):
            sender.add(record)
    code = trial.returncode
    if code < 0:
        code = 128 - code
    sender.finish(code)
    sys.exit(code)


if __name__ == "__main__":
    main()

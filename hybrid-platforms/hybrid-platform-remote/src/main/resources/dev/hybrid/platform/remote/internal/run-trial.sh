#!/bin/bash
# Runs one trial of a Hybrid experiment in its own session, detached from the SSH connection that started it:
# prepares the trial's directory, runs the command with NNI's environment in the experiment's one copy of the code
# (shared by every trial on the machine, as local trials share the code directory), and writes .nni/state
# ("<exit code> <epoch ms>") when it ends, even when it was stopped by a signal.
id=$1
seq=$2
gpus=$3
root=$HYBRID_EXP_ROOT
d="$root/trials/$id"
mkdir -p "$d/.nni" || exit 1
echo $$ > "$d/.nni/pid"
printf '%s' "$4" > "$d/parameter.cfg"
. "$root/.hybrid/env.sh"
trap 'hybrid_signalled=1' TERM INT HUP
code=0
export NNI_TRIAL_JOB_ID="$id" NNI_SYS_DIR="$d" NNI_OUTPUT_DIR="$d" NNI_TRIAL_SEQ_ID="$seq" MULTI_PHASE=false
export NNI_CODE_DIR="$root/nni-code"
case $gpus in
  -) ;;
  none) export CUDA_VISIBLE_DEVICES=-1 ;;
  *) export CUDA_VISIBLE_DEVICES="$gpus" ;;
esac
[ -n "$HYBRID_PYTHON_PATH" ] && export PATH="$HYBRID_PYTHON_PATH:$PATH"
[ -e "$root/.hybrid/use-sdk" ] && export PYTHONPATH="$root/.hybrid/python${PYTHONPATH:+:$PYTHONPATH}"
if cd "$NNI_CODE_DIR" 2>>"$d/stderr"; then
  bash -c "$HYBRID_COMMAND" </dev/null >>"$d/stdout" 2>>"$d/stderr"
  code=$?
else
  code=126
fi
if [ -n "$EPOCHREALTIME" ]; then
  now=${EPOCHREALTIME/[.,]/}
  now=${now:0:${#now}-3}
else
  now=$(date +%s)000
fi
printf '%s %s\n' "$code" "$now" > "$d/.nni/state"
# What the trial left running in its process group (children it started in the background) ends with it, and this
# script with them: it has nothing left to do. A process that must outlive its trial starts a session of its own
# (setsid).
kill -KILL -- "-$$"

#!/bin/bash
# Hybrid's machine monitor. One runs per SSH connection: it reads commands on stdin (one per line), starts trials
# detached from the connection (so that a dropped connection does not end them), and streams what they append to
# .nni/metrics and stdout back on stdout, framed as "@@ <trial> <kind> <length>" lines followed by the bytes.
# It exits at end of input; the trials go on, and the next monitor re-attaches them from the offsets it is given.
# Each trial is launched with a token naming the run that launched it ("<jvm>.<platform>"): a trial's processes carry
# it and the trial's directory in their environment, and its launch mark records it with the process group.
root=$1
tick=$2
jvm=${3:-}
# Once nothing has changed for quiet_after_ms, the interval between scans doubles from the tick up to idle_ms, so that a
# machine whose trials are quiet (training between epochs, sleeping) costs almost no CPU, while trials that start, end
# or report often are still seen within a tick; any output, end or command resets it.
tick_ms=$(( 10#${tick%.*} * 1000 + 10#${tick#*.} ))
(( tick_ms < 1 )) && tick_ms=1
idle_ms=500
(( idle_ms < tick_ms )) && idle_ms=$tick_ms
quiet_after_ms=1000
wait_ms=$tick_ms
quiet_ms=0
changed=0
export HYBRID_EXP_ROOT=$root
set -C
declare -A pid moff soff
ids=()
max_chunk=1048576

say() { printf '@@ %s\n' "$*"; changed=1; }

# send TRIAL KIND FILE FROM TO: the bytes [FROM, TO) of FILE, at most max_chunk of them; prints how many it sent.
send() {
  local n=$(( $5 - $4 ))
  (( n > max_chunk )) && n=$max_chunk
  printf '@@ %s %s %d\n' "$1" "$2" "$n"
  changed=1
  dd if="$3" bs=65536 iflag=skip_bytes,count_bytes skip="$4" count="$n" status=none 2>/dev/null
  sent=$n
}

forget() {
  local keep=() i
  for i in "${ids[@]}"; do [ "$i" != "$1" ] && keep+=("$i"); done
  ids=("${keep[@]}")
  unset "pid[$1]" "moff[$1]" "soff[$1]"
}

# end_earlier KEEP [DIR]: SIGKILL the trial processes that another run launched (their token does not start with KEEP),
# for trial directory DIR or for every trial, and wait for them to be gone. A process counts only when its environment
# names the trial and its process group is the one the trial's launch mark records, so a reused process id is never
# signalled and a process that started a session of its own (setsid) is left alone.
end_earlier() {
  local keep=$1 only=${2:-} f kv dir tok p s rest lead ended=() n=0
  for f in /proc/[0-9]*/environ; do
    dir= tok=
    while IFS= read -r -d '' kv; do
      case $kv in
        HYBRID_TRIAL_DIR=*) dir=${kv#*=} ;;
        HYBRID_TRIAL_TOKEN=*) tok=${kv#*=} ;;
      esac
    done 2>/dev/null < "$f"
    [ -n "$dir" ] && [ -n "$tok" ] && [ "${dir%/*}" = "$root/trials" ] || continue
    [ -z "$only" ] || [ "$dir" = "$only" ] || continue
    [[ $tok == "$keep"* ]] && continue
    p=${f#/proc/}; p=${p%/environ}
    read -r s 2>/dev/null < "/proc/$p/stat" || continue
    rest=${s##*) }
    set -- $rest
    lead=
    read -r lead _ 2>/dev/null < "$root/trials/.${dir##*/}.launch"
    [ -n "$lead" ] && [ "$3" = "$lead" ] || continue
    kill -KILL "$p" 2>/dev/null && ended+=("$p")
  done
  for p in "${ended[@]}"; do
    while kill -0 "$p" 2>/dev/null && (( n++ < 200 )); do sleep 0.05; done
  done
}

run() { # run ID SEQ GPUS METRICS_OFFSET STDOUT_OFFSET TOKEN PARAMETER_JSON
  local id=$1 mark="$root/trials/.$1.launch" d="$root/trials/$1" p= tok=
  read -r p tok 2>/dev/null < "$mark"
  if [ -n "$tok" ] && [ "$tok" != "$6" ]; then
    # An attempt launched by another run (before a resume): it ends before this one starts, and its files go, so
    # that nothing of it is read for the new attempt.
    end_earlier "$6" "$d"
    rm -rf "$mark" "$d/.nni/metrics" "$d/.nni/state" "$d/.nni/pid" "$d/stdout" "$d/stderr" "$d/code"
  fi
  p=
  if { : > "$mark"; } 2>/dev/null; then
    HYBRID_TRIAL_DIR="$d" HYBRID_TRIAL_TOKEN="$6" \
      setsid bash "$root/.hybrid/run-trial.sh" "$id" "$2" "$3" "$7" </dev/null >/dev/null 2>&1 &
    p=$!
    printf '%s %s\n' "$p" "$6" >| "$mark"
  else
    read -r p tok < "$mark"
    [ -z "$p" ] && read -r p < "$d/.nni/pid"
  fi 2>/dev/null
  if [ -z "${pid[$id]+x}" ]; then
    # Offsets count only for a trial not yet watched: a repeated run must not send bytes twice.
    ids+=("$id")
    moff[$id]=$4
    soff[$id]=$5
  fi
  pid[$id]=${p:-0}
  say "$id started ${p:-0}"
}

signal() { # signal ID SIG
  local p=${pid[$1]:-}
  [ -z "$p" ] && read -r p _ 2>/dev/null < "$root/trials/.$1.launch"
  { [ -z "$p" ] || [ "$p" = 0 ]; } && return
  if [ -s "$root/trials/$1/.nni/state" ]; then
    # The trial has ended: only what is left of its process group is signalled (a group that still has members
    # keeps its id, so it cannot belong to someone else).
    kill -"$2" -- "-$p" 2>/dev/null
    return
  fi
  kill -"$2" -- "-$p" 2>/dev/null
  kill -"$2" "$p" 2>/dev/null
  pkill -"$2" -s "$p" 2>/dev/null
}

scan() {
  (( ${#ids[@]} )) || return
  local args=() i d name s
  local -A alive=() size=()
  for i in "${ids[@]}"; do
    # Liveness first: a trial found dead here has written its state (if it ever will) before the stat below.
    if kill -0 "${pid[$i]}" 2>/dev/null; then alive[$i]=1; else alive[$i]=0; fi
    d="$root/trials/$i"
    args+=("$d/.nni/state" "$d/.nni/metrics" "$d/stdout")
  done
  while IFS='|' read -r name s; do size[$name]=$s; done < <(stat -c '%n|%s' -- "${args[@]}" 2>/dev/null)
  for i in "${ids[@]}"; do
    d="$root/trials/$i"
    local ss=${size[$d/.nni/state]:-0} ms=${size[$d/.nni/metrics]:-0} os=${size[$d/stdout]:-0} done=1
    if (( ms < moff[$i] )); then say "$i mreset"; moff[$i]=0; fi
    if (( os < soff[$i] )); then say "$i oreset"; soff[$i]=0; fi
    if (( ms > moff[$i] )); then send "$i" m "$d/.nni/metrics" "${moff[$i]}" "$ms"; moff[$i]=$(( moff[$i] + sent )); fi
    if (( os > soff[$i] )); then send "$i" o "$d/stdout" "${soff[$i]}" "$os"; soff[$i]=$(( soff[$i] + sent )); fi
    (( moff[$i] < ms || soff[$i] < os )) && done=0
    if (( done && ss > 0 )); then
      local state=
      read -r state < "$d/.nni/state"
      if [ "${state%% *}" != 0 ]; then
        local es
        es=$(stat -c %s "$d/stderr" 2>/dev/null) || es=0
        if (( es > 0 )); then
          local from=$(( es > 4096 ? es - 4096 : 0 ))
          send "$i" e "$d/stderr" "$from" "$es"
        fi
      fi
      say "$i end $state"
      forget "$i"
    elif (( done && alive[$i] == 0 )); then
      say "$i gone"
      forget "$i"
    fi
  done
}

handle() {
  local cmd a1 a2 a3 a4 a5 a6 rest
  IFS=' ' read -r cmd a1 a2 a3 a4 a5 a6 rest <<< "$1"
  case $cmd in
    run) run "$a1" "$a2" "$a3" "$a4" "$a5" "$a6" "$rest" ;;
    signal) signal "$a1" "$a2" ;;
    forget) forget "$a1" ;;
    ping) say "- pong $a1" ;;
    exit) exit 0 ;;
  esac
}

# Trial processes that a run in another JVM launched (it died without ending them) end before anything runs.
[ -n "$jvm" ] && end_earlier "$jvm."
say "- ready 1"
# A read that times out keeps what it had read of an unfinished line in "pending": no command is ever cut.
pending=
while :; do
  if (( ${#ids[@]} )); then printf -v to '%d.%03d' $(( wait_ms / 1000 )) $(( wait_ms % 1000 )); else to=3600; fi
  line=
  IFS= read -r -t "$to" line
  rc=$?
  if (( rc > 128 )); then
    pending+=$line
    changed=0
    scan
    if (( changed )); then
      wait_ms=$tick_ms
      quiet_ms=0
    else
      quiet_ms=$(( quiet_ms + wait_ms ))
      (( quiet_ms >= quiet_after_ms )) && wait_ms=$(( wait_ms * 2 > idle_ms ? idle_ms : wait_ms * 2 ))
    fi
    continue
  fi
  wait_ms=$tick_ms
  quiet_ms=0
  line=$pending$line
  pending=
  if (( rc != 0 )) && [ -z "$line" ]; then
    exit 0
  fi
  while :; do
    handle "$line"
    (( rc != 0 )) && exit 0
    read -r -t 0 || break
    line=
    IFS= read -r line
    rc=$?
    if (( rc != 0 )) && [ -z "$line" ]; then
      exit 0
    fi
  done
  scan
done

#!/bin/bash
# Hybrid's machine monitor. One runs per SSH connection: it reads commands on stdin (one per line), starts trials
# detached from the connection (so that a dropped connection does not end them), and streams what they append to
# .nni/metrics and stdout back on stdout, framed as "@@ <trial> <kind> <length>" lines followed by the bytes.
# It exits at end of input; the trials go on, and the next monitor re-attaches them from the offsets it is given.
root=$1
tick=$2
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

run() { # run ID SEQ GPUS METRICS_OFFSET STDOUT_OFFSET PARAMETER_JSON
  local id=$1 mark="$root/trials/.$1.launch" p=
  if { : > "$mark"; } 2>/dev/null; then
    setsid bash "$root/.hybrid/run-trial.sh" "$id" "$2" "$3" "$6" </dev/null >/dev/null 2>&1 &
    p=$!
    printf '%s\n' "$p" >| "$mark"
  else
    read -r p < "$mark"
    [ -z "$p" ] && read -r p < "$root/trials/$id/.nni/pid"
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
  [ -z "$p" ] && read -r p < "$root/trials/.$1.launch" 2>/dev/null
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
  local cmd a1 a2 a3 a4 a5 rest
  IFS=' ' read -r cmd a1 a2 a3 a4 a5 rest <<< "$1"
  case $cmd in
    run) run "$a1" "$a2" "$a3" "$a4" "$a5" "$rest" ;;
    signal) signal "$a1" "$a2" ;;
    forget) forget "$a1" ;;
    ping) say "- pong $a1" ;;
    exit) exit 0 ;;
  esac
}

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

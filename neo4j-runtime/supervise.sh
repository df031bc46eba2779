#!/usr/bin/env bash
# Runs a command (the Neo4j JVM) and makes sure it never outlives its owner process.
#
#   supervise.sh OWNER_PID -- java ...args
#
# - SIGTERM/SIGINT/SIGHUP to this script: forwards SIGTERM to the JVM and waits for it to exit
#   (Neo4j releases its store lock on a clean shutdown; SIGKILL would leave it held).
# - If OWNER_PID disappears (the Node process crashed or was SIGKILLed), the JVM is stopped
#   the same way within about one second.
set -u
owner="$1"; shift
if [ "${1:-}" = "--" ]; then shift; fi

"$@" &
child=$!

stop_child() {
  if kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null
  fi
  wait "$child"
  exit 0
}
trap stop_child TERM INT HUP

while kill -0 "$owner" 2>/dev/null && kill -0 "$child" 2>/dev/null; do
  sleep 1 &
  wait $!
done
stop_child

#!/usr/bin/env bash
# Runs a command (the Neo4j JVM) and makes sure it never outlives its owner process.
#
#   supervise.sh OWNER_PID -- java ...args
#
# - SIGTERM/SIGINT/SIGHUP to this script: forwards SIGTERM to the JVM and waits for it to exit
#   (Neo4j releases its store lock on a clean shutdown; SIGKILL would leave it held).
# - If OWNER_PID disappears (the Node process crashed or was SIGKILLed), the JVM is stopped
#   the same way within about one second.
# - If the JVM dies by itself (crash, OOM, kill -9), this script exits within about one second
#   with the JVM's exit status (137 for SIGKILL), so the owner can log it and restart it.
# - SUPERVISE_PID_FILE (optional): the JVM's pid is written there once it is launched.
set -u
owner="$1"; shift
if [ "${1:-}" = "--" ]; then shift; fi

"$@" &
child=$!
if [ -n "${SUPERVISE_PID_FILE:-}" ]; then echo "$child" > "$SUPERVISE_PID_FILE"; fi

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
if ! kill -0 "$child" 2>/dev/null; then
  # The JVM is gone on its own: report how it ended.
  wait "$child"
  exit $?
fi
stop_child

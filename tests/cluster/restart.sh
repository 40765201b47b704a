#!/usr/bin/env bash
# Restarts one component of a running test cluster, for the fault tests
# (kube-apiserver or etcd restarted while executions run, the S3 server
# down for a while): stops it (SIGTERM, SIGKILL after 5 s; --kill: SIGKILL
# at once), keeps it down for --down SECONDS (default 0), starts it again
# with the argv up.sh recorded, and waits until it serves again: for etcd
# and kube-apiserver the API server's /readyz (which checks etcd), for a
# versitygw its port. Loopback only, like up.sh; no shell evaluates the
# recorded argv.
#   usage: restart.sh [--kill] [--down SECONDS] NAME
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

signal=TERM down=0
while [[ $# -gt 1 ]]; do
	case "$1" in
	--kill) signal=KILL; shift ;;
	--down) down="$2"; shift 2 ;;
	*) die "unknown option '$1' (usage: restart.sh [--kill] [--down SECONDS] NAME)" ;;
	esac
done
name="${1:?usage: restart.sh [--kill] [--down SECONDS] NAME}"
RUN="$SLUICE_TESTENV_RUN"
pidfile="$RUN/pids/$name.pid" cmdfile="$RUN/cmds/$name"
[[ -f "$pidfile" && -f "$cmdfile" ]] || die "no running component '$name' in $RUN (see $RUN/pids)"

pid="$(cat "$pidfile")"
# setsid made each component the leader of its own process group.
kill "-$signal" -- "-$pid" 2>/dev/null || true
for _ in $(seq 1 50); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
kill -KILL -- "-$pid" 2>/dev/null || true
while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
sleep "$down"

mapfile -d '' argv <"$cmdfile"
if [[ "$name" == versitygw* ]]; then
	# The store's keys come from the run's env file (mode 600), as up.sh
	# handed them over: through the environment, never the command line.
	# shellcheck disable=SC1091
	source "$RUN/env"
	export ROOT_ACCESS_KEY="$SLUICE_TEST_S3_ACCESS_KEY" ROOT_SECRET_KEY="$SLUICE_TEST_S3_SECRET_KEY"
fi
echo "[restart.sh] restarting $name after ${down}s down" >>"$RUN/logs/$name.log"
setsid "${argv[@]}" >>"$RUN/logs/$name.log" 2>&1 </dev/null &
echo $! >"$pidfile"

serving() {
	case "$name" in
	etcd | kube-apiserver)
		local server
		server="$(sed -n 's/^ *server: *//p' "$RUN/admin.kubeconfig" | head -1)"
		curl -sf --cacert "$RUN/pki/ca.crt" --cert "$RUN/pki/admin.crt" --key "$RUN/pki/admin.key" "$server/readyz"
		;;
	versitygw*)
		local i addr=""
		for ((i = 0; i < ${#argv[@]}; i++)); do [[ "${argv[$i]}" == --port ]] && addr="${argv[$((i + 1))]}"; done
		curl -sk -o /dev/null "http://$addr/" || curl -sk -o /dev/null "https://$addr/"
		;;
	*) kill -0 "$(cat "$pidfile")" ;;
	esac
}
deadline=$((SECONDS + 90))
until serving >/dev/null 2>&1; do
	if ((SECONDS >= deadline)); then
		tail -n 30 "$RUN/logs/$name.log" >&2
		die "$name did not serve again within 90 s"
	fi
	sleep 0.2
done
log "restarted $name (down ${down}s)"

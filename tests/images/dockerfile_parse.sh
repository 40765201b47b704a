# Sourced by the tests/images checks: a small Dockerfile reader, enough for
# the Dockerfiles in images/ (no heredocs, no JSON-form COPY).
#
# parse_dockerfile FILE fills:
#   DF_INSTR[i]   instruction keyword (upper case), continuation lines joined
#   DF_ARGS[i]    the rest of the instruction
#   DF_STAGE[i]   index of the stage it belongs to (-1: before the first FROM)
#   DF_GLOBAL_ARG[name]=default   ARGs declared before the first FROM
#   DF_NSTAGES    number of FROM instructions

declare -a DF_INSTR DF_ARGS DF_STAGE
declare -A DF_GLOBAL_ARG
DF_NSTAGES=0

parse_dockerfile() {
	local file="$1" line logical="" stage=-1
	DF_INSTR=() DF_ARGS=() DF_STAGE=() DF_GLOBAL_ARG=() DF_NSTAGES=0
	while IFS= read -r line || [[ -n "$line" ]]; do
		# Comment lines are dropped, also inside a continued instruction.
		[[ "$line" =~ ^[[:space:]]*# ]] && continue
		if [[ "$line" =~ ^(.*)\\[[:space:]]*$ ]]; then
			logical+="${BASH_REMATCH[1]} "
			continue
		fi
		logical+="$line"
		if [[ "$logical" =~ ^[[:space:]]*([A-Za-z]+)[[:space:]]+(.*)$ ]]; then
			local instr="${BASH_REMATCH[1]^^}" args="${BASH_REMATCH[2]}"
			if [[ "$instr" == FROM ]]; then
				stage=$((stage + 1))
				DF_NSTAGES=$((stage + 1))
			fi
			if [[ "$instr" == ARG && $stage -lt 0 && "$args" =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]]; then
				DF_GLOBAL_ARG["${BASH_REMATCH[1]}"]="${BASH_REMATCH[2]}"
			fi
			DF_INSTR+=("$instr")
			DF_ARGS+=("$args")
			DF_STAGE+=("$stage")
		fi
		logical=""
	done <"$file"
}

# Expands ${NAME} and $NAME from the global ARG defaults.
expand_global_args() {
	local s="$1" name
	for name in "${!DF_GLOBAL_ARG[@]}"; do
		s="${s//\$\{$name\}/${DF_GLOBAL_ARG[$name]}}"
		s="${s//\$$name/${DF_GLOBAL_ARG[$name]}}"
	done
	printf '%s' "$s"
}

# Prints the packages of every `apt-get install` in stage STAGE, one a line.
apt_packages_of_stage() {
	local stage="$1" i word collecting prev=""
	for i in "${!DF_INSTR[@]}"; do
		[[ "${DF_INSTR[$i]}" == RUN && "${DF_STAGE[$i]}" == "$stage" ]] || continue
		collecting=0
		# Word splitting is what we want here: shell words of the RUN line.
		# shellcheck disable=SC2086
		set -f
		for word in ${DF_ARGS[$i]}; do
			if ((collecting)); then
				case "$word" in
				'&&' | ';' | '||' | '|') collecting=0 ;;
				-*) ;;
				*) printf '%s\n' "$word" ;;
				esac
			elif [[ "$word" == install && "$prev" == apt-get ]]; then
				collecting=1
			fi
			prev="$word"
		done
		set +f
	done
}

# Prints the argument list of instruction i with flags (--from=..., --chown=...) removed.
instruction_operands() {
	local word
	set -f
	# shellcheck disable=SC2086
	for word in ${DF_ARGS[$1]}; do
		[[ "$word" == --* ]] || printf '%s\n' "$word"
	done
	set +f
}

# Prints the --from= value of instruction i, or nothing.
instruction_from_flag() {
	[[ "${DF_ARGS[$1]}" =~ --from=([^[:space:]]+) ]] && printf '%s' "${BASH_REMATCH[1]}"
	return 0
}

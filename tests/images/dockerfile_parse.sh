# Sourced by the tests/images checks: a small Dockerfile reader, enough for
# the Dockerfiles in images/ (no heredocs, no JSON-form COPY).
#
# parse_dockerfile FILE fills:
#   DF_INSTR[i]   instruction keyword (upper case), continuation lines joined
#   DF_ARGS[i]    the rest of the instruction
#   DF_STAGE[i]   index of the stage it belongs to (-1: before the first FROM)
#   DF_GLOBAL_ARG[name]=default   ARGs declared before the first FROM; an
#                 ARG without a default is there with the value DF_NO_DEFAULT
#   DF_NSTAGES    number of FROM instructions

declare -a DF_INSTR DF_ARGS DF_STAGE
declare -A DF_GLOBAL_ARG
DF_NSTAGES=0
# Not a value a Dockerfile can spell: marks "declared, no default".
DF_NO_DEFAULT=$'\x01no-default'

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
			args="${args%"${args##*[![:space:]]}"}" # trailing blanks
			if [[ "$instr" == FROM ]]; then
				stage=$((stage + 1))
				DF_NSTAGES=$((stage + 1))
			fi
			if [[ "$instr" == ARG && $stage -lt 0 ]]; then
				if [[ "$args" =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]]; then
					DF_GLOBAL_ARG["${BASH_REMATCH[1]}"]="${BASH_REMATCH[2]}"
				elif [[ "$args" =~ ^([A-Za-z_][A-Za-z0-9_]*)$ ]]; then
					DF_GLOBAL_ARG["${BASH_REMATCH[1]}"]="$DF_NO_DEFAULT"
				fi
			fi
			DF_INSTR+=("$instr")
			DF_ARGS+=("$args")
			DF_STAGE+=("$stage")
		fi
		logical=""
	done <"$file"
}

# Expands ${NAME} and $NAME from the global ARG defaults (ARGs without a
# default are left as they are).
expand_global_args() {
	local s="$1" name
	for name in "${!DF_GLOBAL_ARG[@]}"; do
		[[ "${DF_GLOBAL_ARG[$name]}" == "$DF_NO_DEFAULT" ]] && continue
		s="${s//\$\{$name\}/${DF_GLOBAL_ARG[$name]}}"
		s="${s//\$$name/${DF_GLOBAL_ARG[$name]}}"
	done
	printf '%s' "$s"
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

# Prints KEY<TAB>VALUE for each key="value" (or key=value) pair of a LABEL
# instruction's arguments.
label_pairs() {
	local rest="$1"
	while [[ "$rest" =~ ^[[:space:]]*([A-Za-z0-9._/-]+)=(\"([^\"]*)\"|([^[:space:]\"]*))(.*)$ ]]; do
		printf '%s\t%s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[3]}${BASH_REMATCH[4]}"
		rest="${BASH_REMATCH[5]}"
	done
}

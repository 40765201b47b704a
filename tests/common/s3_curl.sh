# Sourced by the e2e scripts and the demo: S3 requests from the host with
# curl's own SigV4 signing (--aws-sigv4), against the test store at
# $SLUICE_TEST_S3_ENDPOINT with the keys up.sh made. The keys go to curl
# through a config on standard input, never on its command line.

# s3_curl METHOD PATH [CURL_ARGS...]: one signed request, body on stdout;
# fails (curl -f) on an HTTP error.
s3_curl() {
	local method="$1" path="$2"
	shift 2
	printf 'user = "%s:%s"\n' "$SLUICE_TEST_S3_ACCESS_KEY" "$SLUICE_TEST_S3_SECRET_KEY" |
		curl -sS -f -K - --aws-sigv4 "aws:amz:${SLUICE_TEST_S3_REGION:-us-east-1}:s3" \
			-H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -X "$method" "$@" "$SLUICE_TEST_S3_ENDPOINT/$path"
}

# s3_make_bucket BUCKET: creates it; an existing bucket of ours is fine.
s3_make_bucket() {
	s3_curl PUT "$1" -o /dev/null 2>/dev/null || s3_curl HEAD "$1" -I -o /dev/null
}

# s3_put FILE BUCKET/KEY and s3_get BUCKET/KEY (to stdout).
s3_put() { s3_curl PUT "$2" -T "$1" -o /dev/null; }
s3_get() { s3_curl GET "$1"; }

# s3_list BUCKET PREFIX: the keys below PREFIX, one a line (first 1,000).
# The prefix goes URI-encoded ('/' as %2F): SigV4 signs the query in that
# form, and curl signs it as written.
s3_list() {
	s3_curl GET "$1?list-type=2&prefix=${2//\//%2F}" | grep -o '<Key>[^<]*</Key>' | sed 's#</\?Key>##g'
}

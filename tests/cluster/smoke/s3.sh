#!/usr/bin/env bash
# e2e: an object can be put to and read back from the S3 server, with SigV4
# signing (curl's), over loopback.
set -euo pipefail
: "${SLUICE_TEST_S3_ENDPOINT:?not set: start the cluster with tests/cluster/up.sh --s3}"
bucket="smoke-$RANDOM$RANDOM"
body="$(head -c 4096 /dev/urandom | base64 -w0)"
# curl 7.88 signs with SigV4 but does not send x-amz-content-sha256, which S3
# requires; UNSIGNED-PAYLOAD is the documented value for an unhashed body.
s3() { # keys pass through curl's config on stdin, never argv
	printf 'user = "%s:%s"\n' "$SLUICE_TEST_S3_ACCESS_KEY" "$SLUICE_TEST_S3_SECRET_KEY" |
		curl -sS -K - --fail-with-body --aws-sigv4 "aws:amz:${SLUICE_TEST_S3_REGION}:s3" \
			-H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"
}
s3 -X PUT "$SLUICE_TEST_S3_ENDPOINT/$bucket" >/dev/null
s3 -X PUT --data-binary "$body" -H 'Content-Type: application/octet-stream' "$SLUICE_TEST_S3_ENDPOINT/$bucket/dir/obj.txt" >/dev/null
got="$(s3 "$SLUICE_TEST_S3_ENDPOINT/$bucket/dir/obj.txt")"
[[ "$got" == "$body" ]] || { echo "FAIL: object read back differs (${#got} vs ${#body} bytes)" >&2; exit 1; }
echo "ok: put and get of a 4 KiB object"
code="$(printf 'user = "%s:wrong"\n' "$SLUICE_TEST_S3_ACCESS_KEY" | curl -s -K - -o /dev/null -w "%{http_code}" --aws-sigv4 "aws:amz:${SLUICE_TEST_S3_REGION}:s3" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$SLUICE_TEST_S3_ENDPOINT/$bucket/dir/obj.txt")"
[[ "$code" == 403 ]] || { echo "FAIL: wrong secret got HTTP $code, want 403" >&2; exit 1; }
echo "ok: wrong credentials refused (403)"
s3 -X DELETE "$SLUICE_TEST_S3_ENDPOINT/$bucket/dir/obj.txt" >/dev/null
s3 -X DELETE "$SLUICE_TEST_S3_ENDPOINT/$bucket" >/dev/null

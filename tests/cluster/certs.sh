# Certificate helpers for up.sh (sourced). Every key is made fresh for one
# cluster run and lives only in its 0700 run directory.

# gen_ca DIR
gen_ca() {
	local d="$1"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=sluice-testenv-ca" \
		-keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null
}

# gen_cert DIR NAME SUBJECT EXT_USAGE [SAN]
# Signs NAME.crt with the CA; EXT_USAGE is serverAuth or clientAuth.
gen_cert() {
	local d="$1" name="$2" subj="$3" usage="$4" san="${5:-}"
	openssl req -newkey rsa:2048 -nodes -subj "$subj" \
		-keyout "$d/$name.key" -out "$d/$name.csr" 2>/dev/null
	{
		echo "basicConstraints=CA:FALSE"
		echo "keyUsage=critical,digitalSignature,keyEncipherment"
		echo "extendedKeyUsage=$usage"
		[[ -n "$san" ]] && echo "subjectAltName=$san"
	} >"$d/$name.ext"
	openssl x509 -req -in "$d/$name.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
		-days 2 -extfile "$d/$name.ext" -out "$d/$name.crt" 2>/dev/null
	rm -f "$d/$name.csr" "$d/$name.ext"
}

# write_kubeconfig FILE SERVER PKI NAME: a kubeconfig with embedded data.
write_kubeconfig() {
	local f="$1" server="$2" pki="$3" name="$4"
	cat >"$f" <<KC
apiVersion: v1
kind: Config
clusters:
- name: sluice-testenv
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 "$pki/ca.crt")
users:
- name: $name
  user:
    client-certificate-data: $(base64 -w0 "$pki/$name.crt")
    client-key-data: $(base64 -w0 "$pki/$name.key")
contexts:
- name: sluice-testenv
  context: {cluster: sluice-testenv, user: $name, namespace: default}
current-context: sluice-testenv
KC
	chmod 600 "$f"
}

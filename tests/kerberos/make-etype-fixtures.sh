#!/usr/bin/env bash
# Records a real MIT Kerberos exchange in each encryption type, for authscope's tests:
#   tests/kerberos/make-etype-fixtures.sh OUTDIR [ETYPE...]
# For each etype (by name: des3-cbc-sha1, aes128-cts-hmac-sha1-96, …) a throwaway realm
# CONTOSO.TEST on 127.0.0.1 whose only key type is that one (krbtgt, bob, HTTP/localhost), then:
#   kinit bob (password Builder2, preauth required)   → AS-REQ ×2, KRB-ERROR, AS-REP
#   kvno HTTP/localhost                               → TGS-REQ, TGS-REP
#   curl --negotiate against a local 401 Negotiate    → the Authorization header (SPNEGO AP-REQ)
# recorded over TCP by kdc-recorder.py. OUTDIR/ETYPE/ gets exchange.txt (one hex message per
# line, '>' to the KDC, '<' back), negotiate.txt, http.keytab, krbtgt.keytab (-norandkey: the
# KDC's real key), ccache (FILE v4), ccache-v3, cred.kirbi (KRB-CRED from the ccache, made by
# impacket's CCache.toKRBCRED), klist.txt, s4u.txt (kinit -k as HTTP/localhost, then
# kvno -U bob: S4U2Self) and, for aes256-cts-hmac-sha1-96, impacket-silver.ccache (a ticket with a
# Windows-style PAC made by impacket's ticketer under HTTP/localhost's key).
# Needs Debian's krb5-kdc, krb5-admin-server, krb5-user, curl, and impacket (PyPI).
set -euo pipefail
out=$(mkdir -p "$1" && cd "$1" && pwd); shift
here=$(cd "$(dirname "$0")" && pwd)
etypes=("$@")
[ ${#etypes[@]} -gt 0 ] || etypes=(des3-cbc-sha1 aes128-cts-hmac-sha1-96 aes256-cts-hmac-sha1-96 \
  aes128-cts-hmac-sha256-128 aes256-cts-hmac-sha384-192 arcfour-hmac arcfour-hmac-exp \
  camellia128-cts-cmac camellia256-cts-cmac)
realm=CONTOSO.TEST
port=18800
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
for e in "${etypes[@]}"; do
  port=$((port + 10))
  kdc_port=$port recorder_port=$((port + 1)) http_port=$((port + 2))
  dir=$(mktemp -d)
  dest=$out/$e
  rm -rf "$dest"; mkdir -p "$dest"
  cat > "$dir/krb5.conf" <<CONF
[libdefaults]
  default_realm = $realm
  dns_lookup_kdc = false
  dns_lookup_realm = false
  rdns = false
  allow_weak_crypto = true
  allow_des3 = true
  allow_rc4 = true
  udp_preference_limit = 1
  permitted_enctypes = $e
  default_tkt_enctypes = $e
  default_tgs_enctypes = $e
[realms]
  $realm = {
    kdc = 127.0.0.1:$recorder_port
  }
[domain_realm]
  localhost = $realm
CONF
  cat > "$dir/kdc.conf" <<CONF
[kdcdefaults]
  kdc_ports = $kdc_port
  kdc_tcp_ports = $kdc_port
[realms]
  $realm = {
    database_name = $dir/principal
    key_stash_file = $dir/stash
    acl_file = $dir/kadm5.acl
    supported_enctypes = $e:normal
    max_life = 10h
  }
[logging]
  kdc = FILE:$dir/kdc.log
CONF
  export KRB5_CONFIG=$dir/krb5.conf KRB5_KDC_PROFILE=$dir/kdc.conf KRB5CCNAME=FILE:$dir/ccache
  kdb5_util create -s -r $realm -P master-password-not-secret >/dev/null
  kadmin.local -q "addprinc +requires_preauth -pw Builder2 bob" >/dev/null
  kadmin.local -q "addprinc -randkey HTTP/localhost" >/dev/null
  kadmin.local -q "ktadd -k $dest/http.keytab HTTP/localhost" >/dev/null
  kadmin.local -q "ktadd -norandkey -k $dest/krbtgt.keytab krbtgt/$realm" >/dev/null
  krb5kdc -P "$dir/kdc.pid"
  pids+=("$(cat "$dir/kdc.pid")")
  python3 "$here/kdc-recorder.py" "$recorder_port" "$kdc_port" "$dest/exchange.txt" &
  pids+=($!)
  python3 - "$http_port" "$dest/negotiate.txt" <<'PY' &
import http.server, sys
port, out = int(sys.argv[1]), sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        a = self.headers.get("Authorization")
        if a:
            open(out, "w").write("Authorization: " + a + "\n")
            self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
        else:
            self.send_response(401); self.send_header("WWW-Authenticate", "Negotiate")
            self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
PY
  pids+=($!)
  # Wait for the relay and the web server to listen (bounded).
  for _ in $(seq 50); do
    (exec 3<>/dev/tcp/127.0.0.1/$recorder_port) 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.1/$http_port) 2>/dev/null && break
    sleep 0.1
  done
  echo Builder2 | kinit bob >/dev/null
  kvno HTTP/localhost >/dev/null
  curl -s --negotiate -u : -o /dev/null "http://localhost:$http_port/"
  cp "$dir/ccache" "$dest/ccache"
  klist -e -k -t -K "$dest/http.keytab" > "$dest/klist.txt"
  klist -e -c "$dir/ccache" >> "$dest/klist.txt"
  KRB5CCNAME=FILE:$dir/ccache3 bash -c "sed -i 's/^\[libdefaults\]/[libdefaults]\n  ccache_type = 3/' $dir/krb5.conf; echo Builder2 | kinit bob >/dev/null"
  cp "$dir/ccache3" "$dest/ccache-v3"
  python3 -c "
import sys
from impacket.krb5.ccache import CCache
open(sys.argv[2], 'wb').write(CCache.loadFile(sys.argv[1]).toKRBCRED())" "$dest/ccache" "$dest/cred.kirbi"
  # S4U2Self (MS-SFU): the service asks a ticket to itself for bob, with bob's password unknown
  # to it: a TGS-REQ with PA-FOR-USER and PA-S4U-X509-USER, recorded apart.
  kill "${pids[-2]}" 2>/dev/null || true
  python3 "$here/kdc-recorder.py" "$((port + 3))" "$kdc_port" "$dest/s4u.txt" &
  pids+=($!)
  sed -i "s/127.0.0.1:$recorder_port/127.0.0.1:$((port + 3))/" "$dir/krb5.conf"
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$((port + 3))) 2>/dev/null && break; sleep 0.1; done
  KRB5CCNAME=FILE:$dir/svc kinit -k -t "$dest/http.keytab" HTTP/localhost
  KRB5CCNAME=FILE:$dir/svc kvno -U bob HTTP/localhost >/dev/null
  # A ticket with a Windows-style PAC (logon information, groups, an extra SID, UPN_DNS_INFO,
  # attributes, requestor) signed and encrypted with the service's key: impacket's ticketer.
  if [ "$e" = aes256-cts-hmac-sha1-96 ]; then
    key=$(klist -e -k -K "$dest/http.keytab" | sed -n 's/.*(0x\([0-9a-f]*\)).*/\1/p' | head -1)
    (cd "$dir" && ticketer.py -aesKey "$key" -domain-sid S-1-5-21-1004336348-1177238915-682003330 \
      -domain CONTOSO.TEST -spn HTTP/localhost -groups 512,513,518 -user-id 1104 \
      -extra-sid S-1-18-1 -extra-pac alice >/dev/null && cp alice.ccache "$dest/impacket-silver.ccache")
  fi
  kill "$(cat "$dir/kdc.pid")" 2>/dev/null || true
  echo "$e: $(wc -l < "$dest/exchange.txt") messages, $(wc -l < "$dest/s4u.txt") for S4U"
done

#!/usr/bin/env bash
# A throwaway MIT Kerberos realm on 127.0.0.1 for authscope's interop tests and fixtures.
#   tests/kerberos/mit-realm.sh DIR PORT      creates DIR, starts krb5kdc on PORT (UDP and TCP)
# and prints the environment to use it (KRB5_CONFIG, KRB5CCNAME). Principals:
#   bob@CONTOSO.TEST (password Builder2), HTTP/localhost@CONTOSO.TEST (random key, in
#   DIR/http.keytab, with aes256, aes128 and rc4-hmac keys). The KDC's pid is in DIR/kdc.pid.
set -euo pipefail
dir=$1 port=$2
realm=CONTOSO.TEST
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
cat > "$dir/krb5.conf" <<CONF
[libdefaults]
  default_realm = $realm
  dns_lookup_kdc = false
  dns_lookup_realm = false
  rdns = false
  allow_rc4 = true
  permitted_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96 rc4-hmac
[realms]
  $realm = {
    kdc = 127.0.0.1:$port
  }
[domain_realm]
  localhost = $realm
CONF
cat > "$dir/kdc.conf" <<CONF
[kdcdefaults]
  kdc_ports = $port
  kdc_tcp_ports = $port
[realms]
  $realm = {
    database_name = $dir/principal
    key_stash_file = $dir/stash
    acl_file = $dir/kadm5.acl
    supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal rc4-hmac:normal
    max_life = 10h
  }
[logging]
  kdc = FILE:$dir/kdc.log
CONF
export KRB5_CONFIG=$dir/krb5.conf KRB5_KDC_PROFILE=$dir/kdc.conf KRB5CCNAME=FILE:$dir/ccache
kdb5_util create -s -r $realm -P master-password-not-secret >/dev/null
kadmin.local -q "addprinc -pw Builder2 bob" >/dev/null
kadmin.local -q "addprinc -randkey HTTP/localhost" >/dev/null
kadmin.local -q "ktadd -k $dir/http.keytab HTTP/localhost" >/dev/null
krb5kdc -P "$dir/kdc.pid"
echo "export KRB5_CONFIG=$dir/krb5.conf KRB5CCNAME=FILE:$dir/ccache"

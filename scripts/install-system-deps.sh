#!/usr/bin/env bash
# Installs the Debian packages the interop lab and the benchmark need. Run as root.
# Distribution services must not start on install: the lab starts its own instances on 127.0.10.x,
# and a system Postfix or nginx bound to 0.0.0.0 would take their ports.
set -euo pipefail

packages=(
  openssl ca-certificates
  postfix dovecot-imapd dovecot-pop3d nginx-light knot knot-dnsutils unbound postgresql
  sslscan testssl.sh chromium
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
  policy=/usr/sbin/policy-rc.d
  created_policy=no
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod +x "$policy"
    created_policy=yes
  fi
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  [ "$created_policy" = yes ] && rm -f "$policy"
fi

# Whatever the packages started (on machines without a policy-rc.d) is stopped.
for service in postfix dovecot nginx knot unbound postgresql; do
  service "$service" stop >/dev/null 2>&1 || true
done

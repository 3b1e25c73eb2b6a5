#!/usr/bin/env bash
# Installs the Debian packages the interop lab and the benchmark need. Run as root.
# Distribution services must not start on install: the lab starts its own instances on 127.0.10.x,
# and a system Postfix or nginx bound to 0.0.0.0 would take their ports.
set -euo pipefail

packages=(
  openssl ca-certificates
  postfix dovecot-imapd dovecot-pop3d nginx-light knot knot-dnsutils unbound postgresql
  sslscan testssl.sh chromium
  pflogsumm
  # DKIM interop (test/interop/dkim-verify.test.ts): the OpenDKIM milter signs, miltertest drives it,
  # opendkim-testmsg verifies.
  opendkim opendkim-tools miltertest
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
for service in postfix dovecot nginx knot unbound postgresql opendkim; do
  service "$service" stop >/dev/null 2>&1 || true
done

# Exim, unpacked beside Postfix: Debian's exim4-daemon-light conflicts with the postfix package (both
# are the system MTA), so its .deb files are unpacked into a private root and the lab starts
# `exim -C CONFIG -bd` from there (test/interop/lab/exim-instance.ts). Libraries the binary needs that
# the system lacks are unpacked beside it (LD_LIBRARY_PATH). Idempotent: skipped when that version is
# already there.
exim_root=${MAILCHARTER_EXIM_ROOT:-/opt/mailcharter-lab/exim}
exim_version=$(apt-cache policy exim4-daemon-light | sed -n 's/^ *Candidate: //p')
if [ -z "$exim_version" ] || [ "$exim_version" = "(none)" ]; then
  apt-get update -q
  exim_version=$(apt-cache policy exim4-daemon-light | sed -n 's/^ *Candidate: //p')
fi
if [ "$(cat "$exim_root/VERSION" 2>/dev/null)" != "$exim_version" ]; then
  work=$(mktemp -d)
  chmod 755 "$work"
  (
    cd "$work"
    apt-get download -q exim4-daemon-light exim4-base exim4-config
    # The daemon's library dependencies that are not installed (Debian 12: libidn12).
    libs=()
    for dep in $(apt-cache depends exim4-daemon-light | sed -n 's/^ *Depends: \(lib[^ <>]*\)$/\1/p'); do
      dpkg-query -W -f='${Status}' "$dep" 2>/dev/null | grep -q "install ok installed" || libs+=("$dep")
    done
    [ "${#libs[@]}" -gt 0 ] && apt-get download -q "${libs[@]}"
    rm -rf "$exim_root.new"
    mkdir -p "$exim_root.new"
    for deb in ./*.deb; do dpkg -x "$deb" "$exim_root.new"; done
  )
  rm -rf "$work"
  missing_libs=$(LD_LIBRARY_PATH="$exim_root.new/usr/lib/x86_64-linux-gnu:$exim_root.new/lib/x86_64-linux-gnu" \
    ldd "$exim_root.new/usr/sbin/exim4" | grep "not found" || true)
  if [ -n "$missing_libs" ]; then
    echo "exim: libraries still missing: $missing_libs" >&2
    exit 1
  fi
  echo "$exim_version" > "$exim_root.new/VERSION"
  rm -rf "$exim_root"
  mv "$exim_root.new" "$exim_root"
fi

#!/usr/bin/env bash
# Back up a HomeStudy agency: the database and the keys, encrypted, kept apart.
#
#   backup.sh AGENCY_HOME DB_OUT_DIR KEYS_OUT_DIR RECIPIENTS_FILE [KEYS_RECIPIENTS_FILE]
#
# DB_OUT_DIR/inbox-db-STAMP.{pgdump,sqlite3}.age   the database (pg_dump custom format, or
#                                                  SQLite's VACUUM INTO copy), age-encrypted
# KEYS_OUT_DIR/agency-keys-STAMP.tar.age           agency.json and the key files (already
#                                                  passphrase-protected), age-encrypted again
# Each with a .sha256 beside it. Encrypted to the age recipients in RECIPIENTS_FILE (the
# keys to KEYS_RECIPIENTS_FILE if given): keep the matching identities OFF this host, and
# keep the two outputs in different places: the database holds only ciphertext bundles,
# but with the keys (and the passphrase) every case can be read.
# Needs: age, and pg_dump (PostgreSQL) or python3 (SQLite). $PYTHON picks the python.
set -euo pipefail
umask 077

if [ "$#" -lt 4 ]; then
    echo "usage: backup.sh AGENCY_HOME DB_OUT_DIR KEYS_OUT_DIR RECIPIENTS_FILE [KEYS_RECIPIENTS_FILE]" >&2
    exit 2
fi
home=$1 db_out=$2 keys_out=$3 recipients=$4 keys_recipients=${5:-$4}
python=${PYTHON:-python3}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
[ -f "$home/agency.json" ] || { echo "backup.sh: no agency in $home" >&2; exit 1; }
mkdir -p "$db_out" "$keys_out"

url=$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["database_url"])' "$home/agency.json")

case "$url" in
postgres://* | postgresql://*)
    out="$db_out/inbox-db-$stamp.pgdump.age"
    # custom format: pg_restore can restore it into an empty database; it carries each
    # sequence's value (setval), so ids continue after a restore
    pg_dump --format=custom --no-owner --no-privileges --dbname="$url" \
        | age -R "$recipients" -o "$out.part"
    ;;
*)
    out="$db_out/inbox-db-$stamp.sqlite3.age"
    tmp=$(mktemp -d "$db_out/.backup-XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    # VACUUM INTO: a consistent copy while the inbox keeps running (WAL mode)
    "$python" - "${url#sqlite:///}" "$tmp/copy.sqlite3" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute("VACUUM INTO ?", (sys.argv[2],))
con.close()
PY
    age -R "$recipients" -o "$out.part" "$tmp/copy.sqlite3"
    ;;
esac
mv "$out.part" "$out"
(cd "$db_out" && sha256sum "$(basename "$out")" > "$(basename "$out").sha256")

keys="$keys_out/agency-keys-$stamp.tar.age"
names=(agency.json agency-sign.pub)
# an inbox host has only the receipt key; a console or one-host folder has them all
for name in agency.key agency-sign.key agency-receipt.key agency-receipt.pub; do
    if [ -f "$home/$name" ]; then names+=("$name"); fi
done
[ -d "$home/retired-keys" ] && names+=(retired-keys)
tar -C "$home" -cf - "${names[@]}" | age -R "$keys_recipients" -o "$keys.part"
mv "$keys.part" "$keys"
(cd "$keys_out" && sha256sum "$(basename "$keys")" > "$(basename "$keys").sha256")

echo "database: $out"
echo "keys:     $keys"

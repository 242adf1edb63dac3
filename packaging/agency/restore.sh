#!/usr/bin/env bash
# Restore a HomeStudy agency from backup.sh's two files.
#
#   restore.sh NEW_HOME DB_BACKUP KEYS_BACKUP IDENTITY_FILE [DATABASE_URL]
#
# NEW_HOME must not exist yet. DATABASE_URL (PostgreSQL) names an EMPTY database to
# restore into (the backed-up URL is used if not given); for SQLite the copy becomes
# NEW_HOME/inbox.sqlite3. Checks each file's .sha256 first when it is there.
#
# What a restore does:
# - Everything after the backup is gone from the inbox: bundles received, devices enrolled,
#   assignments made. Laptops keep their own data; their next change is refused as
#   "chain_broken" or accepted as a later sequence, and an alert tells you which laptops
#   moved on: check with those assessors that their cases arrive again in full.
# - Sequences come back at their backed-up values (pg_dump carries setval; SQLite keeps
#   AUTOINCREMENT in sqlite_sequence), so alert ids continue and assignment sequence
#   numbers per device continue from the restored devices table: assignments made before
#   the backup are still delivered, and new ones follow them in order.
# - The keys come back as they were at the backup: after a key rotation, back up again.
set -euo pipefail
umask 077

if [ "$#" -lt 4 ]; then
    echo "usage: restore.sh NEW_HOME DB_BACKUP KEYS_BACKUP IDENTITY_FILE [DATABASE_URL]" >&2
    exit 2
fi
home=$1 db_backup=$2 keys_backup=$3 identity=$4 new_url=${5:-}
python=${PYTHON:-python3}
[ -e "$home" ] && { echo "restore.sh: $home already exists; restore into a new folder" >&2; exit 1; }

for f in "$db_backup" "$keys_backup"; do
    if [ -f "$f.sha256" ]; then
        (cd "$(dirname "$f")" && sha256sum --check --quiet "$(basename "$f").sha256")
    fi
done

mkdir -m 700 -p "$home"
age -d -i "$identity" "$keys_backup" | tar -C "$home" -xf -

url=$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["database_url"])' "$home/agency.json")
case "$db_backup" in
*.pgdump.age)
    url=${new_url:-$url}
    age -d -i "$identity" "$db_backup" | pg_restore --no-owner --no-privileges --exit-on-error --dbname="$url"
    ;;
*.sqlite3.age)
    url="sqlite:///$(cd "$home" && pwd)/inbox.sqlite3"
    age -d -i "$identity" -o "$home/inbox.sqlite3" "$db_backup"
    ;;
*)
    echo "restore.sh: $db_backup is not a backup.sh database file" >&2
    exit 1
    ;;
esac
# point the restored settings at the restored database
"$python" - "$home/agency.json" "$url" <<'PY'
import json, os, sys
path, url = sys.argv[1], sys.argv[2]
data = json.load(open(path))
data["database_url"] = url
tmp = path + ".tmp"
with open(tmp, "w") as f:
    json.dump(data, f, indent=2)
os.replace(tmp, path)
PY
echo "Restored into $home."

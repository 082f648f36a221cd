#!/bin/sh
# Scheduled backups of herbot's database (compose.yaml's `backup` service): once a day
# `herbot db backup` writes daily/herbot-YYYY-MM-DD.dump, the first of each ISO week is kept
# as weekly/, the first of each month as monthly/; the newest 7 daily, 4 weekly and 6 monthly
# stay, older ones are removed.
#
#   herbot-backups [DIR]          loop forever, one backup every HERBOT_BACKUP_INTERVAL s
#   herbot-backups --once [DIR]   one backup and the pruning, then exit (cron, tests)
#
# HERBOT_BACKUP_DAY (YYYY-MM-DD) stands in for today; tests use it to walk a calendar.
set -eu

once=false
if [ "${1:-}" = "--once" ]; then
  once=true
  shift
fi
dir=${1:-${HERBOT_BACKUP_DIR:-/backups}}
interval=${HERBOT_BACKUP_INTERVAL:-86400}
keep_daily=${HERBOT_KEEP_DAILY:-7}
keep_weekly=${HERBOT_KEEP_WEEKLY:-4}
keep_monthly=${HERBOT_KEEP_MONTHLY:-6}

prune() {  # keep the newest $2 files of directory $1 (names sort by date)
  ls -1 "$1" | grep '^herbot-' | sort -r | tail -n +"$(($2 + 1))" | while read -r old; do
    rm -f "$1/$old"
  done
}

backup_once() {
  day=${HERBOT_BACKUP_DAY:-$(date -u +%F)}
  week=$(date -u -d "$day" +%G-W%V)
  month=$(date -u -d "$day" +%Y-%m)
  mkdir -p "$dir/daily" "$dir/weekly" "$dir/monthly"
  daily="$dir/daily/herbot-$day.dump"
  rm -f "$daily.partial"
  herbot db backup "$daily.partial"
  mv "$daily.partial" "$daily"
  [ -e "$dir/weekly/herbot-$week.dump" ] || cp "$daily" "$dir/weekly/herbot-$week.dump"
  [ -e "$dir/monthly/herbot-$month.dump" ] || cp "$daily" "$dir/monthly/herbot-$month.dump"
  prune "$dir/daily" "$keep_daily"
  prune "$dir/weekly" "$keep_weekly"
  prune "$dir/monthly" "$keep_monthly"
  echo "herbot-backups: $daily written"
}

if $once; then
  backup_once
  exit 0
fi
while :; do
  backup_once || echo "herbot-backups: the backup failed; next try in $interval s" >&2
  sleep "$interval"
done

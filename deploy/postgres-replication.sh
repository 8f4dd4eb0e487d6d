#!/bin/sh
# Run once by the postgres image when it makes the primary's data directory: the replica
# (docker-compose's db-replica) may stream its WAL with the forum's password.
set -eu
echo "host replication forum all scram-sha-256" >> "$PGDATA/pg_hba.conf"

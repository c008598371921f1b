#!/usr/bin/env bash
# The scale-out benchmark (crates/bcda-server/examples/bench_cluster.rs) on a throw-away
# PostgreSQL cluster: 200-client status polls over 3 PostgreSQL API nodes vs one SQLite node,
# and A9993 export throughput with 1 and 2 PostgreSQL worker nodes vs SQLite.
#   benches/cluster.sh [ROUNDS] [POLLS_PER_CLIENT]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p bcda-server --example bench_cluster
exec ./scripts/with-postgres.sh ./target/release/examples/bench_cluster "$@"

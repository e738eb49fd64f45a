#!/usr/bin/env bash
# Installs the Debian packages the tests and `npm run demo -- --server` need, when they are missing:
# MariaDB and PostgreSQL (the throwaway test servers; Debian's postgresql keeps its
# server binaries off PATH in /usr/lib/postgresql/<major>/bin, where scripts/postgres.mjs
# finds them, and makes the `postgres` account the server runs as under root), Chromium
# (drives VS Code for extension tests), krb5 headers and ripgrep (VS Code's server
# modules), slurm-wlm (the SLURM tests' one-node cluster), iproute2 (worker hosts as
# network namespaces), python3 with venv (the real DataJoint for Python in .venv-test/,
# scripts/python-env.mjs). Safe to run repeatedly.
set -euo pipefail
want=()
command -v mariadbd >/dev/null 2>&1 || command -v mysqld >/dev/null 2>&1 || want+=(mariadb-server)
if [ "${1:-}" != "--db-only" ]; then
  # The integration tests run on PostgreSQL too (the demo with --server only on MariaDB).
  command -v postgres >/dev/null 2>&1 || compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || want+=(postgresql)
  command -v chromium >/dev/null 2>&1 || want+=(chromium)
  command -v rg >/dev/null 2>&1 || want+=(ripgrep)
  # The SLURM tests' one-node cluster (scripts/slurm.mjs): munge, slurmctld, slurmd, sbatch.
  { command -v sbatch && { command -v slurmctld || [ -x /usr/sbin/slurmctld ]; }; } >/dev/null 2>&1 || want+=(slurm-wlm)
  # Two worker hosts as network namespaces (test/integration/hosts): ip netns, veth, a bridge.
  command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || want+=(iproute2)
  [ -e /usr/include/krb5.h ] || [ -e /usr/include/krb5/krb5.h ] || want+=(libkrb5-dev)
  # node-gyp builds VS Code's native modules for the offline extension tests.
  { command -v g++ && command -v make; } >/dev/null 2>&1 || want+=(build-essential)
  # The integration tests run DataJoint for Python from a venv: Debian's python3 makes one
  # only with python3-venv (ensurepip), so try to make one rather than guess.
  if command -v python3 >/dev/null 2>&1; then
    probe=$(mktemp -d)
    python3 -m venv "$probe/v" >/dev/null 2>&1 || want+=(python3-venv)
    rm -rf "$probe"
  else
    want+=(python3 python3-venv)
  fi
fi
[ ${#want[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "Installing Debian packages: ${want[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null

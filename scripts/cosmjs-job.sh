#!/usr/bin/env bash
# Submit one ACN job with CosmJS and the generated TypeScript client
# (packages/ts-client/src/job.ts), wait until it is final and print its decoded result.
#
#   ACN_BUYER_MNEMONIC="word1 word2 ..." bash scripts/cosmjs-job.sh \
#       --deployment deployment.json --model digits-mlp-v1 --input '[0, 0, 5, 13, ...]' \
#       [--rpc URL] [--redundancy R] [--gas-price 0.025ustake] [--gas-adjustment 1.4] \
#       [--deadline-secs 3600] [--timeout-secs 600] [--json]
#
# --rpc defaults to $ACN_WASMD_RPC, else http://127.0.0.1:26657 (the localnet). The buyer's
# mnemonic is read from ACN_BUYER_MNEMONIC only (on the localnet:
#   ACN_BUYER_MNEMONIC="$(jq -r '.accounts[] | select(.name == "buyer-1") | .mnemonic' \
#       scripts/localnet-accounts.json)" ).
# Exit status: 0 once the job settled with a result, 1 if it ended without one (expired,
# disputed) or did not end within --timeout-secs, 2 on a usage error.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
    sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
fi
ensure_ts_tools
# A later --rpc among the arguments overrides this default.
exec "$TS_CLIENT/node_modules/.bin/tsx" "$TS_CLIENT/src/job.ts" \
    --rpc "${ACN_WASMD_RPC:-http://127.0.0.1:26657}" "$@"

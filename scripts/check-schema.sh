#!/usr/bin/env bash
# Check (or rewrite) the committed JSON schemas of the contracts.
#
#   bash scripts/check-schema.sh                  # fail if a committed schema is stale
#   bash scripts/check-schema.sh --write          # regenerate schema/<crate>/ in place
#   bash scripts/check-schema.sh [--write] acn-token ...   # only these crates
#
# Each contract has src/bin/<crate>-schema.rs calling cosmwasm_schema::write_api!, which
# writes ./schema/<crate>.json and ./schema/raw/*.json relative to the current
# directory. A contract that accepts CW20 hook messages (the `msg` of a token `Send`:
# staking, treasury, market) also writes them as an IDL of their own to
# ./hooks/<crate>-hooks.json, committed beside the contract as schema/<crate>-hooks/
# (ts-codegen reads one IDL file per folder). We run each binary in a temp dir and
# compare the result with schema/<crate>/ and schema/<crate>-hooks/; a committed
# schema folder that no binary writes any more is stale too (full runs only).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

WRITE=0
ARGS=()
for arg in "$@"; do
    case $arg in
    --write) WRITE=1 ;;
    -h | --help)
        sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    -*) die "unknown option: $arg" ;;
    *) ARGS+=("$arg") ;;
    esac
done

crate_list="$(resolve_crates "${ARGS[@]}")" || exit 1
[[ -n $crate_list ]] || die "no contract crates found under contracts/"
mapfile -t CRATES <<<"$crate_list"
ensure_rust

TMP="$(mktemp -d "${TMPDIR:-/tmp}/acn-schema.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

stale=()
missing_bin=()
generated=()

# sync_schema NAME DIR: with --write, replace schema/NAME/ by DIR; otherwise compare
# them and record NAME as stale when they differ.
sync_schema() {
    local name=$1 fresh=$2 committed="$ACN_ROOT/schema/$1"
    if ((WRITE)); then
        rm -rf "$committed"
        mkdir -p "$ACN_ROOT/schema"
        cp -r "$fresh" "$committed"
        info "wrote schema/$name/ ($(find "$committed" -type f | wc -l) files)"
        return
    fi
    if [[ ! -d $committed ]]; then
        warn "schema/$name/ is not committed"
        stale+=("$name")
    elif ! diff -r -q "$committed" "$fresh" >"$TMP/$name.diff" 2>&1; then
        warn "schema/$name/ is stale:"
        sed -e "s|$committed|schema/$name|g" -e "s|$fresh|<generated>|g" "$TMP/$name.diff" | sed 's/^/      /' >&2
        # A bounded unified diff so the reason is visible in CI logs.
        diff -r -u "$committed" "$fresh" |
            grep -v '^Only in' | sed -e "s|$committed|schema/$name|g" -e "s|$fresh|generated|g" |
            head -n 60 >&2 || true
        stale+=("$name")
    else
        info "schema/$name/ is up to date"
    fi
}

for crate in "${CRATES[@]}"; do
    dir="$(crate_dir "$crate")"
    if [[ ! -f $dir/src/bin/$crate-schema.rs ]]; then
        missing_bin+=("$crate")
        warn "$crate has no src/bin/$crate-schema.rs; skipped"
        continue
    fi
    step "schema $crate"
    work="$TMP/$crate"
    mkdir -p "$work"
    if ! (cd "$work" && cargo run -q --locked --manifest-path "$ACN_ROOT/Cargo.toml" -p "$crate" --bin "$crate-schema" >"$work.log" 2>&1); then
        cat "$work.log" >&2
        die "generating the schema of $crate failed"
    fi
    [[ -d $work/schema ]] || die "$crate's schema binary wrote nothing to ./schema"
    sync_schema "$crate" "$work/schema"
    generated+=("$crate")
    if [[ -d $work/hooks ]]; then
        sync_schema "$crate-hooks" "$work/hooks"
        generated+=("$crate-hooks")
    fi
done

# On a full run, a committed folder that nothing generates (a hook enum removed, a
# contract renamed) is stale as well.
if ((${#ARGS[@]} == 0 && ${#missing_bin[@]} == 0)); then
    for committed in "$ACN_ROOT"/schema/*/; do
        name="$(basename "$committed")"
        printf '%s\n' "${generated[@]}" | grep -qxF "$name" && continue
        if ((WRITE)); then
            rm -rf "$committed"
            info "removed schema/$name/ (no schema binary writes it)"
        else
            warn "schema/$name/ is committed but no schema binary writes it"
            stale+=("$name")
        fi
    done
fi

if ((WRITE)); then
    info "schemas written; review and commit schema/"
    exit 0
fi
if ((${#stale[@]} > 0)); then
    die "stale or missing committed schema for: ${stale[*]} — run 'bash scripts/check-schema.sh --write' and commit schema/"
fi
info "all checked schemas are up to date${missing_bin[*]:+ (skipped, no schema binary: ${missing_bin[*]})}"

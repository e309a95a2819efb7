#!/usr/bin/env bash
# Check (or rewrite) the committed JSON schemas of the contracts.
#
#   bash scripts/check-schema.sh                  # fail if a committed schema is stale
#   bash scripts/check-schema.sh --write          # regenerate schema/<crate>/ in place
#   bash scripts/check-schema.sh [--write] acn-token ...   # only these crates
#
# Each contract has src/bin/<crate>-schema.rs calling cosmwasm_schema::write_api!, which
# writes ./schema/<crate>.json and ./schema/raw/*.json relative to the current
# directory. We run it in a temp dir and compare the result with schema/<crate>/.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

WRITE=0
ARGS=()
for arg in "$@"; do
    case $arg in
    --write) WRITE=1 ;;
    -h | --help)
        sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
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
    committed="$ACN_ROOT/schema/$crate"

    if ((WRITE)); then
        rm -rf "$committed"
        mkdir -p "$ACN_ROOT/schema"
        cp -r "$work/schema" "$committed"
        info "wrote schema/$crate/ ($(find "$committed" -type f | wc -l) files)"
        continue
    fi

    if [[ ! -d $committed ]]; then
        warn "schema/$crate/ is not committed"
        stale+=("$crate")
    elif ! diff -r -q "$committed" "$work/schema" >"$work.diff" 2>&1; then
        warn "schema/$crate/ is stale:"
        sed -e "s|$committed|schema/$crate|g" -e "s|$work/schema|<generated>|g" "$work.diff" | sed 's/^/      /' >&2
        # A bounded unified diff so the reason is visible in CI logs.
        diff -r -u "$committed" "$work/schema" |
            grep -v '^Only in' | sed -e "s|$committed|schema/$crate|g" -e "s|$work/schema|generated|g" |
            head -n 60 >&2 || true
        stale+=("$crate")
    else
        info "schema/$crate/ is up to date"
    fi
done

if ((WRITE)); then
    info "schemas written; review and commit schema/"
    exit 0
fi
if ((${#stale[@]} > 0)); then
    die "stale or missing committed schema for: ${stale[*]} — run 'bash scripts/check-schema.sh --write' and commit schema/"
fi
info "all checked schemas are up to date${missing_bin[*]:+ (skipped, no schema binary: ${missing_bin[*]})}"

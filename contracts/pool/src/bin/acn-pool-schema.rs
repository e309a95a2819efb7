use std::{env, fs};

use cosmwasm_schema::{export_schema, schema_for, write_api};

use acn_pool::msg::{Cw20HookMsg, ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};

fn main() {
    write_api! {
        name: "acn-pool",
        instantiate: InstantiateMsg,
        execute: ExecuteMsg,
        query: QueryMsg,
        migrate: MigrateMsg,
    }

    // The CW20 hook messages (the `msg` of a token `Send` to this contract): the JSON Schema
    // of `Cw20HookMsg` alone in ./hooks/, committed as schema/acn-pool-hooks/ beside the contract's
    // schema (ts-codegen reads one schema file per folder).
    let hooks = env::current_dir().unwrap().join("hooks");
    fs::create_dir_all(&hooks).unwrap();
    export_schema(&schema_for!(Cw20HookMsg), &hooks);
}

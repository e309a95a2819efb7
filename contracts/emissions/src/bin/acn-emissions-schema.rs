use std::{env, fs};

use cosmwasm_schema::{export_schema, schema_for, write_api};

use acn_emissions::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg, ReceiveMsg};

fn main() {
    write_api! {
        name: "acn-emissions",
        instantiate: InstantiateMsg,
        execute: ExecuteMsg,
        query: QueryMsg,
        migrate: MigrateMsg,
    }

    // The CW20 hook messages (the `msg` of a token `Send` to this contract): the JSON Schema
    // of `ReceiveMsg` alone in ./hooks/receive_msg.json, committed as schema/acn-emissions-hooks/
    // beside the contract's schema (ts-codegen reads one schema file per folder).
    let hooks = env::current_dir().unwrap().join("hooks");
    fs::create_dir_all(&hooks).unwrap();
    export_schema(&schema_for!(ReceiveMsg), &hooks);
}

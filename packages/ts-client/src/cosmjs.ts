// CosmJS behind the generated clients.
//
// @cosmwasm/ts-codegen 1.x writes clients against its own small interfaces
// (`ICosmWasmClient`, `ISigningCosmWasmClient` in contracts/baseClient.ts, shaped after
// interchainjs). CosmJS's clients have the same methods, but their `fee` is required and their
// `StdFee`/`Coin` arrays are readonly, so TypeScript does not accept them as they are: these two
// adapters pass every call through unchanged.

import type { CosmWasmClient, SigningCosmWasmClient } from "@cosmjs/cosmwasm-stargate";

import type { ICosmWasmClient, ISigningCosmWasmClient } from "./contracts/baseClient";

/// A CosmJS query client as the generated `*QueryClient`s take it.
export function queryClient(client: CosmWasmClient): ICosmWasmClient {
  return {
    queryContractSmart: (address, query) => client.queryContractSmart(address, query),
  };
}

/// A CosmJS signing client as the generated `*Client`s take it; `fee` defaults to "auto" (the
/// client's gas price, simulated gas × CosmJS's default adjustment), a number is the adjustment.
export function signingClient(client: SigningCosmWasmClient): ISigningCosmWasmClient {
  return {
    ...queryClient(client),
    execute: (sender, contract, msg, fee = "auto", memo, funds) =>
      client.execute(sender, contract, msg, fee, memo, funds),
  };
}

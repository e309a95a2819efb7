// CosmJS behind the generated clients, and a CometBFT connection that decodes wasmd 0.70's
// events.
//
// @cosmwasm/ts-codegen 1.x writes clients against its own small interfaces
// (`ICosmWasmClient`, `ISigningCosmWasmClient` in contracts/baseClient.ts, shaped after
// interchainjs). CosmJS's clients have the same methods, but their `fee` is required and their
// `StdFee`/`Coin` arrays are readonly, so TypeScript does not accept them as they are: these two
// adapters pass every call through unchanged.

import type { CosmWasmClient, SigningCosmWasmClient } from "@cosmjs/cosmwasm-stargate";
import { type CometClient, Comet38Client, connectComet } from "@cosmjs/tendermint-rpc";

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

/// Connect to a CometBFT RPC endpoint. CosmJS's `connectComet` picks the protocol by the node's
/// version but knows 0.34, 0.37, 0.38 and 1.x only and falls back to 0.34, whose base64 event
/// decoding fails on wasmd 0.70's CometBFT 0.39 (plain-text events like 0.38): 0.39 is spoken
/// as 0.38 here, any other version is left to `connectComet`.
export async function connectCometBft(endpoint: string): Promise<CometClient> {
  const comet38 = await Comet38Client.connect(endpoint);
  const { version } = (await comet38.status()).nodeInfo;
  if (version.startsWith("0.38.") || version.startsWith("0.39.")) {
    return comet38;
  }
  comet38.disconnect();
  return connectComet(endpoint);
}

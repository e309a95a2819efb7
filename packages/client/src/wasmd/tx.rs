//! Transactions: sign (SIGN_MODE_DIRECT), simulate for gas, broadcast (`broadcast_tx_sync`),
//! poll by hash until the tx is in a block; and the classification of what fails on the way:
//! sequence mismatches are retried with the sequence the node wants, a full mempool, out of gas
//! and connection failures are [`ChainError::Transient`], anything else is
//! [`ChainError::Rejected`] with the contract's own message ([`contract_message`]).
//!
//! Account number and sequence come from the auth module and are cached per account; the
//! transactions of one account are serialized (one mutex per account), so threads sharing a
//! [`WasmdChain`] never race on sequences.

use std::time::Instant;

use cosmrs::proto::cosmos::tx::v1beta1::{SimulateRequest, SimulateResponse};
use cosmrs::proto::prost::Message;
use cosmrs::rpc::Client;
use cosmrs::tendermint::Hash;
use cosmrs::tx::{Body, Fee, SignDoc, SignerInfo};
use cosmrs::{Any, Coin};

use super::keys::Signer;
use super::query::AbciFail;
use super::{transient, WasmdChain};
use crate::{Attribute, ChainError, TxResult};

/// Gas added to every limit on top of `simulated × gas_adjustment`: wasmd 0.70 simulates a
/// `MsgUpdateAdmin` at ~40 000 gas and delivers it at ~52 000, more than a 1.3 adjustment
/// covers on such a small transaction.
const GAS_MARGIN: u64 = 20_000;
const SIMULATE_PATH: &str = "/cosmos.tx.v1beta1.Service/Simulate";

// Cosmos SDK error codes (codespace `sdk`) that are worth retrying.
const SDK_OUT_OF_GAS: u32 = 11;
const SDK_TX_IN_MEMPOOL_CACHE: u32 = 19;
const SDK_MEMPOOL_IS_FULL: u32 = 20;
const SDK_WRONG_SEQUENCE: u32 = 32;

/// Account number and next sequence of a signer, as far as this client knows.
#[derive(Default)]
pub(super) struct SeqState {
    account_number: Option<u64>,
    sequence: Option<u64>,
}

/// Why one attempt at a transaction failed.
enum TxFail {
    /// Wrong sequence; `expected` when the node said which one it wants.
    Sequence { expected: Option<u64>, log: String },
    /// Anything else, already classified.
    Other(ChainError),
}

impl From<ChainError> for TxFail {
    fn from(e: ChainError) -> Self {
        TxFail::Other(e)
    }
}

impl WasmdChain {
    /// Sign and broadcast `msgs` (protobuf `Any`s) as `account` in one transaction; wait for it
    /// to be in a block.
    pub fn execute_msgs(&self, account: &str, msgs: Vec<Any>) -> Result<TxResult, ChainError> {
        let signer = self.signer(account)?;
        // The lock serializes this account's transactions (threads and sequences).
        let mut state = signer.state.lock().unwrap_or_else(|e| e.into_inner());
        self.rt.block_on(self.send_tx(&signer, &mut state, &msgs))
    }

    /// Build and sign a transaction; `None` gas = a simulation transaction (no fee).
    fn sign_tx(
        &self,
        signer: &Signer,
        account_number: u64,
        sequence: u64,
        msgs: &[Any],
        gas: Option<u64>,
    ) -> Result<Vec<u8>, ChainError> {
        let body = Body::new(msgs.to_vec(), "", 0u32);
        let fee = match gas {
            Some(gas) => {
                let amount = (gas as f64 * self.config.gas_price).ceil() as u128;
                let coin = Coin::new(amount, &self.config.denom).map_err(|e| {
                    ChainError::Config(format!("fee denom {}: {e}", self.config.denom))
                })?;
                Fee::from_amount_and_gas(coin, gas)
            }
            None => Fee {
                amount: vec![],
                gas_limit: 0,
                payer: None,
                granter: None,
            },
        };
        let auth_info = SignerInfo::single_direct(Some(signer.public_key), sequence).auth_info(fee);
        let sign_doc = SignDoc::new(&body, &auth_info, &self.chain_id, account_number)
            .map_err(|e| ChainError::Serde(format!("sign doc: {e}")))?;
        let raw = sign_doc
            .sign(&signer.key)
            .map_err(|e| ChainError::Config(format!("signing: {e}")))?;
        raw.to_bytes()
            .map_err(|e| ChainError::Serde(format!("tx encoding: {e}")))
    }

    async fn send_tx(
        &self,
        signer: &Signer,
        state: &mut SeqState,
        msgs: &[Any],
    ) -> Result<TxResult, ChainError> {
        const ATTEMPTS: u32 = 4;
        let mut last = String::new();
        for attempt in 0..ATTEMPTS {
            if state.account_number.is_none() || state.sequence.is_none() {
                let (number, sequence) = self.query_account(signer.address.as_ref()).await?;
                state.account_number = Some(number);
                state.sequence = Some(sequence);
            }
            match self.try_tx(signer, state, msgs).await {
                Ok(res) => return Ok(res),
                Err(TxFail::Other(e)) => return Err(e),
                Err(TxFail::Sequence { expected, log }) => {
                    tracing::debug!(account = %signer.address, attempt, ?expected, "sequence mismatch: {log}");
                    // Nothing was accepted: try again with the sequence the node wants.
                    state.sequence = expected;
                    last = log;
                    if attempt + 1 < ATTEMPTS && expected.is_none() {
                        tokio::time::sleep(self.config.poll_interval).await;
                    }
                }
            }
        }
        Err(ChainError::Transient(format!(
            "account sequence mismatch after {ATTEMPTS} attempts: {last}"
        )))
    }

    async fn try_tx(
        &self,
        signer: &Signer,
        state: &mut SeqState,
        msgs: &[Any],
    ) -> Result<TxResult, TxFail> {
        let (Some(account_number), Some(sequence)) = (state.account_number, state.sequence) else {
            return Err(TxFail::Sequence {
                expected: None,
                log: "unknown sequence".into(),
            });
        };

        // 1. simulate for gas
        let sim_tx = self.sign_tx(signer, account_number, sequence, msgs, None)?;
        #[allow(deprecated)]
        let req = SimulateRequest {
            tx: None,
            tx_bytes: sim_tx,
        };
        let bytes = match self.abci_query(SIMULATE_PATH, req.encode_to_vec()).await {
            Ok(b) => b,
            Err(AbciFail::Rpc(e)) => return Err(transient("simulation", e).into()),
            Err(AbciFail::Code {
                code,
                codespace,
                log,
            }) => return Err(classify(code, &codespace, &log, "simulation")),
        };
        let sim = SimulateResponse::decode(bytes.as_slice())
            .map_err(|e| ChainError::Serde(format!("simulate response: {e}")))?;
        let simulated = sim.gas_info.map(|g| g.gas_used).unwrap_or_default();
        let gas = ((simulated as f64) * self.config.gas_adjustment).ceil() as u64 + GAS_MARGIN;

        // 2. sign and broadcast
        let tx_bytes = self.sign_tx(signer, account_number, sequence, msgs, Some(gas))?;
        let res = self
            .client
            .broadcast_tx_sync(tx_bytes)
            .await
            .map_err(|e| transient("broadcast", e))?;
        if res.code.is_err() {
            return Err(classify(
                res.code.value(),
                &res.codespace,
                &res.log,
                "check",
            ));
        }
        state.sequence = Some(sequence + 1);

        // 3. wait for the block
        self.wait_tx(res.hash).await.map_err(TxFail::Other)
    }

    async fn wait_tx(&self, hash: Hash) -> Result<TxResult, ChainError> {
        let start = Instant::now();
        let mut last_err;
        loop {
            match self.client.tx(hash, false).await {
                Ok(res) => {
                    let r = res.tx_result;
                    if r.code.is_err() {
                        let code = r.code.value();
                        return Err(match classify(code, &r.codespace, &r.log, "delivery") {
                            // A failed delivery still used the sequence; only out-of-gas is
                            // worth retrying.
                            TxFail::Sequence { log, .. } => ChainError::Transient(log),
                            TxFail::Other(e) => e,
                        });
                    }
                    let attributes = r
                        .events
                        .iter()
                        .flat_map(|e| {
                            e.attributes.iter().map(|a| Attribute {
                                event: e.kind.clone(),
                                key: String::from_utf8_lossy(a.key_bytes()).into_owned(),
                                value: String::from_utf8_lossy(a.value_bytes()).into_owned(),
                            })
                        })
                        .collect();
                    return Ok(TxResult {
                        height: res.height.value(),
                        gas_used: u64::try_from(r.gas_used).unwrap_or_default(),
                        tx_hash: hash.to_string(),
                        attributes,
                    });
                }
                Err(e) => last_err = e.to_string(),
            }
            if start.elapsed() >= self.config.tx_timeout {
                return Err(ChainError::Transient(format!(
                    "tx {hash} not in a block after {:?} (last: {last_err})",
                    self.config.tx_timeout
                )));
            }
            tokio::time::sleep(self.config.poll_interval).await;
        }
    }
}

/// Classify a failed check/simulation/delivery.
fn classify(code: u32, codespace: &str, log: &str, stage: &str) -> TxFail {
    let sdk = codespace == "sdk" || codespace.is_empty();
    if (sdk && code == SDK_WRONG_SEQUENCE) || log.contains("account sequence mismatch") {
        return TxFail::Sequence {
            expected: expected_sequence(log),
            log: log.to_string(),
        };
    }
    if sdk
        && matches!(
            code,
            SDK_MEMPOOL_IS_FULL | SDK_TX_IN_MEMPOOL_CACHE | SDK_OUT_OF_GAS
        )
    {
        return TxFail::Other(ChainError::Transient(format!(
            "{stage} failed (code {code}): {log}"
        )));
    }
    TxFail::Other(ChainError::Rejected(contract_message(log)))
}

/// `account sequence mismatch, expected 7, got 6: …` → 7.
fn expected_sequence(log: &str) -> Option<u64> {
    let rest = &log[log.find("expected ")? + "expected ".len()..];
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// The contract's own message out of an SDK log, e.g. `rpc error: code = Unknown desc = failed
/// to execute message; message index: 0: job 42 not found: execute wasm contract failed
/// [CosmWasm/wasmd/x/wasm/keeper/keeper.go:452] with gas used: '111588': unknown request` →
/// `job 42 not found`. Also cut: a second gRPC wrapper, a leading `Generic error: ` (cosmwasm's
/// `StdError::GenericErr`). Logs of another shape come back trimmed but otherwise whole.
pub fn contract_message(log: &str) -> String {
    let mut s = log.trim();
    // gRPC status wrappers, one per hop.
    while s.starts_with("rpc error: ") {
        match s.find(" desc = ") {
            Some(i) => s = &s[i + " desc = ".len()..],
            None => break,
        }
    }
    if let Some(i) = s.find("message index: ") {
        let rest = &s[i + "message index: ".len()..];
        if let Some(j) = rest.find(": ") {
            s = &rest[j + 2..];
        }
    }
    // The source location, gas report and gRPC status the node appends.
    for cut in [
        " [CosmWasm/",
        " [cosmos/",
        " [github.com/",
        " with gas used",
        " With gas wanted",
        ": unknown request",
    ] {
        if let Some(i) = s.find(cut) {
            s = &s[..i];
        }
    }
    // cosmwasm's StdError::GenericErr says nothing a person needs.
    if let Some(rest) = s.strip_prefix("Generic error: ") {
        s = rest;
    }
    for suffix in [
        ": execute wasm contract failed",
        ": query wasm contract failed",
        ": instantiate wasm contract failed",
        ": migrate wasm contract failed",
    ] {
        if let Some(rest) = s.strip_suffix(suffix) {
            s = rest;
        }
    }
    s.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_messages_are_cut_out_of_sdk_logs() {
        let log = "rpc error: code = Unknown desc = failed to execute message; message index: 0: \
                   job 42 not found: execute wasm contract failed \
                   [CosmWasm/wasmd/x/wasm/keeper/keeper.go:452] with gas used: '111588': \
                   unknown request";
        assert_eq!(contract_message(log), "job 42 not found");
        let log = "job 4242 not found: query wasm contract failed: unknown request";
        assert_eq!(contract_message(log), "job 4242 not found");
        let log = "failed to execute message; message index: 0: Unauthorized: execute wasm \
                   contract failed";
        assert_eq!(contract_message(log), "Unauthorized");
        assert_eq!(contract_message(" plain "), "plain");
    }

    /// Logs captured from wasmd v0.70.3 on the localnet (2026-12-01): a CW20 transfer over the
    /// balance, simulated through the CLI (two gRPC wrappers) and delivered; a CW20 `Send` whose
    /// hook the receiving contract cannot parse (the sub-message's error arrives unwrapped); a
    /// smart query with a bad address (cosmwasm's `Generic error: ` prefix).
    #[test]
    fn real_wasmd_logs_come_out_as_the_contracts_message() {
        let simulated = "rpc error: code = Unknown desc = rpc error: code = Unknown desc = failed \
                         to execute message; message index: 0: Overflow: Cannot Sub with given \
                         operands: execute wasm contract failed \
                         [CosmWasm/wasmd/x/wasm/keeper/keeper.go:452] with gas used: '97455': \
                         unknown request";
        assert_eq!(
            contract_message(simulated),
            "Overflow: Cannot Sub with given operands"
        );
        let delivered = "failed to execute message; message index: 0: Overflow: Cannot Sub with \
                         given operands: execute wasm contract failed";
        assert_eq!(
            contract_message(delivered),
            "Overflow: Cannot Sub with given operands"
        );
        let hook = "failed to execute message; message index: 0: Error parsing into type \
                    acn_interface::token::ExecuteMsg: unknown variant `receive`, expected one of \
                    `transfer`, `burn`: execute wasm contract failed";
        assert_eq!(
            contract_message(hook),
            "Error parsing into type acn_interface::token::ExecuteMsg: unknown variant \
             `receive`, expected one of `transfer`, `burn`"
        );
        let query = "rpc error: code = Unknown desc = rpc error: code = Unknown desc = Generic \
                     error: addr_validate errored: decoding bech32 failed: invalid \
                     bech32 string length 4: query wasm contract failed: unknown request";
        assert_eq!(
            contract_message(query),
            "addr_validate errored: decoding bech32 failed: invalid bech32 string length 4"
        );
        // The market's own error, with colons inside, as the node reports it.
        let stake = "failed to execute message; message index: 0: insufficient stake: 10 \
                     bonded, 2000000000 required: execute wasm contract failed";
        assert_eq!(
            contract_message(stake),
            "insufficient stake: 10 bonded, 2000000000 required"
        );
        // A later message of a batch.
        let second = "failed to execute message; message index: 2: Unauthorized: execute wasm \
                      contract failed";
        assert_eq!(contract_message(second), "Unauthorized");
        // classify: a contract error is a rejection carrying only the contract's message.
        match classify(5, "wasm", delivered, "delivery") {
            TxFail::Other(ChainError::Rejected(m)) => {
                assert_eq!(m, "Overflow: Cannot Sub with given operands")
            }
            _ => panic!("a contract error must be Rejected"),
        }
        assert!(matches!(
            classify(20, "sdk", "mempool is full", "check"),
            TxFail::Other(ChainError::Transient(_))
        ));
        assert!(matches!(
            classify(
                32,
                "sdk",
                "account sequence mismatch, expected 9, got 8: incorrect account sequence",
                "check"
            ),
            TxFail::Sequence {
                expected: Some(9),
                ..
            }
        ));
    }

    #[test]
    fn the_expected_sequence_is_read_from_the_log() {
        let log = "account sequence mismatch, expected 7, got 6: incorrect account sequence";
        assert_eq!(expected_sequence(log), Some(7));
        assert_eq!(expected_sequence("nothing"), None);
    }
}

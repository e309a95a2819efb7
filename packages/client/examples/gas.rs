//! Gas used by every ACN operation on a real wasmd node, as a markdown table.
//!
//! ```text
//! bash scripts/localnet.sh up
//! cargo run -p acn-client --example gas -- [--rpc URL] [--artifacts DIR] [--accounts FILE]
//!                                          [--json OUT] [--deployment OUT]
//! ```
//!
//! Deploys a fresh gas-test instance of the four contracts and the DAO that takes them over
//! (unbonding period and max job lifetime 60 s, commit window 30 s, reveal window 8 s, a
//! treasury split with all four parts so `Distribute` exercises burn, staker rewards and the
//! executor fee), then runs: bond, register provider, submit job, claim job, commit, reveal
//! (which settles), distribute, fund rewards, claim rewards, a second job settled by `Settle`
//! after its reveal window closed (one of its two providers does not reveal and is slashed),
//! unbond, claim (after the unbonding period), a plain CW20 transfer, and a DAO proposal
//! (propose, vote, execute a market fee change). The RPC URL defaults to `$ACN_WASMD_RPC`, then
//! `http://127.0.0.1:26657`.

use std::path::{Path, PathBuf};

use cosmwasm_std::{HexBinary, Timestamp, Uint128};
use serde::Serialize;

use acn_client::wasmd::WasmdConfig;
use acn_client::{
    deploy_with, governance, Chain, ChainError, ChainExt, DeployOptions, TxResult, WasmdChain,
};
use acn_interface::market::{self, commitment};
use acn_interface::{dao, staking, token, treasury};
use acn_testing::{digits_input, digits_model, hardware, labels_output, salt, TOKEN};

/// Unbonding period and longest job lifetime of the gas-test deployment, in seconds.
const JOB_LIFETIME: u64 = 60;

/// One measured transaction.
#[derive(Serialize)]
struct Row {
    step: String,
    contract: String,
    gas_used: u64,
    height: u64,
    tx_hash: String,
}

struct Args {
    rpc: String,
    artifacts: PathBuf,
    accounts: PathBuf,
    json: Option<PathBuf>,
    deployment: Option<PathBuf>,
}

fn args() -> Args {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut a = Args {
        rpc: std::env::var("ACN_WASMD_RPC")
            .ok()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "http://127.0.0.1:26657".into()),
        artifacts: root.join("artifacts"),
        accounts: root.join("scripts/localnet-accounts.json"),
        json: None,
        deployment: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next().unwrap_or_else(|| {
                eprintln!("{flag} needs a value");
                std::process::exit(2)
            })
        };
        match flag.as_str() {
            "--rpc" => a.rpc = value(),
            "--artifacts" => a.artifacts = value().into(),
            "--accounts" => a.accounts = value().into(),
            "--json" => a.json = Some(value().into()),
            "--deployment" => a.deployment = Some(value().into()),
            "-h" | "--help" => {
                eprintln!(
                    "usage: gas [--rpc URL] [--artifacts DIR] [--accounts FILE] [--json OUT] \
                     [--deployment OUT]"
                );
                std::process::exit(0)
            }
            other => {
                eprintln!("unknown argument {other} (try --help)");
                std::process::exit(2)
            }
        }
    }
    a
}

struct Bench<'a> {
    chain: &'a WasmdChain,
    rows: Vec<Row>,
}

impl Bench<'_> {
    fn record(&mut self, step: &str, contract: &str, tx: &TxResult) {
        eprintln!(
            "  {step:<40} {:>10} gas  (height {})",
            tx.gas_used, tx.height
        );
        self.rows.push(Row {
            step: step.into(),
            contract: contract.into(),
            gas_used: tx.gas_used,
            height: tx.height,
            tx_hash: tx.tx_hash.clone(),
        });
    }

    fn market(
        &mut self,
        step: &str,
        account: &str,
        msg: &market::ExecuteMsg,
    ) -> Result<TxResult, ChainError> {
        let tx = self.chain.market_exec(account, msg)?;
        self.record(step, "market", &tx);
        Ok(tx)
    }

    fn submit(&mut self, step: &str, buyer: &str, redundancy: u8) -> Result<u64, ChainError> {
        let d = self.chain.deployment().clone();
        let deadline = Timestamp::from_seconds(self.chain.block()?.time + JOB_LIFETIME);
        let tx = self.chain.send_tokens(
            buyer,
            &d.market,
            2_000 * u128::from(redundancy),
            &market::ReceiveMsg::SubmitJob {
                model_id: "digits-mlp-v1".into(),
                input: digits_input(2),
                batch: 2,
                redundancy,
                max_unit_price: Uint128::new(10_000),
                deadline,
            },
        )?;
        self.record(step, "token → market", &tx);
        tx.attr("job_id")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| ChainError::Rejected("no job_id attribute".into()))
    }

    fn commit(&mut self, step: &str, provider: &str, job_id: u64) -> Result<(), ChainError> {
        let addr = self.chain.address(provider)?;
        let c = commitment(&labels_output(&[4, 2]), &salt(9), &addr);
        self.market(
            step,
            provider,
            &market::ExecuteMsg::CommitResult {
                job_id,
                commitment: HexBinary::from(c.to_vec()),
            },
        )?;
        Ok(())
    }

    fn reveal(&mut self, step: &str, provider: &str, job_id: u64) -> Result<TxResult, ChainError> {
        self.market(
            step,
            provider,
            &market::ExecuteMsg::RevealResult {
                job_id,
                output: labels_output(&[4, 2]),
                salt: salt(9),
            },
        )
    }
}

fn run(a: &Args) -> Result<(), ChainError> {
    let mut chain = WasmdChain::new(WasmdConfig::new(&a.rpc))?;
    chain.load_accounts(&a.accounts)?;
    eprintln!("chain {} at {}", chain.chain_id(), a.rpc);

    let mut opts = DeployOptions::new(&a.artifacts);
    opts.label_prefix = "acn-gas".into();
    opts.models = vec![digits_model()];
    opts.genesis = vec![
        ("provider-1".into(), 5_000 * TOKEN),
        ("provider-2".into(), 5_000 * TOKEN),
        ("buyer-1".into(), 1_000 * TOKEN),
    ];
    // The DAO links staking to the market: the unbonding period may not be shorter than the
    // longest job lifetime, so both are kept short to measure claims without a long wait.
    opts.unbonding_period = cw_utils::Duration::Time(JOB_LIFETIME);
    opts.market_params.commit_window = 30;
    opts.market_params.reveal_window = 8;
    opts.market_params.max_job_lifetime = JOB_LIFETIME;
    opts.split = treasury::Split {
        burn_bps: 5_000,
        stakers_bps: 2_000,
        kept_bps: 2_900,
        executor_bps: 100,
    };
    eprintln!("deploying ({})", a.artifacts.display());
    let (deployment, steps) = deploy_with(&chain, &opts)?;
    if let Some(path) = &a.deployment {
        deployment.save(path)?;
    }
    chain.set_deployment(deployment.deployment.clone())?;
    let d = chain.deployment().clone();

    let mut b = Bench {
        chain: &chain,
        rows: vec![],
    };
    for s in &steps {
        b.record(&s.name, &s.contract, &s.tx);
    }

    // Staking and the market.
    for (i, p) in ["provider-1", "provider-2"].into_iter().enumerate() {
        let tx = chain.send_tokens(p, &d.staking, 2_000 * TOKEN, &staking::ReceiveMsg::Bond {})?;
        if i == 0 {
            b.record("bond (CW20 Send → staking)", "token → staking", &tx);
        }
        let tx = chain.market_exec(
            p,
            &market::ExecuteMsg::RegisterProvider {
                hardware: hardware(),
                models: vec!["digits-mlp-v1".into()],
                min_unit_price: Uint128::zero(),
            },
        )?;
        if i == 0 {
            b.record("register provider", "market", &tx);
        }
    }

    let job = b.submit("submit job (CW20 Send → market)", "buyer-1", 1)?;
    b.market(
        "claim job",
        "provider-1",
        &market::ExecuteMsg::ClaimJob { job_id: job },
    )?;
    b.commit("commit result", "provider-1", job)?;
    let tx = b.reveal("reveal result (settles the job)", "provider-1", job)?;
    assert_eq!(tx.attr("status"), Some("Settled"), "the reveal settles");

    let tx = chain.execute("keeper", &d.treasury, &treasury::ExecuteMsg::Distribute {})?;
    b.record("distribute (treasury)", "treasury", &tx);
    let tx = chain.send_tokens(
        "deployer",
        &d.staking,
        1_000 * TOKEN,
        &staking::ReceiveMsg::DistributeRewards {},
    )?;
    b.record("fund rewards (CW20 Send → staking)", "token → staking", &tx);
    let tx = chain.execute(
        "provider-1",
        &d.staking,
        &staking::ExecuteMsg::ClaimRewards {},
    )?;
    b.record("claim rewards", "staking", &tx);

    // A job settled by `Settle` after its reveal window: provider-2 commits but never reveals.
    let job = b.submit("submit job, redundancy 2", "buyer-1", 2)?;
    b.market(
        "claim job (job 2)",
        "provider-1",
        &market::ExecuteMsg::ClaimJob { job_id: job },
    )?;
    chain.market_exec("provider-2", &market::ExecuteMsg::ClaimJob { job_id: job })?;
    b.commit("commit result (1 of 2)", "provider-1", job)?;
    b.commit("commit result (2 of 2, opens reveal)", "provider-2", job)?;
    b.reveal("reveal result (1 of 2, no settle)", "provider-1", job)?;
    eprintln!("  waiting for the reveal window (8 s) to close");
    chain.wait_seconds(opts.market_params.reveal_window + 1)?;
    b.market(
        "settle (reveal window closed, 1 no-show slashed)",
        "keeper",
        &market::ExecuteMsg::Settle { job_id: job },
    )?;

    // Unbonding.
    let tx = chain.execute(
        "provider-1",
        &d.staking,
        &staking::ExecuteMsg::Unbond {
            amount: Uint128::new(100 * TOKEN),
        },
    )?;
    b.record("unbond", "staking", &tx);
    eprintln!("  waiting for the unbonding period ({JOB_LIFETIME} s)");
    chain.wait_seconds(JOB_LIFETIME + 1)?;
    let tx = chain.execute("provider-1", &d.staking, &staking::ExecuteMsg::Claim {})?;
    b.record("claim (matured unbonding)", "staking", &tx);

    let keeper = chain.address("keeper")?;
    let tx = chain.execute(
        "buyer-1",
        &d.token,
        &token::ExecuteMsg::Transfer {
            recipient: keeper,
            amount: Uint128::new(TOKEN),
        },
    )?;
    b.record("cw20 transfer", "token", &tx);

    // Governance: buyer-1 bonds and proposes a fee change (too little weight to pass alone),
    // provider-1's vote passes it, the keeper executes it (the market's UpdateParams runs as
    // the DAO).
    let dao = deployment
        .dao
        .clone()
        .ok_or_else(|| ChainError::Rejected("the deployment has no DAO".into()))?;
    chain.send_tokens(
        "buyer-1",
        &d.staking,
        500 * TOKEN,
        &staking::ReceiveMsg::Bond {},
    )?;
    chain.wait_blocks(1)?;
    let mut params = opts.market_params.clone();
    params.protocol_fee_bps = 500;
    let (id, tx) = governance::propose(
        &chain,
        &dao,
        "buyer-1",
        "Protocol fee to 5 %",
        "Raise the protocol fee from 3 % to 5 %.",
        vec![governance::update_market_params(&d.market, params)?],
    )?;
    b.record("dao: propose (market fee change)", "dao", &tx);
    let tx = governance::vote(&chain, &dao, "provider-1", id, dao::Vote::Yes)?;
    b.record("dao: vote yes (passes it)", "dao", &tx);
    let status = governance::proposal(&chain, &dao, id)?.status;
    if status != dao::Status::Passed {
        return Err(ChainError::Rejected(format!(
            "proposal {id} is {status:?} after the vote"
        )));
    }
    let tx = governance::execute(&chain, &dao, "keeper", id)?;
    b.record("dao: execute (market UpdateParams)", "dao → market", &tx);
    let cfg: market::ConfigResponse = chain.market(&market::QueryMsg::Config {})?;
    assert_eq!(
        cfg.params.protocol_fee_bps, 500,
        "the proposal changed the fee"
    );

    let c = chain.config();
    println!(
        "\n## Gas used on {} (gas limit = simulated × {}, fee = limit × {} {})\n",
        chain.chain_id(),
        c.gas_adjustment,
        c.gas_price,
        c.denom
    );
    println!("| step | contract | gas used |");
    println!("|---|---|---:|");
    for r in &b.rows {
        println!("| {} | {} | {} |", r.step, r.contract, r.gas_used);
    }
    if let Some(path) = &a.json {
        let json =
            serde_json::to_string_pretty(&b.rows).map_err(|e| ChainError::Serde(e.to_string()))?;
        std::fs::write(path, json)
            .map_err(|e| ChainError::Rejected(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(())
}

fn main() {
    let a = args();
    if let Err(e) = run(&a) {
        eprintln!("gas: {e}");
        std::process::exit(1);
    }
}

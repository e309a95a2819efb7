//! The cw4 group face: weights at past heights, raw cw4 storage, hooks, and a cw3-flex-multisig
//! using the staking contract as its group.

use acn_interface::staking::{
    AdminResponse, ExecuteMsg, HooksResponse, MemberChangedHookMsg, MemberDiff, QueryMsg,
};
use acn_staking::ContractError;
use acn_testing::staking_helpers::expect_staking_error;
use acn_testing::{Suite, SuiteBuilder, TOKEN};
use cosmwasm_schema::cw_serde;
use cosmwasm_std::{
    to_json_binary, Addr, Binary, Decimal, Deps, DepsMut, Empty, Env, MessageInfo, Response,
    StdResult,
};
use cw4::Cw4Contract;
use cw_controllers::HookError;
use cw_multi_test::{ContractWrapper, Executor};
use cw_storage_plus::Item;
use cw_utils::{Duration, Threshold};

/// Execute message of the hook recorder (the shape hook listeners accept).
#[cw_serde]
enum RecorderMsg {
    MemberChangedHook(MemberChangedHookMsg),
}

/// Every diff the recorder received, in order.
const RECEIVED: Item<Vec<MemberDiff>> = Item::new("received");

fn recorder_instantiate(deps: DepsMut, _: Env, _: MessageInfo, _: Empty) -> StdResult<Response> {
    RECEIVED.save(deps.storage, &vec![])?;
    Ok(Response::new())
}

fn recorder_execute(
    deps: DepsMut,
    _: Env,
    _: MessageInfo,
    msg: RecorderMsg,
) -> StdResult<Response> {
    let RecorderMsg::MemberChangedHook(hook) = msg;
    let mut received = RECEIVED.load(deps.storage)?;
    received.extend(hook.diffs);
    RECEIVED.save(deps.storage, &received)?;
    Ok(Response::new())
}

fn recorder_query(deps: Deps, _: Env, _: Empty) -> StdResult<Binary> {
    to_json_binary(&RECEIVED.load(deps.storage)?)
}

fn deploy_recorder(suite: &mut Suite) -> Addr {
    let code = suite.app.store_code(Box::new(ContractWrapper::new(
        recorder_execute,
        recorder_instantiate,
        recorder_query,
    )));
    let owner = suite.owner.clone();
    suite
        .app
        .instantiate_contract(code, owner, &Empty {}, &[], "recorder", None)
        .unwrap()
}

fn received(suite: &Suite, recorder: &Addr) -> Vec<MemberDiff> {
    suite.query(recorder, &Empty {})
}

#[test]
fn weights_are_readable_at_past_heights() {
    let mut suite = SuiteBuilder::new()
        .with_funds("alice", 1_000 * TOKEN)
        .with_funds("bob", 500 * TOKEN)
        .build();
    suite.advance_blocks(1);
    let h1 = suite.block().height;
    suite.bond("alice", 1_000 * TOKEN).unwrap();
    suite.advance_blocks(1);
    let h2 = suite.block().height;
    suite.bond("bob", 500 * TOKEN).unwrap();
    suite.advance_blocks(1);
    let h3 = suite.block().height;
    suite.unbond("alice", 400 * TOKEN).unwrap();
    suite.advance_blocks(1);
    let h4 = suite.block().height;
    suite.slash_absolute("bob", 500 * TOKEN).unwrap();
    suite.advance_blocks(1);
    let h5 = suite.block().height;

    // A height reads the weights at the start of that block.
    let alice: Vec<_> = [h1, h2, h3, h4, h5]
        .iter()
        .map(|h| suite.member_weight("alice", Some(*h)))
        .collect();
    assert_eq!(
        alice,
        vec![None, Some(1_000), Some(1_000), Some(600), Some(600)]
    );
    let bob: Vec<_> = [h1, h2, h3, h4, h5]
        .iter()
        .map(|h| suite.member_weight("bob", Some(*h)))
        .collect();
    assert_eq!(bob, vec![None, None, Some(500), Some(500), None]);
    let total: Vec<_> = [h1, h2, h3, h4, h5]
        .iter()
        .map(|h| suite.total_weight(Some(*h)))
        .collect();
    assert_eq!(total, vec![0, 1_000, 1_500, 1_100, 600]);

    assert_eq!(suite.member_weight("alice", None), Some(600));
    assert_eq!(suite.member_weight("bob", None), None);
    assert_eq!(suite.total_weight(None), 600);
}

#[test]
fn raw_cw4_storage_matches_the_queries() {
    let mut suite = SuiteBuilder::new()
        .with_funds("alice", 1_000 * TOKEN)
        .build();
    let group = Cw4Contract::new(suite.staking.clone());
    // The total exists from instantiation on.
    assert_eq!(group.total_weight(&suite.app.wrap()).unwrap(), 0);

    suite.bond("alice", 250 * TOKEN).unwrap();
    let alice = suite.addr("alice");
    let querier = suite.app.wrap();
    assert_eq!(group.total_weight(&querier).unwrap(), 250);
    assert_eq!(group.is_member(&querier, &alice, None).unwrap(), Some(250));
    assert_eq!(
        group.is_member(&querier, &suite.addr("bob"), None).unwrap(),
        None
    );
    let members = group.list_members(&querier, None, None).unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].addr, alice.to_string());
    assert_eq!(members[0].weight, 250);

    let admin: AdminResponse = suite.query(&suite.staking, &QueryMsg::Admin {});
    assert_eq!(admin.admin, Some(suite.owner.to_string()));
}

#[test]
fn weight_rounds_down_and_zero_weight_is_no_member() {
    let mut suite = SuiteBuilder::new().with_funds("alice", 10 * TOKEN).build();
    suite.bond("alice", TOKEN + TOKEN / 2).unwrap();
    assert_eq!(suite.stake("alice").weight, 1);
    assert_eq!(suite.member_weight("alice", None), Some(1));

    suite.unbond("alice", TOKEN / 2 + 1).unwrap();
    assert_eq!(suite.stake("alice").weight, 0);
    assert_eq!(suite.member_weight("alice", None), None);
    assert!(suite.list_members(None, None).is_empty());
    assert_eq!(suite.total_weight(None), 0);
    // Still a staker, just without a vote.
    assert_eq!(suite.list_stakers(None, None).len(), 1);
}

#[test]
fn hooks_hear_every_weight_change() {
    let mut suite = SuiteBuilder::new()
        .with_funds("alice", 2_000 * TOKEN)
        .with_funds("bob", 100 * TOKEN)
        .build();
    let recorder = deploy_recorder(&mut suite);
    let owner = suite.owner.clone();
    suite
        .staking_exec(
            &owner,
            &ExecuteMsg::AddHook {
                addr: recorder.to_string(),
            },
        )
        .unwrap();
    let hooks: HooksResponse = suite.query(&suite.staking, &QueryMsg::Hooks {});
    assert_eq!(hooks.hooks, vec![recorder.to_string()]);
    let err = expect_staking_error(suite.staking_exec(
        &owner,
        &ExecuteMsg::AddHook {
            addr: recorder.to_string(),
        },
    ));
    assert_eq!(
        err,
        ContractError::Hook(HookError::HookAlreadyRegistered {})
    );

    let alice = suite.addr("alice").to_string();
    suite.bond("alice", 1_000 * TOKEN).unwrap();
    // Half a token more does not change the weight: no message.
    suite.bond("alice", TOKEN / 2).unwrap();
    suite.unbond("alice", 400 * TOKEN + TOKEN / 2).unwrap();
    suite.slash_absolute("alice", 600 * TOKEN).unwrap();
    assert_eq!(
        received(&suite, &recorder),
        vec![
            MemberDiff::new(alice.clone(), None, Some(1_000)),
            MemberDiff::new(alice.clone(), Some(1_000), Some(600)),
            MemberDiff::new(alice, Some(600), None),
        ]
    );

    suite
        .staking_exec(
            &owner,
            &ExecuteMsg::RemoveHook {
                addr: recorder.to_string(),
            },
        )
        .unwrap();
    suite.bond("bob", 100 * TOKEN).unwrap();
    assert_eq!(received(&suite, &recorder).len(), 3);
    let hooks: HooksResponse = suite.query(&suite.staking, &QueryMsg::Hooks {});
    assert!(hooks.hooks.is_empty());
    let err = expect_staking_error(suite.staking_exec(
        &owner,
        &ExecuteMsg::RemoveHook {
            addr: recorder.to_string(),
        },
    ));
    assert_eq!(err, ContractError::Hook(HookError::HookNotRegistered {}));
}

#[test]
fn a_flex_multisig_votes_with_bonded_weight() {
    let mut suite = SuiteBuilder::new()
        .with_funds("alice", 600 * TOKEN)
        .with_funds("bob", 400 * TOKEN)
        .with_funds("carol", 1_000 * TOKEN)
        .build();
    suite.bond("alice", 600 * TOKEN).unwrap();
    suite.bond("bob", 400 * TOKEN).unwrap();

    let code = suite.app.store_code(Box::new(ContractWrapper::new(
        cw3_flex_multisig::contract::execute,
        cw3_flex_multisig::contract::instantiate,
        cw3_flex_multisig::contract::query,
    )));
    let owner = suite.owner.clone();
    let multisig = suite
        .app
        .instantiate_contract(
            code,
            owner,
            &cw3_flex_multisig::msg::InstantiateMsg {
                group_addr: suite.staking.to_string(),
                threshold: Threshold::AbsolutePercentage {
                    percentage: Decimal::percent(50),
                },
                max_voting_period: Duration::Time(3_600),
                executor: None,
                proposal_deposit: None,
            },
            &[],
            "dao",
            None,
        )
        .unwrap();
    suite.advance_blocks(1);

    let propose = cw3_flex_multisig::msg::ExecuteMsg::Propose {
        title: "t".into(),
        description: "d".into(),
        msgs: vec![],
        latest: None,
    };
    // No stake, no proposal.
    let mallory = suite.addr("mallory");
    let err = suite.execute(&mallory, &multisig, &propose).unwrap_err();
    assert_eq!(
        err.downcast::<cw3_flex_multisig::ContractError>().unwrap(),
        cw3_flex_multisig::ContractError::Unauthorized {}
    );

    // Bob (400 of 1 000) proposes: not enough alone.
    let bob = suite.addr("bob");
    suite.execute(&bob, &multisig, &propose).unwrap();
    let status = |suite: &Suite| {
        let prop: cw3::ProposalResponse = suite.query(
            &multisig,
            &cw3_flex_multisig::msg::QueryMsg::Proposal { proposal_id: 1 },
        );
        prop.status
    };
    assert_eq!(status(&suite), cw3::Status::Open);

    // Carol bonds after the proposal started: she cannot vote on it.
    suite.bond("carol", 1_000 * TOKEN).unwrap();
    suite.advance_blocks(1);
    let carol = suite.addr("carol");
    let vote = cw3_flex_multisig::msg::ExecuteMsg::Vote {
        proposal_id: 1,
        vote: cw3::Vote::Yes,
    };
    let err = suite.execute(&carol, &multisig, &vote).unwrap_err();
    assert_eq!(
        err.downcast::<cw3_flex_multisig::ContractError>().unwrap(),
        cw3_flex_multisig::ContractError::Unauthorized {}
    );
    assert_eq!(status(&suite), cw3::Status::Open);

    // Alice's 600 passes it.
    let alice = suite.addr("alice");
    suite.execute(&alice, &multisig, &vote).unwrap();
    assert_eq!(status(&suite), cw3::Status::Passed);
}

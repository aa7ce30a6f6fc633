// Prometheus metrics of one validator (prom-client, one Registry per validator so in-process tests
// can run several). Served on GET /metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ValidatorMetrics {
  readonly registry: Registry;
  readonly height: Gauge;
  readonly view: Gauge;
  readonly treeSize: Gauge;
  readonly mempoolSize: Gauge;
  readonly peersConnected: Gauge;
  /** Leaf submitted to this validator → block holding it committed here, seconds. */
  readonly commitLatency: Histogram;
  /** Block first seen as a proposal → committed, seconds. */
  readonly blockCommitLatency: Histogram;
  readonly blockLeaves: Histogram;
  readonly leavesCommitted: Counter;
  readonly linkDrops: Counter<'reason'>;
  readonly linkFramesSent: Counter;
  readonly linkMessagesSent: Counter;
  readonly rpcRequests: Counter<'route' | 'status'>;
  readonly catchUpBlocks: Counter;
  readonly syncRequests: Counter<'outcome'>;
  readonly safetyWriteSeconds: Histogram;
  /** Consensus input queued → its step began, by input kind. */
  readonly inputWaitSeconds: Histogram<'kind'>;
  /** The core's step() alone (checks, hashing, signing; no I/O), by input kind. */
  readonly stepSeconds: Histogram<'kind'>;
  /** Proposal queued → this validator's vote for it sent: a follower's share of a view. */
  readonly voteDelaySeconds: Histogram;
  /** Payload asked for (a QC or TC let this validator lead) → its proposal sent: a leader's share. */
  readonly proposeDelaySeconds: Histogram;
}

const STEP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5, 10];

export function createValidatorMetrics(labels: { chain_id: string; validator: string }, withProcessMetrics = true): ValidatorMetrics {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  if (withProcessMetrics) collectDefaultMetrics({ register: registry, prefix: 'proofhub_validator_' });
  const registers = [registry];
  return {
    registry,
    height: new Gauge({ name: 'proofhub_chain_height', help: 'Height of the last committed block', registers }),
    view: new Gauge({ name: 'proofhub_chain_view', help: 'Current consensus view', registers }),
    treeSize: new Gauge({ name: 'proofhub_log_tree_size', help: 'Leaves in the committed log', registers }),
    mempoolSize: new Gauge({ name: 'proofhub_mempool_size', help: 'Leaves waiting in the mempool', registers }),
    peersConnected: new Gauge({ name: 'proofhub_peers_connected', help: 'Peers with authenticated links both ways', registers }),
    commitLatency: new Histogram({
      name: 'proofhub_commit_latency_seconds',
      help: 'Leaf submitted to this validator until its block committed here',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    blockCommitLatency: new Histogram({
      name: 'proofhub_block_commit_latency_seconds',
      help: 'Block first seen as a proposal until committed',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    blockLeaves: new Histogram({
      name: 'proofhub_block_leaves',
      help: 'Leaves per committed block',
      buckets: [0, 1, 10, 50, 100, 250, 500, 1000, 2000, 4000],
      registers,
    }),
    leavesCommitted: new Counter({ name: 'proofhub_leaves_committed_total', help: 'Leaves committed', registers }),
    linkDrops: new Counter({ name: 'proofhub_link_drops_total', help: 'Peer frames dropped, by reason', labelNames: ['reason'], registers }),
    linkFramesSent: new Counter({ name: 'proofhub_link_frames_sent_total', help: 'Signed MESSAGE frames sent on peer links', registers }),
    linkMessagesSent: new Counter({ name: 'proofhub_link_messages_sent_total', help: 'Messages sent on peer links (a frame carries one or more)', registers }),
    rpcRequests: new Counter({ name: 'proofhub_rpc_requests_total', help: 'RPC requests by route and status', labelNames: ['route', 'status'], registers }),
    catchUpBlocks: new Counter({ name: 'proofhub_catch_up_blocks_total', help: 'Committed blocks fetched from peers', registers }),
    syncRequests: new Counter({ name: 'proofhub_sync_requests_total', help: 'Missing-block fetches asked for by consensus, by outcome', labelNames: ['outcome'], registers }),
    safetyWriteSeconds: new Histogram({
      name: 'proofhub_safety_write_seconds',
      help: 'Durable (fsync) write of the safety record',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1],
      registers,
    }),
    inputWaitSeconds: new Histogram({
      name: 'proofhub_consensus_input_wait_seconds',
      help: 'Consensus input queued until its step began, by kind',
      labelNames: ['kind'],
      buckets: STEP_BUCKETS,
      registers,
    }),
    stepSeconds: new Histogram({
      name: 'proofhub_consensus_step_seconds',
      help: 'Time in the consensus core step (checks, hashing, signing; no I/O), by input kind',
      labelNames: ['kind'],
      buckets: STEP_BUCKETS,
      registers,
    }),
    voteDelaySeconds: new Histogram({
      name: 'proofhub_consensus_vote_delay_seconds',
      help: 'Proposal queued until this validator sent its vote for it (fsync included)',
      buckets: STEP_BUCKETS,
      registers,
    }),
    proposeDelaySeconds: new Histogram({
      name: 'proofhub_consensus_propose_delay_seconds',
      help: 'Payload asked for (QC or TC formed here) until the proposal was sent (fsync included)',
      buckets: STEP_BUCKETS,
      registers,
    }),
  };
}

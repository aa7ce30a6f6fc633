// Chain REST routes (docs/api.md, "Chain and anchors"): the certified head with alerts, the
// genesis validator set with liveness, consistency proofs from the hub's own log, and recent
// blocks for the explorer. Everything a client is asked to believe comes with what it needs to
// check it: certificates verify against the genesis keys, proofs against certified roots.
import { z } from 'zod';
import { bytesToHex } from '@/lib/bytes';
import { publicKeyToDidKey } from '@/lib/crypto/did-key';
import { consistencyProofToJson } from '@/lib/merkle';
import { consistencyQuerySchema } from '@/lib/protocol/chain';
import type { ConsistencyResponseWire, ValidatorSetWire } from '@/lib/protocol/chain';
import { listAlerts } from '../chain/alerts';
import { latestHead, listBlocks } from '../chain/anchors';
import { chainServiceOf } from '../chain/registry';
import type { AppContext } from '../context';
import { refuse } from '../errors';
import { ApiFailure, failureResponse, parseWith } from './router';
import type { Router } from './router';

const blocksQuerySchema = z.strictObject({
  before: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  cursor: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

function query(url: URL): Record<string, string> {
  return Object.fromEntries(url.searchParams);
}

export function registerChainRoutes(router: Router, ctx: AppContext): void {
  router
    .add('GET', '/api/v1/chain/head', async () => {
      const [head, alerts] = await Promise.all([latestHead(ctx.prisma), listAlerts(ctx.prisma)]);
      if (head === null) return failureResponse(refuse('not_found', 'no certified tree head yet').error);
      return { status: 200, body: { head, alerts } };
    })
    .add('GET', '/api/v1/chain/validators', () => {
      const service = chainServiceOf(ctx);
      const genesis = service?.config?.genesis;
      if (service === null || genesis === undefined) return Promise.resolve(failureResponse(refuse('not_found', 'this hub runs without validators').error));
      const set: ValidatorSetWire = {
        chain_id: genesis.chainId,
        genesis_hash: genesis.hash,
        validators: genesis.validators.map((validator) => ({ index: validator.index, public_key: bytesToHex(validator.publicKey), did: publicKeyToDidKey(validator.publicKey) })),
        genesis: genesis.file,
      };
      return Promise.resolve({ status: 200, body: { ...set, liveness: service.liveness() } });
    })
    .add('GET', '/api/v1/log/consistency', async (request) => {
      const { from, to } = parseWith(consistencyQuerySchema, query(request.url));
      const head = await latestHead(ctx.prisma);
      if (head === null) return failureResponse(refuse('not_found', 'no certified tree head yet').error);
      const target = to ?? head.tree_size;
      if (target > head.tree_size) throw new ApiFailure({ code: 'invalid_request', message: `to ${target} is beyond the certified tree size ${head.tree_size}` });
      if (from > target) throw new ApiFailure({ code: 'invalid_request', message: `from ${from} is beyond to ${target}` });
      const service = chainServiceOf(ctx);
      if (service === null) return failureResponse(refuse('not_found', 'this hub runs without validators').error);
      const body = await service.mirror.sync((log): ConsistencyResponseWire | null => {
        const proof = log.consistencyProof(from, target);
        const fromRoot = log.rootAt(from);
        const toRoot = log.rootAt(target);
        if (!proof.ok || !fromRoot.ok || !toRoot.ok) return null;
        return { proof: consistencyProofToJson(proof.value), from_root: bytesToHex(fromRoot.value), to_root: bytesToHex(toRoot.value) };
      });
      if (body === null) return failureResponse(refuse('not_found', 'the hub\'s log does not reach that size yet').error);
      return { status: 200, body };
    })
    .add('GET', '/api/v1/chain/blocks', async (request) => {
      const page = parseWith(blocksQuerySchema, query(request.url));
      return { status: 200, body: await listBlocks(ctx.prisma, page.before ?? page.cursor ?? null, page.limit) };
    });
}

// `proofhub sign`: builds one proof body from options, checks it with the proof schema, signs its
// id with the key file's key and prints the signed proof as one line of JSON. With --content the
// post/reply body travels beside the proof (docs/proof-format.md, "Content commitment and purge"):
// the command salts it, puts its digest in the claim and prints {"proof","content"}.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Failure } from '@/lib/errors';
import { PROOF_TYPES, buildUnsignedProof, createContent, digestContent, parseContent, parseSignedProof, signProof } from '@/lib/proof';
import type { Content, ProofType } from '@/lib/proof';
import { createNodeSigner } from '@/server/crypto/ed25519-node';
import { nodeHasher } from '@/server/crypto/sha256-node';
import { describeZodError, parseCommand, parseIntegerOption, parseJsonText, requireOption } from '../args';
import { EXIT_OK, UsageError, readInput } from '../io';
import { readKeyFile } from '../key-file';

const HELP = `Usage: proofhub sign --key FILE --type TYPE --hub HUB --claim JSON [options]

Signs one proof with the key in FILE (from \`proofhub keygen\`) and prints it as one line of JSON.
The issuer is the key's did:key. The body is checked by the same schema every verifier uses, so
a proof this command prints is well-formed (whether it fits the issuer's chain is up to --seq and
--prev).

Options:
  --key FILE          Ed25519 key file
  --type TYPE         ${PROOF_TYPES.join(', ')}
  --hub HUB           hub id, e.g. "general" ([a-z0-9][a-z0-9_-]{0,63})
  --claim JSON        the type's claim object; @FILE reads it from FILE
  --seq N             position in the issuer's chain (default 1; seq 1 must be an identity proof)
  --prev ID           id of the issuer's proof at seq N-1 (required when N > 1, absent at seq 1)
  --after FILE        the issuer's previous proof (as sign printed it): sets --seq, --prev and
                      --issuer from it; "-" reads standard input
  --issuer DID        the identity to sign for (default: the key's own did:key). After a
                      key_rotation the issuer stays the inception did:key while the new key signs
  --created-at ISO    creation time, YYYY-MM-DDTHH:MM:SS.sssZ (default: now)
  --evidence JSON     array of proof ids or {"url","sha256"?,"label"?} links; @FILE reads a file
  --content JSON      post/reply only: {"body", "title"?, "salt"?} (or @FILE). The command fills
                      in a random salt when absent, sets claim.content_digest and prints
                      {"proof": …, "content": …}: publish the content beside the proof.

Claims by type (docs/proof-format.md):
  identity      {"name"}
  key_rotation  {"next_key": did:key}
  post          {"content_digest", "visibility": "public"|"members", "on_behalf_of"?}
  reply         {"parent", "root", "content_digest", "on_behalf_of"?}
  reaction      {"target", "kind": "like"|"verified"|"disputed", "undo"?: true, "on_behalf_of"?}
  moderation    {"target", "action": "hide"|"unhide"|"flag", "reason", "on_behalf_of"?}
  delegation    {"agent": did:key, "scopes": [...], "expires_at"}
  revocation    {"agent": did:key, "reason"?}

Examples:
  proofhub sign --key alice.key --type identity --hub general --claim '{"name":"Alice"}' > p1.json
  proofhub sign --key alice.key --type post --hub general --after p1.json \\
    --claim '{"visibility":"public"}' --content '{"title":"Hello","body":"First post"}' > p2.json
  proofhub sign --key alice.key --type reaction --hub general --after p2.json \\
    --claim "$(jq -c '{target: .proof.id, kind: "like"}' p2.json)"`;

const proofTypeSchema = z.enum(PROOF_TYPES, { error: `expected one of ${PROOF_TYPES.join(', ')}` });
const claimObjectSchema = z.record(z.string(), z.unknown(), { error: 'expected a JSON object' });
const evidenceArraySchema = z.array(z.unknown(), { error: 'expected a JSON array' });
// The content as a person writes it: the salt is optional here and drawn at random when absent.
const contentInputSchema = z.strictObject({
  body: z.string(),
  title: z.string().optional(),
  salt: z.string().optional(),
});

/** Salt length for new content: 32 random bytes, inside the 16-64 the format allows. */
const CONTENT_SALT_BYTES = 32;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, {
    help: HELP,
    options: {
      key: { type: 'string' },
      type: { type: 'string' },
      hub: { type: 'string' },
      claim: { type: 'string' },
      seq: { type: 'string' },
      prev: { type: 'string' },
      'created-at': { type: 'string' },
      evidence: { type: 'string' },
      content: { type: 'string' },
      after: { type: 'string' },
      issuer: { type: 'string' },
    },
    positionals: [0, 0],
  });
  if (parsed.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT_OK;
  }
  const { values } = parsed;
  const key = await readKeyFile(requireOption(values.key, '--key'));
  const type = parseWith(proofTypeSchema, requireOption(values.type, '--type'), '--type');
  const hub = requireOption(values.hub, '--hub');
  const claim = parseWith(claimObjectSchema, await readJsonOption(requireOption(values.claim, '--claim'), '--claim'), '--claim');
  const chain = await resolveChainPosition(values, key.did);
  const evidence = values.evidence === undefined ? [] : parseWith(evidenceArraySchema, await readJsonOption(values.evidence, '--evidence'), '--evidence');
  const createdAt = values['created-at'] ?? new Date().toISOString();

  let content: Content | undefined;
  if (values.content !== undefined) {
    content = await readContent(values.content, type);
    const digest = digestContent(content, nodeHasher);
    if (claim.content_digest !== undefined && claim.content_digest !== digest) {
      throw new UsageError(`--claim has content_digest ${JSON.stringify(claim.content_digest)} but --content digests to ${digest}; omit it from the claim`);
    }
    claim.content_digest = digest;
  } else if ((type === 'post' || type === 'reply') && claim.content_digest === undefined) {
    throw new UsageError(`a ${type} commits to its text by digest: pass --content '{"body":"…"}' (or claim.content_digest)`);
  }

  const unsigned = buildUnsignedProof({
    type,
    hub,
    issuer: chain.issuer,
    seq: chain.seq,
    prev: chain.prev,
    created_at: createdAt,
    // The schema behind buildUnsignedProof checks the claim for this type; here it is still unknown JSON.
    claim: claim as never,
    evidence: evidence as never,
  });
  if (!unsigned.ok) throw new UsageError(`not a valid ${type} proof: ${describeProofFailure(unsigned.error)}`);
  const proof = await signProof(unsigned.value, createNodeSigner(key.seed));
  process.stdout.write(`${JSON.stringify(content === undefined ? proof : { proof, content })}\n`);
  return EXIT_OK;
}

interface ChainOptions {
  seq?: string | undefined;
  prev?: string | undefined;
  after?: string | undefined;
  issuer?: string | undefined;
}

/** Where the new proof sits: from --after's proof, or from --seq/--prev/--issuer (defaults: seq 1, own did). */
async function resolveChainPosition(values: ChainOptions, keyDid: string): Promise<{ issuer: string; seq: number; prev: string | null }> {
  if (values.after === undefined) {
    return {
      issuer: values.issuer ?? keyDid,
      seq: values.seq === undefined ? 1 : parseIntegerOption(values.seq, '--seq', { min: 1 }),
      prev: values.prev ?? null,
    };
  }
  if (values.seq !== undefined || values.prev !== undefined) throw new UsageError('--after sets seq and prev: do not combine it with --seq or --prev');
  const json = parseJsonText(await readInput(values.after), `--after ${values.after}`);
  // Accept what `sign --content` prints too.
  const candidate = typeof json === 'object' && json !== null && 'proof' in json && !('v' in json) ? json.proof : json;
  const previous = parseSignedProof(candidate);
  if (!previous.ok) throw new UsageError(`--after ${values.after} is not a signed proof: ${describeProofFailure(previous.error)}`);
  if (values.issuer !== undefined && values.issuer !== previous.value.issuer) {
    throw new UsageError(`--issuer ${values.issuer} is not the issuer of the --after proof (${previous.value.issuer})`);
  }
  return { issuer: previous.value.issuer, seq: previous.value.seq + 1, prev: previous.value.id };
}

/** JSON text, or @FILE for a file's contents ("@-" for standard input). */
async function readJsonOption(value: string, flag: string): Promise<unknown> {
  const text = value.startsWith('@') ? await readInput(value.slice(1)) : value;
  return parseJsonText(text, flag);
}

async function readContent(value: string, type: ProofType): Promise<Content> {
  if (type !== 'post' && type !== 'reply') throw new UsageError(`--content applies to post and reply proofs, not ${type}`);
  const input = parseWith(contentInputSchema, await readJsonOption(value, '--content'), '--content');
  if (type === 'reply' && input.title !== undefined) throw new UsageError('--content: a reply has no title');
  const result = input.salt === undefined
    ? createContent(input.title === undefined ? { body: input.body } : { body: input.body, title: input.title }, randomBytes(CONTENT_SALT_BYTES))
    : parseContent(input);
  if (!result.ok) throw new UsageError(`--content: ${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** code: message, plus every further schema issue the proof library listed in details. */
function describeProofFailure(failure: Failure): string {
  const issues = z.array(z.object({ path: z.string(), message: z.string() })).safeParse((failure.details as { issues?: unknown } | undefined)?.issues);
  const all = issues.success ? issues.data.map((issue) => `${issue.path === '' ? '(proof)' : issue.path}: ${issue.message}`) : [failure.message];
  return `${failure.code}: ${all.join('; ')}`;
}

function parseWith<T>(schema: z.ZodType<T>, input: unknown, flag: string): T {
  const result = schema.safeParse(input);
  if (!result.success) throw new UsageError(`${flag}: ${describeZodError(result.error)}`);
  return result.data;
}

// `proofhub merkle root|prove|consistency|check`: RFC 9162 Merkle tree tools over a file of leaf
// hashes (one lowercase or uppercase hex SHA-256 per line), printing and checking proofs as JSON
// with hex hashes. The arithmetic is lib/merkle's; this file parses, validates and prints.
import type { z } from 'zod';
import { bytesToHex, hexToBytes } from '@/lib/bytes';
import {
  consistencyProof,
  consistencyProofJsonSchema,
  hashHexSchema,
  inclusionProof,
  inclusionProofJsonSchema,
  rootOf,
  verifyConsistency,
  verifyInclusion,
} from '@/lib/merkle';
import type { Failure } from '@/lib/errors';
import { nodeHasher } from '@/server/crypto/sha256-node';
import { describeZodError, parseCommand, parseIntegerOption, parseJsonText, requireOption } from '../args';
import { EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE, UsageError, readInput } from '../io';

const MERKLE_HELP = `Usage: proofhub merkle <subcommand> [options]

RFC 9162 Merkle tree tools. Leaf files hold one hex SHA-256 leaf hash per line (blank lines are
ignored); "-" reads standard input. Hashes in proofs are hex.

Subcommands:
  root FILE                                 print the tree's root
  prove FILE --index I [--size N]           print an inclusion proof for leaf I
  consistency FILE --from M --to N          print a consistency proof between two tree sizes
  check --leaf HEX --proof FILE_OR_JSON     check an inclusion proof (exit 1 if it fails)
  check --proof FILE_OR_JSON                check a consistency proof (exit 1 if it fails)

Run \`proofhub merkle <subcommand> --help\` for details.`;

const ROOT_HELP = `Usage: proofhub merkle root FILE

Prints the hex root of the tree whose leaf hashes are the lines of FILE ("-" for standard input).
An empty file is the empty tree: SHA-256 of no bytes (RFC 9162 §2.1.1).

Example:
  proofhub merkle root leaves.txt`;

const PROVE_HELP = `Usage: proofhub merkle prove FILE --index I [--size N]

Prints the inclusion proof (RFC 9162 §2.1.3) of leaf I in the tree of the first N leaves of FILE
(N defaults to all of them), as {"index","size","root","path":[hex…]}.

Options:
  --index I   0-based leaf index, I < N
  --size N    tree size, 1 ≤ N ≤ number of leaves (default: number of leaves)

Example:
  proofhub merkle prove leaves.txt --index 5 --size 8 > proof.json`;

const CONSISTENCY_HELP = `Usage: proofhub merkle consistency FILE --from M [--to N]

Prints the consistency proof (RFC 9162 §2.1.4) between the trees of the first M and the first N
leaves of FILE, as {"from","to","old_root","new_root","path":[hex…]}. The two roots let
\`proofhub merkle check\` verify the proof on its own.

Options:
  --from M    size of the older tree, 1 ≤ M ≤ N
  --to N      size of the newer tree (default: number of leaves)

Example:
  proofhub merkle consistency leaves.txt --from 3 --to 8`;

const CHECK_HELP = `Usage: proofhub merkle check --leaf HEX --proof FILE_OR_JSON [--root HEX]
       proofhub merkle check --proof FILE_OR_JSON [--old-root HEX] [--new-root HEX]

Checks a proof as printed by \`merkle prove\` or \`merkle consistency\`. FILE_OR_JSON is a file
name, "-" for standard input, or the JSON itself (anything starting with "{").

Inclusion proof {"index","size","root","path"}: --leaf names the hex leaf hash it proves.
Consistency proof {"from","to","path"} with "old_root" and "new_root" (as \`merkle consistency\`
prints it) or without them (the wire form of tree heads); a root the proof does not carry must
be given with --old-root / --new-root.

A proof only shows agreement with the roots it names. Pass the roots you trust (--root, or
--old-root/--new-root) and the check also requires the proof's roots to be those.

Exit codes: 0 the proof verifies; 1 it does not (printed as "FAILED <code>: <reason>", codes
root_mismatch, old_root_mismatch, wrong_path_length, index_out_of_range, bad_size); 2 the input
is unreadable or not a proof at all.

Examples:
  proofhub merkle check --leaf 6e340b9c… --proof proof.json --root 5dc9da79…
  proofhub merkle check --proof '{"from":3,"to":8,"path":[…]}' --old-root aeb6bcfe… --new-root 5dc9da79…`;

const HEX_HASH = /^[0-9a-fA-F]{64}$/;

// The wire schemas of lib/merkle (the same ones REST and bundles use); a consistency proof may
// carry the two roots it links, as \`merkle consistency\` prints them.
const consistencyProofWithRootsSchema = consistencyProofJsonSchema.extend({
  old_root: hashHexSchema.optional(),
  new_root: hashHexSchema.optional(),
});

export async function run(argv: string[]): Promise<number> {
  const [subcommand, ...rest] = argv;
  switch (subcommand) {
    case 'root':
      return runRoot(rest);
    case 'prove':
      return runProve(rest);
    case 'consistency':
      return runConsistency(rest);
    case 'check':
      return runCheck(rest);
    case undefined:
      process.stdout.write(`${MERKLE_HELP}\n`);
      return EXIT_USAGE;
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(`${MERKLE_HELP}\n`);
      return EXIT_OK;
    default:
      throw new UsageError(`unknown subcommand "${subcommand}" (expected root, prove, consistency or check)`);
  }
}

async function runRoot(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, { help: ROOT_HELP, options: {}, positionals: [1, 1] });
  if (parsed.help) return printHelp(ROOT_HELP);
  const leaves = await readLeafFile(parsed.positionals[0] as string);
  const root = orUsageError(rootOf(leaves, leaves.length, nodeHasher));
  process.stdout.write(`${bytesToHex(root)}\n`);
  return EXIT_OK;
}

async function runProve(argv: string[]): Promise<number> {
  const spec = { help: PROVE_HELP, options: { index: { type: 'string' }, size: { type: 'string' } }, positionals: [1, 1] } as const;
  const parsed = parseCommand(argv, spec);
  if (parsed.help) return printHelp(PROVE_HELP);
  const index = parseIntegerOption(requireOption(parsed.values.index, '--index'), '--index');
  const sizeOption = parsed.values.size === undefined ? undefined : parseIntegerOption(parsed.values.size, '--size', { min: 1 });
  const file = parsed.positionals[0] as string;
  const leaves = await readLeafFile(file);
  const size = sizeOption ?? leaves.length;
  if (size > leaves.length) throw new UsageError(`--size ${size} exceeds the ${leaves.length} leaves in ${file}`);
  if (index >= size) throw new UsageError(`--index ${index} is outside the tree of size ${size} (indexes start at 0)`);
  const proof = orUsageError(inclusionProof(leaves, index, size, nodeHasher));
  const root = orUsageError(rootOf(leaves, size, nodeHasher));
  printJson({ index, size, root: bytesToHex(root), path: proof.path.map(bytesToHex) });
  return EXIT_OK;
}

async function runConsistency(argv: string[]): Promise<number> {
  const spec = { help: CONSISTENCY_HELP, options: { from: { type: 'string' }, to: { type: 'string' } }, positionals: [1, 1] } as const;
  const parsed = parseCommand(argv, spec);
  if (parsed.help) return printHelp(CONSISTENCY_HELP);
  const from = parseIntegerOption(requireOption(parsed.values.from, '--from'), '--from', { min: 1 });
  const toOption = parsed.values.to === undefined ? undefined : parseIntegerOption(parsed.values.to, '--to', { min: 1 });
  const file = parsed.positionals[0] as string;
  const leaves = await readLeafFile(file);
  const to = toOption ?? leaves.length;
  if (to > leaves.length) throw new UsageError(`--to ${to} exceeds the ${leaves.length} leaves in ${file}`);
  if (from > to) throw new UsageError(`--from ${from} must not exceed --to ${to}`);
  const proof = orUsageError(consistencyProof(leaves, from, to, nodeHasher));
  const oldRoot = orUsageError(rootOf(leaves, from, nodeHasher));
  const newRoot = orUsageError(rootOf(leaves, to, nodeHasher));
  printJson({ from, to, old_root: bytesToHex(oldRoot), new_root: bytesToHex(newRoot), path: proof.path.map(bytesToHex) });
  return EXIT_OK;
}

async function runCheck(argv: string[]): Promise<number> {
  const spec = {
    help: CHECK_HELP,
    options: { leaf: { type: 'string' }, proof: { type: 'string' }, root: { type: 'string' }, 'old-root': { type: 'string' }, 'new-root': { type: 'string' } },
    positionals: [0, 0],
  } as const;
  const parsed = parseCommand(argv, spec);
  if (parsed.help) return printHelp(CHECK_HELP);
  const proofArgument = requireOption(parsed.values.proof, '--proof');
  const proofJson = parseJsonText(proofArgument.trimStart().startsWith('{') ? proofArgument : await readInput(proofArgument), 'the proof');
  const isConsistency = proofJson !== null && typeof proofJson === 'object' && 'from' in proofJson;
  return isConsistency ? checkConsistency(proofJson, parsed.values) : checkInclusion(proofJson, parsed.values);
}

interface CheckOptions {
  leaf?: string | undefined;
  root?: string | undefined;
  'old-root'?: string | undefined;
  'new-root'?: string | undefined;
}

function checkInclusion(json: unknown, options: CheckOptions): number {
  if (options['old-root'] !== undefined || options['new-root'] !== undefined) {
    throw new UsageError('--old-root and --new-root apply to consistency proofs; use --root with an inclusion proof');
  }
  const leafHash = parseHexOption(requireOption(options.leaf, '--leaf (the leaf hash an inclusion proof proves)'), '--leaf');
  const proof = parseProof(inclusionProofJsonSchema, json, 'inclusion proof');
  if (options.root !== undefined && bytesToHex(parseHexOption(options.root, '--root')) !== proof.root) {
    return reportFailure({ code: 'root_mismatch', message: `the proof leads to root ${proof.root}, not to the trusted root given with --root` });
  }
  const result = verifyInclusion({ leafHash, index: proof.index, size: proof.size, path: proof.path.map(hexToBytes), root: hexToBytes(proof.root) }, nodeHasher);
  if (!result.ok) return reportFailure(result.error);
  process.stdout.write(`ok: leaf ${bytesToHex(leafHash)} is at index ${proof.index} of the tree of size ${proof.size} with root ${proof.root}\n`);
  return EXIT_OK;
}

function checkConsistency(json: unknown, options: CheckOptions): number {
  if (options.leaf !== undefined) throw new UsageError('a consistency proof takes no --leaf');
  if (options.root !== undefined) throw new UsageError('use --old-root and --new-root with a consistency proof');
  const proof = parseProof(consistencyProofWithRootsSchema, json, 'consistency proof');
  // Each root comes from the proof, from the flag, or both; when both, they must agree.
  const roots: Uint8Array[] = [];
  for (const [flag, field, code] of [['--old-root', 'old_root', 'old_root_mismatch'], ['--new-root', 'new_root', 'root_mismatch']] as const) {
    const given = options[flag.slice(2) as 'old-root' | 'new-root'];
    const trusted = given === undefined ? undefined : parseHexOption(given, flag);
    const carried = proof[field] === undefined ? undefined : hexToBytes(proof[field]);
    if (trusted === undefined && carried === undefined) throw new UsageError(`the proof has no ${field}: pass it with ${flag}`);
    if (trusted !== undefined && carried !== undefined && bytesToHex(trusted) !== bytesToHex(carried)) {
      return reportFailure({ code, message: `the proof names ${field} ${bytesToHex(carried)}, not the trusted root given with ${flag}` });
    }
    roots.push((trusted ?? carried) as Uint8Array);
  }
  const [oldRoot, newRoot] = roots as [Uint8Array, Uint8Array];
  const result = verifyConsistency({ from: proof.from, to: proof.to, path: proof.path.map(hexToBytes), oldRoot, newRoot }, nodeHasher);
  if (!result.ok) return reportFailure(result.error);
  process.stdout.write(`ok: the tree of size ${proof.from} with root ${bytesToHex(oldRoot)} is a prefix of the tree of size ${proof.to} with root ${bytesToHex(newRoot)}\n`);
  return EXIT_OK;
}

/** Reads a leaf file: one 64-hex-digit hash per line, blank lines ignored, any other line refused by number. */
export async function readLeafFile(path: string): Promise<Uint8Array[]> {
  const text = await readInput(path);
  const leaves: Uint8Array[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    if (!HEX_HASH.test(line)) {
      const shown = line.length > 80 ? `${line.slice(0, 77)}...` : line;
      throw new UsageError(`${path === '-' ? 'standard input' : path} line ${i + 1}: expected a 32-byte leaf hash as 64 hex characters, got "${shown}"`);
    }
    leaves.push(hexToBytes(line));
  }
  return leaves;
}

function parseHexOption(text: string, flag: string): Uint8Array {
  // Flags accept either case; proofs use the lowercase wire form.
  if (!HEX_HASH.test(text)) throw new UsageError(`${flag} must be a 32-byte hash as 64 hex characters`);
  return hexToBytes(text);
}

function parseProof<T>(schema: z.ZodType<T>, json: unknown, what: string): T {
  const result = schema.safeParse(json);
  if (!result.success) throw new UsageError(`not a valid ${what}: ${describeZodError(result.error)}`);
  return result.data;
}

// The leaf file and the options were validated already, so lib/merkle refusing them is a usage
// problem we did not foresee rather than a failed check.
function orUsageError<T>(result: { ok: true; value: T } | { ok: false; error: Failure }): T {
  if (!result.ok) throw new UsageError(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

function reportFailure(error: Failure): number {
  // The verdict is the command's output, so it goes to stdout like the "ok:" line.
  process.stdout.write(`FAILED ${error.code}: ${error.message}\n`);
  return EXIT_CHECK_FAILED;
}

function printHelp(text: string): number {
  process.stdout.write(`${text}\n`);
  return EXIT_OK;
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

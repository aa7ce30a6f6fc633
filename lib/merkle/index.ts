// lib/merkle: the RFC 9162 Merkle tree behind the proofhub log (DESIGN.md, Log and chain).
export { defaultHasher, EMPTY_ROOT, HASH_SIZE, leafHash, leafHashOfData, nodeHash, type Hasher } from './hashing';
export type { ConsistencyProof, InclusionProof, MerkleErrorCode, TreeHead } from './types';
export { consistencyProof, inclusionProof, rootOf } from './tree';
export { verifyConsistency, verifyInclusion, type ConsistencyClaim, type InclusionClaim } from './verify';
export { MerkleFrontier } from './frontier';
export { MerkleLog, type MerkleLogOptions } from './log';
export { HashList, InMemoryNodeStore, type MerkleNodeStore } from './store';
export { HASH_INDEX_MAX, HashIndex } from './hash-index';
export {
  consistencyProofFromJson,
  consistencyProofJsonSchema,
  consistencyProofToJson,
  frontierJsonSchema,
  hashHexSchema,
  inclusionProofFromJson,
  inclusionProofJsonSchema,
  inclusionProofToJson,
  MAX_PATH_LENGTH,
  type ConsistencyProofJson,
  type FrontierJson,
  type InclusionProofJson,
} from './wire';

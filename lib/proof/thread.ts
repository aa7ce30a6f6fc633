// Reference rules between proofs of one thread: a reply's parent and root, a reaction's or
// moderation's target. The hub runs them at admission with proofs from its store; verifyProofSet
// runs them inside a set. A reference to a proof the caller does not have is unknown_parent.
import { fail, ok } from '../errors';
import type { Result } from '../errors';
import type { SignedProof, SignedProofOf } from './schema';

export type ReferenceErrorCode = 'unknown_parent' | 'wrong_hub' | 'invalid_claim';

function sameHub(proof: SignedProof, other: SignedProof, role: string): Result<true, 'wrong_hub'> {
  if (other.hub !== proof.hub) {
    return fail('wrong_hub', `the ${role} ${other.id} is in hub "${other.hub}", not "${proof.hub}"`, { role, id: other.id, hub: other.hub, expected: proof.hub });
  }
  return ok(true);
}

/**
 * A reply's links: parent is a post or a reply, root is the thread's post, both in the reply's hub,
 * and they agree (a reply to the post has root = parent; a reply to a reply inherits its root).
 * `root` may be omitted when the caller only has the parent.
 */
export function checkReplyLinks(
  reply: SignedProofOf<'reply'>,
  parent: SignedProof | undefined,
  root?: SignedProof,
): Result<true, ReferenceErrorCode> {
  if (parent === undefined) return fail('unknown_parent', `parent ${reply.claim.parent} is not known`, { parent: reply.claim.parent });
  if (parent.type !== 'post' && parent.type !== 'reply') {
    return fail('invalid_claim', `a reply's parent must be a post or a reply, not a ${parent.type}`, { parent: parent.id });
  }
  const parentHub = sameHub(reply, parent, 'parent');
  if (!parentHub.ok) return parentHub;
  const expectedRoot = parent.type === 'post' ? parent.id : parent.claim.root;
  if (reply.claim.root !== expectedRoot) {
    return fail('invalid_claim', `root must be ${expectedRoot}, the thread of the parent`, { root: reply.claim.root, expected: expectedRoot });
  }
  if (root !== undefined) {
    if (root.id !== reply.claim.root) return fail('invalid_claim', 'the root given is not the reply\'s root');
    if (root.type !== 'post') return fail('invalid_claim', `a thread's root must be a post, not a ${root.type}`, { root: root.id });
    const rootHub = sameHub(reply, root, 'root');
    if (!rootHub.ok) return rootHub;
  }
  return ok(true);
}

/** A reaction's or moderation's target: a post or a reply of the same hub. */
export function checkTargetLink(
  proof: SignedProofOf<'reaction'> | SignedProofOf<'moderation'>,
  target: SignedProof | undefined,
): Result<true, ReferenceErrorCode> {
  if (target === undefined) return fail('unknown_parent', `target ${proof.claim.target} is not known`, { target: proof.claim.target });
  if (target.type !== 'post' && target.type !== 'reply') {
    return fail('invalid_claim', `a ${proof.type} targets a post or a reply, not a ${target.type}`, { target: target.id });
  }
  return sameHub(proof, target, 'target');
}

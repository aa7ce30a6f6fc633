// Per-account and per-address rate limits (rate-limiter-flexible). In memory for one web
// instance; REDIS_URL will move them to Redis so several instances share one budget.
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

export interface RateLimitConfig {
  /** Proofs per account per window (PROOFHUB_RATE_POINTS / PROOFHUB_RATE_WINDOW_S). */
  proofs: { points: number; windowSeconds: number };
  /** Sign-ups per client address per window. */
  signups: { points: number; windowSeconds: number };
  /** Sign-in attempts per username per window (argon2 is deliberately slow: bound the work). */
  logins: { points: number; windowSeconds: number };
}

export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
  proofs: { points: 60, windowSeconds: 60 },
  signups: { points: 30, windowSeconds: 600 },
  logins: { points: 20, windowSeconds: 60 },
};

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface RateLimiter {
  consume(key: string): Promise<RateDecision>;
}

function memoryLimiter(points: number, windowSeconds: number): RateLimiter {
  const limiter = new RateLimiterMemory({ points, duration: windowSeconds });
  return {
    consume: async (key) => {
      try {
        await limiter.consume(key);
        return { allowed: true };
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
        throw rejection;
      }
    },
  };
}

export interface RateLimits {
  proofs: RateLimiter;
  signups: RateLimiter;
  logins: RateLimiter;
}

export function createRateLimits(config: RateLimitConfig = DEFAULT_RATE_LIMITS): RateLimits {
  return {
    proofs: memoryLimiter(config.proofs.points, config.proofs.windowSeconds),
    signups: memoryLimiter(config.signups.points, config.signups.windowSeconds),
    logins: memoryLimiter(config.logins.points, config.logins.windowSeconds),
  };
}

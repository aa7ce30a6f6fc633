// Per-account and per-address rate limits (rate-limiter-flexible). In memory for one web
// instance; with REDIS_URL in Redis, so several instances share one budget.
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RedisConnection } from './redis';

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

function wrapLimiter(limiter: RateLimiterAbstract): RateLimiter {
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

/** In memory by default; with a Redis client, budgets are shared by every web instance. */
export function createRateLimits(config: RateLimitConfig = DEFAULT_RATE_LIMITS, redis: RedisConnection | null = null): RateLimits {
  const make = (name: keyof RateLimitConfig): RateLimiter => {
    const { points, windowSeconds } = config[name];
    return wrapLimiter(
      redis === null
        ? new RateLimiterMemory({ points, duration: windowSeconds })
        : new RateLimiterRedis({ storeClient: redis.client, useRedisPackage: true, points, duration: windowSeconds, keyPrefix: `${redis.prefix}:rl:${name}` }),
    );
  };
  return { proofs: make('proofs'), signups: make('signups'), logins: make('logins') };
}

// A client-side rate limit for every request and upgrade one client sends: a token bucket (QPS, burst), as
// client-go's flowcontrol limiter, and a pause that the API server asks for with 429 and Retry-After.

export interface RateLimit {
  /** requests per second, sustained */
  qps: number;
  /** requests that may go at once when the bucket is full */
  burst: number;
}

/** How many times a request the server answered 429 is sent again (client-go's default). */
export const MAX_RETRIES_ON_429 = 10;
/** The longest wait a Retry-After is taken for. */
const MAX_RETRY_AFTER_MS = 60_000;

export class RequestLimiter {
  private tokens: number;
  private last: number;
  private pausedUntil = 0;

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.tokens = limit.burst;
    this.last = clock();
  }

  /** Resolves when a request may be sent; a pause asked for meanwhile sends it to the back. */
  async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const wait = this.reserve();
      if (wait > 0) await sleep(wait, signal);
      if (this.clock() >= this.pausedUntil) return;
    }
  }

  /** Nothing is sent for `ms` (the bucket owes that time, so what waits resumes at the sustained rate). */
  pause(ms: number): void {
    const now = this.clock();
    this.refill(now);
    this.pausedUntil = Math.max(this.pausedUntil, now + ms);
    this.tokens = Math.min(this.tokens, 0) - (ms * this.limit.qps) / 1000;
  }

  /** Takes a token, owed if need be; returns how long to wait before it is one's own. */
  private reserve(): number {
    const now = this.clock();
    this.refill(now);
    this.tokens -= 1;
    const owed = this.tokens < 0 ? (-this.tokens * 1000) / this.limit.qps : 0;
    return Math.max(owed, this.pausedUntil - now);
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) * this.limit.qps) / 1000);
    this.last = now;
  }
}

/** How long a 429 asks to wait: its Retry-After (seconds or an HTTP date), else 1 s doubling per attempt. */
export function retryAfterMs(header: string | string[] | undefined, attempt: number, now = Date.now()): number {
  const value = [header].flat()[0]?.trim();
  let ms: number | undefined;
  if (value && /^\d+$/.test(value)) ms = Number(value) * 1000;
  else if (value && !Number.isNaN(Date.parse(value))) ms = Math.max(0, Date.parse(value) - now);
  ms ??= 1000 * 2 ** Math.min(attempt, 5);
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

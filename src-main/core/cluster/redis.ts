// Reaching Redis, for the hub and the workers alike: the URL checked, one ping with a deadline.
import { errorKind } from '../errors';
import { redactUrl } from './protocol';

/** Redis cannot be reached, or refused. */
export const RedisUnreachableError = errorKind('RedisUnreachableError', 'unusable');

/** A Redis URL's text, checked: redis:// or rediss://. */
export function checkRedisUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RedisUnreachableError(`"${url.slice(0, 200)}" is not a Redis URL (redis://host:port).`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new RedisUnreachableError(
      `"${url.slice(0, 200)}" is not a Redis URL: it must start with redis:// or rediss://.`,
    );
  return url;
}

/**
 * Whether Redis answers within `ms`; rejects with a RedisUnreachableError saying why not, at the
 * connection's first error (Redis refused, the name is unknown) or when time is up.
 */
export async function pingRedis(
  client: { ping(): Promise<unknown>; once(event: 'error', f: (err: Error) => void): unknown },
  url: string,
  ms = 5000,
): Promise<void> {
  const shown = redactUrl(url);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      client.ping(),
      new Promise((_, reject) => {
        client.once('error', reject);
        timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
      }),
    ]);
  } catch (err) {
    throw new RedisUnreachableError(`Cannot reach Redis at ${shown}: ${(err as Error).message}.`);
  } finally {
    clearTimeout(timer);
  }
}

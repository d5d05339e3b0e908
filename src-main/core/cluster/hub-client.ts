// How a worker talks to its hub: JSON requests and file downloads with the hub's token, retried
// while the hub cannot be reached (it may be restarting) and given up after a while.
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { errorKind } from '../errors';

/** The hub refused a request (4xx): it says why; a 409 means the worker does not hold the run. */
export class HubRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HubRefusal';
  }
}

/** The hub could not be reached for longer than the worker waits. */
export const HubUnreachableError = errorKind('HubUnreachableError', 'busy');

/** A hub's address as `timbre serve` prints it (a token in it is taken when none is given). */
export function parseHubUrl(text: string, token: string | undefined): { base: string; token: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new HubUnreachableError(`"${text.slice(0, 200)}" is not a hub address (http://host:port).`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new HubUnreachableError(
      `The hub's address must start with http:// or https://, not ${url.protocol}.`,
    );
  const given = token ?? url.searchParams.get('token') ?? undefined;
  if (!given)
    throw new HubUnreachableError(
      'The hub needs its token: --token TOKEN (or TIMBRE_HUB_TOKEN), or the URL `timbre serve` printed.',
    );
  return { base: url.origin, token: given };
}

/** A worker's connection to its hub. */
export class HubClient {
  constructor(
    private readonly base: string,
    private readonly token: string,
    /** How long a request is retried while the hub cannot be reached, in ms. */
    private readonly patienceMs = 5 * 60_000,
    /** Told when the hub refuses the token (401): nothing this worker asks will be answered. */
    private readonly onUnauthorized: (message: string) => void = () => {},
  ) {}

  /** POSTs a JSON body to `path`; the JSON answer, or a HubRefusal. */
  post<T>(path: string, body: unknown): Promise<T> {
    const text = JSON.stringify(body);
    return this.retrying(async () => {
      const res = await fetch(this.base + path, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
        body: text,
        // A short-lived request (a heartbeat, a leave) does not wait on a hub that hangs.
        signal: this.patienceMs < 60_000 ? AbortSignal.timeout(Math.max(this.patienceMs, 5000)) : undefined,
      });
      if (!res.ok) throw await refusal(res);
      return (await res.json()) as T;
    });
  }

  /** Downloads `path` into `file`, which must come out `size` bytes long. */
  download(path: string, headers: Record<string, string>, file: string, size?: number): Promise<void> {
    return this.retrying(async () => {
      const res = await fetch(this.base + path, {
        headers: { authorization: `Bearer ${this.token}`, ...headers },
      });
      if (!res.ok || !res.body) throw await refusal(res);
      await pipeline(
        Readable.fromWeb(res.body as import('node:stream/web').ReadableStream),
        fs.createWriteStream(file),
      );
      const got = fs.statSync(file).size;
      if (size !== undefined && got !== size)
        throw new Error(`${path} came ${got} bytes long instead of ${size}.`);
    });
  }

  /** Runs `f` until it succeeds, is refused (4xx), or the hub stayed unreachable for patienceMs. */
  private async retrying<T>(f: () => Promise<T>): Promise<T> {
    const until = Date.now() + this.patienceMs;
    let wait = 250;
    for (;;) {
      try {
        return await f();
      } catch (err) {
        if (err instanceof HubRefusal && err.status === 401) this.onUnauthorized(err.message);
        if (err instanceof HubRefusal && err.status < 500) throw err;
        if (Date.now() + wait > until)
          throw new HubUnreachableError(
            `The hub at ${this.base} could not be reached: ${(err as Error).message}`,
          );
        await new Promise((r) => setTimeout(r, wait));
        wait = Math.min(wait * 2, 5000);
      }
    }
  }
}

async function refusal(res: Response): Promise<HubRefusal> {
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { error?: { message?: unknown } };
    if (typeof body?.error?.message === 'string') message = body.error.message;
  } catch {
    // Not our JSON (a proxy's page): the status says enough.
  }
  return new HubRefusal(res.status, message);
}

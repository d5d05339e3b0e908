// Cluster mode's routes (docs/cluster.md): what `timbre worker` processes ask the hub. The caller
// has checked the token (sent as "Authorization: Bearer"); every body is checked here again.
import fs from 'node:fs';
import type http from 'node:http';
import type { z } from 'zod';
import type { ClusterHub } from '../core/cluster/hub';
import {
  ClaimRequest,
  HeartbeatRequest,
  HOLDER_HEADER,
  LeaveRequest,
  MAX_REPORT_BYTES,
  ReportRequest,
  ResumeRequest,
} from '../core/cluster/protocol';
import { readBody } from './api-route';
import { RequestError } from './errors';
import type { RequestTarget } from './request-target';

/** Answers a request under /cluster/; `send` writes a JSON answer. */
export async function clusterRoute(
  hub: ClusterHub | undefined,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  target: RequestTarget,
  send: (status: number, body: unknown) => void,
): Promise<void> {
  if (!hub)
    throw new RequestError(404, 'This workbench runs no cluster: start `timbre serve` with --redis URL.');
  const [, what, ...rest] = target.segments;
  if (['claim', 'report', 'heartbeat', 'leave', 'resume'].includes(what ?? '')) {
    if (rest.length) throw new RequestError(404, 'No such cluster address.');
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      throw new RequestError(405, 'Cluster reports are POST requests.');
    }
    const type = (req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
    if (type !== 'application/json')
      throw new RequestError(415, 'Cluster requests must be sent as Content-Type: application/json.');
    const body = await readBody(req, what === 'report' ? MAX_REPORT_BYTES : 64 * 1024);
    if (what === 'claim') return send(200, await hub.claim(parse(ClaimRequest, body)));
    if (what === 'heartbeat') return send(200, hub.heartbeat(parse(HeartbeatRequest, body)));
    if (what === 'leave') return send(200, hub.leave(parse(LeaveRequest, body)));
    if (what === 'resume') return send(200, await hub.resume(parse(ResumeRequest, body)));
    return send(200, hub.report(parse(ReportRequest, body)));
  }
  // GET /cluster/runs/<id>/features/<file> and /cluster/runs/<id>/models/<folder>/<file>
  if (what === 'runs') {
    if (req.method !== 'GET') {
      res.setHeader('allow', 'GET');
      throw new RequestError(405, 'Cluster files are fetched with GET.');
    }
    const runId = Number(rest[0]);
    if (!Number.isSafeInteger(runId) || runId < 1 || String(runId) !== rest[0])
      throw new RequestError(404, 'No such run.');
    const [worker, jobId, extra] = String(req.headers[HOLDER_HEADER] ?? '').split(' ');
    if (!worker || !jobId || extra !== undefined)
      throw new RequestError(400, `Cluster files need the ${HOLDER_HEADER} header: "<worker> <job id>".`);
    let file: string;
    if (rest[1] === 'features' && rest.length === 3) file = hub.featureFile(runId, worker, jobId, rest[2]!);
    else if (rest[1] === 'models' && rest.length === 4)
      file = hub.modelFile(runId, worker, jobId, rest[2]!, rest[3]!);
    else throw new RequestError(404, 'No such cluster address.');
    return sendFile(res, file);
  }
  throw new RequestError(404, 'No such cluster address.');
}

function parse<T extends z.ZodType>(schema: T, body: string): z.infer<T> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new RequestError(400, 'The request body is not JSON.');
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = issue.path.length ? issue.path.map(String).join('.').slice(0, 100) : 'the body';
  throw new RequestError(400, `Bad cluster request: ${where}: ${issue.message.slice(0, 200)}`);
}

function sendFile(res: http.ServerResponse, file: string): Promise<void> {
  const size = fs.statSync(file).size;
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': String(size),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  return new Promise((resolve) => {
    const stream = fs.createReadStream(file);
    stream.on('error', () => {
      res.destroy();
      resolve();
    });
    stream.on('end', () => resolve());
    stream.pipe(res);
  });
}

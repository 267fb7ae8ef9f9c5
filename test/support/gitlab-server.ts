import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { z } from 'zod';

/** One API call as the server received it. */
export interface GitLabCall {
  method: string;
  /** The path as sent, without the query string and still percent-encoded, e.g. `/api/v4/projects/acme%2Fgitops/merge_requests`. */
  path: string;
  query: Record<string, string>;
  /** The JSON body, or undefined. */
  body: unknown;
  headers: IncomingHttpHeaders;
  /** True when the `PRIVATE-TOKEN` header carried the right token. */
  authorized: boolean;
}

/** A merge request as the server keeps it, in GitLab's JSON shape (the fields Sleuth uses and a few more). */
export interface FakeMergeRequest {
  id: number;
  iid: number;
  project_id: number;
  source_project_id: number;
  target_project_id: number;
  title: string;
  description: string | null;
  state: 'opened' | 'closed' | 'merged' | 'locked';
  source_branch: string;
  target_branch: string;
  labels: string[];
  web_url: string;
  merged_at: string | null;
  author: { username: string };
  created_at: string;
  updated_at: string;
}

export interface FakeProject {
  id: number;
  /** `group/sub/repo`. */
  path_with_namespace: string;
}

export interface GitLabServer {
  /** The REST API root (`http://127.0.0.1:PORT/api/v4`), as Sleuth's `baseUrl`. */
  url: string;
  calls: GitLabCall[];
  /** Merge requests by project id, then by iid. */
  mergeRequests(project: number): Map<number, FakeMergeRequest>;
  /** The calls with this method whose (encoded) path matches. */
  callsTo(method: string, path: RegExp): GitLabCall[];
  close(): Promise<void>;
}

/** GitLab takes labels as a list or as a comma-separated string. */
const Labels = z
  .union([z.array(z.string()), z.string().transform((s) => s.split(','))])
  .transform((l) => l.map((x) => x.trim()).filter((x) => x !== ''));
const CreateMergeRequest = z.object({
  source_branch: z.string().min(1),
  target_branch: z.string().min(1),
  title: z.string().min(1),
  description: z.string().optional(),
  labels: Labels.optional(),
});
const UpdateMergeRequest = z.object({
  title: z.string().min(1).optional(),
  description: z.string().optional(),
  target_branch: z.string().min(1).optional(),
  state_event: z.enum(['close', 'reopen']).optional(),
  labels: Labels.optional(),
});

function send(res: ServerResponse, status: number, data: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(data));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Grape's 400 for missing or invalid parameters: `{"error":"title is missing"}`. */
function badRequest(res: ServerResponse, error: z.ZodError): void {
  const what = error.issues.map(
    (i) => `${i.path.join('.')} is ${i.code === 'invalid_type' ? 'missing' : 'invalid'}`,
  );
  send(res, 400, { error: what.join(', ') });
}

/**
 * A GitLab REST API v4 subset on 127.0.0.1 (random port): list, create and update a project's merge
 * requests, with GitLab's JSON shapes; its 401 `{"message":"401 Unauthorized"}` for a missing or
 * wrong `PRIVATE-TOKEN`, 404 for an unknown project or merge request, 409 for a second open merge
 * request from the same source branch and 422 for a source branch equal to the target. Projects
 * are found by numeric id or by URL-encoded path. Records every call.
 */
export async function startGitLabServer(
  token: string,
  projects: readonly FakeProject[],
): Promise<GitLabServer> {
  const calls: GitLabCall[] = [];
  const byProject = new Map<number, Map<number, FakeMergeRequest>>(projects.map((p) => [p.id, new Map()]));
  let nextId = 1;
  const now = (): string => new Date().toISOString();

  const server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) =>
      send(res, 500, { message: `500 Internal Server Error: ${String(e)}` }),
    );
  });

  function project(id: string): FakeProject | undefined {
    return projects.find((p) => (/^\d+$/.test(id) ? p.id === Number(id) : p.path_with_namespace === id));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const body = await readJson(req);
    const authorized = req.headers['private-token'] === token;
    calls.push({
      method,
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      body,
      headers: req.headers,
      authorized,
    });
    if (!authorized) return send(res, 401, { message: '401 Unauthorized' });

    const route = /^\/api\/v4\/projects\/([^/]+)\/merge_requests(?:\/(\d+))?$/.exec(u.pathname);
    if (!route) return send(res, 404, { error: '404 Not Found' });
    const [, encoded = '', iid] = route;
    const p = project(decodeURIComponent(encoded));
    const mrs = p && byProject.get(p.id);
    if (!p || !mrs) return send(res, 404, { message: '404 Project Not Found' });

    if (iid === undefined && method === 'GET') {
      const q = u.searchParams;
      const state = q.get('state') ?? 'all';
      const list = [...mrs.values()]
        .filter(
          (mr) =>
            (state === 'all' || mr.state === state) &&
            (q.get('source_branch') === null || mr.source_branch === q.get('source_branch')) &&
            (q.get('target_branch') === null || mr.target_branch === q.get('target_branch')),
        )
        .sort((a, b) => b.iid - a.iid);
      return send(res, 200, list);
    }
    if (iid === undefined && method === 'POST') {
      const parsed = CreateMergeRequest.safeParse(body);
      if (!parsed.success) return badRequest(res, parsed.error);
      const { source_branch, target_branch, title } = parsed.data;
      if (source_branch === target_branch)
        return send(res, 422, { message: ["You can't use same project/branch for source and target"] });
      const duplicate = [...mrs.values()].find(
        (mr) => mr.state === 'opened' && mr.source_branch === source_branch && mr.source_project_id === p.id,
      );
      if (duplicate)
        return send(res, 409, {
          message: [`Another open merge request already exists for this source branch: !${duplicate.iid}`],
        });
      const n = Math.max(0, ...mrs.keys()) + 1;
      const created: FakeMergeRequest = {
        id: 5000 + nextId++,
        iid: n,
        project_id: p.id,
        source_project_id: p.id,
        target_project_id: p.id,
        title,
        description: parsed.data.description ?? null,
        state: 'opened',
        source_branch,
        target_branch,
        labels: parsed.data.labels ?? [],
        web_url: `https://gitlab.example/${p.path_with_namespace}/-/merge_requests/${n}`,
        merged_at: null,
        author: { username: 'sleuth-bot' },
        created_at: now(),
        updated_at: now(),
      };
      mrs.set(n, created);
      return send(res, 201, created);
    }
    const mr = iid === undefined ? undefined : mrs.get(Number(iid));
    if (!mr) return send(res, 404, { message: '404 Not found' });
    if (method === 'GET') return send(res, 200, mr);
    if (method === 'PUT') {
      const parsed = UpdateMergeRequest.safeParse(body);
      if (!parsed.success) return badRequest(res, parsed.error);
      const d = parsed.data;
      if (d.title !== undefined) mr.title = d.title;
      if (d.description !== undefined) mr.description = d.description;
      if (d.target_branch !== undefined) mr.target_branch = d.target_branch;
      if (d.labels !== undefined) mr.labels = d.labels;
      if (d.state_event === 'close') mr.state = 'closed';
      if (d.state_event === 'reopen') mr.state = 'opened';
      mr.updated_at = now();
      return send(res, 200, mr);
    }
    return send(res, 405, { error: '405 Method Not Allowed' });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the server has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}/api/v4`,
    calls,
    mergeRequests: (id) => byProject.get(id) ?? new Map(),
    callsTo: (method, path) => calls.filter((c) => c.method === method && path.test(c.path)),
    close: () => new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

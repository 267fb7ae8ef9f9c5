import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { z } from 'zod';

/** One API call as the server received it. */
export interface GitHubCall {
  method: string;
  /** The path without the query string, e.g. `/repos/acme/gitops/pulls`. */
  path: string;
  query: Record<string, string>;
  /** The JSON body, or undefined. */
  body: unknown;
  /** The Authorization header's scheme (`token`, `bearer`) when it carried the right token. */
  auth: string | undefined;
}

/** A pull request as the server keeps it, in GitHub's JSON shape (the fields Sleuth uses). */
export interface FakePull {
  id: number;
  number: number;
  url: string;
  html_url: string;
  state: 'open' | 'closed';
  title: string;
  body: string | null;
  head: { ref: string; label: string };
  base: { ref: string; label: string };
  labels: { id: number; name: string }[];
  merged: boolean;
  merged_at: string | null;
  user: { login: string };
}

export interface GitHubServer {
  /** The REST API root to give Octokit as `baseUrl`. */
  url: string;
  calls: GitHubCall[];
  /** Pull requests by number. */
  pulls: Map<number, FakePull>;
  /** The calls with this method whose path matches. */
  callsTo(method: string, path: RegExp): GitHubCall[];
  close(): Promise<void>;
}

const CreatePull = z.object({
  title: z.string().min(1),
  head: z.string().min(1),
  base: z.string().min(1),
  body: z.string().optional(),
});
const UpdatePull = z.object({
  title: z.string().optional(),
  body: z.string().optional(),
  state: z.enum(['open', 'closed']).optional(),
});
const AddLabels = z.object({ labels: z.array(z.string().min(1)) });

function send(res: ServerResponse, status: number, data: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
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

const invalid = (message: string) => ({
  message: 'Validation Failed',
  errors: [{ resource: 'PullRequest', code: 'custom', message }],
  documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
});

/**
 * A GitHub REST API subset on 127.0.0.1 (random port): list, create and update pull requests and
 * add labels, with GitHub's JSON shapes, its 401 for a missing or wrong token and its 422 for a
 * second open pull request from the same head or a head equal to the base. Records every call.
 */
export async function startGitHubServer(token: string): Promise<GitHubServer> {
  const calls: GitHubCall[] = [];
  const pulls = new Map<number, FakePull>();
  let next = 1;
  let labelId = 1;

  const server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => send(res, 500, { message: String(e) }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const body = await readJson(req);
    const m = /^(token|bearer) (.+)$/i.exec(req.headers.authorization ?? '');
    const auth = m?.[2] === token ? m[1]?.toLowerCase() : undefined;
    calls.push({ method, path: u.pathname, query: Object.fromEntries(u.searchParams), body, auth });
    if (!auth)
      return send(res, 401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      });

    const route = /^\/repos\/([^/]+)\/([^/]+)\/(pulls|issues)(?:\/(\d+))?(\/labels)?$/.exec(u.pathname);
    if (!route) return send(res, 404, { message: 'Not Found' });
    const [, owner = '', repo = '', kind, num, labels] = route;
    const site = `https://github.example/${owner}/${repo}`;
    const pull = num === undefined ? undefined : pulls.get(Number(num));

    if (kind === 'pulls' && num === undefined && method === 'GET') {
      const state = u.searchParams.get('state') ?? 'open';
      const head = u.searchParams.get('head');
      const list = [...pulls.values()].filter(
        (p) => (state === 'all' || p.state === state) && (head === null || p.head.label === head),
      );
      return send(res, 200, list);
    }
    if (kind === 'pulls' && num === undefined && method === 'POST') {
      const parsed = CreatePull.safeParse(body);
      if (!parsed.success) return send(res, 422, invalid(parsed.error.message));
      const { title, head, base } = parsed.data;
      if (head === base) return send(res, 422, invalid(`No commits between ${base} and ${head}`));
      const label = `${owner}:${head}`;
      if ([...pulls.values()].some((p) => p.state === 'open' && p.head.label === label))
        return send(res, 422, invalid(`A pull request already exists for ${label}.`));
      const n = next++;
      const created: FakePull = {
        id: 1000 + n,
        number: n,
        url: `${u.origin}/repos/${owner}/${repo}/pulls/${n}`,
        html_url: `${site}/pull/${n}`,
        state: 'open',
        title,
        body: parsed.data.body ?? null,
        head: { ref: head, label },
        base: { ref: base, label: `${owner}:${base}` },
        labels: [],
        merged: false,
        merged_at: null,
        user: { login: 'sleuth-bot' },
      };
      pulls.set(n, created);
      return send(res, 201, created);
    }
    if (kind === 'pulls' && pull && !labels && method === 'PATCH') {
      const parsed = UpdatePull.safeParse(body);
      if (!parsed.success) return send(res, 422, invalid(parsed.error.message));
      if (parsed.data.title !== undefined) pull.title = parsed.data.title;
      if (parsed.data.body !== undefined) pull.body = parsed.data.body;
      if (parsed.data.state !== undefined) pull.state = parsed.data.state;
      return send(res, 200, pull);
    }
    if (kind === 'issues' && pull && labels && method === 'POST') {
      const parsed = AddLabels.safeParse(body);
      if (!parsed.success) return send(res, 422, invalid(parsed.error.message));
      for (const name of parsed.data.labels)
        if (!pull.labels.some((l) => l.name === name)) pull.labels.push({ id: labelId++, name });
      return send(res, 200, pull.labels);
    }
    return send(res, 404, { message: 'Not Found' });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the server has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    calls,
    pulls,
    callsTo: (method, path) => calls.filter((c) => c.method === method && path.test(c.path)),
    close: () => new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

// Placeholder status page until the Svelte UI (issue 9). No framework, no inline script (CSP).
const $ = (id) => document.getElementById(id);

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  return td;
}

async function getJson(url) {
  const res = await fetch(url);
  const body = await res.json();
  if (!res.ok) throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
  return body;
}

async function refresh() {
  try {
    const status = await getJson('/api/v1/status');
    const dl = $('status');
    dl.replaceChildren();
    const rows = {
      ...status.store.counts,
      'queued records': status.ingest.queuedRecords,
      bytes: status.store.bytes,
    };
    for (const [k, v] of Object.entries(rows)) {
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = Number(v).toLocaleString();
      dl.append(dt, dd);
    }
    const logs = await getJson('/api/v1/logs?severity=error,fatal&limit=15');
    $('logs').replaceChildren(
      ...logs.records.map((r) => {
        const tr = document.createElement('tr');
        tr.append(
          cell(new Date(r.timeMs).toLocaleTimeString()),
          cell(r.source.cluster),
          cell(r.source.namespace),
          cell(r.source.pod),
          cell(r.body.slice(0, 300)),
        );
        return tr;
      }),
    );
  } catch (err) {
    $('status').textContent = `Cannot reach the API: ${err.message}`;
  }
}

$('fault-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target);
  const body = {
    kind: f.get('kind'),
    target: { cluster: f.get('cluster'), namespace: f.get('namespace'), workload: f.get('workload') },
    durationSeconds: Number(f.get('durationSeconds')),
  };
  try {
    const res = await fetch('/api/v1/simulator/faults', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const out = await res.json();
    $('fault-result').textContent = res.ok ? `Injected ${out.id ?? ''}` : out.error.message;
  } catch (err) {
    $('fault-result').textContent = err.message;
  }
});

void refresh();
setInterval(refresh, 5000);

// The technician dashboard: plain ES module, no build step, no third-party code, same origin only.
// Data comes from /api/v1/status (first paint), /api/v1/events (server-sent events, read with fetch so the bearer
// token can travel in a header), and a few polled images.

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = 'myoscreen.apiToken';
let token = localStorage.getItem(TOKEN_KEY) ?? '';
const samples = []; // { fps, p95 } once a second, last 120 s

function headers() {
  return token ? { authorization: `Bearer ${token}` } : {};
}

class Unauthorized extends Error {}

async function api(path, init = {}) {
  const response = await fetch(path, { ...init, headers: { ...headers(), ...(init.headers ?? {}) }, cache: 'no-store' });
  if (response.status === 401) throw new Unauthorized('token required');
  return response;
}

async function json(path, init) {
  const response = await api(path, init);
  const body = await response.json();
  if (!response.ok) throw new Error(`${body.code ?? response.status}: ${body.message ?? ''}`);
  return body;
}

function askToken(message) {
  $('login').hidden = false;
  $('login-error').textContent = message ?? '';
}

$('login').addEventListener('submit', (event) => {
  event.preventDefault();
  token = $('token').value.trim();
  localStorage.setItem(TOKEN_KEY, token);
  $('login').hidden = true;
  start();
});

const pct = (v) => (v === null || v === undefined ? '-' : v.toFixed(3));
const ms = (v) => `${Math.round(v / 100) / 10} s`;

function setStatusClass(element, status) {
  element.classList.remove('status-ok', 'status-degraded', 'status-failed');
  if (status) element.classList.add(`status-${status}`);
}

function renderExam(exam) {
  const phase = $('exam-phase');
  phase.textContent = exam.phase;
  phase.dataset.phase = exam.phase;
  $('exam-id').textContent = exam.examId ?? '';
  const result = $('exam-result');
  if (exam.phase === 'scanning') {
    const score = exam.liveScore === null ? 'warming up' : `live score ${pct(exam.liveScore)}${exam.warmingUp ? ' (warming up)' : ''}`;
    $('exam-progress').textContent = `scanning for ${ms(exam.elapsedMs ?? 0)}: ${exam.usableFrames} usable of ${exam.framesSeen} frames, ${score}`;
    result.textContent = '';
    result.className = 'result';
  } else if (exam.phase === 'result') {
    $('exam-progress').textContent = `ended ${ms(exam.elapsedMs ?? 0)} ago`;
    const words = { refer: 'REFER: invasion suspected', no_invasion: 'No invasion', inconclusive: `Inconclusive${exam.reason ? ` (${exam.reason})` : ''}` };
    result.textContent = `${words[exam.decision] ?? exam.decision}  score ${pct(exam.score)}`;
    result.className = `result ${exam.decision}`;
  } else {
    $('exam-progress').textContent = 'no exam running';
  }
}

function renderStats(stats) {
  $('fps').textContent = stats.fps.toFixed(1);
  $('drops').textContent = String(stats.framesDropped);
  $('signal').textContent = stats.signal;
  $('stride').textContent = stats.stride === 1 ? 'every frame' : `every ${stats.stride} frames`;
  const l = stats.latencyMs;
  $('latency').textContent = l ? `${l.p50.toFixed(1)} / ${l.p95.toFixed(1)} / ${l.p99.toFixed(1)} ms` : '-';
  samples.push({ fps: stats.fps, p95: l ? l.p95 : null });
  if (samples.length > 120) samples.shift();
  drawChart();
  renderExam(stats.exam);
}

function drawChart() {
  const canvas = $('chart');
  const g = canvas.getContext('2d');
  const { width, height } = canvas;
  g.clearRect(0, 0, width, height);
  g.strokeStyle = '#e3e5e8';
  g.strokeRect(0.5, 0.5, width - 1, height - 1);
  const series = (key, colour) => {
    const values = samples.map((h) => h[key]).filter((v) => v !== null);
    const max = Math.max(1, ...values) * 1.1;
    g.strokeStyle = colour;
    g.beginPath();
    samples.forEach((h, i) => {
      if (h[key] === null) return;
      const x = (i / Math.max(1, samples.length - 1)) * (width - 2) + 1;
      const y = height - 2 - (h[key] / max) * (height - 4);
      if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
    });
    g.stroke();
  };
  series('fps', '#2760c4');
  series('p95', '#c0262d');
}

function renderHealth(body) {
  const overall = $('overall');
  overall.textContent = `${body.status}${body.ready ? '' : ' (not ready)'}`;
  setStatusClass(overall, body.status);
  const list = $('checks');
  list.replaceChildren(
    ...Object.entries(body.checks).map(([part, check]) => {
      const li = document.createElement('li');
      li.dataset.part = part;
      const dot = document.createElement('span');
      dot.className = `dot ${check.status}`;
      const name = document.createElement('strong');
      name.textContent = part;
      const reason = document.createElement('span');
      reason.className = 'muted';
      reason.textContent = `${check.status}: ${check.reason}${check.critical ? '' : ' (non-blocking)'}`;
      li.append(dot, name, reason);
      return li;
    }),
  );
}

function renderTemperatures(temps) {
  $('temps').replaceChildren(
    ...(temps.length === 0 ? [Object.assign(document.createElement('li'), { textContent: 'no sensors', className: 'muted' })] : temps.map((t) => {
      const li = document.createElement('li');
      const dot = document.createElement('span');
      dot.className = `dot ${t.tempC >= 85 ? 'failed' : t.tempC >= 70 ? 'degraded' : 'ok'}`;
      li.append(dot, `${t.source}: ${t.tempC.toFixed(1)} °C`);
      return li;
    })),
  );
}

function renderModel(model) {
  const a = model.active;
  $('model-active').textContent = a ? `${a.id} ${a.version}` : model.error ?? 'none';
  $('model-provider').textContent = a ? a.provider : '-';
  $('model-threshold').textContent = a ? a.threshold.toFixed(4) : '-';
  const u = model.update;
  $('model-update').textContent = u.phase === 'idle' ? 'idle' : `${u.phase}${model.candidate ? ` -> ${model.candidate.version}` : ''}${u.progress === null ? '' : ` ${Math.round(u.progress * 100)} %`}`;
  const bar = $('model-progress');
  bar.hidden = u.progress === null;
  bar.value = u.progress ?? 0;
}

async function refreshExams() {
  const page = await json('/api/v1/exams?limit=10');
  $('exams').replaceChildren(
    ...page.items.map((e) => {
      const tr = document.createElement('tr');
      const cells = [new Date(e.endedAt).toLocaleString(), e.id, e.decision + (e.reason ? ` (${e.reason})` : ''), pct(e.score), `${e.frames.usable} / ${e.frames.seen}`, `${e.model.id} ${e.model.version}`];
      for (const text of cells) tr.append(Object.assign(document.createElement('td'), { textContent: text }));
      tr.children[2].className = e.decision === 'refer' ? 'bad' : e.decision === 'no_invasion' ? 'ok' : 'warn';
      return tr;
    }),
  );
}

/** Replaces an <img> source with a fresh fetch (the token cannot go into an img URL). */
async function refreshImage(img, path, onHeaders) {
  try {
    const response = await api(path);
    if (!response.ok) return false;
    onHeaders?.(response.headers);
    const url = URL.createObjectURL(await response.blob());
    const old = img.src;
    img.src = url;
    if (old.startsWith('blob:')) URL.revokeObjectURL(old);
    return true;
  } catch {
    return false;
  }
}

async function refreshDisplay() {
  const display = await json('/api/v1/display');
  $('display-text').textContent = `${display.kind}, ${display.connected ? 'connected' : 'not connected'}${display.text ? `: ${display.text}` : ''}`;
  if (display.imageUrl) await refreshImage($('display'), display.imageUrl);
}

async function refreshFrame() {
  await refreshImage($('frame'), '/api/v1/frame.png?overlay=attention', (h) => {
    $('frame-info').textContent = `frame ${h.get('x-frame-seq')}, p(invasion) ${h.get('x-frame-score')}`;
  });
}

async function runSelfTest() {
  const button = $('selftest-run');
  button.disabled = true;
  $('selftest-state').textContent = 'running...';
  try {
    const response = await api('/api/v1/selftest', { method: 'POST' });
    const body = await response.json();
    if (!response.ok) {
      $('selftest-state').textContent = `${body.code}: ${body.message}`;
      return;
    }
    $('selftest-state').textContent = body.ok ? 'passed' : 'FAILED';
    $('selftest').replaceChildren(
      ...body.checks.map((c) => {
        const tr = document.createElement('tr');
        for (const text of [c.name, c.outcome.toUpperCase(), `${Math.round(c.tookMs)} ms`, c.detail]) tr.append(Object.assign(document.createElement('td'), { textContent: text }));
        tr.children[1].className = c.outcome === 'fail' ? 'bad' : c.outcome === 'warn' ? 'warn' : 'ok';
        return tr;
      }),
    );
  } catch (error) {
    $('selftest-state').textContent = String(error.message ?? error);
  } finally {
    button.disabled = false;
  }
}
$('selftest-run').addEventListener('click', runSelfTest);

/** Reads the event stream with fetch (EventSource cannot send a bearer header) and reconnects with a pause. */
async function streamEvents(signal) {
  for (;;) {
    try {
      const response = await api('/api/v1/events', { signal });
      if (!response.ok || !response.body) throw new Error(`events: HTTP ${response.status}`);
      $('link').textContent = 'events: live';
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (data) onEvent(event, JSON.parse(data));
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof Unauthorized) return askToken('the token was refused');
    }
    $('link').textContent = 'events: reconnecting';
    await new Promise((r) => setTimeout(r, 2000));
  }
}

function onEvent(event, data) {
  if (event === 'stats') renderStats(data);
  else if (event === 'health') renderHealth(data);
  else if (event === 'model') renderModel(data);
  else if (event === 'exam') {
    renderExam(data.exam);
    if (data.event === 'ended') void refreshExams();
  }
}

let controller = null;
let timers = [];

async function start() {
  controller?.abort();
  for (const t of timers) clearInterval(t);
  controller = new AbortController();
  try {
    const status = await json('/api/v1/status');
    $('device').textContent = `${status.deviceId} · ${status.version}`;
    renderHealth(status.health);
    renderExam(status.exam);
    renderTemperatures(status.temperatures);
    renderModel(await json('/api/v1/model'));
    await refreshExams();
  } catch (error) {
    if (error instanceof Unauthorized) return askToken(token ? 'the token was refused' : 'this device requires an API token');
    $('overall').textContent = 'unreachable';
    setTimeout(start, 3000);
    return;
  }
  void streamEvents(controller.signal);
  void refreshFrame();
  void refreshDisplay();
  timers = [
    setInterval(refreshFrame, 1000),
    setInterval(() => void refreshDisplay().catch(() => undefined), 2000),
    setInterval(() => void json('/api/v1/status').then((s) => renderTemperatures(s.temperatures)).catch(() => undefined), 10_000),
  ];
}

start();

import mqtt from 'mqtt';

export interface WatcherCounts {
  readonly sseEvents: number;
  readonly statusPolls: number;
  readonly framePolls: number;
  readonly mqttMessages: number;
  readonly errors: number;
}

/**
 * What watches a cart during a long run, as in the field: the technician's dashboard (the server-sent event stream,
 * `/api/v1/status` every second, the frame with its attention overlay every 5 s) and a fleet subscriber on every
 * topic of the cart. The soak keeps them open all along, so memory held per client or per message shows in its slope.
 */
export function startWatchers(apiBase: string, brokerUrl: string | null): { stop(): Promise<WatcherCounts> } {
  const counts = { sseEvents: 0, statusPolls: 0, framePolls: 0, mqttMessages: 0, errors: 0 };
  const abort = new AbortController();
  const sse = (async () => {
    try {
      const response = await fetch(`${apiBase}/api/v1/events`, { signal: abort.signal });
      if (!response.body) throw new Error('no event stream body');
      const decoder = new TextDecoder();
      for await (const chunk of response.body) {
        const text = decoder.decode(chunk as Uint8Array, { stream: true });
        counts.sseEvents += text.split('\nevent:').length - 1 + (text.startsWith('event:') ? 1 : 0);
      }
    } catch {
      if (!abort.signal.aborted) counts.errors += 1;
    }
  })();
  const poll = (path: string, everyMs: number, count: () => void): NodeJS.Timeout =>
    setInterval(() => {
      fetch(`${apiBase}${path}`, { signal: abort.signal })
        .then(async (response) => {
          await response.arrayBuffer();
          if (response.ok) count();
          else if (response.status !== 404) counts.errors += 1; // 404: no frame inferred yet (idle screens)
        })
        .catch(() => {
          if (!abort.signal.aborted) counts.errors += 1;
        });
    }, everyMs);
  const timers = [poll('/api/v1/status', 1000, () => (counts.statusPolls += 1)), poll('/api/v1/frame.png?overlay=attention', 5000, () => (counts.framePolls += 1))];
  const fleet = brokerUrl ? mqtt.connect(brokerUrl, { clientId: 'soak-fleet', protocolVersion: 4 }) : null;
  fleet?.on('connect', () => fleet.subscribe('myoscreen/#', { qos: 1 }));
  fleet?.on('message', () => (counts.mqttMessages += 1));
  let stopped: Promise<WatcherCounts> | null = null;
  return {
    stop() {
      stopped ??= (async () => {
        for (const t of timers) clearInterval(t);
        abort.abort();
        await sse;
        await new Promise<void>((resolve) => (fleet ? fleet.end(true, {}, () => resolve()) : resolve()));
        return { ...counts };
      })();
      return stopped;
    },
  };
}

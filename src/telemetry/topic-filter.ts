/**
 * Whether an MQTT topic filter (`+` one level, `#` the rest, MQTT 3.1.1 section 4.7) matches a topic. The broker
 * already filtered; this routes one connection's messages to the subscriber that asked for them.
 */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i += 1) {
    const level = f[i];
    if (level === '#') return i < t.length || i === t.length; // `a/#` also matches `a`
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}

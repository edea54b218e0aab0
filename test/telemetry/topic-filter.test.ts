import { describe, expect, it } from 'vitest';
import { topicMatches } from '../../src/telemetry/topic-filter.js';

describe('topicMatches', () => {
  it('matches exact topics, + for one level and # for the rest (including the parent level)', () => {
    expect(topicMatches('a/b/c', 'a/b/c')).toBe(true);
    expect(topicMatches('a/b/c', 'a/b')).toBe(false);
    expect(topicMatches('a/b', 'a/b/c')).toBe(false);
    expect(topicMatches('a/+/c', 'a/x/c')).toBe(true);
    expect(topicMatches('a/+/c', 'a/x/y/c')).toBe(false);
    expect(topicMatches('a/+', 'a/')).toBe(true);
    expect(topicMatches('a/#', 'a/x/y/z')).toBe(true);
    expect(topicMatches('a/#', 'a')).toBe(true);
    expect(topicMatches('a/#', 'b/x')).toBe(false);
    expect(topicMatches('myoscreen/v1/cart-1/jobs/+', 'myoscreen/v1/cart-1/jobs/j-1')).toBe(true);
    expect(topicMatches('myoscreen/v1/cart-1/jobs/+', 'myoscreen/v1/cart-1/jobs/j-1/status')).toBe(false);
    expect(topicMatches('#', 'anything/at/all')).toBe(true);
  });
});

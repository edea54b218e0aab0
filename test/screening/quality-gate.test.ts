import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { ConfigSchema, type Config } from '../../src/core/config/schema.js';
import type { FrameFeatures } from '../../src/screening/frame-features.js';
import { judgeFrame, type QualityGateOptions } from '../../src/screening/quality-gate.js';

const Q: QualityGateOptions = {
  minContactCoverage: 0.05,
  minTissueCoverage: 0.4,
  maxFlatFraction: 0.5,
  minCentreEcho: 40,
  maxSaturatedFraction: 0.2,
};

/** A frame from the middle of the phantom's real exams. */
const GOOD: FrameFeatures = { tissueCoverage: 0.7, flatFraction: 0.12, centreEcho: 90, saturatedFraction: 0.001, meanEcho: 80 };

function judge(features: Partial<FrameFeatures>, extra: { signal?: 'ok' | 'frozen' | 'blank'; roiSettled?: boolean } = {}) {
  return judgeFrame({ signal: extra.signal ?? 'ok', roiSettled: extra.roiSettled ?? true, features: { ...GOOD, ...features } }, Q);
}

describe('judgeFrame', () => {
  it('passes a live, settled, speckled frame with the uterus in the centre', () => {
    expect(judge({})).toEqual({ usable: true, live: true });
  });

  it('rejects each failing check with its reason and liveness', () => {
    expect(judge({}, { signal: 'frozen' })).toEqual({ usable: false, live: false, reason: 'signal_not_live' });
    expect(judge({}, { signal: 'blank' })).toEqual({ usable: false, live: false, reason: 'signal_not_live' });
    expect(judge({}, { roiSettled: false })).toEqual({ usable: false, live: false, reason: 'roi_unsettled' });
    expect(judge({ tissueCoverage: 0.005 })).toEqual({ usable: false, live: false, reason: 'no_tissue' });
    expect(judge({ saturatedFraction: 0.3 })).toEqual({ usable: false, live: false, reason: 'saturated' });
    expect(judge({ flatFraction: 0.7 })).toEqual({ usable: false, live: false, reason: 'not_ultrasound' });
    expect(judge({ tissueCoverage: 0.14 })).toEqual({ usable: false, live: true, reason: 'no_tissue' });
    expect(judge({ centreEcho: 36 })).toEqual({ usable: false, live: true, reason: 'out_of_distribution' });
  });

  it('says an unsettled ROI over a probe-off screen is not live', () => {
    expect(judge({ tissueCoverage: 0.01 }, { roiSettled: false })).toEqual({ usable: false, live: false, reason: 'roi_unsettled' });
  });

  it('applies the checks in order: the first failing one names the frame', () => {
    const everythingWrong = { tissueCoverage: 0.01, saturatedFraction: 0.9, flatFraction: 0.9, centreEcho: 0 };
    expect(judge(everythingWrong, { signal: 'frozen', roiSettled: false })).toMatchObject({ reason: 'signal_not_live' });
    expect(judge(everythingWrong, { roiSettled: false })).toMatchObject({ reason: 'roi_unsettled' });
    expect(judge(everythingWrong)).toMatchObject({ reason: 'no_tissue', live: false });
    expect(judge({ ...everythingWrong, tissueCoverage: 0.2 })).toMatchObject({ reason: 'saturated' });
    expect(judge({ ...everythingWrong, tissueCoverage: 0.2, saturatedFraction: 0 })).toMatchObject({ reason: 'not_ultrasound' });
    expect(judge({ tissueCoverage: 0.2, centreEcho: 0 })).toMatchObject({ reason: 'no_tissue', live: true });
  });

  it('treats each threshold as inclusive on the passing side', () => {
    expect(judge({ tissueCoverage: 0.05, centreEcho: 90 })).toMatchObject({ live: true, reason: 'no_tissue' });
    expect(judge({ tissueCoverage: 0.4 })).toEqual({ usable: true, live: true });
    expect(judge({ saturatedFraction: 0.2 })).toEqual({ usable: true, live: true });
    expect(judge({ flatFraction: 0.5 })).toEqual({ usable: true, live: true });
    expect(judge({ centreEcho: 40 })).toEqual({ usable: true, live: true });
  });

  it('never passes a frame that is not ultrasound or not on the uterus, whatever else it shows', () => {
    for (const bad of [{ flatFraction: 0.51 }, { centreEcho: 39.9 }, { saturatedFraction: 0.21 }, { tissueCoverage: 0.39 }]) {
      expect(judge(bad).usable, JSON.stringify(bad)).toBe(false);
    }
  });

  it('runs on the configuration defaults, minContactCoverage included', () => {
    const config = Value.Default(ConfigSchema, {}) as Config;
    const quality = config.screening.quality;
    expect(quality.minContactCoverage).toBe(0.05);
    expect(judgeFrame({ signal: 'ok', roiSettled: true, features: GOOD }, quality)).toEqual({ usable: true, live: true });
    expect(Value.Check(ConfigSchema, config)).toBe(true);
  });
});

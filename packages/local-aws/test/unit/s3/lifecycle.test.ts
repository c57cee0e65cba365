import { describe, expect, it } from 'vitest';
import { afterDays, expirationOf, storedRules } from '../../../src/s3/lifecycle.js';

const DAY = 86_400_000;

describe('lifecycle rules', () => {
  it('reads the flat rules an older release stored as the same rules', () => {
    const old = JSON.stringify([{ ID: 'tmp', Status: 'Enabled', Prefix: 'tmp/', ExpirationDays: 3, AbortIncompleteMultipartUploadDays: 1 }]);
    expect(storedRules(old)).toEqual([
      { ID: 'tmp', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: '3' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: '1' } },
    ]);
  });

  it.each([
    ['adds the days and rounds up to the next midnight UTC', Date.UTC(2030, 0, 1, 15, 30), 2, DAY, Date.UTC(2030, 0, 4)],
    ['keeps a time already at midnight', Date.UTC(2030, 0, 1), 1, DAY, Date.UTC(2030, 0, 2)],
    ['adds a shortened day exactly', 1000, 3, 50, 1150],
  ])('%s', (_name, start, days, dayMs, expected) => {
    expect(afterDays(start, days, dayMs)).toBe(expected);
  });

  it('takes the earliest expiration of the enabled rules that cover an object', () => {
    const rules = storedRules(
      JSON.stringify([
        { ID: 'late', Status: 'Enabled', Filter: '', Expiration: { Days: '10' } },
        { ID: 'early', Status: 'Enabled', Filter: { ObjectSizeLessThan: '5' }, Expiration: { Days: '1' } },
        { ID: 'off', Status: 'Disabled', Filter: '', Expiration: { Days: '1' } },
        { ID: 'dated', Status: 'Enabled', Filter: { Prefix: 'd/' }, Expiration: { Date: '2030-01-01T00:00:00Z' } },
      ]),
    );
    const object = (key: string, size: number) => ({ key, size, headers: '{}', last_modified: '2029-01-01T00:00:00.000Z' });
    expect(expirationOf(rules, object('a', 1), DAY)?.ruleId).toBe('early');
    expect(expirationOf(rules, object('a', 100), DAY)?.ruleId).toBe('late');
    expect(expirationOf(rules, object('d/x', 100), DAY)).toEqual({ at: Date.UTC(2029, 0, 11), ruleId: 'late' });
  });
});

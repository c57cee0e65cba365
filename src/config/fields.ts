import { z } from 'zod';

export const MiB = 1024 ** 2;
export const GiB = 1024 ** 3;
export const TiB = 1024 * GiB;

/** An integer setting within [min, max]; environment values are strings, so they are coerced. */
export const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** A yes/no setting: true, false, 1, 0, yes or no. */
export const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

import { readdirSync } from 'node:fs';
import { hugePageSizeName } from './values.js';

/** The huge page sizes this kernel supports, named as config.json names them ("2MB", "1GB"). */
export function hostHugePageSizes(): string[] {
  try {
    return readdirSync('/sys/kernel/mm/hugepages')
      .map(hugePageSizeName)
      .filter((s): s is string => s !== undefined);
  } catch {
    return [];
  }
}

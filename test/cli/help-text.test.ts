/** --help says what the commands do, as the README does: here, that metadata-only replays still check integrity. */
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

describe('--help', () => {
  it('run --metadata-only and sweep (metadata-only by default) say integrity is checked at the mapping level, not skipped', async () => {
    for (const command of ['run', 'sweep']) {
      const help = (await cli(command, '--help')).stdout.replace(/\s+/g, ' ');
      expect(help, command).toContain('integrity checked at the mapping level');
      expect(help, command).not.toMatch(/metadata-only, same counters, integrity skipped|no read verification \(image\.store/);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { POLICY_NAMES } from '../../src/cache/policies/index.js';
import { workloadJsonSchema } from '../../src/workload/load.js';

type Json = Record<string, any>;

describe('workloadJsonSchema', () => {
  const schema = workloadJsonSchema() as Json;
  const job = schema.properties.phases.items.properties.jobs.items as Json;

  it('describes the YAML form with snake_case keys and rejects unknown ones', () => {
    expect(schema.additionalProperties).toBe(false);
    expect(schema.patternProperties).toEqual({ '^x-': {} });
    expect(job.additionalProperties).toBe(false);
    expect(Object.keys(job.properties)).toEqual(expect.arrayContaining(['flush_every', 'think_time', 'rwmixread', 'iodepth', 'stop']));
    expect(job.required).toBeUndefined();
    expect(job.anyOf).toEqual([{ required: ['stop'] }, { required: ['trace'] }]); // a trace job may omit stop
  });

  it('carries ranges, enums and defaults for completion', () => {
    expect(job.properties.iodepth).toMatchObject({ type: 'integer', minimum: 1, maximum: 4096, default: 1 });
    expect(job.properties.pattern.enum).toEqual(['sequential', 'random', 'strided', 'hotspot']);
    expect(schema.properties.cache.properties.policy.enum).toEqual(POLICY_NAMES);
    // Defaults zod would drop (transformed fields, or applied during normalization) still show.
    expect(job.properties.distribution.default).toBe('uniform');
    expect(job.properties.bs.default).toBe('4k');
    expect(schema.properties.image.properties.cluster_size.default).toBe(65536);
    expect(JSON.stringify(schema)).not.toContain('yamlDefault');
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });
});

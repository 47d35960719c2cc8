// `npm run lint`: the arrows between src/'s rooms (docs/design.md) and no import cycles.
/* eslint-disable */

/**
 * The rungs, lowest first. A room imports its own files, rooms on its rung or lower, metrics
 * (read by all) and util; never a room on a higher rung. src/cli.ts is the cli room.
 */
const RUNGS = [
  ['util'],
  // Reading config files with located errors (YAML line/column, zod helpers, units): for
  // workloads, the gate file and trace-job options alike; knows no other room but util.
  ['config'],
  ['cache', 'io'],
  ['qed', 'workload'],
  ['replay'],
  // experiments: many runs of replay (sweep, stress, repeat); report reads their results, not them.
  ['experiments', 'report', 'serve'],
  ['cli'],
];
/** Read by every room; it imports only the stats types of the rooms below (see the metrics rules). */
const SHARED = ['metrics', 'util'];

const room = (name) => (name === 'cli' ? '^src/(cli/|cli\\.ts$)' : `^src/${name}/`);
const rungOf = (name) => RUNGS.findIndex((r) => r.includes(name));

const upward = RUNGS.flat()
  .filter((name) => rungOf(name) < RUNGS.length - 1)
  .map((name) => {
    const allowed = RUNGS.slice(0, rungOf(name) + 1).flat().concat(SHARED);
    return {
      name: `${name}-imports-upward`,
      comment: `${name} may import ${allowed.join(', ')}; a room above it must not be reached from here (docs/design.md)`,
      severity: 'error',
      from: { path: room(name) },
      to: { path: '^src/', pathNot: allowed.map(room) },
    };
  });

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'an import cycle: the files on it cannot be read (or loaded) one after the other',
      severity: 'error',
      from: { path: '^(src|scripts)/' },
      to: { circular: true },
    },
    ...upward,
    {
      name: 'qed-imports-workload',
      comment: 'the engine knows nothing of workloads: workload reads qed, never the other way',
      severity: 'error',
      from: { path: room('qed') },
      to: { path: room('workload') },
    },
    {
      name: 'report-imports-runner',
      comment: 'report reads results (their shape is in metrics), not the code that produced them (replay, experiments)',
      severity: 'error',
      from: { path: room('report') },
      to: { path: [room('replay'), room('experiments')] },
    },
    {
      name: 'metrics-imports-upward',
      comment: 'metrics is the results shape everyone reads: it must not import the runner, the reports or the CLI',
      severity: 'error',
      from: { path: room('metrics') },
      to: { path: '^src/', pathNot: [room('metrics'), room('util'), room('cache'), room('io'), room('qed'), room('workload')] },
    },
    {
      name: 'metrics-imports-code-below',
      comment: 'metrics reads only the stats types of cache, io, qed and workload (import type), no code',
      severity: 'error',
      from: { path: room('metrics') },
      to: { path: [room('cache'), room('io'), room('qed'), room('workload')], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'workload-imports-engine',
      comment: 'workload reads the format and the engine options, not the engine (qed/image.ts)',
      severity: 'error',
      from: { path: room('workload') },
      to: { path: '^src/qed/image\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    // Type-only imports count: a type is an arrow too.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};

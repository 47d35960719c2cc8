/** `qed-bench schema`: the JSON Schema of workload files, for editor completion. */
import { workloadJsonSchema } from '../workload/load.js';
import { usageOutput, type RegisterCommand } from './options.js';

export const registerSchema: RegisterCommand = (program, out) => {
  program
    .command('schema')
    .configureOutput(usageOutput(out, 'schema'))
    .description('print the JSON Schema of workload files (for editor completion and checking)')
    .action(() => out.stdout(`${JSON.stringify(workloadJsonSchema(), null, 2)}\n`));
};

/** The one error the workload loader throws for bad input, with every problem located. */
import { ConfigError, type Problem } from '../config/errors.js';

export { MAX_PROBLEMS, formatProblems, sortProblems, type Problem } from '../config/errors.js';

export class WorkloadError extends ConfigError {
  constructor(source: string, problems: Problem[], context?: string) {
    super(source, problems, context);
    this.name = 'WorkloadError';
  }
}

import type { RegisterCommand } from './options.js';

/** `qed-bench compare`: not built yet (placeholder so the command tree has one place per command). */
export const registerCompare: RegisterCommand = () => {};

import type { RegisterCommand } from './options.js';

/** `qed-bench trace-export`: not built yet (placeholder so the command tree has one place per command). */
export const registerTraceExport: RegisterCommand = () => {};

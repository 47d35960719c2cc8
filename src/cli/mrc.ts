import type { RegisterCommand } from './options.js';

/** `qed-bench mrc`: not built yet (placeholder so the command tree has one place per command). */
export const registerMrc: RegisterCommand = () => {};

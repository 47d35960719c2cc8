/**
 * What one L2 table access was for: the engine reports it (qed/table-io.ts) and the table-access
 * traces record it; here, below both, so the trace code need not import the engine.
 */
export type TableAccessOp = 'read' | 'write' | 'zero' | 'map';

/** Reads a V8 .cpuprofile (node --cpu-prof) into a call tree with self and total sample counts, and a top-functions list. */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface Frame {
  name: string;
  /** file:line, relative to the repository when inside it. */
  where: string;
  self: number;
  total: number;
  children: Frame[];
}

export function frameName(n: ProfileNode): string {
  return n.callFrame.functionName || (n.callFrame.url ? '(anonymous)' : n.callFrame.url || '(root)');
}

function where(n: ProfileNode, root: string): string {
  const url = n.callFrame.url.replace(/^file:\/\//, '').replace(root, '');
  return url ? `${url}:${n.callFrame.lineNumber + 1}` : '';
}

/** The call tree with sample counts; `root` (a path prefix) is cut from file names. */
export function callTree(p: CpuProfile, root: string): Frame {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const build = (n: ProfileNode): Frame => {
    const children = (n.children ?? []).map((c) => build(byId.get(c)!));
    const self = n.hitCount ?? 0;
    return { name: frameName(n), where: where(n, root), self, total: self + children.reduce((s, c) => s + c.total, 0), children };
  };
  return build(p.nodes[0]);
}

/** Functions by self samples (merged by name and place), the largest first. */
export function topSelf(tree: Frame, n: number): Array<{ name: string; where: string; self: number; share: number }> {
  const acc = new Map<string, { name: string; where: string; self: number }>();
  const walk = (f: Frame): void => {
    const k = `${f.name} ${f.where}`;
    const e = acc.get(k) ?? { name: f.name, where: f.where, self: 0 };
    e.self += f.self;
    acc.set(k, e);
    f.children.forEach(walk);
  };
  walk(tree);
  return [...acc.values()].sort((a, b) => b.self - a.self).slice(0, n).map((e) => ({ ...e, share: tree.total ? e.self / tree.total : 0 }));
}

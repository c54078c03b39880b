import { COVERAGE, type Requirement } from "./matrix";

/** What is wrong with a coverage matrix: entries without policy or reason, unknown policies, deployed types without a row. */
export function coverageProblems(matrix: readonly Requirement[], policyNames: readonly string[], deployedTypes: readonly string[]): string[] {
  const problems: string[] = [];
  for (const r of matrix) {
    if ((r.policies ?? []).length === 0 && !r.reason?.trim()) problems.push(`${r.anchor} ${r.id} names neither a policy nor a reason`);
    for (const p of r.policies ?? []) if (!policyNames.includes(p)) problems.push(`${r.anchor} ${r.id} names policy ${p}, which the pack does not have`);
    if (r.types.length === 0) problems.push(`${r.anchor} ${r.id} names no resource type`);
  }
  const covered = new Set(matrix.flatMap((r) => r.types));
  for (const type of deployedTypes) if (!covered.has(type)) problems.push(`deployed type ${type} has no row`);
  return problems;
}

export interface CoverageTotals {
  readonly requirements: number;
  readonly enforced: number;
  readonly strengthened: number;
  readonly omitted: number;
}

/** Anchor requirements only ("botfleet" rows are the pack's own and the types without requirements). */
export function totals(matrix: readonly Requirement[] = COVERAGE): CoverageTotals {
  const anchored = matrix.filter((r) => r.anchor !== "botfleet");
  const enforced = anchored.filter((r) => (r.policies ?? []).length > 0);
  return {
    requirements: anchored.length,
    enforced: enforced.length,
    strengthened: enforced.filter((r) => r.strengthened).length,
    omitted: anchored.length - enforced.length,
  };
}

const cell = (s: string) => s.replace(/\|/g, "\\|");

/** The README table (between the coverage markers), generated from the matrix. */
export function renderCoverage(matrix: readonly Requirement[] = COVERAGE): string {
  const t = totals(matrix);
  const lines = [
    `${t.requirements} anchor requirements: ${t.enforced} enforced (${t.strengthened} brought up to the anchor's threshold), ${t.omitted} omitted with the reason given; plus ${matrix.length - t.requirements} rows of this pack's own.`,
    "",
    "| anchor | requirement | enforced by | or omitted because |",
    "|---|---|---|---|",
    ...matrix.map((r) => `| ${r.anchor} | ${cell(`${r.id}: ${r.title}`)}${r.strengthened ? " (threshold raised)" : ""} | ${(r.policies ?? []).map((p) => `\`${p}\``).join(", ")} | ${cell(r.reason ?? "")} |`),
  ];
  return lines.join("\n");
}

if (require.main === module) process.stdout.write(`${renderCoverage()}\n`);

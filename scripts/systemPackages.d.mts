// Types for scripts/systemPackages.mjs, so the unit tests (TypeScript) can import the real module.

export type Purpose = 'server' | 'browser' | 'integration' | 'logs';

export interface SystemPackage {
  readonly name: string;
  readonly for: Purpose;
  readonly why: string;
  /** Present when this file exists. */
  readonly file?: string;
  /** Present when dpkg-query says this package is installed. */
  readonly dpkg?: string;
}

export interface RunResult {
  readonly status: number;
  readonly output: string;
}

export interface Probe {
  isRoot(): boolean;
  hasFile(path: string): boolean;
  dpkgInstalled(name: string): boolean;
  run(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; logFile: string }): RunResult;
}

export const PURPOSES: Readonly<Record<Purpose, string>>;
export const SYSTEM_PACKAGES: readonly SystemPackage[];
export class SetupError extends Error {}
export const machine: Probe;
export function runLogged(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; logFile: string }): RunResult;
export function absence(pkg: SystemPackage): string;
export function isPresent(pkg: SystemPackage, probe?: Probe): boolean;
export function packagesFor(purposes: readonly Purpose[]): SystemPackage[];
export function missingPackages(purposes: readonly Purpose[], probe?: Probe): SystemPackage[];
export function installCommand(names: readonly string[], options?: { root?: boolean }): string;
export function missingLine(missing: readonly SystemPackage[], options?: { root?: boolean; rerun?: string }): string;
export function ensureSystemPackages(
  purposes: readonly Purpose[],
  options?: { probe?: Probe; logFile?: string; log?: (message: string) => void; rerun?: string },
): { present: string[]; installed: string[] };
export function failingPackage(output: string): string | undefined;
export function firstCause(output: string): string | undefined;
export function installFailure(options: {
  what: string;
  status: number;
  output: string;
  logFile: string;
  missing?: readonly SystemPackage[];
  root?: boolean;
  rerun?: string;
}): string;

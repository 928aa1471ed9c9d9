// Which heap a trace runs on: the preset's defaults, then the workspace's (or caller's) defaults,
// then the `.heap` file's own settings, then explicit overrides (command-line flags) win.

import { PRESETS, resolveConfig, type HeapConfig, type HeapOptions, type PresetName } from '../engine/config';
import { lineRange, type Diagnostic, type Trace } from './model';

export interface TraceConfigLayers {
  /** Apply unless the file says otherwise (workspace settings). */
  readonly defaults?: HeapOptions;
  /** Win over the file (command-line flags). */
  readonly overrides?: HeapOptions;
}

export interface TraceConfig {
  readonly config: HeapConfig;
  /** The preset the configuration started from. */
  readonly preset: PresetName;
  /** Problems with the settings, on the lines that made them; the trace then runs on its preset. */
  readonly diagnostics: readonly Diagnostic[];
}

export function traceConfig(trace: Trace, layers: TraceConfigLayers = {}): TraceConfig {
  const fromFile: Record<string, unknown> = {};
  for (const s of trace.settings) fromFile[s.key] = s.value;
  const merged: Record<string, unknown> = {};
  for (const layer of [layers.defaults ?? {}, fromFile, layers.overrides ?? {}]) {
    for (const [key, value] of Object.entries(layer)) if (value !== undefined) merged[key] = value;
  }
  const options = merged as HeapOptions;
  const resolved = resolveConfig(options);
  const preset: PresetName = options.preset !== undefined && options.preset in PRESETS ? options.preset : 'default';
  if (resolved.problems.length === 0) return { config: resolved.config, preset, diagnostics: [] };

  const diagnostics = resolved.problems.map((problem): Diagnostic => {
    // The line that set the key at fault, else one that set a key the rule involves; line 1 when
    // the file set none of them (the value came from the defaults or the overrides).
    const setting = [problem.key, ...(problem.related ?? [])].map((key) => trace.settings.find((s) => s.key === key)).find((s) => s !== undefined);
    return {
      range: setting?.range ?? lineRange(1, 1, 1),
      severity: 'error',
      code: 'bad-setting',
      message: `${problem.message} The trace runs on the ${preset} preset's settings instead.`,
    };
  });
  const fallback = resolveConfig({ preset });
  return { config: fallback.problems.length === 0 ? fallback.config : PRESETS.default, preset, diagnostics };
}

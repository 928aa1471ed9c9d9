// Which heap a trace runs on: the preset's defaults, then the workspace's (or caller's) defaults,
// then the `.heap` file's own settings, then explicit overrides (command-line flags) win. A script
// that says `set preset = ostep` runs on OSTEP's model instead (ostep/ostepConfig.ts).

import { PRESETS, resolveConfig, type HeapConfig, type HeapOptions, type PresetName } from '../engine/config';
import { OSTEP_PRESET } from './heapSettings';
import { lineRange, type Diagnostic, type SettingKey, type Trace, type TraceSetting } from './model';
import { ostepConfig, type OstepConfig } from './ostep/ostepConfig';

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

/** What a trace runs on: the engine's simulated heap, or OSTEP's free-space model. */
export type TraceModel = ({ readonly model: 'engine' } & TraceConfig) | ({ readonly model: 'ostep' } & OstepConfig);

/** The settings of OSTEP's model, which the engine has no use for (docs/ostep.md, "In the editor"). */
export const OSTEP_ONLY_KEYS: readonly SettingKey[] = ['heapSize', 'baseAddr', 'headerSize'];
/** Settings of the editor, not of any heap. */
const EDITOR_KEYS: readonly SettingKey[] = ['answers'];

/** The model a trace runs on, with its configuration: `preset = ostep` (from the file or a layer) picks OSTEP's. */
export function traceModel(trace: Trace, layers: TraceConfigLayers = {}): TraceModel {
  let fromFile: TraceSetting['value'] | undefined;
  for (const s of trace.settings) if (s.key === 'preset') fromFile = s.value;
  const preset = layers.overrides?.preset ?? fromFile ?? layers.defaults?.preset;
  if (preset === OSTEP_PRESET) return { model: 'ostep', ...ostepConfig(trace.settings, layers.overrides ?? {}) };
  return { model: 'engine', ...traceConfig(trace, layers) };
}

/** The engine's configuration of a trace (see `traceModel` for one that may run on OSTEP's model). */
export function traceConfig(trace: Trace, layers: TraceConfigLayers = {}): TraceConfig {
  const fromFile: Record<string, unknown> = {};
  const ignored: TraceSetting[] = [];
  for (const s of trace.settings) {
    if (OSTEP_ONLY_KEYS.includes(s.key)) ignored.push(s);
    else if (!EDITOR_KEYS.includes(s.key)) fromFile[s.key] = s.value;
  }
  const merged: Record<string, unknown> = {};
  for (const layer of [layers.defaults ?? {}, fromFile, layers.overrides ?? {}]) {
    for (const [key, value] of Object.entries(layer)) if (value !== undefined) merged[key] = value;
  }
  const options = merged as HeapOptions;
  const resolved = resolveConfig(options);
  const preset: PresetName = options.preset !== undefined && options.preset in PRESETS ? options.preset : 'default';
  const notes = ignored.map((s): Diagnostic => ({
    range: s.range,
    severity: 'warning',
    code: 'bad-setting',
    message: `${s.key} is a setting of OSTEP's model (set preset = ostep); the ${preset} preset ignores it.`,
  }));
  if (resolved.problems.length === 0) return { config: resolved.config, preset, diagnostics: notes };

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
  return { config: fallback.problems.length === 0 ? fallback.config : PRESETS.default, preset, diagnostics: [...diagnostics, ...notes] };
}

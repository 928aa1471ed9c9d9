// The extension host's "run this after the events waiting now" (docs/architecture.md): Node's
// setImmediate on the desktop; in the browser's web worker host, which has none, a MessageChannel
// (a setTimeout of 0 would be clamped to 4 ms between every slice of a long replay).

export const later: (run: () => void) => void = typeof setImmediate === 'function' ? (run) => void setImmediate(run) : viaMessages();

function viaMessages(): (run: () => void) => void {
  const queue: (() => void)[] = [];
  const channel = new MessageChannel();
  // Typed with Node's ports here (tsconfig.extension.json); in the worker it is the DOM's MessagePort.
  (channel.port1 as unknown as { onmessage: (() => void) | null }).onmessage = () => queue.shift()?.();
  return (run) => {
    queue.push(run);
    channel.port2.postMessage(null);
  };
}

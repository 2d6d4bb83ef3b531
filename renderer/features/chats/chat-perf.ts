// Performance marks the renderer sets so the benchmark (bench/renderer-bench.ts) can read real timings from the page.
export const CHAT_PERF = {
  dataArrived: 'chats:data-arrived',
  rowsPainted: 'chats:rows-painted',
  firstRows: 'chats:first-rows',
  filterInput: 'chats:filter-input',
  filterPainted: 'chats:filter-painted',
  filterRepaint: 'chats:filter-repaint',
} as const;

/** Runs `callback` once the frame that shows the current DOM has been painted. */
export function afterNextPaint(callback: () => void): void {
  requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => callback();
    channel.port2.postMessage(null);
  });
}

let filterInputPending = false;

export function markFilterInput(): void {
  filterInputPending = true;
  performance.mark(CHAT_PERF.filterInput);
}

/** Called after the rows for a new filter rendered; records the keystroke-to-repaint time once painted. */
export function markFilterPainted(): void {
  if (!filterInputPending) return;
  filterInputPending = false;
  afterNextPaint(() => {
    performance.mark(CHAT_PERF.filterPainted);
    performance.measure(CHAT_PERF.filterRepaint, CHAT_PERF.filterInput, CHAT_PERF.filterPainted);
  });
}

let firstRowsMeasured = false;

/** Called when rows first render from loaded data; records data arrival to first painted rows once. */
export function markRowsRendered(): void {
  if (firstRowsMeasured) return;
  firstRowsMeasured = true;
  afterNextPaint(() => {
    performance.mark(CHAT_PERF.rowsPainted);
    if (performance.getEntriesByName(CHAT_PERF.dataArrived, 'mark').length > 0) {
      performance.measure(CHAT_PERF.firstRows, CHAT_PERF.dataArrived, CHAT_PERF.rowsPainted);
    }
  });
}

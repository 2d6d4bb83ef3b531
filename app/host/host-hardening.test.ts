// What a hostile or broken local client can do to a real `openlines serve`: each attack costs at most its own
// socket, while a bulk run started before it keeps running and the console keeps answering.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HOST_SOCKET_PATH, type HostMessage } from '../contract/index.ts';
import { readJournal } from '../core/runs/journal.ts';
import { RunState } from '../core/runs/run-state.ts';
import { PACKAGE_ROOT } from './renderer-build.ts';

let home: string;
let child: ChildProcessWithoutNullStreams;
let port: number;
let token: string;
let origin: string;
const stdoutLines: string[] = [];
let exitCode: number | null | undefined;

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'openlines-host-hardening-'));
  child = spawn(process.execPath, ['bin/openlines.js', 'serve', '--demo', '--chats', '200', '--port', '0'], {
    cwd: PACKAGE_ROOT,
    env: { ...process.env, OPENLINES_HOME: home, OPENLINES_TEST_CONTROL: '1' },
  });
  child.once('exit', (code) => {
    exitCode = code;
  });
  const reader = createInterface({ input: child.stdout });
  reader.on('line', (line) => stdoutLines.push(line));
  const first = await until(() => stdoutLines[0], 60_000);
  const match = /^Open Lines Console: (http:\/\/127\.0\.0\.1:(\d+))\/#token=(\S+)$/.exec(first);
  if (!match) throw new Error(`unexpected first line: ${first}`);
  origin = match[1]!;
  port = Number(match[2]);
  token = match[3]!;
}, 120_000);

afterAll(async () => {
  if (exitCode === undefined) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await rm(home, { recursive: true, force: true });
});

async function until<T>(probe: () => T | undefined | null | false, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function control(command: string): Promise<void> {
  const seen = stdoutLines.length;
  child.stdin.write(`${command}\n`);
  const answer = await until(() => stdoutLines.slice(seen).find((line) => line.startsWith('control ')), 10_000);
  expect(answer).toBe(`control ok ${command}`);
}

/** A well-behaved console client: the renderer's side of the protocol. */
class Console {
  private next = 1;
  private readonly pending = new Map<number, (result: unknown) => void>();
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as HostMessage;
      if ('id' in message) this.pending.get(message.id)?.(message.result);
    });
  }

  static open(): Promise<Console> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${HOST_SOCKET_PATH}?token=${token}`, {
      headers: { Origin: origin },
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new Console(ws)));
      ws.once('error', reject);
    });
  }

  async call<T>(channel: string, input: unknown): Promise<T> {
    const id = this.next++;
    const answered = new Promise<unknown>((resolve) => this.pending.set(id, resolve));
    this.ws.send(JSON.stringify({ id, channel, input }));
    const result = (await answered) as { ok: true; data: T } | { ok: false; error: { code: string } };
    if (!result.ok) throw new Error(`${channel} failed with ${result.error.code}`);
    return result.data;
  }

  /** Sends one raw text message; resolves with the close code the server answers it with. */
  sendAndAwaitClose(text: string): Promise<number> {
    const closed = new Promise<number>((resolve) => this.ws.once('close', (code) => resolve(code)));
    this.ws.send(text);
    return closed;
  }

  close(): void {
    this.ws.close();
  }
}

/** Sends raw bytes and collects what comes back until the server closes the connection. */
function rawExchange(write: (socket: Socket) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => write(socket));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks)));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') resolve(Buffer.concat(chunks));
      else reject(error);
    });
    socket.setTimeout(15_000, () => {
      socket.destroy();
      reject(new Error('the server left the connection open'));
    });
  });
}

function upgradeRequest(target: string, withToken: boolean): string {
  const query = withToken ? `?token=${token}` : '';
  return [
    `GET ${target}${query} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    `Origin: ${origin}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
    '',
    '',
  ].join('\r\n');
}

/** A client frame: FIN set, the given opcode, masked unless told otherwise. */
function frame(opcode: number, payload: Buffer, options: { masked?: boolean; announce?: number } = {}): Buffer {
  const masked = options.masked ?? true;
  const length = options.announce ?? payload.length;
  const head: number[] = [0x80 | opcode];
  const maskBit = masked ? 0x80 : 0;
  if (length < 126) head.push(maskBit | length);
  else if (length < 65_536) head.push(maskBit | 126, length >> 8, length & 0xff);
  else {
    const extended = Buffer.alloc(8);
    extended.writeBigUInt64BE(BigInt(length));
    head.push(maskBit | 127, ...extended);
  }
  if (!masked) return Buffer.concat([Buffer.from(head), payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload.map((byte, index) => byte ^ mask[index % 4]!));
  return Buffer.concat([Buffer.from(head), mask, body]);
}

/** Opens an admitted socket by hand, then writes `bytes` on it; resolves with the close code the server sent. */
async function breakProtocol(bytes: Buffer): Promise<number | null> {
  const answer = await rawExchange((socket) => {
    socket.write(upgradeRequest(HOST_SOCKET_PATH, true));
    socket.once('data', () => socket.write(bytes));
  });
  const text = answer.toString('latin1');
  expect(text.startsWith('HTTP/1.1 101')).toBe(true);
  const frames = answer.subarray(answer.indexOf('\r\n\r\n') + 4);
  // The server's close frame (opcode 8) carries the status code in its first two payload bytes.
  const closeAt = frames.findIndex((byte, index) => byte === 0x88 && index + 3 < frames.length);
  return closeAt === -1 ? null : frames.readUInt16BE(closeAt + 2);
}

describe('openlines serve under a hostile local client', () => {
  it('refuses unparseable upgrade targets and closes protocol-breaking sockets, and a run in progress finishes', async () => {
    const consoleClient = await Console.open();
    const chats = await consoleClient.call<{ chats: { chatId: number }[] }>('chats.list', { profileId: 'demo' });
    const chatIds = chats.chats.slice(0, 40).map((chat) => chat.chatId);
    expect(chatIds).toHaveLength(40);
    // Slow answers keep the run going while the attacks land.
    await control('portal faults {"slowMs":150}');
    const preview = await consoleClient.call<{ previewId: string }>('runs.preview', {
      profileId: 'demo',
      mode: 'restart',
      source: { kind: 'ids', chatIds },
      skipInvalid: true,
    });
    const started = await consoleClient.call<{ runId: string; status: string }>('runs.start', {
      previewId: preview.previewId,
    });
    expect(started.status).toBe('running');

    for (const target of ['//[', 'http://[::1']) {
      const answer = await rawExchange((socket) => socket.write(upgradeRequest(target, false)));
      expect(answer.toString('latin1')).toMatch(/^HTTP\/1\.1 400 /);
    }

    const textFrame = 0x1;
    expect(await breakProtocol(frame(textFrame, Buffer.from([0xc3, 0x28, 0xff])))).toBe(1007);
    expect(await breakProtocol(frame(textFrame, Buffer.from('{"id":1}'), { masked: false }))).toBe(1002);
    expect(await breakProtocol(frame(0x3, Buffer.from('x')))).toBe(1002);
    expect(await breakProtocol(frame(0x2, Buffer.alloc(0), { announce: 100 * 1024 * 1024 }))).toBe(1009);

    const greedy = await Console.open();
    expect(await greedy.sendAndAwaitClose('x'.repeat(65 * 1024 * 1024))).toBe(1009);

    // The console still answers, on the socket that was open all along and on a new one.
    expect(exitCode).toBeUndefined();
    const afterwards = await Console.open();
    const again = await afterwards.call<{ chats: unknown[] }>('chats.list', { profileId: 'demo' });
    expect(again.chats.length).toBe(chats.chats.length);
    await control('portal faults {}');

    type Progress = { runId: string; status: string; counts: Record<string, number> };
    let run: Progress | undefined;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
      const runs = await consoleClient.call<Progress[]>('runs.list', { profileId: 'demo' });
      run = runs.find((entry) => entry.runId === started.runId);
      if (run?.status !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!run) throw new Error('the run is gone from the list');
    expect(run.status).toBe('finished');
    const verified = run.counts.verified ?? 0;
    expect(verified + (run.counts['already-active'] ?? 0)).toBe(40);
    // The journal on disk tells the same story as the console.
    const replayed = RunState.replay((await readJournal(path.join(home, 'runs', started.runId))).records);
    expect(replayed.status).toBe('finished');
    expect([...replayed.chats.values()].filter((chat) => chat.state === 'verified')).toHaveLength(verified);
    expect(await readFile(path.join(home, 'runs', 'audit.jsonl'), 'utf8')).toContain(started.runId);
    consoleClient.close();
    afterwards.close();
  }, 180_000);
});

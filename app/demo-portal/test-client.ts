// A tiny fetch client for the demo portal's own tests: what any HTTP client would see.
import type { DemoPortal } from './types.ts';

export interface Answer {
  status: number;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever shape the portal answered.
  body: any;
}

export async function post(url: string, params: unknown = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) };
}

/** Calls a method through the portal's inbound webhook. */
export function call(portal: DemoPortal, method: string, params: unknown = {}): Promise<Answer> {
  return post(`${portal.webhookUrl}${method}`, params);
}

/** The first seeded chat matching a predicate (on an accessible line). */
export function findChat(
  portal: DemoPortal,
  test: (chat: NonNullable<ReturnType<DemoPortal['chat']>>) => boolean,
): number {
  const id = portal.chatIds().find((chatId) => {
    const chat = portal.chat(chatId);
    return chat?.accessible === true && test(chat);
  });
  if (id === undefined) throw new Error('no seeded chat matches');
  return id;
}

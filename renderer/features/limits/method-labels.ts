// What the console's Bitrix24 calls are for, in words; the method name stays beside it for whoever reads the docs.
const LABELS: Readonly<Record<string, string>> = {
  'imopenlines.session.start': 'Start session',
  'imopenlines.operator.another.finish': 'Close session',
  'imopenlines.dialog.get': 'Read chat',
  'imopenlines.session.history.get': 'Session history',
  'imopenlines.v2.Session.list': 'Session list',
  'imopenlines.v2.Operator.list': 'Operator load',
  'imopenlines.config.list.get': 'Open lines',
  'im.recent.list': 'Recent chats',
  'im.recent.get': 'Recent chats',
  'user.get': 'User names',
  profile: 'Connection check',
  scope: 'Connection check (scopes)',
  batch: 'Batch requests',
};

/** The readable name of a method; an unknown method is shown as it is. */
export function methodLabel(method: string): string {
  return LABELS[method] ?? method;
}

import { useId } from 'react';
import { type ChatList, SESSION_STATUSES, type SessionStatus } from '../../../app/contract/index.ts';
import { ALL, type ChatFilter, OPEN_SESSIONS, STATUS_LABELS } from './chat-filter.ts';
import { markFilterInput } from './chat-perf.ts';

interface ChatFiltersProps {
  filter: ChatFilter;
  onChange(filter: ChatFilter): void;
  lines: ChatList['lines'];
  operators: ChatList['operators'];
}

function parseId(value: string): number | typeof ALL {
  return value === ALL ? ALL : Number(value);
}

export function ChatFilters({ filter, onChange, lines, operators }: ChatFiltersProps) {
  const id = useId();
  const hasUnassigned = operators.some((operator) => operator.id === 0);
  return (
    <search className="filters" aria-label="Chat filters">
      <label htmlFor={`${id}-search`} className="visually-hidden">
        Search chats
      </label>
      <input
        id={`${id}-search`}
        type="search"
        className="search-box"
        placeholder="Search chat, visitor, operator, session…"
        value={filter.search}
        onChange={(event) => {
          markFilterInput();
          onChange({ ...filter, search: event.target.value });
        }}
      />
      <label className="field">
        <span>Line</span>
        <select
          value={String(filter.lineId)}
          onChange={(event) => {
            markFilterInput();
            onChange({ ...filter, lineId: parseId(event.target.value) });
          }}
        >
          <option value={ALL}>All lines</option>
          {lines.map((line) => (
            <option key={line.id} value={line.id}>
              {line.name}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Status</span>
        <select
          value={filter.status}
          onChange={(event) => {
            markFilterInput();
            onChange({ ...filter, status: event.target.value as SessionStatus | typeof OPEN_SESSIONS | typeof ALL });
          }}
        >
          <option value={ALL}>All statuses</option>
          <option value={OPEN_SESSIONS}>Open sessions</option>
          {SESSION_STATUSES.map((status) => (
            <option key={status} value={status}>
              {STATUS_LABELS[status]}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Operator</span>
        <select
          value={String(filter.operatorId)}
          onChange={(event) => {
            markFilterInput();
            onChange({ ...filter, operatorId: parseId(event.target.value) });
          }}
        >
          <option value={ALL}>All operators</option>
          {hasUnassigned ? null : <option value={0}>Unassigned</option>}
          {operators.map((operator) => (
            <option key={operator.id} value={operator.id}>
              {operator.id === 0 ? 'Unassigned' : operator.name}
            </option>
          ))}
        </select>
      </label>
    </search>
  );
}

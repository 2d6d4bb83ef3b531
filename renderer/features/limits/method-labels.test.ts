import { describe, expect, it } from 'vitest';
import { methodLabel } from './method-labels.ts';

describe('methodLabel', () => {
  it('names what a call is for, and leaves a method it does not know as it is', () => {
    expect(methodLabel('imopenlines.session.start')).toBe('Start session');
    expect(methodLabel('imopenlines.v2.Session.list')).toBe('Session list');
    expect(methodLabel('crm.lead.add')).toBe('crm.lead.add');
  });
});

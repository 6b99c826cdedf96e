/**
 * What a plugin threw, in its PluginError's message: an Error by its name and message, a plain
 * object or an array as JSON (a user trial: `threw [object Object]`), anything else as String gives it.
 */
import { describe, expect, it } from 'vitest';
import { PluginError, pluginFailure } from '../sim/plugin/plugin.ts';

const said = (e: unknown) => pluginFailure('./p.mjs', 'wake()', e).message;

describe('pluginFailure', () => {
  it('says what was thrown, whatever it is', () => {
    expect(said(new RangeError('boom'))).toBe("plugin './p.mjs': wake(): threw RangeError: boom");
    expect(said({ code: 42, msg: 'custom' })).toBe('plugin \'./p.mjs\': wake(): threw {"code":42,"msg":"custom"}');
    expect(said([1, 'two'])).toBe('plugin \'./p.mjs\': wake(): threw [1,"two"]');
    expect(said('just text')).toBe("plugin './p.mjs': wake(): threw just text");
    expect(said(undefined)).toBe("plugin './p.mjs': wake(): threw undefined");
    expect(said(null)).toBe("plugin './p.mjs': wake(): threw null");
    // an object with its own toString keeps it; one without any (a null prototype) is written as JSON
    expect(said({ toString: () => 'my error' })).toBe("plugin './p.mjs': wake(): threw my error");
    expect(said(Object.assign(Object.create(null), { a: 1 }))).toBe('plugin \'./p.mjs\': wake(): threw {"a":1}');
    // one JSON cannot write, and a long one cut
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(said(loop)).toBe("plugin './p.mjs': wake(): threw [object Object]");
    expect(said({ text: 'x'.repeat(300) })).toMatch(/^plugin '\.\/p\.mjs': wake\(\): threw \{"text":"x+\.\.\.$/);
    // a PluginError passes through as it is
    const e = new PluginError('./q.mjs', 'pick()', 'returned nothing');
    expect(pluginFailure('./p.mjs', 'wake()', e)).toBe(e);
  });
});

import { MAX_SETTINGS_BYTES, parseUserSettings, storedSettings } from './user-settings';

describe('parseUserSettings', () => {
  it('accepts a JSON object as it is', () => {
    expect(parseUserSettings('{"ui":{"models":["m1"]}}')).toEqual({ ui: { models: ['m1'] } });
  });

  it.each([
    ['[]', 'The settings must be a JSON object.'],
    ['null', 'The settings must be a JSON object.'],
    ['"x"', 'The settings must be a JSON object.'],
    ['{', 'The settings are not valid JSON.'],
  ])('refuses %s', (json, message) => {
    expect(() => parseUserSettings(json)).toThrow(message);
  });

  it('refuses more than 64 KiB', () => {
    const json = JSON.stringify({ ui: { note: 'x'.repeat(MAX_SETTINGS_BYTES) } });
    expect(() => parseUserSettings(json)).toThrow('The settings are larger than 64 KiB.');
  });

  it('refuses absurd nesting', () => {
    const json = '{"a":'.repeat(40) + '1' + '}'.repeat(40);
    expect(() => parseUserSettings(json)).toThrow('nested deeper');
  });
});

describe('storedSettings', () => {
  it('gives an empty object for anything but an object', () => {
    expect(storedSettings(null)).toEqual({});
    expect(storedSettings([1])).toEqual({});
    expect(storedSettings({ ui: {} })).toEqual({ ui: {} });
  });
});

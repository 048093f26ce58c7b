import { parseOutputFormat } from './output.js';
import { parseGetFormat } from './printer.js';

test('table is another name for text', () => {
  expect(parseOutputFormat('table')).toBe('text');
  expect(parseGetFormat(undefined)).toBe('text');
  expect(parseGetFormat('yaml')).toBe('yaml');
});

test('an unknown format names the choices as the command calls them', () => {
  expect(() => parseOutputFormat('xml', ['text', 'json'])).toThrow('unknown output format "xml": use one of text, json');
  expect(() => parseGetFormat('xml')).toThrow('unknown output format "xml": use one of table, json, yaml');
});
